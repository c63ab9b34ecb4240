#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite: the Release build's ctest suite,
# the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer, and a short run of
# every fuzzer (scripts/fuzz.sh). Each stage installs what it needs (only missing packages).
# Usage: scripts/test.sh             all three stages (what CI runs)
#        scripts/test.sh --release   the Release suite only (build/)
#        scripts/test.sh --sanitize  the ASan + UBSan suite only (build-asan/)
#        scripts/test.sh --fuzz      the fuzzers only, 20 s each (scripts/fuzz.sh --help for more)
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:-all}"

release() {
  scripts/setup.sh build
  ctest --test-dir build --output-on-failure -j"$(nproc)"
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
  all) release; sanitize; fuzz ;;
  --release) release ;;
  --sanitize) sanitize ;;
  --fuzz) fuzz ;;
  *) echo "usage: scripts/test.sh [--release | --sanitize | --fuzz]" >&2; exit 2 ;;
esac
