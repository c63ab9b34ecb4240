#!/usr/bin/env bash
# Fine-tuning: --freeze leaves the matching tensors bitwise unchanged while the rest train, the
# checkpoint's vocabulary is kept (unknown tokens reported), and --reset-optimizer works.
# Usage: finetune_test.sh HEED_BINARY [ARCH]   (ARCH: transformer (default), lstm, lstm-attention)
set -euo pipefail
heed="$1"
arch="${2:-transformer}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
small=(--d-model 16 --heads 2 --d-ff 32 --enc-layers 1 --dec-layers 1 --arch "$arch" --threads 1 --quiet)
"$heed" train --task reverse --max-length 6 --task-size 1000 "${small[@]}" --steps 40 --eval-every 0 \
  --save-dir "$work/base" 2>/dev/null
# New data: the task's letters plus two tokens the vocabulary has never seen.
"$heed" data --task reverse --max-length 6 --size 200 | sed '1,20s/^\([a-p]\)/zz \1/' > "$work/new.tsv"

"$heed" finetune --from "$work/base/checkpoint_last.h5" --train "$work/new.tsv" --save-dir "$work/ft" \
  --freeze 'encoder.*' --freeze 'src_embed.*' --steps 30 --eval-every 0 --threads 1 --quiet 2> "$work/log"
grep -q "tokens are not in the checkpoint's vocabulary" "$work/log"
grep "not in the checkpoint" "$work/log"
h5diff "$work/base/checkpoint_last.h5" "$work/ft/checkpoint_last.h5" /model/encoder /model/encoder
h5diff "$work/base/checkpoint_last.h5" "$work/ft/checkpoint_last.h5" /model/src_embed /model/src_embed
if h5diff -q "$work/base/checkpoint_last.h5" "$work/ft/checkpoint_last.h5" /model/decoder /model/decoder; then
  echo "FAIL: the decoder did not train"; exit 1
fi
h5diff "$work/base/checkpoint_last.h5" "$work/ft/checkpoint_last.h5" /vocab /vocab
echo "frozen encoder and source embeddings bitwise unchanged; decoder trained; vocabulary kept"

"$heed" finetune --from "$work/base/checkpoint_last.h5" --train "$work/new.tsv" --save-dir "$work/ft2" \
  --reset-optimizer --optimizer sgd --lr 0.01 --steps 5 --eval-every 0 --threads 1 --quiet 2>/dev/null
h5ls -r "$work/ft2/checkpoint_last.h5" > "$work/ls.txt"
grep -q "^/optim/momentum " "$work/ls.txt"
echo "--reset-optimizer with another optimizer: fresh SGD state"
