#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, scenario, simulator,
# seeded fuzzing and net-runtime integration tests). Benchmarks, long fuzzing and soak runs are
# separate commands (see README).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/build.sh
jobs="${RB_JOBS:-$(nproc)}"
ctest --test-dir build/default --output-on-failure -j "$jobs" --timeout 900
