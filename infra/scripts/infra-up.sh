#!/usr/bin/env bash
# Starts Redis, PostgreSQL and a single-node KRaft Kafka on loopback for the active profile (idempotent).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/infra/scripts/install-system.sh"
bash "$ROOT/infra/scripts/install-kafka.sh"
mkdir -p "$INFRA_STATE_DIR"
S="$INFRA_STATE_DIR"

# --- Redis
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  mkdir -p "$S/redis"
  cat > "$S/redis/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
dir $S/redis
daemonize yes
pidfile $S/redis/redis.pid
logfile $S/redis/redis.log
appendonly yes
appendfsync everysec
save ""
maxmemory-policy noeviction
CONF
  redis-server "$S/redis/redis.conf"
fi
wait_for redis 20 "$S/redis/redis.log" redis-cli -p "$REDIS_PORT" ping

# --- PostgreSQL (runs as the postgres OS user: initdb refuses root; its folder is outside the clone, see lib.sh)
PG="$(pg_bin)"
PGS="$(pg_state_dir)"
if ! "$PG/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
  mkdir -p "$PGS"
  chmod 755 "$(pg_state_root)"
  chown postgres "$PGS"
  chmod 700 "$PGS"
  if [ ! -f "$PGS/data/PG_VERSION" ]; then
    as_postgres "$PG/initdb -D '$PGS/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$PGS/initdb.log' 2>&1" \
      || { echo "[infra] initdb failed, see $PGS/initdb.log" >&2; exit 1; }
  fi
  as_postgres "$PG/pg_ctl -D '$PGS/data' -l '$PGS/postgres.log' -o \"-p $PG_PORT -h 127.0.0.1 -k '$PGS'\" start" >/dev/null
fi
wait_for postgres 30 "$PGS/postgres.log" "$PG/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q
psql_admin() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "select 1 from pg_roles where rolname='llm'")" != "1" ]; then
  psql_admin -c "create role llm login password 'llm' createdb"
fi
if [ "$(psql_admin -c "select 1 from pg_database where datname='llm'")" != "1" ]; then
  psql_admin -c "create database llm owner llm"
fi

# --- Kafka (KRaft, broker + controller in one JVM)
KLIBS="$ROOT/.local/kafka/$(kafka_version)/libs"
KLOG="$S/kafka/kafka.log"
kafka_answers() { kcat -b "127.0.0.1:$KAFKA_PORT" -L -m 3 >/dev/null 2>&1; }
if ! port_open "$KAFKA_PORT"; then
  mkdir -p "$S/kafka"
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g; s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g; s#@DATA_DIR@#$S/kafka/data#g" \
    "$ROOT/infra/kafka/server.properties.template" > "$S/kafka/server.properties"
  log4j="-Dlog4j2.configurationFile=$ROOT/infra/kafka/log4j2.properties"
  if [ ! -f "$S/kafka/data/meta.properties" ]; then
    [ -f "$S/kafka/cluster-id" ] || java -cp "$KLIBS/*" "$log4j" kafka.tools.StorageTool random-uuid > "$S/kafka/cluster-id"
    java -cp "$KLIBS/*" "$log4j" kafka.tools.StorageTool format -t "$(cat "$S/kafka/cluster-id")" -c "$S/kafka/server.properties" >"$S/kafka/format.log" 2>&1 \
      || { echo "[infra] formatting Kafka storage failed, see $S/kafka/format.log" >&2; exit 1; }
  fi
  # A modest heap and the serial collector: two cores are shared with seven services, Redis and Postgres.
  nohup java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} -XX:+UseSerialGC -cp "$KLIBS/*" "$log4j" kafka.Kafka "$S/kafka/server.properties" >"$KLOG" 2>&1 &
  echo $! > "$S/kafka/kafka.pid"
fi
wait_for kafka 90 "$KLOG" kafka_answers

echo "[infra:$INFRA_PROFILE] kafka $KAFKA_BROKERS | redis $REDIS_URL | postgres postgresql://llm:***@127.0.0.1:$PG_PORT/llm"
