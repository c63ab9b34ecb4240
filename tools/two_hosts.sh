#!/usr/bin/env bash
# Two hosts on one machine: network namespaces heed16a (10.16.0.1) and heed16b (10.16.0.2) joined
# by a veth pair, and `mpirun -np 2` over Open MPI's TCP transport with one rank in each. mpirun
# runs in heed16a; Open MPI starts the daemon of the other "host" through an rsh agent (this
# script, called as `two_hosts.sh --agent HOST COMMAND...`) that is `ip netns exec heed16b`
# instead of ssh. The filesystem is shared, as NFS would share a save-dir. Needs root and iproute2.
# Usage: tools/two_hosts.sh [--qdisc "SPEC"] HEED_BINARY heed-arguments...
#        --qdisc: a tc queueing discipline on both ends of the link, e.g. "tbf rate 1gbit burst 256kb
#        latency 20ms" (a bandwidth limit), or "netem delay 0.1ms rate 10gbit" where the kernel has netem
#        e.g. tools/two_hosts.sh build/train/heed train --task copy --save-dir runs/two-hosts
# The namespaces are removed on exit.
set -euo pipefail
if [ "${1:-}" = --agent ]; then  # as the rsh agent: HOST COMMAND (one string for a shell, as ssh takes it)
  host="$2"
  shift 2
  case "$host" in
    10.16.0.2) ns=heed16b ;;
    10.16.0.1) ns=heed16a ;;
    *) echo "two_hosts.sh: unknown host $host" >&2; exit 1 ;;
  esac
  exec ip netns exec "$ns" sh -c "$*"
fi
qdisc=""
if [ "${1:-}" = --qdisc ]; then qdisc="$2"; shift 2; fi
[ $# -ge 2 ] || { echo "usage: tools/two_hosts.sh [--qdisc SPEC] HEED_BINARY heed-arguments..." >&2; exit 2; }
heed=$(realpath "$1")
shift
self=$(realpath "$0")

cleanup() { ip netns del heed16a 2>/dev/null || true; ip netns del heed16b 2>/dev/null || true; }
cleanup
trap cleanup EXIT
ip netns add heed16a
ip netns add heed16b
ip link add heed16va netns heed16a type veth peer name heed16vb netns heed16b
ip -n heed16a addr add 10.16.0.1/24 dev heed16va
ip -n heed16b addr add 10.16.0.2/24 dev heed16vb
for ns in heed16a heed16b; do
  ip -n "$ns" link set lo up
done
ip -n heed16a link set heed16va up
ip -n heed16b link set heed16vb up
if [ -n "$qdisc" ]; then  # shapes each direction of the link
  # shellcheck disable=SC2086
  ip netns exec heed16a tc qdisc add dev heed16va root $qdisc
  # shellcheck disable=SC2086
  ip netns exec heed16b tc qdisc add dev heed16vb root $qdisc
fi
hosts=$(mktemp)
printf '10.16.0.1 slots=1\n10.16.0.2 slots=1\n' > "$hosts"
# TCP between the ranks, over the veth only (not shared memory: they are on "different hosts").
ip netns exec heed16a mpirun --allow-run-as-root -np 2 --hostfile "$hosts" --map-by node \
  --mca plm_rsh_agent "$self --agent" --mca btl tcp,self --mca btl_tcp_if_include 10.16.0.0/24 \
  --mca oob_tcp_if_include 10.16.0.0/24 -x PATH "$heed" "$@"
status=$?
rm -f "$hosts"
exit $status
