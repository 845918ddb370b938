#!/usr/bin/env bash
# Chat, completions and embeddings through the gateway with the official
# openai npm client, against the recording stand-in provider: after every
# scenario no detected value may have reached the provider.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
gw_config > "$WORK/airlock.yaml"
# Keep-alive comments while streamed text is held back, often enough that
# the slow-stream scenarios see them (the openai client must ignore them).
printf 'detection:\n  stream_keepalive_ms: 100\n' >> "$WORK/airlock.yaml"
export SALES_KEY=$(gw_key alice sales DE)
export US_KEY=$(gw_key uma sales US)
gw_start
gw_node gateway_chat.mjs

# A slow stream whose text is all held back (it is shorter than what the
# guard must hold) gets SSE comments, never text, until the text is scanned.
SLOW_PROMPT="Summarise the call with Max Mustermann about the renewal of the support contract, briefly."
curl -sN -o "$WORK/slow.sse" -H "Authorization: Bearer $SALES_KEY" -H 'Content-Type: application/json' \
  -d "{\"model\":\"slow-stream\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"$SLOW_PROMPT\"}]}" \
  "$BASE/v1/chat/completions"
python3 - "$WORK/slow.sse" "$SLOW_PROMPT" > "$WORK/slow.json" <<'PY'
import json, sys
comments, text, before_text = 0, "", 0
for line in open(sys.argv[1]):
    if line.startswith(':'):
        comments += 1
        if not text:
            before_text += 1
    elif line.startswith('data: ') and line.strip() != 'data: [DONE]':
        for c in json.loads(line[6:]).get('choices', []):
            text += (c.get('delta') or {}).get('content') or ''
print(json.dumps({"comments": comments, "before_text": before_text, "same": text == "ECHO: " + sys.argv[2],
                  "comment_lines_clean": all(l.strip() == ': held back until scanned' for l in open(sys.argv[1]) if l.startswith(':'))}))
PY
json_check "held-back stream: keep-alive comments before any text, then the whole answer" "$WORK/slow.json" \
  "d['comments'] >= 3 and d['before_text'] == d['comments'] and d['same'] and d['comment_lines_clean']"

# Attachments: a PDF and a DOCX sent as file parts are read as text and
# scanned (workflow crm-files: attachments: text); no file part reaches the
# provider; a workflow without it, a file_id, bad base64 and an image file
# are refused with 400 and say why.
python3 - "$WORK" "$SRC/tests/integration" <<'PY'
import base64, json, os, sys
sys.path.insert(0, sys.argv[2])
import docs_lib
w = sys.argv[1]
pdf = docs_lib.pdf(["Contract with Jan Kowalski, jan.kowalski@example.pl, IBAN GB82 WEST 1234 5698 7654 32."])
docx = docs_lib.docx(["Employee Marta Nowak, marta.nowak@example.pl, IBAN GB33 BUKB 2020 1555 5555 55."])
def req(model, part):
    return json.dumps({"model": model, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Summarise the attachment."}, part]}]})
def filepart(name, data, url=True):
    b = base64.b64encode(data).decode()
    return {"type": "file", "file": {"filename": name, "file_data": ("data:application/octet-stream;base64," + b) if url else b}}
open(os.path.join(w, "att_pdf.json"), "w").write(req("crm-files", filepart("contract.pdf", pdf)))
open(os.path.join(w, "att_docx.json"), "w").write(req("crm-files", filepart("employee.docx", docx, url=False)))
open(os.path.join(w, "att_refused.json"), "w").write(req("crm-redact", filepart("contract.pdf", pdf)))
open(os.path.join(w, "att_fileid.json"), "w").write(req("crm-files", {"type": "file", "file": {"file_id": "file-abc123"}}))
open(os.path.join(w, "att_b64.json"), "w").write(req("crm-files", {"type": "file", "file": {"file_data": "not base64!"}}))
open(os.path.join(w, "att_png.json"), "w").write(req("crm-files", filepart("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64))))
PY
for f in pdf docx; do
  expect_status "$f attachment read as text" 200 "$(gw_post /v1/chat/completions "$SALES_KEY" @"$WORK/att_$f.json")"
  cp "$WORK/resp.json" "$WORK/att_$f.out"
done
json_check "PDF text scanned and redacted, file name kept" "$WORK/att_pdf.out" \
  "'[contract.pdf]' in d['choices'][0]['message']['content'] and '[REDACTED:IBAN_CODE]' in d['choices'][0]['message']['content'] and 'Kowalski' not in d['choices'][0]['message']['content']"
json_check "DOCX text scanned and redacted" "$WORK/att_docx.out" \
  "'[employee.docx]' in d['choices'][0]['message']['content'] and '[REDACTED:EMAIL_ADDRESS]' in d['choices'][0]['message']['content'] and 'marta' not in d['choices'][0]['message']['content']"
expect_status "a workflow without attachments: text refuses a file" 400 "$(gw_post /v1/chat/completions "$SALES_KEY" @"$WORK/att_refused.json")"
json_check "the refusal says where and how to allow it" "$WORK/resp.json" \
  "d['error']['code']=='unreadable_attachment' and 'messages[0].content[1]' in d['error']['message'] and 'attachments: text' in d['error']['message']"
expect_status "a file_id cannot be scanned" 400 "$(gw_post /v1/chat/completions "$SALES_KEY" @"$WORK/att_fileid.json")"
json_check "file_id refusal explains" "$WORK/resp.json" "'file_id' in d['error']['message'] and 'file_data' in d['error']['message']"
expect_status "bad base64" 400 "$(gw_post /v1/chat/completions "$SALES_KEY" @"$WORK/att_b64.json")"
json_check "bad base64 named" "$WORK/resp.json" "'not valid base64' in d['error']['message']"
expect_status "an image file is not read" 400 "$(gw_post /v1/chat/completions "$SALES_KEY" @"$WORK/att_png.json")"
json_check "unreadable kind named" "$WORK/resp.json" "'neither PDF, DOCX nor UTF-8 text' in d['error']['message']"
expect_not_contains "no file part reached the provider" "$RECORD" '"file_data"'
expect_not_recorded "attachments" "Kowalski" "jan.kowalski@example.pl" "GB82 WEST 1234 5698 7654 32" "Marta Nowak" \
  "marta.nowak@example.pl" "GB33 BUKB 2020 1555 5555 55"

# What the provider saw.
expect_not_recorded "chat scenarios" "Max Mustermann" "Mustermann" "max.mustermann@example.com" \
  "DE89 3704 0044 0532 0130 00" "DE89370400440532013000" "DE89 3704 0044" "0532 0130 00" \
  "+49 30 12345678" "12345678" "Erika" "erika@example.com" "ghp_16C7e42F292c6912E7710c838347Ae178B4a" \
  "Hauptstrasse" "Allika 46" "Tamm"
# The provider did get the surrogates, consistently across turns and tool calls.
python3 - "$RECORD" > "$WORK/stable.txt" <<'PY'
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
multi = [r for r in rows if len(r.get("messages", [])) == 3]
text = json.dumps(multi[0]) if multi else ""
ibans = set(re.findall(r"<IBAN_CODE_\d+>", text))
print("multi-turn IBAN surrogates:", sorted(ibans))
tools = [r for r in rows if any(m.get("tool_calls") for m in r.get("messages", []))]
t = json.dumps(tools[0]) if tools else ""
print("tool-call IBAN surrogates:", sorted(set(re.findall(r"<IBAN_CODE_\d+>", t))))
print("STABLE" if len(ibans) == 1 and len(set(re.findall(r"<IBAN_CODE_\d+>", t))) == 1 else "UNSTABLE")
PY
expect_contains "one surrogate per value across turns and tool calls" "$WORK/stable.txt" "STABLE"
expect_not_contains "no stray surrogates" "$WORK/stable.txt" "UNSTABLE"
grep -q "Contact" "$RECORD" && ! grep -q "MailingStreet" "$RECORD" && pass "minimiser dropped fields before forwarding" || fail "MailingStreet reached the provider"
# Nothing reached the provider for blocked or refused requests: count them.
gw_audit > "$WORK/audit.txt"
forwarded=$(python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["kind"] == "request" and e["decision"] not in ("block", "error", "none") and e.get("backend") not in ("", "local", None):
        n += 1
print(n)' "$WORK/audit.txt")
got=$(recorded_count)
if [ "$got" -le "$forwarded" ]; then pass "provider requests ($got) <= allowed audit events ($forwarded)"; else fail "provider got $got requests, only $forwarded were allowed"; fi
expect_contains "residency reasons recorded" "$WORK/audit.txt" '"backend":"ch-echo"'
expect_contains "reroute recorded" "$WORK/audit.txt" '"rerouted"'
expect_contains "read attachments recorded" "$WORK/audit.txt" '"attachments_read"'
expect_contains "completion status recorded" "$WORK/audit.txt" '"output_leak"'
expect_contains "pseudonymisation recorded" "$WORK/audit.txt" '"decision":"pseudonymise"'
expect_contains "fingerprints recorded" "$WORK/audit.txt" '"fingerprints":[{'

expect_not_contains "audit has no names" "$WORK/audit.txt" "Mustermann"
expect_not_contains "audit has no IBANs" "$WORK/audit.txt" "DE89"
finish
