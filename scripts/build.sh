#!/usr/bin/env bash
# Installs what is missing, then configures and builds replbench (preset `default`:
# optimised, debug info, assertions on). Usage: scripts/build.sh [extra ninja targets...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
jobs="${RB_JOBS:-$(nproc)}"
if [ ! -f build/default/build.ninja ]; then
  cmake --preset default >/dev/null
fi
cmake --build build/default -j "$jobs" "$@"
