#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default comparison: the `quick` suite (all four
# modes, with and without faults, in the simulator), then renders the comparison report.
# Usage: scripts/compare.sh [OUT_DIR]   (default: results/quick, the reference results)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/build.sh replbench
out="${1:-results/quick}"
mkdir -p "$out"
./build/default/harness/replbench suite harness/suites/quick.json --out "$out"
./build/default/harness/replbench report "$out" --out "$out"
