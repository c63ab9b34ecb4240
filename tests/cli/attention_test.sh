#!/usr/bin/env bash
# Seeing attention (issue 12): translate --dump-attention writes, per sentence, every layer's and
# head's maps with the tokens, shaped as README "Attention dumps" says (read here with the
# hdf5-tools heed's setup installs); heed attention and heed plot write PNG and SVG files whose
# sizes agree; bad options get one line and exit 2.
# Usage: attention_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

small=(--task reverse --max-length 5 --task-size 300 --d-model 16 --d-ff 24 --batch-size 16 --threads 1 --quiet)
"$heed" train "${small[@]}" --heads 2 --enc-layers 2 --dec-layers 1 --steps 30 --eval-every 15 --save-dir "$work/tf" 2> "$work/log" ||
  { cat "$work/log"; exit 1; }
"$heed" train "${small[@]}" --arch lstm-attention --enc-layers 1 --dec-layers 1 --steps 2 --save-dir "$work/la" 2> "$work/log" ||
  { cat "$work/log"; exit 1; }
"$heed" train "${small[@]}" --arch lstm --enc-layers 1 --dec-layers 1 --steps 2 --save-dir "$work/lstm" 2> "$work/log" ||
  { cat "$work/log"; exit 1; }
tf="$work/tf/checkpoint_last.h5" la="$work/la/checkpoint_last.h5" lstm="$work/lstm/checkpoint_last.h5"
printf 'a b c\nd\ne a b c d\n' > "$work/src.txt"

# The shape h5ls gives a dataset: "2, 2, 4, 4" (h5ls prints "Dataset {2, 2, 4, 4}").
shape() { h5ls "$1/$2" | sed -n 's/.*Dataset {\(.*\)}.*/\1/p'; }
# The strings of a 1-D string attribute (the token lists are attributes of their sentence's group), one per line.
strings_of() { h5dump -y -w 0 -a "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | sed 's/^ *"//; s/" *$//; s/", "/\n/g'; }

# --- the dump's layout, for each family that attends
for family in tf la; do
  ckpt="$work/$family/checkpoint_last.h5"
  "$heed" translate --checkpoint "$ckpt" --threads 1 --input "$work/src.txt" --dump-attention "$work/$family.h5" > "$work/out.txt" ||
    { fail "$family: translate --dump-attention"; continue; }
  dump="$work/$family.h5"
  h5dump -a /format "$dump" | grep -q '"heed-attention"' && ok "$family: format attribute heed-attention" || fail "$family: format attribute"
  [ "$(h5dump -a /sentences "$dump" | sed -n 's/.*(0): *\([0-9]*\).*/\1/p')" = 3 ] && ok "$family: 3 sentences" ||
    fail "$family: sentences attribute"
  [ "$(h5dump -a /format_version "$dump" | sed -n 's/.*(0): *\([0-9]*\).*/\1/p')" = 2 ] && ok "$family: format_version 2" ||
    fail "$family: format_version"
  h5dump -H -a /sentences/0/source_tokens "$dump" | grep -q H5T_CSET_UTF8 && ok "$family: tokens are UTF-8 string attributes" ||
    fail "$family: token type"
  h5ls "$dump/sentences/0" | grep -qE '^(source_tokens|target_inputs|outputs) ' && fail "$family: tokens stored as datasets" ||
    ok "$family: no token datasets"
  for n in 0 1 2; do
    # the shapes follow the token lists: S = source tokens + </s>, T = <s> + output tokens = output tokens + </s>
    group="$dump/sentences/$n"
    source_tokens=$(strings_of "$dump" /sentences/$n/source_tokens | tr '\n' ' ')
    outputs=$(strings_of "$dump" /sentences/$n/outputs | tr '\n' ' ')
    inputs=$(strings_of "$dump" /sentences/$n/target_inputs | tr '\n' ' ')
    s=$(echo "$source_tokens" | wc -w) t=$(echo "$outputs" | wc -w)
    [ "$source_tokens" = "$(sed -n "$((n + 1))p" "$work/src.txt") </s> " ] || fail "$family sentence $n: source_tokens $source_tokens"
    # position t reads what t - 1 produced; the last produced "</s>" unless the output limit cut the output off
    truncated=$(h5dump -a /sentences/$n/truncated "$dump" | sed -n 's/.*(0): *\([0-9]*\).*/\1/p')
    if [ "$truncated" = 0 ]; then
      [ "<s> ${outputs% </s> } " = "$inputs" ] && [ "${outputs: -6}" = " </s> " ]
    else
      [ "$truncated" = 1 ] && [ "$(echo "<s> $outputs" | awk '{ NF--; print }')" = "${inputs% }" ] && [ "${outputs: -6}" != " </s> " ]
    fi || fail "$family sentence $n: outputs '$outputs', target_inputs '$inputs', truncated '$truncated'"
    if [ "$family" = tf ]; then
      expected="enc 2, 2, $s, $s | dec 1, 2, $t, $t | cross 1, 2, $t, $s"
      got="enc $(shape "$group" encoder_self) | dec $(shape "$group" decoder_self) | cross $(shape "$group" cross)"
    else  # one attention, one head; no self-attention
      expected="cross 1, 1, $t, $s | none"
      got="cross $(shape "$group" cross) | $(h5ls "$group" | grep -c _self | sed 's/^0$/none/')"
    fi
    [ "$got" = "$expected" ] && ok "$family sentence $n: $got" || fail "$family sentence $n: $got, expected $expected"
  done
  # every row of weights sums to 1 (the dump has no fully masked rows: each query sees </s> at least)
  sums=$(h5dump -y -w 0 -d /sentences/2/cross "$dump" | tr -d ' ' | grep -E '^[0-9.e,-]+$' |
         awk -F, '{ s = 0; for (i = 1; i <= NF; i++) if ($i != "") s += $i; if (s < 0.999 || s > 1.001) bad = bad " " s }
                  END { print NR " rows" (bad ? ", bad sums:" bad : "") }')
  [ "$sums" = "$(($(shape "$dump/sentences/2" cross | awk -F', ' '{ print $1 * $2 * $3 }'))) rows" ] &&
    ok "$family: all $sums of cross-attention sum to 1" || fail "$family: cross-attention $sums"
done
# decoder self-attention is causal: a query sees no later position
above=$(h5dump -y -w 0 -d /sentences/2/decoder_self "$work/tf.h5" | tr -d ' ' | grep -E '^[0-9.e,-]+$' |
        awk -F, '{ t = NF - ($NF == ""); row = (NR - 1) % t; for (k = row + 2; k <= t; k++) { n++; if ($k != "" && $k != 0) bad = bad " " $k } }
                 END { print n " weights above the diagonal" (bad ? ", not 0:" bad : "") }')
[[ "$above" =~ ^[1-9][0-9]*\ weights\ above\ the\ diagonal$ ]] && ok "decoder self-attention: $above, all 0" ||
  fail "decoder self-attention: $above"

expect_usage_error "--dump-attention: $lstm is an lstm model, which has no attention" \
  translate --checkpoint "$lstm" --dump-attention "$work/x.h5"
expect_usage_error "--dump-attention: takes one --checkpoint, not an ensemble of 2" \
  translate --checkpoint "$tf" --checkpoint "$tf" --dump-attention "$work/x.h5"
expect_usage_error "--dump-attention $work: is a directory" translate --checkpoint "$tf" --dump-attention "$work"
expect_usage_error "is the same file as --checkpoint $tf: writing there would destroy it" translate --checkpoint "$tf" --dump-attention "$tf"

if "$heed" attention --help | grep -q -- '--png'; then :; else fail "attention --help names --png"; fi
if ! "$heed" attention --checkpoint "$tf" --text "a b" --png "$work/p.png" > "$work/out" 2> "$work/err" &&
   grep -q "pictures are unavailable" "$work/err"; then
  ok "built without cairo: $(cat "$work/err")"
  [ "$failures" -eq 0 ] && exit 0 || exit 1
fi

# PNG width and height from the IHDR chunk.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d x %d\n", $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'; }
# SVG width and height, rounded up as the PNG's are.
svg_size() { sed -n 's/.*<svg[^>]* width="\([0-9.]*\)[a-z]*" height="\([0-9.]*\)[a-z]*".*/\1 \2/p' "$1" | head -1 |
             awk '{ w = int($1); if (w < $1) w++; h = int($2); if (h < $2) h++; printf "%d x %d\n", w, h }'; }
is_png() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' ')" = "89504e470d0a1a0a" ] && tail -c 8 "$1" | grep -q IEND; }

# --- heed attention: PNG and SVG of the same layout, sizes that follow the content
"$heed" attention --checkpoint "$tf" --threads 1 --text "a b c" --png "$work/all.png" --svg "$work/all.svg" > "$work/out" ||
  fail "heed attention"
if is_png "$work/all.png" && grep -q '<svg' "$work/all.svg" && [ "$(png_size "$work/all.png")" = "$(svg_size "$work/all.svg")" ]; then
  ok "attention grid: a PNG and an SVG of $(png_size "$work/all.png"); $(head -1 "$work/out")"
else
  fail "attention grid files: PNG $(png_size "$work/all.png"), SVG $(svg_size "$work/all.svg")"
fi
grep -q "(8 panels)" "$work/out" && ok "encoder self 2, decoder self 1, cross 1 layer(s), 2 heads each: 8 panels" || fail "panel count: $(cat "$work/out")"
"$heed" attention --checkpoint "$tf" --threads 1 --text "a" --kind cross --head 1 --png "$work/short.png" > /dev/null &&
"$heed" attention --checkpoint "$tf" --threads 1 --text "a b c d e" --kind cross --head 1 --png "$work/long.png" > /dev/null
read -r short_w _ short_h <<< "$(png_size "$work/short.png")"
read -r long_w _ long_h <<< "$(png_size "$work/long.png")"
[ "$long_w" -ge "$short_w" ] && [ "$long_h" -gt "$short_h" ] && ok "a longer sentence, a larger picture: ${short_w}x$short_h -> ${long_w}x$long_h" ||
  fail "picture sizes ${short_w}x$short_h, ${long_w}x$long_h"
"$heed" attention --checkpoint "$la" --threads 1 --text "a b" --target "b a" --values --svg "$work/la.svg" > "$work/out" &&
  grep -q "(1 panel)" "$work/out" && ok "lstm-attention, --target: one panel" || fail "lstm-attention picture: $(cat "$work/out")"
expect_usage_error "--kind sideways: must be all, self, encoder, decoder or cross" attention --checkpoint "$tf" --text a --png "$work/x.png" --kind sideways
expect_usage_error "--head 2 is out of range: the model has 2 heads (0 to 1)" attention --checkpoint "$tf" --text a --png "$work/x.png" --head 2
expect_usage_error "--head x: must be a head's number" attention --checkpoint "$tf" --text a --png "$work/x.png" --head x
expect_usage_error "--layer 1 is out of range: the model has 1 decoder self-attention layer" attention --checkpoint "$tf" --text a --png "$work/x.png" --kind decoder --layer 1
expect_usage_error "--kind encoder: the model has no encoder self-attention" attention --checkpoint "$la" --text a --png "$work/x.png" --kind encoder
expect_usage_error "--png or --svg: name the file to draw into" attention --checkpoint "$tf" --text a
expect_usage_error "--png $work/none/x.png: no such directory" attention --checkpoint "$tf" --text a --png "$work/none/x.png"
expect_usage_error "$lstm is an lstm model, which has no attention" attention --checkpoint "$lstm" --text a --png "$work/x.png"

# --- heed plot: one run, two runs, bad files
"$heed" plot --metrics "$work/tf/metrics.csv" --png "$work/one.png" --svg "$work/one.svg" > "$work/out" || fail "heed plot"
if is_png "$work/one.png" && [ "$(png_size "$work/one.png")" = "$(svg_size "$work/one.svg")" ] && grep -q "(6 panels)" "$work/out"; then
  ok "plot: $(png_size "$work/one.png"), $(head -1 "$work/out")"
else
  fail "plot files: $(cat "$work/out"), PNG $(png_size "$work/one.png"), SVG $(svg_size "$work/one.svg")"
fi
if "$heed" plot --metrics "$work/tf/metrics.csv" --metrics "$work/la/metrics.csv" --label transformer --label lstm-attention \
     --svg "$work/two.svg" > "$work/out" && grep -q "<svg" "$work/two.svg"; then
  ok "plot: two runs, $(cat "$work/out")"
else
  fail "plot of two runs"
fi
expect_usage_error "--label: 1 labels for 2 --metrics files" plot --metrics "$work/tf/metrics.csv" --metrics "$work/la/metrics.csv" --label x --png "$work/x.png"
expect_usage_error "$work/none.csv: no such file" plot --metrics "$work/none.csv" --png "$work/x.png"
{ head -3 "$work/tf/metrics.csv"; echo "4,0,0.001"; } > "$work/bad.csv"
expect_usage_error "$work/bad.csv:4: expected 11 comma-separated fields, got 3" plot --metrics "$work/bad.csv" --png "$work/x.png"
printf 'epoch,step\n' > "$work/foreign.csv"
expect_usage_error "$work/foreign.csv:1: not a heed metrics.csv" plot --metrics "$work/foreign.csv" --png "$work/x.png"

[ "$failures" -eq 0 ] && echo "all attention checks passed" || { echo "$failures failed"; exit 1; }
