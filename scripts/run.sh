#!/usr/bin/env bash
# The main job: set up, build heed, train the default toy translation model (toy-fr),
# then translate sample sentences and evaluate on the held-out test split.
# Usage: scripts/run.sh [extra heed train options...]
set -euo pipefail
cd "$(dirname "$0")/.."
HEED_SETUP_TARGET=heed scripts/setup.sh build
heed=build/train/heed
run_dir=runs/toy-fr
# 1500 steps: the test split is learned by step 500 (README "Results"); the default is 4000.
$heed train --task toy-fr --save-dir "$run_dir" --steps 1500 "$@"
echo
echo "== sample translations (greedy) =="
sources=$(mktemp)
printf '%s\n' \
  "the cat sat on the mat because it was soft" \
  "the cat sat on the mat because it was tired" \
  "the black cow slept on the big bed because it was comfortable" \
  "the small dog ate the old carrot because it was delicious" > "$sources"
# The sources file is complete before paste reads it (a pipe through tee raced with paste).
$heed translate --checkpoint "$run_dir/checkpoint_best.h5" < "$sources" | paste -d '\n' "$sources" - | sed 'n;s/^/  -> /'
rm -f "$sources"
echo
echo "== test split (held-out combinations) =="
$heed eval --checkpoint "$run_dir/checkpoint_best.h5" --task toy-fr --split test
