#!/usr/bin/env bash
# Crash test: a child process appends to a SQLite trail (or to the
# PostgreSQL server named by AIRLOCK_TEST_PG_URL) from 32 threads and is
# killed with SIGKILL at a random moment, five times over. After each
# kill: the trail verifies, and every event whose Append had returned OK
# (the child acknowledges each one in a file, after the fact) is stored.
#   audit_crash.sh path/to/airlock path/to/airlock-audit-bench
source "$(dirname "$0")/lib.sh"
BENCH=${2:?usage: $0 airlock airlock-audit-bench}
cd "$WORK"
"$AIRLOCK" audit keygen --signing-key sign.pem --public-key sign.pub >/dev/null
if [ -n "${AIRLOCK_TEST_PG_URL:-}" ]; then
  STORE="$AIRLOCK_TEST_PG_URL"
  stored() { "$AIRLOCK_TEST_PSQL" -At "$AIRLOCK_TEST_PG_URL" -c "SELECT instance || ' ' || seq FROM audit_events"; }
  echo "# store: postgresql"
else
  STORE="sqlite:$WORK/crash.db"
  stored() { sqlite3 "$WORK/crash.db" "SELECT instance || ' ' || seq FROM audit_events"; }
  echo "# store: sqlite"
fi
total_prev=0
for round in 1 2 3 4 5; do
  "$BENCH" load --store "$STORE" --signing-key sign.pem --instance gw-1 --threads 32 \
    --ack-file acks.txt 2>load.err &
  pid=$!
  sleep "0.$((RANDOM % 6 + 3))"
  kill -9 $pid
  wait $pid 2>/dev/null
  "$AIRLOCK" audit verify --store "$STORE" --signing-key sign.pub >verify.out 2>&1
  expect_rc "round $round: the trail verifies after kill -9" 0 $?
  stored | sort >stored.txt
  grep -E '^gw-1 [0-9]+$' acks.txt | sort >acked.txt
  missing=$(comm -23 acked.txt stored.txt | wc -l)
  acked=$(wc -l <acked.txt)
  if [ "$missing" -eq 0 ] && [ "$acked" -gt "$total_prev" ]; then
    pass "round $round: all $acked acknowledged events are stored ($(wc -l <stored.txt) stored)"
  else
    fail "round $round: $missing of $acked acknowledged events missing (before: $total_prev)"
    head -3 load.err
  fi
  total_prev=$acked
done
grep -q "unsigned tail" verify.out && pass "verify reports the unsigned tail a crash leaves" || fail "no tail report"
finish
