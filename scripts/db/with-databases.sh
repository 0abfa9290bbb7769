#!/usr/bin/env bash
# Runs CMD... with throw-away PostgreSQL and MariaDB instances: starts both, exports
# SPIRE_TEST_POSTGRES_DSN / SPIRE_TEST_MYSQL_DSN (and friends), runs the command, stops both
# (also when the command fails or is interrupted), and exits with the command's status.
#   scripts/db/with-databases.sh ctest --test-dir build -R datastore_conformance
# SPIRE_DB_DIR picks the state folder (default: a fresh temp dir, in /dev/shm when possible,
# purged afterwards). With SPIRE_DB_DIR set, servers already running there are reused, and stopped
# at the end with their data kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || {
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
}

purge=""
if [ -z "${SPIRE_DB_DIR:-}" ]; then
  base=/tmp
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    base=/dev/shm # see common.sh
  fi
  SPIRE_DB_DIR=$(mktemp -d "$base/spire-db.XXXXXX")
  chmod 755 "$SPIRE_DB_DIR" # the postgres user must reach its data directory
  purge="--purge"
fi
export SPIRE_DB_DIR

cleanup() {
  bash "$here/stop-postgres.sh" ${purge:+"$purge"} || true
  bash "$here/stop-mariadb.sh" ${purge:+"$purge"} || true
  if [ -n "$purge" ]; then
    rm -rf "$SPIRE_DB_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash "$here/start-postgres.sh" >/dev/null
bash "$here/start-mariadb.sh" >/dev/null
# shellcheck disable=SC1091
. "$SPIRE_DB_DIR/postgres/env"
# shellcheck disable=SC1091
. "$SPIRE_DB_DIR/mariadb/env"
export SPIRE_REQUIRE_ALL_BACKENDS=${SPIRE_REQUIRE_ALL_BACKENDS:-1}

set +e
"$@"
status=$?
set -e
exit $status
