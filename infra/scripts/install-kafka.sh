#!/usr/bin/env bash
# Resolves the Apache Kafka broker and its runtime jars from Maven Central (infra/kafka/pom.xml).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/infra/kafka/pom.xml")"
dest="$ROOT/.local/kafka/$version"
[ -f "$dest/.complete" ] && exit 0
echo "[install-kafka] resolving Kafka $version from Maven Central"
rm -rf "$dest" && mkdir -p "$dest/libs"
if ! (cd "$ROOT/infra/kafka" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$dest/libs" -DincludeScope=runtime); then
  echo "[install-kafka] Maven could not resolve org.apache.kafka:kafka_2.13:$version (see the output above)" >&2
  exit 1
fi
touch "$dest/.complete"
