#!/usr/bin/env bash
# Build a database with the original thoth-storages 0.74.2 and compare another database with it.
#
#   scripts/compat-original.sh [options] OTHER_URL
#
# 1. Installs thoth-storages 0.74.2 (with packaging 21.3 and thoth-ssdeep, which it needs to import)
#    into its own virtualenv under .thoth-storages/original-venv (outside the package, git-ignored),
#    once; later runs reuse it.
# 2. Drops and re-creates the database named by --original-db (default: thoth_storages_original) with
#    the original's own GraphDatabase().initialize_schema(), i.e. its 81 Alembic migrations.
# 3. Compares OTHER_URL with it (python -m thoth_storages.graph.compare_cli, also scripts/compare_schemas.py):
#    prints each difference on one line and exits non-zero when a difference is not listed in
#    schema/compat-allowlist.txt.
#
# The original database is reached with the same environment variables the original reads:
# KNOWLEDGE_GRAPH_HOST (default localhost), KNOWLEDGE_GRAPH_PORT (5432), KNOWLEDGE_GRAPH_USER
# (postgres), KNOWLEDGE_GRAPH_PASSWORD (postgres), KNOWLEDGE_GRAPH_SSL_DISABLED. The user needs the
# right to create and drop databases. OTHER_URL is a SQLAlchemy URL, for example
# postgresql+psycopg2://postgres@127.0.0.1:5432/thoth
#
# Options:
#   --original-db NAME   database to (re)build with the original (default thoth_storages_original);
#                        it is DROPPED first, so never name a database you care about
#   --allowlist FILE     allowed differences (default schema/compat-allowlist.txt)
#   --python PYTHON      interpreter for the original's virtualenv (default: $PYTHON, python3.11, python3)
#   --no-build           compare with the existing original database, do not rebuild it
#   --build-only         (re)build the original database and stop; OTHER_URL is not needed
#   --install-only       install the original's virtualenv (if missing) and stop
#   --quiet              print only the differences that are not allowed
#
# The original's interpreter runs with -P: the working directory must not put this project's thoth/
# (our thoth.storages) in front of the original's.
#
# Exit status: 0 no unexpected difference, 1 unexpected differences, 2 usage or setup error,
# 3 the original could not be installed (no network, package index unreachable, pip failure).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORIGINAL_VERSION="0.74.2"
VENV="$ROOT/.thoth-storages/original-venv"
STAMP="$VENV/.thoth-storages-$ORIGINAL_VERSION"
ORIGINAL_DB="thoth_storages_original"
ALLOWLIST="$ROOT/schema/compat-allowlist.txt"
BUILD=1
BUILD_ONLY=0
QUIET=()
PY="${PYTHON:-}"
OTHER_URL=""

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --original-db) ORIGINAL_DB="${2:?--original-db needs a name}"; shift 2 ;;
        --allowlist) ALLOWLIST="${2:?--allowlist needs a file}"; shift 2 ;;
        --python) PY="${2:?--python needs an interpreter}"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --build-only) BUILD_ONLY=1; shift ;;
        --install-only) BUILD_ONLY=2; shift ;;
        --quiet) QUIET=(--quiet); shift ;;
        -h|--help) usage ;;
        -*) echo "compat-original: unknown option $1" >&2; usage ;;
        *)
            if [[ -n "$OTHER_URL" ]]; then echo "compat-original: one OTHER_URL only" >&2; usage; fi
            OTHER_URL="$1"; shift ;;
    esac
done
[[ -n "$OTHER_URL" || "$BUILD_ONLY" != 0 ]] || usage
if [[ "$BUILD_ONLY" == 1 && "$BUILD" == 0 ]]; then
    echo "compat-original: --build-only and --no-build exclude each other" >&2
    exit 2
fi
if [[ ! "$ORIGINAL_DB" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "compat-original: --original-db must be a plain lower-case identifier" >&2
    exit 2
fi

other_db="${OTHER_URL%%\?*}"
other_db="${other_db##*/}"
if [[ "$BUILD" == 1 && "$other_db" == "$ORIGINAL_DB" ]]; then
    echo "compat-original: OTHER_URL names $ORIGINAL_DB, the database this script drops and rebuilds;" \
        "pick another --original-db" >&2
    exit 2
fi

# The project's interpreter runs the comparator (it needs SQLAlchemy 2 and psycopg2).
PROJECT_PY="$ROOT/.venv/bin/python"
[[ -x "$PROJECT_PY" ]] || PROJECT_PY="$(command -v python3)"

install_original() {
    if [[ -f "$STAMP" ]]; then
        return
    fi
    if [[ -z "$PY" ]]; then
        PY="$(command -v python3.11 || command -v python3 || true)"
    fi
    if [[ -z "$PY" ]]; then
        echo "compat-original: no python3 found; pass --python" >&2
        exit 2
    fi
    echo "compat-original: installing thoth-storages $ORIGINAL_VERSION into ${VENV#"$ROOT"/} ..." >&2
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PY" -m venv "$VENV"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "thoth-storages==$ORIGINAL_VERSION" "packaging==21.3" thoth-ssdeep; then
        rm -rf "$VENV"
        echo "compat-original: cannot install thoth-storages $ORIGINAL_VERSION with pip" \
            "(no network or package index unreachable?)" >&2
        exit 3
    fi
    touch "$STAMP"
}

build_original() {
    # The original's connect() raises on an existing database that has no alembic_version table,
    # so the database is dropped first and initialize_schema() creates it.
    KNOWLEDGE_GRAPH_DATABASE="$ORIGINAL_DB" "$VENV/bin/python" -P -W ignore - <<'EOF'
import os
import psycopg2
from thoth.storages import GraphDatabase

name = os.environ["KNOWLEDGE_GRAPH_DATABASE"]
connection = psycopg2.connect(
    host=os.getenv("KNOWLEDGE_GRAPH_HOST", "localhost"),
    port=int(os.getenv("KNOWLEDGE_GRAPH_PORT", "5432")),
    user=os.getenv("KNOWLEDGE_GRAPH_USER", "postgres"),
    password=os.getenv("KNOWLEDGE_GRAPH_PASSWORD", "postgres"),
    dbname="postgres",
    sslmode="disable" if int(os.getenv("KNOWLEDGE_GRAPH_SSL_DISABLED", "0")) else "prefer",
)
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
connection.close()

graph = GraphDatabase()
graph.connect()
graph.initialize_schema()
if not graph.is_schema_up2date():
    raise SystemExit("the original database is not at the original's head revision")
EOF
}

original_url() {
    KNOWLEDGE_GRAPH_DATABASE="$ORIGINAL_DB" "$VENV/bin/python" -P -W ignore -c \
        "from thoth.storages import GraphDatabase; print(GraphDatabase.construct_connection_string())"
}

install_original
if [[ "$BUILD_ONLY" == 2 ]]; then
    exit 0
fi
if [[ "$BUILD" == 1 ]]; then
    echo "compat-original: building database $ORIGINAL_DB with thoth-storages $ORIGINAL_VERSION ..." >&2
    build_original
fi
if [[ "$BUILD_ONLY" == 1 ]]; then
    echo "compat-original: built database $ORIGINAL_DB with thoth-storages $ORIGINAL_VERSION" >&2
    exit 0
fi
ALLOW_ARGS=()
if [[ -f "$ALLOWLIST" ]]; then
    ALLOW_ARGS=(--allowlist "$ALLOWLIST")
else
    echo "compat-original: no allow-list at $ALLOWLIST; every difference counts" >&2
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PROJECT_PY" -m thoth_storages.graph.compare_cli "${ALLOW_ARGS[@]}" "${QUIET[@]}" \
    "$(original_url)" "$OTHER_URL"
