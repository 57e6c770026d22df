#!/bin/bash
# start-vm.sh NAME MEMORY_KB MAXMEM_KB DEMAND_KB: start a VM as a
# toolstack would (XENSTORED_PATH set; run by bench/balance/desktop.py).
# With BENCH_REQUEST=1 it first asks the balancer for MEMORY_KB and waits
# for the answer: under the balance actor a reservation (`xlmem
# mem-reserve --timeout=30`: 30 s of host time, the actor refuses at the
# deadline what it could not free; released once the domain is made:
# docs/reservations.md); under the qmemman-like baseline its request
# node (qmemman.sock's request, qmemman_like.py), answered with the size
# (done) or FAIL (qmemman refused: qubesd fails the start with
# QubesMemoryError, so do we, at once).  Neither wait is real time: the
# answer comes on the simulated clock the driver steps; MP_WAIT_S (120 s
# of real time) only turns a hang into a failure.  The outcome goes to
# $BENCH_OUT/start.log: "<name> ok <domid>" or "<name> failed <reason>".
name=$1 mem=$2 max=$3 demand=$4
xlmem=$(dirname "$BENCH_PROBE")/../bin/xlmem
req=/tool/bench/qmemman/request-kb
done_node=/tool/bench/qmemman/request-done
rid=
if [ "${BENCH_REQUEST:-0}" = 1 ] && [ "$BENCH_POLICY" = balance ]; then
    if ! rid=$("$xlmem" mem-reserve --timeout=30 "${mem}k" 2>&1); then
        echo "$name failed $rid" >>"$BENCH_OUT/start.log"
        exit 0
    fi
elif [ "${BENCH_REQUEST:-0}" = 1 ]; then
    coproc W { exec xenstore-watch "$done_node" 2>/dev/null; }
    xenstore-write "$req" "$mem"
    end=$((SECONDS + ${MP_WAIT_S:-120}))
    while :; do
        ans=$(xenstore-read "$done_node" 2>/dev/null)
        [ -n "$ans" ] || [ "$SECONDS" -ge "$end" ] && break
        read -r -t 5 _ <&"${W[0]}"
    done
    # SIGKILL, never SIGTERM: before it exec'd the coprocess is a copy of
    # this shell and would run its EXIT trap (tests/lib.sh _watch_stop).
    kill -KILL "$W_PID" 2>/dev/null
    wait "$W_PID" 2>/dev/null
    if [ "$ans" != "$mem" ]; then
        xenstore-rm "$req"
        echo "$name failed qmemman: ${ans:-no answer}" >>"$BENCH_OUT/start.log"
        exit 0
    fi
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
