#!/usr/bin/env bash
# heed eval and heed score as users run them: --json is always one valid JSON object (checked
# with python3's json, bare NaN refused), --show included; pairs longer than the model takes are refused as
# train refuses them; bad options and paths get one line and exit 2; score reads stdin, takes
# several references and prints a sacreBLEU-style signature.
# Usage: eval_score_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"
# is_json FILE: one JSON object that python parses strictly (json.tool would take a bare NaN; no
# text before or after it)
is_json() {
  python3 -c 'import json, sys; json.load(open(sys.argv[1]), parse_constant=lambda c: sys.exit("bare " + c))' "$1" \
    > /dev/null 2>&1 && [ "$(head -c1 "$1")" = "{" ]
}

"$heed" train --task reverse --max-length 6 --task-size 1000 --d-model 24 --heads 2 --d-ff 32 --enc-layers 1 \
  --dec-layers 1 --batch-size 16 --threads 1 --steps 800 --eval-every 400 --max-len 24 --seed 2 --quiet \
  --save-dir "$work/run" 2> "$work/log" || { cat "$work/log"; exit 1; }
ckpt="$work/run/checkpoint_last.h5"
eval_args=(eval --checkpoint "$ckpt" --task reverse --max-length 6 --threads 1)

# --- eval --json: valid JSON whatever else is asked for
"$heed" "${eval_args[@]}" --json --show 3 > "$work/show.json"
if is_json "$work/show.json" &&
   python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["shown"]) == 3 and set(d["shown"][0]) == {"source","reference","hypothesis"}' "$work/show.json"; then
  ok "eval --json --show 3 is one JSON object with 3 shown translations"
else
  fail "eval --json --show 3 is not valid JSON:"; head -c 400 "$work/show.json"
fi
"$heed" "${eval_args[@]}" --json --show 2 --by-length 2 > "$work/both.json"
is_json "$work/both.json" && grep -q '"by_length": \[' "$work/both.json" && ok "eval --json --show --by-length is valid JSON" || fail "--show with --by-length"
"$heed" "${eval_args[@]}" --show 2 > "$work/text.txt"
[ "$(grep -c '^hyp: ' "$work/text.txt")" -eq 2 ] && grep -q "^loss " "$work/text.txt" && ok "eval --show without --json prints text" || fail "eval --show text"
printf 'json = false\n' > "$work/nojson.ini"
"$heed" "${eval_args[@]}" --config "$work/nojson.ini" > "$work/ini.txt"
grep -q "^loss " "$work/ini.txt" && ok "json = false in an INI file means text" || { fail "json = false"; cat "$work/ini.txt"; }

# --- pairs longer than the model takes (--max-len 24: 23 tokens + EOS) are refused, as train refuses them
{ echo -e "a b\tb a"; printf 'a %.0s' $(seq 30); printf '\ta\n'; } > "$work/long.tsv"
expect_usage_error "$work/long.tsv: pair 2 has 30 tokens, more than the checkpoint's max_len 24 allows" \
  eval --checkpoint "$ckpt" --data "$work/long.tsv"

# --- bad options and paths
expect_usage_error "--show -1 is out of range: must be >= 0" "${eval_args[@]}" --show -1
expect_usage_error "--by-length -2 is out of range: must be >= 0" "${eval_args[@]}" --by-length -2
expect_usage_error "--length-penalty nan is out of range: must be >= 0" "${eval_args[@]}" --beam 2 --length-penalty nan
expect_usage_error "--beam -1 is out of range" "${eval_args[@]}" --beam -1
expect_usage_error "$work: is a directory, not a checkpoint file" eval --checkpoint "$work" --task reverse

# --- score
"$heed" data --task reverse --split test --max-length 6 --size 50 > "$work/test.tsv"
cut -f1 "$work/test.tsv" > "$work/src.txt"
cut -f2 "$work/test.tsv" > "$work/ref.txt"
"$heed" translate --checkpoint "$ckpt" --threads 1 -i "$work/src.txt" -o "$work/hyp.txt"
"$heed" score --hyp "$work/hyp.txt" --ref "$work/ref.txt" > "$work/file.txt"
"$heed" score --hyp - --ref "$work/ref.txt" < "$work/hyp.txt" > "$work/stdin.txt"
if [ $? -eq 0 ] && cmp -s "$work/file.txt" "$work/stdin.txt"; then ok "score --hyp - reads stdin"; else fail "score --hyp -"; cat "$work/stdin.txt"; fi
if grep -qE '^signature: BLEU\|nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:heed-[0-9.]+ chrF2\|nrefs:1\|case:mixed\|eff:yes\|nc:6\|nw:0\|space:no\|version:heed-[0-9.]+$' "$work/file.txt"; then
  ok "$(grep signature "$work/file.txt")"
else
  fail "no signature line"; cat "$work/file.txt"
fi
# a second reference equal to the hypotheses: every segment matches one of its references
"$heed" score --hyp "$work/hyp.txt" --ref "$work/ref.txt" --ref "$work/hyp.txt" > "$work/two.txt"
if grep -q "^BLEU = 100.00 " "$work/two.txt" && grep -q "^exact match 100.00%" "$work/two.txt" && grep -q "nrefs:2" "$work/two.txt"; then
  ok "two references: $(head -1 "$work/two.txt")"
else
  fail "two references"; cat "$work/two.txt"
fi
"$heed" score --hyp "$work/hyp.txt" --ref "$work/ref.txt" --ref "$work/hyp.txt" --json > "$work/score.json"
is_json "$work/score.json" && grep -q '"references": 2' "$work/score.json" && ok "score --json: $(cat "$work/score.json")" || { fail "score --json"; cat "$work/score.json"; }
expect_usage_error "$work: is a directory, not a text file" score --hyp "$work" --ref "$work/ref.txt"
expect_usage_error "$work: is a directory, not a text file" score --hyp "$work/hyp.txt" --ref "$work"
head -3 "$work/ref.txt" > "$work/short.txt"
expect_usage_error "$work/hyp.txt has 50 lines but $work/short.txt has 3" score --hyp "$work/hyp.txt" --ref "$work/short.txt"
: > "$work/empty.txt"
expect_usage_error "$work/empty.txt: no lines to score" score --hyp "$work/empty.txt" --ref "$work/ref.txt"

echo "$failures failures"
[ "$failures" -eq 0 ]
