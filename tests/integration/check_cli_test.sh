#!/usr/bin/env bash
# `airlock check`: the deployment gate, end to end with the real binary.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

# The built-in default passes at --fail-on high (the default threshold).
"$AIRLOCK" check >"$WORK/default.txt" 2>&1
expect_rc "built-in default passes at --fail-on high" 0 $?
expect_contains "report names the adequacy list date" "$WORK/default.txt" "EEA/adequacy list as of 20"

# The careless emergency example fails with the findings it was written for.
"$AIRLOCK" check --config examples/emergency.yaml -f json -o "$WORK/emergency.json"
expect_rc "emergency example fails" 1 $?
for id in AL-NET-001 AL-UP-001 AL-UP-002 AL-TRANSFER-001 AL-TRANSFER-003 AL-TRANSFER-004 \
          AL-AUTH-001 AL-DLP-002 AL-DLP-004 AL-DLP-005 AL-DLP-006 AL-GOV-002 AL-GOV-006; do
  json_check "emergency: $id fails" "$WORK/emergency.json" \
    "any(r['control']=='$id' and r['outcome']=='fail' for r in d['results'])"
done
json_check "emergency: results name file and line" "$WORK/emergency.json" \
  "all(r['location'].startswith('examples/emergency.yaml:') for r in d['results'] if r['outcome']=='fail' and r['control']!='AL-TRANSFER-005' and r['config_path'] not in ('organisation','alerts.sinks','alerts.canaries','alerts.rules','audit.max_retention_days','audit.signing_key','keys.max_lifetime_days'))"

# Formats: SARIF 2.1.0 and JUnit XML are well-formed and carry the findings.
"$AIRLOCK" check --config examples/emergency.yaml -f sarif >"$WORK/e.sarif"
expect_rc "sarif exit code" 1 $?
json_check "sarif: version, rules and results" "$WORK/e.sarif" \
  "d['version']=='2.1.0' and len(d['runs'][0]['tool']['driver']['rules'])>=40 and any(r['ruleId']=='AL-UP-001' and r['locations'][0]['physicalLocation']['region']['startLine']>0 for r in d['runs'][0]['results'])"
"$AIRLOCK" check --config examples/emergency.yaml -f junit >"$WORK/e.xml"
if python3 -c "
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
fails = [c for c in t.iter('testcase') if c.find('failure') is not None]
sys.exit(0 if t.tag == 'testsuites' and len(fails) >= 13 else 1)" "$WORK/e.xml"; then
  pass "junit: parses, failures as <failure>"
else
  fail "junit: not well-formed or too few failures"
fi

# --fail-on: only critical failures count.
"$AIRLOCK" check --config examples/emergency.yaml --fail-on critical >/dev/null
expect_rc "emergency still fails at critical" 1 $?
"$AIRLOCK" check --fail-on info >/dev/null
expect_rc "default has low/medium findings: fails at info" 1 $?

# Waivers: a valid one hides nothing but stops the failure from counting;
# an expired one fails; an unknown id is an error naming the line.
cat >"$WORK/careless-but-waived.yaml" <<'YAML'
server: {listen: 127.0.0.1:8080}
backends:
  - {name: cloud, type: remote, url: "http://api.example.eu/v1", jurisdiction: DE,
     contract: {dpa: DPA-1, no_training: true, no_retention: true}}
workflows:
  - name: notes
    purpose: p
    legal_basis: contract
    data_categories: [a]
    data_subjects: [b]
    recipients: [c]
    retention: d
    roles: [user]
    backends: [cloud]
    data_classes: {personal: pseudonymise, credential: block, confidential: block, special_category: block}
YAML
"$AIRLOCK" check --config "$WORK/careless-but-waived.yaml" -f json -o "$WORK/w0.json"
expect_rc "config with one high failure" 1 $?
json_check "the high failure is AL-UP-002" "$WORK/w0.json" \
  "[r['control'] for r in d['results'] if r['outcome']=='fail' and r['severity'] in ('high','critical')]==['AL-UP-002']"
cat >"$WORK/waivers.yaml" <<'YAML'
waivers:
  - id: AL-UP-002
    justification: The provider's TLS endpoint goes live in January; test data only until then.
    owner: ciso@example.com
    ticket: SEC-101
    expires: 2099-12-31
YAML
"$AIRLOCK" check --config "$WORK/careless-but-waived.yaml" --waivers "$WORK/waivers.yaml" -f json -o "$WORK/w1.json"
expect_rc "valid waiver: passes" 0 $?
json_check "waived result stays in the report with its ticket" "$WORK/w1.json" \
  "any(r['control']=='AL-UP-002' and r['outcome']=='waived' and r['waiver']['ticket']=='SEC-101' for r in d['results'])"
sed 's/2099-12-31/2020-01-31/' "$WORK/waivers.yaml" >"$WORK/expired.yaml"
"$AIRLOCK" check --config "$WORK/careless-but-waived.yaml" --waivers "$WORK/expired.yaml" >"$WORK/exp.txt"
expect_rc "expired waiver: fails" 1 $?
expect_contains "expired waiver is named" "$WORK/exp.txt" "EXPIRED on 2020-01-31"
sed 's/AL-UP-002/AL-DLP-999/' "$WORK/waivers.yaml" >"$WORK/unknown.yaml"
"$AIRLOCK" check --config "$WORK/careless-but-waived.yaml" --waivers "$WORK/unknown.yaml" 2>"$WORK/unk.err"
expect_rc "unknown waiver id: cannot run" 2 $?
expect_contains "unknown id named with its line" "$WORK/unk.err" "unknown.yaml:2: waiver for unknown control id 'AL-DLP-999'"

# Unreadable or invalid config: exit 2, named precisely.
"$AIRLOCK" check --config "$WORK/missing.yaml" 2>"$WORK/m.err"
expect_rc "missing config" 2 $?
expect_contains "missing config named" "$WORK/m.err" "missing.yaml: cannot read"
printf 'server:\n  listen: [\n' >"$WORK/broken.yaml"
"$AIRLOCK" check --config "$WORK/broken.yaml" 2>"$WORK/b.err"
expect_rc "broken YAML" 2 $?
expect_contains "broken YAML names the line" "$WORK/b.err" "broken.yaml:"

# --ropa: Markdown and CSV records of processing.
"$AIRLOCK" check --config "$WORK/careless-but-waived.yaml" --ropa "$WORK/ropa.md" --ropa "$WORK/ropa.csv" >/dev/null
expect_contains "ropa markdown has the workflow" "$WORK/ropa.md" "## notes"
expect_contains "ropa csv has the header" "$WORK/ropa.csv" "workflow,purpose,legal_basis"

# --live against stand-ins for a deployed instance: a careless proxy that
# answers 200 to everything, and one that refuses unauthenticated calls.
PORT_FILE="$WORK/port"
# start_stub CODE: an HTTP stand-in for a deployed instance that answers CODE
# to everything except /readyz (200); sets STUB and writes its port.
cat >"$WORK/stub.py" <<'PY'
import http.server, sys
code = int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        n = int(self.headers.get('Content-Length') or 0)
        self.rfile.read(n)
        c = 200 if self.path == '/readyz' else code
        self.send_response(c); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'{}')
    do_GET = do_POST = _answer
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
open(sys.argv[1], 'w').write(str(s.server_port))
s.serve_forever()
PY
start_stub() {
  rm -f "$PORT_FILE"
  python3 "$WORK/stub.py" "$PORT_FILE" "$1" >"$WORK/stub$1.log" 2>&1 &
  STUB=$!
  for _ in $(seq 50); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
}
start_stub 200
"$AIRLOCK" check --live "http://127.0.0.1:$(cat "$PORT_FILE")" -f json -o "$WORK/live-bad.json"
expect_rc "live: careless instance fails" 1 $?
for id in AL-LIVE-002 AL-LIVE-003 AL-LIVE-004; do
  json_check "live: $id fails on a 200-to-everyone instance" "$WORK/live-bad.json" \
    "any(r['control']=='$id' and r['outcome']=='fail' for r in d['results'])"
done
json_check "live: plain HTTP on loopback is accepted" "$WORK/live-bad.json" \
  "any(r['control']=='AL-LIVE-001' and r['outcome']=='pass' for r in d['results'])"
kill $STUB 2>/dev/null; wait $STUB 2>/dev/null
start_stub 401
"$AIRLOCK" check --live "http://127.0.0.1:$(cat "$PORT_FILE")" -f json -o "$WORK/live-good.json"
expect_rc "live: locked-down instance passes" 0 $?
json_check "live: every live probe ran and passed" "$WORK/live-good.json" \
  "all(r['outcome'] in ('pass','not-applicable') for r in d['results'] if r['control'].startswith('AL-LIVE'))"
kill $STUB 2>/dev/null; wait $STUB 2>/dev/null
"$AIRLOCK" check --live "http://127.0.0.1:1" -f json -o "$WORK/live-down.json"
json_check "live: unreachable instance is an error, not a pass" "$WORK/live-down.json" \
  "any(r['control']=='AL-LIVE-004' and r['outcome']=='error' for r in d['results'])"

# --live over TLS: a listener that still speaks TLS 1.1 fails, a modern one
# passes (certificate verified against the test CA).
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/k.pem" -out "$WORK/c.pem" -days 2 \
     -subj /CN=localhost -addext "subjectAltName=DNS:localhost" 2>/dev/null; then
  cat >"$WORK/tls.py" <<'PY'
import http.server, ssl, sys, warnings
warnings.simplefilter('ignore')
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(401); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'{}')
    do_POST = do_GET
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
if sys.argv[2] == 'old':
    ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
    ctx.minimum_version = ssl.TLSVersion.TLSv1
s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(sys.argv[1], 'w').write(str(s.server_port))
s.serve_forever()
PY
  for mode in new old; do
    rm -f "$PORT_FILE"
    python3 "$WORK/tls.py" "$PORT_FILE" $mode "$WORK/c.pem" "$WORK/k.pem" &
    STUB=$!
    for _ in $(seq 50); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
    "$AIRLOCK" check --live "https://localhost:$(cat "$PORT_FILE")" --ca-file "$WORK/c.pem" -f json -o "$WORK/tls-$mode.json"
    want=pass; [ $mode = old ] && want=fail
    json_check "live TLS ($mode listener): AL-LIVE-001 $want" "$WORK/tls-$mode.json" \
      "any(r['control']=='AL-LIVE-001' and r['outcome']=='$want' for r in d['results'])"
    kill $STUB 2>/dev/null; wait $STUB 2>/dev/null
  done
else
  fail "openssl could not make a test certificate"
fi

finish
