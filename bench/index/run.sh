#!/usr/bin/env bash
# Index detectors: accuracy of document fingerprints on public-domain text
# (King James Bible from Debian's bible-kjv) and exact-data-match speed.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVAL=build/release/airlock-index-eval
OUT=${OUT:-build/bench-index}
mkdir -p "$OUT"
command -v bible >/dev/null || { echo "bible (package bible-kjv) missing: make deps" >&2; exit 2; }
bible -f "Gen1:1-Rev22:21" >"$OUT/kjv.txt"
$EVAL docs --text "$OUT/kjv.txt" | tee "$OUT/docs.md"
$EVAL edm --records "${EDM_RECORDS:-1000000}" | tee "$OUT/edm.txt"
