#!/usr/bin/env bash
# `airlock serve --check` on the shipped example configuration: each secret
# the file refers to that cannot be resolved is named (exit 2), in the order
# serve would meet it; once all resolve it says OK (exit 0) without writing
# anything, and the same file then starts the gateway.
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
if [ -e var ]; then fail "--check wrote var/"; ls -la var; else pass "--check writes nothing"; fi
for secret in sk-eu-test sk-us-test whsec-test "$AIRLOCK_AUDIT_KEY"; do
  if grep -qF -- "$secret" check.out check.err; then fail "a secret value in --check output"; fi
done
pass "no secret value in --check output"

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
