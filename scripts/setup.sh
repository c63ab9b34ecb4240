#!/usr/bin/env bash
# Installs the Debian packages heed needs (only those missing) and builds it in Release.
# Usage: scripts/setup.sh [BUILD_DIR] [extra cmake options...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make libeigen3-dev libboost-program-options-dev libhdf5-dev zlib1g-dev hdf5-tools libgtest-dev libopenblas-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build_dir="${1:-build}"
shift || true
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
# HEED_SETUP_TARGET=heed builds only the executable (the main job); default: everything.
cmake --build "$build_dir" -j"$(nproc)" ${HEED_SETUP_TARGET:+--target "$HEED_SETUP_TARGET"}
