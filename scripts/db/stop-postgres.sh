#!/usr/bin/env bash
# Stops the throw-away PostgreSQL of start-postgres.sh. With --purge also deletes its directory.
# Idempotent: stopping a stopped (or never started) instance succeeds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

dir="$SPIRE_DB_DIR/postgres"
pgbin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
if [ -f "$dir/data/postmaster.pid" ] && [ -x "$pgbin/pg_ctl" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  else
    "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  db_log "postgres stopped"
fi
rm -f "$dir/env"
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$dir"
  rmdir "$SPIRE_DB_DIR" 2>/dev/null || true # when the other engine's folder is gone too
fi
