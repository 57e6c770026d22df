#!/bin/bash
# start-vm.sh NAME MEMORY_KB MAXMEM_KB DEMAND_KB: start a VM as a
# toolstack would, run by xensim from the scenario (XENSTORED_PATH set).
# With BENCH_REQUEST=1 it first asks the balancer for MEMORY_KB and waits
# (up to 30 s) for the answer: under the balance actor a reservation
# (`xlmem mem-reserve --timeout=30`, released once the domain is made:
# docs/reservations.md); under the qmemman-like baseline its own
# request (/tool/mempolicy/balance/free-request-kb, acknowledged in
# free-request-done, qmemman's do_balloon: qmemman_like.py).  The
# outcome goes to $BENCH_OUT/start.log: "<name> ok <domid>" or "<name>
# failed <reason>".
name=$1 mem=$2 max=$3 demand=$4
xlmem=$(dirname "$BENCH_PROBE")/../bin/xlmem
req=/tool/mempolicy/balance/free-request-kb
done_node=/tool/mempolicy/balance/free-request-done
rid=
if [ "${BENCH_REQUEST:-0}" = 1 ] && [ "$BENCH_POLICY" = balance ]; then
    if ! rid=$("$xlmem" mem-reserve --timeout=30 "${mem}k" 2>&1); then
        echo "$name failed $rid" >>"$BENCH_OUT/start.log"
        exit 0
    fi
elif [ "${BENCH_REQUEST:-0}" = 1 ]; then
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
if [ -n "$rid" ]; then
    "$xlmem" mem-release "$rid"
elif [ "${BENCH_REQUEST:-0}" = 1 ]; then
    xenstore-rm "$req"
fi
case $r in
ok*) echo "$name ok ${r#ok domid=}" >>"$BENCH_OUT/start.log" ;;
*) echo "$name failed $r" >>"$BENCH_OUT/start.log" ;;
esac
