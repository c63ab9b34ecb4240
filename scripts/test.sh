#!/usr/bin/env bash
# Sets everything up, builds, and runs the test suite (the Release build's ctest suite, then
# examples/ built against an installed copy of heed: what CI runs). Two more stages exist but are
# not in CI yet (README "Quick start" says why): the same suite under AddressSanitizer +
# UndefinedBehaviorSanitizer, and a short run of every fuzzer (scripts/fuzz.sh). Each stage
# installs what it needs.
# Usage: scripts/test.sh             the Release suite (build/)
#        scripts/test.sh --sanitize  the ASan + UBSan suite (build-asan/)
#        scripts/test.sh --fuzz      the fuzzers, 20 s each (scripts/fuzz.sh --help for more)
#        scripts/test.sh --all       all three
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:---release}"

release() {
  scripts/setup.sh build
  ctest --test-dir build --output-on-failure -j"$(nproc)"
  scripts/examples.sh build
}
sanitize() {
  # -O1 -g1: what the sanitizers' authors suggest (usable speed, stack traces with lines), and
  # about half the compile time of -O2 -g on 2 cores; Eigen's own assertions stay on.
  scripts/setup.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DHEED_SANITIZE=ON
  # halt on the first report; leaks are reported too (the default on Linux)
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
}
fuzz() { scripts/fuzz.sh --seconds 20; }

case "$stage" in
  --all) release; sanitize; fuzz ;;
  --release) release ;;
  --sanitize) sanitize ;;
  --fuzz) fuzz ;;
  *) echo "usage: scripts/test.sh [--release | --sanitize | --fuzz | --all]" >&2; exit 2 ;;
esac
