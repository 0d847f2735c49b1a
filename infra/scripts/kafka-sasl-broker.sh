#!/usr/bin/env bash
# kafka-sasl-broker.sh start|stop DIR PORT CONTROLLER_PORT ADMIN_PASSWORD [USER=PASSWORD ...]
# A throwaway single-node broker with SASL/SCRAM-SHA-512 and ACLs (infra/kafka/sasl-server.properties.template),
# its SCRAM users created at format time. Used by the broker ACL int spec; docker-compose.yml and infra/k8s run
# the same settings (docs/inbound-signing.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
action="$1" dir="$2"
if [ "$action" = stop ]; then
  [ -f "$dir/kafka.pid" ] && kill "$(cat "$dir/kafka.pid")" 2>/dev/null || true
  for _ in $(seq 1 100); do [ -f "$dir/kafka.pid" ] && kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null || break; sleep 0.2; done
  rm -rf "$dir"
  exit 0
fi
port="$3" ctrl="$4" admin_password="$5"; shift 5
bash "$ROOT/infra/scripts/install-kafka.sh" >/dev/null
KLIBS="$ROOT/.local/kafka/$(kafka_version)/libs"
log4j="-Dlog4j2.configurationFile=$ROOT/infra/kafka/log4j2.properties"
mkdir -p "$dir/data"
sed -e "s#@KAFKA_PORT@#$port#g; s#@CONTROLLER_PORT@#$ctrl#g; s#@DATA_DIR@#$dir/data#g; s#@ADMIN_PASSWORD@#$admin_password#g" \
  "$ROOT/infra/kafka/sasl-server.properties.template" > "$dir/server.properties"
scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$admin_password]")
for user in "$@"; do scram+=(--add-scram "SCRAM-SHA-512=[name=${user%%=*},password=${user#*=}]"); done
java -cp "$KLIBS/*" "$log4j" kafka.tools.StorageTool format -t "$(java -cp "$KLIBS/*" "$log4j" kafka.tools.StorageTool random-uuid)" \
  -c "$dir/server.properties" "${scram[@]}" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; exit 1; }
nohup java -Xms128m -Xmx384m -XX:+UseSerialGC -cp "$KLIBS/*" "$log4j" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
echo $! > "$dir/kafka.pid"
wait_for "SASL kafka" 90 "$dir/kafka.log" port_open "$port"
