#!/usr/bin/env bash
# One-shot after the broker is healthy (docker-compose.yml `kafka-acls`): each upstream of KAFKA_UPSTREAMS may
# write the shared inbound topic and read only its own reply topic, with its own consumer groups. Which tenant
# an inbound event is for is still proven by its HMAC signature (docs/inbound-signing.md). Idempotent.
set -euo pipefail
: "${KAFKA_PLATFORM_PASSWORD:?set KAFKA_PLATFORM_PASSWORD}"
props=/tmp/platform.properties
printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="platform" password="%s";\n' "$KAFKA_PLATFORM_PASSWORD" > "$props"
acl() { /opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config "$props" --add "$@" >/dev/null; }
for upstream in ${KAFKA_UPSTREAMS:-}; do
  tenant="${upstream%%=*}"
  principal="User:upstream-$tenant"
  acl --allow-principal "$principal" --operation Write --operation Describe --topic llm.inbound.v1
  acl --allow-principal "$principal" --operation Read --operation Describe --topic "llm.replies.$tenant.v1"
  acl --allow-principal "$principal" --operation Read --group "upstream-$tenant" --resource-pattern-type prefixed
  acl --allow-principal "$principal" --operation IdempotentWrite --cluster
  echo "[kafka-acls] upstream-$tenant: write llm.inbound.v1, read llm.replies.$tenant.v1"
done
