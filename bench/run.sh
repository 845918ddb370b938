#!/usr/bin/env bash
# Runs the speed comparison; `make bench` builds first and then calls this.
#
#   bash bench/run.sh                 full run (about 10-15 minutes on 2 cores)
#   QUICK=1 bash bench/run.sh         1 MiB corpora, short timings: a smoke test
#
# Writes everything under $OUT (default build/bench-results/): the Google
# Benchmark JSON, the corpora, the JS comparison JSON, and summary.txt.
# Environment: CORPUS_MIB (8), MIN_TIME (2 s per benchmark), JS_CAP_MIB (1),
# JS_BUDGET_S (30), REPETITIONS (3).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=build/release/airlock-bench
OUT=${OUT:-build/bench-results}
CORPUS_MIB=${CORPUS_MIB:-8}
MIN_TIME=${MIN_TIME:-2}
REPETITIONS=${REPETITIONS:-3}
JS_CAP_MIB=${JS_CAP_MIB:-1}
JS_BUDGET_S=${JS_BUDGET_S:-30}
if [[ -n "${QUICK:-}" ]]; then
  CORPUS_MIB=1 MIN_TIME=0.2 REPETITIONS=1 JS_CAP_MIB=0.25 JS_BUDGET_S=5
fi

if [[ ! -x $BENCH ]]; then
  echo "missing $BENCH: run 'make bench' (or build the release preset) first" >&2
  exit 1
fi
mkdir -p "$OUT/corpus"

echo "== machine"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "node: $(node --version 2>/dev/null || echo none)"
} | tee "$OUT/machine.txt"

echo "== airlock-bench (corpora ${CORPUS_MIB} MiB, min_time ${MIN_TIME}s, ${REPETITIONS} repetitions)"
# Repetitions with the median reported: the box is shared and noisy.
"$BENCH" --corpus-mib "$CORPUS_MIB" \
  --benchmark_min_time="$MIN_TIME" \
  --benchmark_repetitions="$REPETITIONS" \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$OUT/airlock-bench.json" --benchmark_out_format=json

echo "== corpora for the JS comparison"
"$BENCH" --corpus-mib "$CORPUS_MIB" --write-corpus "$OUT/corpus"

JS_JSON=""
if command -v node >/dev/null; then
  if [[ ! -d bench/js/node_modules ]]; then
    npm ci --prefix bench/js --no-audit --no-fund
  fi
  echo "== JS libraries (first ${JS_CAP_MIB} MiB of each corpus, ${JS_BUDGET_S}s budget per library and corpus)"
  node bench/js/compare.mjs --corpus-dir "$OUT/corpus" --cap-mib "$JS_CAP_MIB" \
    --budget-s "$JS_BUDGET_S" --airlock-bench "$BENCH" --out "$OUT/js.json"
  JS_JSON="$OUT/js.json"
else
  echo "node not found: skipping the JS comparison" >&2
fi

echo "== summary"
node bench/js/summary.mjs "$OUT/airlock-bench.json" ${JS_JSON:+"$JS_JSON"} | tee "$OUT/summary.txt"
