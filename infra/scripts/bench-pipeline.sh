#!/usr/bin/env bash
# `npm run bench:pipeline` / `make bench-pipeline` (flags after `--`, see tools/bench-pipeline/src/options.ts).
# With INGRESS_URL set and answering, measures that running platform (e.g. `make up`: INGRESS_URL=http://127.0.0.1:8080).
# Otherwise starts what it needs on the active profile (honours KAFKA_PORT, REDIS_PORT, PG_PORT, INFRA_STATE_DIR):
# the infrastructure if it is not running, migrations, topics, seed; the bench itself then starts model-sim, the
# services from dist/ (from BENCH_BASE_PORT, default 31000) and the gateways, and stops all of it at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
MAIN=dist/tools/bench-pipeline/src/main.js
[ -f "$MAIN" ] || { echo "[bench-pipeline] $MAIN is missing: run \`npm run build\` first" >&2; exit 1; }
bash infra/scripts/install-bench-gateways.sh

if [ -n "${INGRESS_URL:-}" ]; then
  if curl -fsS "$INGRESS_URL/health" >/dev/null 2>&1; then
    exec node "$MAIN" "$@"
  fi
  echo "[bench-pipeline] INGRESS_URL=$INGRESS_URL does not answer; starting a platform of its own instead" >&2
  unset INGRESS_URL
fi

started_infra=0
cleanup() {
  local rc=$?
  if [ "$started_infra" = 1 ]; then bash infra/scripts/infra-down.sh || true; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if ! (port_open "$KAFKA_PORT" && port_open "$REDIS_PORT" && port_open "$PG_PORT"); then
  started_infra=1
  bash infra/scripts/infra-up.sh
fi
node dist/libs/db/src/migrate.main.js
node dist/libs/kafka/src/bin/setup-topics.js
node dist/libs/db/src/seed.main.js
node "$MAIN" "$@"
