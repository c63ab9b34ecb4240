#!/usr/bin/env bash
# Every model family from the command line: train a small model, evaluate it, translate with
# greedy and beam search, and find its family in the checkpoint and in `eval`'s view of it.
# Usage: families_test.sh HEED_BINARY ARCH
set -euo pipefail
heed="$1"
arch="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$heed" train --arch "$arch" --task reverse --max-length 6 --task-size 1000 --d-model 24 --heads 2 --d-ff 32 \
  --enc-layers 1 --dec-layers 1 --steps 60 --batch-size 16 --eval-every 30 --threads 1 --seed 2 \
  --save-dir "$work/run" 2> "$work/log"
grep -q "^model: $arch, " "$work/log"
h5dump -a /config/arch "$work/run/checkpoint_last.h5" | grep -q "\"$arch\""
json=$("$heed" eval --checkpoint "$work/run/checkpoint_best.h5" --task reverse --max-length 6 --json --threads 1)
echo "$arch eval: $json"
echo "$json" | grep -q '"sentences": 1000'
"$heed" data --task reverse --split test --max-length 6 --size 20 | cut -f1 > "$work/src.txt"
"$heed" translate --checkpoint "$work/run/checkpoint_best.h5" --threads 1 < "$work/src.txt" > "$work/greedy.txt"
"$heed" translate --checkpoint "$work/run/checkpoint_best.h5" --threads 1 --beam 4 < "$work/src.txt" > "$work/beam.txt"
[ "$(wc -l < "$work/greedy.txt")" -eq 20 ] && [ "$(wc -l < "$work/beam.txt")" -eq 20 ]
paste "$work/src.txt" "$work/greedy.txt" "$work/beam.txt" | head -3
echo "$arch: trained, evaluated, translated (greedy and beam 4)"
