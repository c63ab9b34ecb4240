#!/usr/bin/env bash
# Length generalisation: does a model trained on sequences up to L tokens still copy and reverse
# sequences of 2L? Trains, on `copy` and on `reverse` (lengths 1..L), six models with one budget
# (the same steps, batch, width and depth): lstm, lstm-attention, and the Transformer with full,
# local (window 2, narrower than every source but the shortest; window L, the whole source up to L
# and half of it at 2L) and linear attention. Then evaluates each on the test split at length L, at
# length 2L, and by length over 1..2L, and plots exact match against length with gnuplot.
#
# Usage: tools/experiments/length_generalisation.sh OUT_DIR [L=10] [STEPS=1500]
# Environment: THREADS per training (default 1), JOBS trainings at a time (default 2), HEED (the
# binary, default build/train/heed), PNG (the plot, default OUT_DIR/length_generalisation.png).
# Writes OUT_DIR/summary.csv      task,model,params,train_s,exact_at_L,exact_at_2L
#        OUT_DIR/by_length.csv    task,model,length,sentences,exact_match
# A model already trained in OUT_DIR (its checkpoint_last.h5 at STEPS) is evaluated, not retrained.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: length_generalisation.sh OUT_DIR [L] [STEPS]}"
L="${2:-10}"
steps="${3:-1500}"
threads="${THREADS:-1}"
jobs="${JOBS:-2}"
heed="${HEED:-build/train/heed}"
png="${PNG:-$out/length_generalisation.png}"
scripts/install_packages.sh gnuplot-nox
mkdir -p "$out"

# One budget for all: width 64, 2 + 2 layers, batch 64, STEPS steps, the best checkpoint by
# validation exact match (lengths 1..L). The position table holds 2L tokens + BOS/EOS, so that
# the test at 2L runs (sinusoidal positions: the rows past L exist but were never trained on).
common=(--d-model 64 --enc-layers 2 --dec-layers 2 --batch-size 64 --steps "$steps" --max-length "$L"
        --max-len $((2 * L + 2)) --eval-every 500 --valid-metric exact --seed 1 --threads "$threads")
transformer=(--arch transformer --heads 4 --d-ff 256)
declare -A model_options=(
  [lstm]="--arch lstm"
  [lstm-attention]="--arch lstm-attention"
  [full]="${transformer[*]} --attention full"
  [local-w2]="${transformer[*]} --attention local --window 2"
  [local-wL]="${transformer[*]} --attention local --window $L"
  [linear]="${transformer[*]} --attention linear"
)
models=(lstm lstm-attention full local-w2 local-wL linear)

train_one() {  # TASK MODEL: trains into OUT/TASK/MODEL, logs to OUT/TASK/MODEL.log
  local task="$1" model="$2" dir="$out/$1/$2"
  # shellcheck disable=SC2086  # the model's options are words
  if [ -f "$dir/checkpoint_last.h5" ] && h5dump -a /train/step "$dir/checkpoint_last.h5" 2>/dev/null | grep -q "(0): $steps\$"; then
    return 0
  fi
  local start
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$heed" train --task "$task" ${model_options[$model]} "${common[@]}" --save-dir "$dir" > "$dir.log" 2>&1 || {
    echo "$task $model: training failed, see $dir.log" >&2; return 1; }
  echo $(( $(date +%s) - start )) > "$dir.seconds"
  echo "$task $model: trained in $(cat "$dir.seconds") s"
}

# The trainings, JOBS at a time.
mkdir -p "$out/copy" "$out/reverse"
running=0 failed=0
for task in copy reverse; do
  for model in "${models[@]}"; do
    train_one "$task" "$model" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n || failed=1; running=$((running - 1)); fi
  done
done
while [ "$running" -gt 0 ]; do wait -n || failed=1; running=$((running - 1)); done
[ "$failed" -eq 0 ] || exit 1

# Exact match at L, at 2L, and by length over 1..2L (the test split: sequences that are never
# training sequences, 1,000 of each length range asked for).
echo "task,model,params,train_s,exact_at_L,exact_at_2L" > "$out/summary.csv"
echo "task,model,length,sentences,exact_match" > "$out/by_length.csv"
exact() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["exact_match"])'; }
for task in copy reverse; do
  for model in "${models[@]}"; do
    ckpt="$out/$task/$model/checkpoint_best.h5"
    ev=("$heed" eval --checkpoint "$ckpt" --task "$task" --threads "$threads" --json)
    at_l=$("${ev[@]}" --min-length "$L" --max-length "$L" | exact)
    at_2l=$("${ev[@]}" --min-length $((2 * L)) --max-length $((2 * L)) | exact)
    "${ev[@]}" --min-length 1 --max-length $((2 * L)) --by-length 1 | /usr/bin/python3 -c '
import json, sys
for b in json.load(sys.stdin)["by_length"]:
    print(",".join([sys.argv[1], sys.argv[2], str(b["min_words"]), str(b["sentences"]), str(b["exact_match"])]))' "$task" "$model" \
      >> "$out/by_length.csv"
    params=$(grep -o -m1 '[0-9]* parameters' "$out/$task/$model.log" | cut -d' ' -f1)
    seconds=$(cat "$out/$task/$model.seconds" 2>/dev/null || echo "")
    echo "$task,$model,$params,$seconds,$at_l,$at_2l" >> "$out/summary.csv"
  done
done
column -s, -t < "$out/summary.csv"

# The plot: exact match against length, one panel per task, the training range shaded.
plot_dir="$out/plot"
mkdir -p "$plot_dir"
for task in copy reverse; do
  for model in "${models[@]}"; do
    awk -F, -v t="$task" -v m="$model" '$1 == t && $2 == m { print $3, 100 * $5 }' "$out/by_length.csv" > "$plot_dir/$task.$model.dat"
  done
done
gnuplot <<EOF
set terminal pngcairo size 960,400 font "DejaVu Sans,10"
set output "$png"
set multiplot layout 1,2 title "Exact match against length: trained on 1..$L, tested on 1..$((2 * L)) ($steps steps, batch 64, width 64, 2+2 layers)"
set xrange [0.5:$((2 * L)).5]
set yrange [-2:102]
set xlabel "sequence length (tokens)"
set ylabel "test exact match (%)"
set grid
set key bottom left font ",9"
models = "${models[*]/local-wL}"
set object 1 rect from 0.5,-2 to $L.5,102 fc rgb "#eeeeee" fs solid noborder behind
do for [task in "copy reverse"] {
  set title task
  # local-wL is full attention up to L (its band holds every key there): dashed, so both show
  plot for [i = 1:words(models)] sprintf("$plot_dir/%s.%s.dat", task, word(models, i)) using 1:2 with linespoints \
         lw 2 pt (i + 3) ps 0.8 title word(models, i), \
       sprintf("$plot_dir/%s.local-wL.dat", task) using 1:2 with linespoints lw 2 dt 2 pt 9 ps 0.8 title "local-wL"
}
unset multiplot
EOF
echo "wrote $out/summary.csv, $out/by_length.csv and $png"
