#!/bin/bash
# The guest agent against the simulated host, connected as the guest
# (xensim's per-domain socket), reading a fake /proc: it writes what
# meminfo-writer would, is refused until the balance actor makes the
# nodes the guest's, and the actor then balances on its reports.
# Waiting is on xenstore watches (wait_node), never on sleeping.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"

AGENT=$MP_BUILD/bin/mempolicy-guest-agent
M=1024
xensim_start --speed 10 --host-mem 4G
P=$XENSIM_DIR/proc
mkdir -p "$P/pressure"
fake() {  # MemTotal MemFree Cached [SwapTotal SwapFree]
    printf 'MemTotal: %s kB\nMemFree: %s kB\nBuffers: 0 kB\nCached: %s kB\nSwapTotal: %s kB\nSwapFree: %s kB\n' \
        "$1" "$2" "$3" "${4:-0}" "${5:-0}" >"$P/meminfo.new"
    mv "$P/meminfo.new" "$P/meminfo"
}
echo 1048576 >"$P/current_kb"
fake 1048576 648576 100000
echo "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" >"$P/pressure/memory"

d=$(mkdom name=g memory_kb=$((1024 * M)) maxmem_kb=$((2048 * M)) \
    meminfo=none memory_policy=balance memory_policy_args=grace=0)
is "$("$AGENT" --interval 50 2>&1; echo $?)" \
   "mempolicy-guest-agent: --interval is 100..3600000 ms, --threshold a positive number of kB
2" "no polling faster than 100 ms"
XENSTORED_PATH=$XENSIM_DIR/xs.sock.dom$d "$AGENT" --proc "$P" \
    --sysfs "$P/current_kb" --interval 100 2>"$XENSIM_DIR/agent.log" &
apid=$!
ok "wait_node /local/domain/$d/memory/meminfo '' 2>/dev/null; true" \
    "the agent runs before the node exists"
actor_start balance --damp 32m
ok "wait_node /local/domain/$d/memory/meminfo 300000" \
    "used = MemTotal - MemFree - Buffers - Cached, written once the node is the guest's"
ok "wait_node /local/domain/$d/memory/pressure 0.00" "PSI some avg10"
like "$(cat "$XENSIM_DIR/agent.log")" "cannot write memory/meminfo" \
    "refused before, logged once"
is "$(grep -c 'cannot write memory/meminfo' "$XENSIM_DIR/agent.log")" 1 \
    "once only"
# Swapping: 1.5 GiB used in 1 GiB + swap; pressure rises.
fake 1048576 0 0 1048576 572864
echo "some avg10=25.50 avg60=3.00 avg300=0.50 total=99" >"$P/pressure/memory"
ok "wait_node /local/domain/$d/memory/meminfo 1524288" \
    "swap counts as used, as meminfo-writer counts it"
ok "wait_node /local/domain/$d/memory/pressure 25.50" "pressure reported"
ok "wait_match /tool/mempolicy/actors/balance/status/$d 'used 1489'" \
    "the actor balances on the agent's report"
ok "[ \$(xenstore-read /local/domain/$d/memory/target) -ge $((1489 * M)) ]" \
    "and gives the guest what it uses"
kill -TERM "$apid"
wait "$apid"
is "$?" 0 "the agent exits 0 on SIGTERM"
actor_stop
done_testing
