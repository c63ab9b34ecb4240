#!/usr/bin/env bash
# Writes the checkpoints the fuzzers start from with a given heed (default build/train/heed):
# fuzz/corpus/checkpoint/{transformer,lstm_attention}_copy.h5, seeds that fuzz_checkpoint
# damages, and fuzz/models/translate_tiny.h5, the model fuzz_translate decodes with. Rerun when
# the checkpoint format changes. Untrained (2 steps): only the files' structure matters.
set -euo pipefail
cd "$(dirname "$0")"
heed="$(realpath "${1:-../build/train/heed}")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tiny=(--d-model 8 --enc-layers 1 --dec-layers 1 --steps 2 --eval-every 0 --threads 1 --quiet)

"$heed" train --task copy "${tiny[@]}" --heads 1 --d-ff 8 --max-len 16 --max-length 5 --task-size 100 \
        --save-dir "$tmp/transformer"
"$heed" train --task copy --arch lstm-attention "${tiny[@]}" --max-len 16 --max-length 5 --task-size 100 \
        --save-dir "$tmp/lstm_attention"
"$heed" train --task toy-fr --tokenizer bpe --bpe-merges 30 "${tiny[@]}" --heads 1 --d-ff 8 --max-len 128 \
        --task-size 200 --save-dir "$tmp/translate"

cp "$tmp/transformer/checkpoint_last.h5" corpus/checkpoint/transformer_copy.h5
cp "$tmp/lstm_attention/checkpoint_last.h5" corpus/checkpoint/lstm_attention_copy.h5
cp "$tmp/translate/checkpoint_last.h5" models/translate_tiny.h5
