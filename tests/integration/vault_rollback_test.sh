#!/usr/bin/env bash
# The sanitize mapping file cannot be rolled back: a copy from before a
# `reidentify --forget` (or any older copy) put back in place is refused,
# as are spliced or truncated entries and a missing file, with exit 2 and
# nothing written; the generation ledger in the store database holds no
# scope, value or key.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
python3 -c "import secrets; print(secrets.token_hex(32))" > vault.key
chmod 600 vault.key
cat > cfg.yaml <<YAML
backends:
  - {name: eu, type: remote, url: "https://example.invalid/v1", jurisdiction: DE}
workflows:
  - {name: pseudo, roles: [data], backends: [eu], default_action: pseudonymise}
vault:
  key: {file: $WORK/vault.key}
YAML
VAULT="$WORK/var/sanitize-mappings.vault"
printf 'Name,Note\nErika Mustermann,first\nJonas Weber,second\n' > hr.csv

"$AIRLOCK" sanitize hr.csv --config cfg.yaml --workflow pseudo --scope hr-2026 -o hr.out.csv 2>err.txt
expect_rc "sanitize keeps the mapping" 0 $?
cp "$VAULT" before-forget.vault
"$AIRLOCK" reidentify hr.out.csv --config cfg.yaml --scope hr-2026 -o hr.back.csv 2>/dev/null
expect_rc "reidentify from the current file" 0 $?
expect_contains "values back" hr.back.csv "Erika Mustermann"
"$AIRLOCK" reidentify --config cfg.yaml --scope hr-2026 --forget 2>/dev/null
expect_rc "forget the scope" 0 $?
cp "$VAULT" newest.vault

python3 - "$WORK/var/airlock.db" <<'PY' && pass "ledger: one row, generation 2, nothing but a path, an id and numbers" || fail "ledger row"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT path, file_id, generation FROM mapping_generations").fetchall()
assert len(rows) == 1 and rows[0][0].endswith("var/sanitize-mappings.vault") and rows[0][2] == 2, rows
assert len(rows[0][1]) == 32 and all(c in "0123456789abcdef" for c in rows[0][1]), rows
PY
[ -s var/airlock.db ] && pass "store database written" || fail "no store database"
for v in Erika Mustermann hr-2026 "$(cat vault.key)"; do
  if [ ! -s var/airlock.db ] || cat var/airlock.db* | grep -aqF -- "$v"; then fail "'$v' in the store database"; else pass "store database holds no '$v'"; fi
done

# The copy from before --forget, put back: the forgotten scope must stay forgotten.
cp before-forget.vault "$VAULT"
rm -f back2.csv
"$AIRLOCK" reidentify hr.out.csv --config cfg.yaml --scope hr-2026 -o back2.csv 2>err.txt
expect_rc "reidentify refuses a rolled-back mapping file" 2 $?
expect_contains "says it was rolled back" err.txt "rolled back: it is generation 1, generation 2 was written"
if [ ! -e back2.csv ] && [ ! -e back2.csv.tmp ]; then pass "nothing re-identified"; else fail "values restored from a rolled-back file"; fi
"$AIRLOCK" sanitize hr.csv --config cfg.yaml --workflow pseudo --scope hr-2027 -o x.csv 2>err.txt
expect_rc "sanitize refuses to write on top of a rolled-back file" 2 $?
expect_contains "sanitize says rolled back" err.txt "rolled back"
if [ ! -e x.csv ]; then pass "no export written"; else fail "export written over a rolled-back vault"; fi
if cmp -s before-forget.vault "$VAULT"; then pass "the refused file is left as it was"; else fail "refused file changed"; fi

# Spliced: the newest header with the older copy's entries.
python3 - newest.vault before-forget.vault "$VAULT" <<'PY'
import sys
new, old = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
header = len(new)  # the newest file has no entries left after --forget
open(sys.argv[3], "wb").write(new + old[header:] if len(old) > header else new + b"x")
PY
"$AIRLOCK" reidentify hr.out.csv --config cfg.yaml --scope hr-2026 -o back3.csv 2>err.txt
expect_rc "spliced entries refused" 2 $?
expect_contains "says the entries do not match" err.txt "do not match its manifest"

rm -f "$VAULT"
"$AIRLOCK" sanitize hr.csv --config cfg.yaml --workflow pseudo --scope hr-2027 -o x.csv 2>err.txt
expect_rc "a missing mapping file the ledger knows is refused" 2 $?
expect_contains "says it is missing" err.txt "missing, but generation 2"

cp newest.vault "$VAULT"
"$AIRLOCK" sanitize hr.csv --config cfg.yaml --workflow pseudo --scope hr-2027 -o x.csv 2>/dev/null
expect_rc "the newest copy restored: sanitize works again" 0 $?
python3 -c "
import sqlite3; r = sqlite3.connect('$WORK/var/airlock.db').execute('SELECT generation FROM mapping_generations').fetchall()
assert r == [(3,)], r" && pass "generation 3 recorded" || fail "ledger not advanced"
finish
