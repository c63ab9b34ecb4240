#!/usr/bin/env bash
# Fine-tuning demo: a toy-fr model with a BPE tokenizer learns two new nouns from a small TSV
# ("cat" -> "fox"/"renard", "cow" -> "sheep"/"brebis", same genders) without forgetting the
# original test set. New words are spelled with the checkpoint's BPE pieces, so none is <unk>.
# Usage: tools/finetune_demo.sh [WORK_DIR=runs/finetune-demo]
set -euo pipefail
cd "$(dirname "$0")/.."
heed=build/train/heed
work="${1:-runs/finetune-demo}"
mkdir -p "$work"
swap() { sed -E 's/\bcat\b/fox/g; s/\bchat\b/renard/g; s/\bcow\b/sheep/g; s/\bvache\b/brebis/g'; }
has_new() { grep -E '\b(fox|sheep)\b' || true; }
"$heed" data --task toy-fr --split train | swap | has_new | awk 'NR <= 1500' > "$work/new_train.tsv"
"$heed" data --task toy-fr --split test | swap | has_new > "$work/new_test.tsv"
echo "new nouns: $(wc -l < "$work/new_train.tsv") training pairs, $(wc -l < "$work/new_test.tsv") test pairs (unseen combinations)"

[ -e "$work/base/checkpoint_last.h5" ] ||
  "$heed" train --task toy-fr --tokenizer bpe --bpe-merges 300 --steps 1500 --save-dir "$work/base" --quiet
echo "== base model =="
echo -n "old test: "; "$heed" eval --checkpoint "$work/base/checkpoint_best.h5" --task toy-fr --split test
echo -n "new test: "; "$heed" eval --checkpoint "$work/base/checkpoint_best.h5" --data "$work/new_test.tsv"

# Fine-tune on the new pairs mixed with as many old ones, so the old task keeps being rehearsed.
"$heed" data --task toy-fr --split train | awk 'NR <= 1500' | cat - "$work/new_train.tsv" > "$work/mix.tsv"
"$heed" finetune --from "$work/base/checkpoint_best.h5" --train "$work/mix.tsv" --save-dir "$work/tuned" \
  --steps 400 --lr 3e-4 --warmup-steps 50 --eval-every 0 --quiet
echo "== fine-tuned =="
echo -n "old test: "; "$heed" eval --checkpoint "$work/tuned/checkpoint_last.h5" --task toy-fr --split test
echo -n "new test: "; "$heed" eval --checkpoint "$work/tuned/checkpoint_last.h5" --data "$work/new_test.tsv"
echo "the fox sat on the mat because it was soft" | "$heed" translate --checkpoint "$work/tuned/checkpoint_last.h5"
