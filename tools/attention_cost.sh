#!/usr/bin/env bash
# Time and peak memory of one training step against sequence length, per attention kind: one
# `heed bench` process per (kind, length), so that each peak RSS is its own. Writes CSV rows
#   bench,attention,window,length,step_ms,cpu_ms,peak_rss_mb,tokens_per_s,status
# (step_ms the wall time of the step, cpu_ms its CPU time over all threads: on a shared machine the
# first includes waiting for a core, the second does not)
# (status: ok; out-of-memory, when heed bench failed under MEM_CAP_MB; failed, another failure)
# and prints each row's time and memory relative to the first length's (1.00 = linear).
# A kind stops at its first failure, and after the first length whose step took more than
# MAX_SECONDS (default 120) of CPU time: the lengths after it are not run.
# Usage: tools/attention_cost.sh OUT.csv [BENCH=lm] [THREADS=2] ["LENGTHS"] ["KINDS"]
#        BENCH: lm (decoder-only; the length is the context) or long (encoder-decoder; source and
#        target both that long); KINDS like "naive full local:64 linear" (local:W = window W;
#        naive = full attention from separate ops, its T x T weights kept, heed bench --attention naive)
# Environment: MAX_SECONDS (120); MEM_CAP_MB, an address-space cap (ulimit -v) for each heed bench,
#        so that running out of memory is an error of that process, not the machine's OOM killer;
#        WARMUP_BELOW (10): one untimed step first while the kind's previous length took under this
#        many seconds of CPU time a step (from there on the single timed step is also the first);
#        HEED (the binary, default build/train/heed).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: attention_cost.sh OUT.csv [lm|long] [threads] [lengths] [kinds]}"
bench="${2:-lm}"
threads="${3:-2}"
lengths="${4:-1024 2048 4096 8192 16384 32768 65536}"
kinds="${5:-full local:64 linear}"
max_seconds="${MAX_SECONDS:-120}"
warmup_below="${WARMUP_BELOW:-10}"
heed="${HEED:-build/train/heed}"
[ -s "$out" ] || echo "bench,attention,window,length,step_ms,cpu_ms,peak_rss_mb,tokens_per_s,status" > "$out"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for kind in $kinds; do
  attention="${kind%%:*}"
  window=0
  options=(--attention "$attention")
  if [ "$attention" = local ]; then window="${kind#*:}"; options+=(--window "$window"); fi
  first_ms="" first_mb="" first_len="" warmup=1
  for len in $lengths; do
    lengths_opt=(--tgt-len "$len")
    [ "$bench" = lm ] || lengths_opt+=(--src-len "$len")
    if json=$( (if [ -n "${MEM_CAP_MB:-}" ]; then ulimit -v $((MEM_CAP_MB * 1024)); fi
                "$heed" bench --bench "$bench" --batch 1 "${lengths_opt[@]}" "${options[@]}" --steps 1 --warmup "$warmup" \
                  --threads "$threads" --json) 2> "$err"); then
      :
    else
      status=failed
      if grep -q -i -E "bad_alloc|memory" "$err"; then status=out-of-memory; fi
      echo "$bench,$attention,$window,$len,,,,,$status" >> "$out"
      echo "$kind $len: heed bench failed ($status${MEM_CAP_MB:+, address space capped at $MEM_CAP_MB MB}): $(tail -c 300 "$err")" >&2
      break
    fi
    row=$(/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["step_ms"], r["cpu_ms"], r["peak_rss_mb"], r["tokens_per_s"])' "$json")
    read -r ms cpu mb tps <<< "$row"
    echo "$bench,$attention,$window,$len,$ms,$cpu,$mb,$tps,ok" >> "$out"
    [ -n "$first_ms" ] || { first_ms=$ms; first_mb=$mb; first_len=$len; }
    /usr/bin/python3 -c 'import sys; ms,mb,l,fms,fmb,fl=map(float,sys.argv[1:7]); print(f"{sys.argv[7]:8s} {int(l):6d} tokens  {ms:10.1f} ms/step ({sys.argv[8]} ms CPU)  {mb:8.1f} MB   time x{ms/fms:6.2f}  memory x{mb/fmb:5.2f}  length x{l/fl:5.0f}  time per token vs the first: {ms/fms/(l/fl):.2f}")' \
      "$ms" "$mb" "$len" "$first_ms" "$first_mb" "$first_len" "$kind" "$cpu"
    if /usr/bin/python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 1000 * float(sys.argv[2]) else 1)' "$cpu" "$max_seconds"; then
      echo "$kind: stopping after $len tokens (a step took more than $max_seconds s of CPU time)"
      break
    fi
    warmup=$(/usr/bin/python3 -c 'import sys; print(1 if float(sys.argv[1]) < 1000 * float(sys.argv[2]) else 0)' "$cpu" "$warmup_below")
  done
done
