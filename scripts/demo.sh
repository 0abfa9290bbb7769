#!/usr/bin/env bash
# The main job, end to end on one machine: a spire-server on embedded SQLite, a spire-agent
# attested with a join token, and a workload (this shell's uid) fetching its X.509-SVID over the
# Workload API, checked with openssl. Everything lives in a temp dir and stops at exit.
# Expects a release build in build/ (scripts/run-demo.sh makes one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SPIRE_BIN_DIR:-$root/build/bin}
work=$(mktemp -d /tmp/spire-demo.XXXXXX)
server_pid= agent_pid=

cleanup() {
  for pid in $agent_pid $server_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $agent_pid $server_pid; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

say() { printf '\n==> %s\n' "$*"; }

# Polls "$@" until it succeeds or `timeout` seconds pass (a condition with a deadline, not a sleep
# standing in for synchronisation).
wait_for() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "demo: timed out after ${timeout}s waiting for $what" >&2
      echo "--- server log" >&2; tail -n 30 "$work/server.log" >&2 || true
      echo "--- agent log" >&2; tail -n 30 "$work/agent.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port=$(free_port)
server_sock=$work/server/api.sock
agent_sock=$work/agent/public/api.sock

cat >"$work/server.conf" <<CONF
server {
  bind_address = "127.0.0.1"
  bind_port = "$port"
  socket_path = "$server_sock"
  trust_domain = "example.org"
  data_dir = "$work/server-data"
  log_level = "INFO"
  ca_ttl = "24h"
  default_x509_svid_ttl = "1h"
}
plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "sqlite3"
      connection_string = "$work/server-data/datastore.sqlite3"
    }
  }
  KeyManager "memory" {
    plugin_data {}
  }
  NodeAttestor "join_token" {
    plugin_data {}
  }
}
CONF

say "starting spire-server (SQLite datastore, port $port)"
"$bin/spire-server" run -config "$work/server.conf" >"$work/server.log" 2>&1 &
server_pid=$!
wait_for 30 "the server's health check" "$bin/spire-server" healthcheck -socketPath "$server_sock"
"$bin/spire-server" healthcheck -socketPath "$server_sock"

say "spire-server token generate -spiffeID spiffe://example.org/myagent"
token=$("$bin/spire-server" token generate -socketPath "$server_sock" \
  -spiffeID spiffe://example.org/myagent | awk '/^Token:/ {print $2}')
echo "Token: $token"

say "spire-server entry create (this shell's uid $(id -u) gets spiffe://example.org/myservice)"
"$bin/spire-server" entry create -socketPath "$server_sock" \
  -parentID spiffe://example.org/myagent \
  -spiffeID spiffe://example.org/myservice \
  -selector "unix:uid:$(id -u)"

say "spire-server bundle show > bootstrap bundle for the agent"
"$bin/spire-server" bundle show -socketPath "$server_sock" >"$work/bootstrap.crt"

cat >"$work/agent.conf" <<CONF
agent {
  data_dir = "$work/agent-data"
  log_level = "INFO"
  server_address = "127.0.0.1"
  server_port = "$port"
  socket_path = "$agent_sock"
  trust_bundle_path = "$work/bootstrap.crt"
  trust_domain = "example.org"
}
plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "memory" {
    plugin_data {}
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
CONF

say "starting spire-agent with the join token"
"$bin/spire-agent" run -config "$work/agent.conf" -joinToken "$token" >"$work/agent.log" 2>&1 &
agent_pid=$!
wait_for 30 "the agent's health check" "$bin/spire-agent" healthcheck -socketPath "$agent_sock"

say "the workload fetches its X.509-SVID: spire-agent api fetch x509 -write $work/svid"
mkdir -p "$work/svid"
wait_for 30 "an X.509-SVID for this uid" \
  "$bin/spire-agent" api fetch x509 -socketPath "$agent_sock" -write "$work/svid" -silent
"$bin/spire-agent" api fetch x509 -socketPath "$agent_sock" -write "$work/svid"

say "independent check with openssl"
openssl verify -CAfile "$work/svid/bundle.0.pem" "$work/svid/svid.0.pem"
openssl x509 -in "$work/svid/svid.0.pem" -noout -subject -ext subjectAltName -enddate

say "demo complete: server and agent stop now (logs were in $work)"
