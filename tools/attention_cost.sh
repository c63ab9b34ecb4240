#!/usr/bin/env bash
# Time and peak memory of one training step against sequence length, per attention kind: one
# `heed bench` process per (kind, length), so that each peak RSS is its own. Writes CSV rows
#   bench,attention,window,length,step_ms,peak_rss_mb,tokens_per_s
# and prints each row's time and memory relative to the first length's (1.00 = linear).
# A kind stops at the first length whose step takes longer than MAX_SECONDS (default 120).
# Usage: tools/attention_cost.sh OUT.csv [BENCH=lm] [THREADS=2] ["LENGTHS"] ["KINDS"]
#        BENCH: lm (decoder-only; the length is the context) or long (encoder-decoder; source and
#        target both that long); KINDS like "full local:64 linear" (local:W = window W)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: attention_cost.sh OUT.csv [lm|long] [threads] [lengths] [kinds]}"
bench="${2:-lm}"
threads="${3:-2}"
lengths="${4:-1024 2048 4096 8192 16384 32768 65536}"
kinds="${5:-full local:64 linear}"
heed=build/train/heed
[ -s "$out" ] || echo "bench,attention,window,length,step_ms,peak_rss_mb,tokens_per_s" > "$out"
for kind in $kinds; do
  attention="${kind%%:*}"
  window=0
  options=(--attention "$attention")
  if [ "$attention" = local ]; then window="${kind#*:}"; options+=(--window "$window"); fi
  first_ms="" first_mb="" first_len=""
  for len in $lengths; do
    lengths_opt=(--tgt-len "$len")
    [ "$bench" = lm ] || lengths_opt+=(--src-len "$len")
    json=$("$heed" bench --bench "$bench" --batch 1 "${lengths_opt[@]}" "${options[@]}" --steps 1 --warmup 1 \
      --threads "$threads" --json 2> /dev/null) || { echo "$attention $len: heed bench failed" >&2; break; }
    row=$(/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["step_ms"], r["peak_rss_mb"], r["tokens_per_s"])' "$json")
    read -r ms mb tps <<< "$row"
    echo "$bench,$attention,$window,$len,$ms,$mb,$tps" >> "$out"
    [ -n "$first_ms" ] || { first_ms=$ms; first_mb=$mb; first_len=$len; }
    /usr/bin/python3 -c 'import sys; ms,mb,l,fms,fmb,fl=map(float,sys.argv[1:7]); print(f"{sys.argv[7]:8s} {int(l):6d} tokens  {ms:10.1f} ms/step  {mb:8.1f} MB   time x{ms/fms:6.2f}  memory x{mb/fmb:5.2f}  length x{l/fl:5.0f}  time per token vs the first: {ms/fms/(l/fl):.2f}")' \
      "$ms" "$mb" "$len" "$first_ms" "$first_mb" "$first_len" "$kind"
    if /usr/bin/python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 1000 * float(sys.argv[2]) else 1)' "$ms" "${MAX_SECONDS:-120}"; then
      echo "$kind: stopping after $len tokens (a step took more than ${MAX_SECONDS:-120} s)"
      break
    fi
  done
done
