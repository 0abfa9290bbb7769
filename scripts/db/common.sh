# shellcheck shell=bash
# Shared helpers of the throw-away database scripts (sourced, not run).
# State lives under SPIRE_DB_DIR: one folder per engine, each with its data directory, socket
# directory, log, chosen port and an `env` file to source. The default is in /dev/shm when it is
# a writable tmpfs: DDL there is ~10x faster than on disk (each test case migrates a new schema),
# and throw-away data needs no durability.

db_default_dir() {
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    echo /dev/shm/spire-test-db
  else
    echo /tmp/spire-test-db
  fi
}
SPIRE_DB_DIR=${SPIRE_DB_DIR:-$(db_default_dir)}

db_log() { echo "[db] $*" >&2; }
db_die() {
  echo "[db] error: $*" >&2
  exit 1
}

# A TCP port on 127.0.0.1 that nothing listens on, from a range away from the usual services.
# (A connect that fails means free; the server then binds it, or fails loudly if raced.)
db_free_port() {
  local port tries=0
  while [ $tries -lt 200 ]; do
    port=$((20000 + (RANDOM % 20000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
    tries=$((tries + 1))
  done
  db_die "no free TCP port found on 127.0.0.1"
}

# Polls `cmd...` until it succeeds or `deadline_s` seconds pass (readiness, not a blind sleep).
db_wait_for() {
  local deadline_s=$1
  shift
  local end=$((SECONDS + deadline_s))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then
      return 1
    fi
    sleep 0.1
  done
}
