#!/usr/bin/env bash
# Stops the services `make up` started (the local model's llama.cpp server included: every pid file of the run
# folder); each service drains its in-flight Kafka work on SIGTERM.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUN="$INFRA_STATE_DIR/run"
[ -d "$RUN" ] || exit 0
for pidfile in "$RUN"/*.pid; do
  [ -f "$pidfile" ] || continue
  kill "$(cat "$pidfile")" 2>/dev/null || true
done
for pidfile in "$RUN"/*.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
done
echo "[platform] services stopped"
