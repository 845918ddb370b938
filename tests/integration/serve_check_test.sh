#!/usr/bin/env bash
# `airlock serve --check` on the shipped example configuration: each secret
# the file refers to that cannot be resolved is named (exit 2), in the order
# serve would meet it; once all resolve it says OK (exit 0) without writing
# anything, and the same file then starts the gateway. Also: the local
# backend's model (pin, structure) without loading it, the gateway's and
# the audit trail's stores, the signing key, and extra detector catalogs.
source "$(dirname "$0")/lib.sh"

AIRLOCK=$(realpath "$AIRLOCK")
cd "$WORK" || exit 1
ln -s "$SRC/data" data   # the example's relative paths (adequacy file)
sed "s#/etc/airlock/vault.key#$WORK/vault.key#" "$SRC/examples/airlock.yaml" > airlock.yaml
unset EU_CLOUD_API_KEY US_CLOUD_API_KEY AIRLOCK_AUDIT_KEY AIRLOCK_ALERT_WEBHOOK_SECRET
check() { "$AIRLOCK" serve --config airlock.yaml --check > check.out 2> check.err; }

check; expect_rc "a backend key missing" 2 $?
expect_contains "names the backend key's variable" check.err "EU_CLOUD_API_KEY"
export EU_CLOUD_API_KEY=sk-eu-test US_CLOUD_API_KEY=sk-us-test

check; expect_rc "the audit key missing" 2 $?
expect_contains "names audit.hmac_key" check.err "audit.hmac_key"
expect_contains "names the audit key's variable" check.err "AIRLOCK_AUDIT_KEY"
export AIRLOCK_AUDIT_KEY=0123456789abcdef   # too short: 32 bytes wanted
check; expect_rc "a short audit key" 2 $?
expect_contains "says which key is malformed" check.err "audit.hmac_key"
expect_not_contains "does not echo the key" check.err "0123456789abcdef"
AIRLOCK_AUDIT_KEY=$(openssl rand -hex 32)

check; expect_rc "the vault key file missing" 2 $?
expect_contains "names vault.key and its file" check.err "vault.key: $WORK/vault.key"
(umask 077 && openssl rand -hex 32 > vault.key)

check; expect_rc "the webhook secret missing" 2 $?
expect_contains "names the alert sink" check.err "alerts: airlock.yaml:"
expect_contains "names the webhook secret's variable" check.err "AIRLOCK_ALERT_WEBHOOK_SECRET"
export AIRLOCK_ALERT_WEBHOOK_SECRET=whsec-test

check; expect_rc "everything resolves" 0 $?
expect_contains "says OK" check.out "config OK: 2 workflows, 3 backends"
expect_contains "counts the detectors" check.out "detectors: "
expect_contains "the store would be created" check.out "store: var/airlock.db (will be created)"
expect_contains "the audit store and key would be created" check.out \
  "audit: sqlite:var/audit.db (will be created), signing key var/audit-signing.pem (will be created)"
expect_contains "the local backend has no model" check.out "backend local: no model file"
if [ -e var ]; then fail "--check wrote var/"; ls -la var; else pass "--check writes nothing"; fi
for secret in sk-eu-test sk-us-test whsec-test "$AIRLOCK_AUDIT_KEY"; do
  if grep -qF -- "$secret" check.out check.err; then fail "a secret value in --check output"; fi
done
pass "no secret value in --check output"

# The local backend's model is checked as serve would load it: the pin and
# the file's structure, without loading the weights.
"$(dirname "$AIRLOCK")/airlock-mkmodel" "$WORK/tiny.gguf" >/dev/null; expect_rc "mkmodel writes a model" 0 $?
PIN=$(sha256sum "$WORK/tiny.gguf" | cut -d' ' -f1)
"$AIRLOCK" serve --config airlock.yaml --check --model "$WORK/tiny.gguf" > check.out 2> check.err
expect_rc "an unpinned --model" 0 $?
expect_contains "describes the model" check.out "backend local: $WORK/tiny.gguf: llama"
expect_contains "says it is not pinned" check.out "(not pinned)"
pinned() {  # the example with the local backend's model_file and sha256 set
  sed "s#^    type: local .*#    type: local\n    model_file: $WORK/$1\n    sha256: $2#" airlock.yaml > pinned.yaml
  "$AIRLOCK" serve --config pinned.yaml --check > check.out 2> check.err
}
pinned tiny.gguf "$PIN"; expect_rc "the right pin" 0 $?
expect_contains "verifies the pin" check.out "sha256 pin verified"
pinned tiny.gguf "$(printf '%064d' 0)"; expect_rc "a wrong pin" 2 $?
expect_contains "names the backend and the mismatch" check.err "backend local: $WORK/tiny.gguf: SHA-256 mismatch"
head -c 4096 "$WORK/tiny.gguf" > "$WORK/truncated.gguf"
pinned truncated.gguf "$(sha256sum "$WORK/truncated.gguf" | cut -d' ' -f1)"; expect_rc "a truncated model" 2 $?
expect_contains "names the truncated file" check.err "truncated.gguf"
pinned missing.gguf "$PIN"; expect_rc "a missing model" 2 $?
expect_contains "names the missing file" check.err "missing.gguf: no such file"

# The stores: an audit store that cannot be reached (its password never
# shown), a signing key that is not there, a store path under a file.
sed 's#^audit:#audit:\n  store: postgresql://airlock:pg-secret-pw@127.0.0.1:1/airlock?connect_timeout=2#' airlock.yaml > pg.yaml
"$AIRLOCK" serve --config pg.yaml --check > check.out 2> check.err; expect_rc "an unreachable audit store" 2 $?
expect_contains "names audit.store and the host" check.err "audit.store: audit store postgresql://airlock@127.0.0.1:1/airlock"
expect_not_contains "does not show the password" check.err "pg-secret-pw"
sed 's#^audit:#audit:\n  signing_key: /nonexistent/audit-signing.pem#' airlock.yaml > key.yaml
"$AIRLOCK" serve --config key.yaml --check > check.out 2> check.err; expect_rc "a missing signing key" 2 $?
expect_contains "names audit.signing_key" check.err "audit.signing_key /nonexistent/audit-signing.pem"
touch afile
sed 's#path: var/airlock.db#path: afile/airlock.db#' airlock.yaml > store.yaml
"$AIRLOCK" serve --config store.yaml --check > check.out 2> check.err; expect_rc "a store under a file" 2 $?
expect_contains "names store.path" check.err "store.path: afile/airlock.db"

# Extra detector catalogs are compiled as serve would.
printf 'detectors:\n  - id: broken\n    patterns: ["(unclosed"]\n' > broken.yaml
"$AIRLOCK" serve --config airlock.yaml --check --detectors broken.yaml > check.out 2> check.err
expect_rc "a broken extra catalog" 2 $?
expect_contains "names the catalog file" check.err "broken.yaml"
if [ -e var ]; then fail "--check wrote var/"; ls -la var; else pass "still nothing written"; fi

# What --check accepted starts.
"$AIRLOCK" serve --config airlock.yaml --listen 127.0.0.1:0 > serve.out 2> serve.err &
pid=$!
for _ in $(seq 1 300); do grep -q "listening on" serve.err && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if grep -q "listening on" serve.err; then pass "the checked example config starts"; else fail "serve did not start"; sed 's/^/    | /' serve.err | tail -5; fi
# The phone validator's common regions are compiled in the background.
for _ in $(seq 1 300); do grep -q "phone validation ready" serve.err && break; sleep 0.1; done
if grep -Eq "phone validation ready for (3[0-9]) regions" serve.err; then pass "phone regions compiled at start"
else fail "no phone warm-up line"; grep phone serve.err; fi
kill $pid 2>/dev/null; wait $pid 2>/dev/null
finish
