#!/usr/bin/env bash
# --tie-embeddings: the checkpoint holds one matrix where the model uses two or three (decoder:
# target embedding = generator; all: the source embedding too, with --shared-vocab), stores the
# choice in /config, resumes and translates; "all" without one vocabulary is refused.
# Usage: tied_embeddings_test.sh HEED_BINARY
set -euo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(train --task reverse --max-length 6 --task-size 500 --d-model 16 --heads 2 --d-ff 32 --enc-layers 1
      --dec-layers 1 --batch-size 16 --eval-every 0 --threads 1 --seed 5)
has() { local listing; listing=$(h5ls -r "$1"); grep -q "^$2 " <<< "$listing"; }

if "$heed" "${args[@]}" --steps 2 --tie-embeddings all --save-dir "$work/refused" 2> "$work/refused.log"; then
  echo "FAIL: --tie-embeddings all without --shared-vocab was accepted"; exit 1
fi
grep -q -- "--tie-embeddings all .* add --shared-vocab" "$work/refused.log"
echo "ok: $(cat "$work/refused.log")"

for tie in decoder all; do
  extra=()
  [ "$tie" = all ] && extra=(--shared-vocab)
  "$heed" "${args[@]}" --steps 10 --save-every 10 --tie-embeddings "$tie" "${extra[@]}" --save-dir "$work/$tie" 2>/dev/null
  ckpt="$work/$tie/checkpoint_last.h5"
  h5dump -a /config/tie_embeddings "$ckpt" | grep -q "\"$tie\""
  ! has "$ckpt" /model/generator/weight
  has "$ckpt" /model/generator/bias
  if [ "$tie" = all ]; then ! has "$ckpt" /model/tgt_embed/weight; has "$ckpt" /model/src_embed/weight; else has "$ckpt" /model/tgt_embed/weight; fi
  "$heed" "${args[@]}" --steps 20 --save-every 10 --tie-embeddings "$tie" "${extra[@]}" --save-dir "$work/$tie" 2> "$work/$tie.log"
  grep -q "resuming from .* at step 10" "$work/$tie.log"
  echo "1 2 3" | "$heed" translate --checkpoint "$ckpt" > /dev/null
  echo "ok: --tie-embeddings $tie: one matrix stored, /config/tie_embeddings = $tie, resumed at step 10, translates"
done
