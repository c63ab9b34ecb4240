#!/usr/bin/env bash
# Where translate --dump-attention, heed attention and heed plot write, and what they say (a new
# user's trial): a symlink is written through, a device or FIFO is refused, an output is never an
# input or another output, a failed picture leaves every file as it was, and the labels say what
# the model read and produced (<unk>, an output cut off before </s>, a cropped source).
# Usage: picture_files_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

# --max-len 8: a source of more than 7 tokens is cropped
"$heed" train --task reverse --max-length 5 --task-size 300 --d-model 16 --d-ff 24 --batch-size 16 --threads 1 --quiet \
  --heads 2 --enc-layers 1 --dec-layers 1 --max-len 8 --steps 20 --eval-every 10 --save-dir "$work/tf" 2> "$work/log" ||
  { cat "$work/log"; exit 1; }
tf="$work/tf/checkpoint_last.h5"
printf 'a b c\n' > "$work/src.txt"
translate=(translate --checkpoint "$tf" --threads 1 --input "$work/src.txt")
# The strings of a 1-D string attribute, space-separated; an integer attribute's value.
strings_of() { h5dump -y -w 0 -a "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | sed 's/^ *"//; s/" *$//; s/", "/ /g'; }
number_of() { h5dump -a "$2" "$1" | sed -n 's/.*(0): *\([0-9]*\).*/\1/p'; }

# --- --dump-attention: through a symlink, never over a device, a FIFO or a file the command reads or writes
ln -s real.h5 "$work/link.h5"
if "$heed" "${translate[@]}" --dump-attention "$work/link.h5" > /dev/null && [ -L "$work/link.h5" ] &&
   h5dump -a /format "$work/real.h5" | grep -q heed-attention; then
  ok "a symlinked dump is written to the file it names, the link kept"
else
  fail "dump through a symlink: $(ls -l "$work" | tr '\n' ' ')"
fi
mkfifo "$work/fifo.h5"
expect_usage_error "--dump-attention $work/fifo.h5: is a FIFO, not a regular file" "${translate[@]}" --dump-attention "$work/fifo.h5"
[ -p "$work/fifo.h5" ] && ok "the FIFO is still a FIFO" || fail "the FIFO was replaced"
# A device: a null device node of our own when we may make one (as root), never /dev's as root.
device=/dev/null
mknod "$work/null" c 1 3 2> /dev/null && device="$work/null"
if [ "$device" = /dev/null ] && [ "$(id -u)" = 0 ]; then
  echo "skipped: the device case (root, and mknod failed)"
else
  expect_usage_error "--dump-attention $device: is a device, not a regular file" "${translate[@]}" --dump-attention "$device"
  [ -c "$device" ] && ok "the device is still a device" || fail "the device $device was replaced"
fi
cp "$work/src.txt" "$work/src.kept"
expect_usage_error "--dump-attention $work/./src.txt is the same file as --input $work/src.txt" \
  "${translate[@]}" --dump-attention "$work/./src.txt"
cmp -s "$work/src.txt" "$work/src.kept" && ok "--input untouched" || fail "--input was changed"
expect_usage_error "--dump-attention $work/o.txt is the same file as --output $work/o.txt" \
  "${translate[@]}" --output "$work/o.txt" --dump-attention "$work/o.txt"
expect_usage_error "--dump-attention $tf is the same file as --checkpoint $tf" "${translate[@]}" --dump-attention "$tf"
expect_usage_error "--dump-attention: needs a file name" "${translate[@]}" --dump-attention ""

# --- the dump says what the model read and produced, and how it attends
printf 'a xyzzy\n' > "$work/unk.txt"
"$heed" translate --checkpoint "$tf" --threads 1 --input "$work/unk.txt" --max-output 1 --dump-attention "$work/d.h5" > /dev/null ||
  fail "translate --max-output 1 --dump-attention"
[ "$(strings_of "$work/d.h5" /sentences/0/source_tokens)" = "a <unk> </s>" ] &&
  ok "an unknown word is stored as the model read it: <unk>" ||
  fail "source_tokens: $(strings_of "$work/d.h5" /sentences/0/source_tokens)"
outputs=$(strings_of "$work/d.h5" /sentences/0/outputs)
if [ "$(number_of "$work/d.h5" /sentences/0/truncated)" = 1 ] && [ "$(echo "$outputs" | wc -w)" = 1 ] && [ "$outputs" != "</s>" ]; then
  ok "an output cut off by --max-output 1: truncated = 1, outputs '$outputs' without </s>"
else
  fail "cut-off output: truncated $(number_of "$work/d.h5" /sentences/0/truncated), outputs '$outputs'"
fi
h5dump -a /attention "$work/d.h5" | grep -q '"full"' && [ "$(number_of "$work/d.h5" /window)" = 0 ] &&
  ok "the dump names its attention kind: full" || fail "attention attribute: $(h5dump -a /attention "$work/d.h5")"

if ! "$heed" attention --checkpoint "$tf" --text "a b" --png "$work/p.png" > "$work/out" 2> "$work/err" &&
   grep -q "pictures are unavailable" "$work/err"; then
  ok "built without cairo: the picture cases skipped"
  [ "$failures" -eq 0 ] && exit 0 || exit 1
fi
attention=(attention --checkpoint "$tf" --threads 1 --text "a b")

# --- pictures: never over an input, each its own file, named as their format, all or none
ln -s "$tf" "$work/model.png"
expect_usage_error "--png $work/model.png is the same file as --checkpoint $tf" "${attention[@]}" --png "$work/model.png"
cp "$work/tf/metrics.csv" "$work/m"
expect_usage_error "--png $work/m is the same file as --metrics $work/m" plot --metrics "$work/m" --png "$work/m"
cmp -s "$work/m" "$work/tf/metrics.csv" && ok "--metrics untouched" || fail "--metrics was changed"
expect_usage_error "--svg $work/same is the same file as --png $work/same" "${attention[@]}" --png "$work/same" --svg "$work/same"
expect_usage_error "--png $work/x.jpg: --png writes PNG, not .jpg" "${attention[@]}" --png "$work/x.jpg"
mkfifo "$work/fifo.png"
expect_usage_error "--png $work/fifo.png: is a FIFO, not a regular file" "${attention[@]}" --png "$work/fifo.png"
echo old > "$work/ok.png"
"$heed" "${attention[@]}" --png "$work/ok.png" --svg /proc/x.svg > "$work/out" 2> "$work/err"
rc=$?
if [ "$rc" = 1 ] && [ "$(cat "$work/ok.png")" = old ] && ! ls "$work"/ok.png.tmp > /dev/null 2>&1 &&
   grep -q "^heed attention: error: --svg /proc/x.svg: .*none of the pictures was written" "$work/err"; then
  ok "one picture unwritable, none written: $(cat "$work/err")"
else
  fail "--png ok.png --svg /proc/x.svg: exit $rc, ok.png '$(head -c 20 "$work/ok.png")', $(cat "$work/err")"
fi
ln -s pic.svg "$work/link.svg"
"$heed" "${attention[@]}" --kind cross --layer 0 --head mean --svg "$work/link.svg" > "$work/out" &&
  [ -L "$work/link.svg" ] && grep -q '<svg' "$work/pic.svg" && grep -qx "wrote $work/link.svg (1 panel)" "$work/out" &&
  ok "a symlinked picture drawn through the link; $(cat "$work/out")" || fail "picture through a symlink: $(cat "$work/out")"

# --- heed attention's options
expect_usage_error "--text is empty" attention --checkpoint "$tf" --text " " --png "$work/x.png"
expect_usage_error "--target is empty" "${attention[@]}" --target "" --png "$work/x.png"
expect_usage_error "--checkpoint: needs a file name" attention --checkpoint "" --text "a" --png "$work/x.png"
expect_usage_error "--beam: shapes a translation, and with --target nothing is translated" \
  "${attention[@]}" --target "b a" --beam 4 --png "$work/x.png"
"$heed" attention --checkpoint "$tf" --threads 1 --text "a b c d e a b c d e" --kind cross --png "$work/long.png" > /dev/null 2> "$work/err"
grep -q "^heed attention: warning: --text: source has 10 tokens, more than the model takes (7 before the end of sentence)" "$work/err" &&
  ok "a cropped source is warned of: $(cat "$work/err")" || fail "crop warning: $(cat "$work/err")"

# --- heed plot: a row without a step is an error, not a gap
{ head -2 "$work/tf/metrics.csv"; head -2 "$work/tf/metrics.csv" | tail -1 | sed 's/^[^,]*,/,/'; } > "$work/nostep.csv"
expect_usage_error "$work/nostep.csv:3: step '' is not a number" plot --metrics "$work/nostep.csv" --png "$work/x.png"

[ "$failures" -eq 0 ] && echo "all picture file checks passed" || { echo "$failures failed"; exit 1; }
