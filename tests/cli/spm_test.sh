#!/usr/bin/env bash
# --tokenizer spm as users run it: a SentencePiece model trained on the data (unigram and BPE)
# trains, translates, resumes and fine-tunes with its model kept in the checkpoint; a .model file
# made by spm_train loads with --spm-model; changes on resume and bad options or files are
# one-line errors naming the option or file; eval --json of the model parses.
# Usage: spm_test.sh HEED_BINARY      (exit 77 = skipped: spm_train is not installed)
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

"$heed" data --task toy-fr --split train --size 600 > "$work/train.tsv"
"$heed" data --task toy-fr --split valid --size 50 > "$work/valid.tsv"
cut -f1 "$work/valid.tsv" | head -20 > "$work/src.txt"
small=(--d-model 16 --heads 2 --d-ff 32 --enc-layers 1 --dec-layers 1 --threads 1 --eval-every 0 --quiet)
data=(--train "$work/train.tsv" --valid "$work/valid.tsv")

# --- trained by heed: unigram (the default) and bpe
for type in unigram bpe; do
  run="$work/$type"
  if "$heed" train "${data[@]}" "${small[@]}" --tokenizer spm --spm-type "$type" --spm-vocab-size 120 --steps 20 \
       --save-dir "$run" 2> "$work/err" &&
     h5ls -r "$run/checkpoint_last.h5" | grep -q "^/tokenizer/spm_model " &&
     [ "$(h5dump -a /tokenizer/spm_type "$run/checkpoint_last.h5" | grep -c "\"$type\"")" -eq 1 ]; then
    ok "spm $type: trained, model stored in /tokenizer/spm_model"
  else
    fail "spm $type training"; cat "$work/err"
  fi
done
run="$work/unigram"
"$heed" translate --checkpoint "$run/checkpoint_last.h5" < "$work/src.txt" > "$work/out.txt" 2> "$work/err"
[ "$(wc -l < "$work/out.txt")" -eq 20 ] && ok "translate: 20 lines, e.g. '$(head -1 "$work/out.txt")'" ||
  { fail "translate with spm"; cat "$work/err"; }
"$heed" eval --checkpoint "$run/checkpoint_last.h5" --data "$work/valid.tsv" --json > "$work/eval.json" 2> "$work/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sentences"] == 50' "$work/eval.json" &&
  ok "eval --json of an spm model parses" || { fail "eval --json"; cat "$work/eval.json" "$work/err"; }

# --- resume: the same command continues with the stored model; a change is refused
cp "$run/checkpoint_last.h5" "$work/before_resume.h5"
"$heed" train "${data[@]}" "${small[@]}" --tokenizer spm --spm-vocab-size 120 --steps 30 --save-dir "$run" 2> "$work/err" &&
  h5diff "$work/before_resume.h5" "$run/checkpoint_last.h5" /tokenizer /tokenizer &&
  [ "$(h5dump -a /train/step "$run/checkpoint_last.h5" | grep -c '(0): 30')" -eq 1 ] &&
  ok "resumed to step 30 with the same SentencePiece model" || { fail "resume"; cat "$work/err"; }
expect_usage_error "--spm-vocab-size 200 differs from 120 in $run/checkpoint_last.h5" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-vocab-size 200 --steps 40 --save-dir "$run"
expect_usage_error "--spm-type bpe differs from unigram" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-type bpe --spm-vocab-size 120 --steps 40 --save-dir "$run"
expect_usage_error "--tokenizer bpe differs from spm" train "${data[@]}" "${small[@]}" --tokenizer bpe --steps 40 --save-dir "$run"

# --- fine-tuning keeps the model, and new data spells out in its pieces
sed 's/chat/renard/g' "$work/train.tsv" | head -100 > "$work/new.tsv"
"$heed" finetune --from "$run/checkpoint_last.h5" --train "$work/new.tsv" --save-dir "$work/ft" --steps 5 \
  --threads 1 --eval-every 0 2> "$work/err" &&
  h5diff "$run/checkpoint_last.h5" "$work/ft/checkpoint_last.h5" /tokenizer /tokenizer &&
  h5diff "$run/checkpoint_last.h5" "$work/ft/checkpoint_last.h5" /vocab /vocab &&
  grep -q "fine-tuning data: 0 of .* tokens are not in" "$work/err" &&
  ok "finetune kept the SentencePiece model and vocabularies: $(grep 'fine-tuning data' "$work/err")" ||
  { fail "finetune"; cat "$work/err"; }

# --- a .model file made by SentencePiece's own spm_train
if ! command -v spm_train > /dev/null; then
  echo "SKIP: spm_train is not installed (Debian package sentencepiece); the --spm-model part did not run"
  [ "$failures" -eq 0 ] && exit 77 || exit 1
fi
cut -f1,2 --output-delimiter=$'\n' "$work/train.tsv" > "$work/text.txt"
spm_train --input="$work/text.txt" --model_prefix="$work/ext" --vocab_size=100 --model_type=bpe \
  --num_threads=1 --minloglevel=2 > /dev/null 2>&1 || fail "spm_train itself failed"
"$heed" train "${data[@]}" "${small[@]}" --tokenizer spm --spm-model "$work/ext.model" --steps 10 \
  --save-dir "$work/ext_run" 2> "$work/err" &&
  [ "$(h5dump -a /tokenizer/spm_file "$work/ext_run/checkpoint_last.h5" | grep -c "ext.model")" -eq 1 ] &&
  "$heed" translate --checkpoint "$work/ext_run/checkpoint_last.h5" < "$work/src.txt" > "$work/out.txt" &&
  [ "$(wc -l < "$work/out.txt")" -eq 20 ] && ok "trained and translated with spm_train's ext.model" ||
  { fail "--spm-model from spm_train"; cat "$work/err"; }
cmp -s <(h5dump -b LE -d /tokenizer/spm_model -o "$work/stored.bin" "$work/ext_run/checkpoint_last.h5" > /dev/null; cat "$work/stored.bin") \
  "$work/ext.model" && ok "the checkpoint holds ext.model's bytes exactly" || fail "stored model differs from ext.model"
"$heed" train "${data[@]}" "${small[@]}" --tokenizer spm --spm-model "$work/ext.model" --steps 12 \
  --save-dir "$work/ext_run" 2> "$work/err" && ok "resumed with the same --spm-model" || { fail "resume --spm-model"; cat "$work/err"; }
spm_train --input="$work/text.txt" --model_prefix="$work/other" --vocab_size=90 --model_type=unigram \
  --num_threads=1 --minloglevel=2 > /dev/null 2>&1
expect_usage_error "--spm-model $work/other.model differs from the SentencePiece model in $work/ext_run/checkpoint_last.h5" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-model "$work/other.model" --steps 14 --save-dir "$work/ext_run"
expect_usage_error "--spm-vocab-size trains a SentencePiece model, but $work/ext_run/checkpoint_last.h5, the run this command would resume, uses $work/ext.model's" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-vocab-size 50 --steps 14 --save-dir "$work/ext_run"

# --- bad options and files: one line, naming the option or the file
printf 'not a model\n' > "$work/junk.model"
expect_usage_error "--spm-model $work/junk.model: not a SentencePiece model" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-model "$work/junk.model" --save-dir "$work/bad"
expect_usage_error "--spm-model $work/none.model: cannot open the SentencePiece model" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-model "$work/none.model" --save-dir "$work/bad"
expect_usage_error "--spm-type: 'word' is not one of unigram, bpe" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-type word --save-dir "$work/bad"
expect_usage_error "--spm-vocab-size 0 is out of range: must be in [1, 1048576]" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-vocab-size 0 --save-dir "$work/bad"
expect_usage_error "--spm-vocab-size applies to --tokenizer spm, not word" \
  train "${data[@]}" "${small[@]}" --spm-vocab-size 300 --save-dir "$work/bad"
expect_usage_error "--spm-type sets how heed trains a SentencePiece model; --spm-model gives one already trained" \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-model "$work/ext.model" --spm-type bpe --save-dir "$work/bad"
expect_usage_error "--spm-vocab-size 10: SentencePiece cannot train on this data: " \
  train "${data[@]}" "${small[@]}" --tokenizer spm --spm-vocab-size 10 --save-dir "$work/bad"
expect_usage_error "--tokenizer: 'sentencepiece' is not one of char, word, bpe, spm" \
  train "${data[@]}" "${small[@]}" --tokenizer sentencepiece --save-dir "$work/bad"
[ ! -e "$work/bad/checkpoint_last.h5" ] && ok "no checkpoint from the refused runs" || fail "a refused run wrote a checkpoint"

[ "$failures" -eq 0 ] && echo "all spm checks passed" || { echo "$failures failure(s)"; exit 1; }
