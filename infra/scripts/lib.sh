# Helpers shared by the infra scripts.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/infra/kafka/pom.xml"; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }
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
