#!/usr/bin/env bash
# Unpacks the Qdrant server for development and CI from QDRANT_XZ (default: ../shared/bin beside the project,
# see its README) into ~/.cache/llm-platform/qdrant-<version>/, checksum-verified. No registry ships Qdrant's
# server, so a machine without that file simply has none: the Qdrant contract tests then say they are skipped
# and the embedded index is used.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
VERSION=1.18.3
XZ="${QDRANT_XZ:-$ROOT/../shared/bin/qdrant-$VERSION-linux-x86_64.xz}"
XZ_SHA=1bb2ccb30f65b37f36562a8a9c5c9e47dd022dd8993fabe9192ed39376f8d792
BIN_SHA=6be9b73cf7b428de05ea4587bc03d30fb590f399e2e31f002a48ea8979f88321
DEST="$HOME/.cache/llm-platform/qdrant-$VERSION"
if [ -x "$DEST/qdrant" ] && echo "$BIN_SHA  $DEST/qdrant" | sha256sum -c --quiet - >/dev/null 2>&1; then exit 0; fi
if [ ! -f "$XZ" ]; then
  echo "[install-qdrant] no Qdrant server at $XZ: Qdrant contract tests will be skipped (the embedded index is the default)"
  exit 0
fi
echo "$XZ_SHA  $XZ" | sha256sum -c --quiet -
mkdir -p "$DEST"
xz -dc "$XZ" >"$DEST/qdrant.part"
echo "$BIN_SHA  $DEST/qdrant.part" | sha256sum -c --quiet -
chmod +x "$DEST/qdrant.part" && mv "$DEST/qdrant.part" "$DEST/qdrant"
echo "[install-qdrant] Qdrant $VERSION at $DEST/qdrant"
