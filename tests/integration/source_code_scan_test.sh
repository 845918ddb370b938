#!/usr/bin/env bash
# `airlock scan` reports source code pasted into prose as SOURCE_CODE with a
# language guess, keeps the secrets inside it, and leaves plain prose alone.
source "$(dirname "$0")/lib.sh"

cat >"$WORK/mail.txt" <<'TXT'
Hi Sam, the export job still fails on staging. This is what I run:

import boto3
def export(bucket):
    s3 = boto3.client('s3', aws_access_key_id='AKIAZ7QK3MP5RW2TLX6N')
    for key in s3.list_objects(Bucket=bucket)['Contents']:
        print(key['Key'])

Any idea? Thanks, Kim
TXT
"$AIRLOCK" scan -f json "$WORK/mail.txt" >"$WORK/mail.json" 2>"$WORK/err"; rc=$?
expect_rc "code in prose is a finding" 1 $rc
json_check "SOURCE_CODE finding with language python" "$WORK/mail.json" \
  "any(f['entity_type']=='SOURCE_CODE' and f['language']=='python' and f['data_class']=='confidential' for f in d['findings'])"
json_check "the key inside the block is reported too" "$WORK/mail.json" \
  "any(f['detector']=='aws_access_key_id' for f in d['findings'])"
python3 - "$WORK/mail.json" "$WORK/mail.txt" <<'PY' && pass "the block's span starts at 'import' and ends at the last code line" || fail "block span"
import json, sys
d = json.load(open(sys.argv[1])); raw = open(sys.argv[2], 'rb').read()
f = [f for f in d['findings'] if f['entity_type'] == 'SOURCE_CODE'][0]
block = raw[f['start']:f['end']]
assert block.startswith(b'import boto3') and block.endswith(b"print(key['Key'])"), block
PY

cat >"$WORK/prose.txt" <<'TXT'
Thanks for the update on the numbers (see the appendix);
we agreed that the budget should stay where it is;
the audit comes first, then the plan (in English and German);
nobody expects it before the summer.
TXT
"$AIRLOCK" scan -f json --fail-on none "$WORK/prose.txt" >"$WORK/prose.json" 2>/dev/null
json_check "prose with semicolons is not code" "$WORK/prose.json" \
  "not any(f['entity_type']=='SOURCE_CODE' for f in d['findings'])"

finish
