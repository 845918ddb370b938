#!/usr/bin/env bash
# The real `airlock model ...` commands on a random-weight GGUF written by
# airlock-mkmodel (built next to the airlock binary): inspect, hash, quantize,
# run, bench, and clear errors for missing, truncated and mis-pinned files.
source "$(dirname "$0")/lib.sh"

MKMODEL="$(dirname "$AIRLOCK")/airlock-mkmodel"
CHATML="{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
"$MKMODEL" "$WORK/tiny.gguf" --template "$CHATML" >/dev/null; expect_rc "mkmodel writes a model" 0 $?
MODEL="$WORK/tiny.gguf"

# --- inspect ---
"$AIRLOCK" model inspect "$MODEL" >"$WORK/inspect.txt" 2>&1; expect_rc "inspect" 0 $?
expect_contains "inspect names the architecture" "$WORK/inspect.txt" "llama"
expect_contains "inspect shows the memory estimate" "$WORK/inspect.txt" "KV cache"
"$AIRLOCK" model inspect -f json --ctx 256 --parallel 2 "$MODEL" >"$WORK/inspect.json" 2>&1; expect_rc "inspect json" 0 $?
json_check "inspect json metadata" "$WORK/inspect.json" \
  "d['architecture']=='llama' and d['layers']==2 and d['vocab_size']==32000 and d['quantization']=='all F32' and d['has_chat_template']"
json_check "inspect json memory adds up" "$WORK/inspect.json" \
  "d['memory']['total_bytes']==d['memory']['weights_bytes']+d['memory']['kv_cache_bytes']+d['memory']['compute_bytes'] and d['memory']['kv_cache_bytes']==2*2*256*2*64*2"

# --- hash ---
"$AIRLOCK" model hash "$MODEL" >"$WORK/hash.txt" 2>&1; expect_rc "hash" 0 $?
want=$(sha256sum "$MODEL" | cut -d' ' -f1)
expect_contains "hash prints the sha256 pin line" "$WORK/hash.txt" "sha256: $want"
"$AIRLOCK" model hash --model "$MODEL" >"$WORK/hash2.txt" 2>&1
if cmp -s "$WORK/hash.txt" "$WORK/hash2.txt"; then pass "--model works like the positional file"; else fail "--model"; fi

# --- run ---
"$AIRLOCK" model run "$MODEL" --prompt "hello there" -n 8 --temperature 0 --ignore-eos -t 1 \
  --sha256 "$want" >"$WORK/run1.txt" 2>"$WORK/run1.err"; expect_rc "run with the right pin" 0 $?
expect_contains "run reports usage" "$WORK/run1.err" "completion_tokens=8"
expect_not_contains "usage line holds no prompt text" "$WORK/run1.err" "hello there"
"$AIRLOCK" model run "$MODEL" --prompt "hello there" -n 8 --temperature 0 --ignore-eos -t 1 >"$WORK/run2.txt" 2>/dev/null
if cmp -s "$WORK/run1.txt" "$WORK/run2.txt" && [ -s "$WORK/run1.txt" ]; then pass "greedy run is repeatable"; else fail "greedy run differs"; fi
"$AIRLOCK" model run "$MODEL" --prompt "hello there" --sha256 "$(printf '0%.0s' {1..64})" >/dev/null 2>"$WORK/pin.err"
expect_rc "wrong pin refused" 2 $?
expect_contains "pin error names file and actual hash" "$WORK/pin.err" "tiny.gguf: SHA-256 mismatch"
expect_contains "pin error shows the actual hash" "$WORK/pin.err" "$want"
"$AIRLOCK" model run "$MODEL" --prompt "hi" --memory-budget-mib 1 >/dev/null 2>"$WORK/budget.err"
expect_rc "over the memory budget refused" 2 $?
expect_contains "budget error explains" "$WORK/budget.err" "memory budget"
"$AIRLOCK" model run "$MODEL" --prompt "hi" --temperature 9 >/dev/null 2>"$WORK/temp.err"
expect_rc "bad temperature refused" 2 $?

# --- quantize ---
"$AIRLOCK" model quantize "$MODEL" "$WORK/q8.gguf" --type q8_0 -t 1 >"$WORK/q.txt" 2>"$WORK/q.err"
expect_rc "quantize q8_0" 0 $?
expect_contains "quantize reports sizes" "$WORK/q.txt" "q8_0:"
expect_contains "quantize shows progress" "$WORK/q.err" "quantizing tensor 20/20"
"$AIRLOCK" model inspect -f json "$WORK/q8.gguf" >"$WORK/q8.json" 2>&1
json_check "quantized model says Q8_0" "$WORK/q8.json" "d['quantization']=='Q8_0'"
"$AIRLOCK" model run "$WORK/q8.gguf" --prompt "hi" -n 3 --temperature 0 --ignore-eos -t 1 >/dev/null 2>"$WORK/q8run.err"
expect_rc "quantized model runs" 0 $?
"$AIRLOCK" model quantize "$MODEL" "$WORK/x.gguf" --type q7_7 >/dev/null 2>"$WORK/qt.err"
expect_rc "unknown type refused" 2 $?
expect_contains "unknown type named" "$WORK/qt.err" "q7_7"

# --- bench ---
"$AIRLOCK" model bench "$MODEL" -t 1 --prompt-tokens 32 --gen-tokens 8 -r 1 --parallel 2 -f json >"$WORK/bench.json" 2>&1
expect_rc "bench" 0 $?
json_check "bench reports tokens/s and RSS" "$WORK/bench.json" \
  "d['pp_tokens_per_s']>0 and d['tg_tokens_per_s_per_sequence']>0 and d['aggregate_tokens_per_s']>0 and d['rss_bytes']>0 and d['parallel']==2"

# --- bad files ---
"$AIRLOCK" model inspect "$WORK/missing.gguf" >/dev/null 2>"$WORK/missing.err"
expect_rc "missing file" 2 $?
expect_contains "missing file named" "$WORK/missing.err" "missing.gguf: no such file"
head -c $(( $(stat -c %s "$MODEL") - 5000 )) "$MODEL" >"$WORK/cut.gguf"
"$AIRLOCK" model inspect "$WORK/cut.gguf" >/dev/null 2>"$WORK/cut.err"; expect_rc "truncated inspect" 2 $?
expect_contains "truncated named" "$WORK/cut.err" "cut.gguf: truncated: tensor"
head -c 100000 "$MODEL" >"$WORK/head.gguf"
"$AIRLOCK" model inspect "$WORK/head.gguf" >/dev/null 2>"$WORK/head.err"; expect_rc "cut inside the header" 2 $?
expect_contains "cut header named" "$WORK/head.err" "head.gguf: malformed GGUF header"
"$AIRLOCK" model run "$WORK/cut.gguf" --prompt hi >/dev/null 2>"$WORK/cutrun.err"; expect_rc "truncated run" 2 $?
printf 'GGUF\x03\x00\x00\x00garbage' >"$WORK/junk.gguf"
"$AIRLOCK" model inspect "$WORK/junk.gguf" >/dev/null 2>"$WORK/junk.err"; expect_rc "malformed inspect" 2 $?
expect_contains "malformed named" "$WORK/junk.err" "junk.gguf: malformed GGUF header"
"$AIRLOCK" model run "$MODEL" >/dev/null 2>&1; expect_rc "run without --prompt is a usage error" 2 $?

finish
