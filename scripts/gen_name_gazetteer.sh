#!/usr/bin/env bash
# Regenerates data/detectors/names/{given,surname,common,proper}.txt from
# pinned releases of @faker-js/faker, @cspell/dict-people-names and
# humannames fetched with npm, and the Debian word lists (see
# data/detectors/names/SOURCE.md). Needs the Debian packages wamerican,
# wngerman, wfrench, wspanish, witalian and wdutch (DICT_DIR, default
# /usr/share/dict); results depend on their versions (listed in SOURCE.md).
set -euo pipefail
FAKER_VERSION="${FAKER_VERSION:-10.6.0}"
CSPELL_NAMES_VERSION="${CSPELL_NAMES_VERSION:-1.1.16}"
HUMANNAMES_VERSION="${HUMANNAMES_VERSION:-1.0.5}"
DICT_DIR="${DICT_DIR:-/usr/share/dict}"
root="$(cd "$(dirname "$0")/.." && pwd)"
for d in american-english ngerman french spanish italian dutch; do
  [[ -r "$DICT_DIR/$d" ]] || {
    echo "missing $DICT_DIR/$d: apt-get install wamerican wngerman wfrench wspanish witalian wdutch" >&2
    exit 1
  }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/faker" "$work/cspell" "$work/humannames"
(cd "$work/faker" && npm pack --silent "@faker-js/faker@${FAKER_VERSION}" >/dev/null && tar xzf ./*.tgz)
(cd "$work/cspell" && npm pack --silent "@cspell/dict-people-names@${CSPELL_NAMES_VERSION}" >/dev/null &&
  tar xzf ./*.tgz)
(cd "$work/humannames" && npm pack --silent "humannames@${HUMANNAMES_VERSION}" >/dev/null &&
  tar xzf ./*.tgz)
node "$root/scripts/gen_name_gazetteer.mjs" "$work/faker/package" "$work/cspell/package" \
  "$work/humannames/package" "$DICT_DIR" "$root/data/detectors/names"
