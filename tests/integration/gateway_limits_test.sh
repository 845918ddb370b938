#!/usr/bin/env bash
# Limits and lifecycle: per-principal token bucket (429 + Retry-After) and
# concurrency, header limit, slow clients cut off, client disconnect
# mid-stream, SIGHUP reload (a bad config keeps the old one), SIGTERM drain.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
GW_RATE=0.5 GW_BURST=3 GW_CONC=1 gw_config > "$WORK/airlock.yaml"
KEY=$(gw_key alice sales DE)
OTHER=$(gw_key olga sales DE)
gw_start
CHAT='{"model":"crm-assist","messages":[{"role":"user","content":"hello"}]}'

# ---- token bucket: burst 3, then 429 with Retry-After
codes=""
for i in 1 2 3 4; do codes="$codes $(gw_post /v1/chat/completions "$KEY" "$CHAT" -D "$WORK/h$i.txt")"; done
if [ "$codes" = " 200 200 200 429" ]; then pass "token bucket: burst then 429"; else fail "token bucket codes:$codes"; fi
json_check "429 in error shape" "$WORK/resp.json" "d['error']['code']=='rate_limited' and d['error']['type']=='rate_limit_error'"
if grep -qi '^Retry-After: [1-9]' "$WORK/h4.txt"; then pass "429 carries Retry-After"; else fail "no Retry-After"; cat "$WORK/h4.txt"; fi
expect_status "another principal has its own bucket" 200 "$(gw_post /v1/chat/completions "$OTHER" "$CHAT")"

# ---- per-principal concurrency (max 1): a slow stream holds the slot
SLOW='{"model":"slow-stream","stream":true,"messages":[{"role":"user","content":"a fairly long message so that the stream takes a while"}]}'
curl -s -N -H "Authorization: Bearer $OTHER" --data-binary "$SLOW" "$BASE/v1/chat/completions" > "$WORK/slow1.txt" &
CURL=$!
sleep 0.4
expect_status "second concurrent request of one principal" 429 "$(gw_post /v1/chat/completions "$OTHER" "$CHAT")"
wait $CURL
expect_contains "the slow stream completed" "$WORK/slow1.txt" "data: [DONE]"

# ---- client disconnect mid-stream: the gateway notices and keeps serving
sleep 2  # refill
curl -s -N --max-time 0.5 -H "Authorization: Bearer $OTHER" --data-binary "$SLOW" "$BASE/v1/chat/completions" > /dev/null
sleep 1.5
expect_status "serving after a client disconnect" 200 "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' "$BASE/healthz")"
if gw_audit | grep -q '"client_disconnected"'; then
  pass "disconnect recorded as client_disconnected"; else fail "no client_disconnected outcome"; gw_audit | tail -5; fi

# ---- client gone during a remote call: the upstream call is cancelled (its
# connection closes), not run to its end for nobody. The stand-in holds its
# answer up to 8 s and writes what it saw to $RECORD.hold.
abandon_held_call() {  # NAME BODY: the client gives up after 0.5 s
  : > "$RECORD.hold"
  curl -s -N --max-time 0.5 -H "Authorization: Bearer $OTHER" --data-binary "$2" "$BASE/v1/chat/completions" > /dev/null
  for _ in $(seq 1 100); do [ -s "$RECORD.hold" ] && break; sleep 0.1; done
  if python3 -c "import sys; v=open(sys.argv[1]).read().split(); sys.exit(0 if v[:1]==['closed'] and float(v[1]) < 2.5 else 1)" "$RECORD.hold" 2>/dev/null; then
    pass "$1: the upstream connection closed soon after the client left ($(cat "$RECORD.hold"))"
  else
    fail "$1: the upstream call went on after the client left: $(cat "$RECORD.hold" 2>/dev/null)"
  fi
  sleep 0.3
}
held_499s() {
  gw_audit | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(sum(r.get('kind') == 'completion' and r.get('status') == 499 and r.get('backend') == 'eu-hold'
          and r.get('reasons') == ['client_disconnected'] for r in rows))"
}
abandon_held_call "non-streamed" '{"model":"upstream-hold","messages":[{"role":"user","content":"hello"}]}'
n499=$(held_499s)
if [ "$n499" = 1 ]; then pass "the cancelled call is audited as client_disconnected (499)"; else fail "eu-hold 499 completions: $n499"; fi
expect_status "the backend is still healthy after the cancelled call" 200 \
  "$(gw_post /v1/chat/completions "$OTHER" '{"model":"crm-assist","messages":[{"role":"user","content":"hello"}]}')"
# a stream whose first event has not come yet (a model that thinks long first)
abandon_held_call "stream before its first event" \
  '{"model":"upstream-hold","stream":true,"messages":[{"role":"user","content":"hello"}]}'
n499=$(held_499s)
if [ "$n499" = 2 ]; then pass "the cancelled stream is audited as client_disconnected (499)"; else fail "eu-hold 499 completions: $n499"; fi

# ---- header limit and slow clients
expect_status "headers over the limit" 431 "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$BASE/healthz")"
python3 - "$PORT" > "$WORK/slow.txt" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")   # never finishes
s.settimeout(6)
t = time.time()
try:
    data = s.recv(100)
except socket.timeout:
    data = b"still open"
print("closed" if data == b"" else data.decode(errors="replace"), round(time.time() - t))
PY
expect_contains "slow client cut off after read_timeout_ms" "$WORK/slow.txt" "closed"

# ---- SIGHUP reload
gw_config > "$WORK/airlock.yaml"
cat >> "$WORK/airlock.yaml" <<'YAML'
  - {name: added-later, roles: [sales], backends: [eu-echo], default_action: pseudonymise}
YAML
kill -HUP $SERVE_PID
for _ in $(seq 1 50); do grep -q "reloaded" "$WORK/serve.log" && break; sleep 0.1; done
gw_get /v1/models "$KEY" >/dev/null
json_check "reload adds the new workflow" "$WORK/resp.json" "'added-later' in [m['id'] for m in d['data']]"
echo "workflows: [{name: broken" > "$WORK/airlock.yaml"
kill -HUP $SERVE_PID
for _ in $(seq 1 50); do grep -q "reload rejected" "$WORK/serve.log" && break; sleep 0.1; done
expect_contains "invalid config rejected with its reason" "$WORK/serve.log" "reload rejected, keeping the running config: $WORK/airlock.yaml:"
gw_get /v1/models "$KEY" >/dev/null
json_check "old config keeps serving" "$WORK/resp.json" "'added-later' in [m['id'] for m in d['data']]"

# ---- SIGTERM drains in-flight requests
sleep 2
curl -s -N -H "Authorization: Bearer $KEY" --data-binary "$SLOW" "$BASE/v1/chat/completions" > "$WORK/drain.txt" &
CURL=$!
sleep 0.4
kill -TERM $SERVE_PID
wait $SERVE_PID
expect_rc "SIGTERM exits 0 after draining" 0 $?
wait $CURL
expect_contains "in-flight stream finished during drain" "$WORK/drain.txt" "data: [DONE]"
expect_contains "drain logged" "$WORK/serve.log" "draining 1 in-flight"
finish
