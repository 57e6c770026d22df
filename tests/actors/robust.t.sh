#!/bin/bash
# Robustness of the actors: kill -9 at any moment then a restart
# converges; the store going away ends the actor with status 1 and a
# clear message; an unreachable store at start-up too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

N=300
xensim_start --speed 100 --domains $N
"$PROBE" policy 1 $N xl-auto "" || exit 1
M=1024

# --- kill -9 at arbitrary moments, while changes are in flight -----------
actor_start xl-auto || exit 1
converged=0
for round in 1 2 3 4 5; do
    kb=$(((300 + round * 10) * M))
    # A burst of changes; the actor dies somewhere inside it: once the
    # writer has reached a different domain in each round.
    "$PROBE" set 1 $N $kb &
    setter=$!
    wait_node /libxl/$((round * N / 6))/memory-policy/target $kb
    actor_kill9
    wait $setter
    # More changes while no actor runs at all.
    "$PROBE" set 1 $((N / 2)) $((kb + M))
    actor_start xl-auto || break
    if "$PROBE" converge 1 $((N / 2)) $((kb + M)) 30000 &&
       "$PROBE" converge $((N / 2 + 1)) $N $kb 30000; then
        converged=$((converged + 1))
    fi
done
is "$converged" 5 "after each kill -9 and restart, all $N domains converge"

# --- kill -9 while paging, then restart: paging is wound down ------------
hvm=$(mkdom name=pg type=hvm hap=1 memory_kb=1048576 maxmem_kb=1048576 \
    balloon=stuck memory_policy=xl-auto memory_policy_args=paging=1,delay=2)
"$PROBE" target "$hvm" $((512 * M))
ok "wait_node /local/domain/$hvm/memory/target-tot_pages $((512 * M))" \
    "HVM guest paged after the delay"
actor_kill9
# While the actor is dead the balloon catches up and the target rises.
"$PROBE" hv guest_set "$hvm" balloon=cooperative >/dev/null
"$PROBE" target "$hvm" $((768 * M))
actor_start xl-auto || exit 1
ok "wait_node /local/domain/$hvm/memory/target \
    $(balloon_kb "$hvm" $((768 * M)))" \
    "restarted actor applies the change made while it was dead"
ok "wait_node /local/domain/$hvm/memory/target-tot_pages 0" \
    "restarted actor finds the leftover paging and ends it"
is "$(info "$hvm" paging)/$(info "$hvm" paged)" "0/0" \
    "nothing paged out after convergence"

# --- the store goes away -------------------------------------------------
kill -9 "$_xensim_pid"
wait "$_xensim_pid" 2>/dev/null
_xensim_pid=
actor_wait
is "$ACTOR_RC" 1 "store gone: the actor exits with status 1"
# Whichever notices first: the liveness connection or the event stream.
gone="(xenstore closed the connection|lost the event stream from xenstore)"
like "$(actor_log)" "$gone.*exiting" "with a clear message"
is "$(grep -c 'error' "$ACTOR_LOG")" 1 "one error line, no error storm"

# --- no store at start-up ------------------------------------------------
out=$(XENSTORED_PATH=$XENSIM_DIR/none.sock "$MP_BUILD/bin/xl-auto" 2>&1)
rc=$?
is "$rc" 1 "unreachable store at start-up: status 1"
like "$out" "cannot connect to xenstore" "with a clear message"

echo "1..$_tap_n"
[ "$_tap_failed" -eq 0 ]
