#!/usr/bin/env bash
# heed explain (issue 12, part 3) on a briefly trained toy-fr transformer: the table and the JSON
# hold every method, each method's top-word fractions sum to 1, each attribution agrees with
# itself (tau = 1); other families and other tasks get one line and exit 2.
# Usage: explain_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

small=(--d-model 16 --heads 2 --d-ff 24 --enc-layers 1 --dec-layers 1 --batch-size 16 --threads 1 --quiet --steps 20 --eval-every 0)
"$heed" train --task toy-fr --task-size 400 "${small[@]}" --save-dir "$work/fr" 2> "$work/log" || { cat "$work/log"; exit 1; }
"$heed" train --task copy --task-size 100 "${small[@]}" --save-dir "$work/copy" 2> "$work/log" || { cat "$work/log"; exit 1; }
"$heed" train --task toy-fr --task-size 400 "${small[@]}" --arch lstm-attention --save-dir "$work/la" 2> "$work/log" ||
  { cat "$work/log"; exit 1; }

"$heed" explain --checkpoint "$work/fr/checkpoint_last.h5" --threads 1 --limit 12 > "$work/table" 2> "$work/err" || fail "explain: $(cat "$work/err")"
grep -q "^12 sentences with a pronoun" "$work/table" && grep -q "^leave-one-out" "$work/table" && grep -q "^rollout L0" "$work/table" &&
  ok "table: $(head -1 "$work/table")" || { fail "table"; cat "$work/table"; }

"$heed" explain --checkpoint "$work/fr/checkpoint_last.h5" --threads 1 --limit 12 --json > "$work/json" || fail "explain --json"
# Per method: the top-word fractions, summed; the tau of gradient x input and leave-one-out with themselves.
checks=$(sed 's/{"name"/\n{"name"/g' "$work/json" | grep '^{"name"' | awk '{
  name = $0; sub(/^{"name": "/, "", name); sub(/".*/, "", name)
  sum = 0
  for (k = 1; k <= 5; k++) {
    split("antecedent other_noun it predicate elsewhere", keys, " ")
    v = $0; sub(".*\"" keys[k] "\": ", "", v); sub(/[,}].*/, "", v); sum += v
  }
  if (sum < 0.999 || sum > 1.001) print "bad sum " name " " sum
  if (name == "gradient x input" && $0 !~ /"tau_gradient_x_input": 1(\.0)?[,}]/) print "tau " name
  if (name == "leave-one-out" && $0 !~ /"tau_leave_one_out": 1(\.0)?[,}]/) print "tau " name
  n++ } END { print n " methods" }')
[ "$checks" = "6 methods" ] && ok "JSON: $checks (2 heads + mean + rollout, grad x input, leave-one-out), fractions sum to 1" ||
  fail "JSON checks: $checks"

expect_usage_error "$work/la/checkpoint_last.h5 is an lstm-attention model: heed explain probes a transformer's attention" \
  explain --checkpoint "$work/la/checkpoint_last.h5"
expect_usage_error "--split train: must be test or valid" explain --checkpoint "$work/fr/checkpoint_last.h5" --split train
"$heed" explain --checkpoint "$work/copy/checkpoint_last.h5" > /dev/null 2> "$work/err"
rc=$?
[ $rc -ne 0 ] && grep -q "not a toy-fr model" "$work/err" && ok "a copy model: $(cat "$work/err")" || fail "copy model: exit $rc, $(cat "$work/err")"

[ "$failures" -eq 0 ] && echo "all explain checks passed" || { echo "$failures failed"; exit 1; }
