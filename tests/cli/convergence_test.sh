#!/usr/bin/env bash
# Convergence: a tiny model (23k parameters) learns `copy` (lengths 1-8) to >= 95% exact match
# on the held-out test split, from the command line, well within a minute.
# Usage: convergence_test.sh HEED_BINARY
set -euo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
"$heed" train --task copy --max-length 8 --task-size 5000 --d-model 32 --heads 2 --d-ff 64 --enc-layers 1 \
  --dec-layers 1 --steps 600 --batch-size 32 --lr 3e-3 --warmup-steps 50 --eval-every 0 --threads 1 --seed 1 \
  --quiet --save-dir "$work/run" 2>/dev/null
json=$("$heed" eval --checkpoint "$work/run/checkpoint_last.h5" --task copy --max-length 8 --json)
seconds=$(( $(date +%s) - start ))
exact=$(echo "$json" | sed 's/.*"exact_match": *\([0-9.]*\).*/\1/')
echo "copy: exact match $exact on the test split after 600 steps, $seconds s"
awk -v e="$exact" -v s="$seconds" 'BEGIN { exit !(e >= 0.95 && s < 60) }'
