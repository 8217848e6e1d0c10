#!/usr/bin/env bash
# Installs what is missing, then configures and builds replbench (preset `default`:
# optimised, debug info, assertions on). Usage: scripts/build.sh [targets...] (default: everything)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
jobs="${RB_JOBS:-$(nproc)}"
if [ ! -f build/default/build.ninja ]; then
  cmake --preset default >/dev/null
fi
if [ $# -gt 0 ]; then
  cmake --build build/default -j "$jobs" --target "$@"
else
  cmake --build build/default -j "$jobs"
fi
