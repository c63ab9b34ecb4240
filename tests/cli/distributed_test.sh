#!/usr/bin/env bash
# Data-parallel training under mpirun (README "Training on several machines"), tiny models:
#   equivalence  2 ranks x batch 4 = 1 process x batch 8 (dropout 0), within float tolerance;
#                3 ranks x batch 1 over an epoch whose last batch has 1 pair (two empty shares)
#   determinism  two 2-rank runs (dropout 0.1): checkpoints bitwise equal
#   resume       2 ranks x 4 stopped at step 4, resumed by 1 process x 8: equal to 1 x 8 throughout;
#                a resume that changes the global batch is refused
#   faults       SIGTERM to one rank: every rank stops, rank 0 saves; kill -9 of a rank ends the job
#                (no hang), the last checkpoint loads and a restart resumes
# Usage: distributed_test.sh HEED_BINARY MPI(ON|OFF) PART (equivalence, determinism, resume, faults).
# Exit 77 (skipped) without MPI or mpirun, after checking that such a heed refuses --distributed.
set -uo pipefail
heed="$1"
part="$3"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"
source "$(dirname "$0")/mpi_lib.sh"

if [ "$2" != ON ] || ! command -v mpirun > /dev/null; then
  if [ "$2" != ON ]; then
    expect_usage_error "--distributed: this heed was built without MPI" train --task copy --save-dir "$work/x" --distributed
  fi
  echo "SKIPPED: heed built without MPI or mpirun not installed (apt-get install libopenmpi-dev openmpi-bin)"
  [ "$failures" -eq 0 ] && exit 77 || exit 1
fi
mpi() { timeout 120 mpirun --allow-run-as-root --oversubscribe -np "$@"; }
common=("${mpi_train_args[@]}")
args=("${common[@]}" --dropout 0 --quiet)
every4=(--eval-every 4 --save-every 4)
# Weights within tolerance (h5diff -d: absolute), and the same losses to 4 significant digits.
close() {  # close DIR_A DIR_B WHAT
  if h5diff -d 1e-5 "$1/checkpoint_last.h5" "$2/checkpoint_last.h5" /model /model > "$work/diff" 2>&1 &&
     diff <(cut -d, -f1,4 "$1/metrics.csv" | awk -F, '{printf "%s %.4g\n", $1, $2}') \
          <(cut -d, -f1,4 "$2/metrics.csv" | awk -F, '{printf "%s %.4g\n", $1, $2}') > /dev/null; then
    ok "$3"
  else
    fail "$3"; head -20 "$work/diff"; paste -d' ' "$1/metrics.csv" "$2/metrics.csv" | cut -c1-160 | head
  fi
}

if [ "$part" = equivalence ]; then
# Equivalence. The first line of the 2-rank run says the effective batch.
mpi 2 "$heed" "${args[@]}" "${every4[@]}" --steps 8 --batch-size 4 --save-dir "$work/r2" 2>/dev/null || fail "2 ranks: exit $?"
"$heed" "${args[@]}" "${every4[@]}" --steps 8 --batch-size 8 --save-dir "$work/r1" 2>/dev/null || fail "1 process: exit $?"
close "$work/r1" "$work/r2" "2 ranks x batch 4 = 1 process x batch 8 after 8 steps"
mpi 2 "$heed" "${common[@]}" --steps 1 --batch-size 4 --save-dir "$work/say" 2> "$work/err"
grep -q "data-parallel over 2 ranks: --batch-size 4 per rank, an effective batch of 8 per step" "$work/err" &&
  ok "the effective batch is printed" || { fail "no effective batch line"; cat "$work/err"; }
[ "$(grep -c "^validation:" "$work/err")" -eq 1 ] && ok "rank 0 alone prints" || { fail "lines printed twice"; cat "$work/err"; }

pairs=$("$heed" data --task copy --max-length 6 --size 301 --seed 7 --split train | wc -l)
steps=$(( (pairs + 2) / 3 + 2 ))
mpi 3 "$heed" "${args[@]}" --steps "$steps" --eval-every 0 --save-every 0 --batch-size 1 --save-dir "$work/r3" 2>/dev/null ||
  fail "3 ranks: exit $?"
"$heed" "${args[@]}" --steps "$steps" --eval-every 0 --save-every 0 --batch-size 3 --save-dir "$work/r3one" 2>/dev/null
echo "$pairs training pairs, batches of 3: the last holds $((pairs % 3)) (0 means 3)"
close "$work/r3one" "$work/r3" "3 ranks x batch 1 = 1 process x batch 3 over an epoch's end ($steps steps)"

fi
if [ "$part" = determinism ]; then
# Determinism, with dropout: each rank draws its own masks, from a stream the checkpoint saves.
for run in a b; do
  mpi 2 "$heed" "${common[@]}" --dropout 0.1 --eval-every 3 --save-every 3 --quiet --steps 6 --batch-size 4 --save-dir "$work/d$run" 2>/dev/null ||
    fail "dropout run $run: exit $?"
done
if h5diff "$work/da/checkpoint_last.h5" "$work/db/checkpoint_last.h5" /model /model &&
   h5diff "$work/da/checkpoint_last.h5" "$work/db/checkpoint_last.h5" /optim /optim; then
  ok "two 2-rank runs: weights and optimizer state bitwise equal"
else
  fail "two 2-rank runs differ"
fi
h5diff -q "$work/da/checkpoint_last.h5" "$work/r2/checkpoint_last.h5" /model /model > /dev/null 2>&1 &&
  fail "dropout 0.1 changed nothing" || ok "(and dropout 0.1 did change them)"

fi
if [ "$part" = resume ]; then
# Resume with another rank count: 2 x 4 for 4 steps, then 1 x 8 to step 8, equals 1 x 8 throughout.
mpi 2 "$heed" "${args[@]}" "${every4[@]}" --steps 8 --batch-size 4 --save-dir "$work/r2" 2>/dev/null || fail "2 ranks: exit $?"
"$heed" "${args[@]}" "${every4[@]}" --steps 8 --batch-size 8 --save-dir "$work/r1" 2>/dev/null || fail "1 process: exit $?"
mpi 2 "$heed" "${args[@]}" "${every4[@]}" --steps 4 --batch-size 4 --save-dir "$work/mixed" 2>/dev/null || fail "2 ranks, 4 steps: exit $?"
"$heed" "${args[@]}" "${every4[@]}" --steps 8 --batch-size 8 --save-dir "$work/mixed" 2>/dev/null || fail "1 process resumed: exit $?"
close "$work/r1" "$work/mixed" "resumed with 1 process x 8 after 2 ranks x 4"
# ... and back: 1 x 8 for 4 steps, then 2 x 4.
"$heed" "${args[@]}" "${every4[@]}" --steps 4 --batch-size 8 --save-dir "$work/mixed2" 2>/dev/null
mpi 2 "$heed" "${args[@]}" "${every4[@]}" --steps 8 --batch-size 4 --save-dir "$work/mixed2" 2>/dev/null || fail "2 ranks resumed: exit $?"
close "$work/r2" "$work/mixed2" "resumed with 2 ranks x 4 after 1 process x 8"
mpi 2 "$heed" "${args[@]}" "${every4[@]}" --steps 12 --batch-size 8 --save-dir "$work/mixed2" > /dev/null 2> "$work/err"
rc=$?
grep -q "error: --batch-size 8 x 2 ranks differs from 4 x 2 ranks, with which .* was trained: .* give --batch-size 4," "$work/err" &&
  [ "$rc" -eq 2 ] && ok "another global batch is refused (exit 2)" || { fail "global batch change: exit $rc"; cat "$work/err"; }

fi
if [ "$part" = faults ]; then
# SIGTERM to rank 1 alone: all ranks stop before the same step, rank 0 saves, a restart finishes.
rank_pid() {  # rank_pid MPIRUN_PID RANK: the pid of that rank among mpirun's children
  local p
  for p in $(pgrep -P "$1"); do
    tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && { echo "$p"; return; }
  done
}
long=("${common[@]}" --dropout 0 --eval-every 0 --save-every 10 --batch-size 4)
rows() { [ -f "$1/metrics.csv" ] && wc -l < "$1/metrics.csv" || echo 0; }
start_long() {  # start_long DIR: a long 2-rank run in the background, once it has written 15 rows
  mpirun --allow-run-as-root --oversubscribe -np 2 "$heed" "${long[@]}" --steps 100000 --quiet --save-dir "$1" > "$work/long.out" 2>&1 &
  launcher=$!
  for _ in $(seq 600); do [ "$(rows "$1")" -ge 15 ] && break; sleep 0.1; done
}
start_long "$work/term"
kill -TERM "$(rank_pid "$launcher" 1)"
timeout 60 tail --pid="$launcher" -f /dev/null; wait "$launcher"; rc=$?
step=$(h5dump -a /train/step "$work/term/checkpoint_last.h5" 2>/dev/null | grep -o '(0): [0-9]*' | grep -o '[0-9]*$')
last_row=$(tail -1 "$work/term/metrics.csv" | cut -d, -f1)
if [ "$rc" -ne 0 ] && [ -n "$step" ] && [ "$step" = "$last_row" ] && grep -q "stopped at step $step: interrupted" "$work/long.out"; then
  ok "SIGTERM to rank 1: stopped and saved at step $step (mpirun exit $rc)"
else
  fail "SIGTERM to rank 1: exit $rc, saved step '$step', last row $last_row"; cat "$work/long.out"
fi

# kill -9 of rank 1: mpirun ends the job within seconds, saying so; the checkpoint loads; a restart resumes.
start_long "$work/killed"
kill -9 "$(rank_pid "$launcher" 1)"
began=$SECONDS
timeout 60 tail --pid="$launcher" -f /dev/null; wait "$launcher"; rc=$?
if [ "$rc" -ne 0 ] && [ $((SECONDS - began)) -lt 30 ] && grep -q "rank 1 .*exited on signal 9" "$work/long.out"; then
  ok "kill -9 of rank 1 ends the job in $((SECONDS - began)) s (mpirun exit $rc)"
else
  fail "kill -9 of rank 1: exit $rc after $((SECONDS - began)) s"; cat "$work/long.out"
fi
saved=$(h5dump -a /train/step "$work/killed/checkpoint_last.h5" 2>/dev/null | grep -o '(0): [0-9]*' | grep -o '[0-9]*$')
"$heed" eval --checkpoint "$work/killed/checkpoint_last.h5" --task copy --max-length 6 --seed 7 --split valid > /dev/null 2>&1 && ok "the last checkpoint (step $saved) loads" || fail "checkpoint_last.h5 does not load"
mpi 2 "$heed" "${long[@]}" --steps $((saved + 5)) --save-dir "$work/killed" 2> "$work/err" || fail "restart: exit $?"
grep -q "resuming from .* at step $saved" "$work/err" && ok "a restart resumes from step $saved" ||
  { fail "the restart did not resume"; cat "$work/err"; }

fi
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "distributed $part: all checks passed"
