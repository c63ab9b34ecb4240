#!/usr/bin/env bash
# Writes the King James Bible (public domain; Debian's bible-kjv-text, read through its `bible`
# program from bible-kjv) as plain text, one verse per line without its reference: the verses in
# order, every 10th block of 100 verses held out as DIR/valid.txt and the rest in DIR/train.txt,
# so that both cover the whole book. Nothing is downloaded: apt-get install bible-kjv bible-kjv-text.
# Usage: tools/kjv_text.sh DIR
set -euo pipefail
dir="${1:?usage: kjv_text.sh DIR}"
command -v bible > /dev/null || { echo "kjv_text.sh: needs the bible program: apt-get install bible-kjv bible-kjv-text" >&2; exit 2; }
mkdir -p "$dir"
# -f: one verse per line, each after its reference ("Ge1:1 In the beginning ..."), which is cut.
(cd "$dir" && bible -f "gen1:1-rev22:21") | sed 's/^[^ ]* //' > "$dir/all.txt"
awk -v train="$dir/train.txt" -v valid="$dir/valid.txt" \
  '{ if (int((NR - 1) / 100) % 10 == 9) print > valid; else print > train }' "$dir/all.txt"
rm "$dir/all.txt"
echo "$dir/train.txt: $(wc -l < "$dir/train.txt") verses, $(wc -m < "$dir/train.txt") characters"
echo "$dir/valid.txt: $(wc -l < "$dir/valid.txt") verses, $(wc -m < "$dir/valid.txt") characters"
