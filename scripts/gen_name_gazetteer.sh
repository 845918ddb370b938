#!/usr/bin/env bash
# Regenerates data/detectors/names/{given,surname}.txt from a pinned
# @faker-js/faker release fetched with npm (see data/detectors/names/SOURCE.md).
set -euo pipefail
FAKER_VERSION="${FAKER_VERSION:-10.6.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@faker-js/faker@${FAKER_VERSION}" >/dev/null && tar xzf ./*.tgz)
node "$root/scripts/gen_name_gazetteer.mjs" "$work/package" "$root/data/detectors/names"
