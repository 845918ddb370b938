#!/usr/bin/env bash
# `airlock sanitize`: a workflow's minimisation and actions over CSV, JSON
# Lines and JSON exports; the per-column report; consistent pseudonyms kept
# in the gateway's vault (encrypted mapping file, re-identification round
# trip, wrong or missing key refused); the configured indexes per record;
# bad input leaves no output behind.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
cat > cfg.yaml <<'YAML'
backends:
  - {name: eu, type: remote, url: "https://example.invalid/v1", jurisdiction: DE}
workflows:
  - name: dataset
    roles: [data]
    backends: [eu]
    data_classes: {personal: pseudonymise, contact: mask, financial: redact, government_id: hash, credential: block}
    default_action: redact
    minimise:
      objects:
        Contact: {drop: [MailingStreet, Phone]}
YAML
python3 -c "import secrets; print(secrets.token_hex(32))" > vault.key
python3 -c "import secrets; print(secrets.token_hex(32))" > other.key
chmod 600 vault.key other.key
printf 'vault:\n  key: {file: %s}\n' "$WORK/vault.key" >> cfg.yaml
"$AIRLOCK" sanitize "$SRC/data/samples/crm_contacts.csv" --config cfg.yaml --workflow dataset --object Contact \
  -o clean.csv --report rep.json 2>err.txt
expect_rc "sanitize a CSV export" 0 $?
expect_contains "summary on stderr" err.txt "2 columns dropped"
expect_contains "the scope is printed" err.txt "under scope crm_contacts-"
json_check "report names the scope and the vault" rep.json \
  "d['scope'].startswith('crm_contacts-') and d['vault'].endswith('sanitize-mappings.vault') and d['surrogates'] > 0"
for v in "DE89 3704 0044 0532 0130 00" "4111 1111 1111 1111" "anna.schmidt@example.de" "86095742719" "Hauptstraße" "+49 30 901820" ",Schmidt,"; do
  expect_not_contains "no '$v' in the clean export" clean.csv "$v"
done
expect_contains "header without the dropped columns" clean.csv "Id,AccountId,FirstName,LastName,Email,MailingPostalCode,MailingCity,Description"
expect_contains "financial data redacted" clean.csv "[REDACTED:IBAN_CODE]"
expect_contains "tax id hashed" clean.csv "[DE_TAX_ID:"
json_check "report: dropped columns and per-column actions" rep.json \
  "d['columns']['Phone']['dropped'] and d['columns']['Email']['actions'] == {'mask': 6} and d['columns']['Email']['changed'] == 6 and d['records'] == 6"
python3 - "$WORK/clean.csv" <<'PY' && pass "clean CSV parses with the same shape" || fail "clean CSV is malformed"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert len(rows) == 7 and all(len(r) == 8 for r in rows)
PY

# equal values, equal surrogates, across records
printf 'Name,Note\nErika Mustermann,first\nErika Mustermann,second\nJonas Weber,third\n' > same.csv
"$AIRLOCK" sanitize same.csv --config cfg.yaml --workflow dataset --scope crm-2026 -o same.out.csv 2>/dev/null
python3 - "$WORK/same.out.csv" <<'PY' && pass "one surrogate per value across the export" || fail "surrogates differ for equal values"
import csv, sys
r = list(csv.reader(open(sys.argv[1], newline='')))[1:]
assert r[0][0] == r[1][0] != r[2][0] and 'Erika' not in r[0][0], r
PY

# JSON Lines and a Salesforce REST document: attributes.type picks the rule
cat > contacts.jsonl <<'J'
{"attributes":{"type":"Contact"},"Name":"Erika Mustermann","Phone":"+49 30 123456","Email":"erika@example.de","MailingStreet":"Hauptstr. 1"}
{"attributes":{"type":"Account"},"Name":"Example GmbH","Phone":"+49 30 654321"}
J
"$AIRLOCK" sanitize contacts.jsonl --config cfg.yaml --workflow dataset -o clean.jsonl 2>/dev/null
expect_rc "sanitize JSON Lines" 0 $?
json_check "Contact lost Phone and MailingStreet, Account kept its Phone (masked)" /dev/stdin 2>/dev/null <<<"$(head -1 clean.jsonl)" "'Phone' not in d and 'MailingStreet' not in d and d['Email'] != 'erika@example.de'" 
python3 -c "import json; d=json.loads(open('$WORK/clean.jsonl').read().splitlines()[1]); assert 'Phone' in d and d['Phone'] != '+49 30 654321'" && pass "Account record: no rule, phone still transformed" || fail "Account phone"
printf '{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Contact"},"Name":"Erika Mustermann","Email":"erika@example.de","Phone":"+49 30 123456"}]}' > rest.json
"$AIRLOCK" sanitize rest.json --config cfg.yaml --workflow dataset -o clean.json 2>/dev/null
json_check "REST document sanitised" clean.json "'Phone' not in d['records'][0] and 'Erika' not in json.dumps(d) and d['totalSize'] == 1"

# bad input: a clear error, exit 2, nothing written
printf 'A,B\n1,2,3\n' > bad.csv
"$AIRLOCK" sanitize bad.csv --config cfg.yaml --workflow dataset -o bad.out 2>err.txt
expect_rc "malformed CSV" 2 $?
expect_contains "says where" err.txt "line 2"
if [ ! -e bad.out ] && [ ! -e bad.out.tmp ]; then pass "no partial output"; else fail "partial output left behind"; fi
printf '{"a":1}\n{"a":\n' > bad.jsonl
"$AIRLOCK" sanitize bad.jsonl --config cfg.yaml --workflow dataset -o bad.out 2>err.txt
expect_rc "malformed JSON Lines" 2 $?
expect_contains "names the line" err.txt "line 2"
"$AIRLOCK" sanitize same.csv --config cfg.yaml --workflow nope -o x.csv 2>err.txt
expect_rc "unknown workflow" 2 $?
"$AIRLOCK" sanitize same.csv --config cfg.yaml --workflow dataset --object Lead -o x.csv 2>err.txt
expect_rc "object without a rule" 2 $?

# ---- the vault: mappings kept encrypted, stable across runs, re-identifiable
VAULT="$WORK/var/sanitize-mappings.vault"
if [ -s "$VAULT" ]; then pass "mapping file written next to store.path"; else fail "no mapping file at $VAULT"; fi
if [ "$(stat -c %a "$VAULT")" = 600 ]; then pass "mapping file is mode 600"; else fail "mapping file mode $(stat -c %a "$VAULT")"; fi
for v in Erika Mustermann Jonas Weber crm-2026 "<PERSON_"; do
  if grep -aqF -- "$v" "$VAULT"; then fail "'$v' in clear in the mapping file"; else pass "mapping file holds no '$v'"; fi
done
printf 'Name,Note\nJonas Weber,fourth\nLena Vogel,fifth\n' > more.csv
"$AIRLOCK" sanitize more.csv --config cfg.yaml --workflow dataset --scope crm-2026 -o more.out.csv 2>/dev/null
python3 - "$WORK/same.out.csv" "$WORK/more.out.csv" <<'PY' && pass "same value, same surrogate in a later run of the scope; a new value, a new one" || fail "surrogates not stable across runs"
import csv, sys
a = list(csv.reader(open(sys.argv[1], newline='')))[1:]
b = list(csv.reader(open(sys.argv[2], newline='')))[1:]
assert b[0][0] == a[2][0] and b[1][0] not in (a[0][0], a[2][0]) and b[1][0].startswith('<'), (a, b)
PY
"$AIRLOCK" sanitize more.csv --config cfg.yaml --workflow dataset --scope other-scope -o other.out.csv 2>/dev/null
python3 - "$WORK/more.out.csv" "$WORK/other.out.csv" <<'PY' && pass "another scope numbers its surrogates afresh" || fail "scopes share a mapping"
import csv, sys
a = list(csv.reader(open(sys.argv[1], newline='')))[1:]
b = list(csv.reader(open(sys.argv[2], newline='')))[1:]
assert a[0][0] != b[0][0], (a, b)
PY

# Round trip: a fully pseudonymising workflow over the sample export, back again.
python3 - cfg.yaml <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("workflows:\n", "workflows:\n  - {name: pseudo, roles: [data], backends: [eu], default_action: pseudonymise}\n", 1)
open(p, "w").write(s)
PY
"$AIRLOCK" sanitize "$SRC/data/samples/crm_contacts.csv" --config cfg.yaml --workflow pseudo --scope rt \
  -o rt.csv --report rt.json 2>/dev/null
expect_rc "pseudonymise the sample export" 0 $?
expect_not_contains "no e-mail in the pseudonymised export" rt.csv "anna.schmidt@example.de"
# Street fields in any country's format: the field name says what the value is.
printf 'Id,LastName,MailingStreet,MailingCity\n1,Tamm,Allika 46,Tallinn\n2,Virtanen,Koskikatu 25 A 4,Tampere\n3,Novák,Dobrovského 1394,Brno\n' > nordic.csv
"$AIRLOCK" sanitize nordic.csv --config cfg.yaml --workflow pseudo --scope rt -o nordic.out.csv 2>/dev/null
python3 - "$WORK/nordic.out.csv" <<'PY' && pass "every MailingStreet value became a street surrogate, whatever its country's format" || fail "a street value kept in clear"
import csv, re, sys
text = open(sys.argv[1], encoding='utf-8').read()
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
assert len(rows) == 3
for r in rows:
    assert re.fullmatch(r'<STREET_ADDRESS_\d+>', r['MailingStreet']), r['MailingStreet']
for v in ('Allika', 'Koskikatu', 'Dobrovsk'):
    assert v not in text, v
PY
"$AIRLOCK" reidentify rt.csv --config cfg.yaml --scope rt -o back.csv 2>err.txt
expect_rc "reidentify" 0 $?
expect_contains "reidentify says how many values" err.txt "values re-identified from scope rt"
python3 - "$SRC/data/samples/crm_contacts.csv" "$WORK/back.csv" <<'PY' && pass "re-identified export equals the original" || fail "round trip differs"
import csv, sys
a = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
b = list(csv.reader(open(sys.argv[2], newline='', encoding='utf-8')))
assert a == b, [(x, y) for x, y in zip(a, b) if x != y][:2]
PY
if [ "$(stat -c %a back.csv)" = 600 ]; then pass "re-identified file is mode 600"; else fail "re-identified file mode $(stat -c %a back.csv)"; fi
grep -o '<[A-Z_]*_[0-9]*>' rt.csv | head -3 | tr '\n' ' ' > some.txt
"$AIRLOCK" reidentify some.txt --format text --config cfg.yaml --scope rt -o some.back.txt 2>/dev/null
if ! grep -q '<[A-Z_]*_[0-9]*>' some.back.txt && [ -s some.back.txt ]; then pass "surrogates in free text re-identified"; else fail "text re-identification"; cat some.back.txt; fi

# Keys: wrong, missing, unset; unknown scope. Clear errors, exit 2, nothing written.
sed "s#$WORK/vault.key#$WORK/other.key#" cfg.yaml > wrong.yaml
"$AIRLOCK" reidentify rt.csv --config wrong.yaml --scope rt -o x.csv 2>err.txt
expect_rc "reidentify with a wrong key" 2 $?
expect_contains "wrong key named as such" err.txt "the vault key does not open"
"$AIRLOCK" sanitize same.csv --config wrong.yaml --workflow dataset --scope crm-2026 -o x.csv 2>err.txt
expect_rc "sanitize with a wrong key" 2 $?
expect_contains "sanitize: wrong key named" err.txt "the vault key does not open"
grep -v -e '^vault:' -e '^  key:' cfg.yaml > nokey.yaml
"$AIRLOCK" sanitize same.csv --config nokey.yaml --workflow dataset -o x.csv 2>err.txt
expect_rc "pseudonymising workflow without a vault key" 2 $?
expect_contains "says the vault key is missing" err.txt "no vault key"
"$AIRLOCK" reidentify rt.csv --config nokey.yaml --scope rt -o x.csv 2>err.txt
expect_rc "reidentify without a vault key" 2 $?
sed "s#{file: $WORK/vault.key}#{env: AIRLOCK_TEST_UNSET_KEY}#" cfg.yaml > envkey.yaml
env -u AIRLOCK_TEST_UNSET_KEY "$AIRLOCK" sanitize same.csv --config envkey.yaml --workflow dataset -o x.csv 2>err.txt
expect_rc "vault key variable unset" 2 $?
expect_contains "names the variable" err.txt "AIRLOCK_TEST_UNSET_KEY is not set"
"$AIRLOCK" reidentify rt.csv --config cfg.yaml --scope nope -o x.csv 2>err.txt
expect_rc "unknown scope" 2 $?
expect_contains "names the scope" err.txt "no mapping for scope 'nope'"
if [ ! -e x.csv ] && [ ! -e x.csv.tmp ]; then pass "failed runs wrote nothing"; else fail "output left behind by a refused run"; fi
"$AIRLOCK" reidentify --config cfg.yaml --scope other-scope --forget 2>/dev/null
expect_rc "forget a scope" 0 $?
"$AIRLOCK" reidentify other.out.csv --config cfg.yaml --scope other-scope -o x.csv 2>/dev/null
expect_rc "a forgotten scope cannot be re-identified" 2 $?

# ---- indexes per record: a protected record's values (split over columns)
sed 's/^data_class: personal/data_class: confidential/' "$SRC/tests/integration/data/edm_contacts_schema.yaml" > schema.yaml
"$AIRLOCK" index records "$SRC/data/samples/crm_contacts.csv" --schema schema.yaml -o contacts.idx 2>/dev/null
mkdir -p protected
echo "Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure." > protected/gettysburg.txt
"$AIRLOCK" index documents protected -o docs.idx 2>/dev/null
python3 - cfg.yaml "$WORK" <<'PY'
import sys
p, work = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace("workflows:\n", "workflows:\n  - {name: indexed, roles: [data], backends: [eu], default_action: allow, data_classes: {confidential: redact}}\n", 1)
s += "detection:\n  indexes: [%s/contacts.idx, %s/docs.idx]\n" % (work, work)
open(p, "w").write(s)
PY
printf 'First,Last,Note\nAnna,Schmidt,call back\nAnna,Weber,call back\n' > people.csv
"$AIRLOCK" sanitize people.csv --config cfg.yaml --workflow indexed -o people.out.csv --report people.json 2>err.txt
expect_rc "sanitize with the configured indexes" 0 $?
python3 - "$WORK/people.out.csv" <<'PY' && pass "the protected record's values redacted as CRM_CONTACT; an unrelated record untouched" || fail "index finding not acted on"
import csv, sys
r = list(csv.reader(open(sys.argv[1], newline='')))
assert r[1][:2] == ['[REDACTED:CRM_CONTACT]', '[REDACTED:CRM_CONTACT]'] and r[1][2] == 'call back', r
assert r[2] == ['Anna', 'Weber', 'call back'], r
PY
json_check "report counts the index finding per column" people.json \
  "d['index_findings'] == 1 and d['columns']['Last']['entity_types'].get('CRM_CONTACT') == 1 and d['columns']['Last']['actions'].get('redact') == 1"
printf '{"Subject":"Notes","Body":"As quoted: we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure. Thanks."}\n{"Subject":"Lunch","Body":"See you at noon for lunch on Friday."}\n' > notes.jsonl
"$AIRLOCK" sanitize notes.jsonl --config cfg.yaml --workflow indexed -o notes.out.jsonl 2>/dev/null
expect_rc "sanitize JSON Lines with a document index" 0 $?
expect_not_contains "protected passage gone" notes.out.jsonl "civil war"
expect_contains "passage redacted as PROTECTED_DOCUMENT" notes.out.jsonl "[REDACTED:PROTECTED_DOCUMENT]"
expect_contains "unrelated record kept" notes.out.jsonl "See you at noon for lunch on Friday."
finish
