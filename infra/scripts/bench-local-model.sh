#!/usr/bin/env bash
# Measures the local model on this machine: load time (start → /health 200), prompt and generation tokens/s
# (llama-server's own timings: generation is the median of RUNS answers of up to MAX_TOKENS tokens, temperature 0,
# one at a time; the prompt rate is the first answer's, the only one not served from the prompt cache) and the
# server's RSS afterwards. The rates are wall-clock: on a machine shared with other work they fall with its load
# (the load average is printed with them). Starts its own server on LOCAL_LLM_BENCH_PORT (default 31091) and stops
# it at the end.
# Needs the model installed (`make install`). Usage: bash infra/scripts/bench-local-model.sh [RUNS] [MAX_TOKENS]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS="${1:-5}"
MAX_TOKENS="${2:-128}"
PORT="${LOCAL_LLM_BENCH_PORT:-31091}"
URL="http://127.0.0.1:$PORT"
if port_open "$PORT"; then echo "[bench-local-model] port $PORT is taken (LOCAL_LLM_BENCH_PORT)" >&2; exit 1; fi
LOG="$(mktemp)"
started_ns=$(date +%s%N)
LOCAL_LLM_PORT=$PORT bash "$ROOT/infra/scripts/local-model-server.sh" >"$LOG" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$LOG"' EXIT
wait_for local-model 120 "$LOG" curl -fsS "$URL/health"
load_ms=$((($(date +%s%N) - started_ns) / 1000000))

body=$(printf '{"model":"gemma-3-270m","temperature":0,"max_tokens":%d,"messages":[{"role":"user","content":"Write a short story about a lighthouse keeper who finds a message in a bottle."}]}' "$MAX_TOKENS")
results=()
for _ in $(seq 1 "$RUNS"); do
  results+=("$(curl -fsS "$URL/v1/chat/completions" -H 'content-type: application/json' -d "$body")")
done
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
printf '%s\n' "${results[@]}" | node -e '
  const lines = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const t = lines.map((r) => r.timings);
  console.log(JSON.stringify({
    model: lines[0].model,
    runs: lines.length,
    load_ms: Number(process.argv[1]),
    completion_tokens: median(lines.map((r) => r.usage.completion_tokens)),
    prompt_tokens: lines[0].usage.prompt_tokens,
    generation_tokens_per_s: Math.round(median(t.map((x) => x.predicted_per_second)) * 10) / 10,
    // Only the first answer processes the prompt: later ones reuse it from the prompt cache of the server.
    prompt_tokens_per_s: Math.round(t[0].prompt_per_second * 10) / 10,
    rss_mib: Math.round(Number(process.argv[2]) / 1024),
    load_average: require("os").loadavg().map((x) => Math.round(x * 10) / 10),
  }, null, 2));
' "$load_ms" "$rss_kb"
