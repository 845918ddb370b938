# Helpers for integration tests: source this file. Each test script gets the
# airlock binary as $1.
set -uo pipefail
AIRLOCK=${1:?usage: $0 path/to/airlock}
SRC=${AIRLOCK_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export AIRLOCK_CACHE_DIR="${AIRLOCK_TEST_CACHE_DIR:-$SRC/build/test-cache}"
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; }

# expect_rc NAME WANT GOT
expect_rc() {
  if [ "$3" -eq "$2" ]; then pass "$1 (exit $3)"; else fail "$1: exit $3, wanted $2"; fi
}
# expect_contains NAME FILE NEEDLE
expect_contains() {
  if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' not in output"; sed 's/^/    | /' "$2" | head -20; fi
}
expect_not_contains() {
  if grep -qF -- "$3" "$2"; then fail "$1: '$3' found in output"; else pass "$1"; fi
}
# json_check NAME FILE PYTHON_EXPR (d is the parsed JSON; the expression must be true)
json_check() {
  if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2" 2>"$WORK/py.err"; then
    pass "$1"
  else
    fail "$1: JSON check failed: $3"; head -5 "$WORK/py.err"
  fi
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
