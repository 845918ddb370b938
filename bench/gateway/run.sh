#!/usr/bin/env bash
# Gateway overhead: wrk against Airlock forwarding to a fast local upstream,
# next to nginx as a plain reverse proxy to the same upstream, in the same run.
#
#   bash bench/gateway/run.sh                 # DURATION=10 CONNECTIONS=16 THREADS=2
#   MODES="plain stream" SIZES="1 16 256" RATE=1000 bash bench/gateway/run.sh
#
# The upstream is nginx answering a fixed chat.completion JSON, or for
# streamed requests ("stream": true) a fixed text/event-stream of five
# chat.completion.chunk events and [DONE] (no model); both proxies forward
# to it over keep-alive HTTP/1.1. Bodies: 1 KB, 16 KB and 256 KB chat
# requests of CRM-like prose with names, e-mails and IBANs, which Airlock
# scans and pseudonymises in full; a streamed answer also goes through the
# streaming scanner and rehydration.
#
# Two measurements per (mode, size), each proxy in turn:
#   - closed loop: CONNECTIONS connections send back to back (throughput);
#   - fixed rate (RATE requests/s, 0 skips it): RATE_CONNECTIONS connections,
#     each waiting RATE_CONNECTIONS/RATE seconds before its next request
#     (wrk's Lua delay(); wrk2 is not packaged), so the offered load is at
#     most RATE; latency is then the service time at that load, and "added"
#     is Airlock's percentile minus nginx's in the same run.
# Prints one line per (measurement, mode, proxy, size), and after each fixed-
# rate Airlock run one "stages" line: p50/p99 of each pipeline stage in that
# run, from the difference of two /metrics scrapes
# (airlock_stage_duration_seconds, interpolated within buckets as
# Prometheus's histogram_quantile does).
set -euo pipefail
cd "$(dirname "$0")/../.."
AIRLOCK=${AIRLOCK:-build/release/airlock}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
MODES=${MODES:-plain stream}
SIZES=${SIZES:-1 16 256}
RATE=${RATE:-1000}
RATE_CONNECTIONS=${RATE_CONNECTIONS:-10}
# What the workflow does with findings, and the text: "dense" (a name, an
# e-mail address and an IBAN every 190 bytes) or "clean" (CRM prose with no
# identifier, still scanned in full).
ACTION=${ACTION:-pseudonymise}
TEXT=${TEXT:-dense}
W=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(free_port); NGX=$(free_port); UPS=$(free_port); NGXS=$(free_port)

mkdir -p "$W/nginx/logs"
# The streamed answer: five content chunks, a finish chunk and [DONE], with
# nginx's own \n escapes.
SSE=""
for piece in "Noted." " I will" " follow" " up" " tomorrow."; do
  SSE+='data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"'"$piece"'"},"finish_reason":null}]}\n\n'
done
SSE+='data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
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
  upstream ups { server 127.0.0.1:$UPS; keepalive 64; }
  server {
    listen 127.0.0.1:$UP;
    default_type application/json;
    location / { return 200 '{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Noted. I will follow up."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":6,"total_tokens":16}}'; }
  }
  server {
    listen 127.0.0.1:$UPS;
    default_type text/event-stream;
    location / { return 200 '$SSE'; }
  }
  server {
    listen 127.0.0.1:$NGX;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:$NGXS;
    location / { proxy_pass http://ups; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
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
  - {name: ups, type: remote, url: "http://127.0.0.1:$UPS/v1", model: m, jurisdiction: DE}
workflows:
  - {name: bench, roles: [bench], backends: [up], default_action: $ACTION}
  - {name: bench-stream, roles: [bench], backends: [ups], default_action: $ACTION}
YAML
KEY=$("$AIRLOCK" keys create --store "$W/var/airlock.db" --principal bench --role bench --jurisdiction DE 2>/dev/null)
MKEY=$("$AIRLOCK" keys create --store "$W/var/airlock.db" --principal scraper --role metrics --jurisdiction DE 2>/dev/null)
"$AIRLOCK" serve --config "$W/airlock.yaml" --listen 127.0.0.1:0 2>"$W/serve.log" &
PIDS+=($!)
for _ in $(seq 1 600); do grep -q "listening on" "$W/serve.log" && break; sleep 0.1; done
AL=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$W/serve.log" | sed 's/.*://')

# Bodies of about 1 KB, 16 KB and 256 KB, plain and streamed.
for kb in $SIZES; do
  for mode in $MODES; do
    python3 - "$kb" "$mode" "$TEXT" > "$W/body-$mode-$kb.json" <<'PY'
import json, sys
kb, mode, kind = int(sys.argv[1]), sys.argv[2], sys.argv[3]
line = ("Account note: Max Mustermann (max.mustermann@example.com) asked to move the renewal to March; "
        "refund to IBAN DE89 3704 0044 0532 0130 00 once the credit note is approved by finance. ")
if kind == "clean":
    line = ("Account note: the customer asked to move the renewal to the next quarter; the refund goes "
            "out once the credit note is approved by finance and the open invoices are settled. ")
text = ""
while len(text) < kb * 1024 - 140:
    text += line
text = text[: kb * 1024 - 140]
body = {"model": "bench", "messages": [{"role": "user", "content": text}]}
if mode == "stream":
    body["model"] = "bench-stream"
    body["stream"] = True
print(json.dumps(body))
PY
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nlocal f = io.open("%s")\nwrk.body = f:read("*a")\nf:close()\n' \
      "$KEY" "$W/body-$mode-$kb.json" > "$W/post-$mode-$kb.lua"
    # Fixed rate: each connection waits its share of the second.
    cp "$W/post-$mode-$kb.lua" "$W/rate-$mode-$kb.lua"
    [ "$RATE" -gt 0 ] && printf 'function delay()\n  return %s\nend\n' \
      "$(( RATE_CONNECTIONS * 1000 / RATE ))" >> "$W/rate-$mode-$kb.lua"
  done
done

# Sanity: both answer 200, and a streamed answer ends with [DONE].
for mode in $MODES; do
  kb=${SIZES%% *}
  ports="$NGX $AL"; [ "$mode" = stream ] && ports="$NGXS $AL"
  for port in $ports; do
    code=$(curl -s -o "$W/answer.txt" -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
      --data-binary @"$W/body-$mode-$kb.json" "http://127.0.0.1:$port/v1/chat/completions")
    [ "$code" = 200 ] || { echo "proxy on $port answered $code ($mode)"; cat "$W/answer.txt" "$W/serve.log"; exit 1; }
    if [ "$mode" = stream ] && ! grep -q 'data: \[DONE\]' "$W/answer.txt"; then
      echo "proxy on $port: streamed answer without [DONE]"; cat "$W/answer.txt"; exit 1
    fi
  done
done

# One wrk run; prints "req/s p50 p99 non-2xx" in milliseconds.
measure() {  # script port connections
  wrk -t"$THREADS" -c"$2" -d"${DURATION}s" --latency -s "$1" \
    "http://127.0.0.1:$3/v1/chat/completions" > "$W/wrk.txt"
  python3 - "$W/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
pct = {k: ms(v) for k, v in re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M)}
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
err = re.search(r"Socket errors: (.*)", t)
print(f"{float(rps):.0f} {pct['50']:.3f} {pct['99']:.3f} {bad.group(1) if bad else 0}{' errors: ' + err.group(1) if err else ''}")
PY
}

scrape() { curl -s -H "Authorization: Bearer $MKEY" "http://127.0.0.1:$AL/metrics" > "$1"; }
# "stage p50/p99 ..." from the bucket counts added between two scrapes.
stages() {
  python3 - "$1" "$2" <<'PY'
import re, sys
def buckets(path):
    out = {}
    for m in re.finditer(r'^airlock_stage_duration_seconds_bucket\{stage="(\w+)",le="([^"]+)"\} (\d+)$', open(path).read(), re.M):
        out.setdefault(m.group(1), []).append((float(m.group(2)), int(m.group(3))))
    return out
a, b = buckets(sys.argv[1]), buckets(sys.argv[2])
def quantile(q, bs):
    total = bs[-1][1]
    if total == 0: return None
    rank, prev_le, prev_n = q * total, 0.0, 0
    for le, n in bs:
        if n >= rank:
            if le == float("inf"): return prev_le
            return prev_le + (le - prev_le) * (rank - prev_n) / max(n - prev_n, 1)
        prev_le, prev_n = le, n
parts = []
for stage in ["auth", "request_scan", "audit_commit", "upstream", "upstream_first_chunk", "response_scan", "stream_hold"]:
    if stage not in b: continue
    before = dict(a.get(stage, []))
    d = [(le, n - before.get(le, 0)) for le, n in b[stage]]
    p50, p99 = quantile(0.5, d), quantile(0.99, d)
    if p50 is not None: parts.append(f"{stage} {p50*1000:.2f}/{p99*1000:.2f}")
print("stage p50/p99 ms: " + ", ".join(parts))
PY
}

printf '%-12s %-7s %-8s %6s  %10s %9s %9s  %s\n' measurement mode proxy body req/s p50_ms p99_ms notes
for mode in $MODES; do
  ngx=$NGX; [ "$mode" = stream ] && ngx=$NGXS
  for kb in $SIZES; do
    for which in nginx airlock; do
      port=$ngx; [ "$which" = airlock ] && port=$AL
      read -r rps p50 p99 rest < <(measure "$W/post-$mode-$kb.lua" "$CONNECTIONS" "$port")
      printf '%-12s %-7s %-8s %3s KB  %10s %9s %9s  %s\n' closed-loop "$mode" "$which" "$kb" "$rps" "$p50" "$p99" "${rest#0}"
    done
    [ "$RATE" -gt 0 ] || continue
    declare -A base=()
    for which in nginx airlock; do
      port=$ngx; [ "$which" = airlock ] && port=$AL
      [ "$which" = airlock ] && scrape "$W/before.txt"
      read -r rps p50 p99 rest < <(measure "$W/rate-$mode-$kb.lua" "$RATE_CONNECTIONS" "$port")
      [ "$which" = airlock ] && scrape "$W/after.txt"
      note="${rest#0}"
      if [ "$which" = nginx ]; then
        base=([p50]=$p50 [p99]=$p99)
      else
        note="added p50 $(python3 -c "print(f'{$p50-${base[p50]}:.3f}')") ms, p99 $(python3 -c "print(f'{$p99-${base[p99]}:.3f}')") ms $note"
      fi
      printf '%-12s %-7s %-8s %3s KB  %10s %9s %9s  %s\n' "rate<=$RATE" "$mode" "$which" "$kb" "$rps" "$p50" "$p99" "$note"
      [ "$which" = airlock ] && printf '%-12s %-7s %-8s %3s KB  %s\n' "rate<=$RATE" "$mode" stages "$kb" "$(stages "$W/before.txt" "$W/after.txt")"
    done
  done
done
