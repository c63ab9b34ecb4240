#!/usr/bin/env bash
# Cost curves: time and peak memory of one training step of the `lm` benchmark model (4 layers,
# 128 wide, 4 heads, batch 1; the length is its context) against length, 64 to 65,536 tokens,
# for four ways of attending: naive full attention (separate ops, the T x T weights kept for
# backward: heed bench --attention naive), memory-efficient full attention (the fused kernel),
# local (window 64) and linear. Each length runs in its own process under an address-space cap
# (MEM_CAP_MB, default 4096); a kind stops at the first length that does not fit under it, or
# after the first step that took more than MAX_SECONDS (default 30) of CPU time. Writes
# OUT_DIR/cost.csv (tools/attention_cost.sh's rows), prints where each kind stopped and from which
# length linear attention's step costs less than full attention's, and plots time and memory with
# gnuplot. Time is CPU time per step, which other work on the machine does not inflate as it
# does wall time; with one thread (the default) it is the step's wall time on an idle core.
# Usage: tools/experiments/cost_curves.sh OUT_DIR [THREADS=1]
# Environment: as tools/attention_cost.sh (MEM_CAP_MB, MAX_SECONDS, HEED), PNG (the plot,
# default OUT_DIR/cost_curves.png), LENGTHS (default "64 128 ... 65536"), BENCH (lm or long),
# PLOT_ONLY=1: summarise and plot OUT_DIR/cost.csv as it is, measuring nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: cost_curves.sh OUT_DIR [THREADS]}"
threads="${2:-1}"
bench="${BENCH:-lm}"
export MEM_CAP_MB="${MEM_CAP_MB:-4096}" MAX_SECONDS="${MAX_SECONDS:-30}"
png="${PNG:-$out/cost_curves.png}"
lengths="${LENGTHS:-64 128 256 512 1024 2048 4096 8192 16384 32768 65536}"
kinds="naive full local:64 linear"
scripts/install_packages.sh gnuplot-nox
mkdir -p "$out"
csv="$out/cost.csv"
if [ "${PLOT_ONLY:-0}" != 1 ]; then
  rm -f "$csv"
  echo "$(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); $bench, $threads threads, cap $MEM_CAP_MB MB, max $MAX_SECONDS s CPU/step" \
    | tee "$out/conditions.txt"
  tools/attention_cost.sh "$csv" "$bench" "$threads" "$lengths" "$kinds"
  echo "$(date -u +%FT%TZ) load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/conditions.txt"
fi

# Where each kind stopped, and where linear overtakes full (from where its step costs at least 10%
# less CPU time at every length both measured: closer than that is within these runs' noise);
# the data files for the plot.
/usr/bin/python3 - "$csv" "$out" "$MEM_CAP_MB" "$MAX_SECONDS" <<'EOF' | tee "$out/summary.txt"
import csv, sys
path, out, cap, max_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
rows = list(csv.DictReader(open(path)))
lengths = sorted({int(r["length"]) for r in rows})
names = {"naive": "naive", "full": "full", "local": "local", "linear": "linear"}
ms = {}
labels = []
for kind in names:
    mine = [r for r in rows if r["attention"] == kind]
    ok = [r for r in mine if r["status"] == "ok"]
    ms[kind] = {int(r["length"]): float(r["cpu_ms"]) for r in ok}
    with open(f"{out}/{kind}.dat", "w") as f:
        for r in ok:
            f.write(f'{r["length"]} {r["cpu_ms"]} {r["peak_rss_mb"]} {r["step_ms"]}\n')
    if not ok:
        continue
    last = ok[-1]
    failed = [r for r in mine if r["status"] != "ok"]
    if failed:
        why = f'{failed[0]["status"]} at {int(failed[0]["length"]):,} tokens (cap {int(cap):,} MB)'
    elif float(last["cpu_ms"]) > 1000 * max_s:
        why = f'stopped: a step took more than {max_s:g} s of CPU at {int(last["length"]):,} tokens'
    else:
        why = f'fits up to {int(last["length"]):,} tokens'
    print(f"{kind:7s} last measured {int(last['length']):>6,} tokens: {float(last['cpu_ms']):10.1f} ms CPU, "
          f"{float(last['peak_rss_mb']):7.1f} MB; {why}")
    labels.append((kind, last, why))
common = sorted(set(ms["full"]) & set(ms["linear"]))
for n in common:
    print(f"{n:>6,} tokens: linear / full CPU time per step = {ms['linear'][n] / ms['full'][n]:.2f}")
ahead = lambda n: ms["linear"][n] < 0.9 * ms["full"][n]
over = next((n for n in common if all(ahead(m) for m in common if m >= n)), None)
print("linear overtakes full (and stays ahead) from: " + (f"{over:,} tokens" if over else "not within the lengths both ran"))
with open(f"{out}/overtake.gp", "w") as f:
    f.write(f"overtake = {over or 0}\n")
with open(f"{out}/stops.dat", "w") as f:
    for kind, last, why in labels:
        short = why.split(" (")[0].replace(" tokens", "").replace("out-of-memory", "out of memory")
        short = short.replace(f"stopped: a step took more than {max_s:g} s of CPU", f"step > {max_s:g} s CPU")
        f.write(f'{last["length"]} {last["cpu_ms"]} {last["peak_rss_mb"]} "{kind}: {short}" {int(not why.startswith("fits"))}\n')
EOF

cap_mb="$MEM_CAP_MB"
gnuplot <<EOF
load "$out/overtake.gp"
set terminal pngcairo size 1000,420 font "DejaVu Sans,10"
set output "$png"
set multiplot layout 1,2 title "One training step of the $bench model against length ($threads thread(s), batch 1; cap $cap_mb MB, $MAX_SECONDS s CPU)"
set logscale xy
set xrange [48:90000]
set format x "%.0s%c"
set xlabel "tokens"
set grid
set key bottom right font ",9"
if (overtake > 0) set arrow 1 from overtake, graph 0 to overtake, graph 1 nohead dt 2 lc rgb "gray40"; \
                  set label 1 "linear >10% faster than full" at overtake, graph 0.3 offset -0.7,0 rotate by 90 font ",8" tc rgb "gray30"
set title "time per step (CPU time)"
set ylabel "CPU ms per step"
plot for [k in "naive full local linear"] sprintf("$out/%s.dat", k) using 1:2 with linespoints lw 2 pt 7 ps 0.6 title k, \
     "$out/stops.dat" using 1:2 with points pt 6 ps 2 lc rgb "black" title "last length that ran", \
     "$out/stops.dat" using 1:(\$5 > 0 ? \$2 : 1/0):4 with labels right offset -1.5,0.3 font ",8" notitle
unset arrow 1
unset label 1
set title "peak memory (RSS)"
set ylabel "MB"
set arrow 2 from 48, $cap_mb to 90000, $cap_mb nohead dt 3 lc rgb "red"
set label 2 "address-space cap" at 64, $cap_mb offset 0,-0.7 font ",8" tc rgb "red"
plot for [k in "naive full local linear"] sprintf("$out/%s.dat", k) using 1:3 with linespoints lw 2 pt 7 ps 0.6 title k, \
     "$out/stops.dat" using 1:3 with points pt 6 ps 2 lc rgb "black" notitle, \
     "$out/stops.dat" using 1:(\$5 > 0 ? \$3 : 1/0):4 with labels right offset -1.5,0.3 font ",8" notitle
unset multiplot
EOF
echo "wrote $csv, $out/summary.txt and $png"
