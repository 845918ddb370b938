#!/usr/bin/env bash
# Gateway overhead: wrk against Airlock forwarding to a fast local upstream,
# next to nginx as a plain reverse proxy to the same upstream, in the same run.
#
#   bash bench/gateway/run.sh                 # DURATION=10 CONNECTIONS=16 THREADS=2
#
# The upstream is nginx answering a fixed chat.completion JSON (no model);
# both proxies forward to it over keep-alive HTTP/1.1. Bodies: 1 KB, 16 KB and
# 256 KB chat requests of CRM-like prose with names, e-mails and IBANs, which
# Airlock scans and pseudonymises in full. Non-streamed only.
# Prints one line per (proxy, size): requests/s and latency percentiles.
set -euo pipefail
cd "$(dirname "$0")/../.."
AIRLOCK=${AIRLOCK:-build/release/airlock}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
W=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(free_port); NGX=$(free_port)

mkdir -p "$W/nginx/logs"
cat > "$W/nginx/nginx.conf" <<NGINX
worker_processes 1;
error_log $W/nginx/logs/error.log warn;
pid $W/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_buffer_size 1m;
  client_max_body_size 4m;
  upstream up { server 127.0.0.1:$UP; keepalive 64; }
  server {
    listen 127.0.0.1:$UP;
    default_type application/json;
    location / { return 200 '{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Noted. I will follow up."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":6,"total_tokens":16}}'; }
  }
  server {
    listen 127.0.0.1:$NGX;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)

cat > "$W/airlock.yaml" <<YAML
server: {max_body_bytes: 4194304}
store: {path: $W/var/airlock.db}
limits: {requests_per_second: 1000000, burst: 1000000, max_concurrent: 100000}
backends:
  - {name: up, type: remote, url: "http://127.0.0.1:$UP/v1", model: m, jurisdiction: DE}
workflows:
  - {name: bench, roles: [bench], backends: [up], default_action: pseudonymise}
YAML
KEY=$("$AIRLOCK" keys create --store "$W/var/airlock.db" --principal bench --role bench --jurisdiction DE 2>/dev/null)
"$AIRLOCK" serve --config "$W/airlock.yaml" --listen 127.0.0.1:0 2>"$W/serve.log" &
PIDS+=($!)
for _ in $(seq 1 600); do grep -q "listening on" "$W/serve.log" && break; sleep 0.1; done
AL=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$W/serve.log" | sed 's/.*://')

# Bodies of about 1 KB, 16 KB and 256 KB.
for kb in 1 16 256; do
  python3 - "$kb" > "$W/body$kb.json" <<'PY'
import json, sys
kb = int(sys.argv[1])
line = ("Account note: Max Mustermann (max.mustermann@example.com) asked to move the renewal to March; "
        "refund to IBAN DE89 3704 0044 0532 0130 00 once the credit note is approved by finance. ")
text = ""
while len(text) < kb * 1024 - 120:
    text += line
text = text[: kb * 1024 - 120]
print(json.dumps({"model": "bench", "messages": [{"role": "user", "content": text}]}))
PY
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nlocal f = io.open("%s")\nwrk.body = f:read("*a")\nf:close()\n' \
    "$KEY" "$W/body$kb.json" > "$W/post$kb.lua"
done

# Sanity: both answer 200.
for port in "$NGX" "$AL"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" --data-binary @"$W/body1.json" "http://127.0.0.1:$port/v1/chat/completions")
  [ "$code" = 200 ] || { echo "proxy on $port answered $code"; cat "$W/serve.log"; exit 1; }
done

echo "proxy    body    req/s      p50        p99"
for kb in 1 16 256; do
  for which in nginx airlock; do
    port=$NGX; [ "$which" = airlock ] && port=$AL
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$W/post$kb.lua" \
      "http://127.0.0.1:$port/v1/chat/completions" > "$W/wrk.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.txt")
    p50=$(awk '$1=="50%" {print $2}' "$W/wrk.txt")
    p99=$(awk '$1=="99%" {print $2}' "$W/wrk.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$W/wrk.txt")
    printf '%-8s %4s KB  %-10s %-10s %-10s %s\n' "$which" "$kb" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
  done
done
