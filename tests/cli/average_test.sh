#!/usr/bin/env bash
# heed average: the mean of checkpoints of one model, written as a checkpoint that eval and
# translate load; checkpoints of different models are refused, naming the first difference.
# Usage: average_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

small=(--task reverse --max-length 6 --task-size 1000 --heads 2 --d-ff 32 --enc-layers 1 --dec-layers 1
       --batch-size 16 --threads 1 --eval-every 400 --seed 2 --quiet)
# One run at step 800 and the same run continued to step 1000.
"$heed" train "${small[@]}" --d-model 24 --steps 800 --save-dir "$work/run" 2> "$work/log" || { cat "$work/log"; exit 1; }
cp -r "$work/run" "$work/later" && rm -f "$work/later/heed.lock"
"$heed" train "${small[@]}" --d-model 24 --steps 1000 --save-dir "$work/later" 2> "$work/log" || { cat "$work/log"; exit 1; }
a="$work/run/checkpoint_last.h5" b="$work/later/checkpoint_last.h5"
"$heed" data --task reverse --split test --max-length 6 --size 40 | cut -f1 > "$work/src.txt"
"$heed" translate --checkpoint "$a" --threads 1 -i "$work/src.txt" -o "$work/a.txt"

# the average of a checkpoint with itself is that model
"$heed" average --out "$work/self.h5" "$a" "$a" 2> "$work/err" || { fail "average A A"; cat "$work/err"; }
"$heed" translate --checkpoint "$work/self.h5" --threads 1 -i "$work/src.txt" -o "$work/self.txt"
cmp -s "$work/a.txt" "$work/self.txt" && ok "average of A with itself translates as A" || fail "average A A differs from A"

# two steps of one run: a loadable checkpoint without optimizer state; --checkpoint works as plain arguments do
"$heed" average --out "$work/avg.h5" --checkpoint "$a" --checkpoint "$b" 2> "$work/err"
if [ $? -eq 0 ] && grep -q "averaged 2 checkpoints into $work/avg.h5 (weights only: no optimizer state)" "$work/err" &&
   "$heed" eval --checkpoint "$work/avg.h5" --task reverse --max-length 6 --threads 1 > "$work/eval.txt" &&
   ! h5ls "$work/avg.h5" | grep -q "^optim"; then
  ok "average of steps 800 and 1000: $(cat "$work/eval.txt")"
else
  fail "average A B"; cat "$work/err" "$work/eval.txt"
fi
h5ls "$a" | grep -q "^optim" && ok "(the inputs do hold optimizer state)" || fail "the input checkpoints hold no /optim: the test above proves nothing"
"$heed" translate --checkpoint "$work/avg.h5" --threads 1 --beam 3 -i "$work/src.txt" > "$work/avg.txt"
[ "$(wc -l < "$work/avg.txt")" -eq 40 ] && ok "the average translates" || fail "the average does not translate"

# refusals: another model, another vocabulary, an input as --out, nothing to average
"$heed" train "${small[@]}" --steps 2 --d-model 16 --save-dir "$work/wide" 2> /dev/null
expect_usage_error "$work/wide/checkpoint_last.h5: /config/d_model 16 differs from 24 in $a" average --out "$work/x.h5" "$a" "$work/wide/checkpoint_last.h5"
"$heed" train "${small[@]}" --d-model 24 --steps 2 --tokenizer char --save-dir "$work/char" 2> /dev/null
expect_usage_error "$work/char/checkpoint_last.h5: tokenizer char differs from word in $a" average --out "$work/x.h5" "$a" "$work/char/checkpoint_last.h5"
"$heed" train --task copy --max-length 6 --task-size 1000 --d-model 24 --heads 2 --d-ff 32 --enc-layers 1 --dec-layers 1 \
  --steps 2 --seed 2 --threads 1 --quiet --save-dir "$work/copy" 2> /dev/null
expect_usage_error "vocabulary differs from $a's" average --out "$work/x.h5" "$a" "$work/copy/checkpoint_last.h5"
expect_usage_error "--out $a is one of the checkpoints to average" average --out "$a" "$a" "$b"
expect_usage_error "no checkpoints to average" average --out "$work/x.h5"
expect_usage_error "$work: is a directory, not a checkpoint file" average --out "$work/x.h5" "$work" "$a"
[ ! -e "$work/x.h5" ] && ok "a refused average writes nothing" || fail "a refused average wrote $work/x.h5"

echo "$failures failures"
[ "$failures" -eq 0 ]
