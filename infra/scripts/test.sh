#!/usr/bin/env bash
# `make test`: installs what is missing, builds, lints, type checks, runs unit tests, then starts the test
# profile's own Kafka/Redis/Postgres (fresh data), runs integration and e2e tests, and stops what it started.
# Every phase runs even if an earlier one failed, so one run reports everything; the exit code is the verdict.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export INFRA_PROFILE=test
source infra/scripts/env.sh
REPORTS="$ROOT/.local/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
failed=()

phase() { # name, command...
  local name="$1"; shift
  echo "=== $name"
  local started=$SECONDS
  if "$@"; then echo "=== $name: ok ($((SECONDS - started)) s)"; else echo "=== $name: FAILED ($((SECONDS - started)) s)"; failed+=("$name"); fi
}

jest_phase() { # project, extra args...
  local project="$1"; shift
  npx jest --selectProjects "$project" --json --outputFile="$REPORTS/$project.json" "$@"
}

phase install make -s install || true
if [ ${#failed[@]} -gt 0 ]; then echo "install failed: nothing else can run"; exit 1; fi
phase build make -s build
phase lint bash infra/scripts/lint.sh
phase typecheck npx tsc -p tsconfig.json --noEmit
phase deploy-files bash -c 'bash infra/scripts/install-compose.sh && node infra/scripts/validate-deploy.mjs'
phase unit jest_phase unit
# The report acceptance test (e2e/evaluation) drives Debian's chromium; installed here only when missing.
phase chromium bash -c 'bash infra/scripts/install-chromium.sh >/dev/null'
# Item 19: the infrastructure starts from a clone in a folder the postgres user cannot enter (own spare ports).
phase infra-anywhere bash infra/scripts/check-infra-anywhere.sh

bash infra/scripts/infra-down.sh --purge >/dev/null 2>&1 || true
trap 'bash infra/scripts/infra-down.sh --purge >/dev/null 2>&1 || true' EXIT
if phase infra-up bash infra/scripts/infra-up.sh && phase migrate node dist/libs/db/src/migrate.main.js && phase topics node dist/libs/kafka/src/bin/setup-topics.js; then
  # --forceExit: kafkajs keeps sockets to the broker alive for a while after disconnect; the suites are done.
  phase integration jest_phase int --runInBand --forceExit
  phase e2e jest_phase e2e --runInBand --forceExit
  # Last: kills services and restarts this profile's broker under load (e2e/faults).
  phase faults jest_phase faults --runInBand --forceExit
fi

node infra/scripts/test-summary.mjs "$REPORTS"
if [ ${#failed[@]} -gt 0 ]; then
  echo "make test FAILED: ${failed[*]}"
  exit 1
fi
echo "make test passed"
