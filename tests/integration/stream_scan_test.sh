#!/usr/bin/env bash
# `airlock scan --stream-chunk N` feeds text through the StreamAnalyzer a few
# bytes at a time; the real binary must report exactly what block mode does.
source "$(dirname "$0")/lib.sh"

DATASETS=${AIRLOCK_DATASETS_DIR:-$SRC/../shared/datasets}
python3 - "$DATASETS" "$WORK/mixed.txt" <<'PY'
import json, sys
ds, out = sys.argv[1], sys.argv[2]
texts = [r['full_text'] for r in json.load(open(ds + '/presidio-synth-v2/synth_dataset_v2.json'))[:150]]
texts += [json.loads(l)['text'] for l in open(ds + '/gitleaks-examples/examples.jsonl')][:60]
open(out, 'w').write('\n\n'.join(texts))
PY
[ -s "$WORK/mixed.txt" ] && pass "sample text built from the data sets" || fail "sample text"

"$AIRLOCK" scan -f json --fail-on none "$WORK/mixed.txt" >"$WORK/block.json" 2>/dev/null
expect_rc "block scan runs" 0 $?
for n in 1 7 64; do
  "$AIRLOCK" scan -f json --fail-on none --stream-chunk $n "$WORK/mixed.txt" >"$WORK/s$n.json" 2>/dev/null
  expect_rc "stream scan with $n-byte chunks runs" 0 $?
  python3 - "$WORK/block.json" "$WORK/s$n.json" <<'PY' && pass "$n-byte chunks: same findings as block mode" || fail "$n-byte chunks differ"
import json, sys
a = json.load(open(sys.argv[1]))['findings']; b = json.load(open(sys.argv[2]))['findings']
assert len(a) > 100, len(a)
assert a == b, (len(a), len(b), [x for x in a if x not in b][:3], [x for x in b if x not in a][:3])
PY
done

"$AIRLOCK" scan --stream-chunk 8 -f json "$SRC/data/samples/crm_contacts.csv" >"$WORK/csv.json" 2>"$WORK/err"
expect_contains "structured input says it was scanned whole" "$WORK/err" "applies to text input"

finish
