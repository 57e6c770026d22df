#!/bin/bash
# start-vm.sh NAME MEMORY_KB MAXMEM_KB DEMAND_KB: start a VM as a
# toolstack would, run by xensim from the scenario (XENSTORED_PATH set).
# With BENCH_REQUEST=1 it first asks the balancer to keep MEMORY_KB free
# (/tool/mempolicy/balance/free-request-kb, acknowledged in
# free-request-done; qmemman's do_balloon for the qmemman-like baseline)
# and waits, up to 30 s of real time, for the answer.  The outcome goes to
# $BENCH_OUT/start.log: "<name> ok <domid>" or "<name> failed <reason>".
name=$1 mem=$2 max=$3 demand=$4
req=/tool/mempolicy/balance/free-request-kb
done_node=/tool/mempolicy/balance/free-request-done
if [ "${BENCH_REQUEST:-0}" = 1 ]; then
    xenstore-write "$req" "$mem"
    end=$((SECONDS + 30))
    coproc W { exec xenstore-watch "$done_node" 2>/dev/null; }
    while [ "$(xenstore-read "$done_node" 2>/dev/null)" != "$mem" ] &&
          [ "$SECONDS" -lt "$end" ]; do
        read -r -t 5 _ <&"${W[0]}"
    done
    kill "$W_PID" 2>/dev/null
fi
r=$("$BENCH_PROBE" hv create name="$name" memory_kb="$mem" \
    maxmem_kb="$max" demand_kb="$demand" noise_kb=24576 \
    ${BENCH_POLICY:+memory_policy=$BENCH_POLICY} \
    ${BENCH_POLICY_ARGS:+memory_policy_args=$BENCH_POLICY_ARGS} 2>&1)
[ "${BENCH_REQUEST:-0}" = 1 ] && xenstore-rm "$req"
case $r in
ok*) echo "$name ok ${r#ok domid=}" >>"$BENCH_OUT/start.log" ;;
*) echo "$name failed $r" >>"$BENCH_OUT/start.log" ;;
esac
