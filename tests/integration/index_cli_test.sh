#!/usr/bin/env bash
# `airlock index records|documents` and `airlock scan --index`, end to end.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

# --- exact data match over the bundled sample export
"$AIRLOCK" index records data/samples/crm_contacts.csv \
  --schema tests/integration/data/edm_contacts_schema.yaml -o "$WORK/contacts.idx" 2>"$WORK/build.err"
expect_rc "index records" 0 $?
expect_contains "build reports what it did" "$WORK/build.err" "indexed 6 records"
if [ "$(stat -c %a "$WORK/contacts.idx")" = 600 ]; then pass "index file is mode 600"; else fail "index file mode $(stat -c %a "$WORK/contacts.idx")"; fi
for v in Schmidt schmidt anna.schmidt 901820 Dubois; do
  if grep -q "$v" "$WORK/contacts.idx"; then fail "value '$v' is in the index file"; else pass "index holds no '$v'"; fi
done
printf 'Re: ticket 4711\nHi, this is about ANNA  SCHMIDT again, she wants the invoice.\n' >"$WORK/t1.txt"
"$AIRLOCK" scan --index "$WORK/contacts.idx" -f json "$WORK/t1.txt" >"$WORK/t1.json"
expect_rc "scan with an index finds the record" 1 $?
json_check "finding names the row and columns, not the values" "$WORK/t1.json" \
  "any(f['entity_type']=='CRM_CONTACT' and f['detail']=='row=1 columns=FirstName,LastName' for f in d['findings'])"
printf 'Anna from accounting and Mr. Dubois met.\n' >"$WORK/t2.txt"
"$AIRLOCK" scan --index "$WORK/contacts.idx" -f json --no-builtin "$WORK/t2.txt" >"$WORK/t2.json"
json_check "values of different records are not a match" "$WORK/t2.json" \
  "not any(f['entity_type']=='CRM_CONTACT' for f in d['findings'])"
# A record split over CSV columns is still one record.
printf 'Name,Surname,Note\nAnna,Schmidt,call back\n' >"$WORK/t3.csv"
"$AIRLOCK" scan --index "$WORK/contacts.idx" -f json --no-builtin "$WORK/t3.csv" >"$WORK/t3.json"
json_check "record found across CSV columns" "$WORK/t3.json" \
  "any(f['entity_type']=='CRM_CONTACT' for f in d['findings'])"
# Broken indexes: clear errors, exit 2.
head -c 100 "$WORK/contacts.idx" >"$WORK/trunc.idx"
"$AIRLOCK" scan --index "$WORK/trunc.idx" "$WORK/t1.txt" 2>"$WORK/trunc.err" >/dev/null
expect_rc "truncated index refused" 2 $?
expect_contains "truncated index named" "$WORK/trunc.err" "trunc.idx: not a valid exact-data-match index"
echo "hello" >"$WORK/foreign.idx"
"$AIRLOCK" scan --index "$WORK/foreign.idx" "$WORK/t1.txt" 2>"$WORK/foreign.err" >/dev/null
expect_rc "foreign file refused" 2 $?
expect_contains "foreign file named" "$WORK/foreign.err" "not an Airlock index"
"$AIRLOCK" index records data/samples/crm_contacts.csv --schema "$WORK/nope.yaml" -o "$WORK/x.idx" 2>"$WORK/s.err"
expect_rc "missing schema" 2 $?

# --- document fingerprints over txt, md, docx and pdf
mkdir -p "$WORK/protected"
python3 - "$WORK/protected" "$SRC/tests/integration" <<'PY'
import sys, os, textwrap
sys.path.insert(0, sys.argv[2])
import docs_lib
d = sys.argv[1]
# Public-domain texts: Lincoln's Gettysburg Address (1863), the US Bill of
# Rights (1791), Magna Carta clause 39 (1215, English translation), the
# Declaration of Independence (1776).
texts = {
 "gettysburg.txt": "Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure.",
 "bill-of-rights.md": "# Amendment I\n\nCongress shall make no law respecting an establishment of religion, or prohibiting the free exercise thereof; or abridging the freedom of speech, or of the press; or the right of the people peaceably to assemble, and to petition the Government for a redress of grievances.",
}
for name, t in texts.items():
    open(os.path.join(d, name), "w").write(t)
magna = "No free man shall be seized or imprisoned, or stripped of his rights or possessions, or outlawed or exiled, or deprived of his standing in any way, nor will we proceed with force against him, or send others to do so, except by the lawful judgement of his equals or by the law of the land."
open(os.path.join(d, "magna-carta.docx"), "wb").write(docs_lib.docx([p + ", or " for p in magna.split(", or ")]))
decl = "We hold these truths to be self-evident, that all men are created equal, that they are endowed by their Creator with certain unalienable Rights, that among these are Life, Liberty and the pursuit of Happiness."
open(os.path.join(d, "declaration.pdf"), "wb").write(docs_lib.pdf(textwrap.wrap(decl, 70)))
PY
"$AIRLOCK" index documents "$WORK/protected" -o "$WORK/docs.idx" 2>"$WORK/docs.err"
expect_rc "index documents" 0 $?
expect_contains "four documents indexed" "$WORK/docs.err" "indexed 4 documents"
if grep -q "unalienable" "$WORK/docs.idx"; then fail "document text in the index"; else pass "index holds no document text"; fi
cat >"$WORK/prompt.txt" <<'TXT'
Can you turn this into a friendlier tone for the newsletter?

no free man shall be SEIZED or imprisoned, or stripped of his rights or possessions,
or outlawed or exiled, or deprived of his standing in any way.

Also, from our policy: "we hold these truths to be self-evident, that all men are created
equal, that they are endowed by their Creator with certain unalienable Rights"
TXT
"$AIRLOCK" scan --index "$WORK/docs.idx" --no-builtin -f json "$WORK/prompt.txt" >"$WORK/p.json"
expect_rc "copied passages found" 1 $?
json_check "docx passage found (re-cased, reflowed)" "$WORK/p.json" \
  "any(f['entity_type']=='PROTECTED_DOCUMENT' and 'magna-carta.docx' in f['detail'] for f in d['findings'])"
json_check "pdf passage found" "$WORK/p.json" \
  "any(f['entity_type']=='PROTECTED_DOCUMENT' and 'declaration.pdf' in f['detail'] for f in d['findings'])"
json_check "no finding for documents not quoted" "$WORK/p.json" \
  "not any('gettysburg' in f['detail'] or 'bill-of-rights' in f['detail'] for f in d['findings'])"
printf 'Four score of reasons to celebrate: a new nation of customers.\n' >"$WORK/unrelated.txt"
"$AIRLOCK" scan --index "$WORK/docs.idx" --no-builtin "$WORK/unrelated.txt" >/dev/null
expect_rc "a few shared words are not a copy" 0 $?

finish
