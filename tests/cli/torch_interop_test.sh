#!/usr/bin/env bash
# PyTorch interop. A checkpoint written from a PyTorch model (tests/fixtures/torch_copy.h5, made by
# tools/torch_interop.py make-fixture) evaluated by heed gives PyTorch's loss (relative difference
# < 1e-4) and the same greedy translations. Where Debian's torch and h5py are installed, heed's
# checkpoint also goes back to PyTorch (export) and PyTorch reproduces heed's loss.
# Usage: torch_interop_test.sh HEED_BINARY SOURCE_DIR
set -euo pipefail
heed="$1"
fixtures="$2/tests/fixtures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

expected_loss=$(grep '"loss"' "$fixtures/torch_copy_expected.json" | sed 's/.*: *\([0-9.e-]*\).*/\1/')
heed_loss=$("$heed" eval --checkpoint "$fixtures/torch_copy.h5" --data "$fixtures/torch_copy.tsv" --json |
            sed 's/.*"loss": *\([0-9.e-]*\).*/\1/')
awk -v a="$heed_loss" -v b="$expected_loss" 'BEGIN {
  d = (a - b) / b; if (d < 0) d = -d
  printf "loss: heed %s, PyTorch %s, relative difference %.2e\n", a, b, d
  exit !(d < 1e-4) }'

cut -f1 "$fixtures/torch_copy.tsv" | "$heed" translate --checkpoint "$fixtures/torch_copy.h5" > "$work/heed.txt"
# The expected translations, one per line, from the JSON list.
sed -n '/"translations"/,/\]/p' "$fixtures/torch_copy_expected.json" | grep '^  "' | sed 's/^ *"\(.*\)",\{0,1\}$/\1/' > "$work/torch.txt"
[ "$(wc -l < "$work/torch.txt")" -eq "$(wc -l < "$fixtures/torch_copy.tsv")" ]
diff "$work/torch.txt" "$work/heed.txt"
echo "greedy translations: $(wc -l < "$work/heed.txt") of $(wc -l < "$work/heed.txt") identical"

if /usr/bin/python3 -c "import torch, h5py" 2>/dev/null; then
  # heed -> PyTorch: a model heed trains, exported, scored by PyTorch.
  "$heed" train --task copy --max-length 8 --task-size 2000 --d-model 32 --heads 4 --d-ff 64 --enc-layers 1 \
    --dec-layers 1 --steps 60 --eval-every 0 --threads 1 --quiet --save-dir "$work/run" 2>/dev/null
  "$heed" data --task copy --split test --max-length 8 --size 50 > "$work/test.tsv"
  heed_loss=$("$heed" eval --checkpoint "$work/run/checkpoint_last.h5" --data "$work/test.tsv" --json |
              sed 's/.*"loss": *\([0-9.e-]*\).*/\1/')
  torch_loss=$(/usr/bin/python3 "$2/tools/torch_interop.py" loss "$work/run/checkpoint_last.h5" "$work/test.tsv")
  awk -v a="$heed_loss" -v b="$torch_loss" 'BEGIN {
    d = (a - b) / b; if (d < 0) d = -d
    printf "export: heed loss %s, PyTorch on the exported weights %s, relative difference %.2e\n", a, b, d
    exit !(d < 1e-4) }'
else
  echo "export direction skipped: /usr/bin/python3 has no torch/h5py here (the fixture above still tests import)"
fi
