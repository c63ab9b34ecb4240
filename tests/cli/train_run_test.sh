#!/usr/bin/env bash
# What a training run records and says (issue 14 items 1, 5, 6, 14, 17): the metric that picks
# checkpoint_best.h5 (stored in /train/valid_metric; older checkpoints resume by BLEU), a
# metrics.csv row for every validation printed, elapsed time continued across a resume, the
# validation size said, <unk> validation targets warned about, --quiet quiet.
# Usage: train_run_test.sh HEED_BINARY SOURCE_DIR
set -uo pipefail
heed="$1"
fixtures="$2/tests/fixtures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"
attr() { h5dump -a "/train/$2" "$1" 2>/dev/null | sed -n 's/.*(0): "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p'; }
column() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }

run=(--task copy --max-length 4 --task-size 200 --d-model 8 --heads 2 --d-ff 8 --enc-layers 1 --dec-layers 1
     --threads 1 --batch-size 8 --valid-size 20)

# Item 5: every validation printed has its row, the last step's too, whatever --eval-every says.
for case in "0 7" "5 7" "3 9"; do
  read -r every steps <<< "$case"
  "$heed" train "${run[@]}" --steps "$steps" --eval-every "$every" --save-dir "$work/ev$every" 2> "$work/log"
  printed=$(grep -c "^step [0-9]*  valid " "$work/log")
  loss=$(column "$work/ev$every/metrics.csv" valid_loss)
  rows=$(awk -F, -v c="$loss" 'NR > 1 && $c != "" { print $1 }' "$work/ev$every/metrics.csv" | tr '\n' ' ')
  expected=$(for ((s = 1; s <= steps; s++)); do if { [ "$every" -gt 0 ] && [ $((s % every)) -eq 0 ]; } || [ "$s" -eq "$steps" ]; then printf '%s ' "$s"; fi; done)
  if [ "$rows" = "$expected" ] && [ "$printed" -eq "$(wc -w <<< "$rows")" ]; then
    echo "ok: --eval-every $every --steps $steps: validated rows at steps $rows($printed printed)"
  else
    fail "--eval-every $every --steps $steps: validated rows '$rows', expected '$expected', $printed printed"
    cat "$work/log"
  fi
done

# Item 5: elapsed_s continues on resume (stored in /train/elapsed_s).
"$heed" train "${run[@]}" --steps 6 --eval-every 3 --quiet --save-dir "$work/el" 2>/dev/null
saved=$(attr "$work/el/checkpoint_last.h5" elapsed_s)
"$heed" train "${run[@]}" --steps 9 --eval-every 3 --quiet --save-dir "$work/el" 2>/dev/null
elapsed=$(column "$work/el/metrics.csv" elapsed_s)
before=$(awk -F, -v c="$elapsed" '$1 == 6 { print $c }' "$work/el/metrics.csv")
after=$(awk -F, -v c="$elapsed" '$1 == 7 { print $c }' "$work/el/metrics.csv")
if [ -n "$saved" ] && awk -v s="$saved" -v b="$before" -v a="$after" 'BEGIN { exit !(s > 0 && a >= s && a >= b) }'; then
  echo "ok: elapsed_s $before at step 6 (checkpoint: $saved), $after at step 7 after the resume"
else
  fail "elapsed_s: checkpoint '$saved', step 6 '$before', step 7 after resume '$after'"
fi

# Item 1: the metric is stored; best is the strictly best by it (loss: the lowest, first of ties).
for metric in loss exact; do
  "$heed" train "${run[@]}" --steps 12 --eval-every 1 --lr 0.01 --valid-metric "$metric" --quiet --save-dir "$work/m$metric" 2>/dev/null
  csv="$work/m$metric/metrics.csv"
  c=$(column "$csv" "$([ "$metric" = loss ] && echo valid_loss || echo valid_exact_match)")
  expected=$(awk -F, -v c="$c" -v lower="$([ "$metric" = loss ] && echo 1 || echo 0)" '
    NR > 1 && $c != "" && (best == "" || (lower ? $c + 0 < best : $c + 0 > best)) { best = $c + 0; step = $1 }
    END { print step }' "$csv")
  got=$(attr "$work/m$metric/checkpoint_best.h5" step)
  stored=$(attr "$work/m$metric/checkpoint_last.h5" valid_metric)
  if [ "$got" = "$expected" ] && [ "$stored" = "$metric" ]; then
    echo "ok: --valid-metric $metric: checkpoint_best.h5 at step $got, /train/valid_metric = $stored"
  else
    fail "--valid-metric $metric: best at step '$got', expected '$expected'; /train/valid_metric '$stored'"
  fi
done
"$heed" train "${run[@]}" --steps 2 --quiet --save-dir "$work/default" 2>/dev/null
[ "$(attr "$work/default/checkpoint_last.h5" valid_metric)" = chrf ] && echo "ok: the default metric is chrf" ||
  fail "default metric: $(attr "$work/default/checkpoint_last.h5" valid_metric)"
# A checkpoint written before /train/valid_metric existed ranked by BLEU: its run resumes so.
fixture_run=(--task reverse --max-length 5 --task-size 300 --batch-size 16 --threads 1 --seed 3 --tokenizer char
             --eval-every 0 --valid-size 10)
mkdir "$work/old"
cp "$fixtures/checkpoint_v1_transformer.h5" "$work/old/checkpoint_last.h5"
if "$heed" train "${fixture_run[@]}" --steps 22 --save-dir "$work/old" 2> "$work/log" &&
   [ "$(attr "$work/old/checkpoint_last.h5" valid_metric)" = bleu ] && grep -q "by bleu (higher is better)" "$work/log"; then
  echo "ok: a v1 checkpoint (no valid_metric) resumed ranking by bleu"
else
  fail "resume of a v1 checkpoint: valid_metric '$(attr "$work/old/checkpoint_last.h5" valid_metric)'"; cat "$work/log"
fi
if "$heed" train "${fixture_run[@]}" --steps 24 --valid-metric exact --save-dir "$work/old" 2> "$work/log" &&
   grep -q "the run ranked checkpoints by bleu until step 22; the next validation starts the ranking by exact" "$work/log" &&
   grep -q "^step 24  valid .*(best)" "$work/log" && [ "$(attr "$work/old/checkpoint_best.h5" valid_metric)" = exact ]; then
  echo "ok: another --valid-metric on resume restarts the ranking"
else
  fail "--valid-metric changed on resume"; cat "$work/log"
fi

# Item 6: the validation size is an option (default: all) and is said.
"$heed" train "${run[@]:0:20}" --steps 1 --save-dir "$work/all" 2> "$work/log"
grep -q "^validation: all 500 pairs" "$work/log" && grep -q "(500 sentences)" "$work/log" &&
  echo "ok: $(grep '^validation:' "$work/log")" || { fail "default validation size"; cat "$work/log"; }
"$heed" train "${run[@]}" --steps 1 --save-dir "$work/some" 2> "$work/log"
grep -q "^validation: the first 20 of 500 pairs (--valid-size)" "$work/log" && grep -q "(20 sentences)" "$work/log" &&
  echo "ok: $(grep '^validation:' "$work/log")" || { fail "--valid-size 20"; cat "$work/log"; }

# Item 14: validation targets mostly <unk> are warned about (train as finetune).
printf 'a b\tb a\nb a\ta b\n' > "$work/train.tsv"
printf 'a b\tx y z\n' > "$work/valid.tsv"
"$heed" train --train "$work/train.tsv" --valid "$work/valid.tsv" --d-model 8 --heads 2 --d-ff 8 --enc-layers 1 \
  --dec-layers 1 --threads 1 --steps 1 --quiet --save-dir "$work/unk" 2> "$work/log"
grep -qF "warning: validation targets: 3 of 3 tokens are not in the vocabulary made from --train and become <unk> (100%)" "$work/log" &&
  echo "ok: $(cat "$work/log")" || { fail "no <unk> warning for train"; cat "$work/log"; }
"$heed" finetune --from "$work/unk/checkpoint_last.h5" --train "$work/train.tsv" --valid "$work/valid.tsv" \
  --threads 1 --steps 1 --quiet --save-dir "$work/unk_ft" 2> "$work/log"
grep -qF "warning: validation targets: 3 of 3 tokens are not in the checkpoint's vocabulary" "$work/log" &&
  echo "ok: finetune warns too" || { fail "no <unk> warning for finetune"; cat "$work/log"; }

# Item 17: --quiet prints nothing for a run that finishes; the train loss is labelled as smoothed.
"$heed" train "${run[@]}" --steps 3 --quiet --save-dir "$work/quiet" 2> "$work/log"
[ ! -s "$work/log" ] && echo "ok: --quiet printed nothing" || { fail "--quiet printed:"; cat "$work/log"; }
head -1 "$work/quiet/metrics.csv" | grep -q "^step,epoch,lr,train_loss_smoothed," || fail "metrics.csv header: $(head -1 "$work/quiet/metrics.csv")"
"$heed" train "${run[@]}" --steps 1 --save-dir "$work/loud" 2> "$work/log"
grep -q "^train loss includes label smoothing 0.1 (what is minimised); valid loss does not" "$work/log" ||
  { fail "no label-smoothing note"; cat "$work/log"; }
# Issue 14 item 9 in the log: the learning rate as a person writes it (5e-06, not 5.00e-06).
grep -q "^step 1/1  loss [0-9.]*  lr 5e-06  " "$work/log" || { fail "progress line numbers"; cat "$work/log"; }

echo "$failures failures"
[ "$failures" -eq 0 ]
