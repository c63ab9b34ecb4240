#!/usr/bin/env bash
# What a new user's trial found (each once lost work or misled): a validation pair longer than
# --max-len is refused at start, not at the first validation; a resume without --valid keeps the
# ranked checkpoint_best.h5; translate --output cannot overwrite its checkpoint; option prefixes
# are not guessed (--ov is not --overwrite); output that cannot be written is exit 1; a damaged
# checkpoint_last.h5 names the .prev beside it; the same --train file by another path resumes, a
# changed one, or another --batch-size, --min-freq or --shared-vocab, is refused; a refused run
# leaves no save-dir behind.
# Usage: user_trial_test.sh HEED_BINARY
set -uo pipefail
heed=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # DESCRIPTION CONDITION...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
cd "$work"
"$heed" data --task copy --split train --max-length 5 --size 300 > train.tsv
"$heed" data --task copy --split valid --max-length 5 --size 50 > valid.tsv
long=$(printf 'a %.0s' $(seq 40))
{ head -3 valid.tsv; printf '%s\t%s\n' "$long" "a"; } > vlong.tsv
m=(--d-model 8 --heads 2 --d-ff 8 --enc-layers 1 --dec-layers 1 --threads 1 --max-len 16 --eval-every 5 --save-every 5)

"$heed" train --train train.tsv --valid vlong.tsv "${m[@]}" --steps 10 --save-dir vl 2> err; rc=$?
check "a too-long validation pair is refused before training (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && grep -q 'vlong.tsv: pair 4 has 40 tokens' err && [ ! -e vl/metrics.csv ]"

# A refused run leaves nothing behind: no save-dir, no lock file (they were once left).
"$heed" train --task copy "${m[@]}" --steps 10 --attention bogus --save-dir deep/a/b 2> err; rc=$?
check "a refused option creates no save-dir (exit $rc: $(cat err))" bash -c "[ $rc -eq 2 ] && [ ! -e deep ]"
printf 'a b\tb a\nno tab here\n' > bad.tsv
mkdir kept
"$heed" train --train bad.tsv "${m[@]}" --steps 10 --save-dir kept/run 2> err; rc=$?
check "unreadable data leaves no lock file, keeps the parent (exit $rc: $(cat err))" \
  bash -c "[ $rc -ne 0 ] && [ -d kept ] && [ ! -e kept/run ]"

"$heed" train --train train.tsv --valid valid.tsv "${m[@]}" --steps 10 --valid-metric loss --save-dir run 2>/dev/null
best_before=$(h5dump -a /train/step run/checkpoint_best.h5 | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
"$heed" train --train train.tsv "${m[@]}" --steps 20 --valid-metric loss --save-dir run 2> err
best_after=$(h5dump -a /train/step run/checkpoint_best.h5 | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
check "a resume without --valid keeps the ranked best (step $best_before, then $best_after)" \
  bash -c "[ '$best_before' = '$best_after' ] && grep -q 'is kept as it is' err"

cp run/checkpoint_last.h5 victim.h5
echo "1 2 3" > src.txt
"$heed" translate --checkpoint victim.h5 --input src.txt --output victim.h5 2> err; rc=$?
check "translate --output onto its checkpoint is refused (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && grep -q 'writing there would destroy it' err && $heed translate --checkpoint victim.h5 < src.txt > /dev/null"

"$heed" train --train train.tsv "${m[@]}" --ste 30 --save-dir run 2> err; rc=$?
check "an option prefix is not guessed (exit $rc: $(cat err))" bash -c "[ $rc -eq 2 ]"

"$heed" eval --checkpoint run/checkpoint_last.h5 --data valid.tsv --json > /dev/full 2> err; rc=$?
check "eval to a full stdout is exit 1 (exit $rc: $(cat err))" bash -c "[ $rc -eq 1 ] && grep -q 'stdout: write failed' err"

cp run/checkpoint_last.h5 run/checkpoint_last.h5.prev
printf 'x' | dd of=run/checkpoint_last.h5 bs=1 seek=5000 conv=notrunc 2>/dev/null
"$heed" train --train train.tsv "${m[@]}" --steps 30 --save-dir run 2> err; rc=$?
check "a damaged checkpoint_last.h5 names its .prev (exit $rc)" bash -c "[ $rc -ne 0 ] && grep -q 'checkpoint_last.h5.prev: copy it' err"
cp run/checkpoint_last.h5.prev run/checkpoint_last.h5

"$heed" train --train "$work/train.tsv" "${m[@]}" --steps 25 --save-dir run 2> err; rc=$?
check "the same --train file by another path resumes (exit $rc)" bash -c "[ $rc -eq 0 ] && grep -q 'resuming from' err"

# A resume continues the stored batch order, which only means something for the same pairs.
cp train.tsv full.tsv
head -20 full.tsv > train.tsv
"$heed" train --train train.tsv "${m[@]}" --steps 30 --save-dir run 2> err; rc=$?
check "a shortened --train file is refused on resume (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && [ \$(wc -l < err) -eq 1 ] && grep -q 'train.tsv is not the data run/checkpoint_last.h5 was trained on (300 pairs then, 20 now)' err"
sed '7s/^/q /' full.tsv > train.tsv
"$heed" train --train train.tsv "${m[@]}" --steps 30 --save-dir run 2> err; rc=$?
check "an edited --train file is refused on resume (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && grep -q '(300 pairs then, 300 now, changed)' err"
cp full.tsv train.tsv
"$heed" train --train train.tsv "${m[@]}" --steps 30 --batch-size 7 --save-dir run 2> err; rc=$?
check "another --batch-size is refused on resume (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && [ \$(wc -l < err) -eq 1 ] && grep -q -- '--batch-size 7 differs from 64, with which run/checkpoint_last.h5 was trained' err"
"$heed" train --train train.tsv "${m[@]}" --steps 30 --min-freq 3 --save-dir run 2> err; rc=$?
check "another --min-freq is refused on resume, not ignored (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && [ \$(wc -l < err) -eq 1 ] && grep -q -- '--min-freq 3 differs from 1, with which run/checkpoint_last.h5 was started' err"
"$heed" train --train train.tsv "${m[@]}" --steps 30 --shared-vocab --save-dir run 2> err; rc=$?
check "--shared-vocab on a resume of a run without it is refused (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && grep -q -- '--shared-vocab true differs from false' err"
"$heed" train --train train.tsv "${m[@]}" --steps 30 --min-freq 1 --save-dir run 2> err; rc=$?
check "the original file resumes again, --min-freq as it was (exit $rc)" bash -c "[ $rc -eq 0 ] && grep -q 'resuming from' err"
for i in $(seq 20); do printf 'the cat sat\non the mat\n'; done > text.txt
lm=(--arch lm --text text.txt --context 8 --d-model 8 --heads 2 --d-ff 8 --dec-layers 1 --threads 1 --save-every 3)
"$heed" train "${lm[@]}" --steps 3 --save-dir lm 2>/dev/null
echo "the end" >> text.txt
"$heed" train "${lm[@]}" --steps 6 --save-dir lm 2> err; rc=$?
check "a changed --text is refused on resume (exit $rc: $(cat err))" \
  bash -c "[ $rc -eq 2 ] && grep -q 'text.txt is not the data lm/checkpoint_last.h5 was trained on (40 lines then, 41 now)' err"

echo "$failures failures"
[ "$failures" -eq 0 ]
