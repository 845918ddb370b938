#!/usr/bin/env bash
# The real `airlock scan` binary against real files: formats, exit codes,
# bad input, and that values stay hidden unless asked for.
source "$(dirname "$0")/lib.sh"

SAMPLE="$SRC/data/samples/crm_contacts.csv"

# --- The bundled CRM export (CSV) ---
"$AIRLOCK" scan -f json "$SAMPLE" >"$WORK/sample.json" 2>"$WORK/err"; rc=$?
expect_rc "sample CSV has findings" 1 $rc
json_check "CSV findings carry row and column" "$WORK/sample.json" \
  "any(f['entity_type']=='IBAN_CODE' and f['row']==1 and f['column_name']=='Description' for f in d['findings'])"
json_check "JSON shape has the documented keys" "$WORK/sample.json" \
  "all(set(['detector','entity_type','data_class','jurisdiction','start','end','score','preview','file']) <= set(f) for f in d['findings'])"
# start/end are byte offsets into the file as read.
python3 - "$WORK/sample.json" "$SAMPLE" <<'PY' && pass "CSV offsets point at the value in the file" || fail "CSV offsets"
import json, sys
d = json.load(open(sys.argv[1])); raw = open(sys.argv[2], 'rb').read()
iban = [f for f in d['findings'] if f['entity_type'] == 'IBAN_CODE'][0]
assert raw[iban['start']:iban['end']] == b'DE89 3704 0044 0532 0130 00', raw[iban['start']:iban['end']]
PY
expect_not_contains "values hidden by default" "$WORK/sample.json" "3704 0044 0532"
json_check "CSV column names are context (LastName is a person)" "$WORK/sample.json" \
  "any(f['entity_type']=='PERSON' and f['column_name']=='LastName' and 'field' in f['explanation'] for f in d['findings'])"
"$AIRLOCK" scan -f json --show-values "$SAMPLE" >"$WORK/shown.json" 2>/dev/null
expect_contains "--show-values shows values" "$WORK/shown.json" "DE89 3704 0044 0532 0130 00"
"$AIRLOCK" scan "$SAMPLE" >"$WORK/table.txt" 2>/dev/null
expect_contains "table lists IBAN" "$WORK/table.txt" "IBAN_CODE"
expect_not_contains "table hides values" "$WORK/table.txt" "3704 0044 0532"

# --- --fail-on ---
printf 'Kontakt: max@example.org\n' >"$WORK/contact.txt"
"$AIRLOCK" scan --fail-on financial "$WORK/contact.txt" >/dev/null 2>&1; expect_rc "--fail-on financial ignores an e-mail" 0 $?
"$AIRLOCK" scan --fail-on contact "$WORK/contact.txt" >/dev/null 2>&1; expect_rc "--fail-on contact trips on an e-mail" 1 $?
"$AIRLOCK" scan --fail-on 0.99 "$WORK/contact.txt" >/dev/null 2>&1; expect_rc "--fail-on 0.99 above the e-mail's score" 0 $?
"$AIRLOCK" scan --fail-on bogus "$WORK/contact.txt" >/dev/null 2>"$WORK/err"; expect_rc "--fail-on bogus is a usage error" 2 $?
expect_contains "--fail-on error says why" "$WORK/err" "neither a score nor a data class"

# --- JSON and JSONL ---
printf '{"records":[{"Name":"x","Notes":"IBAN DE89370400440532013000 \\u00fcber"}]}' >"$WORK/r.json"
"$AIRLOCK" scan -f json "$WORK/r.json" >"$WORK/r.out" 2>/dev/null; expect_rc "JSON input with a finding" 1 $?
json_check "JSON finding has a pointer" "$WORK/r.out" \
  "any(f['pointer']=='/records/0/Notes' and f['entity_type']=='IBAN_CODE' for f in d['findings'])"
printf '{"a":"clean"}\n{"b":"call +49 30 901820"}\n' >"$WORK/r.jsonl"
"$AIRLOCK" scan -f json "$WORK/r.jsonl" >"$WORK/l.out" 2>/dev/null; expect_rc "JSONL input" 1 $?
json_check "JSONL finding on line 2" "$WORK/l.out" "any(f['pointer']=='/b' and f['line']==2 for f in d['findings'])"
# A CSV street column and a record inside a prompt: the key says what the value is.
printf 'Id,MailingStreet\n1,Allika 46\n' >"$WORK/street.csv"
"$AIRLOCK" scan -f json "$WORK/street.csv" >"$WORK/street.out" 2>/dev/null; expect_rc "street column" 1 $?
json_check "MailingStreet value is a street address" "$WORK/street.out" \
  "any(f['entity_type']=='STREET_ADDRESS' and f['column_name']=='MailingStreet' and f['row']==1 for f in d['findings'])"
printf 'Draft a reply to {"LastName": "Tamm", "MailingStreet": "Allika 46"} today.\n' >"$WORK/prompt.txt"
"$AIRLOCK" scan -f json --input text "$WORK/prompt.txt" >"$WORK/prompt.out" 2>/dev/null; expect_rc "prompt with a record" 1 $?
json_check "values of a record inside text found by their keys, at their offsets" "$WORK/prompt.out" \
  "sorted((f['entity_type'], f['start'], f['end']) for f in d['findings']) == [('PERSON', 31, 35), ('STREET_ADDRESS', 56, 65)]"
# PDF and DOCX files are read as their text (a compressed or odd file is
# poppler's business; an archive that is no DOCX is an error, exit 2).
python3 - "$WORK" "$SRC/tests/integration" <<'PY'
import sys, os, zipfile
sys.path.insert(0, sys.argv[2])
import docs_lib
w = sys.argv[1]
open(os.path.join(w, "contract.pdf"), "wb").write(docs_lib.pdf(["Contract with Jan Kowalski,", "IBAN GB82 WEST 1234 5698 7654 32."]))
open(os.path.join(w, "employee.docx"), "wb").write(docs_lib.docx(["Employee: marta.nowak@example.pl"]))
with zipfile.ZipFile(os.path.join(w, "sheet.xlsx"), "w") as z:
    z.writestr("xl/workbook.xml", "<workbook/>")
PY
"$AIRLOCK" scan -f json "$WORK/contract.pdf" "$WORK/employee.docx" >"$WORK/docs.out" 2>"$WORK/docs.err"; expect_rc "PDF and DOCX scanned" 1 $?
json_check "the PDF's IBAN on its second line, the DOCX's e-mail address" "$WORK/docs.out" \
  "any(f['entity_type']=='IBAN_CODE' and f['file'].endswith('contract.pdf') and f['line']==2 for f in d['findings']) and any(f['entity_type']=='EMAIL_ADDRESS' and f['file'].endswith('employee.docx') for f in d['findings'])"
expect_contains "says the offsets are into the text" "$WORK/docs.err" "read as the text of a PDF file"
"$AIRLOCK" scan "$WORK/sheet.xlsx" >/dev/null 2>"$WORK/xlsx.err"; expect_rc "a zip that is no DOCX" 2 $?
expect_contains "says why" "$WORK/xlsx.err" "without word/document.xml"
printf '{"a": [1, 2,}' >"$WORK/bad.json"
"$AIRLOCK" scan "$WORK/bad.json" >/dev/null 2>"$WORK/err"; expect_rc "malformed JSON" 2 $?
expect_contains "malformed JSON says where" "$WORK/err" "line 1, column 13"
printf 'a,b\n"1,2\n' >"$WORK/bad.csv"
"$AIRLOCK" scan "$WORK/bad.csv" >/dev/null 2>"$WORK/err"; expect_rc "malformed CSV" 2 $?
expect_contains "malformed CSV says where" "$WORK/err" "opened at line 2"

# --- Bad input ---
"$AIRLOCK" scan "$WORK/does-not-exist.txt" >/dev/null 2>"$WORK/err"; expect_rc "missing file" 2 $?
expect_contains "missing file message" "$WORK/err" "cannot open"
mkdir "$WORK/dir"
"$AIRLOCK" scan "$WORK/dir" >/dev/null 2>"$WORK/err"; expect_rc "a directory" 2 $?
expect_contains "directory message" "$WORK/err" "is a directory"
: >"$WORK/empty.txt"
"$AIRLOCK" scan "$WORK/empty.txt" >/dev/null 2>"$WORK/err"; expect_rc "empty file" 0 $?
expect_contains "empty file note" "$WORK/err" "empty input"
printf 'mail a.b@example.com \xff\xfe here\n' >"$WORK/latin.txt"
"$AIRLOCK" scan -f json "$WORK/latin.txt" >"$WORK/latin.out" 2>"$WORK/err"; expect_rc "invalid UTF-8 still scanned" 1 $?
expect_contains "invalid UTF-8 reported" "$WORK/err" "invalid UTF-8 at byte 21"
head -c 4096 /dev/urandom >"$WORK/blob.bin"; printf '\0\0 iban DE89370400440532013000' >>"$WORK/blob.bin"
"$AIRLOCK" scan "$WORK/blob.bin" >/dev/null 2>"$WORK/err"; expect_rc "binary file refused" 2 $?
expect_contains "binary message" "$WORK/err" "binary data"
"$AIRLOCK" scan --binary -f json "$WORK/blob.bin" >"$WORK/bin.out" 2>/dev/null
json_check "--binary scans the bytes" "$WORK/bin.out" "any(f['entity_type']=='IBAN_CODE' for f in d['findings'])"
# One file failing does not hide the other's findings; the exit code says error.
"$AIRLOCK" scan -f json "$WORK/does-not-exist.txt" "$WORK/contact.txt" >"$WORK/mixed.out" 2>/dev/null; expect_rc "error plus findings exits 2" 2 $?
json_check "other file still reported" "$WORK/mixed.out" "len(d['findings'])>=1 and len(d['errors'])==1"
# The JSON report is written finding by finding; its bytes are still the
# canonical pretty form (keys sorted, two-space indent), errors included.
canonical() {
  python3 -c "import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t); sys.exit(0 if json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False) + '\n' == t else 1)" "$1"
}
if canonical "$WORK/mixed.out"; then pass "JSON report in canonical form"; else fail "JSON report not in canonical form"; fi
"$AIRLOCK" scan -f json "$WORK/empty.txt" >"$WORK/empty.out" 2>/dev/null
if canonical "$WORK/empty.out"; then pass "empty JSON report in canonical form"; else fail "empty JSON report not canonical"; cat "$WORK/empty.out"; fi

# A 1 GiB single line with a value at its very end.
if [ "${AIRLOCK_SKIP_HUGE:-0}" != 1 ]; then
  head -c 1073741824 /dev/zero | tr '\0' 'a' >"$WORK/huge.txt"
  printf ' mail jane.doe@example.com' >>"$WORK/huge.txt"
  "$AIRLOCK" scan -f json "$WORK/huge.txt" >"$WORK/huge.out" 2>"$WORK/err"; expect_rc "1 GiB single line" 1 $?
  json_check "finding at the end of 1 GiB" "$WORK/huge.out" \
    "any(f['entity_type']=='EMAIL_ADDRESS' and f['start']==1073741824+6 for f in d['findings'])"
  rm -f "$WORK/huge.txt"
fi

# --- stdin ---
printf 'IBAN DE89 3704 0044 0532 0130 00\n' | "$AIRLOCK" scan - >"$WORK/stdin.out" 2>/dev/null; expect_rc "stdin" 1 $?
expect_contains "stdin location" "$WORK/stdin.out" "<stdin>:1:6"

# --- SARIF ---
"$AIRLOCK" scan -f sarif "$SAMPLE" >"$WORK/s.sarif" 2>/dev/null
json_check "SARIF 2.1.0 with results and rules" "$WORK/s.sarif" \
  "d['version']=='2.1.0' and len(d['runs'][0]['results'])>0 and all(r['ruleId'] in [x['id'] for x in d['runs'][0]['tool']['driver']['rules']] for r in d['runs'][0]['results'])"
json_check "SARIF regions have byte offsets and lines" "$WORK/s.sarif" \
  "all('byteOffset' in r['locations'][0]['physicalLocation']['region'] and r['locations'][0]['physicalLocation']['region']['startLine']>=1 for r in d['runs'][0]['results'])"
expect_not_contains "SARIF hides values" "$WORK/s.sarif" "3704 0044 0532"

# --- User detectors: added by YAML, broken ones rejected with file:line ---
cat >"$WORK/custom.yaml" <<'YAML'
detectors:
  - id: project_codename
    entity_type: PROJECT_CODE_NAME
    data_class: confidential
    patterns: ['\bProject (?:Falcon|Nightjar)\b']
    score: 0.9
YAML
printf 'Status of Project Nightjar attached.\n' | "$AIRLOCK" scan --detectors "$WORK/custom.yaml" -f json - >"$WORK/c.out" 2>/dev/null
json_check "custom YAML detector works without recompiling" "$WORK/c.out" "any(f['entity_type']=='PROJECT_CODE_NAME' for f in d['findings'])"
printf 'detectors:\n  - id: broken\n    entity_type: X\n    data_class: personal\n    patterns: ["(unclosed"]\n' >"$WORK/broken.yaml"
echo x | "$AIRLOCK" scan --detectors "$WORK/broken.yaml" - >/dev/null 2>"$WORK/err"; expect_rc "broken detector file" 2 $?
expect_contains "broken detector names file and line" "$WORK/err" "broken.yaml:2: detector 'broken'"
printf 'detectors:\n  - id: x\n    entity_type: X\n    data_class: secretish\n    patterns: [a]\n' >"$WORK/badclass.yaml"
echo x | "$AIRLOCK" scan --detectors "$WORK/badclass.yaml" - >/dev/null 2>"$WORK/err"; expect_rc "bad data class" 2 $?
expect_contains "bad data class names line" "$WORK/err" "badclass.yaml:4: unknown data_class 'secretish'"

# --- detectors list ---
"$AIRLOCK" detectors list >"$WORK/list.txt" 2>&1; expect_rc "detectors list" 0 $?
expect_contains "list shows iban" "$WORK/list.txt" "IBAN_CODE"
"$AIRLOCK" detectors list -f json >"$WORK/list.json" 2>/dev/null
json_check "list JSON has validators" "$WORK/list.json" "any(x['validator']=='iban' for x in d)"

finish
