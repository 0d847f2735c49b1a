#!/usr/bin/env bash
# The two gateways bench:pipeline compares the platform with, outside the project's package.json: the Portkey
# OSS gateway (npm) and the LiteLLM proxy (PyPI, in its own venv), each pinned and checked against a pinned
# checksum, under ~/.cache/llm-platform/bench/. Skips what is already installed. Each one that fails is reported
# and skipped (exit 0): the benchmark then runs without it.
# LiteLLM is pinned at 1.100.0: later releases need a certifi newer than the package index here serves.
#   install-bench-gateways.sh [portkey] [litellm]   (both when no argument)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

PORTKEY_VERSION=1.15.2
PORTKEY_INTEGRITY='sha512-OuwwQEJ0rnKQuPgaCqyMpP+X5Uly2h9EBDm5Lx/NYu9MXTzB/nKrKgjd8J3vPGeNpYoyxTzKSzTV2tGv8Dd+fg=='
LITELLM_VERSION=1.100.0
LITELLM_WHEEL="litellm-$LITELLM_VERSION-cp310-abi3-manylinux_2_28_x86_64.whl"
LITELLM_SHA256=8224c8eed9cab3319a88e6665d1275ad8faf21d353b1b22223a6d6115a302ea2
BENCH_CACHE="${BENCH_CACHE_DIR:-$HOME/.cache/llm-platform/bench}"

install_portkey() {
  local dest="$BENCH_CACHE/portkey-$PORTKEY_VERSION"
  [ -f "$dest/.complete" ] && return 0
  echo "[install-bench-gateways] @portkey-ai/gateway@$PORTKEY_VERSION into $dest"
  rm -rf "$dest" && mkdir -p "$dest"
  echo '{"name":"bench-portkey","private":true}' >"$dest/package.json"
  (cd "$dest" && npm install --no-audit --no-fund --save-exact "@portkey-ai/gateway@$PORTKEY_VERSION" >install.log 2>&1) || {
    echo "[install-bench-gateways] npm could not install Portkey (see $dest/install.log)" >&2
    return 1
  }
  # npm verified the tarball against the registry's integrity; this pins it against a changed registry entry.
  local got
  got="$(node -e 'const l=require(process.argv[1]);console.log(l.packages["node_modules/@portkey-ai/gateway"].integrity)' "$dest/package-lock.json")"
  if [ "$got" != "$PORTKEY_INTEGRITY" ]; then
    echo "[install-bench-gateways] Portkey integrity mismatch: $got" >&2
    rm -rf "$dest"
    return 1
  fi
  touch "$dest/.complete"
}

install_litellm() {
  local dest="$BENCH_CACHE/litellm-$LITELLM_VERSION"
  [ -f "$dest/.complete" ] && return 0
  [ "$(uname -m)" = x86_64 ] || { echo "[install-bench-gateways] LiteLLM: pinned wheel is x86_64 only" >&2; return 1; }
  echo "[install-bench-gateways] litellm[proxy]==$LITELLM_VERSION into $dest"
  rm -rf "$dest" && mkdir -p "$dest/wheels"
  python3 -m venv "$dest/venv" || { echo "[install-bench-gateways] python3 -m venv failed" >&2; return 1; }
  "$dest/venv/bin/pip" download --quiet --no-deps --only-binary=:all: --dest "$dest/wheels" "litellm==$LITELLM_VERSION" >"$dest/install.log" 2>&1 || {
    echo "[install-bench-gateways] pip could not download LiteLLM (see $dest/install.log)" >&2
    return 1
  }
  if ! echo "$LITELLM_SHA256  $dest/wheels/$LITELLM_WHEEL" | sha256sum -c --quiet; then
    echo "[install-bench-gateways] LiteLLM wheel checksum mismatch" >&2
    rm -rf "$dest"
    return 1
  fi
  "$dest/venv/bin/pip" install --quiet "$dest/wheels/$LITELLM_WHEEL[proxy]" >>"$dest/install.log" 2>&1 || {
    echo "[install-bench-gateways] pip could not install litellm[proxy] (see $dest/install.log)" >&2
    return 1
  }
  touch "$dest/.complete"
}

status=0
for what in "${@:-portkey litellm}"; do
  for w in $what; do
    case "$w" in
      portkey) install_portkey || status=1 ;;
      litellm) install_litellm || status=1 ;;
      *) echo "[install-bench-gateways] unknown gateway $w" >&2 ;;
    esac
  done
done
[ $status -eq 0 ] || echo "[install-bench-gateways] some gateways are missing; the benchmark runs without them" >&2
exit 0
