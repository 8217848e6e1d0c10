#!/usr/bin/env bash
# How well a calibrated simulation predicts the net runtime: for each mode, the one-queue workload
# (1 partition, 3 replicas, 1 KB, acks=all, fsync always, one producer with 500 in flight, no
# consumers; 5 s after 1 s of warm-up) without and with client batching, once with
# `--runtime net` and once with `--runtime sim --profile PROFILE`, then a line per cell with both
# throughputs and p50 latencies and the simulation's error. About 2 minutes for four modes.
#
#   scripts/sim_vs_net.sh PROFILE [OUTDIR] [MODE ...]
#
# PROFILE comes from `replbench calibrate --out PROFILE` on this machine. Result files go to OUTDIR
# (default out/sim-vs-net). Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/sim_vs_net.sh PROFILE [OUTDIR] [MODE ...]" >&2; exit 2; }
profile="$1"
out="${2:-out/sim-vs-net}"
shift $(($# >= 2 ? 2 : 1))
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(raft gm masterslave isr)
[ -f "$profile" ] || { echo "sim_vs_net.sh: no such profile '$profile' (run replbench calibrate --out $profile)" >&2; exit 2; }
bin=build/default/harness/replbench
[ -x "$bin" ] || { echo "sim_vs_net.sh: $bin is missing; run scripts/build.sh first" >&2; exit 2; }
mkdir -p "$out"
common=(--set topics=1 --set partitionsPerTopic=1 --set messageSize=1024 --set producersPerTopic=1
  --set subscriptionsPerTopic=0 --set producerRate=0 --set maxInFlight=500 --set testDurationSeconds=5
  --set warmupSeconds=1 --set replicas=3 --set acks=all --set fsync=always --set batchLingerTicks=1 --no-history)
for m in "${modes[@]}"; do
  for batching in "1 0" "64 1"; do
    read -r per_request linger <<<"$batching"
    for rt in net sim; do
      extra=()
      [ "$rt" = sim ] && extra=(--profile "$profile")
      "$bin" run --mode "$m" --runtime "$rt" "${common[@]}" --set producerBatchMessages="$per_request" \
        --set producerLingerMs="$linger" "${extra[@]}" --out "$out/$m-b$per_request-$rt.json" >"$out/$m-b$per_request-$rt.log" 2>&1 ||
        { echo "sim_vs_net.sh: $m $rt failed, see $out/$m-b$per_request-$rt.log" >&2; exit 1; }
    done
    python3 - "$out/$m-b$per_request-net.json" "$out/$m-b$per_request-sim.json" "$m" "$per_request" <<'PY'
import json, sys
net = json.load(open(sys.argv[1]))["summary"]
sim = json.load(open(sys.argv[2]))["summary"]
rn, rs = net["publish_rate"], sim["publish_rate"]
pn, ps = net["publish_latency"]["p50"] / 1e6, sim["publish_latency"]["p50"] / 1e6
err = lambda s, n: f"{100 * (s - n) / n:+5.0f} %" if n else "    -"
name = f"{sys.argv[3]} {'unbatched' if sys.argv[4] == '1' else 'batched ' + sys.argv[4]}"
print(f"{name:24} msg/s net {rn:8.0f} sim {rs:8.0f} {err(rs, rn)} | p50 ms net {pn:6.2f} sim {ps:6.2f} {err(ps, pn)}")
PY
  done
done
