# Sourced by every script and Makefile recipe: the project's Node first on PATH, and the connection settings
# of the active infrastructure profile. `dev` (default) is what `make up` runs; `test` is what `make test`
# runs, on other ports and another data folder, so the two never clobber each other.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
export PATH="$ROOT/.local/node/bin:$PATH"
export INFRA_PROFILE="${INFRA_PROFILE:-dev}"
if [ "$INFRA_PROFILE" = "test" ]; then
  _kafka=29092 _ctrl=29093 _redis=26379 _pg=25432
else
  _kafka=19092 _ctrl=19093 _redis=16379 _pg=15432
fi
export INFRA_STATE_DIR="${INFRA_STATE_DIR:-$ROOT/.local/state/$INFRA_PROFILE}"
export KAFKA_PORT="${KAFKA_PORT:-$_kafka}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$_ctrl}"
export REDIS_PORT="${REDIS_PORT:-$_redis}"
export PG_PORT="${PG_PORT:-$_pg}"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export DATABASE_URL="postgresql://llm:llm@127.0.0.1:$PG_PORT/llm"
export KAFKAJS_NO_PARTITIONER_WARNING=1
# kafkajs 2.2.4 arms a negative timer on Node >= 21; Node clamps it to 1 ms and warns once per process. Harmless.
case " ${NODE_OPTIONS:-} " in *TimeoutNegativeWarning*) ;; *) export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning" ;; esac
unset _kafka _ctrl _redis _pg
