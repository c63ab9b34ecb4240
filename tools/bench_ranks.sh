#!/usr/bin/env bash
# Training throughput of one config three ways on this machine, same global batch and data:
#   1 process x T threads | N ranks x T/N threads (mpirun, shared memory) | 2 "hosts" (tools/two_hosts.sh,
#   network namespaces, TCP over veth; optionally with a tc qdisc on the link, e.g. "tbf rate 1gbit
#   burst 256kb latency 20ms").
# The data: random token sequences at the config's shapes (vocabulary and lengths of `heed bench
# --bench CONFIG`), reversed; target tokens per step are exact (fixed lengths), so tokens/s is
# (steps after the first WARM) x global batch x target length / their wall time from metrics.csv.
# Usage: tools/bench_ranks.sh HEED_BINARY tiny|small STEPS ROUNDS [QDISC]   (root for the 2-host runs)
set -euo pipefail
heed=$(realpath "$1"); config="$2"; steps="$3"; rounds="$4"; qdisc="${5:-}"
tools=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$config" in  # vocab d_model heads d_ff layers batch length (train/bench/bench.cpp)
  tiny) vocab=64 model=(--d-model 128 --heads 4 --d-ff 512 --enc-layers 2 --dec-layers 2) batch=64 len=32 ;;
  small) vocab=1000 model=(--d-model 256 --heads 8 --d-ff 1024 --enc-layers 3 --dec-layers 3) batch=32 len=64 ;;
  *) echo "config: tiny or small" >&2; exit 2 ;;
esac
python3 - "$vocab" "$len" > "$work/train.tsv" <<'PY'
import random, sys
vocab, length = int(sys.argv[1]) - 4, int(sys.argv[2]) - 1   # specials; EOS/BOS make the length
rng = random.Random(16)
for _ in range(4000):
    words = ["w%d" % rng.randrange(vocab) for _ in range(length)]
    print(" ".join(words) + "\t" + " ".join(reversed(words)))
PY
warm=3
common=(train --train "$work/train.tsv" --tokenizer word --max-len $((len + 1)) "${model[@]}" --dropout 0.1 --lr 5e-4
        --steps "$steps" --eval-every 0 --save-every 0 --quiet)
rate() {  # tokens/s of the run in DIR with global batch G
  awk -F, -v warm="$warm" -v g="$2" -v len="$len" 'NR == warm + 1 { t0 = $9 } NR > 1 { t = $9; n = $1 }
       END { printf "%.0f", (n - warm) * g * len / (t - t0) }' "$1/metrics.csv"
}
for round in $(seq "$rounds"); do
  rm -rf "$work"/r*
  "$heed" "${common[@]}" --batch-size "$batch" --threads 2 --save-dir "$work/r1" 2>/dev/null
  mpirun --allow-run-as-root --oversubscribe -np 2 "$heed" "${common[@]}" --batch-size $((batch / 2)) --threads 1 \
    --save-dir "$work/r2" 2>/dev/null
  line="round $round: 1x2 $(rate "$work/r1" "$batch")  2x1 $(rate "$work/r2" "$batch")"
  if [ "$(id -u)" -eq 0 ]; then
    "$tools/two_hosts.sh" "$heed" "${common[@]}" --batch-size $((batch / 2)) --threads 1 --save-dir "$work/rh" \
      > /dev/null 2>&1
    line+="  hosts $(rate "$work/rh" "$batch")"
    if [ -n "$qdisc" ]; then
      "$tools/two_hosts.sh" --qdisc "$qdisc" "$heed" "${common[@]}" --batch-size $((batch / 2)) --threads 1 \
        --save-dir "$work/rn" > /dev/null 2>&1
      line+="  hosts+qdisc $(rate "$work/rn" "$batch")"
    fi
  fi
  echo "$config $line tokens/s   (load: $(cut -d' ' -f1-3 /proc/loadavg))"
done
