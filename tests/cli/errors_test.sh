#!/usr/bin/env bash
# Bad input gets one line on stderr that names the file and line or the option, a non-zero exit,
# and leaves no checkpoint behind.
# Usage: errors_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect_error "expected text" heed-args...
expect_error() {
  local expected="$1"
  shift
  "$heed" "$@" > "$work/out" 2> "$work/err"
  local rc=$?
  local lines
  lines=$(wc -l < "$work/err")
  if [ "$rc" -eq 0 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$expected" "$work/err"; then
    echo "FAIL: heed $* -> exit $rc, $lines stderr lines:"
    cat "$work/err"
    failures=$((failures + 1))
  else
    echo "ok: $(cat "$work/err")"
  fi
}

printf 'a b\tx y\nc d\te f\tg\n' > "$work/three_fields.tsv"
printf 'a b\tx y\n\tmissing source\n' > "$work/empty_field.tsv"
printf 'a b\tx y\nbad \xff byte\tz\n' > "$work/bad_utf8.tsv"
printf '\n\n' > "$work/empty.tsv"
printf 'not hdf5\n' > "$work/foreign.h5"
small=(--d-model 8 --heads 2 --d-ff 8 --enc-layers 1 --dec-layers 1 --steps 2 --quiet)

expect_error "unrecognised option '--no-such-option'" train --task copy --save-dir "$work/r" --no-such-option
expect_error "--steps" train --task copy --save-dir "$work/r" --steps -3
expect_error "--steps" train --task copy --save-dir "$work/r" --steps many
expect_error "--optimizer: 'adamx'" train --task copy --save-dir "$work/r" --optimizer adamx
expect_error "--heads: 3 does not divide --d-model 8" train --task copy --save-dir "$work/r" --d-model 8 --heads 3
expect_error "save-dir" train --task copy
expect_error "three_fields.tsv:2: expected 2 tab-separated fields, got 3" train --train "$work/three_fields.tsv" --save-dir "$work/r" "${small[@]}"
expect_error "empty_field.tsv:2:" train --train "$work/empty_field.tsv" --save-dir "$work/r" "${small[@]}"
expect_error "bad_utf8.tsv:2: invalid UTF-8" train --train "$work/bad_utf8.tsv" --save-dir "$work/r" "${small[@]}"
expect_error "empty.tsv" train --train "$work/empty.tsv" --save-dir "$work/r" "${small[@]}"
expect_error "no_such.tsv" train --train "$work/no_such.tsv" --save-dir "$work/r" "${small[@]}"
expect_error "unknown task" train --task nope --save-dir "$work/r" "${small[@]}"
expect_error "missing.h5: no such file" eval --checkpoint "$work/missing.h5" --task copy
expect_error "foreign.h5: not an HDF5 file" translate --checkpoint "$work/foreign.h5"
expect_error "unknown command 'trian'" trian
"$heed" train --task copy --max-length 4 --task-size 100 "${small[@]}" --save-dir "$work/other" 2>/dev/null
expect_error "is a run on task copy, not task reverse; give another --save-dir" train --task reverse --save-dir "$work/other" "${small[@]}"
expect_error "--arch: 'gru' is not one of transformer, lstm, lstm-attention" train --task copy --save-dir "$work/r" --arch gru
expect_error "--enc-layers (1) and --dec-layers (2) must be equal" train --task copy --save-dir "$work/r" --arch lstm --enc-layers 1 --dec-layers 2
expect_error "unexpected argument 'sources.txt'" translate --checkpoint "$work/foreign.h5" sources.txt
# Resuming with another model or tokenizer is refused, naming the option and both values; --overwrite starts afresh.
expect_error "--d-model 16 differs from 8 in $work/other/checkpoint_last.h5" train --task copy --save-dir "$work/other" --d-model 16 --steps 2
expect_error "--arch lstm differs from transformer" train --task copy --save-dir "$work/other" "${small[@]}" --arch lstm
expect_error "--tokenizer char differs from word" train --task copy --save-dir "$work/other" "${small[@]}" --tokenizer char
# --overwrite deletes nothing when the new run's options are bad, and never comes from an INI file.
expect_error "--heads: 3 does not divide --d-model 8" train --task copy --save-dir "$work/other" --overwrite --d-model 8 --heads 3
printf 'overwrite = true\n' > "$work/overwrite.ini"
expect_error "overwrite.ini: overwrite is taken from the command line only" train --task copy --save-dir "$work/other" --config "$work/overwrite.ini"
if [ ! -e "$work/other/checkpoint_last.h5" ]; then echo "FAIL: a refused --overwrite deleted the run"; failures=$((failures + 1)); fi
expect_error "--optimizer sgd differs from adam" train --task copy --max-length 4 --task-size 100 --save-dir "$work/other" --optimizer sgd --steps 3
expect_error "task copy is not the data $work/other/checkpoint_last.h5 was trained on (100 pairs then, 50 now)" train --task copy --max-length 4 --task-size 50 --save-dir "$work/other" "${small[@]}"
if "$heed" train --task copy --max-length 4 --task-size 100 "${small[@]}" --arch lstm --overwrite --save-dir "$work/other" 2> "$work/err" &&
   h5dump -a /config/arch "$work/other/checkpoint_last.h5" | grep -q '"lstm"'; then
  echo "ok: --overwrite started an lstm run afresh"
else
  echo "FAIL: --overwrite"; cat "$work/err"; failures=$((failures + 1))
fi
if [ -e "$work/r/checkpoint_last.h5" ] || [ -e "$work/r/checkpoint_best.h5" ]; then
  echo "FAIL: a failed train left a checkpoint behind"
  failures=$((failures + 1))
fi
# A run whose loss turns non-finite skips those steps, stops after 5 in a row with exit 1, and
# writes no checkpoint of the diverged weights.
"$heed" train --task copy --max-length 5 --task-size 200 --d-model 8 --heads 2 --d-ff 8 --enc-layers 1 \
  --dec-layers 1 --steps 50 --optimizer sgd --lr 1e30 --clip-norm 0 --threads 1 --save-dir "$work/div" 2> "$work/err"
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "diverged: 5 non-finite steps in a row" "$work/err" || [ -e "$work/div/checkpoint_last.h5" ]; then
  echo "FAIL: divergence -> exit $rc"; cat "$work/err"; failures=$((failures + 1))
else
  echo "ok: $(grep diverged "$work/err")"
fi
# Options from an INI file; the command line wins; --dump-config shows the effective values.
printf 'task = copy\nd-model = 16\nsteps = 7\n' > "$work/run.ini"
"$heed" train --config "$work/run.ini" --steps 9 --save-dir "$work/cfg" --dump-config > "$work/dump"
if grep -qx "d-model = 16" "$work/dump" && grep -qx "steps = 9" "$work/dump" && grep -qx "task = copy" "$work/dump" &&
   [ ! -e "$work/cfg" ]; then
  echo "ok: --config and --dump-config"
else
  echo "FAIL: --config / --dump-config"; cat "$work/dump"; failures=$((failures + 1))
fi
# --dump-config of a command that would resume shows the checkpoint's model and tokenizer, the
# values the run would use, not the defaults.
"$heed" train --task copy --max-length 5 --task-size 200 --d-model 8 --heads 2 --d-ff 8 --enc-layers 1 \
  --dec-layers 1 --steps 2 --eval-every 0 --tokenizer char --threads 1 --quiet --save-dir "$work/resumable"
"$heed" train --task copy --max-length 5 --task-size 200 --steps 4 --save-dir "$work/resumable" --dump-config > "$work/dump"
if grep -qx "d-model = 8" "$work/dump" && grep -qx "heads = 2" "$work/dump" && grep -qx "tokenizer = char" "$work/dump" &&
   grep -qx "dropout = 0.1" "$work/dump" &&  # the stored float 0.1f as a person wrote it
   grep -q "^# model and tokenizer options: those of .*checkpoint_last.h5" "$work/dump"; then
  echo "ok: --dump-config of a resume shows the checkpoint's model"
else
  echo "FAIL: --dump-config of a resume"; cat "$work/dump"; failures=$((failures + 1))
fi
# Resuming a run already at --steps says so, trains nothing and keeps the checkpoint as it was.
cp "$work/resumable/checkpoint_last.h5" "$work/before.h5"
if "$heed" train --task copy --max-length 5 --task-size 200 --steps 2 --eval-every 0 --threads 1 \
     --save-dir "$work/resumable" 2> "$work/err" &&
   grep -q "at step 2: --steps 2 already reached, nothing to train" "$work/err" &&
   cmp -s "$work/resumable/checkpoint_last.h5" "$work/before.h5"; then
  echo "ok: resuming a finished run says there is nothing to train"
else
  echo "FAIL: resuming a finished run"; cat "$work/err"; failures=$((failures + 1))
fi
# Text holding a placeholder of Boost's error messages (%value%) once hung heed forever.
# expect_refused WHAT EXPECTED_TEXT COMMAND...: exit 2 within 20 s, stderr holding EXPECTED_TEXT.
expect_refused() {
  local what="$1" expected="$2"
  shift 2
  timeout 20 "$@" > /dev/null 2> "$work/err"
  local rc=$?
  if [ "$rc" -eq 2 ] && grep -qF "$expected" "$work/err"; then
    echo "ok: $(cat "$work/err")"
  else
    echo "FAIL: $what -> exit $rc"; cat "$work/err"; failures=$((failures + 1))
  fi
}
for args in "train --task copy --save-dir $work/p --dropout %value%" "translate --checkpoint x --beam %value%"; do
  expect_refused "heed $args" "'%value%' cannot be used" "$heed" $args
done
# ... in an INI file's option, and (a fuzzer's finding, fuzz/corpus/ini) in a line that is not an option.
for line in 'dropout = %value%' 'not an option %invalid_line%'; do
  placeholder="%${line#*%}"
  printf 'task = copy\n%s\n' "$line" > "$work/placeholder.ini"
  expect_refused "$placeholder in an INI file" "placeholder.ini:2: '$placeholder' cannot be used" \
    "$heed" train --config "$work/placeholder.ini" --save-dir "$work/p"
done
echo "$failures failures"
[ "$failures" -eq 0 ]
