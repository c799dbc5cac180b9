#!/usr/bin/env bash
# Make sure a PostgreSQL server answers, and print the KNOWLEDGE_GRAPH_* settings to use (eval-able).
#  1. KNOWLEDGE_GRAPH_HOST set: use it as configured (nothing is started).
#  2. else 127.0.0.1:5432 answers: use it.
#     (THOTH_STORAGES_OWN_POSTGRES=1 skips 2.)
#  3. else start a throwaway cluster under .thoth-storages/postgres from the system binaries
#     (installing the distribution's postgresql package first when they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."
state="$PWD/.thoth-storages/postgres"
port="${THOTH_STORAGES_PG_PORT:-54329}"

say() { echo "ensure-postgres: $*" >&2; }
emit() { printf 'export KNOWLEDGE_GRAPH_HOST=%q KNOWLEDGE_GRAPH_PORT=%q KNOWLEDGE_GRAPH_USER=%q\n' "$1" "$2" "$3"; }

answers() { python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

if [ -n "${KNOWLEDGE_GRAPH_HOST:-}" ]; then
  say "using the configured server ${KNOWLEDGE_GRAPH_HOST}:${KNOWLEDGE_GRAPH_PORT:-5432}"
  emit "$KNOWLEDGE_GRAPH_HOST" "${KNOWLEDGE_GRAPH_PORT:-5432}" "${KNOWLEDGE_GRAPH_USER:-postgres}"
  exit 0
fi
if [ -z "${THOTH_STORAGES_OWN_POSTGRES:-}" ] && answers 127.0.0.1 5432; then
  say "using the server on 127.0.0.1:5432"
  emit 127.0.0.1 5432 "${KNOWLEDGE_GRAPH_USER:-postgres}"
  exit 0
fi
if answers 127.0.0.1 "$port"; then
  say "using the project's own cluster on 127.0.0.1:$port"
  emit 127.0.0.1 "$port" postgres
  exit 0
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  say "no PostgreSQL binaries found; installing the distribution's postgresql package"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2; fi
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

run_as() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
mkdir -p "$state"
[ "$(id -u)" = 0 ] && chown -R postgres "$state"
if [ ! -f "$state/data/PG_VERSION" ]; then
  say "initialising a throwaway cluster in $state/data"
  run_as "'$bindir/initdb' -D '$state/data' -U postgres -A trust >'$state/initdb.log' 2>&1"
fi
say "starting it on 127.0.0.1:$port"
run_as "'$bindir/pg_ctl' -D '$state/data' -l '$state/server.log' -w -o \"-p $port -k '$state' -c listen_addresses=127.0.0.1\" start" >&2
emit 127.0.0.1 "$port" postgres
