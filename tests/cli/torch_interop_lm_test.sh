#!/usr/bin/env bash
# PyTorch interop of the language model: a tiny lm trained by heed (char and word tokenizers),
# exported to PyTorch (tools/torch_interop.py, the model of tools/torch_lm.py), gives there the
# loss heed eval --text gives on a text (relative difference < 1e-4); export + import gives heed
# the same loss again. Needs Debian's torch and h5py at /usr/bin/python3; skipped (and said so)
# without them.
# Usage: torch_interop_lm_test.sh HEED_BINARY SOURCE_DIR
set -euo pipefail
heed="$1"
tool="$2/tools/torch_interop.py"
if ! /usr/bin/python3 -c "import torch, h5py" 2>/dev/null; then
  echo "skipped: /usr/bin/python3 has no torch/h5py here"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 0 199); do echo "line $i: the fox, it's said, jumped over $((i * 7 % 13)) dogs."; done > "$work/train.txt"
sed -n '1,30p' "$work/train.txt" | sed 's/fox/cat/' > "$work/test.txt"
loss_of() { sed 's/.*"loss": *\([0-9.e-]*\).*/\1/'; }
for tokenizer in char word; do
  "$heed" train --arch lm --text "$work/train.txt" --tokenizer "$tokenizer" --context 12 --d-model 16 --heads 2 \
    --d-ff 32 --dec-layers 2 --batch-size 8 --steps 30 --eval-every 0 --threads 1 --quiet --save-dir "$work/$tokenizer" 2>/dev/null
  ckpt="$work/$tokenizer/checkpoint_last.h5"
  heed_loss=$("$heed" eval --checkpoint "$ckpt" --text "$work/test.txt" --json --threads 1 | loss_of)
  torch_loss=$(/usr/bin/python3 "$tool" loss "$ckpt" "$work/test.txt")
  awk -v a="$heed_loss" -v b="$torch_loss" -v t="$tokenizer" 'BEGIN {
    d = (a - b) / b; if (d < 0) d = -d
    printf "lm, %s tokenizer: heed loss %s, PyTorch %s, relative difference %.2e\n", t, a, b, d
    exit !(d < 1e-4) }'
  /usr/bin/python3 "$tool" export "$ckpt" "$work/exported.pt"
  /usr/bin/python3 "$tool" import "$work/exported.pt" "$work/imported.h5"
  back_loss=$("$heed" eval --checkpoint "$work/imported.h5" --text "$work/test.txt" --json --threads 1 | loss_of)
  [ "$back_loss" = "$heed_loss" ]
  echo "lm, $tokenizer tokenizer: export + import, heed loss $back_loss as before"
done
