#!/usr/bin/env bash
# The local model engine behind the real gateway: `airlock serve --model`
# with the built-in config and the official openai npm client; a model found
# under ./models/; no model (503 that says how to add one, scanning still
# works); the config's sha256 pin (a wrong one refuses to start); requests
# routed to local never reach the recording stand-in cloud; remote health
# (an unhealthy backend skipped only for another allowed one, /readyz); the
# detection timeout (503, nothing forwarded).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

AIRLOCK="$(cd "$(dirname "$AIRLOCK")" && pwd)/$(basename "$AIRLOCK")"  # the servers run from other directories
MKMODEL="$(dirname "$AIRLOCK")/airlock-mkmodel"
CHATML="{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
MODEL="$WORK/tiny.gguf"
"$MKMODEL" "$MODEL" --template "$CHATML" >/dev/null; expect_rc "mkmodel writes a model" 0 $?
PIN=$(sha256sum "$MODEL" | cut -d' ' -f1)

# serve_in DIR ARGS...: airlock serve (built-in config unless ARGS say) run
# from DIR on a free port; sets PORT, BASE, SERVE_PID (gw_wait_started).
serve_in() {
  local dir=$1
  shift
  : > "$dir/serve.log"
  (cd "$dir" && exec "$AIRLOCK" serve --listen 127.0.0.1:0 "$@" 2>"$dir/serve.log") &
  gw_wait_started $! "$dir/serve.log"
}
stop_serve() { kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }
user_key() { "$AIRLOCK" keys create --store "$1/var/airlock.db" --principal "$2" --role "${3:-user}" --jurisdiction DE 2>/dev/null; }
CHAT='{"model":"default","messages":[{"role":"user","content":"hello"}],"max_tokens":2,"temperature":0}'

# --- 1. --model with the built-in config, through the openai client ---
mkdir -p "$WORK/a"
KEY=$(user_key "$WORK/a" alice)
serve_in "$WORK/a" --model "$MODEL"
expect_contains "the model is loaded at start" "$WORK/a/serve.log" "tiny.gguf: llama"
KEY=$KEY WORKFLOW=default gw_node gateway_local.mjs
code=$(gw_get /readyz "$KEY"); expect_status "readyz" 200 "$code"
json_check "readyz names the local backend ready" "$WORK/resp.json" "d['backends']=={'local':'ready'}"
ADMIN_A=$(user_key "$WORK/a" sam admin)
AIRLOCK_ADMIN_KEY=$ADMIN_A "$AIRLOCK" check --live "$BASE" -f json -o "$WORK/live-a.json" >/dev/null 2>&1
json_check "check --live: an unpinned --model fails AL-LIVE-007" "$WORK/live-a.json" \
  "any(r['control']=='AL-LIVE-007' and r['outcome']=='fail' and 'unpinned' in r['message'] for r in d['results'])"
stop_serve

head -c 4096 "$MODEL" > "$WORK/truncated.gguf"
"$AIRLOCK" serve --model "$WORK/truncated.gguf" --listen 127.0.0.1:0 >/dev/null 2>"$WORK/trunc.err"
expect_rc "a truncated --model refuses to start" 2 $?
expect_contains "the refusal names the file" "$WORK/trunc.err" "truncated.gguf"

# --- 2. no --model: the first ./models/*.gguf ---
mkdir -p "$WORK/b/models"
cp "$MODEL" "$WORK/b/models/b.gguf"
KEY=$(user_key "$WORK/b" bob)
serve_in "$WORK/b"
code=$(gw_post /v1/chat/completions "$KEY" "$CHAT"); expect_status "a model under ./models/ serves" 200 "$code"
stop_serve

# --- 3. no model anywhere: chat 503 saying how, scanning works ---
mkdir -p "$WORK/c"
KEY=$(user_key "$WORK/c" carol)
serve_in "$WORK/c"
code=$(gw_post /v1/chat/completions "$KEY" "$CHAT"); expect_status "no model: chat is refused" 503 "$code"
json_check "no model: the message says how to add one" "$WORK/resp.json" \
  "d['error']['code']=='no_model' and 'airlock serve --model FILE' in d['error']['message'] and 'models/' in d['error']['message']"
code=$(gw_post /v1/airlock/scan "$KEY" '{"text":"mail max.mustermann@example.com"}'); expect_status "no model: scanning works" 200 "$code"
json_check "no model: scan finds the e-mail address" "$WORK/resp.json" "d['counts'].get('EMAIL_ADDRESS',0)==1"
code=$(gw_get /readyz "$KEY"); json_check "no model: readyz says so" "$WORK/resp.json" "d['backends']=={'local':'no_model'}"
stop_serve

# --- 4. a config: pin enforced, local never reaches the cloud, health ---
gw_start_provider
gw_start_mute
UP="http://127.0.0.1:$PROVIDER_PORT/v1"
local_config() {  # PIN
  cat <<YAML
store: {path: $STORE}
backends:
  - {name: local, type: local, model_file: "$MODEL", sha256: "$1", threads: 1, context: 256, parallel: 2, memory_budget: 1GiB}
  - {name: eu-echo, type: remote, url: "$UP", model: echo, jurisdiction: DE, health_interval_ms: 200}
  - {name: us-echo, type: remote, url: "$UP", model: echo, jurisdiction: US, health_interval_ms: 200}
  - {name: eu-down, type: remote, url: "http://127.0.0.1:9/v1", model: echo, jurisdiction: DE, health_interval_ms: 200, connect_timeout_ms: 500}
  - {name: eu-mute, type: remote, url: "http://127.0.0.1:$MUTE_PORT/v1", model: echo, jurisdiction: DE, health_interval_ms: 200, health_timeout_ms: 300}
workflows:
  - {name: local-only, roles: [sales], backends: [local], default_action: allow}
  - {name: us-then-local, roles: [sales], backends: [us-echo, local], reroute: true, default_action: allow}
  - {name: down-then-eu, roles: [sales], backends: [eu-down, eu-echo], default_action: pseudonymise}
  - {name: down-then-us, roles: [sales], backends: [eu-down, us-echo], default_action: pseudonymise}
YAML
}
local_config "$(printf '0%.0s' {1..64})" > "$WORK/badpin.yaml"
"$AIRLOCK" serve --config "$WORK/badpin.yaml" --listen 127.0.0.1:0 >/dev/null 2>"$WORK/badpin.err"
expect_rc "a wrong sha256 pin refuses to start" 2 $?
expect_contains "the refusal names the file and the mismatch" "$WORK/badpin.err" "tiny.gguf: SHA-256 mismatch"
expect_contains "the refusal shows the actual hash" "$WORK/badpin.err" "$PIN"
local_config "$PIN" > "$WORK/airlock.yaml"
KEY=$(gw_key sam sales DE)
serve_in "$WORK" --config "$WORK/airlock.yaml"
expect_contains "the right pin is verified" "$WORK/serve.log" "sha256 pin verified"
PII='Summarise the account of Max Mustermann, max.mustermann@example.com, IBAN DE89 3704 0044 0532 0130 00.'
body() { printf '{"model":"%s","messages":[{"role":"user","content":"%s"}],"max_tokens":3,"temperature":0%s}' "$1" "$PII" "${2:-}"; }
code=$(gw_post /v1/chat/completions "$KEY" "$(body local-only)"); expect_status "local-only workflow answers" 200 "$code"
code=$(gw_post /v1/chat/completions "$KEY" "$(body local-only ',"stream":true')"); expect_status "local-only streamed" 200 "$code"
code=$(gw_post /v1/chat/completions "$KEY" "$(body us-then-local)"); expect_status "EU data for a US backend rerouted to local" 200 "$code"
if [ "$(recorded_count)" -eq 0 ]; then pass "nothing routed to local reached the cloud"; else fail "the cloud got $(recorded_count) requests"; fi
gw_audit > "$WORK/audit.txt"
served=$(python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) for e in [json.loads(l)] if e["kind"] == "request" and e["backend"] == "local" and e["decision"] in ("allow", "pseudonymise", "redact", "route_local")))' "$WORK/audit.txt")
if [ "$served" -eq 3 ]; then pass "audit: three requests served by local"; else fail "audit: $served requests served by local"; cat "$WORK/audit.txt"; fi
ADMIN=$(gw_key sam admin DE)
AIRLOCK_ADMIN_KEY=$ADMIN "$AIRLOCK" check --config "$WORK/airlock.yaml" --live "$BASE" -f json -o "$WORK/live.json" >/dev/null 2>&1
json_check "check --live: the served model matches its pin (AL-LIVE-007)" "$WORK/live.json" \
  "any(r['control']=='AL-LIVE-007' and r['outcome']=='pass' for r in d['results'])"
code=$(gw_get /admin/v1/status "$ADMIN"); expect_status "admin status" 200 "$code"
json_check "admin status names the pinned model" "$WORK/resp.json" \
  "any(m['backend']=='local' and m['file'].endswith('tiny.gguf') and m['pinned_sha256']==m['served_sha256']=='$PIN' for m in d['models'])"

# Health: eu-down (refuses connections) and eu-mute (accepts, never answers:
# its probes time out) are probed unhealthy; eu-down's workflow moves to
# eu-echo, never to us-echo.
for _ in $(seq 1 50); do
  gw_get /readyz "$KEY" >/dev/null
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); b=d['backends']; sys.exit(0 if b.get('eu-down')==b.get('eu-mute')=='unhealthy' and b.get('eu-echo')=='healthy' else 1)" "$WORK/resp.json" && break
  sleep 0.1
done
json_check "readyz reports per-backend health" "$WORK/resp.json" \
  "d['backends']=={'local':'ready','eu-echo':'healthy','us-echo':'healthy','eu-down':'unhealthy','eu-mute':'unhealthy'} and d['status']=='ready'"
expect_contains "a probe that gets no answer times out" "$WORK/serve.log" "backend eu-mute is unhealthy: backend eu-mute: probe timed out"
code=$(gw_post /v1/chat/completions "$KEY" "$(body down-then-eu)"); expect_status "unhealthy backend skipped for an allowed one" 200 "$code"
if [ "$(recorded_count)" -eq 1 ]; then pass "the request went to eu-echo"; else fail "cloud requests: $(recorded_count)"; fi
code=$(gw_post /v1/chat/completions "$KEY" "$(body down-then-us)"); expect_status "no fallback to a non-compliant backend" 502 "$code"
if [ "$(recorded_count)" -eq 1 ]; then pass "us-echo never got EU personal data"; else fail "cloud requests: $(recorded_count)"; fi
expect_contains "health changes are logged" "$WORK/serve.log" "backend eu-down is unhealthy"
stop_serve

# --- 5. detection timeout: 503, nothing forwarded ---
cat > "$WORK/timeout.yaml" <<YAML
server: {max_body_bytes: 8388608}
store: {path: $STORE}
detection: {timeout_ms: 1}
backends:
  - {name: eu-echo, type: remote, url: "$UP", model: echo, jurisdiction: DE}
workflows:
  - {name: crm, roles: [sales], backends: [eu-echo], default_action: pseudonymise}
YAML
serve_in "$WORK" --config "$WORK/timeout.yaml"
before=$(recorded_count)
python3 -c "
import json
text = ('Max Mustermann wrote to max.mustermann@example.com about the invoice. ' * 60000)
print(json.dumps({'model': 'crm', 'messages': [{'role': 'user', 'content': text}]}))" > "$WORK/big.json"
code=$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  --data-binary "@$WORK/big.json" "$BASE/v1/chat/completions")
expect_status "scanning past detection.timeout_ms fails closed" 503 "$code"
json_check "the timeout error says so" "$WORK/resp.json" \
  "d['error']['code']=='detection_timeout' and 'did not finish within 1 ms' in d['error']['message']"
if [ "$(recorded_count)" -eq "$before" ]; then pass "nothing was forwarded"; else fail "the cloud got the request"; fi
stop_serve

# --- 6. a client that leaves a non-streamed local call frees the engine ---
# One slot (parallel: 1) and a model slow enough that a long answer takes a
# few seconds. The first call runs to its end and calibrates; the second is
# abandoned by its client after 0.5 s; the engine stops it, so the third
# (2 tokens) does not wait for the abandoned one's remaining time.
"$MKMODEL" "$WORK/slow.gguf" --embd 256 --layers 4 --ctx 4096 --template "$CHATML" >/dev/null
mkdir -p "$WORK/f"
cat > "$WORK/f/airlock.yaml" <<YAML
store: {path: $WORK/f/var/airlock.db}
audit: {store: "sqlite:$WORK/f/var/audit.db"}
backends:
  - {name: local, type: local, model_file: $WORK/slow.gguf, sha256: $(sha256sum "$WORK/slow.gguf" | cut -d' ' -f1), parallel: 1, context: 4096, threads: 1}
workflows:
  - {name: w, roles: [user], backends: [local], default_action: redact}
YAML
KEY=$(user_key "$WORK/f" fay)
serve_in "$WORK/f" --config "$WORK/f/airlock.yaml"
LONG='{"model":"w","messages":[{"role":"user","content":"hello"}],"max_tokens":1500,"temperature":0}'
SHORT='{"model":"w","messages":[{"role":"user","content":"hi"}],"max_tokens":2,"temperature":0}'
full=$(curl -s -o "$WORK/resp.json" -w '%{time_total}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  --data-binary "$LONG" "$BASE/v1/chat/completions")
json_check "the long answer ran to max_tokens" "$WORK/resp.json" "d['usage']['completion_tokens']==1500"
curl -s -o /dev/null --max-time 0.5 -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  --data-binary "$LONG" "$BASE/v1/chat/completions"
next=$(curl -s -o "$WORK/resp.json" -w '%{time_total}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  --data-binary "$SHORT" "$BASE/v1/chat/completions")
json_check "the next call is answered" "$WORK/resp.json" "d['usage']['completion_tokens']==2"
cp "$WORK/resp.json" "$WORK/f/short.json"  # as received
curl -s -N -o "$WORK/f/stream.txt" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  --data-binary "${SHORT%\}},\"stream\":true}" "$BASE/v1/chat/completions"
expect_contains "a streamed call is answered" "$WORK/f/stream.txt" "data: [DONE]"
if python3 -c "import sys; sys.exit(0 if float('$next') < float('$full') / 3 else 1)"; then
  pass "the abandoned call freed the slot (next call ${next}s, a whole long call ${full}s)"
else
  fail "the next call waited ${next}s (a whole long call takes ${full}s): the abandoned call ran on"
fi
sleep 0.3
"$AIRLOCK" audit tail -n 10 --format jsonl --store "sqlite:$WORK/f/var/audit.db" > "$WORK/f/events.jsonl"
json_lines_check() { python3 -c "import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if $2 else 1)" "$1"; }
if json_lines_check "$WORK/f/events.jsonl" \
  "any(r['kind']=='completion' and r['status']==499 and r['reasons']==['client_disconnected'] and r['completion_tokens']==0 for r in rows)"; then
  pass "the abandoned call is audited as client_disconnected (499)"
else
  fail "no client_disconnected completion event"; cat "$WORK/f/events.jsonl"
fi
# Completion events carry the answer's size (bytes sent to the client).
plain_bytes=$(wc -c < "$WORK/f/short.json")
stream_bytes=$(wc -c < "$WORK/f/stream.txt")
if json_lines_check "$WORK/f/events.jsonl" \
  "[r['response_bytes'] for r in rows if r['kind']=='completion'][-3:] == [0, $plain_bytes, $stream_bytes]"; then
  pass "completion events record the answer's size ($plain_bytes bytes, $stream_bytes streamed)"
else
  fail "response_bytes are not the answers' sizes ($plain_bytes, $stream_bytes)"; cat "$WORK/f/events.jsonl"
fi
stop_serve
finish
