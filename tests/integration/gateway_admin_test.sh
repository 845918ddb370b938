#!/usr/bin/env bash
# The admin API and lockdown against the real gateway: roles, status, events,
# stats, chain verification (and a tampered trail), `airlock lockdown` in
# both modes, lockdown surviving a restart, nothing forwarded while locked
# down, a separate admin listener, and audit events without payload text.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
gw_config > "$WORK/airlock.yaml"
printf 'admin:\n  roles: [secops]\n  lockdown_mode: local\naudit:\n  checkpoint_every: 5\n' >> "$WORK/airlock.yaml"
cat >> "$WORK/airlock.yaml" <<YAML
alerts:
  rules:
    - {name: canary, type: canary, severity: critical}
    - {name: chain, type: chain_failure, severity: critical}
    - {name: blocked-burst, type: threshold, metric: blocked_requests, per: principal, window: 5m, count: 2}
  canaries:
    - {entity_type: EMAIL_ADDRESS, value: "canary.jones@example.org"}
  sinks:
    - {type: jsonl, path: $WORK/alerts.jsonl}
YAML
ADMIN=$(gw_key sam secops DE)
SALES=$(gw_key alice sales DE)
gw_start

CHAT='{"model":"crm-assist","messages":[{"role":"user","content":"Call Erika Mustermann, erika.mustermann@example.de, IBAN DE89 3704 0044 0532 0130 00"}]}'

# ---- who may call it
expect_status "admin API needs a key" 401 "$(gw_get /admin/v1/status nokey)"
expect_status "a sales key is not an admin" 403 "$(gw_get /admin/v1/status "$SALES")"
expect_status "status for the admin role" 200 "$(gw_get /admin/v1/status "$ADMIN")"
json_check "status names the chain and lockdown off" "$WORK/resp.json" \
  "d['instance'] and d['lockdown']['state'] == 'off' and d['trail']['store'].startswith('sqlite:')"
expect_status "unknown admin endpoint" 404 "$(gw_get /admin/v1/nothing "$ADMIN")"
expect_status "bad query parameter" 400 "$(gw_get '/admin/v1/events?colour=red' "$ADMIN")"
json_check "bad query names the parameter" "$WORK/resp.json" "'colour' in d['error']['message']"

# ---- normal traffic is forwarded
expect_status "chat before lockdown" 200 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"
STREAMED='{"model":"crm-assist","stream":true,"messages":[{"role":"user","content":"Hello there, how are you?"}]}'
expect_status "streamed chat before lockdown" 200 "$(gw_post /v1/chat/completions "$SALES" "$STREAMED")"

# ---- metrics: admin or metrics role only, identifiers only
expect_status "/metrics needs a key" 401 "$(gw_get /metrics nokey)"
expect_status "/metrics refuses a sales key" 403 "$(gw_get /metrics "$SALES")"
sleep 0.3
expect_status "/metrics for an admin" 200 "$(gw_get /metrics "$ADMIN")"
if grep -E '^airlock_requests_total\{' "$WORK/resp.json" | grep 'workflow="crm-assist"' | grep 'backend="eu-echo"' | grep -q 'decision="pseudonymise"} 1$'; then
  pass "requests counted by workflow, backend and decision"; else fail "no airlock_requests_total series for the pseudonymised request"; grep requests_total "$WORK/resp.json"; fi
expect_contains "findings by entity type" "$WORK/resp.json" 'entity_type="IBAN_CODE"'
expect_contains "auth failures counted" "$WORK/resp.json" 'airlock_auth_failures_total'
expect_contains "audit queue depth exported" "$WORK/resp.json" 'airlock_audit_queue_depth 0'
expect_contains "local queue depth exported" "$WORK/resp.json" 'airlock_local_queue_depth 0'
expect_contains "lockdown gauge" "$WORK/resp.json" 'airlock_lockdown 0'
# Per-stage timings: two model calls so far (one plain, one streamed); the
# plain one was answered whole, the streamed one stream by stream.
stage_count() { sed -n "s/^airlock_stage_duration_seconds_count{stage=\"$1\"} //p" "$WORK/resp.json"; }
for want in auth:2 request_scan:2 audit_commit:2 upstream:1 upstream_first_chunk:1 response_scan:1 stream_hold:1; do
  stage=${want%%:*} n=${want##*:}
  if [ "$(stage_count "$stage")" = "$n" ]; then pass "stage $stage timed $n time(s)"
  else fail "stage $stage: count '$(stage_count "$stage")', want $n"; grep stage_duration "$WORK/resp.json" | grep count; fi
done
expect_not_contains "no values in metrics" "$WORK/resp.json" "mustermann"
expect_not_contains "no principal in clear by default" "$WORK/resp.json" 'principal="alice"'
if grep -Eq '^airlock_principal_requests_total\{principal="[0-9a-f]{16}"\} [0-9]+$' "$WORK/resp.json"; then
  pass "per-principal requests under a hashed label by default"; else fail "no hashed principal series"; grep principal_requests "$WORK/resp.json"; fi

# ---- alerts: a canary value, a burst of blocked requests
CANARY='{"model":"crm-assist","messages":[{"role":"user","content":"Forward this to canary.jones@example.org please"}]}'
expect_status "canary request (pseudonymised, forwarded)" 200 "$(gw_post /v1/chat/completions "$SALES" "$CANARY")"
for i in 1 2; do gw_post /v1/chat/completions "$SALES" '{"model":"crm-assist","messages":[{"role":"user","content":"token ghp_16C7e42F292c6912E7710c838347Ae178B4a"}]}' >/dev/null; done
for _ in $(seq 1 30); do grep -q blocked-burst "$WORK/alerts.jsonl" 2>/dev/null && break; sleep 0.1; done
json_lines_check() { python3 -c "import json,sys; a=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if ($2) else 1)" "$WORK/alerts.jsonl"; }
json_lines_check x "any(x['rule']=='canary' and x['severity']=='critical' and x['principal']=='alice' for x in a)" && pass "canary alert raised (critical)" || fail "no canary alert"
json_lines_check x "any(x['rule']=='blocked-burst' and x['count']>=2 for x in a)" && pass "blocked-requests burst alert" || fail "no burst alert"
expect_not_contains "alerts carry no canary value" "$WORK/alerts.jsonl" "canary.jones"
expect_not_contains "alerts carry no token" "$WORK/alerts.jsonl" "ghp_16C7"
expect_status "admin alerts" 200 "$(gw_get /admin/v1/alerts "$ADMIN")"
json_check "admin API lists the latest alerts" "$WORK/resp.json" "any(a['rule']=='canary' for a in d['data'])"
before=$(recorded_count)

# ---- lockdown: refuse everything
export AIRLOCK_ADMIN_KEY="$ADMIN"
"$AIRLOCK" lockdown on --mode refuse --url "$BASE" > "$WORK/lock.json" 2>"$WORK/lock.err"
expect_rc "airlock lockdown on --mode refuse" 0 $?
json_check "lockdown reports refuse" "$WORK/lock.json" "d['state'] == 'on' and d['mode'] == 'refuse'"
expect_status "chat refused in lockdown" 503 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"
json_check "refusal says lockdown" "$WORK/resp.json" "d['error']['code'] == 'lockdown'"
AIRLOCK_ADMIN_KEY="$SALES" "$AIRLOCK" lockdown off --url "$BASE" >/dev/null 2>"$WORK/lock.err"
expect_rc "a non-admin cannot lift the lockdown" 1 $?
AIRLOCK_ADMIN_KEY= "$AIRLOCK" lockdown off --url "$BASE" >/dev/null 2>"$WORK/lock.err"
expect_rc "lockdown without a key is a usage error" 2 $?
expect_contains "says where the key comes from" "$WORK/lock.err" "AIRLOCK_ADMIN_KEY"
# A gateway that accepts the connection and never answers: an error after
# --timeout (exit 2), not a hang.
gw_start_mute
t0=$(date +%s.%N)
timeout 20 "$AIRLOCK" lockdown status --url "http://127.0.0.1:$MUTE_PORT" --timeout 1 >/dev/null 2>"$WORK/mute.err"
expect_rc "a gateway that never answers: exit 2" 2 $?
expect_contains "the error says it waited" "$WORK/mute.err" "no answer within 1 s"
if python3 -c "import sys; sys.exit(0 if float('$(date +%s.%N)') - float('$t0') < 10 else 1)"; then
  pass "gave up after the timeout"; else fail "waited far past --timeout 1"; fi
kill $MUTE_PID 2>/dev/null

# ---- it survives a restart
kill -TERM $SERVE_PID; wait $SERVE_PID
gw_start
expect_status "still refused after a restart" 503 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"

# ---- local-only mode: remote backends are out of reach
"$AIRLOCK" lockdown on --mode local --url "$BASE" > "$WORK/lock.json" 2>&1
expect_rc "airlock lockdown on --mode local" 0 $?
expect_status "remote-only workflow refused" 503 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"
status=$(gw_post /v1/chat/completions "$SALES" '{"model":"us-reroute-local","messages":[{"role":"user","content":"hello"}]}')
if [ "$status" != 200 ]; then pass "workflow with a local backend goes local only (HTTP $status, no model loaded)"; else fail "us-reroute-local answered 200 in lockdown"; fi
after=$(recorded_count)
if [ "$after" = "$before" ]; then pass "nothing reached the provider during lockdown"; else fail "provider got $((after - before)) requests during lockdown"; fi

"$AIRLOCK" lockdown status --url "$BASE" > "$WORK/lock.json" 2>&1
json_check "lockdown status" "$WORK/lock.json" "d['state'] == 'on' and d['mode'] == 'local'"
"$AIRLOCK" lockdown off --url "$BASE" > "$WORK/lock.json" 2>&1
expect_rc "airlock lockdown off" 0 $?
expect_status "chat works again" 200 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"

# ---- events, stats, chain
sleep 0.3  # completion events are committed after the answer
"$AIRLOCK" admin events --url "$BASE" --query 'kind=admin' > "$WORK/admin.json" 2>&1
json_check "lockdown changes are audit events" "$WORK/admin.json" \
  "[e['reasons'][0] for e in d['data'] if e['instance'].startswith('gw-')] == ['lockdown_on', 'lockdown_on', 'lockdown_off'] and all(e['principal'] == 'sam' for e in d['data'] if e['instance'].startswith('gw-'))"
# The keys created with the CLI before the start are admin events of the CLI's chain.
json_check "key creations are audit events of the CLI chain" "$WORK/admin.json" \
  "sorted(e['principal'] for e in d['data'] if e['reasons'] == ['key_created'] and e['instance'].startswith('cli-')) == ['alice', 'sam']"
expect_status "events filtered by principal" 200 "$(gw_get '/admin/v1/events?principal=alice&limit=50' "$ADMIN")"
json_check "alice's events: allowed, refused in lockdown, completed" "$WORK/resp.json" \
  "{'pseudonymise', 'block'} <= {e['decision'] for e in d['data']} and 'lockdown' in sum((e['reasons'] for e in d['data']), []) and any(e['kind'] == 'completion' for e in d['data'])"
json_check "events carry fingerprints, never values" "$WORK/resp.json" \
  "any(f['entity_type'] == 'IBAN_CODE' for e in d['data'] for f in e['fingerprints'])"
expect_not_contains "no IBAN in the events" "$WORK/resp.json" "DE89"
expect_not_contains "no e-mail in the events" "$WORK/resp.json" "mustermann"
expect_status "stats" 200 "$(gw_get /admin/v1/stats "$ADMIN")"
json_check "stats count decisions and findings" "$WORK/resp.json" \
  "d['by_decision'].get('pseudonymise', 0) >= 2 and d['by_reason'].get('lockdown', 0) >= 3 and d['findings_by_data_class'].get('financial', 0) >= 2"
"$AIRLOCK" admin chain --url "$BASE" > "$WORK/chain.json" 2>&1
expect_rc "admin chain" 0 $?
json_check "the chain verifies" "$WORK/chain.json" "d['ok'] and d['events'] > 10 and d['chains'][0]['checkpoints'] >= 1"

"$AIRLOCK" check --config "$WORK/airlock.yaml" --live "$BASE" -f json -o "$WORK/check-live.json" >/dev/null 2>&1
json_check "check --live: the deployed audit trail verifies (AL-LIVE-008)" "$WORK/check-live.json" \
  "any(r['control']=='AL-LIVE-008' and r['outcome']=='pass' for r in d['results'])"
json_check "check --live: no local model served, nothing to compare (AL-LIVE-007)" "$WORK/check-live.json" \
  "any(r['control']=='AL-LIVE-007' and r['outcome']=='not-applicable' for r in d['results'])"

# ---- someone with write access to the database edits an event
sqlite3 "$WORK/var/audit.db" "UPDATE audit_events SET principal = 'mallory' WHERE seq = 3"
"$AIRLOCK" admin chain --url "$BASE" > "$WORK/chain.json" 2>&1
json_check "tampering named" "$WORK/chain.json" "not d['ok'] and d['problems'][0]['seq'] == 3 and d['problems'][0]['kind'] == 'modified'"
for _ in $(seq 1 30); do grep -q chain_failure "$WORK/alerts.jsonl" && break; sleep 0.1; done
json_lines_check x "any(x['type']=='chain_failure' and x['detail']=='modified' for x in a)" && pass "chain failure alert" || fail "no chain failure alert"
"$AIRLOCK" check --config "$WORK/airlock.yaml" --live "$BASE" -f json -o "$WORK/check-live.json" >/dev/null 2>&1
expect_rc "check --live fails the gate on a tampered trail" 1 $?
json_check "check --live names the modified event (AL-LIVE-008)" "$WORK/check-live.json" \
  "any(r['control']=='AL-LIVE-008' and r['outcome']=='fail' and ':3 modified' in r['message'] for r in d['results'])"
AIRLOCK_ADMIN_KEY= "$AIRLOCK" check --config "$WORK/airlock.yaml" --live "$BASE" -f json -o "$WORK/check-nokey.json" >/dev/null 2>&1
json_check "without an admin key the chain probe says it did not run" "$WORK/check-nokey.json" \
  "any(r['control']=='AL-LIVE-008' and r['outcome']=='not-applicable' and 'admin API key' in r['message'] for r in d['results'])"
sqlite3 "$WORK/var/audit.db" "UPDATE audit_events SET principal = 'alice' WHERE seq = 3"
kill -TERM $SERVE_PID; wait $SERVE_PID

# ---- a separate admin listener
APORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed "s/^admin:/admin:\n  listen: 127.0.0.1:$APORT/" "$WORK/airlock.yaml" > "$WORK/admin2.yaml"
gw_start "$WORK/admin2.yaml"
expect_status "no admin API on the main listener" 404 "$(gw_get /admin/v1/status "$ADMIN")"
code=$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$APORT/admin/v1/status")
expect_status "admin API on admin.listen" 200 "$code"
code=$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $SALES" -H 'Content-Type: application/json' --data-binary "$CHAT" "http://127.0.0.1:$APORT/v1/chat/completions")
expect_status "no model calls on the admin listener" 404 "$code"
kill -TERM $SERVE_PID; wait $SERVE_PID

"$AIRLOCK" audit verify --store "sqlite:$WORK/var/audit.db" --signing-key "$WORK/var/audit-signing.pem" > "$WORK/verify.txt" 2>&1
expect_rc "the whole trail verifies after restarts" 0 $?
gw_audit > "$WORK/audit.txt"
expect_contains "start and stop are events" "$WORK/audit.txt" '"stopped"'
json_lines_check x "sum(1 for x in a if x['type']=='lockdown') >= 3" && pass "every lockdown change alerted" || fail "lockdown alerts missing"

expect_not_contains "no e-mail in the trail" "$WORK/audit.txt" "mustermann"
finish
