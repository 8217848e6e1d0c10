#!/usr/bin/env bash
# Renders a report from result files and takes a screenshot of report.html in headless Chromium,
# to check by eye that the page (tables, inline SVG charts) renders offline.
#
# usage: scripts/check_report.sh [--install] [--replbench PATH] [--out DIR] RESULTS...
#   RESULTS      result directories or files (default: runs masterslave, raft, isr and gm on the
#                default workload into DIR/results first)
#   --install    install chromium with apt-get when it is missing (Debian package `chromium`);
#                without it a missing chromium is an error
#   --replbench  the replbench binary (default: build/default/harness/replbench)
#   --out DIR    where the report and the screenshot go (default: out/check-report)
# Writes DIR/report.html, DIR/report.md, DIR/charts/ and DIR/report.png (1400 px wide).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

install=0
replbench="build/default/harness/replbench"
out="out/check-report"
inputs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --install) install=1 ;;
    --replbench) replbench="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "check_report: unknown flag $1" >&2; exit 2 ;;
    *) inputs+=("$1") ;;
  esac
  shift
done

chromium="$(command -v chromium || true)"
if [ -z "$chromium" ]; then
  if [ "$install" -ne 1 ]; then
    echo "check_report: chromium is not installed; rerun with --install (apt-get install chromium)" >&2
    exit 2
  fi
  echo "check_report: installing chromium"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends chromium
  chromium="$(command -v chromium)"
fi

if [ ! -x "$replbench" ]; then
  echo "check_report: $replbench not found; build it with scripts/build.sh replbench" >&2
  exit 2
fi

mkdir -p "$out"
if [ ${#inputs[@]} -eq 0 ]; then
  mkdir -p "$out/results"
  for mode in masterslave raft isr gm; do
    echo "check_report: running $mode"
    "$replbench" run --mode "$mode" --seed 1 --quiet --no-history --out "$out/results/$mode.json" || true
  done
  inputs=("$out/results")
fi

"$replbench" report "${inputs[@]}" --out "$out"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
shot="$(cd "$out" && pwd)/report.png"
page="file://$(cd "$out" && pwd)/report.html"
# No network: the page must render from the file alone.
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars \
  --screenshot="$shot" --window-size=1400,3000 "$page" >/dev/null 2>"$profile/chromium.log" || {
  echo "check_report: chromium failed; its log:" >&2
  tail -20 "$profile/chromium.log" >&2
  exit 1
}
if [ ! -s "$shot" ]; then
  echo "check_report: chromium wrote no screenshot" >&2
  exit 1
fi
echo "check_report: screenshot $shot (report $out/report.html)"
