#!/usr/bin/env bash
# README command (1): set up a fresh Debian 12 machine, build, and run the main job
# (scripts/demo.sh: a server and an agent on embedded SQLite, a registered workload fetching its
# X.509-SVID).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
bash scripts/build.sh release
exec bash scripts/demo.sh
