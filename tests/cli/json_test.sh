#!/usr/bin/env bash
# Every --json output parses with a strict reader (no NaN or Infinity accepted), also when a
# model's loss overflows: the non-finite numbers are null, each named in "null_reasons".
# Usage: json_test.sh HEED_BINARY SET_WEIGHTS_BINARY
set -uo pipefail
heed="$1"
set_weights="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"

# strict FILE [PYTHON-ASSERTION]: FILE holds JSON lines that parse without NaN/Infinity, and the
# assertion (on d, the last line's object) holds.
strict() {
  python3 -c '
import json, sys
def refuse(name): sys.exit("bare " + name + " in JSON")
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no output"
for line in lines: d = json.loads(line, parse_constant=refuse)
assert eval(sys.argv[2]), sys.argv[2]' "$1" "${2:-True}"
}

"$heed" train --task copy --max-length 6 --task-size 300 --d-model 16 --heads 2 --d-ff 32 --enc-layers 1 \
  --dec-layers 1 --steps 20 --eval-every 0 --threads 1 --quiet --save-dir "$work/run"
ckpt="$work/run/checkpoint_last.h5"

"$heed" eval --checkpoint "$ckpt" --task copy --max-length 6 --json --show 2 --by-length 3 > "$work/eval.json"
strict "$work/eval.json" 'd["loss"] is not None and len(d["shown"]) == 2 and "null_reasons" not in d' &&
  ok "eval --json: $(head -c 150 "$work/eval.json")..." || { fail "eval --json"; cat "$work/eval.json"; }

# Generator weights of 3e38 (finite, so the checkpoint loads) make the logits overflow.
"$set_weights" "$ckpt" "$work/huge.h5" /model/generator/weight 3e38 || fail "set_weights"
"$heed" eval --checkpoint "$work/huge.h5" --task copy --max-length 6 --json --show 1 > "$work/huge.json" 2> "$work/err"
rc=$?
[ "$rc" -eq 0 ] && strict "$work/huge.json" \
  'd["loss"] is None and d["null_reasons"]["loss"] in ("nan", "inf") and all(d[k] is None for k in d["null_reasons"])' &&
  ok "eval --json of an overflowing model: $(cat "$work/huge.json")" ||
  { fail "eval --json of an overflowing model (exit $rc)"; cat "$work/huge.json" "$work/err"; }
# NaN weights cannot be loaded at all: one line, nothing on stdout.
if "$set_weights" "$ckpt" "$work/nan.h5" /model/generator/weight nan 2> "$work/err"; then
  "$heed" eval --checkpoint "$work/nan.h5" --task copy --json > "$work/nan.json" 2> "$work/err"
  [ $? -eq 1 ] && [ ! -s "$work/nan.json" ] && [ "$(wc -l < "$work/err")" -eq 1 ] &&
    ok "NaN weights: $(cat "$work/err")" || { fail "eval of NaN weights"; cat "$work/nan.json" "$work/err"; }
else
  ok "a checkpoint with NaN weights cannot even be written: $(cat "$work/err")"
fi

printf 'a b c\nd e\n' > "$work/hyp.txt"
printf 'a b c\nd f\n' > "$work/ref.txt"
"$heed" score --hyp "$work/hyp.txt" --ref "$work/ref.txt" --json > "$work/score.json"
strict "$work/score.json" 'd["exact_match"] == 0.5 and d["signature"]["bleu"].startswith("nrefs:1|")' &&
  ok "score --json: $(cat "$work/score.json")" || { fail "score --json"; cat "$work/score.json"; }

"$heed" bench --bench tiny --steps 1 --warmup 0 --threads 1 --json > "$work/bench.json"
strict "$work/bench.json" 'd["params"] == 950848 and d["impl"].startswith("heed-") and d["tokens_per_s"] > 0 and'\
' d["kernels"] in ("avx512", "avx2", "generic") and d["blas"] != ""' &&
  ok "bench --json: $(cat "$work/bench.json")" || { fail "bench --json"; cat "$work/bench.json"; }

# --product-rate: the 2048^3 rate, and the products' share of the timed steps' time and their rate there.
"$heed" bench --bench tiny --steps 1 --warmup 0 --threads 2 --product-rate --json > "$work/rate.json"
strict "$work/rate.json" 'd["product_gflops"] > 0 and 0 < d["product_time_share"] <= 1 and d["in_product_gflops"] > 0' &&
  ok "bench --product-rate --json: $(grep -o '"product_gflops.*in_product_gflops": *[0-9.]*' "$work/rate.json")" ||
  { fail "bench --product-rate --json"; cat "$work/rate.json"; }
"$heed" bench --bench tiny --steps 1 --warmup 0 --threads 2 --json > "$work/plain.json"
strict "$work/plain.json" 'd["tokens_per_s"] > 0 and "product_time_share" not in d and "product_gflops" not in d' &&
  ok "without --product-rate, products are not timed" || { fail "products timed without --product-rate"; cat "$work/plain.json"; }

# OpenBLAS's kernels as the environment names them (heed reports what OpenBLAS runs).
OPENBLAS_CORETYPE=Haswell "$heed" bench --bench tiny --steps 1 --warmup 0 --threads 1 --json > "$work/haswell.json"
strict "$work/haswell.json" 'd["blas"] in ("OpenBLAS Haswell", "Eigen")' &&
  ok "OPENBLAS_CORETYPE=Haswell reported: $(grep -o '"blas": *"[^"]*"' "$work/haswell.json")" || { fail "OPENBLAS_CORETYPE reported"; cat "$work/haswell.json"; }

# The translation benchmark at tiny shapes (the model is still Transformer-base sized): every
# output held to --tgt-len, beam and shapes reported as given.
"$heed" bench --translate --beam 2 --batch 3 --src-len 4 --tgt-len 5 --steps 1 --warmup 0 --threads 1 --json \
  > "$work/translate.json"
strict "$work/translate.json" 'd["config"] == "translate" and d["params"] == 93324544 and d["beam"] == 2 and d["batch"] == 3 and'\
'    d["tgt_len"] == 5 and d["tokens_per_s"] > 0 and d["cpu_tokens_per_s"] > 0 and d["peak_rss_mb"] > 0 and'\
' d["gflop_per_batch"] > 0 and d["kernels"] in ("avx512", "avx2", "generic") and d["precision"] == "float32"' &&
  ok "bench --translate --json: $(cat "$work/translate.json")" || { fail "bench --translate --json"; cat "$work/translate.json"; }

"$heed" bench --translate --int8 --beam 2 --batch 3 --src-len 4 --tgt-len 5 --steps 1 --warmup 0 --threads 2 --json \
  > "$work/translate8.json"
strict "$work/translate8.json" 'd["config"] == "translate" and d["precision"].startswith("int8 (") and d["tokens_per_s"] > 0' &&
  ok "bench --translate --int8 --json: $(grep -o '"precision": *"[^"]*"' "$work/translate8.json")" ||
  { fail "bench --translate --int8 --json"; cat "$work/translate8.json"; }

# HEED_INT8_PRODUCT picks the 8-bit product; an unknown value is said, not ignored
HEED_INT8_PRODUCT=eigen "$heed" bench --translate --int8 --beam 1 --batch 1 --src-len 2 --tgt-len 2 --steps 1 --warmup 0 \
  --threads 1 --json > "$work/eigen8.json" 2> "$work/eigen8.err"
strict "$work/eigen8.json" 'd["precision"] == "int8 (Eigen)"' && [ ! -s "$work/eigen8.err" ] &&
  ok "HEED_INT8_PRODUCT=eigen: Eigen's integer product, no warning" || { fail "HEED_INT8_PRODUCT=eigen"; cat "$work/eigen8.json" "$work/eigen8.err"; }
HEED_INT8_PRODUCT=Eigen "$heed" bench --translate --int8 --beam 1 --batch 1 --src-len 2 --tgt-len 2 --steps 1 --warmup 0 \
  --threads 1 --json > /dev/null 2> "$work/bogus8.err"
grep -q "^heed: warning: HEED_INT8_PRODUCT=Eigen is neither eigen nor onednn" "$work/bogus8.err" &&
  ok "HEED_INT8_PRODUCT=Eigen: $(head -1 "$work/bogus8.err")" || { fail "unknown HEED_INT8_PRODUCT"; cat "$work/bogus8.err"; }

[ "$failures" -eq 0 ] && echo "all JSON outputs parse strictly" || { echo "$failures failure(s)"; exit 1; }
