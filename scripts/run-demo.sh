#!/usr/bin/env bash
# README command (1): set up, build and run the main job.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
bash scripts/build.sh release

if [ ! -f scripts/demo.sh ]; then
  echo "run-demo: built everything. spire-server and spire-agent answer 'validate' so far; the"
  echo "run-demo: server/agent demo (a workload fetching its X.509-SVID) arrives with issues 4 and 5."
  build/bin/spire-agent validate -config conf/agent.conf || true
  exit 0
fi
exec bash scripts/demo.sh
