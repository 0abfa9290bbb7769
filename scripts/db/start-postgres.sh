#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 on 127.0.0.1 (random free port) with its own data and socket
# directories under $SPIRE_DB_DIR/postgres, creates role and database "spire" (password "spire",
# CREATEDB so tests can make one database per case), and writes $SPIRE_DB_DIR/postgres/env:
#   SPIRE_TEST_POSTGRES_DSN  libpq key=value form (what the conformance suite reads)
#   SPIRE_TEST_POSTGRES_URL  the same as a postgres:// URL
# Idempotent: when the instance already runs, it only prints the env file again.
# initdb/pg_ctl refuse to run as root, so as root they run as the `postgres` system user.
# Durability is traded for speed (fsync=off): this instance only ever holds test data.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

dir="$SPIRE_DB_DIR/postgres"
pgbin=${PG_BIN:-}
if [ -z "$pgbin" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[ -x "$pgbin/initdb" ] || db_die "PostgreSQL server binaries not found (apt-get install postgresql)"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    # runuser needs no password and keeps no tty; the command is one quoted string.
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

if running && [ -f "$dir/env" ]; then
  db_log "postgres already running ($dir)"
  cat "$dir/env"
  exit 0
fi

mkdir -p "$SPIRE_DB_DIR"
chmod 755 "$SPIRE_DB_DIR"
mkdir -p "$dir/sock"
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || db_die "running as root needs the 'postgres' system user"
  chown -R postgres: "$dir"
fi
chmod 755 "$dir"

if [ ! -f "$dir/data/PG_VERSION" ]; then
  rm -rf "$dir/data"
  as_owner "$pgbin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale --no-sync \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    db_die "initdb failed"
  }
fi

port=$(cat "$dir/port" 2>/dev/null || db_free_port)
echo "$port" >"$dir/port"
# pg_ctl -w waits for the server to accept connections, up to -t seconds.
as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
  -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off \
      -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  >/dev/null || {
  tail -n 30 "$dir/server.log" >&2 || true
  db_die "postgres did not start"
}

psql_admin() { as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" -p "$port" -U postgres "$@"; }
if [ "$(psql_admin -tA -c "SELECT 1 FROM pg_roles WHERE rolname = 'spire'")" != "1" ]; then
  psql_admin -c "CREATE ROLE spire LOGIN PASSWORD 'spire' CREATEDB"
fi
if [ "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = 'spire'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE spire OWNER spire"
fi

cat >"$dir/env" <<ENV
export SPIRE_TEST_POSTGRES_DSN='host=127.0.0.1 port=$port user=spire password=spire dbname=spire sslmode=disable'
export SPIRE_TEST_POSTGRES_URL='postgres://spire:spire@127.0.0.1:$port/spire?sslmode=disable'
ENV
db_log "postgres ready on 127.0.0.1:$port ($dir)"
cat "$dir/env"
