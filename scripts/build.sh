#!/usr/bin/env bash
# Configures and builds spire-cpp with Ninja. Usage: scripts/build.sh [release|asan] [ninja targets...]
#   release (default) -> build/       asan -> build-asan/ (AddressSanitizer + UBSan)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
flavor=${1:-release}
[ $# -gt 0 ] && shift

case "$flavor" in
  release) dir="$root/build"; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir="$root/build-asan"; flags=(-DCMAKE_BUILD_TYPE=Debug -DSPIRE_SANITIZE=ON) ;;
  *) echo "build.sh: unknown flavor '$flavor' (release|asan)" >&2; exit 2 ;;
esac

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths relative to the checkout, so another clone of the same tree reuses the cache.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
jobs=${SPIRE_BUILD_JOBS:-$(nproc)}

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}"
fi
cmake --build "$dir" -j "$jobs" -- "$@"
