#!/usr/bin/env bash
# Stops the active profile's Kafka, Redis and PostgreSQL. `--purge` also deletes the profile's data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
S="$INFRA_STATE_DIR"
if [ -f "$S/kafka/kafka.pid" ]; then
  pid="$(cat "$S/kafka/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$S/kafka/kafka.pid"
fi
redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
# The second folder is where data lived before it moved out of the clone (lib.sh, pg_state_dir).
for data in "$(pg_state_dir)/data" "$S/postgres/data"; do
  if [ -f "$data/postmaster.pid" ]; then
    as_postgres "$(pg_bin)/pg_ctl -D '$data' stop -m fast" >/dev/null 2>&1 || true
  fi
done
if [ "${1:-}" = "--purge" ]; then rm -rf "$S" "$(pg_state_root)"; fi
echo "[infra:$INFRA_PROFILE] stopped${1:+ and purged}"
