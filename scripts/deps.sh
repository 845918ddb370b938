#!/usr/bin/env bash
# Installs every Debian package Airlock needs, idempotently: packages that are
# already installed are skipped, so a second run does nothing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3
  libvectorscan-dev
  libphonenumber-dev
  libprotobuf-dev
  libicu-dev
  libyaml-cpp-dev
  libssl-dev
  nlohmann-json3-dev
  libcli11-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  ccache
  libboost-all-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql
  wrk nginx-light
  libpoppler-cpp-dev libzip-dev poppler-utils bible-kjv
  curl openssl      # gateway integration tests (HTTP client, test certificates)
  python3-prometheus-client  # metrics tests: the reference parser of the text format
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the JavaScript comparison benchmarks; any install will do.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# llama.cpp (not packaged for Debian 12): built once into ~/.cache/airlock; a no-op when there.
bash "$(dirname "$0")/llama.sh"
