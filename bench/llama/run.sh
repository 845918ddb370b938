#!/usr/bin/env bash
# Airlock's local engine against llama.cpp's own llama-bench, built from the
# same llama.cpp source, on the same random-weight model (about 270 M
# parameters, llama architecture) quantised to q8_0 and q4_k_m, with the same
# threads: prompt processing (pp) and generation (tg) tokens/s, aggregate
# tokens/s for 1, 2, 4 and 8 concurrent sequences, and RSS against model size.
#
#   bash bench/llama/run.sh                 # results in build/bench-results/llama
#   THREADS=2 PP=128 TG=32 REPS=3 bash bench/llama/run.sh
# THREADS defaults to 1: on a shared machine OpenMP threads that spin-wait
# for a core make every multi-threaded number noise.
#   QUICK=1 bash bench/llama/run.sh         # a small model, to check the script
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build/release}
OUT=${OUT:-build/bench-results/llama}
THREADS=${THREADS:-1}
PP=${PP:-128}
TG=${TG:-32}
REPS=${REPS:-3}
QUANTS=${QUANTS:-"q8_0 q4_k_m"}
PARALLEL=${PARALLEL:-"1 2 4 8"}
# The raw driver also times tg after a RAW_AFTER-token prompt (28: what the
# chat template alone gives), alternating with its plain tg: the cost of
# generating at later positions, which llama-bench's tg (empty context) and
# the engine's tg (2-token prompt) leave out. 0: off.
RAW_AFTER=${RAW_AFTER:-28}
mkdir -p "$OUT"

# llama-bench needs a second full llama.cpp build (tools on); SKIP_LLAMA_BENCH=1
# compares with airlock-llama-raw only (llama.cpp's API driven like llama-bench).
if [ -z "${SKIP_LLAMA_BENCH:-}" ]; then
  LLAMA_BENCH=$(bash scripts/llama.sh --bench)
  echo "llama-bench: $LLAMA_BENCH" >&2
fi
git -C "$(dirname "$(bash scripts/llama.sh --prefix)")/../src-3.21.1" rev-parse --short HEAD 2>/dev/null >"$OUT/llama-commit.txt" || true

# MODEL=path/to/real-f16.gguf benchmarks a real model instead of the random one.
BASE="${MODEL:-$OUT/base-f16.gguf}"
if [ ! -f "$BASE" ]; then
  if [ -n "${QUICK:-}" ]; then
    "$BUILD/airlock-mkmodel" "$BASE" --embd 256 --layers 4 --heads 8 --ff 768 --ctx 1024 --f16 --untied
  else
    "$BUILD/airlock-mkmodel" "$BASE" --embd 1024 --layers 16 --heads 16 --kv-heads 8 --ff 2816 --ctx 2048 --f16 --untied
  fi
fi

for q in $QUANTS; do
  M="$OUT/$(basename "$BASE" .gguf)-$q.gguf"
  [ -f "$M" ] || "$BUILD/airlock" model quantize "$BASE" "$M" --type "$q" -t "$THREADS" >&2
  if [ -n "${LLAMA_BENCH:-}" ]; then
    echo "== $q: llama-bench" >&2
    "$LLAMA_BENCH" -m "$M" -t "$THREADS" -p "$PP" -n "$TG" -r "$REPS" -o json >"$OUT/llama-bench-$q.json"
  fi
  echo "== $q: airlock-llama-raw" >&2
  "$BUILD/airlock-llama-raw" "$M" "$THREADS" "$PP" "$TG" "$REPS" "$RAW_AFTER" >"$OUT/raw-$q.json"
  for p in $PARALLEL; do
    echo "== $q: airlock model bench --parallel $p" >&2
    /usr/bin/time -f '%M' -o "$OUT/airlock-$q-p$p.maxrss" \
      "$BUILD/airlock" model bench "$M" -t "$THREADS" --prompt-tokens "$PP" --gen-tokens "$TG" \
      -r "$REPS" --parallel "$p" -f json >"$OUT/airlock-$q-p$p.json"
  done
done

python3 bench/llama/summary.py "$OUT" $QUANTS | tee "$OUT/summary.md"
