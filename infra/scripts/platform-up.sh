#!/usr/bin/env bash
# `make up` (after build, infra, migrations, topics, seed): starts model-sim and the seven services from
# dist/, waits until each answers /health, sends sample traffic, and prints where to look.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
RUN="$INFRA_STATE_DIR/run"
mkdir -p "$RUN"
export SIM_BASE_URL="http://127.0.0.1:8090/v1" MODEL_CATALOG_PATH="$ROOT/infra/catalog/models.json" LOG_LEVEL="${LOG_LEVEL:-info}"
declare -A PORTS=([model-sim]=8090 [ingress]=8080 [cache]=8081 [retriever]=8082 [router]=8083 [inference-worker]=8084 [cost-ledger]=8085 [evaluator]=8086)
ORDER=(model-sim cost-ledger evaluator inference-worker router retriever cache ingress)

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
  Kafka                    $KAFKA_BROKERS   (kcat -b $KAFKA_BROKERS -C -t llm.results.v1)
  Logs                     $RUN/<service>.log

  curl -s http://127.0.0.1:8080/v1/chat/completions -H "Authorization: Bearer ${DEMO_API_KEY:-sk-demo-local-0000000000000000}" \\
       -H 'Content-Type: application/json' -d '{"model":"auto","messages":[{"role":"user","content":"Hello"}]}'
INFO
