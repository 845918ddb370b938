#!/usr/bin/env bash
# `airlock scan` on disguised input: findings point at the disguised bytes of
# the file and say how the value was hidden (docs/scan-output.md).
source "$(dirname "$0")/lib.sh"

# One file, four disguises: zero-width characters in a card number,
# full-width digits in an IBAN, an e-mail address in base64, and a
# base64-in-hex IBAN sentence. Plus benign look-alikes that must stay quiet.
python3 - "$WORK/disguised.txt" <<'PY'
import base64, sys
card = "4111\u200b1111\u200b1111\u200b1111"
iban = "DE89 3704 0044 0532 0130 00".translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
mail = base64.b64encode(b"please write to jane.doe@example.com today").decode()
nested = base64.b64encode(b"IBAN DE89370400440532013000".hex().encode()).decode()
text = (f"Card: {card}\nIBAN: {iban}\nblob: {mail}\nnested: {nested}\n"
        "commit 3f786850e387550fdab836ed7e6dc881de23001b, id 550e8400-e29b-41d4-a716-446655440000,\n"
        "colour #ff8800, https://example.com/a%20b?x=1&amp;y=2\n")
open(sys.argv[1], "w", encoding="utf-8").write(text)
PY

"$AIRLOCK" scan -f json "$WORK/disguised.txt" >"$WORK/out.json" 2>"$WORK/err"; rc=$?
expect_rc "disguised values are found" 1 $rc
python3 - "$WORK/out.json" "$WORK/disguised.txt" <<'PY' && pass "offsets, encodings and previews of disguised findings" || fail "disguised findings"
import base64, json, sys
d = json.load(open(sys.argv[1])); raw = open(sys.argv[2], "rb").read()
by = {}
for f in d["findings"]:
    by.setdefault(f["detector"], []).append(f)
cards = by["credit_card"]; assert len(cards) == 1, cards
c = cards[0]
assert raw[c["start"]:c["end"]] == "4111\u200b1111\u200b1111\u200b1111".encode(), raw[c["start"]:c["end"]]
assert c["normalized"] is True and "encoding" not in c, c
assert c["preview"] == "4111**********11", c["preview"]
ibans = sorted(by["iban"], key=lambda f: f["start"]); assert len(ibans) == 2, ibans
fw = ibans[0]
assert raw[fw["start"]:fw["end"]].decode().startswith("DE\uff18\uff19"), raw[fw["start"]:fw["end"]]
assert raw[fw["start"]:fw["end"]].decode().endswith("\uff10\uff10"), raw[fw["start"]:fw["end"]]
nested = ibans[1]
assert nested["encoding"] == "base64>hex", nested
seg = raw[nested["encoded_start"]:nested["encoded_end"]]
assert base64.b64decode(seg) == b"IBAN DE89370400440532013000".hex().encode(), seg
assert nested["encoded_start"] <= nested["start"] < nested["end"] <= nested["encoded_end"]
mails = by["email_address"]; assert len(mails) == 1, mails
m = mails[0]
assert m["encoding"] == "base64", m
seg = raw[m["encoded_start"]:m["encoded_end"]]
assert base64.b64decode(seg) == b"please write to jane.doe@example.com today", seg
# The span covers exactly the base64 groups that encode the address.
inner = base64.b64decode(raw[m["start"]:m["end"]] + b"=" * (-(m["end"] - m["start"]) % 4))
assert b"jane.doe@example.com" in inner and len(inner) < len(b"jane.doe@example.com") + 6, inner
assert m["preview"] != "" and "jane" not in m["preview"], m["preview"]
assert "decoded (base64)" in m["explanation"], m["explanation"]
# Benign look-alikes (SHA, UUID, colour, %20 URL, &amp;) add nothing.
assert set(by) <= {"credit_card", "iban", "email_address", "url"}, set(by)
PY
expect_not_contains "values stay hidden" "$WORK/out.json" "jane.doe@example.com"

"$AIRLOCK" scan -f sarif "$WORK/disguised.txt" >"$WORK/out.sarif" 2>/dev/null
json_check "SARIF results carry the encoding chain" "$WORK/out.sarif" \
  "any(r['properties'].get('encoding')=='base64>hex' for r in d['runs'][0]['results'])"
"$AIRLOCK" scan "$WORK/disguised.txt" >"$WORK/table.txt" 2>/dev/null
expect_contains "table shows the encoding chain" "$WORK/table.txt" "[base64>hex]"

# JSON input: a \u-escaped e-mail inside a string value, offsets into the file.
printf '{"note": "mail jane\\u002edoe\\u0040example\\u002ecom now"}' >"$WORK/r.json"
"$AIRLOCK" scan -f json "$WORK/r.json" >"$WORK/r.out" 2>/dev/null
python3 - "$WORK/r.out" "$WORK/r.json" <<'PY' && pass "JSON input: escaped e-mail at file offsets" || fail "JSON escaped e-mail"
import json, sys
d = json.load(open(sys.argv[1])); raw = open(sys.argv[2], "rb").read()
m = [f for f in d["findings"] if f["detector"] == "email_address"]
assert len(m) == 1, d
assert raw[m[0]["start"]:m[0]["end"]] == rb"jane\u002edoe\u0040example\u002ecom", raw[m[0]["start"]:m[0]["end"]]
PY

# Plain text without disguises keeps its findings unmarked.
printf 'IBAN DE89 3704 0044 0532 0130 00\n' >"$WORK/plain.txt"
"$AIRLOCK" scan -f json "$WORK/plain.txt" >"$WORK/plain.json" 2>/dev/null
json_check "plain findings carry no evasion keys" "$WORK/plain.json" \
  "len(d['findings'])==1 and 'normalized' not in d['findings'][0] and 'encoding' not in d['findings'][0]"

finish
