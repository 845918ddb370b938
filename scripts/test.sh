#!/usr/bin/env bash
# Builds from scratch and runs every test: the release build (unit +
# integration tests) and the sanitizer build (unit tests under ASan+UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j"$JOBS"
echo "== release tests"
ctest --preset release -j"$JOBS"

echo "== sanitizer build (ASan + UBSan)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$JOBS"
echo "== sanitizer tests"
ctest --preset asan -j"$JOBS" -LE integration
