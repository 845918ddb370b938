#!/usr/bin/env bash
# The gateway with exact-data-match indexes (detection.indexes): a protected
# CRM record's values in a prompt are found, the workflow's action for the
# index's data class applies (redact, block), the scan endpoint reports it,
# SIGHUP loads a rebuilt index, a broken index is refused at start and on
# reload (the running one stays).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

sed 's/^data_class: personal/data_class: confidential/' "$SRC/tests/integration/data/edm_contacts_schema.yaml" > "$WORK/schema.yaml"
"$AIRLOCK" index records "$SRC/data/samples/crm_contacts.csv" --schema "$WORK/schema.yaml" -o "$WORK/contacts.idx" 2>/dev/null
expect_rc "index built" 0 $?

gw_start_provider
gw_config > "$WORK/airlock.yaml"
cat >> "$WORK/airlock.yaml" <<YAML
  - {name: edm-block, roles: [sales], backends: [eu-echo], default_action: pseudonymise, data_classes: {confidential: block}}
detection:
  indexes: [$WORK/contacts.idx]
YAML
SALES=$(gw_key alice sales DE)
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
kill -TERM $SERVE_PID; wait $SERVE_PID

"$AIRLOCK" serve --config "$WORK/airlock.yaml" --listen 127.0.0.1:0 > /dev/null 2> "$WORK/bad.log"
expect_rc "start with a broken index fails" 2 $?
expect_contains "start error names the index" "$WORK/bad.log" "contacts.idx"
gw_audit > "$WORK/audit.txt"
expect_contains "index findings are audited as their entity type" "$WORK/audit.txt" '"entity_type":"CRM_CONTACT"'
expect_not_contains "no record values in the trail" "$WORK/audit.txt" "chmidt"
finish
