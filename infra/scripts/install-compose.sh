#!/usr/bin/env bash
# Docker Compose v2 (the CLI plugin only; no engine runs here) so `docker compose config` can validate
# docker-compose.yml in `make test`. Built from its Go module with the machine's Go toolchain, once per machine.
set -euo pipefail
VERSION=v2.40.3
PLUGIN="$HOME/.docker/cli-plugins/docker-compose"
if [ -x "$PLUGIN" ] && "$PLUGIN" version >/dev/null 2>&1; then exit 0; fi
if ! command -v go >/dev/null || ! go version | grep -qE 'go1\.(2[4-9]|[3-9][0-9])'; then
  echo "[install-compose] Go >= 1.24 not found: docker-compose.yml gets structural checks only"
  exit 0
fi
echo "[install-compose] building docker compose $VERSION from its Go module (a few minutes, once)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
GOFLAGS=-mod=mod go mod download "github.com/docker/compose/v2@$VERSION"
# `go install pkg@version` refuses modules whose go.mod has exclude directives; build it as a dependency of a
# throwaway module that carries the same requirements instead.
sed 's#^module .*#module composebuild#' "$(go env GOMODCACHE)/github.com/docker/compose/v2@$VERSION/go.mod" > go.mod
printf '\nrequire github.com/docker/compose/v2 %s\n' "$VERSION" >> go.mod
mkdir -p "$(dirname "$PLUGIN")"
GOFLAGS=-mod=mod go build -o "$PLUGIN" github.com/docker/compose/v2/cmd
"$PLUGIN" version
