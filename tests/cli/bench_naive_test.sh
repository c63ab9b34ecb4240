#!/usr/bin/env bash
# heed bench --attention naive: full attention from separate ops (the T x T weights kept), which the
# cost curves compare with the fused kernel. A step of it gives the fused kernel's loss (the same
# model, batches and numbers, computed the other way), on the decoder-only and the encoder-decoder
# benchmark; it is a benchmark choice only, refused where it has no meaning.
# Usage: bench_naive_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

loss_of() { /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["attention"], r["final_loss"])'; }
for shape in "lm --tgt-len 80" "long --src-len 70 --tgt-len 60"; do
  # shellcheck disable=SC2086  # the shape is words
  set -- $shape
  name="$1"
  shift
  for kind in full naive; do
    if ! "$heed" bench --bench "$name" --batch 2 "$@" --attention "$kind" --steps 1 --warmup 1 --threads 1 --json \
         > "$work/$kind.json" 2> "$work/err"; then
      fail "bench $name $kind:"; cat "$work/err"
    fi
  done
  full=$(loss_of < "$work/full.json") naive=$(loss_of < "$work/naive.json")
  if [ "${full#full }" = "${naive#naive }" ] && [ "${naive%% *}" = naive ]; then
    ok "bench $name: naive and fused full attention give the same loss after a step ($naive, $full)"
  else
    fail "bench $name: naive '$naive' against full '$full'"
  fi
done

expect_usage_error "--attention naive: lstm has no such choice" bench --bench lstm --attention naive
expect_usage_error "--window: only --attention local takes a window (attention is naive)" \
  bench --bench lm --attention naive --window 4
expect_usage_error "--attention: 'naive' is not one of full, local, linear" train --attention naive --task copy --save-dir "$work/x"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
