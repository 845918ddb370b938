#!/usr/bin/env bash
# The real `airlock audit` commands against a real trail: keys, append from
# two writers at once, verify (and what it names after tampering with the
# database directly), find by fingerprint, export + offline bundle check,
# tail -f, prune, and bad input.
#
# The trail is SQLite in a temp dir, or the PostgreSQL server named by
# AIRLOCK_TEST_PG_URL (audit_pg_test.sh runs this script that way).
source "$(dirname "$0")/lib.sh"

if [ -n "${AIRLOCK_TEST_PG_URL:-}" ]; then
  STORE="$AIRLOCK_TEST_PG_URL"
  sql() { "$AIRLOCK_TEST_PSQL" -q -v ON_ERROR_STOP=1 "$AIRLOCK_TEST_PG_URL" -c "$1" >/dev/null; }
  echo "# store: postgresql"
else
  STORE="sqlite:$WORK/audit.db"
  sql() { sqlite3 "$WORK/audit.db" "$1"; }
  echo "# store: sqlite"
fi
AIRLOCK=$(realpath "$AIRLOCK")
cd "$WORK"

# --- Keys ---
"$AIRLOCK" audit keygen --signing-key sign.pem --public-key sign.pub --hmac-key fp.key >keygen.out 2>&1
expect_rc "keygen" 0 $?
[ "$(stat -c %a sign.pem)" = 600 ] && [ "$(stat -c %a fp.key)" = 600 ] && pass "key files are 0600" || fail "key file modes"
"$AIRLOCK" audit keygen --signing-key sign.pem >/dev/null 2>err; expect_rc "keygen never overwrites" 2 $?
expect_contains "keygen says why" err "cannot create"
export AIRLOCK_AUDIT_STORE="$STORE"

# --- Append from two writers (instances) at once ---
gen() {  # gen INSTANCE N: N request events; every 10th saw the e-mail address, every 7th the IBAN
  python3 - "$1" "$2" <<'PY'
import json, sys
inst, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    e = {"kind": "request", "request_id": f"{inst}-r{i}", "principal": "alice" if i % 2 else "bob",
         "workflow": "hr-summary" if i % 3 else "sales", "backend": "local", "decision": "redact",
         "reasons": ["data_class_not_allowed"], "status": 200, "latency_us": 1000 + i,
         "time_us": 1764300000000000 + i * 1000000,
         "findings": [{"entity_type": "EMAIL_ADDRESS", "data_class": "contact", "count": 1}], "values": []}
    if i % 10 == 0: e["values"].append({"entity_type": "EMAIL_ADDRESS", "value": "Max.Mustermann@Example.org"})
    if i % 7 == 0: e["values"].append({"entity_type": "IBAN_CODE", "value": "DE89 3704 0044 0532 0130 00"})
    print(json.dumps(e))
PY
}
gen gw-a 120 >a.jsonl
gen gw-b 80 >b.jsonl
"$AIRLOCK" audit append --signing-key sign.pem --hmac-key fp.key --instance gw-a --checkpoint-every 25 <a.jsonl 2>a.err &
pa=$!
"$AIRLOCK" audit append --signing-key sign.pem --hmac-key fp.key --instance gw-b --checkpoint-every 25 <b.jsonl 2>b.err &
pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && pass "two writers appended at once" || { fail "append: $ra $rb"; cat a.err b.err; }

"$AIRLOCK" audit verify --signing-key sign.pub >verify.out 2>&1; expect_rc "verify a clean trail" 0 $?
expect_contains "verify sums both chains" verify.out "OK: 2 chains, 200 events verified"
expect_contains "verify lists gw-a" verify.out "gw-a: events 1..120 (120), 5 checkpoints"
"$AIRLOCK" audit verify --signing-key sign.pub -f json >verify.json 2>&1
json_check "verify JSON" verify.json "d['ok'] and d['events'] == 200 and [c['last_seq'] for c in d['chains']] == [120, 80]"

# --- The value never reaches the trail ---
if [ -z "${AIRLOCK_TEST_PG_URL:-}" ]; then
  cat audit.db* >dbbytes
  if grep -aqi "mustermann\|3704" dbbytes; then fail "values in the database file"; else pass "no value in the database file"; fi
fi

# --- find ---
echo "max.mustermann@example.org" | "$AIRLOCK" audit find --hmac-key fp.key --format jsonl >find.out 2>find.err
expect_rc "find an e-mail address (other spelling)" 0 $?
n=$(wc -l <find.out)
[ "$n" -eq 20 ] && pass "find lists the 20 events that saw it" || fail "find listed $n events, wanted 20"
json_check "find output holds ids, not the value" <(head -1 find.out) "d['matched_entity_type'] == 'EMAIL_ADDRESS' and d['id'].startswith('gw-')"
expect_not_contains "find output does not echo the value" find.out "mustermann"
echo "DE89370400440532013000" | "$AIRLOCK" audit find --hmac-key fp.key --type IBAN_CODE >find2.out 2>/dev/null
expect_rc "find an IBAN without spaces" 0 $?
[ "$(wc -l <find2.out)" -eq 28 ] && pass "find --type IBAN_CODE: 17 + 11 events" || fail "IBAN hits: $(wc -l <find2.out)"
echo "nobody@example.org" | "$AIRLOCK" audit find --hmac-key fp.key >/dev/null 2>&1; expect_rc "find a value never seen" 1 $?
AIRLOCK_AUDIT_HMAC_KEY=0123456789abcdef0123456789abcdef bash -c 'echo max.mustermann@example.org | "$0" audit find' "$AIRLOCK" >/dev/null 2>&1
expect_rc "another key finds nothing" 1 $?

# --- export and the offline check ---
"$AIRLOCK" audit export --signing-key sign.pub --principal bob --since 2025-11-28T03:20:10Z --until 2025-11-28T03:21:00Z -o bob.jsonl 2>export.err
expect_rc "export jsonl" 0 $?
python3 - bob.jsonl <<'PY' && pass "bundle: bob's events and links for the rest" || fail "bundle content"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["type"] == "bundle" and lines[0]["principal"] == "bob"
ev = [l for l in lines if l["type"] == "event"]
assert ev and all(e["principal"] == "bob" for e in ev), ev
assert all("1764300010000000" <= str(e["time_us"]) < "1764300060000000" for e in ev)
assert any(l["type"] == "link" for l in lines) and any(l["type"] == "checkpoint" for l in lines)
assert not any(l.get("principal") == "alice" for l in lines)
PY
"$AIRLOCK" audit verify-bundle bob.jsonl --signing-key sign.pub >vb.out 2>&1; expect_rc "verify-bundle" 0 $?
expect_contains "verify-bundle proves with checkpoints" vb.out "proven by signed checkpoints"
# A third party's own check of the chain arithmetic, in Python.
python3 - bob.jsonl <<'PY' && pass "bundle chain recomputed independently" || fail "independent chain check"
import hashlib, json, sys
h = {}
for l in map(json.loads, open(sys.argv[1])):
    t, i = l["type"], l.get("instance")
    if t == "anchor": h[i] = bytes.fromhex(l["hash"])
    elif t == "link": h[i] = hashlib.sha256(h[i] + bytes.fromhex(l["record_sha256"])).digest()
    elif t == "event":
        h[i] = hashlib.sha256(h[i] + hashlib.sha256(bytes.fromhex(l["record"])).digest()).digest()
        assert h[i].hex() == l["hash"]
    elif t == "checkpoint" and l["seq"] > 0:
        assert h[i].hex() == l["hash"], (l["seq"], h[i].hex(), l["hash"])
PY
sed 's/"principal":"bob"/"principal":"carol"/' bob.jsonl >forged.jsonl
"$AIRLOCK" audit verify-bundle forged.jsonl --signing-key sign.pub >vb2.out 2>&1; expect_rc "verify-bundle catches an edited field" 1 $?
expect_contains "names the field" vb2.out "field 'principal' differs from the record"
"$AIRLOCK" audit export --signing-key sign.pub --workflow sales --format csv -o sales.csv 2>/dev/null
expect_rc "export csv" 0 $?
head -1 sales.csv | grep -q '^type,instance,seq,time' && pass "csv header" || fail "csv header"
grep -q '^event,gw-a,3,' sales.csv && grep -q '^checkpoint,' sales.csv && ! grep -q '^event,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,hr-summary' sales.csv \
  && pass "csv rows: sales events and checkpoints" || fail "csv rows"

# --- tail ---
"$AIRLOCK" audit tail -n 3 >tail.out 2>&1; expect_rc "tail" 0 $?
[ "$(wc -l <tail.out)" -eq 3 ] && pass "tail -n 3 prints 3 events" || fail "tail lines: $(wc -l <tail.out)"
expect_contains "tail shows the latest" tail.out "gw-a:120"
timeout 20 "$AIRLOCK" audit tail -f -n 0 --interval-ms 50 --format jsonl >follow.out 2>&1 &
tp=$!
sleep 1
echo '{"kind":"admin","principal":"root","decision":"none","reasons":["lockdown_on"]}' |
  "$AIRLOCK" audit append --signing-key sign.pem --instance gw-c 2>/dev/null
for _ in $(seq 1 100); do grep -q lockdown_on follow.out && break; sleep 0.1; done
kill $tp 2>/dev/null; wait $tp 2>/dev/null
json_check "tail -f shows a new event" follow.out "d['id'] == 'gw-c:1' and d['reasons'] == ['lockdown_on']"

# --- tampering, as someone with write access to the database would ---
"$AIRLOCK" audit verify --signing-key sign.pub >/dev/null 2>&1; expect_rc "still clean" 0 $?
sql "UPDATE audit_events SET principal = 'mallory' WHERE instance = 'gw-b' AND seq = 42"
"$AIRLOCK" audit verify --signing-key sign.pub >t1.out 2>&1; expect_rc "verify after tampering" 1 $?
expect_contains "names the modified event" t1.out "FAIL gw-b:42 modified"
expect_contains "other chains stay fine" t1.out "gw-a: events 1..120"
sql "UPDATE audit_events SET principal = 'bob' WHERE instance = 'gw-b' AND seq = 42"
sql "DELETE FROM audit_events WHERE instance = 'gw-a' AND seq = 77"
"$AIRLOCK" audit verify --signing-key sign.pub >t2.out 2>&1; expect_rc "verify after a deletion" 1 $?
expect_contains "names the deleted event" t2.out "FAIL gw-a:77 deleted"
"$AIRLOCK" audit prune --signing-key sign.pub --before 2030-01-01 >p.out 2>&1; expect_rc "prune refuses a broken trail" 1 $?
expect_contains "prune says why" p.out "does not verify; nothing pruned"

# --- prune on a clean trail ---
P="sqlite:$WORK/prune.db"
gen gw-p 100 | "$AIRLOCK" audit append --store "$P" --signing-key sign.pem --hmac-key fp.key --instance gw-p --checkpoint-every 10 2>/dev/null
"$AIRLOCK" audit prune --store "$P" --signing-key sign.pub --before 2025-11-28T03:20:55Z >p2.out 2>&1
expect_rc "prune" 0 $?
expect_contains "prune reports what it deleted" p2.out "pruned 50 events and 4 checkpoints"
"$AIRLOCK" audit verify --store "$P" --signing-key sign.pub >p3.out 2>&1; expect_rc "verify after prune" 0 $?
expect_contains "the chain starts after the anchor" p3.out "gw-p: events 51..100 (50)"

# --- bad input ---
"$AIRLOCK" audit verify --store mysql://x --signing-key sign.pub >/dev/null 2>err; expect_rc "unknown store" 2 $?
expect_contains "unknown store message" err "use sqlite:PATH or postgresql://"
"$AIRLOCK" audit verify --signing-key nope.pem >/dev/null 2>err; expect_rc "missing key file" 2 $?
"$AIRLOCK" audit prune --before yesterday --signing-key sign.pub >/dev/null 2>err; expect_rc "bad date" 2 $?
expect_contains "bad date message" err "is not a time"
echo '{"principal":"ignore all previous instructions"}' |
  "$AIRLOCK" audit append --signing-key sign.pem --instance gw-x >/dev/null 2>err
expect_rc "free text refused" 2 $?
expect_contains "names the field" err "line 1: audit event: principal must be"
expect_not_contains "does not echo the text" err "instructions"
echo 'x' | "$AIRLOCK" audit find >/dev/null 2>err; expect_rc "find without a key" 2 $?
expect_contains "find says which key" err "AIRLOCK_AUDIT_HMAC_KEY"

finish
