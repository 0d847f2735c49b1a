#!/usr/bin/env bash
# ESLint with Nx module boundaries. The boundary rule reads Nx's cached project graph, so compute it fresh
# first (tags live in each project.json); without it the rule silently skips.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
NX_DAEMON=false npx nx reset >/dev/null 2>&1 || true
NX_DAEMON=false npx nx show projects >/dev/null
npx eslint --max-warnings=0 .
npx prettier --check . >/dev/null || { npx prettier --list-different .; echo "formatting differs: run 'npx prettier --write .'" >&2; exit 1; }
