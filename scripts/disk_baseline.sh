#!/usr/bin/env bash
# The disk's own limit for the net runtime's write pattern: sequential appends, one fdatasync per
# write, with fio (installed with apt-get if missing). Compare the result with a run's replicated
# bytes per second (payload x replicas) at the same bytes per sync (result JSON: resources.disk_bytes
# / resources.fsyncs).
#
#   scripts/disk_baseline.sh [--bs BYTES] [--jobs N] [--dir DIR] [--seconds S]
#
# --jobs is the number of writers at once: 3 for a 3-node cluster on one host (one disk).
set -euo pipefail
bs=65536 jobs=3 dir="${TMPDIR:-/tmp}" seconds=10
while [ $# -gt 0 ]; do
  case "$1" in
    --bs) bs="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "disk_baseline.sh: unknown argument '$1' (use --bs, --jobs, --dir, --seconds)" >&2; exit 2 ;;
  esac
done
for v in "$bs" "$jobs" "$seconds"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "disk_baseline.sh: '$v' is not a positive integer" >&2; exit 2; }
done
[ -d "$dir" ] || { echo "disk_baseline.sh: no such directory '$dir'" >&2; exit 2; }
if ! command -v fio >/dev/null; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y fio >/dev/null || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y fio >/dev/null; }
fi
work="$(mktemp -d "$dir/rb-fio.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fio --name=append --directory="$work" --rw=write --bs="$bs" --fdatasync=1 --size=1G --numjobs="$jobs" \
  --time_based --runtime="$seconds" --group_reporting --ioengine=psync --output-format=json >"$work/out.json"
python3 - "$work/out.json" "$bs" "$jobs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
job = d["jobs"][0]
w = job["write"]
sync = job.get("sync", {}).get("lat_ns", {}).get("percentile", {})
p50 = sync.get("50.000000", 0) / 1e6
print(f"fio sequential append, bs {sys.argv[2]} B, {sys.argv[3]} writer(s), fdatasync per write: "
      f"{w['bw_bytes'] / 1e6:.1f} MB/s, {w['iops']:.0f} writes/s, fdatasync p50 {p50:.2f} ms")
PY
