#!/usr/bin/env bash
# `make run`: the gateway on its built-in defaults (or $AIRLOCK_CONFIG), with a
# key for trying it out and the commands to call it. `make run MODEL=file.gguf`
# serves that model on the local backend (else the first models/*.gguf).
set -euo pipefail
cd "$(dirname "$0")/.."
AIRLOCK=./build/release/airlock
LISTEN=${AIRLOCK_LISTEN:-127.0.0.1:8080}
CONFIG_ARGS=()
if [ -n "${AIRLOCK_CONFIG:-}" ]; then CONFIG_ARGS=(--config "$AIRLOCK_CONFIG"); fi
MODEL_ARGS=()
if [ -n "${MODEL:-}" ]; then MODEL_ARGS=(--model "$MODEL"); fi
MODEL_NOTE="chat answers 503 until a model is given (make run MODEL=file.gguf, or a .gguf under ./models/)
or a remote backend is configured"
if [ -n "${MODEL:-}" ]; then MODEL_NOTE="chat runs on $MODEL";
elif compgen -G "models/*.gguf" >/dev/null; then MODEL_NOTE="chat runs on $(ls models/*.gguf | head -1)"; fi
mkdir -p var
if [ ! -s var/try-it.key ]; then
  (umask 077 && "$AIRLOCK" keys create "${CONFIG_ARGS[@]}" --principal try-it --role user --jurisdiction DE \
     > var/try-it.key)
fi
KEY=$(cat var/try-it.key)
cat <<TXT

Airlock gateway on http://$LISTEN  (built-in config: loopback only, store ./var/airlock.db,
the local model as the only backend; $MODEL_NOTE;
scanning works either way; see docs/gateway.md, docs/local-models.md and examples/airlock.yaml).

A key for trying it (var/try-it.key; make more with: ./build/release/airlock keys create --principal NAME --role user):
  export AIRLOCK_KEY=$KEY

  curl -s http://$LISTEN/v1/models -H "Authorization: Bearer \$AIRLOCK_KEY"
  curl -s http://$LISTEN/v1/airlock/scan -H "Authorization: Bearer \$AIRLOCK_KEY" \\
       -d '{"text":"Max Mustermann, IBAN DE89 3704 0044 0532 0130 00"}'
  curl -s http://$LISTEN/v1/chat/completions -H "Authorization: Bearer \$AIRLOCK_KEY" \\
       -d '{"model":"default","messages":[{"role":"user","content":"Hello"}]}'

Stop with Ctrl-C (drains in-flight requests); reload a --config file with kill -HUP.
TXT
exec "$AIRLOCK" serve "${CONFIG_ARGS[@]}" "${MODEL_ARGS[@]}" --listen "$LISTEN"
