#!/usr/bin/env bash
# Security-relevant CLI actions on the deployment's audit trail, with the real
# binary: keys create/revoke, sanitize, reidentify and reidentify --forget
# each leave one event (with its reason code) on the CLI's chain
# "cli-<hostname>"; no key and no restored value reaches the trail; concurrent
# CLI runs and a running gateway keep their chains intact (`audit verify`),
# a run that cannot get the CLI chain's lock within 10 s gives up (exit 2);
# a tampered CLI event is named; a trail that cannot be written stops the
# action (exit 2, no key printed, nothing written).
#
# The trail is the config's default (SQLite next to store.path, as the
# gateway's), or the PostgreSQL server named by AIRLOCK_TEST_PG_URL
# (cli_audit_pg_test.sh runs this script that way).
source "$(dirname "$0")/lib.sh"
AIRLOCK=$(realpath "$AIRLOCK")
cd "$WORK"

cat > cfg.yaml <<YAML
backends:
  - {name: eu, type: remote, url: "https://example.invalid/v1", jurisdiction: DE}
workflows:
  - {name: pseudo, roles: [data], backends: [eu], default_action: pseudonymise}
store: {path: $WORK/var/airlock.db}
YAML
python3 -c "import secrets; print(secrets.token_hex(32))" > vault.key
chmod 600 vault.key
printf 'vault:\n  key: {file: %s}\n' "$WORK/vault.key" >> cfg.yaml
if [ -n "${AIRLOCK_TEST_PG_URL:-}" ]; then
  echo "# store: postgresql"
  printf 'audit:\n  store: %s\n' "$AIRLOCK_TEST_PG_URL" >> cfg.yaml
  STORE="$AIRLOCK_TEST_PG_URL"
  sql() { "$AIRLOCK_TEST_PSQL" -q -At -v ON_ERROR_STOP=1 "$AIRLOCK_TEST_PG_URL" -c "$1"; }
  # Every stored byte of the trail, printable where it is text.
  dump_trail() { sql "SELECT encode(record, 'escape'), principal, workflow FROM audit_events"; }
else
  echo "# store: sqlite (the built-in default next to store.path)"
  STORE="sqlite:$WORK/var/audit.db"
  sql() { sqlite3 "$WORK/var/audit.db" "$1"; }
  dump_trail() { cat "$WORK"/var/audit.db*; }
fi
verify() { "$AIRLOCK" audit verify --store "$STORE" --signing-key "$WORK/var/audit-signing.pem" "$@"; }
# cli_events FILE: the CLI chain's events as JSON lines
cli_events() { "$AIRLOCK" audit tail --store "$STORE" -n 1000 --format jsonl | grep '"instance":"cli-' > "$1"; }

# ---- keys create / revoke
KEY=$("$AIRLOCK" keys create --config cfg.yaml --principal alice --role admin 2>err.txt)
expect_rc "keys create" 0 $?
if [[ "$KEY" =~ ^alk_[0-9a-f]{16}_[0-9a-f]{64}$ ]]; then pass "keys create prints the key"; else fail "keys create printed: $KEY"; fi
expect_contains "keys create names the CLI chain" err.txt "audited on cli-"
ID=${KEY:4:16}
"$AIRLOCK" keys revoke --config cfg.yaml "$ID" 2>err.txt
expect_rc "keys revoke" 0 $?
"$AIRLOCK" keys revoke --config cfg.yaml "$ID" 2>err.txt
expect_rc "revoking a revoked key changes nothing" 0 $?
expect_contains "says so" err.txt "already revoked"
"$AIRLOCK" keys revoke --config cfg.yaml 0123456789abcdef 2>err.txt
expect_rc "revoke an unknown id" 2 $?

# ---- four CLI runs at once share the chain without breaking it
pids=()
for p in p1 p2 p3 p4; do
  "$AIRLOCK" keys create --config cfg.yaml --principal "$p" --role user >"key.$p" 2>"err.$p" &
  pids+=($!)
done
rcs=""
for pid in "${pids[@]}"; do wait "$pid"; rcs="$rcs$?"; done
[ "$rcs" = 0000 ] && pass "four concurrent keys create" || { fail "concurrent keys create: $rcs"; cat err.p*; }

# ---- sanitize, reidentify, --forget
"$AIRLOCK" sanitize "$SRC/data/samples/crm_contacts.csv" --config cfg.yaml --workflow pseudo --scope rt \
  -o rt.csv 2>err.txt
expect_rc "sanitize" 0 $?
"$AIRLOCK" reidentify rt.csv --config cfg.yaml --scope rt -o back.csv 2>err.txt
expect_rc "reidentify" 0 $?
expect_contains "reidentify restored the e-mail address" back.csv "anna.schmidt@example.de"
"$AIRLOCK" sanitize "$SRC/data/samples/crm_contacts.csv" --config cfg.yaml --workflow pseudo --scope gone \
  -o gone.csv 2>/dev/null
"$AIRLOCK" reidentify --config cfg.yaml --scope gone --forget 2>err.txt
expect_rc "reidentify --forget" 0 $?

# ---- what the CLI chain holds
cli_events ev.jsonl
python3 - ev.jsonl "$ID" <<'PY' && pass "CLI events: reasons, principals, scope, counts" || fail "CLI events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
key_id = sys.argv[2]
reasons = [e["reasons"] for e in ev]
assert [r[0] for r in reasons] == ["key_created", "key_revoked"] + ["key_created"] * 4 + \
    ["sanitized", "reidentified", "sanitized", "scope_forgotten"], reasons
assert len({e["instance"] for e in ev}) == 1, "one CLI chain"
assert all(e["kind"] == "admin" and e["fingerprints"] == [] for e in ev), [e["kind"] for e in ev]
assert [e["seq"] for e in ev] == list(range(1, 11)), [e["seq"] for e in ev]
assert ev[0]["principal"] == "alice" and ev[0]["request_id"] == "key:" + key_id, ev[0]
assert ev[1]["principal"] == "alice" and ev[1]["request_id"] == "key:" + key_id, ev[1]
assert sorted(e["principal"] for e in ev[2:6]) == ["p1", "p2", "p3", "p4"]
san, rei, forgot = ev[6], ev[7], ev[9]
assert san["workflow"] == "pseudo" and san["decision"] == "pseudonymise" and san["backend"] == "vault:rt", san
assert san["request_id"] == "records:6:changed:6", san["request_id"]
by_type = {f["entity_type"]: f for f in san["findings"]}
assert by_type["EMAIL_ADDRESS"]["count"] == 6 and by_type["EMAIL_ADDRESS"]["data_class"] == "contact", by_type
assert san["principal"].startswith("os:"), san["principal"]
assert rei["request_id"] == "scope:rt" and rei["principal"] == san["principal"], rei
rtypes = {f["entity_type"]: f["count"] for f in rei["findings"]}
assert rtypes.get("EMAIL_ADDRESS") == 6, rtypes
assert forgot["request_id"] == "scope:gone" and forgot["findings"] == [], forgot
PY

# ---- no key, no value in the trail
dump_trail > trail.bytes
if grep -aqF "$KEY" trail.bytes || grep -aqF "${KEY:21}" trail.bytes; then fail "the key is in the trail"; else pass "no key in the trail"; fi
for f in key.p1 key.p2 key.p3 key.p4; do
  secret=$(cut -c22- "$f")
  if [ -n "$secret" ] && grep -aqF "$secret" trail.bytes; then fail "key secret of $f in the trail"; fi
done
for v in "anna.schmidt@example.de" "Schmidt" "DE89 3704" "crm_contacts"; do
  if grep -aqiF "$v" trail.bytes; then fail "'$v' is in the trail"; else pass "no '$v' in the trail"; fi
done

# ---- a running gateway and the CLI: two chains, both verify
: > serve.log
"$AIRLOCK" serve --config cfg.yaml --listen 127.0.0.1:0 2>serve.log &
GW=$!
for _ in $(seq 1 300); do grep -q "listening on" serve.log && break; sleep 0.1; done
grep -q "listening on" serve.log && pass "gateway started on the same trail" || { fail "gateway did not start"; cat serve.log; }
K2=$("$AIRLOCK" keys create --config cfg.yaml --principal bob --role user 2>/dev/null)
expect_rc "keys create while the gateway writes" 0 $?
"$AIRLOCK" keys revoke --config cfg.yaml "${K2:4:16}" 2>/dev/null
expect_rc "keys revoke while the gateway writes" 0 $?
kill -TERM $GW; wait $GW
verify >verify.txt 2>&1
expect_rc "audit verify: gateway and CLI chains" 0 $?
expect_contains "the gateway's chain" verify.txt "gw-"
expect_contains "the CLI's chain, every event signed" verify.txt "events 1..12 (12)"
grep "^cli-" verify.txt | grep -q "unsigned tail 0" && pass "no CLI event in an unsigned tail" || fail "CLI tail unsigned"

# ---- a trail that cannot be written: nothing happens
keys_now() { "$AIRLOCK" keys list --config cfg.yaml --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
before=$(keys_now)
echo "not a directory" > afile
sed "/^audit:/,\$d" cfg.yaml > broken.yaml
printf 'audit:\n  store: sqlite:%s/afile/audit.db\n' "$WORK" >> broken.yaml
OUT=$("$AIRLOCK" keys create --config broken.yaml --principal eve --role user 2>err.txt)
expect_rc "keys create on an unwritable trail" 2 $?
[ -z "$OUT" ] && pass "no key printed" || fail "a key was printed: $OUT"
expect_contains "says the trail cannot be written" err.txt "the audit trail cannot be written"
expect_contains "says no key was created" err.txt "no key was created"
[ "$(keys_now)" = "$before" ] && pass "no key stored" || fail "a key was stored: $(keys_now) keys, $before before"
K3=$(cut -c5-20 key.p1)
"$AIRLOCK" keys revoke --config broken.yaml "$K3" 2>err.txt
expect_rc "keys revoke on an unwritable trail" 2 $?
"$AIRLOCK" keys list --config cfg.yaml --format json >keys.json
json_check "the key stays active" keys.json "[k['state'] for k in d if k['id'] == '$K3'] == ['active']"
"$AIRLOCK" reidentify rt.csv --config broken.yaml --scope rt -o x.csv 2>err.txt
expect_rc "reidentify on an unwritable trail" 2 $?
expect_contains "reidentify says why" err.txt "the audit trail cannot be written"
"$AIRLOCK" reidentify --config broken.yaml --scope rt --forget 2>/dev/null
expect_rc "reidentify --forget on an unwritable trail" 2 $?
"$AIRLOCK" sanitize "$SRC/data/samples/crm_contacts.csv" --config broken.yaml --workflow pseudo --scope rt -o x.csv 2>/dev/null
expect_rc "sanitize on an unwritable trail" 2 $?
if [ ! -e x.csv ] && [ ! -e x.csv.tmp ]; then pass "nothing written by refused runs"; else fail "output left behind"; fi
"$AIRLOCK" reidentify rt.csv --config cfg.yaml --scope rt -o again.csv 2>/dev/null
expect_rc "the scope survived the refused --forget" 0 $?

# A trail that opens but refuses the commit (a trigger): the key is not stored.
if [ -n "${AIRLOCK_TEST_PG_URL:-}" ]; then
  sql "CREATE FUNCTION airlock_test_refuse() RETURNS trigger AS \$\$ BEGIN RAISE EXCEPTION 'refused by test'; END \$\$ LANGUAGE plpgsql"
  sql "CREATE TRIGGER refuse BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION airlock_test_refuse()"
  unrefuse() { sql "DROP TRIGGER refuse ON audit_events"; }
else
  sql "CREATE TRIGGER refuse BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
  unrefuse() { sql "DROP TRIGGER refuse"; }
fi
before=$(keys_now)
OUT=$("$AIRLOCK" keys create --config cfg.yaml --principal eve --role user 2>err.txt)
expect_rc "keys create when the commit fails" 2 $?
[ -z "$OUT" ] && pass "no key printed when the commit fails" || fail "a key was printed: $OUT"
expect_contains "names the failure" err.txt "refused by test"
[ "$(keys_now)" = "$before" ] && pass "no key stored when the commit fails" || fail "a key was stored"
"$AIRLOCK" keys revoke --config cfg.yaml "$K3" 2>/dev/null
expect_rc "keys revoke when the commit fails" 2 $?
unrefuse
verify >/dev/null 2>&1
expect_rc "the refused commits left the chains intact" 0 $?

# ---- another run holding the CLI chain's lock: after 10 s this one gives up, closed
CLI=$(head -1 ev.jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["instance"])')
if [ -n "${AIRLOCK_TEST_PG_URL:-}" ]; then
  "$AIRLOCK_TEST_PSQL" -q "$AIRLOCK_TEST_PG_URL" -c "SELECT pg_advisory_lock(hashtext('airlock-cli:$CLI'))" \
    -c "SELECT pg_sleep(13)" >/dev/null 2>&1 &
else
  flock var/audit.db.cli.lock sleep 13 &
fi
HOLDER=$!
sleep 1
OUT=$("$AIRLOCK" keys create --config cfg.yaml --principal eve --role user 2>err.txt)
expect_rc "keys create while the chain's lock is held elsewhere" 2 $?
[ -z "$OUT" ] && pass "no key printed without the lock" || fail "a key was printed: $OUT"
expect_contains "says why" err.txt "lock"
wait $HOLDER

# ---- a tampered CLI event is named
sql "UPDATE audit_events SET principal = 'mallory' WHERE instance = '$CLI' AND seq = 2"
verify >verify.txt 2>&1
expect_rc "audit verify catches an edited CLI event" 1 $?
expect_contains "names the event" verify.txt "FAIL $CLI:2 modified"

finish
