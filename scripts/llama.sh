#!/usr/bin/env bash
# Builds llama.cpp (CPU, static, no tools/examples/network) once into a prefix
# outside the repository, keyed by the llama.cpp commit:
#   ${XDG_CACHE_HOME:-~/.cache}/airlock/llama.cpp/<commit>/install
# (AIRLOCK_LLAMA_ROOT= moves the whole llama.cpp folder elsewhere).
# The source comes from the npm package node-llama-cpp, which ships the
# llama.cpp git history as llama/gitRelease.bundle. A second run finds the
# prefix and does nothing.
#
#   scripts/llama.sh            build the library prefix (idempotent)
#   scripts/llama.sh --prefix   print the prefix path (no build)
#   scripts/llama.sh --bench    also build llama-bench in a separate build dir
#                               (for bench/llama only) and print its path
set -euo pipefail

NODE_LLAMA_CPP_VERSION="3.21.1"
ROOT="${AIRLOCK_LLAMA_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock/llama.cpp}"
PKG_DIR="$ROOT/npm-node-llama-cpp-$NODE_LLAMA_CPP_VERSION"
SRC="$ROOT/src-$NODE_LLAMA_CPP_VERSION"
JOBS="${AIRLOCK_LLAMA_JOBS:-2}"

fetch_source() {
  if [ -d "$SRC/.git" ]; then return; fi
  mkdir -p "$PKG_DIR"
  if [ ! -f "$PKG_DIR/package/llama/gitRelease.bundle" ]; then
    echo "llama: fetching node-llama-cpp@$NODE_LLAMA_CPP_VERSION with npm" >&2
    (cd "$PKG_DIR" && npm pack --silent "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" >/dev/null &&
      tar xzf "node-llama-cpp-$NODE_LLAMA_CPP_VERSION.tgz" package/llama/gitRelease.bundle)
  fi
  rm -rf "$SRC.tmp"
  git -c advice.detachedHead=false clone -q "$PKG_DIR/package/llama/gitRelease.bundle" "$SRC.tmp"
  mv "$SRC.tmp" "$SRC"
}

commit() { git -C "$SRC" rev-parse --short=7 HEAD; }

if [ "${1:-}" = "--prefix" ]; then
  fetch_source
  echo "$ROOT/$(commit)/install"
  exit 0
fi

fetch_source
COMMIT="$(commit)"
PREFIX="$ROOT/$COMMIT/install"

if [ ! -f "$PREFIX/lib/cmake/llama/llama-config.cmake" ]; then
  BUILD="$ROOT/$COMMIT/build"
  echo "llama: building llama.cpp $COMMIT into $PREFIX (takes a few minutes)" >&2
  start=$(date +%s)
  cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF \
    -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_CURL=OFF >/dev/null
  ninja -C "$BUILD" -j"$JOBS" llama >/dev/null
  cmake --install "$BUILD" >/dev/null
  # The vocab files carry the tokenizers the test models are built from.
  mkdir -p "$PREFIX/share/llama-vocab"
  cp "$SRC"/models/ggml-vocab-*.gguf "$PREFIX/share/llama-vocab/"
  rm -rf "$BUILD"
  echo "llama: built in $(( $(date +%s) - start )) s" >&2
fi

if [ "${1:-}" = "--bench" ]; then
  BENCH_BUILD="$ROOT/$COMMIT/build-tools"
  if [ ! -x "$BENCH_BUILD/bin/llama-bench" ]; then
    echo "llama: building llama-bench $COMMIT" >&2
    cmake -S "$SRC" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF \
      -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=ON \
      -DLLAMA_CURL=OFF >/dev/null
    ninja -C "$BENCH_BUILD" -j"$JOBS" llama-bench >/dev/null
  fi
  echo "$BENCH_BUILD/bin/llama-bench"
fi
