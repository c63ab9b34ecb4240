#!/usr/bin/env bash
# The training commands' options (issue 14 items 9, 10, 12, 17; issue 15 items 5, 6, 9, 13, 15):
# out-of-range values refused in one line naming the option, the value and the range (exit 2);
# task-only options refused with --train; --config refuses a directory and its booleans mean
# what they say; numbers printed as a person writes them; bench takes an INI file; --threads
# capped; --freeze and --reset-optimizer errors that say what to do.
# Usage: train_options_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

tiny=(--d-model 8 --heads 2 --d-ff 8 --enc-layers 1 --dec-layers 1 --threads 1)
task=(--task copy --max-length 4 --task-size 100)
printf 'a b\tb a\nc d\td c\n' > "$work/pairs.tsv"

# Issue 15 item 13: negative and NaN values, each refused before anything runs.
expect_usage_error "--batch-size -8 is out of range: must be >= 1" train "${task[@]}" --save-dir "$work/r" --batch-size -8
expect_usage_error "--min-freq -1 is out of range: must be >= 1" train "${task[@]}" --save-dir "$work/r" --min-freq -1
expect_usage_error "--clip-norm -1 is out of range: must be >= 0" train "${task[@]}" --save-dir "$work/r" --clip-norm -1
expect_usage_error "--clip-norm nan is out of range: must be >= 0" train "${task[@]}" --save-dir "$work/r" --clip-norm nan
expect_usage_error "--eval-every -1 is out of range: must be >= 0" train "${task[@]}" --save-dir "$work/r" --eval-every -1
expect_usage_error "--save-every -1 is out of range: must be >= 0" train "${task[@]}" --save-dir "$work/r" --save-every -1
expect_usage_error "--lr nan is out of range: must be > 0" train "${task[@]}" --save-dir "$work/r" --lr nan
expect_usage_error "--label-smoothing 1 is out of range: must be in [0, 1)" train "${task[@]}" --save-dir "$work/r" --label-smoothing 1
expect_usage_error "--valid-size -2 is out of range: must be >= 0" train "${task[@]}" --save-dir "$work/r" --valid-size -2
expect_usage_error "--threads -1 is out of range: must be >= 0" train "${task[@]}" --save-dir "$work/r" --threads -1
expect_usage_error "--steps -3 is out of range: must be >= 0" bench --steps -3
expect_usage_error "--beam: only with --translate" bench --beam 2
expect_usage_error "--int8: only with --translate" bench --int8
expect_usage_error "--product-rate: the share of a float product's rate; not with --int8" bench --translate --int8 --product-rate
expect_usage_error "--translate: --bench, --attention and --window are for training benchmarks" \
  bench --translate --bench small
expect_usage_error "--max-length 0 is out of range: must be in [1, " train --task copy --save-dir "$work/r" --min-length 1 --max-length 0
[ -e "$work/r" ] && fail "a refused run created its save-dir"

# Issue 14 item 10: options that shape a built-in task are refused with --train.
expect_usage_error "--max-length shapes a built-in --task's data" train --train "$work/pairs.tsv" --save-dir "$work/r" --max-length 5
expect_usage_error "--task-size shapes a built-in --task's data" train --train "$work/pairs.tsv" --save-dir "$work/r" --task-size 50
# ... but a --dump-config of a --train run, which lists their defaults, reads back as a config file.
"$heed" train --train "$work/pairs.tsv" --save-dir "$work/dumped" --dump-config > "$work/dumped.ini"
"$heed" train --config "$work/dumped.ini" --dump-config > "$work/dumped_again.ini" 2> "$work/err" &&
  cmp -s "$work/dumped.ini" "$work/dumped_again.ini" || { fail "--dump-config of a --train run does not read back"; cat "$work/err"; }

# Issue 14 item 1: the metric is one of the five.
expect_usage_error "--valid-metric: 'rouge' is not one of bleu, chrf, exact, loss, token-acc" train "${task[@]}" --save-dir "$work/r" --valid-metric rouge

# Issue 15 item 5: a directory given to --config.
mkdir "$work/ini_dir"
expect_usage_error "$work/ini_dir: is a directory, not a config file" train --config "$work/ini_dir" --save-dir "$work/r"
# Issue 15 item 6: INI booleans mean their value; a value that is no boolean names the file.
printf 'quiet = maybe\n' > "$work/maybe.ini"
expect_usage_error "$work/maybe.ini: the argument ('maybe') for option 'quiet' is invalid" train "${task[@]}" --config "$work/maybe.ini" --save-dir "$work/r"
for value in false 0 no; do
  printf 'quiet = %s\n' "$value" > "$work/quiet.ini"
  "$heed" train --config "$work/quiet.ini" "${task[@]}" --save-dir "$work/r" --dump-config > "$work/dump"
  grep -qx "quiet = false" "$work/dump" || fail "INI 'quiet = $value' did not mean false: $(grep quiet "$work/dump")"
done
for value in true 1 yes; do
  printf 'quiet = %s\nnorm-first = %s\n' "$value" "$value" > "$work/quiet.ini"
  "$heed" train --config "$work/quiet.ini" "${task[@]}" --save-dir "$work/r" --dump-config > "$work/dump"
  grep -qx "quiet = true" "$work/dump" && grep -qx "norm-first = true" "$work/dump" ||
    fail "INI 'quiet = $value' did not mean true: $(grep -E 'quiet|norm-first' "$work/dump")"
done
# quiet = false in a file really prints: the model line comes.
printf 'quiet = false\n' > "$work/quiet.ini"
"$heed" train --config "$work/quiet.ini" "${task[@]}" "${tiny[@]}" --steps 2 --save-dir "$work/notquiet" 2> "$work/err"
grep -q "^model: " "$work/err" && echo "ok: INI quiet = false prints" || { fail "INI quiet = false silenced the run"; cat "$work/err"; }

# Issue 14 item 9: numbers as a person writes them in --help and --dump-config.
"$heed" train --help > "$work/help"
for shown in "--momentum arg (=0.9)" "--label-smoothing arg (=0.1)" "--lr arg (=0.001)" "--norm-first arg (=true)"; do
  grep -qF -- "$shown" "$work/help" || fail "train --help lacks '$shown'"
done
if grep -qE '[0-9]{8}|norm-first arg \(=1\)' "$work/help"; then fail "train --help: $(grep -E '[0-9]{8}|\(=1\)' "$work/help")"; fi
# Every command's help: no float printed past its shortest form (0.90000000000000002, 1.0000000000000001e-05).
for command in train finetune eval translate score average data gradcheck bench; do
  "$heed" "$command" --help > "$work/help_$command" 2>&1
  if grep -qE '[0-9]\.[0-9]{7,}' "$work/help_$command"; then
    fail "$command --help: $(grep -E '[0-9]\.[0-9]{7,}' "$work/help_$command")"
  fi
done
grep -qF -- "--top-p arg (=" "$work/help_translate" || fail "translate --help lacks --top-p's default"
echo "ok: every command's --help prints numbers in their shortest form"
tr -s ' \n' ' ' < "$work/help" | grep -qF "strictly higher (bleu, chrf, exact, token-acc) or strictly lower (loss)" ||
  fail "--help does not say what counts as improvement"
"$heed" train "${task[@]}" --save-dir "$work/r" --dump-config > "$work/dump"
grep -qx "momentum = 0.9" "$work/dump" && grep -qx "lr = 0.001" "$work/dump" && grep -qx "norm-first = true" "$work/dump" ||
  fail "--dump-config numbers: $(grep -E 'momentum|^lr|norm-first' "$work/dump" | tr '\n' ' ')"
# The time-limit message: 1e-09 minutes, not 0.000000.
"$heed" train "${task[@]}" "${tiny[@]}" --steps 50 --time-limit 1e-9 --quiet --save-dir "$work/limit" 2> "$work/err"
grep -qF "time limit of 1e-09 minutes reached" "$work/err" && echo "ok: $(cat "$work/err")" || { fail "time limit message"; cat "$work/err"; }

# Issue 14 item 12: bench reads an INI file with --config (bench = NAME), its error lists all, and
# --threads defaults to all cores; the old spelling --config NAME still names a benchmark.
printf 'bench = tiny\nsteps = 1\nwarmup = 0\nthreads = 1\n' > "$work/bench.ini"
"$heed" bench --config "$work/bench.ini" > "$work/out" 2> "$work/err"
grep -qF "(1 thread, 1 step)" "$work/out" && grep -qE "^kernels: (avx512|avx2|generic) " "$work/out" &&
  echo "ok: bench --config FILE.ini: $(head -2 "$work/out")" ||
  { fail "bench --config FILE.ini"; cat "$work/out" "$work/err"; }
expect_usage_error "--bench: 'huge' is not one of tiny, small, long, lstm, lstm-attention, lm, all" bench --bench huge
"$heed" bench --config tiny --steps 1 --warmup 0 --dump-config > "$work/dump"
grep -qx "bench = tiny" "$work/dump" && grep -qx "threads = 0" "$work/dump" ||
  fail "bench --config NAME / --threads default: $(cat "$work/dump" | tr '\n' ' ')"
"$heed" bench --help | grep -qF -- "--threads arg (=0)" || fail "bench --threads does not default to all cores"

# Issue 15 item 9: --threads 10000 is capped with a notice and the run ends promptly.
timeout 120 "$heed" train "${task[@]}" "${tiny[@]:0:10}" --threads 10000 --steps 2 --quiet --save-dir "$work/threads" 2> "$work/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^--threads 10000: using [0-9]* (4 per core" "$work/err"; then
  echo "ok: $(cat "$work/err")"
else
  fail "--threads 10000 -> exit $rc"; cat "$work/err"
fi

# Issue 15 item 15: a resume with another optimizer suggests --reset-optimizer, which train accepts.
"$heed" train "${task[@]}" "${tiny[@]}" --steps 2 --quiet --save-dir "$work/opt" 2>/dev/null
expect_usage_error "--optimizer sgd differs from adam, whose state $work/opt/checkpoint_last.h5 holds; add --reset-optimizer" \
  train "${task[@]}" "${tiny[@]}" --steps 4 --optimizer sgd --save-dir "$work/opt"
if "$heed" train "${task[@]}" "${tiny[@]}" --steps 4 --optimizer sgd --reset-optimizer --quiet --save-dir "$work/opt" 2> "$work/err" &&
   h5dump -a /optim/type "$work/opt/checkpoint_last.h5" | grep -q '"sgd"' &&
   h5dump -a /train/step "$work/opt/checkpoint_last.h5" | grep -q "(0): 4"; then
  echo "ok: train --reset-optimizer resumed at step 2 with fresh sgd moments"
else
  fail "train --reset-optimizer"; cat "$work/err"
fi
# Issue 15 item 15 and issue 14 item 17: --freeze '*' leaves nothing to train; a pattern matching
# nothing lists the parameter names.
expect_usage_error "--freeze '*' freezes all" finetune --from "$work/opt/checkpoint_last.h5" --train "$work/pairs.tsv" --optimizer sgd --save-dir "$work/ft" --freeze '*' --quiet
expect_usage_error "nothing is left to train" finetune --from "$work/opt/checkpoint_last.h5" --train "$work/pairs.tsv" --optimizer sgd --save-dir "$work/ft" --freeze '*' --quiet
expect_usage_error "--freeze 'encoder.layer.*' matches no parameter; the names ('*' for a layer number): " \
  finetune --from "$work/opt/checkpoint_last.h5" --train "$work/pairs.tsv" --optimizer sgd --save-dir "$work/ft" --freeze 'encoder.layer.*' --quiet
grep -qF "encoder.layers.*." "$work/err" || fail "--freeze names: $(cat "$work/err")"

echo "$failures failures"
[ "$failures" -eq 0 ]
