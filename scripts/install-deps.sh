#!/usr/bin/env bash
# Installs every Debian 12 package that building, running and testing spire-cpp needs.
# Idempotent: packages already present are skipped, and apt-get runs only when something is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang clang-format
  # libraries of the design card (see docs/dependencies.md)
  libssl-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libboost-dev libboost-filesystem-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libsqlite3-dev libpqxx-dev libpq-dev libmysqlcppconn-dev nlohmann-json3-dev libbenchmark-dev
  # test-time tools: independent clients and real database servers
  openssl python3-cryptography python3-jwt python3-grpcio python3-protobuf
  postgresql mariadb-server util-linux
)
# The Node interop client (tests/e2e) needs node and npm; an existing installation (e.g. a
# vendor's nodejs package that bundles npm) is kept, Debian's packages fill in otherwise.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
