#!/usr/bin/env bash
# How well a calibrated simulation predicts the net runtime: for each mode, the one-queue workload
# (1 partition, 3 replicas, 1 KB, acks=all, fsync always, one producer with 500 in flight, no
# consumers; 5 s after 1 s of warm-up) without and with client batching, RUNS times with
# `--runtime net` and once with `--runtime sim --profile PROFILE` (the simulator is deterministic),
# then a line per cell: the net runs' median throughput and p50 latency with their range, the
# simulation's figures, and its error against the median. Identical net runs on a small VM differ
# by up to a third, so one run is a poor yardstick; the median of three is the default, and the net
# runs take the cells in turn (round 1 of every cell, then round 2, ...) so a slow spell of the host
# does not fall on all runs of one cell. When the profile's CPU runs used this workload's load (500
# in flight, linger 1 tick), a last column compares the simulation with calibrate's own run of the
# same configuration, which has none of the host's drift between calibration and comparison.
# About 5 minutes for four modes at RUNS=3.
#
#   scripts/sim_vs_net.sh [--runs RUNS] PROFILE [OUTDIR] [MODE ...]
#
# PROFILE comes from `replbench calibrate --out PROFILE` on this machine. Result files go to OUTDIR
# (default out/sim-vs-net). Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/sim_vs_net.sh [--runs RUNS] PROFILE [OUTDIR] [MODE ...]"
runs=3
if [ "${1:-}" = --runs ]; then
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "sim_vs_net.sh: --runs needs a positive whole number, got '${2:-}'" >&2; exit 2; }
  runs="$2"
  shift 2
fi
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
profile="$1"
out="${2:-out/sim-vs-net}"
shift $(($# >= 2 ? 2 : 1))
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(raft gm masterslave isr)
[ -f "$profile" ] || { echo "sim_vs_net.sh: no such profile '$profile' (run replbench calibrate --out $profile)" >&2; exit 2; }
bin=build/default/harness/replbench
[ -x "$bin" ] || { echo "sim_vs_net.sh: $bin is missing; run scripts/build.sh first" >&2; exit 2; }
mkdir -p "$out"
in_flight=500
linger_ticks=1
common=(--set topics=1 --set partitionsPerTopic=1 --set messageSize=1024 --set producersPerTopic=1
  --set subscriptionsPerTopic=0 --set producerRate=0 --set maxInFlight="$in_flight" --set testDurationSeconds=5
  --set warmupSeconds=1 --set replicas=3 --set acks=all --set fsync=always --set batchLingerTicks="$linger_ticks"
  --no-history)
run_one() { # name runtime extra-args...
  local name="$1" rt="$2"
  shift 2
  "$bin" run --mode "$m" --runtime "$rt" "${common[@]}" --set producerBatchMessages="$per_request" \
    --set producerLingerMs="$linger" "$@" --out "$out/$name.json" >"$out/$name.log" 2>&1 ||
    { echo "sim_vs_net.sh: $name failed, see $out/$name.log" >&2; exit 1; }
}
cells=()
for m in "${modes[@]}"; do cells+=("$m 1 0" "$m 64 1"); done
# The net runs go round the cells in turn, RUNS times, so a slow spell of the host lands on several
# cells once each rather than on all runs of one cell.
for i in $(seq 1 "$runs"); do
  for c in "${cells[@]}"; do
    read -r m per_request linger <<<"$c"
    run_one "$m-b$per_request-net$i" net
  done
done
for c in "${cells[@]}"; do
  read -r m per_request linger <<<"$c"
  cell="$m-b$per_request"
  nets=()
  for i in $(seq 1 "$runs"); do nets+=("$out/$cell-net$i.json"); done
  run_one "$cell-sim" sim --profile "$profile"
  python3 - "$out/$cell-sim.json" "$m" "$per_request" "$profile" "$in_flight" "$linger_ticks" "${nets[@]}" <<'PY'
import json, statistics, sys
sim = json.load(open(sys.argv[1]))["summary"]
nets = [json.load(open(f))["summary"] for f in sys.argv[7:]]
rates = [n["publish_rate"] for n in nets]
p50s = [n["publish_latency"]["p50"] / 1e6 for n in nets]
rn, pn = statistics.median(rates), statistics.median(p50s)
rs, ps = sim["publish_rate"], sim["publish_latency"]["p50"] / 1e6
err = lambda s, n: f"{100 * (s - n) / n:+5.0f} %" if n else "    -"
# calibrate's own run of this configuration, minutes before the net runs: the simulation against
# it has no drift of the host in between (shown when the profile's load matches this workload).
calib = ""
meas = json.load(open(sys.argv[4])).get("measured", {})
key = "1KB" if sys.argv[3] == "1" else f"1KB_batch{sys.argv[3]}"
run = meas.get("cpu_runs", {}).get(sys.argv[2], {}).get(key)
same_load = meas.get("cpu_runs_in_flight") == int(sys.argv[5]) and meas.get("cpu_runs_linger_ticks") == int(sys.argv[6])
if run and same_load and "cpu_runs_seconds" in meas:
    rc = run["acked"] / (meas["cpu_runs_rounds"] * meas["cpu_runs_seconds"])
    calib = f" | calibration run {rc:7.0f}, sim {err(rs, rc)}"
name = f"{sys.argv[2]} {'unbatched' if sys.argv[3] == '1' else 'batched ' + sys.argv[3]}"
print(f"{name:20} msg/s net {rn:7.0f} ({min(rates):.0f}-{max(rates):.0f}) sim {rs:7.0f} {err(rs, rn)} | "
      f"p50 ms net {pn:5.2f} ({min(p50s):.2f}-{max(p50s):.2f}) sim {ps:5.2f} {err(ps, pn)}{calib}")
PY
done
