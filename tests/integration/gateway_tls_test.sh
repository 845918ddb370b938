#!/usr/bin/env bash
# TLS both ways: upstream certificates are verified (CA bundle, host name),
# and the listener serves HTTPS with optional client certificates (mTLS).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gateway/lib_gateway.sh"

# A test CA, a server certificate for "localhost" only, a client certificate.
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=Airlock Test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
printf "subjectAltName=DNS:localhost\n" > san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=crm-integration" 2>/dev/null
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
[ -s server.pem ] && [ -s client.pem ] && pass "test certificates made" || { fail "openssl could not make certificates"; finish; exit 1; }

python3 "$GW_DIR/fake_provider.py" --port-file "$WORK/provider.port" --record "$RECORD" \
  --tls-cert server.pem --tls-key server.key &
GW_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/provider.port" ] && break; sleep 0.05; done
PP=$(cat "$WORK/provider.port")

cat > airlock.yaml <<YAML
server:
  tls: {cert: $WORK/server.pem, key: $WORK/server.key, client_ca: $WORK/ca.pem}
store: {path: $STORE}
backends:
  - {name: verified, type: remote, url: "https://localhost:$PP/v1", ca_bundle: $WORK/ca.pem, model: echo, jurisdiction: DE}
  - {name: untrusted, type: remote, url: "https://localhost:$PP/v1", model: echo, jurisdiction: DE}
  - {name: wrong-host, type: remote, url: "https://127.0.0.1:$PP/v1", ca_bundle: $WORK/ca.pem, model: echo, jurisdiction: DE}
workflows:
  - {name: verified, roles: [sales], backends: [verified], default_action: pseudonymise}
  - {name: untrusted, roles: [sales], backends: [untrusted], default_action: pseudonymise}
  - {name: wrong-host, roles: [sales], backends: [wrong-host], default_action: pseudonymise}
YAML
KEY=$(gw_key alice sales DE)
gw_start "$WORK/airlock.yaml"
grep -q "listening on https://" serve.log && pass "listener speaks HTTPS" || fail "listener is not HTTPS"
BASE="https://localhost:$PORT"
TLS=(--cacert ca.pem --cert client.pem --key client.key)
body() { printf '{"model":"%s","messages":[{"role":"user","content":"IBAN DE89 3704 0044 0532 0130 00"}]}' "$1"; }

expect_status "mTLS client reaches healthz" 200 "$(curl -s "${TLS[@]}" -o resp.json -w '%{http_code}' "$BASE/healthz")"
code=$(curl -s --cacert ca.pem -o resp.json -w '%{http_code}' "$BASE/healthz")
if [ "$code" = "000" ]; then pass "no client certificate: handshake refused"; else fail "no client certificate got HTTP $code"; fi
code=$(curl -s -o resp.json -w '%{http_code}' "$BASE/healthz")
[ "$code" = "000" ] && pass "client that does not trust the CA fails" || fail "untrusting client got $code"

expect_status "upstream with CA bundle" 200 "$(curl -s "${TLS[@]}" -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" -d "$(body verified)" "$BASE/v1/chat/completions")"
json_check "reply over verified TLS rehydrated" "$WORK/resp.json" "'DE89 3704 0044 0532 0130 00' in d['choices'][0]['message']['content']"
n=$(recorded_count)
expect_status "upstream not trusted by the system store" 502 "$(curl -s "${TLS[@]}" -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" -d "$(body untrusted)" "$BASE/v1/chat/completions")"
json_check "says TLS handshake failed" "$WORK/resp.json" "'TLS handshake failed' in d['error']['message']"
expect_status "upstream certificate for another host name" 502 "$(curl -s "${TLS[@]}" -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" -d "$(body wrong-host)" "$BASE/v1/chat/completions")"
[ "$(recorded_count)" = "$n" ] && pass "nothing reached an unverified upstream" || fail "an unverified upstream got a request"
expect_not_recorded "tls" "DE89 3704 0044 0532 0130 00"
finish
