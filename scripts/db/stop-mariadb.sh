#!/usr/bin/env bash
# Stops the throw-away MariaDB of start-mariadb.sh and waits until its process is gone. With
# --purge also deletes its directory. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

dir="$SPIRE_DB_DIR/mariadb"
sock="$dir/mariadb.sock"
pid=$(cat "$dir/mariadbd.pid" 2>/dev/null || true)
if [ -S "$sock" ]; then
  mariadb-admin --no-defaults -S "$sock" -uroot shutdown >/dev/null 2>&1 || true
fi
if [ -n "$pid" ]; then
  # shutdown returns once the server accepted it; wait for the process itself to exit.
  db_wait_for 60 bash -c "! kill -0 $pid" || db_die "mariadbd (pid $pid) did not stop"
  db_log "mariadb stopped"
fi
rm -f "$dir/env"
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$dir"
  rmdir "$SPIRE_DB_DIR" 2>/dev/null || true # when the other engine's folder is gone too
fi
