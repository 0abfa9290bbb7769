#!/usr/bin/env bash
# Starts a throw-away MariaDB on 127.0.0.1 (random free port) with its own data directory and
# socket under $SPIRE_DB_DIR/mariadb, creates database "spire" (utf8mb4, binary collation) and
# user spire/spire with every privilege (tests create one database and user per case), and writes
# $SPIRE_DB_DIR/mariadb/env:
#   SPIRE_TEST_MYSQL_DSN     go-sql-driver form, as SPIRE's connection_string takes it
#   SPIRE_TEST_MYSQL_SOCKET  the Unix socket (for the unix(...) form and the admin client)
#   SPIRE_TEST_MYSQL_CA      a throw-away CA that signed the server's TLS certificate (SAN
#                            127.0.0.1 / localhost), for the root_ca_path cases
# Idempotent: when the instance already runs, it only prints the env file again.
# Works as root (mariadbd --user=root) and as any other user. --no-defaults keeps the system's
# my.cnf (and a system MariaDB, if any) out of it. Durability is traded for speed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

dir="$SPIRE_DB_DIR/mariadb"
sock="$dir/mariadb.sock"
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
[ -x "$mariadbd" ] || db_die "mariadbd not found (apt-get install mariadb-server)"
command -v mariadb-install-db >/dev/null || db_die "mariadb-install-db not found"

admin() { mariadb-admin --no-defaults -S "$sock" -uroot "$@"; }
client() { mariadb --no-defaults -S "$sock" -uroot "$@"; }

if [ -f "$dir/env" ] && admin ping >/dev/null 2>&1; then
  db_log "mariadb already running ($dir)"
  cat "$dir/env"
  exit 0
fi

mkdir -p "$dir"
user=$(id -un)
if [ ! -d "$dir/data/mysql" ]; then
  rm -rf "$dir/data"
  mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 || {
    cat "$dir/install.log" >&2
    db_die "mariadb-install-db failed"
  }
fi

# TLS material, made once: a CA and a server certificate for 127.0.0.1 (openssl CLI).
if [ ! -f "$dir/tls/server.pem" ] && command -v openssl >/dev/null; then
  mkdir -p "$dir/tls"
  (
    cd "$dir/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
      -subj "/CN=spire test database CA" -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
      -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile san.ext -out server.pem 2>/dev/null
  ) || db_die "could not make the TLS certificates"
fi
tls_args=()
if [ -f "$dir/tls/server.pem" ]; then
  tls_args=(--ssl-ca="$dir/tls/ca.pem" --ssl-cert="$dir/tls/server.pem" --ssl-key="$dir/tls/server.key")
fi

port=$(cat "$dir/port" 2>/dev/null || db_free_port)
echo "$port" >"$dir/port"
# setsid: the server outlives this script and its caller's process group.
setsid "$mariadbd" --no-defaults --datadir="$dir/data" --socket="$sock" --port="$port" \
  --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$dir/mariadbd.pid" --log-error="$dir/server.log" \
  --user="$user" --skip-log-bin --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
  --innodb-file-per-table=0 --innodb-flush-method=nosync --sync-frm=0 \
  --max-connections=300 --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
  "${tls_args[@]}" </dev/null >/dev/null 2>&1 &
if ! db_wait_for 60 admin ping; then
  tail -n 30 "$dir/server.log" >&2 || true
  db_die "mariadb did not become ready within 60 s"
fi

client -e "CREATE DATABASE IF NOT EXISTS spire CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  CREATE USER IF NOT EXISTS 'spire'@'127.0.0.1' IDENTIFIED BY 'spire';
  CREATE USER IF NOT EXISTS 'spire'@'localhost' IDENTIFIED BY 'spire';
  GRANT ALL PRIVILEGES ON *.* TO 'spire'@'127.0.0.1' WITH GRANT OPTION;
  GRANT ALL PRIVILEGES ON *.* TO 'spire'@'localhost' WITH GRANT OPTION;"

cat >"$dir/env" <<ENV
export SPIRE_TEST_MYSQL_DSN='spire:spire@tcp(127.0.0.1:$port)/spire?parseTime=true'
export SPIRE_TEST_MYSQL_SOCKET='$sock'
ENV
if [ -f "$dir/tls/ca.pem" ]; then
  echo "export SPIRE_TEST_MYSQL_CA='$dir/tls/ca.pem'" >>"$dir/env"
fi
db_log "mariadb ready on 127.0.0.1:$port ($dir)"
cat "$dir/env"
