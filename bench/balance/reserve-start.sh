#!/bin/bash
# reserve-start.sh BUILD: a VM start on a full host, timed (real time,
# xensim at --speed 1, so host time is real time): a 4 GiB host, dom0
# 1 GiB, two balance guests of 1400 MiB using 300 MiB each (272 MiB
# free); `xlmem create` of a 1500 MiB guest (granted once the others
# balloon down), then of a second one (refused: it cannot fit).
#   bench/balance/reserve-start.sh build
# Prints the two outcomes and their wall-clock times.  Not part of check.
set -u
B=$(cd "${1:-build}" && pwd)
MP_BUILD=$B
. "$(dirname "$0")/../../tests/lib.sh"
. "$(dirname "$0")/../../tests/actors/common.sh"
W=$(mktemp -d /tmp/reserve-start.XXXXXX)
M=1024
xensim_start --speed 1 --host-mem 4G
for n in a b; do
    mkdom name=$n memory_kb=$((1400 * M)) maxmem_kb=$((2048 * M)) \
        demand_kb=$((300 * M)) memory_policy=balance \
        memory_policy_args=grace=0 >/dev/null
done
actor_start balance
reported() { [[ $(xenstore-read /tool/mempolicy/actors/balance/status/$1 \
    2>/dev/null) =~ used\ 300 ]]; }
wait_until reported 1
wait_until reported 2
for n in big1 big2; do
    printf 'name = "%s"\nmemory = 1500\nmemory_policy = "balance"\n' "$n" \
        >"$W/$n.cfg"
done
echo "host free before: $(($(xensim_hv physinfo | tr ' ' '\n' | sed -n 's/^free_kb=//p') / M)) MiB"
for n in big1 big2; do
    t0=$(date +%s.%N)
    out=$("$B/bin/xlmem" create "$W/$n.cfg" 2>&1)
    rc=$?
    t1=$(date +%s.%N)
    printf '%s: status %d after %.2f s: %s\n' "$n" "$rc" \
        "$(echo "$t1 - $t0" | bc)" "$out"
done
actor_stop >/dev/null
xensim_stop >/dev/null
rm -rf "$W"
