#!/usr/bin/env bash
# Alert state survives a restart (alerts.warm_start): a burst of blocked
# requests split by a restart still raises one alert, the alert is not
# raised again after the next restart (its cool-down holds), and a
# backend used before the restart is not reported as new; with
# `warm_start: off` the same split burst goes unnoticed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
write_config() {
  gw_config > "$WORK/airlock.yaml"
  cat >> "$WORK/airlock.yaml" <<YAML
audit:
  instance: gw-warm
alerts:
  rules:
    - {name: blocked-burst, type: threshold, metric: blocked_requests, per: principal, window: 10m, count: 3}
    - {name: new-backend, type: first_backend_use, known: [local]}
  sinks:
    - {type: jsonl, path: $WORK/alerts.jsonl}
$1
YAML
}
restart() { kill -TERM $SERVE_PID; wait $SERVE_PID; gw_start; }
count_alerts() { python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)['rule']==sys.argv[2]))" "$WORK/alerts.jsonl" "$1" 2>/dev/null || echo 0; }
wait_alerts() { for _ in $(seq 1 30); do [ "$(count_alerts "$1")" -ge "$2" ] && return; sleep 0.1; done; }
TOKEN='{"model":"crm-assist","messages":[{"role":"user","content":"token ghp_16C7e42F292c6912E7710c838347Ae178B4a"}]}'
HELLO='{"model":"crm-assist","messages":[{"role":"user","content":"Summarise the open cases."}]}'

write_config ""
SALES=$(gw_key alice sales DE)
gw_start
expect_status "a forwarded request (first use of eu-echo)" 200 "$(gw_post /v1/chat/completions "$SALES" "$HELLO")"
wait_alerts new-backend 1
for i in 1 2; do expect_status "blocked request $i" 403 "$(gw_post /v1/chat/completions "$SALES" "$TOKEN")"; done
sleep 0.5
[ "$(count_alerts blocked-burst)" = 0 ] && pass "two blocked requests: below the threshold" || fail "alert below the threshold"

restart
grep -Eq 'alerts: warm start replayed ([3-9]|[1-9][0-9]+) events of the last 600s \(alerts due in them, not raised again: 1\)' "$WORK/serve.log" \
  && pass "the log says what was replayed (the longest window) and that the first-use alert was due" || { fail "no warm start line"; cat "$WORK/serve.log"; }
expect_status "third blocked request, after the restart" 403 "$(gw_post /v1/chat/completions "$SALES" "$TOKEN")"
wait_alerts blocked-burst 1
[ "$(count_alerts blocked-burst)" = 1 ] && pass "the burst split by a restart raised its alert" || fail "no burst alert after the restart"
python3 -c "
import json; a=[json.loads(l) for l in open('$WORK/alerts.jsonl') if json.loads(l)['rule']=='blocked-burst'][0]
assert a['count']==3 and len(a['events'])==3 and all(e.startswith('gw-warm:') for e in a['events']), a" \
  && pass "the alert names the events from before and after the restart" || fail "alert events"
expect_status "eu-echo again" 200 "$(gw_post /v1/chat/completions "$SALES" "$HELLO")"

restart
expect_contains "replayed after the second restart: the burst and first-use alerts were due" "$WORK/serve.log" "(alerts due in them, not raised again: 2)"
expect_status "a fourth blocked request" 403 "$(gw_post /v1/chat/completions "$SALES" "$TOKEN")"
expect_status "eu-echo once more" 200 "$(gw_post /v1/chat/completions "$SALES" "$HELLO")"
sleep 0.5
[ "$(count_alerts blocked-burst)" = 1 ] && pass "no second burst alert inside the cool-down" || fail "burst alert raised again after a restart"
[ "$(count_alerts new-backend)" = 1 ] && pass "eu-echo is not new after restarts" || fail "first-backend alert repeated after a restart"

expect_not_contains "alerts carry no token" "$WORK/alerts.jsonl" "ghp_16C7"

# The same split burst with warm_start off: unnoticed (what the option changes).
kill -TERM $SERVE_PID; wait $SERVE_PID
rm -f "$WORK/alerts.jsonl"
write_config "  warm_start: off"
sed -i 's/instance: gw-warm/instance: gw-cold/' "$WORK/airlock.yaml"
gw_start
for i in 1 2; do gw_post /v1/chat/completions "$SALES" "$TOKEN" >/dev/null; done
restart
expect_not_contains "no warm start when off" "$WORK/serve.log" "warm start"
gw_post /v1/chat/completions "$SALES" "$TOKEN" >/dev/null
sleep 0.5
[ "$(count_alerts blocked-burst)" = 0 ] && pass "warm_start: off forgets the burst at a restart" || fail "alert without warm start"
finish
