#!/usr/bin/env bash
# SIGTERM (what schedulers and `docker stop` send) and SIGINT stop a run as Ctrl-C does: the step
# in progress finishes, checkpoint_last.h5 is saved at that step, and heed exits with 128+signal;
# SIGPIPE (the reader of heed's output went away) too.
# Usage: signal_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
for signal in TERM INT; do
  "$heed" train --task copy --max-length 6 --task-size 2000 --d-model 16 --heads 2 --d-ff 32 --enc-layers 1 \
    --dec-layers 1 --steps 100000 --batch-size 16 --save-every 0 --eval-every 0 --threads 1 --quiet \
    --save-dir "$work/$signal" 2> "$work/$signal.log" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$(wc -l < "$work/$signal/metrics.csv" 2>/dev/null || echo 0)" -lt 30 ]; do sleep 0.05; done
  kill -"$signal" "$pid"
  wait "$pid"
  rc=$?
  rows=$(($(wc -l < "$work/$signal/metrics.csv") - 1))
  step=$(h5dump -a /train/step "$work/$signal/checkpoint_last.h5" 2>/dev/null | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
  expected=$((128 + $(kill -l "$signal")))
  if [ "$rc" -eq "$expected" ] && [ -n "$step" ] && [ "$step" -eq "$rows" ] && grep -q "interrupted" "$work/$signal.log"; then
    echo "ok: SIG$signal -> exit $rc, checkpoint_last.h5 at step $step = the last metrics row"
  else
    echo "FAIL: SIG$signal -> exit $rc (expected $expected), checkpoint step '$step', metrics rows $rows"
    cat "$work/$signal.log"
    failures=$((failures + 1))
  fi
done
# A reader that goes away (`heed train 2>&1 | grep -m1 ...`): SIGPIPE at a later line saves and
# stops like SIGTERM, where it once killed the run unsaved. The reader leaves after the step-100
# line, not after the first line: heed prints a few lines at start, and one of those could meet
# the closed pipe before any step ran.
"$heed" train --task copy --max-length 6 --task-size 2000 --d-model 16 --heads 2 --d-ff 32 --enc-layers 1 \
  --dec-layers 1 --steps 100000 --batch-size 16 --save-every 0 --eval-every 0 --threads 1 \
  --save-dir "$work/PIPE" 2>&1 | grep -m1 '^step 100/' > /dev/null
rc=${PIPESTATUS[0]}
rows=$(($(wc -l < "$work/PIPE/metrics.csv") - 1))
step=$(h5dump -a /train/step "$work/PIPE/checkpoint_last.h5" 2>/dev/null | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
if [ "$rc" -eq 141 ] && [ -n "$step" ] && [ "$step" -ge 100 ] && [ "$step" -eq "$rows" ]; then
  echo "ok: SIGPIPE -> exit $rc, checkpoint_last.h5 at step $step = the last metrics row"
else
  echo "FAIL: SIGPIPE -> exit $rc (expected 141), checkpoint step '$step', metrics rows $rows"
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
