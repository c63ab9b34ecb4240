#!/usr/bin/env bash
# Sets everything up, builds, and runs the test suite in three stages that each install what they
# need: the Release build's ctest suite and then examples/ built against an installed copy of
# heed; the same suite under AddressSanitizer + UndefinedBehaviorSanitizer; a short run of every
# fuzzer (scripts/fuzz.sh). CI (.ci/run) runs all three.
# Usage: scripts/test.sh --all       all three stages: the whole test suite
#        scripts/test.sh             the Release suite and the examples (build/), the quick check
#        scripts/test.sh --sanitize  the ASan + UBSan suite (build-asan/)
#        scripts/test.sh --fuzz      the fuzzers, 20 s each (scripts/fuzz.sh --help for more)
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
  # about half the compile time of -O2 -g on 2 cores; Eigen's own assertions stay on. Without
  # MPI: Open MPI leaves its own allocations at exit (LeakSanitizer reports 121 kB in 3,347 blocks
  # for an MPI_Init/MPI_Allreduce/MPI_Finalize program, many from its unloaded plugins, which no
  # suppression can name), so the mpirun tests run in the Release stage; here they check that a
  # heed without MPI refuses --distributed.
  scripts/setup.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DHEED_SANITIZE=ON -DHEED_MPI=OFF
  # halt on the first report; leaks are reported too (the default on Linux)
  # (fontconfig's process-long caches are not leaks of heed's: scripts/lsan_suppressions.txt)
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    LSAN_OPTIONS=suppressions="$PWD/scripts/lsan_suppressions.txt" \
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
