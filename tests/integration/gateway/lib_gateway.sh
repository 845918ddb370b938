# Helpers for the gateway integration tests: source after lib.sh.
#   gw_start_provider              the recording stand-in provider ($PROVIDER_PORT, $RECORD)
#   gw_start_mute                  a listener that accepts and never answers ($MUTE_PORT, $MUTE_PID)
#   gw_config > file               the test config (backends on the provider)
#   gw_recite_backend file         adds backend eu-recite (answers with $WORK/recite.txt)
#                                  and workflow recite on it; more workflows may follow
#   gw_key PRINCIPAL ROLE [JUR] [EXTRA...]   prints a new key
#   gw_start [CONFIG]              airlock serve on a free port ($PORT, $BASE, $SERVE_PID)
#   gw_node SCRIPT                 runs tests/integration/node/SCRIPT with the openai package
#   expect_not_recorded NAME VALUE...   none of the values reached the provider
#   gw_audit                       the gateway's audit events as JSON lines (airlock audit tail)
GW_DIR="$SRC/tests/integration/gateway"
NODE_DIR="$SRC/tests/integration/node"
STORE="$WORK/var/airlock.db"
RECORD="$WORK/recorded.jsonl"
: > "$RECORD"
GW_PIDS=()

gw_cleanup() {
  local p
  for p in "${GW_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${GW_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  if [ -n "${GW_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap gw_cleanup EXIT

gw_audit() {
  "$AIRLOCK" audit tail -n 1000000 --format jsonl --store "sqlite:$WORK/var/audit.db"
}

gw_start_mute() {
  python3 - "$WORK/mute.port" <<'PY' &
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])  # the port file appears whole
conns = []
while True:
    c, _ = s.accept(); conns.append(c)  # read nothing, answer nothing
PY
  MUTE_PID=$!
  GW_PIDS+=($MUTE_PID)
  for _ in $(seq 1 50); do [ -s "$WORK/mute.port" ] && break; sleep 0.1; done
  MUTE_PORT=$(cat "$WORK/mute.port")
}

gw_start_provider() {
  python3 "$GW_DIR/fake_provider.py" --port-file "$WORK/provider.port" --record "$RECORD" &
  GW_PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$WORK/provider.port" ] && break; sleep 0.05; done
  PROVIDER_PORT=$(cat "$WORK/provider.port")
}

gw_config() {
  local up="http://127.0.0.1:$PROVIDER_PORT/v1"
  cat <<YAML
server:
  max_body_bytes: 65536
  read_timeout_ms: 2000
  drain_timeout_ms: 5000
store:
  path: $STORE
limits:
  requests_per_second: ${GW_RATE:-200}
  burst: ${GW_BURST:-400}
  max_concurrent: ${GW_CONC:-8}
backends:
  - {name: eu-echo, type: remote, url: "$up", model: echo, jurisdiction: DE, contract: {dpa: DPA-1, no_training: true}}
  - {name: us-echo, type: remote, url: "$up", model: echo, jurisdiction: US}
  - {name: us-dpf, type: remote, url: "$up", model: echo, jurisdiction: US, certifications: [dpf]}
  - {name: ch-echo, type: remote, url: "$up", model: echo, jurisdiction: CH}
  - {name: eu-tool, type: remote, url: "$up", model: toolcall, jurisdiction: DE}
  - {name: eu-leak, type: remote, url: "$up", model: leak, jurisdiction: DE}
  - {name: eu-garbage, type: remote, url: "$up", model: garbage, jurisdiction: DE}
  - {name: eu-error, type: remote, url: "$up", model: error, jurisdiction: DE}
  - {name: eu-sse-length, type: remote, url: "$up", model: sselength, jurisdiction: DE}
  - {name: eu-slow, type: remote, url: "$up", model: slow, jurisdiction: DE, timeout_ms: 1000}
  - {name: eu-slowstream, type: remote, url: "$up", model: slowstream, jurisdiction: DE}
  - {name: eu-hold, type: remote, url: "$up", model: hold, jurisdiction: DE}
  - {name: eu-down, type: remote, url: "http://127.0.0.1:9/v1", model: echo, jurisdiction: DE, connect_timeout_ms: 1000}
  - {name: local, type: local}
workflows:
  - name: crm-assist
    purpose: Summaries of CRM records
    roles: [sales]
    backends: [eu-echo]
    data_classes: {personal: pseudonymise, contact: pseudonymise, financial: pseudonymise,
                   government_id: pseudonymise, special_category: redact, technical: pseudonymise,
                   confidential: redact, credential: block}
    minimise:
      max_document_bytes: 20000
      objects:
        Contact: {keep: [Name, Email, Description]}
  - {name: crm-tools, roles: [sales], backends: [eu-tool], default_action: pseudonymise, data_classes: {credential: block}}
  - {name: crm-mask, roles: [sales], backends: [eu-echo], default_action: mask}
  - {name: crm-redact, roles: [sales], backends: [eu-echo], default_action: redact}
  - {name: crm-files, roles: [sales], backends: [eu-echo], default_action: redact, attachments: text}
  - {name: crm-hash, roles: [sales], backends: [eu-echo], default_action: hash}
  - {name: us-only, roles: [sales], backends: [us-echo], default_action: pseudonymise}
  - {name: us-reroute, roles: [sales], backends: [us-echo, ch-echo], reroute: true, default_action: pseudonymise}
  - {name: us-reroute-local, roles: [sales], backends: [us-echo, ch-echo, local], reroute: true, default_action: pseudonymise}
  - {name: us-dpf, roles: [sales], backends: [us-dpf], default_action: pseudonymise}
  - {name: us-redacted, roles: [sales], backends: [us-echo], default_action: redact}
  - {name: hr-only, roles: [hr], backends: [eu-echo], default_action: pseudonymise}
  - {name: leak-redact, roles: [sales], backends: [eu-leak], default_action: pseudonymise, output: redact}
  - {name: leak-block, roles: [sales], backends: [eu-leak], default_action: pseudonymise, output: block}
  - {name: garbage, roles: [sales], backends: [eu-garbage], default_action: pseudonymise}
  - {name: upstream-error, roles: [sales], backends: [eu-error], default_action: pseudonymise}
  - {name: crm-sse-length, roles: [sales], backends: [eu-sse-length], default_action: pseudonymise}
  - {name: upstream-slow, roles: [sales], backends: [eu-slow], default_action: pseudonymise}
  - {name: upstream-down, roles: [sales], backends: [eu-down], default_action: pseudonymise}
  - {name: slow-stream, roles: [sales], backends: [eu-slowstream], default_action: pseudonymise}
  - {name: upstream-hold, roles: [sales], backends: [eu-hold], default_action: pseudonymise}
YAML
}

gw_recite_backend() {
  sed -i "s#^backends:#backends:\n  - {name: eu-recite, type: remote, url: \"http://127.0.0.1:$PROVIDER_PORT/v1\", model: recite, jurisdiction: DE}#" "$1"
  echo "  - {name: recite, roles: [sales], backends: [eu-recite], default_action: pseudonymise}" >> "$1"
}

gw_key() {
  local principal=$1 role=$2 jur=${3:-DE}
  shift 3 2>/dev/null || shift $#
  "$AIRLOCK" keys create --store "$STORE" --principal "$principal" --role "$role" --jurisdiction "$jur" "$@" 2>/dev/null
}

gw_start() {
  local cfg=${1:-$WORK/airlock.yaml}
  : > "$WORK/serve.log"
  "$AIRLOCK" serve --config "$cfg" --listen 127.0.0.1:0 2>"$WORK/serve.log" &
  gw_wait_started $! "$WORK/serve.log" || exit 1
}

# gw_wait_started PID LOG: waits for "listening on" in LOG; sets SERVE_PID,
# PORT and BASE; returns 1 (after printing LOG) when the server did not start.
gw_wait_started() {
  SERVE_PID=$1
  GW_PIDS+=($SERVE_PID)
  for _ in $(seq 1 600); do
    grep -q "listening on" "$2" && break
    kill -0 $SERVE_PID 2>/dev/null || break
    sleep 0.1
  done
  PORT=$(grep -Eo 'listening on https?://[0-9.]*:[0-9]*' "$2" | sed 's/.*://')
  BASE="http://127.0.0.1:$PORT"
  if [ -z "$PORT" ]; then echo "airlock serve did not start:"; cat "$2"; return 1; fi
}

gw_node_deps() {
  if [ ! -f "$NODE_DIR/node_modules/openai/package.json" ]; then
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --prefer-offline >/dev/null 2>&1) ||
      { echo "cannot install the openai npm package (npm ci in $NODE_DIR)"; exit 1; }
  fi
}

# gw_node SCRIPT: runs it; its "ok - "/"FAIL - " lines count like ours.
gw_node() {
  gw_node_deps
  local out="$WORK/node.out"
  BASE_URL="$BASE/v1" node "$NODE_DIR/$1" >"$out" 2>&1
  local rc=$?
  cat "$out"
  PASSED=$((PASSED + $(grep -c '^ok ' "$out")))
  FAILED=$((FAILED + $(grep -c '^FAIL ' "$out")))
  if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then fail "$1 exited $rc"; fi
}

# curl helpers: gw_post PATH KEY BODY -> $WORK/resp.json, prints status
gw_post() {
  curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    "${@:4}" --data-binary "$3" "$BASE$1"
}
gw_get() {
  curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "Authorization: Bearer $2" "${@:3}" "$BASE$1"
}
expect_status() {
  if [ "$3" = "$2" ]; then pass "$1 (HTTP $3)"; else fail "$1: HTTP $3, wanted $2"; head -c 400 "$WORK/resp.json"; echo; fi
}

expect_not_recorded() {
  local name=$1
  shift
  local v leaked=""
  for v in "$@"; do
    if grep -qF -- "$v" "$RECORD"; then leaked="$leaked [$v]"; fi
  done
  if [ -z "$leaked" ]; then pass "$name: no detected value reached the provider"; else fail "$name: reached the provider:$leaked"; fi
}
recorded_count() { wc -l < "$RECORD" | tr -d ' '; }
