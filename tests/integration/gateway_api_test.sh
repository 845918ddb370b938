#!/usr/bin/env bash
# The gateway's HTTP surface with curl: keys, auth (401), workflows (403/404),
# /v1/models, /v1/airlock/scan, health, malformed JSON and HTTP, limits on
# size, the built-in default config's 503 for chat without a model, audit
# events without payload text.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
gw_config > "$WORK/airlock.yaml"

# ---- keys CLI
SALES=$(gw_key alice sales DE)
expect_rc "keys create" 0 $?
if [[ "$SALES" =~ ^alk_[0-9a-f]{16}_[0-9a-f]{64}$ ]]; then pass "keys create prints only the key"; else fail "keys create printed: $SALES"; fi
HR=$(gw_key bob hr DE)
REVOKED=$(gw_key carol sales DE)
EXPIRED=$(gw_key dave sales DE --expires-in-days 0.00001)
"$AIRLOCK" keys revoke --store "$STORE" "$(echo "$REVOKED" | cut -c5-20)" 2>/dev/null
expect_rc "keys revoke" 0 $?
"$AIRLOCK" keys revoke --store "$STORE" 0123456789abcdef 2>"$WORK/err.txt"
expect_rc "keys revoke unknown id" 2 $?
"$AIRLOCK" keys list --store "$STORE" --format json > "$WORK/keys.json"
json_check "keys list shows state, never keys" "$WORK/keys.json" \
  "len(d)==4 and sorted(k['state'] for k in d)==['active','active','expired','revoked'] or sorted(k['state'] for k in d)==['active','active','active','revoked']"
expect_not_contains "keys list has no secret" "$WORK/keys.json" "${SALES:21}"
if sqlite3 "$STORE" "select count(*) from api_keys where hash like '%${SALES:21:16}%'" | grep -q '^0$'; then
  pass "store holds no clear key"; else fail "store holds the clear key"; fi
sleep 1  # let the short-lived key expire

gw_start

# ---- health
expect_status "healthz" 200 "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' "$BASE/healthz")"
expect_status "readyz" 200 "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' "$BASE/readyz")"

# ---- auth
CHAT='{"model":"crm-assist","messages":[{"role":"user","content":"hello"}]}'
expect_status "no key" 401 "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -d "$CHAT" "$BASE/v1/chat/completions")"
json_check "401 in OpenAI error shape" "$WORK/resp.json" "d['error']['type']=='authentication_error' and d['error']['code']=='invalid_api_key' and 'missing' in d['error']['message']"
expect_status "malformed key" 401 "$(gw_post /v1/chat/completions not-a-key "$CHAT")"
expect_status "unknown key" 401 "$(gw_post /v1/chat/completions "alk_0123456789abcdef_$(printf '%064d' 0)" "$CHAT")"
BADSECRET="${SALES:0:21}$(printf '%064d' 1)"
expect_status "right id, wrong secret" 401 "$(gw_post /v1/chat/completions "$BADSECRET" "$CHAT")"
expect_status "revoked key" 401 "$(gw_post /v1/chat/completions "$REVOKED" "$CHAT")"
json_check "revoked says revoked" "$WORK/resp.json" "'revoked' in d['error']['message']"
expect_status "expired key" 401 "$(gw_post /v1/chat/completions "$EXPIRED" "$CHAT")"
json_check "expired says expired" "$WORK/resp.json" "'expired' in d['error']['message']"
# Revoked by the CLI (another process) while the server runs and after the
# server has looked the key up: refused on the very next request.
LATE=$(gw_key erin sales DE)
expect_status "key in use" 200 "$(gw_get /v1/models "$LATE")"
expect_status "key in use, again" 200 "$(gw_get /v1/models "$LATE")"
"$AIRLOCK" keys revoke --store "$STORE" "$(echo "$LATE" | cut -c5-20)" 2>/dev/null
expect_rc "keys revoke while serving" 0 $?
expect_status "key revoked while serving" 401 "$(gw_get /v1/models "$LATE")"
json_check "revoked while serving says revoked" "$WORK/resp.json" "'revoked' in d['error']['message']"

# ---- workflows: deny by default
expect_status "role not allowed" 403 "$(gw_post /v1/chat/completions "$HR" "$CHAT")"
json_check "403 names the workflow" "$WORK/resp.json" "d['error']['code']=='forbidden_workflow' and 'crm-assist' in d['error']['message']"
expect_status "unknown workflow" 404 "$(gw_post /v1/chat/completions "$SALES" '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}')"
json_check "404 model_not_found" "$WORK/resp.json" "d['error']['code']=='model_not_found'"
expect_status "header picks the workflow" 403 "$(gw_post /v1/chat/completions "$SALES" "$CHAT" -H 'X-Airlock-Workflow: hr-only')"
expect_status "models for sales" 200 "$(gw_get /v1/models "$SALES")"
json_check "models lists only sales workflows" "$WORK/resp.json" \
  "'crm-assist' in [m['id'] for m in d['data']] and 'hr-only' not in [m['id'] for m in d['data']]"
expect_status "models for hr" 200 "$(gw_get /v1/models "$HR")"
json_check "hr sees only hr-only" "$WORK/resp.json" "[m['id'] for m in d['data']]==['hr-only']"

# ---- malformed input
expect_status "malformed JSON" 400 "$(gw_post /v1/chat/completions "$SALES" '{"model":"crm-assist","messages":[')"
json_check "malformed JSON says where" "$WORK/resp.json" "d['error']['code']=='invalid_json' and 'at byte' in d['error']['message']"
expect_status "content of wrong type" 400 "$(gw_post /v1/chat/completions "$SALES" '{"model":"crm-assist","messages":[{"role":"user","content":5}]}')"
json_check "names the field" "$WORK/resp.json" "'messages[0].content' in d['error']['message']"
expect_status "image part refused (cannot be scanned)" 400 "$(gw_post /v1/chat/completions "$SALES" '{"model":"crm-assist","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}')"
expect_status "no messages" 400 "$(gw_post /v1/chat/completions "$SALES" '{"model":"crm-assist"}')"
head -c 70000 /dev/zero | tr '\0' 'a' > "$WORK/big.txt"
expect_status "body over the limit" 413 "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $SALES" --data-binary @"$WORK/big.txt" "$BASE/v1/chat/completions")"
json_check "413 in error shape" "$WORK/resp.json" "d['error']['code']=='request_too_large'"
python3 - "$PORT" > "$WORK/raw.txt" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
print(s.recv(4096).decode(errors="replace"))
PY
expect_contains "garbage HTTP gets 400" "$WORK/raw.txt" "400 Bad Request"
expect_status "unknown path" 404 "$(gw_get /v1/nothing "$SALES")"
expect_status "wrong method" 405 "$(gw_get /v1/chat/completions "$SALES")"

# ---- scan: findings, never values
expect_status "scan" 200 "$(gw_post /v1/airlock/scan "$SALES" '{"text":"Contact Max Mustermann, IBAN DE89 3704 0044 0532 0130 00, max.mustermann@example.com"}')"
json_check "scan finds IBAN and e-mail" "$WORK/resp.json" "d['counts'].get('IBAN_CODE')==1 and d['counts'].get('EMAIL_ADDRESS')==1"
expect_not_contains "scan shows no values" "$WORK/resp.json" "DE89"
expect_not_contains "scan shows no e-mail" "$WORK/resp.json" "mustermann@"
expect_status "scan messages" 200 "$(gw_post /v1/airlock/scan "$SALES" '{"messages":[{"role":"user","content":"IBAN DE89 3704 0044"},{"role":"user","content":"0532 0130 00"}]}')"
json_check "scan sees a value split across messages" "$WORK/resp.json" "any(f['split_across']==2 and f['entity_type']=='IBAN_CODE' for f in d['findings'])"
B64=$(printf 'Notes: call anna.schmidt@example.de about the renewal.' | base64 -w0)
expect_status "scan reads a text file part" 200 "$(gw_post /v1/airlock/scan "$SALES" "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"filename\":\"notes.txt\",\"file_data\":\"$B64\"}}]}]}")"
json_check "the file's e-mail address found" "$WORK/resp.json" "d['counts'].get('EMAIL_ADDRESS')==1"
expect_status "scan refuses an unreadable file" 400 "$(gw_post /v1/airlock/scan "$SALES" '{"messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"%%%"}}]}]}')"
json_check "unreadable file named" "$WORK/resp.json" "d['error']['code']=='unreadable_attachment' and 'messages[0].content[0]' in d['error']['message']"
expect_status "scan needs auth" 401 "$(gw_post /v1/airlock/scan nokey '{"text":"x"}')"

# ---- audit rows carry no payload
gw_post /v1/chat/completions "$SALES" '{"model":"crm-assist","messages":[{"role":"user","content":"My key is ghp_16C7e42F292c6912E7710c838347Ae178B4a"}]}' >/dev/null
gw_audit > "$WORK/audit.txt"
expect_contains "blocked request audited" "$WORK/audit.txt" '"decision":"block"'
expect_contains "credential named as the reason" "$WORK/audit.txt" '"credential_detected"'
expect_contains "refused key audited" "$WORK/audit.txt" '"unauthenticated"'
"$AIRLOCK" audit verify --store "sqlite:$WORK/var/audit.db" --signing-key "$WORK/var/audit-signing.pem" > "$WORK/verify.txt" 2>&1
expect_rc "the gateway's chain verifies" 0 $?
expect_not_contains "audit has no values" "$WORK/audit.txt" "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
expect_not_recorded "api" "ghp_16C7e42F292c6912E7710c838347Ae178B4a" "mustermann"

kill -TERM $SERVE_PID; wait $SERVE_PID; expect_rc "SIGTERM stops cleanly" 0 $?

# ---- the built-in default: loopback, no model -> 503 that says how to add one
mkdir -p "$WORK/default" && cd "$WORK/default"
KEY=$("$AIRLOCK" keys create --principal eve --role user 2>/dev/null)
"$AIRLOCK" serve --listen 127.0.0.1:0 2>"$WORK/default.log" &
PID=$!; GW_PIDS+=($PID)
for _ in $(seq 1 600); do grep -q "listening on" "$WORK/default.log" && break; sleep 0.1; done
BASE="http://127.0.0.1:$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$WORK/default.log" | sed 's/.*://')"
expect_status "default config: chat without a model" 503 "$(gw_post /v1/chat/completions "$KEY" '{"model":"default","messages":[{"role":"user","content":"hi"}]}')"
json_check "503 says how to add a model" "$WORK/resp.json" "d['error']['code']=='no_model' and 'models/' in d['error']['message']"
expect_status "default config: scan works" 200 "$(gw_post /v1/airlock/scan "$KEY" '{"text":"max@example.com"}')"
if [ -f "$WORK/default/var/airlock.db" ]; then pass "default store under ./var"; else fail "no ./var/airlock.db"; fi
kill -TERM $PID; wait $PID
finish
