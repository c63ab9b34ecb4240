#!/usr/bin/env bash
# Where the fixed-size bottleneck bites: trains each model family with default settings on
# `reverse` (lengths MIN-MAX, the same number of steps for all), then reports test exact match
# by source length in buckets of WIDTH words, and each run's wall time.
# Usage: tools/length_experiment.sh OUT_DIR [MAX_LENGTH=20] [WIDTH=5] [extra heed train options...]
# Example: tools/length_experiment.sh runs/lengths            # lengths 1-20, default 4000 steps
#          tools/length_experiment.sh runs/lengths60 60 10     # a reverse variant up to length 60
set -euo pipefail
cd "$(dirname "$0")/.."
out="$1"
max="${2:-20}"
width="${3:-5}"
shift $(( $# < 3 ? $# : 3 ))
heed="${HEED:-build/train/heed}"  # HEED=path runs another build
mkdir -p "$out"
for arch in transformer lstm lstm-attention; do
  dir="$out/$arch"
  start=$(date +%s)
  $heed train --arch "$arch" --task reverse --max-length "$max" --save-dir "$dir" --quiet "$@" 2> "$dir.log" || {
    echo "$arch: training failed, see $dir.log"; exit 1; }
  echo "$arch: trained in $(( $(date +%s) - start )) s (this invocation; a resumed run counts only its rest)"
  $heed eval --checkpoint "$dir/checkpoint_best.h5" --task reverse --max-length "$max" --by-length "$width" \
    | tee "$dir.eval"
done
