#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ (clang, ASan + UBSan) in build-fuzz/ and runs each
# target for a time or a number of executions, one after another; prints per target the
# executions done and the findings, and exits non-zero if any target found something.
# Usage: scripts/fuzz.sh [--seconds N | --runs N] [TARGET ...]
#   default: --seconds 20, every target (tsv tokenizers bpe_learn ini checkpoint translate).
# Each target's corpus grows in build-fuzz/corpus/TARGET, seeded from fuzz/corpus/TARGET (the
# committed seeds and regression inputs); a finding's input lands in build-fuzz/findings/TARGET
# and its log in build-fuzz/logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time=20)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(tsv tokenizers bpe_learn ini checkpoint translate)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# The libraries heed needs, plus clang and its libFuzzer/sanitizer runtimes (libclang-rt-14-dev).
packages=(cmake make libeigen3-dev libboost-program-options-dev libhdf5-dev libopenblas-dev nlohmann-json3-dev
          libsentencepiece-dev clang libclang-rt-14-dev)
scripts/install_packages.sh "${packages[@]}"

build=build-fuzz
# shellcheck disable=SC2046  # the launcher options are words
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ $(scripts/cmake_launcher.sh) \
      -DHEED_FUZZ=ON -DHEED_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# Longest input per target: past the longest seed (the checkpoints are ~150 KB), small where
# longer inputs only repeat what short ones reach.
declare -A max_len=([tsv]=512 [tokenizers]=256 [bpe_learn]=512 [ini]=1024 [checkpoint]=200000 [translate]=512)

failed=0
for t in "${targets[@]}"; do
  [ -n "${max_len[$t]:-}" ] || { echo "fuzz.sh: unknown target $t (targets: ${all[*]})" >&2; exit 2; }
  mkdir -p "$build/corpus/$t" "$build/findings/$t" "$build/logs"
  log="$build/logs/$t.log"
  before=$(ls "$build/findings/$t" | wc -l)
  start=$(date +%s)
  status=0
  # -timeout: an input taking 10 s is a hang; a single allocation past -malloc_limit_mb (the
  # 2 GB RSS limit) is a finding too: an absurd size believed.
  "$build/fuzz/fuzz_$t" "${limit[@]}" -max_len="${max_len[$t]}" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$build/findings/$t/" "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  seconds=$(( $(date +%s) - start ))
  # The final stats, or after a finding the last progress line (#N).
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  found=$(( $(ls "$build/findings/$t" | wc -l) - before ))
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "$t: FINDING after ${runs:-?} executions in ${seconds} s (exit $status): $(ls -t "$build/findings/$t" | head -1); see $log"
    grep -m3 -E "ERROR|SUMMARY|heed fuzz finding|runtime error|deadly signal" "$log" | sed 's/^/  /' || true
  else
    echo "$t: ${runs:-?} executions in ${seconds} s, no findings"
  fi
done
exit $failed
