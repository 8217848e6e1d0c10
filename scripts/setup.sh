#!/usr/bin/env bash
# Installs every Debian package replbench needs to build, test and report.
# Does nothing (and needs no network) when all of them are already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build git pkg-config
  libboost-dev libboost-program-options-dev
  libprotobuf-dev protobuf-compiler
  nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox librsvg2-bin iproute2 procps
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
