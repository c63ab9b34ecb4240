#!/usr/bin/env bash
# SIGTERM (what schedulers and `docker stop` send) and SIGINT stop a run as Ctrl-C does: the step
# in progress finishes, checkpoint_last.h5 is saved at that step, and heed exits with 128+signal.
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
[ "$failures" -eq 0 ]
