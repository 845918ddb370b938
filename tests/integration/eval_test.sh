#!/usr/bin/env bash
# Smoke test of airlock-eval: a quick run prints the result tables.
# $1: path of the airlock binary; airlock-eval sits next to it.
set -euo pipefail

eval_bin="$(dirname "$1")/airlock-eval"
datasets="${AIRLOCK_DATASETS_DIR:-${AIRLOCK_SOURCE_DIR:-.}/../shared/datasets}"

if [[ ! -x "$eval_bin" ]]; then
  echo "SKIP: $eval_bin not built (benchmarks disabled)"
  exit 0
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT

"$eval_bin" --datasets "$datasets" --quick --random 200 --random-analyzer 50 >"$out"

fail() {
  echo "FAIL: $1" >&2
  cat "$out" >&2
  exit 1
}

grep -q '^# airlock-eval' "$out" || fail "no title"
grep -q '^## Random strings' "$out" || fail "no random-shape section"
grep -q '^| shape | validator |' "$out" || fail "no random-shape table"
if [[ -d "$datasets/presidio-synth-v2" ]]; then
  grep -q '^| Presidio label |' "$out" || fail "no presidio-synth table"
  grep -q '^| scheme | check |' "$out" || fail "no stdnum table"
  grep -q '^| Presidio recognizer |' "$out" || fail "no recognizer table"
fi

# --json is machine-readable.
"$eval_bin" --datasets "$datasets" --quick --random 100 --random-analyzer 20 --only stdnum --json >"$out"
grep -q '"stdnum"' "$out" || fail "no stdnum key in JSON"
echo "PASS"
