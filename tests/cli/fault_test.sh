#!/usr/bin/env bash
# Faults a run must survive without losing work: a full disk during a save, a read-only
# save-dir, a second run in the same save-dir, and kill -9 at random moments of a run that saves
# every step. Each ends with the last good checkpoint loading and a resume continuing from it.
# (SIGTERM and SIGINT: signal_test.sh.) The disk tests mount small tmpfs file systems; where
# mounting is not allowed they are skipped with a message.
# Usage: fault_test.sh HEED_BINARY
set -uo pipefail
heed="$1"
work=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/cli_lib.sh"
args=(train --task copy --max-length 6 --task-size 2000 --d-model 16 --heads 2 --d-ff 32 --enc-layers 1
      --dec-layers 1 --batch-size 16 --eval-every 0 --threads 1 --seed 5)
step_of() { h5dump -a /train/step "$1" 2>/dev/null | sed -n 's/.*(0): \([0-9]*\).*/\1/p'; }
loads() { echo "1 2 3" | "$heed" translate --checkpoint "$1" > /dev/null 2> "$work/load.err"; }
mount_tmpfs() {  # DIR SIZE: a small file system of its own, or failure where mounting is not allowed
  mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null && mounts+=("$1")
}

# 1. The disk fills up between two saves: the save fails whole with the system's reason, heed
#    exits 1 without crashing, the previous checkpoint still loads, and a resume continues from it.
if mount_tmpfs "$work/small" 4m; then
  dir="$work/small/run"
  "$heed" "${args[@]}" --steps 100000 --save-every 10 --save-dir "$dir" 2> "$work/full.log" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$(step_of "$dir/checkpoint_last.h5")" = "" ]; do sleep 0.05; done
  dd if=/dev/zero of="$work/small/filler" bs=4k 2>/dev/null  # until the disk is full
  wait "$pid"
  rc=$?
  step=$(step_of "$dir/checkpoint_last.h5")
  if [ "$rc" -eq 1 ] && grep -q "No space left on device" "$work/full.log" && ! grep -qi "segmentation\|H5Dclose" "$work/full.log" &&
     [ -n "$step" ] && loads "$dir/checkpoint_last.h5" && [ ! -e "$dir/checkpoint_last.h5.tmp" ]; then
    ok "disk full: exit 1, '$(grep -m1 "No space" "$work/full.log")', checkpoint_last.h5 at step $step loads"
  else
    fail "disk full: exit $rc, step '$step'"; cat "$work/full.log" "$work/load.err"
  fi
  rm -f "$work/small/filler"
  "$heed" "${args[@]}" --steps $((step + 10)) --save-every 10 --save-dir "$dir" 2> "$work/resume.log"
  if [ $? -eq 0 ] && grep -q "resuming from .* at step $step" "$work/resume.log" &&
     [ "$(step_of "$dir/checkpoint_last.h5")" = "$((step + 10))" ]; then
    ok "disk full: the resume continued from step $step to $((step + 10))"
  else
    fail "disk full: resume"; cat "$work/resume.log"
  fi
else
  echo "skip: disk full (cannot mount a tmpfs here)"
fi

# 2. A read-only save-dir is refused at start, naming the reason.
if mount_tmpfs "$work/ro" 1m && mount -o remount,ro "$work/ro" 2>/dev/null; then
  "$heed" "${args[@]}" --steps 10 --save-dir "$work/ro" 2> "$work/ro.log"
  rc=$?
  if [ "$rc" -ne 0 ] && grep -q -- "--save-dir $work/ro: cannot write here (Read-only file system)" "$work/ro.log" &&
     [ "$(wc -l < "$work/ro.log")" -eq 1 ]; then
    ok "read-only save-dir: exit $rc, '$(cat "$work/ro.log")'"
  else
    fail "read-only save-dir: exit $rc"; cat "$work/ro.log"
  fi
else
  echo "skip: read-only save-dir (cannot mount a tmpfs here)"
fi

# 3. A second run in a save-dir that a run is using is refused with the holder's pid; the first
#    run is untouched.
"$heed" "${args[@]}" --steps 100000 --save-every 10 --save-dir "$work/shared" 2> "$work/first.log" &
first=$!
while kill -0 "$first" 2>/dev/null && [ ! -s "$work/shared/heed.lock" ]; do sleep 0.02; done
"$heed" "${args[@]}" --steps 100000 --save-every 10 --save-dir "$work/shared" 2> "$work/second.log"
rc=$?
sleep 0.5
kill -TERM "$first"
wait "$first"
first_rc=$?
if [ "$rc" -ne 0 ] && grep -q "another heed run is using it (pid $first)" "$work/second.log" && [ "$first_rc" -eq 143 ] &&
   loads "$work/shared/checkpoint_last.h5"; then
  ok "second run refused: '$(cat "$work/second.log")'; the first ended with 143 and its checkpoint loads"
else
  fail "second run: exit $rc, first run exit $first_rc"; cat "$work/second.log" "$work/first.log"
fi

# 4. kill -9 at random moments of a run that saves every step (so most kills land in or near a
#    save): every time, checkpoint_last.h5 loads, and the next start resumes from it.
for i in 1 2 3 4 5 6; do
  "$heed" "${args[@]}" --steps 100000 --save-every 1 --save-dir "$work/killed" 2> "$work/killed.log" &
  pid=$!
  # once a checkpoint exists (a sanitizer build starts slowly), at a random moment
  while kill -0 "$pid" 2>/dev/null && [ ! -e "$work/killed/checkpoint_last.h5" ]; do sleep 0.02; done
  sleep "0.$((RANDOM % 6))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -e "$work/killed/checkpoint_last.h5" ] && ! loads "$work/killed/checkpoint_last.h5"; then
    fail "kill -9 #$i: checkpoint_last.h5 does not load: $(cat "$work/load.err")"
  fi
done
before=$(step_of "$work/killed/checkpoint_last.h5")
"$heed" "${args[@]}" --steps $((before + 5)) --save-every 1 --save-dir "$work/killed" 2> "$work/killed.log"
if [ $? -eq 0 ] && grep -q "resuming from .* at step $before" "$work/killed.log" &&
   [ "$(step_of "$work/killed/checkpoint_last.h5")" = "$((before + 5))" ]; then
  ok "kill -9 six times: every checkpoint loaded; the resume went from step $before to $((before + 5))"
else
  fail "kill -9: resume from '$before'"; cat "$work/killed.log"
fi
[ "$failures" -eq 0 ]
