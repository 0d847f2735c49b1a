#!/usr/bin/env bash
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
state() { if "$@" >/dev/null 2>&1; then echo up; else echo down; fi; }
echo "profile $INFRA_PROFILE ($INFRA_STATE_DIR; postgres data in $(pg_state_dir))"
echo "  kafka    $KAFKA_BROKERS  $(state port_open "$KAFKA_PORT")"
echo "  redis    $REDIS_URL  $(state redis-cli -p "$REDIS_PORT" ping)"
echo "  postgres 127.0.0.1:$PG_PORT  $(state "$(pg_bin)/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q)"
