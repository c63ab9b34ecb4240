#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite.
# Usage: scripts/test.sh            (Release build in build/)
#        scripts/test.sh --sanitize (ASan + UBSan build in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
  scripts/setup.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEED_SANITIZE=ON
  build_dir=build-asan
else
  scripts/setup.sh build
  build_dir=build
fi
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
