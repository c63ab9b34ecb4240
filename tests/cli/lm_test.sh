#!/usr/bin/env bash
# The language model as users run it: train a tiny char LM on a text, resume it exactly, evaluate
# it (bits per character from loss, tokens and characters), generate greedy and seeded samples
# from one prompt and from a file of prompts, fine-tune with --freeze, the word and BPE
# tokenizers, and one-line errors for options that belong to the other families.
# Usage: lm_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

# A small text with structure to learn: 300 lines from a few patterns.
animals=(cat dog cow fox hen)
places=(mat bed rug box log)
for i in $(seq 0 299); do
  echo "the ${animals[$((i % 5))]} sat on the ${places[$(((i / 5) % 5))]}."
done > "$work/train.txt"
sed -n '1,40p' "$work/train.txt" | sed 's/sat/slept/' > "$work/valid.txt"

no_context=(--arch lm --d-model 16 --heads 2 --d-ff 32 --dec-layers 2 --batch-size 8 --threads 1 --quiet
            --lr-schedule constant --warmup-steps 0 --eval-every 20 --save-every 20 --seed 3)
small=("${no_context[@]}" --context 16)
run() { "$heed" "$@" 2> "$work/err" || { fail "heed $* -> exit $?:"; cat "$work/err"; }; }

# Training, and resume: 40 steps then 80 equal 80 straight (constant schedule: the same rates).
run train "${small[@]}" --text "$work/train.txt" --valid-text "$work/valid.txt" --tokenizer char --steps 80 --save-dir "$work/straight"
run train "${small[@]}" --text "$work/train.txt" --valid-text "$work/valid.txt" --tokenizer char --steps 40 --save-dir "$work/resumed"
run train "${small[@]}" --text "$work/train.txt" --valid-text "$work/valid.txt" --tokenizer char --steps 80 --save-dir "$work/resumed"
ckpt="$work/straight/checkpoint_last.h5"
if h5diff "$ckpt" "$work/resumed/checkpoint_last.h5" /model /model > /dev/null &&
   h5diff "$ckpt" "$work/resumed/checkpoint_last.h5" /optim /optim > /dev/null &&
   diff <(cut -d, -f1-4,6 "$work/straight/metrics.csv") <(cut -d, -f1-4,6 "$work/resumed/metrics.csv") > /dev/null; then
  ok "resume: weights, optimizer state and every step's loss equal to an uninterrupted run"
else
  fail "resumed LM differs from the uninterrupted one"
fi
# --dump-config of a run that would resume shows the checkpoint's model, context included, and
# runs again as an INI file (it resumes: nothing left to do at step 80).
"$heed" train "${no_context[@]}" --text "$work/train.txt" --valid-text "$work/valid.txt" --tokenizer char --steps 80 \
  --save-dir "$work/straight" --dump-config > "$work/run.ini"
if grep -q '^context = 16$' "$work/run.ini" && grep -q '^max-len = 16$' "$work/run.ini" &&
   "$heed" train --config "$work/run.ini" 2> "$work/err"; then
  ok "--dump-config of a resumed lm: context 16, and the file runs again"
else
  fail "--dump-config of a resumed lm:"; cat "$work/run.ini" "$work/err"
fi
arch=$(h5dump -a /config/arch "$ckpt" | grep -o '"lm"')
[ "$arch" = '"lm"' ] && ok "/config/arch = lm" || fail "/config/arch is not lm"
first=$(sed -n 2p "$work/straight/metrics.csv" | cut -d, -f4)
last=$(tail -1 "$work/straight/metrics.csv" | cut -d, -f4)
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a - 0.5) }' && ok "train loss fell from $first to $last" ||
  fail "train loss did not fall: $first -> $last"

# eval: bits per character = loss x tokens / ln 2 / characters (every line end counted).
json=$("$heed" eval --checkpoint "$ckpt" --text "$work/valid.txt" --json --threads 1)
chars=$(wc -m < "$work/valid.txt")
echo "$json"
if echo "$json" | awk -v chars="$chars" '{
    match($0, /"loss": [0-9.]+/); loss = substr($0, RSTART + 8, RLENGTH - 8)
    match($0, /"bits_per_char": [0-9.]+/); bpc = substr($0, RSTART + 17, RLENGTH - 17)
    match($0, /"characters": [0-9]+/); c = substr($0, RSTART + 14, RLENGTH - 14)
    match($0, /"tokens": [0-9]+/); t = substr($0, RSTART + 10, RLENGTH - 10)
    want = loss * t / log(2) / chars
    exit !(c == chars && t == chars && bpc > 0 && (bpc - want) ^ 2 < 1e-6) }'; then
  ok "eval --text: bits_per_char = loss x tokens / ln 2 / $chars characters (char tokenizer: tokens = characters)"
else
  fail "eval --text JSON does not add up: $json (characters $chars)"
fi

# generate: greedy twice the same; seeded samples repeat; another seed differs; the prompt comes first.
g1=$("$heed" generate --checkpoint "$ckpt" --prompt "the c" --max-tokens 30 --threads 1)
g2=$("$heed" generate --checkpoint "$ckpt" --prompt "the c" --max-tokens 30 --threads 1)
echo "greedy: $g1"
[ -n "$g1" ] && [ "$g1" = "$g2" ] && [[ "$g1" == "the c"* ]] && [ ${#g1} -gt 5 ] && ok "greedy generation repeats and continues the prompt" ||
  fail "greedy generation: '$g1' / '$g2'"
s1=$("$heed" generate --checkpoint "$ckpt" --prompt "the" --max-tokens 60 --temperature 1.5 --top-k 8 --seed 5 --threads 1)
s2=$("$heed" generate --checkpoint "$ckpt" --prompt "the" --max-tokens 60 --temperature 1.5 --top-k 8 --seed 5 --threads 1)
s3=$("$heed" generate --checkpoint "$ckpt" --prompt "the" --max-tokens 60 --temperature 1.5 --top-k 8 --seed 6 --threads 1)
echo "sampled: $s1"
[ "$s1" = "$s2" ] && ok "the same seed gives the same text" || fail "seed 5 twice: '$s1' / '$s2'"
[ "$s1" != "$s3" ] && ok "another seed gives another text" || fail "seeds 5 and 6 gave the same text"
printf 'the cat\nthe dog sat\n\n' > "$work/prompts.txt"
"$heed" generate --checkpoint "$ckpt" --prompts "$work/prompts.txt" --max-tokens 40 --top-p 0.9 --seed 2 --threads 1 > "$work/gen" 2> "$work/err"
cat "$work/gen"
if [ "$(wc -l < "$work/gen")" -eq 3 ] && sed -n 1p "$work/gen" | grep -q '^the cat' && sed -n 2p "$work/gen" | grep -q '^the dog sat'; then
  ok "--prompts: one output line per prompt, each starting with its prompt"
else
  fail "--prompts output:"; cat "$work/gen" "$work/err"
fi

# Fine-tuning on another text with the first layer frozen.
sed 's/sat on/jumped over/' "$work/train.txt" > "$work/new.txt"
run finetune --from "$ckpt" --text "$work/new.txt" --freeze 'decoder.layers.0.*' --freeze 'embed.*' --steps 10 \
  --eval-every 0 --threads 1 --quiet --save-dir "$work/ft"
if h5diff "$ckpt" "$work/ft/checkpoint_last.h5" /model/decoder/layers/0 /model/decoder/layers/0 > /dev/null &&
   ! h5diff -q "$ckpt" "$work/ft/checkpoint_last.h5" /model/decoder/layers/1 /model/decoder/layers/1 > /dev/null; then
  ok "finetune --freeze: layer 0 unchanged, layer 1 trained"
else
  fail "finetune --freeze on an lm"
fi

# Word and BPE tokenizers, tied embeddings.
for tok in word bpe; do
  run train "${small[@]}" --text "$work/train.txt" --tokenizer "$tok" --bpe-merges 20 --tie-embeddings decoder --steps 5 --save-dir "$work/$tok"
  out=$("$heed" generate --checkpoint "$work/$tok/checkpoint_last.h5" --prompt "the cat" --max-tokens 8 --threads 1)
  [[ "$out" == "the cat"* ]] && ok "$tok tokenizer, tied: trains and generates: $out" || fail "$tok tokenizer: '$out'"
done

# Bad input and options that belong to another family: one line, exit 2.
"$heed" train --task copy --max-length 4 --task-size 50 --d-model 8 --heads 2 --d-ff 8 --enc-layers 1 --dec-layers 1 \
  --steps 1 --eval-every 0 --threads 1 --quiet --save-dir "$work/t" 2>/dev/null
d=(--save-dir "$work/bad")
expect_usage_error "a language model trains on --text" train --arch lm --text "$work/train.txt" --train x.tsv "${d[@]}"
expect_usage_error "--arch lm trains on a text: give --text FILE" train --arch lm --task copy "${d[@]}"
expect_usage_error "--text trains a language model: add --arch lm" train --text "$work/train.txt" "${d[@]}"
expect_usage_error "--enc-layers: an lm has no encoder" train --arch lm --text "$work/train.txt" --enc-layers 3 "${d[@]}"
expect_usage_error "--max-len: an lm reads --context tokens" train --arch lm --text "$work/train.txt" --max-len 32 "${d[@]}"
expect_usage_error "--valid-metric bleu: a language model is ranked by loss" train --arch lm --text "$work/train.txt" --valid-metric bleu "${d[@]}"
expect_usage_error "--tie-embeddings all: an lm has no source embedding" train --arch lm --text "$work/train.txt" --tie-embeddings all "${d[@]}"
expect_usage_error "--context: the window of a language model" train --task copy --context 32 "${d[@]}"
expect_usage_error "--valid-text: the validation text of a language model" train --task copy --valid-text "$work/valid.txt" "${d[@]}"
printf 'ab\n' > "$work/short.txt"
expect_usage_error "short.txt: 3 tokens (line ends included), fewer than the 17 of one window" train "${small[@]}" --text "$work/short.txt" "${d[@]}"
printf 'fine\nbad \xff byte\n' > "$work/bad.txt"
expect_usage_error "bad.txt:2: invalid UTF-8" train "${small[@]}" --text "$work/bad.txt" "${d[@]}"
expect_usage_error "is a language model: give --text FILE" eval --checkpoint "$ckpt" --data x.tsv
expect_usage_error "is a transformer model, not a language model" eval --checkpoint "$work/t/checkpoint_last.h5" --text "$work/valid.txt"
expect_usage_error "is a language model: it translates nothing" translate --checkpoint "$ckpt" -i "$work/valid.txt"
expect_usage_error "model: heed generate continues text with a language model" generate --checkpoint "$work/t/checkpoint_last.h5" --prompt x
expect_usage_error "give exactly one of --prompt and --prompts" generate --checkpoint "$ckpt"
expect_usage_error "--seed: only used when sampling" generate --checkpoint "$ckpt" --prompt x --seed 3
expect_usage_error "--temperature 0 is out of range" generate --checkpoint "$ckpt" --prompt x --temperature 0
expect_usage_error "--text: $work/t/checkpoint_last.h5 is a transformer model" finetune --from "$work/t/checkpoint_last.h5" --text "$work/train.txt" --save-dir "$work/bad2"

[ "$failures" -eq 0 ] && echo "lm: all passed" || { echo "lm: $failures failed"; exit 1; }
