#!/usr/bin/env bash
# One attention kind from the command line (local or linear): a Transformer trained with it,
# stored in /config, evaluated, translated greedy and with beam search (the kind's incremental
# decoder) and with its attention dumped, a resume with another kind refused; a language model trained and sampled with it; and
# one-line errors for windows and families that do not take it.
# Usage: attention_kinds_test.sh HEED_BINARY local|linear
set -uo pipefail
heed="$1"
kind="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"
run() { "$heed" "$@" 2> "$work/err" || { fail "heed $* -> exit $?:"; cat "$work/err"; }; }

options=(--attention "$kind")
window=0
if [ "$kind" = local ]; then window=3; options+=(--window "$window"); fi
small=(--d-model 16 --heads 2 --d-ff 32 --enc-layers 1 --dec-layers 1 --batch-size 16 --threads 1 --quiet --seed 2)

run train "${small[@]}" "${options[@]}" --task reverse --max-length 8 --task-size 500 --steps 30 --eval-every 30 \
  --save-dir "$work/run"
ckpt="$work/run/checkpoint_last.h5"
if h5dump -a /config/attention "$ckpt" | grep -q "\"$kind\"" && h5dump -a /config/window "$ckpt" | grep -q "(0): $window\$"; then
  ok "/config/attention = $kind, /config/window = $window"
else
  fail "/config of $ckpt:"; h5dump -A "$ckpt" | grep -A2 -E "attention|window"
fi
json=$("$heed" eval --checkpoint "$ckpt" --task reverse --max-length 8 --json --threads 1 2> "$work/err")
if echo "$json" | grep -q '"sentences": 1000'; then ok "eval: ${json:0:60}..."; else fail "eval: $json"; cat "$work/err"; fi
"$heed" data --task reverse --split test --max-length 8 --size 20 | cut -f1 > "$work/src.txt"
run translate --checkpoint "$ckpt" --threads 1 --input "$work/src.txt" --output "$work/greedy.txt"
run translate --checkpoint "$ckpt" --threads 1 --beam 3 --input "$work/src.txt" --output "$work/beam.txt"
if [ "$(wc -l < "$work/greedy.txt")" -eq 20 ] && [ "$(wc -l < "$work/beam.txt")" -eq 20 ]; then
  ok "translated 20 sentences greedy and with beam 3"
else
  fail "translations: $(wc -l < "$work/greedy.txt") greedy, $(wc -l < "$work/beam.txt") beam lines"
fi
head -2 "$work/src.txt" > "$work/two.txt"
if "$heed" translate --checkpoint "$ckpt" --threads 1 --input "$work/two.txt" --dump-attention "$work/dump.h5" \
     > /dev/null 2> "$work/err" && [ -s "$work/dump.h5" ]; then
  ok "translate --dump-attention wrote every layer's $kind attention"
else
  fail "translate --dump-attention with $kind attention:"; cat "$work/err"
fi
expect_usage_error "--attention full differs from $kind in $work/run/checkpoint_last.h5" \
  train "${small[@]}" --attention full --task reverse --max-length 8 --task-size 500 --steps 40 --save-dir "$work/run"

# The language model with the same kind.
for i in $(seq 0 99); do echo "the cat sat on mat number $((i % 7))."; done > "$work/text.txt"
run train --arch lm --text "$work/text.txt" --context 24 --d-model 16 --heads 2 --d-ff 32 --dec-layers 2 \
  --batch-size 4 --steps 20 --eval-every 20 --threads 1 --quiet "${options[@]}" --save-dir "$work/lm"
text=$("$heed" generate --checkpoint "$work/lm/checkpoint_last.h5" --prompt "the cat" --max-tokens 30 --threads 1 2> "$work/err")
if [ $? -eq 0 ] && [ -n "$text" ]; then
  ok "lm with $kind attention trained and generated past its window: ${text:0:40}"
else
  fail "lm generate: $text"; cat "$work/err"
fi

# What does not take the kind.
expect_usage_error "--attention $kind: lstm has no such choice" \
  train --arch lstm --attention "$kind" --window "$window" --task copy --save-dir "$work/x"
expect_usage_error "--attention $kind: lstm-attention has no such choice" \
  bench --bench lstm-attention --attention "$kind" --window "$window"
if [ "$kind" = local ]; then
  expect_usage_error "--window: --attention local needs a window W >= 1, got 0" train --attention local --task copy --save-dir "$work/x"
  expect_usage_error "--window: --attention local needs a window W >= 1, got 0" train --attention local --window 0 --task copy --save-dir "$work/x"
  expect_usage_error "--window: must be in [1, 1048576], got -2" train --attention local --window -2 --task copy --save-dir "$work/x"
else
  expect_usage_error "--window: only --attention local takes a window (attention is linear)" \
    train --attention linear --window 4 --task copy --save-dir "$work/x"
  expect_usage_error "--window: only --attention local takes a window (attention is full)" \
    train --window 0 --task copy --save-dir "$work/x"
  expect_usage_error "--attention: 'sparse' is not one of full, local, linear" train --attention sparse --task copy --save-dir "$work/x"
  expect_usage_error "--src-len: the lm benchmark has no source" bench --bench lm --src-len 100
  expect_usage_error "--bench all: --batch, --src-len, --tgt-len, --attention and --window apply to one benchmark" \
    bench --bench all --tgt-len 100
fi
# A benchmark step of the kind at lengths past the config's own table (positions grow with them).
if "$heed" bench --bench long --batch 1 --src-len 5000 --tgt-len 4500 "${options[@]}" --steps 1 --warmup 0 --threads 1 \
     --json > "$work/bench.json" 2> "$work/err" &&
   grep -q "\"attention\": \"$kind\", \"batch\": 1, \"src_len\": 5000, \"tgt_len\": 4500" "$work/bench.json"; then
  ok "bench: $(cut -c1-150 "$work/bench.json")"
else
  fail "bench long at 5000/4500 with $kind:"; cat "$work/err" "$work/bench.json"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
