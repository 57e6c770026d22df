#!/bin/bash
# The actor kit through the example actor: options, start-up resync,
# timers on host time, actor filtering and "left", SIGTERM, daemon mode
# with a locked pid file, and the scale of one process.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

EX=$MP_BUILD/bin/example
M=1024

# --- options -------------------------------------------------------------
out=$("$EX" -h 2>&1)
is "$?" 0 "-h exits 0"
like "$out" "Usage: .*-d.*--pidfile" "-h prints the options"
out=$("$EX" --bogus 2>&1)
is "$?" 2 "an unknown option exits 2"
out=$("$EX" extra 2>&1)
is "$?" 2 "a stray argument exits 2"
like "$out" "unexpected argument 'extra'" "and says which"

xensim_start --speed 100 --domains 4

# --- start-up resync: a domain that already had the actor ----------------
"$PROBE" policy 1 1 example settle=1 || exit 1
"$PROBE" target 1 $((400 * M))
"$PROBE" policy 2 2 xl-manual "" || exit 1
"$PROBE" target 2 $((300 * M))
actor_start example || exit 1
ok "wait_node /local/domain/1/memory/target $((400 * M))" \
    "resync: a target set before the actor started is applied"

# --- debounce timer: only the last of a burst is applied -----------------
# On xensim's held clock (clock_step: the actor caught up after the
# step): the burst lands within the settle time (100 s of host time) by
# construction, however slow the machine; with the clock running it was
# 1 s of real time for three actor-probe starts.
ok "clock_hold example" "clock held, the actor has seen it"
"$PROBE" policy 3 3 example settle=100 || exit 1
for kb in 350 360 370; do "$PROBE" target 3 $((kb * M)); done
ok "clock_step 99000 example" "99 s pass"
is "$(xenstore-read /local/domain/3/memory/target)" $((512 * M)) \
    "nothing applied before the settle time"
ok "clock_step 1000 example" "100 s pass"
is "$(xenstore-read /local/domain/3/memory/target)" $((370 * M)) \
    "after settle, the newest target is applied"

# --- a domain leaving the actor ------------------------------------------
# Once the actor has caught up with a step, it has taken every change
# made before it: domain 4 is its own, its timer due in 100 s.
"$PROBE" policy 4 4 example settle=100 || exit 1
"$PROBE" target 4 $((450 * M))
ok "clock_step 50000 example" "50 s pass"
"$PROBE" policy 4 4 xl-manual "" || exit 1
"$PROBE" target 3 $((380 * M))
ok "clock_step 100000 example" "100 s more: domain 4's timer was due in it"
is "$(xenstore-read /local/domain/3/memory/target)" $((380 * M)) \
    "a later change with the same settle time was applied"
is "$(xenstore-read /local/domain/4/memory/target)" $((512 * M)) \
    "the domain that left before its timer fired was not touched"
ok "xensim_hv clock resume" "clock running again"
actor_stop
log=$(actor_log)
is "$(grep -c 'domain 3: target' <<<"$log")" 2 \
    "two writes for domain 3 (burst of three debounced, then one)"
like "$log" "domain 4 left this actor" "the kit reported the domain left"
is "$(grep -c 'domain 2' <<<"$log")" 0 "another actor's domain ignored"

# --- daemon mode and the pid file ----------------------------------------
pidf=$XENSIM_DIR/example.pid
"$EX" -d -p "$pidf" 2>"$XENSIM_DIR/daemon.log"
is "$?" 0 "-d returns 0 once the daemon serves"
dpid=$(cat "$pidf")
ok "kill -0 $dpid" "the pid file names a live process"
out=$("$EX" -p "$pidf" 2>&1)
is "$?" 1 "a second instance on the same pid file exits 1"
like "$out" "already running as pid $dpid" "and names the running pid"
# The daemon holds an fcntl lock on the pid file until it exits: taking
# it (opened before the signal is sent) waits for the exit itself.
term_and_wait() {
    timeout "$MP_WAIT_S" python3 -c 'import fcntl, os, signal, sys
f = open(sys.argv[1], "r+")
os.kill(int(sys.argv[2]), signal.SIGTERM)
fcntl.lockf(f, fcntl.LOCK_EX)' "$1" "$2"
}
ok "term_and_wait '$pidf' $dpid" \
    "SIGTERM ends the daemon (its lock is released)"
ok "[ ! -e '$pidf' ]" "and it removed its pid file"
# A stale pid file (kill -9) does not block a restart.
echo 99999 >"$pidf"
"$EX" -d -p "$pidf" 2>>"$XENSIM_DIR/daemon.log"
is "$?" 0 "a stale pid file does not block a new daemon"
ok "term_and_wait '$pidf' $(cat "$pidf")" "and it stops on SIGTERM"

# A daemon that cannot reach the store: the parent reports failure.
XENSTORED_PATH=$XENSIM_DIR/none.sock "$EX" -d 2>/dev/null
is "$?" 1 "-d with no store: the parent exits 1"

done_testing
