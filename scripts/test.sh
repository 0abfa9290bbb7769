#!/usr/bin/env bash
# README command (2): set up a fresh Debian 12 machine, build, and pass every test.
# Runs the release build's full suite, then the unit tests again under ASan + UBSan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh

echo "== release build"
bash scripts/build.sh release
echo "== release tests (PostgreSQL and MariaDB started on loopback for the datastore suite)"
bash scripts/db/with-databases.sh \
  ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300

echo "== sanitizer build (ASan + UBSan)"
bash scripts/build.sh asan
echo "== sanitizer tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  bash scripts/db/with-databases.sh ctest --test-dir build-asan --output-on-failure -j "$(nproc)" --timeout 600 -LE no_sanitizer
