#!/usr/bin/env bash
# Issue 6, item 19: the infrastructure starts wherever the clone lives, even in a folder the `postgres` OS user
# cannot enter (a clone under /root is mode 700). Copies the working tree's infra/ into a fresh mode-700 folder,
# starts a throwaway profile on spare ports there, checks Postgres answers, then purges it and checks that
# nothing is left behind (the Postgres folder lives outside the clone, see lib.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
chmod 700 "$work"
clone="$work/clone"
mkdir -p "$clone/.local"
cp -r "$ROOT/infra" "$clone/infra"
# The toolchain and Kafka jars are read-only inputs: link them rather than downloading them again.
ln -s "$(readlink -f "$ROOT/.local/kafka")" "$clone/.local/kafka"
ln -s "$(readlink -f "$ROOT/.local/node")" "$clone/.local/node"
export INFRA_PROFILE=test INFRA_STATE_DIR="$clone/.local/state/anywhere"
export KAFKA_PORT="${CHECK_KAFKA_PORT:-49192}" KAFKA_CONTROLLER_PORT="${CHECK_KAFKA_CONTROLLER_PORT:-49193}"
export REDIS_PORT="${CHECK_REDIS_PORT:-46479}" PG_PORT="${CHECK_PG_PORT:-45532}"
cleanup() { bash "$clone/infra/scripts/infra-down.sh" --purge >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

fail() { echo "[check-infra-anywhere] FAILED: $*" >&2; exit 1; }
if (cd / && su postgres -s /bin/sh -c "test -x '$clone'"); then fail "the postgres user can enter $clone; the check proves nothing"; fi
bash "$clone/infra/scripts/infra-up.sh"
PGPASSWORD=llm psql -h 127.0.0.1 -p "$PG_PORT" -U llm -d llm -qtA -c 'select 1' | grep -qx 1 || fail "Postgres does not answer"
pg_root="$(source "$clone/infra/scripts/lib.sh" && pg_state_root)"
[ -f "$pg_root/postgres/data/PG_VERSION" ] || fail "no Postgres data folder at $pg_root"
bash "$clone/infra/scripts/infra-down.sh" --purge
[ ! -e "$pg_root" ] || fail "infra-down --purge left $pg_root behind"
[ ! -e "$INFRA_STATE_DIR" ] || fail "infra-down --purge left $INFRA_STATE_DIR behind"
echo "[check-infra-anywhere] ok: infra-up and infra-down --purge work from a mode-700 folder"
