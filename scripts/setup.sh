#!/usr/bin/env bash
# Installs the Debian packages heed needs (only those missing) and builds it in Release.
# Usage: scripts/setup.sh [BUILD_DIR] [extra cmake options...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make libeigen3-dev libboost-program-options-dev libhdf5-dev zlib1g-dev hdf5-tools libgtest-dev libopenblas-dev libdnnl-dev
          nlohmann-json3-dev libsentencepiece-dev sentencepiece pkg-config libcairo2-dev fonts-dejavu-core
          libopenmpi-dev openmpi-bin iproute2)
scripts/install_packages.sh "${packages[@]}"

build_dir="${1:-build}"
shift || true
# shellcheck disable=SC2046  # the launcher options are words
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release $(scripts/cmake_launcher.sh) "$@" >/dev/null
# HEED_SETUP_TARGET=heed builds only the executable (the main job); default: everything.
cmake --build "$build_dir" -j"$(nproc)" ${HEED_SETUP_TARGET:+--target "$HEED_SETUP_TARGET"}
