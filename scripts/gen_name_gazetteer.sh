#!/usr/bin/env bash
# Regenerates data/detectors/names/{given,surname}.txt from pinned releases of
# @faker-js/faker and @cspell/dict-people-names fetched with npm (see
# data/detectors/names/SOURCE.md).
set -euo pipefail
FAKER_VERSION="${FAKER_VERSION:-10.6.0}"
CSPELL_NAMES_VERSION="${CSPELL_NAMES_VERSION:-1.1.16}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/faker" "$work/cspell"
(cd "$work/faker" && npm pack --silent "@faker-js/faker@${FAKER_VERSION}" >/dev/null && tar xzf ./*.tgz)
(cd "$work/cspell" && npm pack --silent "@cspell/dict-people-names@${CSPELL_NAMES_VERSION}" >/dev/null &&
  tar xzf ./*.tgz)
node "$root/scripts/gen_name_gazetteer.mjs" "$work/faker/package" "$work/cspell/package" \
  "$root/data/detectors/names"
