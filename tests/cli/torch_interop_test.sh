#!/usr/bin/env bash
# PyTorch interop. A checkpoint written from a PyTorch model (tests/fixtures/torch_copy.h5, or
# torch_copy_ARCH.h5 for another family; made by tools/torch_interop.py make-fixture DIR [ARCH])
# evaluated by heed gives PyTorch's loss (relative difference < 1e-4) and the same greedy
# translations. Where Debian's torch and h5py are installed, heed's checkpoint also goes back to
# PyTorch (export) and PyTorch reproduces heed's loss.
# Usage: torch_interop_test.sh HEED_BINARY SOURCE_DIR [ARCH=transformer|lstm|lstm-attention]
set -euo pipefail
heed="$1"
fixtures="$2/tests/fixtures"
arch="${3:-transformer}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$arch" = transformer ]; then
  fixture="$fixtures/torch_copy"
  model_options=(--d-model 32 --heads 4 --d-ff 64 --enc-layers 1 --dec-layers 1)
else
  fixture="$fixtures/torch_copy_$arch"
  model_options=(--arch "$arch" --d-model 32 --enc-layers 2 --dec-layers 2)
fi

expected_loss=$(grep '"loss"' "${fixture}_expected.json" | sed 's/.*: *\([0-9.e-]*\).*/\1/')
heed_loss=$("$heed" eval --checkpoint "$fixture.h5" --data "$fixture.tsv" --json |
            sed 's/.*"loss": *\([0-9.e-]*\).*/\1/')
awk -v a="$heed_loss" -v b="$expected_loss" -v arch="$arch" 'BEGIN {
  d = (a - b) / b; if (d < 0) d = -d
  printf "%s loss: heed %s, PyTorch %s, relative difference %.2e\n", arch, a, b, d
  exit !(d < 1e-4) }'

cut -f1 "$fixture.tsv" | "$heed" translate --checkpoint "$fixture.h5" > "$work/heed.txt"
# The expected translations, one per line, from the JSON list.
sed -n '/"translations"/,/\]/p' "${fixture}_expected.json" | grep '^  "' | sed 's/^ *"\(.*\)",\{0,1\}$/\1/' > "$work/torch.txt"
[ "$(wc -l < "$work/torch.txt")" -eq "$(wc -l < "$fixture.tsv")" ]
diff "$work/torch.txt" "$work/heed.txt"
echo "$arch greedy translations: $(wc -l < "$work/heed.txt") of $(wc -l < "$work/heed.txt") identical"

if /usr/bin/python3 -c "import torch, h5py" 2>/dev/null; then
  # heed -> PyTorch: a model heed trains, exported, scored by PyTorch.
  "$heed" train --task copy --max-length 8 --task-size 2000 "${model_options[@]}" \
    --steps 60 --eval-every 0 --threads 1 --quiet --save-dir "$work/run" 2>/dev/null
  "$heed" data --task copy --split test --max-length 8 --size 50 > "$work/test.tsv"
  heed_loss=$("$heed" eval --checkpoint "$work/run/checkpoint_last.h5" --data "$work/test.tsv" --json |
              sed 's/.*"loss": *\([0-9.e-]*\).*/\1/')
  torch_loss=$(/usr/bin/python3 "$2/tools/torch_interop.py" loss "$work/run/checkpoint_last.h5" "$work/test.tsv")
  awk -v a="$heed_loss" -v b="$torch_loss" -v arch="$arch" 'BEGIN {
    d = (a - b) / b; if (d < 0) d = -d
    printf "%s export: heed loss %s, PyTorch on the exported weights %s, relative difference %.2e\n", arch, a, b, d
    exit !(d < 1e-4) }'
  # export and import carry the family and the weights: the round trip gives heed the same loss.
  /usr/bin/python3 "$2/tools/torch_interop.py" export "$work/run/checkpoint_last.h5" "$work/exported.pt"
  /usr/bin/python3 "$2/tools/torch_interop.py" import "$work/exported.pt" "$work/imported.h5"
  imported_arch=$(/usr/bin/python3 -c 'import h5py, sys; print(h5py.File(sys.argv[1], "r")["config"].attrs["arch"].decode())' \
                  "$work/imported.h5")
  [ "$imported_arch" = "$arch" ]
  back_loss=$("$heed" eval --checkpoint "$work/imported.h5" --data "$work/test.tsv" --json |
              sed 's/.*"loss": *\([0-9.e-]*\).*/\1/')
  [ "$back_loss" = "$heed_loss" ]
  echo "$arch round trip: export + import, heed loss $back_loss as before"
  if [ "$arch" = transformer ]; then
    # The tool tokenizes as heed does: char and word checkpoints on French with punctuation and clitics.
    "$heed" data --task toy-fr --split test --size 50 > "$work/fr.tsv"
    for tokenizer in char word; do
      "$heed" train --task toy-fr --tokenizer "$tokenizer" "${model_options[@]}" --steps 20 --eval-every 0 --threads 1 \
        --quiet --save-dir "$work/fr-$tokenizer" 2>/dev/null
      heed_loss=$("$heed" eval --checkpoint "$work/fr-$tokenizer/checkpoint_last.h5" --data "$work/fr.tsv" --json |
                  sed 's/.*"loss": *\([0-9.e-]*\).*/\1/')
      torch_loss=$(/usr/bin/python3 "$2/tools/torch_interop.py" loss "$work/fr-$tokenizer/checkpoint_last.h5" "$work/fr.tsv")
      awk -v a="$heed_loss" -v b="$torch_loss" -v t="$tokenizer" 'BEGIN {
        d = (a - b) / b; if (d < 0) d = -d
        printf "%s tokenizer: heed loss %s, PyTorch %s, relative difference %.2e\n", t, a, b, d
        exit !(d < 1e-4) }'
    done
  fi
else
  echo "export direction skipped: /usr/bin/python3 has no torch/h5py here (the fixture above still tests import)"
fi
