#!/usr/bin/env bash
# `airlock sanitize`: a workflow's minimisation and actions over CSV, JSON
# Lines and JSON exports; the per-column report; consistent pseudonyms; bad
# input leaves no output behind.
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
"$AIRLOCK" sanitize "$SRC/data/samples/crm_contacts.csv" --config cfg.yaml --workflow dataset --object Contact \
  -o clean.csv --report rep.json 2>err.txt
expect_rc "sanitize a CSV export" 0 $?
expect_contains "summary on stderr" err.txt "2 columns dropped"
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
"$AIRLOCK" sanitize same.csv --config cfg.yaml --workflow dataset -o same.out.csv 2>/dev/null
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
finish
