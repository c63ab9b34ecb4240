#!/usr/bin/env bash
# Exact resume: a training run killed with SIGKILL (twice, at random moments) and started again
# with the same command ends with weights bitwise identical to an uninterrupted run, and the same
# per-step losses in metrics.csv.
# Usage: resume_test.sh HEED_BINARY [ARCH]   (ARCH: transformer (default), lstm, lstm-attention, lm)
set -euo pipefail
heed="$1"
arch="${2:-transformer}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$arch" = lm ]; then  # a language model: windows of a text instead of pairs
  for i in $(seq 0 399); do echo "line $i: the fox jumped over $((i * 7 % 13)) dogs."; done > "$work/text.txt"
  head -40 "$work/text.txt" > "$work/valid.txt"
  args=(train --arch lm --text "$work/text.txt" --valid-text "$work/valid.txt" --tokenizer char --context 16
        --d-model 16 --heads 2 --d-ff 32 --dec-layers 1
        --steps 150 --batch-size 16 --save-every 10 --eval-every 75 --threads 1 --seed 5 --quiet)
else
  args=(train --task copy --max-length 6 --task-size 2000 --d-model 16 --heads 2 --d-ff 32 --enc-layers 1 --dec-layers 1 --arch "$arch"
        --steps 150 --batch-size 16 --save-every 10 --eval-every 75 --threads 1 --seed 5 --quiet)
fi

"$heed" "${args[@]}" --save-dir "$work/straight" 2>/dev/null

rows() { [ -f "$1/metrics.csv" ] && wc -l < "$1/metrics.csv" || echo 0; }
for kill_at in $((20 + RANDOM % 40)) $((80 + RANDOM % 40)); do
  "$heed" "${args[@]}" --save-dir "$work/killed" 2>/dev/null &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$(rows "$work/killed")" -lt "$kill_at" ]; do sleep 0.01; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "killed at metrics row $(rows "$work/killed") (aimed at $kill_at)"
done
"$heed" "${args[@]}" --save-dir "$work/killed" 2>/dev/null   # resumes and finishes

# Weights, optimizer moments and training state: bitwise equal.
h5diff "$work/straight/checkpoint_last.h5" "$work/killed/checkpoint_last.h5" /model /model
h5diff "$work/straight/checkpoint_last.h5" "$work/killed/checkpoint_last.h5" /optim /optim
# Losses of every step (column 4), and validation results, equal; timing columns differ.
cut -d, -f1-4,6-8 "$work/straight/metrics.csv" > "$work/a.csv"
cut -d, -f1-4,6-8 "$work/killed/metrics.csv" > "$work/b.csv"
diff "$work/a.csv" "$work/b.csv"
echo "resume: weights, optimizer state and $(wc -l < "$work/a.csv") metrics rows identical"
