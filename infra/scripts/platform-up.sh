#!/usr/bin/env bash
# `make up` (after build, infra, migrations, topics, seed): starts the local model (llama.cpp server on Gemma 3
# 270M, when installed), model-sim and the seven services from dist/, waits until each answers /health, sends
# sample traffic, and prints where to look.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
RUN="$INFRA_STATE_DIR/run"
mkdir -p "$RUN"
LOCAL_LLM_PORT=8091
export SIM_BASE_URL="http://127.0.0.1:8090/v1" LOCAL_LLM_BASE_URL="http://127.0.0.1:$LOCAL_LLM_PORT/v1" MODEL_CATALOG_PATH="$ROOT/infra/catalog/models.json" LOG_LEVEL="${LOG_LEVEL:-info}"
declare -A PORTS=([model-sim]=8090 [ingress]=8080 [cache]=8081 [retriever]=8082 [router]=8083 [inference-worker]=8084 [cost-ledger]=8085 [evaluator]=8086)
ORDER=(model-sim cost-ledger evaluator inference-worker router retriever cache ingress)

# The real local model is one more provider (docs/adr: local model): a machine where it could not be built still
# comes up, with the catalog's gemma-3-270m falling back to model-sim; `make down` stops it with the rest.
LOCAL_MODEL="not installed (bash infra/scripts/install-local-model.sh)"
if bash infra/scripts/install-local-model.sh --check >/dev/null 2>&1; then
  pidfile="$RUN/local-model.pid"
  if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    LOCAL_LLM_PORT=$LOCAL_LLM_PORT nohup bash infra/scripts/local-model-server.sh >"$RUN/local-model.log" 2>&1 &
    echo $! >"$pidfile"
  fi
  if wait_for local-model 120 "$RUN/local-model.log" curl -fsS "http://127.0.0.1:$LOCAL_LLM_PORT/health"; then
    LOCAL_MODEL="$LOCAL_LLM_BASE_URL   model gemma-3-270m (llama.cpp server)"
  else
    LOCAL_MODEL="failed to start, see $RUN/local-model.log"
  fi
fi

for app in "${ORDER[@]}"; do
  pidfile="$RUN/$app.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then continue; fi
  HTTP_PORT="${PORTS[$app]}" nohup node "dist/apps/$app/src/main.js" >"$RUN/$app.log" 2>&1 &
  echo $! > "$pidfile"
done
for app in "${ORDER[@]}"; do
  wait_for "$app" 60 "$RUN/$app.log" curl -fsS "http://127.0.0.1:${PORTS[$app]}/health"
done

node dist/tools/sample-traffic/src/main.js || echo "(sample traffic failed; see the messages above)"

cat <<INFO

The platform is up (profile $INFRA_PROFILE). Stop it with: make down
  API (OpenAI-compatible)  http://127.0.0.1:8080/v1        demo key: ${DEMO_API_KEY:-sk-demo-local-0000000000000000}  (tenant demo, paid)
                                                           free key: ${DEMO_FREE_API_KEY:-sk-demo-free-00000000000000000}  (tenant demo-free)
  Admin API (usage)        http://127.0.0.1:8085/v1/admin/usage?tenant_id=demo   Authorization: Bearer ${ADMIN_TOKEN:-dev-admin-token-change-me}
  Evaluation summary       http://127.0.0.1:8086/v1/evaluations/summary?tenant_id=demo   (same admin token)
  Metrics                  http://127.0.0.1:<port>/metrics on every service (ports 8080-8086, model-sim 8090)
  Model simulator          http://127.0.0.1:8090/v1   stats: http://127.0.0.1:8090/sim/stats
  Local model              $LOCAL_MODEL
  Kafka                    $KAFKA_BROKERS   (kcat -b $KAFKA_BROKERS -C -t llm.results.v1)
  Logs                     $RUN/<service>.log

  curl -s http://127.0.0.1:8080/v1/chat/completions -H "Authorization: Bearer ${DEMO_API_KEY:-sk-demo-local-0000000000000000}" \\
       -H 'Content-Type: application/json' -d '{"model":"auto","messages":[{"role":"user","content":"Hello"}]}'
INFO
