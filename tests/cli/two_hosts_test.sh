#!/usr/bin/env bash
# Two ranks on two hosts simulated with network namespaces (tools/two_hosts.sh: veth, Open MPI
# over TCP): the checkpoint is bitwise equal to 2 ranks on one host (shared memory), since the
# order of additions is heed's and not the transport's, and equal within float tolerance to one
# process with the doubled batch.
# Usage: two_hosts_test.sh HEED_BINARY SOURCE_DIR MPI(ON|OFF). Exit 77 (skipped) without MPI, as
# non-root, or where network namespaces cannot be made (a container without CAP_SYS_ADMIN).
set -uo pipefail
heed="$1"
tools="$2/tools"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_lib.sh"
source "$(dirname "$0")/mpi_lib.sh"
if [ "$3" != ON ] || ! command -v mpirun > /dev/null || [ "$(id -u)" -ne 0 ] || ! command -v ip > /dev/null; then
  echo "SKIPPED: needs a heed built with MPI, mpirun, root and iproute2"; exit 77
fi
if ! ip netns add heed16probe 2>/dev/null; then echo "SKIPPED: cannot create network namespaces here"; exit 77; fi
ip netns del heed16probe
args=("${mpi_train_args[@]}" --dropout 0 --steps 8 --eval-every 4 --save-every 4 --quiet)
timeout 120 "$tools/two_hosts.sh" "$heed" "${args[@]}" --batch-size 4 --save-dir "$work/hosts" > "$work/out" 2>&1 ||
  { fail "two hosts: exit $?"; cat "$work/out"; }
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 2 "$heed" "${args[@]}" --batch-size 4 --save-dir "$work/host" 2>/dev/null ||
  fail "one host: exit $?"
"$heed" "${args[@]}" --batch-size 8 --save-dir "$work/one" 2>/dev/null || fail "one process: exit $?"
h5diff "$work/hosts/checkpoint_last.h5" "$work/host/checkpoint_last.h5" /model /model &&
  h5diff "$work/hosts/checkpoint_last.h5" "$work/host/checkpoint_last.h5" /optim /optim &&
  ok "2 hosts over TCP = 2 ranks on one host, bitwise" || fail "2 hosts differ from 2 ranks on one host"
h5diff -d 1e-5 "$work/hosts/checkpoint_last.h5" "$work/one/checkpoint_last.h5" /model /model > /dev/null &&
  ok "2 hosts x batch 4 = 1 process x batch 8 (within 1e-5)" || fail "2 hosts differ from 1 process"
[ "$failures" -eq 0 ] || exit 1
