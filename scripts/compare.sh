#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default comparison: every mode on the default
# workload in the simulator, one result file per mode, then prints where the results are.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/build.sh replbench
out="${1:-out/compare}"
mkdir -p "$out"
status=0
for mode in masterslave raft isr gm; do
  echo "== $mode"
  ./build/default/harness/replbench run --mode "$mode" --runtime sim --seed 1 --out "$out/$mode.json" || status=$?
done
echo "results: $out/"
exit $status
