#!/usr/bin/env bash
# Texts built to make a scanner's work grow faster than their size: long
# lines full of '=' (quoted-printable look-alikes, "k=v" and "password="
# pairs) and long chains of overlapping findings ("Max Max Max ...",
# "1.1.1.1..."). Each is scanned in block mode and as a stream of 64-byte
# chunks; both must finish, agree, and exit as for any other text.
#
# Before the fixes of session 9, a 1 MB line of "k=v " took 90 s in block
# mode (each '=' searched back to its line's start), 1 MB of "Max " about a
# minute as a stream (every write re-sorted and re-walked the whole chain of
# unresolved findings), and 1 MiB of one-statement lines (";\n") 150 s (the
# source-code validator re-read every line for each of the up to 512
# overlapping runs holding it; since session 10 it sums each run from running
# totals instead, 2 MiB in under a second); the texts here would take far
# longer. Each
# scan runs under `timeout 120`, about 30 times what the scan needs now on
# the CI machine: a guard against superlinear work, not a speed measurement.
source "$(dirname "$0")/lib.sh"

python3 - "$WORK" <<'PY'
import sys
work = sys.argv[1]
size = 2 << 20
trigger = ' QWxhZGRpbjpvcGVuIHNlc2FtZQ0KQWxhZGRpbjpvcGVuIHNlc2FtZQ== caf=C3=A9 =3D'
for name, unit in [('kv', 'k=v '), ('password', 'password='), ('qp', '=3D '),
                   ('names', 'Max '), ('dotted', '1.'), ('spaced', 'a '), ('digits', '1-'),
                   ('statements', ';\n'), ('softbreaks', '=\n')]:
    text = (unit * (size // len(unit) + 1))[:size] + trigger + ' mail jane.doe@example.com\n'
    open(f'{work}/{name}.txt', 'w').write(text)
PY

for name in kv password qp names dotted spaced digits statements softbreaks; do
  f="$WORK/$name.txt"
  timeout 120 "$AIRLOCK" scan -f json "$f" >"$WORK/$name.block" 2>"$WORK/$name.err"
  rc=$?
  if [ $rc -eq 124 ]; then fail "$name: block scan did not finish in 120 s"; continue; fi
  expect_rc "$name: block scan" 1 $rc
  json_check "$name: the e-mail address at the end" "$WORK/$name.block" \
    "any(f['entity_type']=='EMAIL_ADDRESS' for f in d['findings'])"
  timeout 120 "$AIRLOCK" scan -f json --stream-chunk 64 "$f" >"$WORK/$name.stream" 2>"$WORK/$name.err"
  rc=$?
  if [ $rc -eq 124 ]; then fail "$name: stream scan did not finish in 120 s"; continue; fi
  expect_rc "$name: stream scan" 1 $rc
  if cmp -s "$WORK/$name.block" "$WORK/$name.stream"; then
    pass "$name: stream and block findings agree"
  else
    fail "$name: stream and block findings differ"
    diff "$WORK/$name.block" "$WORK/$name.stream" | head -10
  fi
done
finish
