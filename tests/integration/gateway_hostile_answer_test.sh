#!/usr/bin/env bash
# A backend whose answer takes longer to scan than detection.timeout_ms
# must not take the gateway with it. A whole answer is scanned on the
# detection pool within the deadline, like a request: past it the client
# gets 503 (nothing of the answer is released) and the scan is cancelled,
# so the pool's threads are free for the next request at once. Before
# session 9 the answer was scanned on the I/O thread with no deadline.
#
# The answer is 16 MiB of finding-dense text (a name, an e-mail address and
# an IBAN per line: about 5 s to scan here) against a 1 s deadline. The
# cancellation reaches into the first pass, so the thread is free about
# 0.1 s after the deadline (64 MiB of it: 9.8 s before session 10).
# (Until session 10 it was 1 MiB of ";\n", then about 10 s to scan; the
# source-code validator made that text fast.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

gw_start_provider
gw_config > "$WORK/airlock.yaml"
gw_recite_backend "$WORK/airlock.yaml"
cat >> "$WORK/airlock.yaml" <<YAML
detection:
  timeout_ms: 1000
YAML
SALES=$(gw_key alice sales DE)
gw_start

body() { printf '{"model":"%s","messages":[{"role":"user","content":"%s"}]}' "$1" "$2"; }
python3 -c "import sys; open(sys.argv[1], 'w').write('Max Mustermann, max.mustermann@example.com, IBAN DE89 3704 0044 0532 0130 00\n' * (16 << 20 >> 7 << 1))" "$WORK/recite.txt"

# As many hostile answers at once as there are detection threads (one per core).
n=$(nproc)
pids=()
for i in $(seq 1 "$n"); do
  curl -s -o "$WORK/hostile$i.json" -w '%{http_code}' -H "Authorization: Bearer $SALES" \
    -H 'Content-Type: application/json' --data-binary "$(body recite "Recite it, please ($i).")" \
    "$BASE/v1/chat/completions" > "$WORK/hostile$i.status" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in $(seq 1 "$n"); do
  expect_status "hostile answer $i is refused" 503 "$(cat "$WORK/hostile$i.status")"
  json_check "hostile answer $i: the answer could not be scanned" "$WORK/hostile$i.json" \
    "d['error']['code']=='detection_failed' and 'could not be scanned' in d['error']['message']"
done

# The pool is free again: an ordinary request is scanned within its deadline.
expect_status "an ordinary request right after" 200 \
  "$(gw_post /v1/chat/completions "$SALES" "$(body crm-assist "Summarise the call with Max Mustermann.")")"
json_check "and answered" "$WORK/resp.json" "d['choices'][0]['message']['content'].startswith('ECHO:')"
finish
