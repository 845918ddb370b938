#!/usr/bin/env bash
# Admin calls that read the audit trail (events, stats, chain) and the
# background verification (audit.verify_every_seconds) run off the I/O
# threads. With a single I/O thread and the trail's table locked in
# PostgreSQL (so that a trail read waits for the lock), /healthz,
# /admin/v1/status and the lockdown state still answer at once; the waiting
# reads answer once the lock is released. (Model calls and scans wait too:
# their audit event must be committed first.) Before, a read held the only
# I/O thread and every other request waited for it.
# Runs itself through scripts/with-postgres.sh.
#   gateway_admin_reads_test.sh path/to/airlock
if [ -z "${AIRLOCK_TEST_PG_URL:-}" ]; then
  SRC=${AIRLOCK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
  exec bash "$SRC/scripts/with-postgres.sh" bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"
psql_run() { "$AIRLOCK_TEST_PSQL" -q -X -v ON_ERROR_STOP=1 "$AIRLOCK_TEST_PG_URL" "$@"; }

export AUDIT_URL="$AIRLOCK_TEST_PG_URL"
gw_start_provider
gw_config | sed 's/^server:$/server:\n  threads: 1/' > "$WORK/airlock.yaml"
printf 'admin:\n  roles: [secops]\naudit:\n  store: {env: AUDIT_URL}\n  instance: gw-reads\n  verify_every_seconds: 1\n' \
  >> "$WORK/airlock.yaml"
ADMIN=$(gw_key sam secops DE)
SALES=$(gw_key alice sales DE)
gw_start
grep -q 'threads: 1' "$WORK/airlock.yaml" || fail "the config does not set one I/O thread"

CHAT='{"model":"crm-assist","messages":[{"role":"user","content":"Call Erika Mustermann, erika.mustermann@example.de"}]}'
for i in 1 2 3; do expect_status "chat $i before the lock" 200 "$(gw_post /v1/chat/completions "$SALES" "$CHAT")"; done
expect_status "events before the lock" 200 "$(gw_get '/admin/v1/events?limit=2' "$ADMIN")"
json_check "the newest two events, oldest first" "$WORK/resp.json" \
  "len(d['data']) == 2 and d['data'][0]['time_us'] <= d['data'][1]['time_us']"

# Lock the trail's table for a few seconds (a long transaction elsewhere, a
# VACUUM FULL, a backup): the reads below wait for it.
psql_run -c "BEGIN; LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;" \
  > "$WORK/lock.out" 2>&1 &
LOCK_PID=$!
for _ in $(seq 1 100); do
  held=$(psql_run -t -A -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                            WHERE c.relname = 'audit_events' AND l.mode = 'AccessExclusiveLock' AND l.granted")
  [ "$held" = 1 ] && break
  sleep 0.05
done
[ "$held" = 1 ] && pass "the trail's table is locked" || fail "the lock was not taken"
LOCKED_AT=$(date +%s.%N)

curl -s -o "$WORK/events.json" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
  "$BASE/admin/v1/events?limit=5" > "$WORK/events.code" &
EVENTS_PID=$!
curl -s -o "$WORK/chain.json" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
  "$BASE/admin/v1/chain" > "$WORK/chain.code" &
CHAIN_PID=$!
sleep 1.5  # the background verification (every second) now waits for the lock too
kill -0 $EVENTS_PID 2>/dev/null && pass "the events call waits for the lock" || fail "the events call did not wait for the lock"

# Meanwhile the one I/O thread serves the calls that do not need the trail.
expect_status "/healthz while a trail read waits" 200 "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' --max-time 2 "$BASE/healthz")"
expect_status "status while a trail read waits" 200 "$(gw_get /admin/v1/status "$ADMIN" --max-time 2)"
expect_status "lockdown state while a trail read waits" 200 "$(gw_get /admin/v1/lockdown "$ADMIN" --max-time 2)"
ANSWERED_AT=$(date +%s.%N)
if python3 -c "import sys; sys.exit(0 if float('$ANSWERED_AT') - float('$LOCKED_AT') < 5 else 1)"; then
  pass "the other calls answered while the lock was held"
else
  fail "the other calls took until the lock was released"
fi
kill -0 $EVENTS_PID 2>/dev/null && pass "the events call is still waiting" || fail "the events call did not wait"

wait $EVENTS_PID $CHAIN_PID
wait $LOCK_PID
expect_status "events once the lock is gone" 200 "$(cat "$WORK/events.code")"
cp "$WORK/events.json" "$WORK/resp.json"
json_check "five events, oldest first, the newest last" "$WORK/resp.json" \
  "len(d['data']) == 5 and all(a['time_us'] <= b['time_us'] for a, b in zip(d['data'], d['data'][1:]))"
expect_status "chain once the lock is gone" 200 "$(cat "$WORK/chain.code")"
cp "$WORK/chain.json" "$WORK/resp.json"
json_check "the chain verifies" "$WORK/resp.json" "d['ok'] is True"

finish
