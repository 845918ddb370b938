#!/usr/bin/env bash
# Two gateway instances share one PostgreSQL audit trail (each its own
# chain), under load from parallel clients; instance A is killed with
# SIGKILL mid-load and restarted, three times. After each kill: every chain
# in the trail verifies, and every request that got a 2xx answer (its
# X-Request-Id) has its committed event. Run through scripts/with-postgres.sh
# (AIRLOCK_TEST_PG_URL); without it, the same runs on a shared SQLite file.
#   gateway_pg_crash.sh path/to/airlock
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

if [ -n "${AIRLOCK_TEST_PG_URL:-}" ]; then
  export AUDIT_URL="$AIRLOCK_TEST_PG_URL"
  echo "# audit store: postgresql"
else
  export AUDIT_URL="sqlite:$WORK/shared-audit.db"
  echo "# audit store: sqlite (no AIRLOCK_TEST_PG_URL)"
fi
"$AIRLOCK" audit keygen --signing-key "$WORK/sign.pem" --public-key "$WORK/sign.pub" >/dev/null

gw_start_provider
for inst in a b; do
  mkdir -p "$WORK/$inst"
  gw_config | sed "s#path: $STORE#path: $WORK/$inst/airlock.db#" > "$WORK/$inst.yaml"
  printf 'audit:\n  store: {env: AUDIT_URL}\n  instance: gw-%s\n  signing_key: %s\n  checkpoint_every: 50\n' \
    "$inst" "$WORK/sign.pem" >> "$WORK/$inst.yaml"
  "$AIRLOCK" keys create --store "$WORK/$inst/airlock.db" --principal "load-$inst" --role sales --jurisdiction DE \
    > "$WORK/$inst.key" 2>/dev/null
done

# serve --check reaches the shared audit store and loads the signing key
# (without creating anything).
"$AIRLOCK" serve --config "$WORK/a.yaml" --check > "$WORK/check.out" 2> "$WORK/check.err"
expect_rc "serve --check on the shared trail" 0 $?
if [ -n "${AIRLOCK_TEST_PG_URL:-}" ]; then
  expect_contains "the PostgreSQL store is reachable" "$WORK/check.out" "(reachable), signing key $WORK/sign.pem"
else
  expect_contains "the SQLite trail would be created" "$WORK/check.out" "shared-audit.db (will be created), signing key $WORK/sign.pem"
fi

# start INSTANCE: airlock serve in the background; sets PID_<inst> and PORT_<inst>
start() {
  local inst=$1 log="$WORK/$1.log"
  : > "$log"
  "$AIRLOCK" serve --config "$WORK/$inst.yaml" --listen 127.0.0.1:0 2>"$log" &
  local pid=$!
  GW_PIDS+=($pid)
  for _ in $(seq 1 600); do grep -q "listening on" "$log" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  local port
  port=$(grep -Eo 'listening on http://[0-9.]*:[0-9]*' "$log" | sed 's/.*://')
  [ -n "$port" ] || { echo "instance $inst did not start:"; cat "$log"; exit 1; }
  eval "PID_$inst=$pid PORT_$inst=$port"
}

# load INSTANCE SECONDS: 4 clients; the request id of every 2xx goes to acked.txt
load() {
  local inst=$1 secs=$2 port key
  port=$(eval echo "\$PORT_$inst")
  key=$(cat "$WORK/$inst.key")
  local body='{"model":"crm-assist","messages":[{"role":"user","content":"Erika Mustermann, erika.mustermann@example.de, IBAN DE89 3704 0044 0532 0130 00"}]}'
  for c in 1 2 3 4; do
    (
      end=$((SECONDS + secs))
      while [ $SECONDS -lt $end ]; do
        h=$(curl -s -m 5 -o /dev/null -D - -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
          --data-binary "$body" "http://127.0.0.1:$port/v1/chat/completions" 2>/dev/null | tr -d '\r')
        if echo "$h" | head -1 | grep -q ' 200'; then
          echo "$h" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: //p' >> "$WORK/acked.$inst.$c"
        fi
      done
    ) &
    LOADERS+=($!)
  done
}
LOADERS=()

: > "$WORK/acked.txt"
start a
start b
for round in 1 2 3; do
  load a 3
  load b 3
  sleep "1.$((RANDOM % 5))"
  kill -9 "$PID_a"
  wait "$PID_a" 2>/dev/null
  wait "${LOADERS[@]}"  # the clients finish (those to A fail fast now)
  LOADERS=()
  cat "$WORK"/acked.*.* >> "$WORK/acked.txt" 2>/dev/null; rm -f "$WORK"/acked.*.*
  "$AIRLOCK" audit verify --store "$AUDIT_URL" --signing-key "$WORK/sign.pub" > "$WORK/verify.txt" 2>&1
  expect_rc "round $round: every chain verifies after kill -9 of gw-a" 0 $?
  expect_contains "round $round: both chains in the trail" "$WORK/verify.txt" "gw-b"
  "$AIRLOCK" audit tail -n 10000000 --format jsonl --store "$AUDIT_URL" 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    e = json.loads(l)
    if e["kind"] == "request": print(e["request_id"])' | sort -u > "$WORK/stored.txt"
  sort -u "$WORK/acked.txt" > "$WORK/acked.sorted"
  acked=$(wc -l < "$WORK/acked.sorted")
  missing=$(comm -23 "$WORK/acked.sorted" "$WORK/stored.txt" | wc -l)
  if [ "$acked" -gt 0 ] && [ "$missing" -eq 0 ]; then
    pass "round $round: all $acked answered requests have their event"
  else
    fail "round $round: $missing of $acked answered requests have no event"
  fi
  start a
done
kill -TERM "$PID_a" "$PID_b"; wait "$PID_a" "$PID_b" 2>/dev/null
"$AIRLOCK" audit verify --store "$AUDIT_URL" --signing-key "$WORK/sign.pub" > "$WORK/verify.txt" 2>&1
expect_rc "after a clean stop the trail verifies" 0 $?
expect_contains "gw-a's chain continued across restarts" "$WORK/verify.txt" "gw-a"
finish
