#!/usr/bin/env bash
# Part 3 of issue 12 over several training seeds: trains a toy-fr transformer per seed (skipped
# when DIR/fr-seedS already holds one), runs heed explain --json on each checkpoint_best.h5, and
# prints each measurement's mean and spread (min-max) over the seeds.
# Usage: tools/explain_seeds.sh HEED DIR STEPS SEED... [-- heed explain options, e.g. --limit 200]
# Needs python3 (standard library only) for the table.
set -euo pipefail
heed="$1" dir="$2" steps="$3"
shift 3
seeds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do seeds+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
mkdir -p "$dir"
for seed in "${seeds[@]}"; do
  run="$dir/fr-seed$seed"
  [ -f "$run/checkpoint_best.h5" ] ||
    "$heed" train --task toy-fr --steps "$steps" --seed "$seed" --threads 1 --quiet --save-dir "$run"
  "$heed" explain --checkpoint "$run/checkpoint_best.h5" --threads 1 --json "$@" > "$run/explain.json"
done
python3 - "$dir" "${seeds[@]}" <<'PY'
import json, sys
runs = [json.load(open(f"{sys.argv[1]}/fr-seed{s}/explain.json")) for s in sys.argv[2:]]
def spread(values, percent=True):
    k = 100 if percent else 1
    lo, hi, mean = min(values) * k, max(values) * k, sum(values) / len(values) * k
    return f"{mean:6.1f} ({lo:.1f}-{hi:.1f})" if percent else f"{mean:5.2f} ({lo:.2f}-{hi:.2f})"
print(f"{len(runs)} seeds, {runs[0]['sentences']} sentences each; mean (min-max) over the seeds")
for key in ("correct", "antecedent_swap_follows", "other_swap_keeps"):
    print(f"  {key:24} {spread([r[key] for r in runs])} %")
headers = ["antecedent %", "other noun %", '"it" %', "predicate %", "elsewhere %", "tau grad x input", "tau leave-one-out"]
print(f"  {'method':18} " + " ".join(f"{h:>20}" for h in headers))
for i, m in enumerate(runs[0]["methods"]):
    cells = [spread([r["methods"][i][k] for r in runs]) for k in ("antecedent", "other_noun", "it", "predicate", "elsewhere")]
    cells += [spread([r["methods"][i][k] for r in runs], False) for k in ("tau_gradient_x_input", "tau_leave_one_out")]
    print(f"  {m['name']:18} " + " ".join(f"{c:>20}" for c in cells))
PY
