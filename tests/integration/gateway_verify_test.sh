#!/usr/bin/env bash
# Background verification of the audit trail: rounds that read only what
# was appended since the round before, and a whole round at most every
# audit.full_verify_every_seconds, which finds a change to an old event
# (raised as a chain_failure alert).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
gw_config > "$WORK/airlock.yaml"
cat >> "$WORK/airlock.yaml" <<YAML
audit:
  checkpoint_every: 5
  verify_every_seconds: 1
  full_verify_every_seconds: 4
alerts:
  rules:
    - {name: chain, type: chain_failure, severity: critical}
  sinks:
    - {type: jsonl, path: $WORK/alerts.jsonl}
YAML
SALES=$(gw_key alice sales DE)
gw_start

# wait_log PATTERN SECONDS: until the serve log has PATTERN.
wait_log() {
  for _ in $(seq 1 $(($2 * 10))); do grep -q "$1" "$WORK/serve.log" && return 0; sleep 0.1; done
  return 1
}
count_log() { grep -c "$1" "$WORK/serve.log"; }
json_lines_check() { python3 -c "import json,sys; a=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if ($2) else 1)" "$WORK/alerts.jsonl"; }

CHAT='{"model":"crm-assist","messages":[{"role":"user","content":"Call Erika Mustermann, erika.mustermann@example.de"}]}'
for i in 1 2 3; do expect_status "chat $i" 200 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"; done
wait_log "audit chain verified (whole round)" 10 && pass "a whole round first" || fail "no whole round"
wait_log "audit chain verified (appended round)" 10 && pass "then rounds over what was appended" || fail "no appended round"
expect_status "chat after the first rounds" 200 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"
sleep 1.5
python3 - "$WORK/serve.log" <<'PY' && pass "an appended round counts every event, the ones verified before too" || fail "appended round counts"
import re, sys
counts = [int(m.group(1)) for m in re.finditer(r"\(appended round\): (\d+) events", open(sys.argv[1]).read())]
assert counts and counts[-1] >= 9, counts  # started + 4 x (request, completion)
PY
expect_not_contains "no chain problem so far" "$WORK/serve.log" "AUDIT CHAIN PROBLEM"

# Someone with write access edits an old event: the appended rounds do not
# read it again; the next whole round (at most 4 s after the last) names it.
whole_before=$(count_log "(whole round)")
sqlite3 "$WORK/var/audit.db" "UPDATE audit_events SET principal = 'mallory' WHERE seq = 2"
wait_log "AUDIT CHAIN PROBLEM: .*:2 modified" 12 && pass "a whole round names the edited event" || fail "the edited event was not named"
for _ in $(seq 1 30); do grep -q chain_failure "$WORK/alerts.jsonl" 2>/dev/null && break; sleep 0.1; done
json_lines_check x "any(x['type']=='chain_failure' and x['detail']=='modified' for x in a)" && pass "chain failure alert" || fail "no chain failure alert"
grep -q "mallory" "$WORK/alerts.jsonl" && fail "the alert carries the edited value" || pass "the alert names the event, not its contents"
[ "$(count_log "(whole round)")" -eq "$whole_before" ] && pass "found by the whole round after the edit (it reports a problem, not success)" \
  || fail "a whole round after the edit reported success"

finish
