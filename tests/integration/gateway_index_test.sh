#!/usr/bin/env bash
# The gateway with exact-data-match indexes (detection.indexes): a protected
# CRM record's values in a prompt are found, the workflow's action for the
# index's data class applies (redact, block), the scan endpoint reports it,
# SIGHUP loads a rebuilt index (off the I/O threads: a reload blocked on a
# FIFO does not stop requests), a broken index is refused at start and on
# reload (the running one stays). The output guard runs the indexes too: a
# model answer that recites a protected record or a protected document's
# passage is redacted or blocked (streamed and not) and audited.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

sed 's/^data_class: personal/data_class: confidential/' "$SRC/tests/integration/data/edm_contacts_schema.yaml" > "$WORK/schema.yaml"
"$AIRLOCK" index records "$SRC/data/samples/crm_contacts.csv" --schema "$WORK/schema.yaml" -o "$WORK/contacts.idx" 2>/dev/null
expect_rc "index built" 0 $?

mkdir -p "$WORK/protected"
GETTYSBURG="Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure."
echo "$GETTYSBURG" > "$WORK/protected/gettysburg.txt"
"$AIRLOCK" index documents "$WORK/protected" -o "$WORK/docs.idx" 2>/dev/null
expect_rc "document index built" 0 $?

gw_start_provider
# One I/O thread, so that work held on an I/O thread shows (the reload below).
gw_config | sed 's/^server:$/server:\n  threads: 1/' > "$WORK/airlock.yaml"
grep -q '^  threads: 1$' "$WORK/airlock.yaml" || fail "the config does not set one I/O thread"
gw_recite_backend "$WORK/airlock.yaml"
cat >> "$WORK/airlock.yaml" <<YAML
  - {name: edm-block, roles: [sales], backends: [eu-echo], default_action: pseudonymise, data_classes: {confidential: block}}
  - {name: recite-redact, roles: [sales], backends: [eu-recite], default_action: pseudonymise, output: redact}
  - {name: recite-block, roles: [sales], backends: [eu-recite], default_action: pseudonymise, output: block}
detection:
  indexes: [$WORK/contacts.idx, $WORK/docs.idx]
admin:
  roles: [secops]
YAML
SALES=$(gw_key alice sales DE)
ADMIN=$(gw_key sam secops DE)
gw_start

PROMPT='Please summarise the open case of ANNA  schmidt about the invoice, and reply politely.'
body() { printf '{"model":"%s","messages":[{"role":"user","content":"%s"}]}' "$1" "$2"; }

expect_status "scan endpoint" 200 "$(gw_post /v1/airlock/scan "$SALES" "{\"text\":\"$PROMPT\"}")"
json_check "scan reports the protected record" "$WORK/resp.json" \
  "any(f['entity_type']=='CRM_CONTACT' and f['data_class']=='confidential' for f in d['findings'])"
expect_status "redacting workflow answers" 200 "$(gw_post /v1/chat/completions "$SALES" "$(body crm-assist "$PROMPT")")"
expect_not_recorded "index redact" "schmidt" "ANNA"
if grep -q "REDACTED:CRM_CONTACT" "$RECORD"; then pass "the record's range went out redacted"; else fail "no CRM_CONTACT redaction reached the provider"; tail -c 400 "$RECORD"; fi
before=$(recorded_count)
expect_status "blocking workflow refuses the record" 403 "$(gw_post /v1/chat/completions "$SALES" "$(body edm-block "$PROMPT")")"
json_check "the block names the data class" "$WORK/resp.json" "'confidential' in d['error']['message']"
expect_status "unrelated text passes the blocking workflow" 200 "$(gw_post /v1/chat/completions "$SALES" "$(body edm-block "Anna from accounting met Mr. Dubois.")")"
if [ "$(recorded_count)" = "$((before + 1))" ]; then pass "only the unrelated request was forwarded"; else fail "forwarded $(( $(recorded_count) - before )) requests"; fi

# ---- the output guard: answers reciting protected records or documents
printf 'Here is what I found. The contact is ANNA Schmidt from Berlin. The speech: %s That is all.' "$GETTYSBURG" > "$WORK/recite.txt"
ASK="$(body recite-redact 'Tell me something about the weather.')"
# stream_text FILE: the content of an SSE chat stream, joined; error events as ERROR:code
stream_text() {
  python3 - "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line.startswith("data: ") or line == "data: [DONE]":
        continue
    ev = json.loads(line[6:])
    if "error" in ev:
        out.append("ERROR:" + str(ev["error"].get("code")))
        continue
    for ch in ev.get("choices", []):
        out.append((ch.get("delta") or {}).get("content") or "")
print("".join(out))
PY
}
expect_status "reciting answer (redact)" 200 "$(gw_post /v1/chat/completions "$SALES" "$ASK")"
python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['choices'][0]['message']['content'])" "$WORK/resp.json" > "$WORK/answer.txt"
expect_not_contains "no protected record in the answer" "$WORK/answer.txt" "Schmidt"
expect_not_contains "no protected passage in the answer" "$WORK/answer.txt" "civil war"
expect_contains "record redacted as CRM_CONTACT" "$WORK/answer.txt" "[REDACTED:CRM_CONTACT]"
expect_contains "passage redacted as PROTECTED_DOCUMENT" "$WORK/answer.txt" "[REDACTED:PROTECTED_DOCUMENT]"
expect_contains "the rest of the answer is kept" "$WORK/answer.txt" "That is all."
curl -s -N -o "$WORK/stream.txt" -H "Authorization: Bearer $SALES" -H 'Content-Type: application/json' \
  --data-binary "$(body recite-redact 'Tell me about the weather, streamed.' | sed 's/}$/,"stream":true}/')" "$BASE/v1/chat/completions"
stream_text "$WORK/stream.txt" > "$WORK/streamed.txt"
expect_not_contains "streamed: no protected record" "$WORK/stream.txt" "Schmidt"
expect_not_contains "streamed: no protected passage" "$WORK/stream.txt" "civil war"
expect_contains "streamed: record redacted" "$WORK/streamed.txt" "[REDACTED:CRM_CONTACT]"
expect_contains "streamed: passage redacted" "$WORK/streamed.txt" "[REDACTED:PROTECTED_DOCUMENT]"
expect_contains "streamed: the rest arrives" "$WORK/streamed.txt" "That is all."
expect_status "reciting answer (block)" 502 "$(gw_post /v1/chat/completions "$SALES" "$(body recite-block 'Tell me something.')")"
json_check "blocked with output_blocked" "$WORK/resp.json" "d['error']['code'] == 'output_blocked'"
expect_not_contains "blocked: nothing of the answer" "$WORK/resp.json" "Schmidt"
curl -s -N -o "$WORK/stream2.txt" -H "Authorization: Bearer $SALES" -H 'Content-Type: application/json' \
  --data-binary "$(body recite-block 'Tell me something, streamed.' | sed 's/}$/,"stream":true}/')" "$BASE/v1/chat/completions"
stream_text "$WORK/stream2.txt" > "$WORK/streamed2.txt" 2>/dev/null || cp "$WORK/stream2.txt" "$WORK/streamed2.txt"
expect_contains "streamed block ends with output_blocked" "$WORK/stream2.txt" "output_blocked"
expect_not_contains "streamed block: no protected record" "$WORK/stream2.txt" "Schmidt"
expect_not_contains "streamed block: no protected passage" "$WORK/stream2.txt" "civil war"
# Only index findings: an answer with neither passes untouched.
printf 'The weather in Berlin is mild today, with a light breeze from the west.' > "$WORK/recite.txt"
expect_status "harmless answer" 200 "$(gw_post /v1/chat/completions "$SALES" "$(body recite-block 'Weather?')")"
json_check "harmless answer unchanged" "$WORK/resp.json" "d['choices'][0]['message']['content'] == open('$WORK/recite.txt').read()"
sleep 0.3  # completion events are committed after the answer
expect_status "admin events" 200 "$(gw_get '/admin/v1/events?kind=completion&workflow=recite-redact&limit=50' "$ADMIN")"
json_check "completion events carry the output findings" "$WORK/resp.json" \
  "len(d['data']) == 2 and all({'CRM_CONTACT', 'PROTECTED_DOCUMENT'} <= {f['entity_type'] for f in e['findings']} and 'output_leak' in e['reasons'] and e['decision'] == 'redact' for e in d['data'])"
expect_status "admin events (block)" 200 "$(gw_get '/admin/v1/events?kind=completion&workflow=recite-block&limit=50' "$ADMIN")"
json_check "blocked answers audited as blocked output leaks" "$WORK/resp.json" \
  "sum(1 for e in d['data'] if e['decision'] == 'block' and 'output_leak' in e['reasons']) == 2"
expect_not_contains "no record values in the events" "$WORK/resp.json" "chmidt"

# ---- SIGHUP: a rebuilt index (with a new record) replaces the old one
printf 'Id,AccountId,FirstName,LastName,Email,Phone,MailingStreet,MailingPostalCode,MailingCity,Description\n1,2,Jacques,Martineau,jm@example.fr,+33 1 40 00 00 00,x,1,Paris,none\n' > "$WORK/new.csv"
PROMPT2='Draft a letter to Jacques Martineau about renewal.'
expect_status "scan before reload" 200 "$(gw_post /v1/airlock/scan "$SALES" "{\"text\":\"$PROMPT2\"}")"
json_check "new record unknown before reload" "$WORK/resp.json" "not any(f['entity_type']=='CRM_CONTACT' for f in d['findings'])"
"$AIRLOCK" index records "$WORK/new.csv" --schema "$WORK/schema.yaml" -o "$WORK/new.idx" 2>/dev/null
cp "$WORK/new.idx" "$WORK/contacts.idx.tmp" && mv "$WORK/contacts.idx.tmp" "$WORK/contacts.idx"
kill -HUP $SERVE_PID
for _ in $(seq 1 50); do grep -q "reloaded" "$WORK/serve.log" && break; sleep 0.1; done
expect_status "scan after reload" 200 "$(gw_post /v1/airlock/scan "$SALES" "{\"text\":\"$PROMPT2\"}")"
json_check "new record found after SIGHUP" "$WORK/resp.json" "any(f['entity_type']=='CRM_CONTACT' for f in d['findings'])"

# ---- a broken index: reload rejected, the running one stays
head -c 200 "$WORK/new.idx" > "$WORK/contacts.idx"
kill -HUP $SERVE_PID
for _ in $(seq 1 50); do grep -q "reload rejected" "$WORK/serve.log" && break; sleep 0.1; done
expect_contains "reload with a truncated index rejected" "$WORK/serve.log" "reload rejected"
expect_contains "the rejection names the index" "$WORK/serve.log" "contacts.idx"
expect_status "scan still uses the loaded index" 200 "$(gw_post /v1/airlock/scan "$SALES" "{\"text\":\"$PROMPT2\"}")"
json_check "loaded index still answers" "$WORK/resp.json" "any(f['entity_type']=='CRM_CONTACT' for f in d['findings'])"

# ---- a reload that waits on a file does not hold an I/O thread: the index
# path becomes a FIFO, so loading it blocks until something is written
rm -f "$WORK/contacts.idx" && mkfifo "$WORK/contacts.idx"
rejected_before=$(grep -c "reload rejected" "$WORK/serve.log")
kill -HUP $SERVE_PID
sleep 0.5
expect_status "healthz while a reload waits on its index" 200 \
  "$(curl -s -o "$WORK/resp.json" -w '%{http_code}' --max-time 2 "$BASE/healthz")"
expect_status "scan while a reload waits on its index" 200 \
  "$(gw_post /v1/airlock/scan "$SALES" "{\"text\":\"$PROMPT2\"}" --max-time 2)"
json_check "the loaded index answers meanwhile" "$WORK/resp.json" "any(f['entity_type']=='CRM_CONTACT' for f in d['findings'])"
if [ "$(grep -c "reload rejected" "$WORK/serve.log")" = "$rejected_before" ]; then
  pass "the reload is still waiting"; else fail "the reload did not wait on the FIFO"; fi
echo "not an index" > "$WORK/contacts.idx"  # unblocks the reader
for _ in $(seq 1 50); do [ "$(grep -c "reload rejected" "$WORK/serve.log")" -gt "$rejected_before" ] && break; sleep 0.1; done
if [ "$(grep -c "reload rejected" "$WORK/serve.log")" -gt "$rejected_before" ]; then
  pass "the reload then rejects what it read"; else fail "no rejection after the FIFO was written"; tail -3 "$WORK/serve.log"; fi

# ---- SIGTERM while a reload waits on a file: the gateway still stops, after
# the drain's time (drain_timeout_ms 5000), and the trail records the stop
rm -f "$WORK/contacts.idx" && mkfifo "$WORK/contacts.idx"
kill -HUP $SERVE_PID
sleep 0.5
t0=$(date +%s.%N)
kill -TERM $SERVE_PID
( sleep 20; kill -KILL $SERVE_PID 2>/dev/null ) &
WATCHDOG=$!
wait $SERVE_PID; rc=$?
elapsed=$(python3 -c "import time; print(round(time.time() - $t0, 1))")
kill $WATCHDOG 2>/dev/null
expect_rc "SIGTERM while a reload waits on a file: exit 0" 0 $rc
if python3 -c "import sys; sys.exit(0 if $elapsed < 12 else 1)"; then
  pass "stopped ${elapsed} s after SIGTERM (the reload was abandoned)"
else
  fail "took ${elapsed} s to stop"
fi
expect_contains "the abandoned reload is logged" "$WORK/serve.log" "stopping without it"
if gw_audit | tail -n 1 | grep -q '"stopped"'; then
  pass "the trail's last event is the stop"
else
  fail "no stop event at the end of the trail"; gw_audit | tail -n 2
fi
rm -f "$WORK/contacts.idx" && head -c 200 "$WORK/new.idx" > "$WORK/contacts.idx"  # broken, for the start below

"$AIRLOCK" serve --config "$WORK/airlock.yaml" --listen 127.0.0.1:0 > /dev/null 2> "$WORK/bad.log"
expect_rc "start with a broken index fails" 2 $?
expect_contains "start error names the index" "$WORK/bad.log" "contacts.idx"
gw_audit > "$WORK/audit.txt"
expect_contains "index findings are audited as their entity type" "$WORK/audit.txt" '"entity_type":"CRM_CONTACT"'
expect_not_contains "no record values in the trail" "$WORK/audit.txt" "chmidt"
finish
