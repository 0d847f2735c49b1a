#!/usr/bin/env bash
# Entry point of the docker-compose.yml broker: formats its storage once with the SCRAM credentials of the
# platform and of every upstream (KAFKA_UPSTREAMS="acme=password globex=password"), then starts it. Passwords
# come from the environment and never land in the image.
set -euo pipefail
: "${KAFKA_PLATFORM_PASSWORD:?set KAFKA_PLATFORM_PASSWORD}"
CONFIG=/tmp/server.properties
cp /opt/llm/server.properties "$CONFIG"
jaas() { echo "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"platform\" password=\"$KAFKA_PLATFORM_PASSWORD\";"; }
for listener in internal upstream; do echo "listener.name.$listener.scram-sha-512.sasl.jaas.config=$(jaas)" >> "$CONFIG"; done
# The client settings the healthcheck and kafka-acls.sh use (inside this container only).
printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=%s\n' "$(jaas)" > /tmp/platform.properties
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  scram=(--add-scram "SCRAM-SHA-512=[name=platform,password=$KAFKA_PLATFORM_PASSWORD]")
  for upstream in ${KAFKA_UPSTREAMS:-}; do scram+=(--add-scram "SCRAM-SHA-512=[name=upstream-${upstream%%=*},password=${upstream#*=}]"); done
  /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" -c "$CONFIG" "${scram[@]}"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$CONFIG"
