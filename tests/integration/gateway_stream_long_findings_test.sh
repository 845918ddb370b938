#!/usr/bin/env bash
# A streamed answer that carries a finding longer than any fixed window (a
# private key, a long JWT), or one only a decoded view shows (a base64
# IBAN), must reach the client exactly as the whole answer does: redacted, with no byte of the value released first. The
# stream guard releases text only up to the StreamAnalyzer's safe offset.
# Before session 10 the guard held back a fixed 256-byte window and
# released 21 of a 2048-bit key's 26 base64 lines and all three parts of
# a 679-byte JWT before their ends arrived (the backend streams 3 bytes
# per event).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
gw_config > "$WORK/airlock.yaml"
gw_recite_backend "$WORK/airlock.yaml"
SALES=$(gw_key alice sales DE)
gw_start

openssl genrsa 2048 > "$WORK/key.pem" 2>/dev/null
python3 - "$WORK" <<'PY'
import base64, json, os, sys
work = sys.argv[1]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
jwt = '.'.join([b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()),
                b64(json.dumps({"sub": "1234567890", "scope": "admin " * 60, "iat": 1516239022}).encode()),
                b64(os.urandom(32))])
open(f'{work}/jwt.txt', 'w').write(jwt)
key = open(f'{work}/key.pem').read()
encoded = base64.b64encode(b"IBAN DE89 3704 0044 0532 0130 00").decode()
open(f'{work}/encoded.txt', 'w').write(encoded)
open(f'{work}/recite.txt', 'w').write(
    "Here is the deployment key you asked for:\n\n" + key + "\nAnd the admin token: " + jwt +
    "\nThe account, encoded: " + encoded + "\nKeep them safe.\n")
PY

req() { printf '{"model":"recite","stream":%s,"messages":[{"role":"user","content":"The key, please."}]}' "$1"; }
curl -s -o "$WORK/whole.json" -H "Authorization: Bearer $SALES" -H 'Content-Type: application/json' \
  -d "$(req false)" "$BASE/v1/chat/completions"
curl -sN -o "$WORK/stream.sse" -H "Authorization: Bearer $SALES" -H 'Content-Type: application/json' \
  -d "$(req true)" "$BASE/v1/chat/completions"
python3 - "$WORK" <<'PY' > "$WORK/check.txt"
import json, sys
work = sys.argv[1]
text, events, errors = "", 0, 0
for line in open(f'{work}/stream.sse'):
    if not line.startswith('data: ') or line.strip() == 'data: [DONE]':
        continue
    d = json.loads(line[6:])
    errors += 'error' in d
    for c in d.get('choices', []):
        events += 1
        text += (c.get('delta') or {}).get('content') or ''
whole = json.load(open(f'{work}/whole.json'))['choices'][0]['message']['content']
key_lines = open(f'{work}/key.pem').read().splitlines()[1:-1]
jwt_parts = open(f'{work}/jwt.txt').read().split('.')
print(json.dumps({
    "same": text == whole, "errors": errors, "events": events,
    "key_lines_in_stream": sum(l in text for l in key_lines),
    "key_lines_in_whole": sum(l in whole for l in key_lines),
    "jwt_parts_in_stream": sum(p in text for p in jwt_parts),
    "redacted": "[REDACTED:PRIVATE_KEY]" in text and "[REDACTED:JWT]" in text,
    "encoded_redacted": "[REDACTED:IBAN_CODE]" in text and open(f'{work}/encoded.txt').read()[8:40] not in text,
    "rest": text.startswith("Here is the deployment key") and text.endswith("Keep them safe.\n")}))
PY
json_check "the streamed answer is the whole answer" "$WORK/check.txt" "d['same'] and d['errors'] == 0 and d['events'] > 2"
json_check "no line of the private key reached the client" "$WORK/check.txt" \
  "d['key_lines_in_stream'] == 0 and d['key_lines_in_whole'] == 0"
json_check "no part of the JWT reached the client" "$WORK/check.txt" "d['jwt_parts_in_stream'] == 0"
json_check "both are redacted, the text around them is released" "$WORK/check.txt" "d['redacted'] and d['rest']"
json_check "a base64-encoded IBAN in the stream is redacted too" "$WORK/check.txt" "d['encoded_redacted']"
gw_audit > "$WORK/audit.jsonl"
python3 - "$WORK/audit.jsonl" <<'PY' > "$WORK/leaks.json"
import json, sys
leaks = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get('kind') != 'completion' or 'output_leak' not in e.get('reasons', []):
        continue
    for f in e.get('findings') or []:
        leaks[f['entity_type']] = leaks.get(f['entity_type'], 0) + f['count']
print(json.dumps(leaks))
PY
json_check "the audit trail counts the three leaks of both answers" "$WORK/leaks.json" \
  "d.get('PRIVATE_KEY') == 2 and d.get('JWT') == 2 and d.get('IBAN_CODE') == 2"
finish
