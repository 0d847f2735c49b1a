# Helpers shared by the infra scripts.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/infra/kafka/pom.xml"; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }
# PostgreSQL runs as the `postgres` OS user, which may not be able to enter the clone (a clone under /root is
# mode 700, and initdb then fails): its folder lives under /var/tmp instead, one per state folder (the hash keeps
# two clones, profiles or INFRA_STATE_DIR overrides apart). infra-down --purge removes it with the rest.
pg_state_root() { echo "/var/tmp/llm-platform-$(printf '%s' "$INFRA_STATE_DIR" | sha256sum | cut -c1-12)"; }
pg_state_dir() { echo "$(pg_state_root)/postgres"; }
# Runs a command as postgres from a folder it can enter (its tools refuse a working folder they cannot read).
as_postgres() { (cd / && su postgres -c "$1"); }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for NAME SECONDS LOG CHECK...: polls CHECK until it succeeds, or explains what failed and where to look.
wait_for() {
  local name="$1" seconds="$2" log="$3"; shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "[infra] $name did not become healthy within ${seconds}s ($*). Log: $log" >&2
      [ -f "$log" ] && tail -n 30 "$log" >&2
      return 1
    fi
    sleep 0.3
  done
}
