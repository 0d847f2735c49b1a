#!/usr/bin/env bash
# Debian's chromium for the report acceptance test (driven by the npm package playwright-core, which downloads
# no browser of its own). Installed only when missing; prints the binary's path.
set -euo pipefail
find_chromium() { command -v chromium || command -v chromium-browser || true; }
bin="$(find_chromium)"
if [ -z "$bin" ]; then
  echo "[install-chromium] installing chromium from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  bin="$(find_chromium)"
fi
[ -n "$bin" ] || { echo "[install-chromium] chromium is still missing" >&2; exit 1; }
echo "$bin"
