#!/usr/bin/env bash
# heed bench and the PyTorch reference, alternating on the same machine, same threads: prints each
# run's JSON line, then the median tokens/s and peak RSS of each and their ratios (heed / PyTorch).
# Usage: tools/bench_side_by_side.sh CONFIG [ROUNDS=3] [THREADS=2]
#        CONFIG: tiny, small, long (Transformers: ../shared/bench/torch_reference.py) or lstm,
#        lstm-attention (the RNN families: tools/torch_lstm_reference.py), lm (the decoder-only
#        language model: tools/bench_lm_torch.py)
#        COMPETE=1 tools/bench_side_by_side.sh ...   (a busy loop runs on the side during every run,
#                                                     to see how each copes with a core taken)
# Needs Debian's python3-torch (/usr/bin/python3) and, for the Transformer configs,
# ../shared/bench/torch_reference.py.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:?usage: bench_side_by_side.sh tiny|small|long|lstm|lstm-attention|lm [rounds] [threads]}"
rounds="${2:-3}"
threads="${3:-2}"
heed=build/train/heed
case "$config" in
  lstm | lstm-attention) reference=tools/torch_lstm_reference.py ;;
  lm) reference=tools/bench_lm_torch.py ;;
  *) reference=../shared/bench/torch_reference.py ;;
esac
out=$(mktemp)
busy=""
if [ "${COMPETE:-0}" = 1 ]; then
  sh -c 'while :; do :; done' &
  busy=$!
  trap 'kill $busy 2>/dev/null' EXIT
fi
for ((i = 1; i <= rounds; i++)); do
  "$heed" bench --config "$config" --threads "$threads" --json | tee -a "$out"
  /usr/bin/python3 "$reference" --config "$config" --threads "$threads" | tee -a "$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def median(impl, key):
    return statistics.median(r[key] for r in runs if r["impl"].startswith(impl))
h_tok, t_tok = median("heed", "tokens_per_s"), median("pytorch", "tokens_per_s")
h_rss, t_rss = median("heed", "peak_rss_mb"), median("pytorch", "peak_rss_mb")
print(f"{runs[0]['config']}: median tokens/s heed {h_tok:.0f}, PyTorch {t_tok:.0f}, ratio {h_tok / t_tok:.2f}x; "
      f"peak RSS heed {h_rss:.1f} MB, PyTorch {t_rss:.1f} MB, ratio {h_rss / t_rss:.3f}; "
      f"heed {median('heed', 'gflops'):.1f} model GFLOP/s")
params = {r["impl"].split("-")[0]: r["params"] for r in runs}
if len(set(params.values())) != 1:
    print(f"WARNING: the models differ: parameters {params}")
PY
rm -f "$out"
