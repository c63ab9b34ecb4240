#!/usr/bin/env bash
# The README's "Use heed in your project" shows examples/ verbatim: every file of examples/ must
# appear there, after a line "<!-- examples/FILE -->", as the fenced block that follows it.
# Usage: readme_examples_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
status=0
for file in examples/*; do
  # the fenced block after the marker, without its fences
  block="$(awk -v marker="<!-- $file -->" '
    $0 == marker { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```$/ { exit }
    found == 2 { print }' README.md)"
  if [ -z "$block" ]; then
    echo "README.md: no block for $file (a line <!-- $file --> then a fenced block)"
    status=1
  elif ! difference="$(diff -u --label README.md --label "$file" <(printf '%s\n' "$block") "$file")"; then
    echo "README.md: the block for $file differs from the file:"
    echo "$difference"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "README.md shows every file of examples/ as it is"
exit "$status"
