# tests/lib.sh: TAP helpers and a private xensim for shell tests.
#
#   . "$(dirname "$0")/../lib.sh"      (from tests/<area>/x.t.sh)
#   xensim_start [xensim options...]   # exports XENSTORED_PATH
#   ok 'xenstore-write /a 1' "write"   # or: check DESC CMD ARGS...
#   is "$(xenstore-read /a)" 1 "read back"
#   as_dom 5 xenstore-read /a          # run a command as domain 5
#   wait_node PATH VALUE [S]           # until PATH reads VALUE (watch)
#   xensim_hv clock pause              # one hv channel request
#   clock_hold xl-auto                 # clock held, and xl-auto has seen it
#   clock_step 5000 xl-auto            # held clock + 5 s, actor caught up
#   step_until "a b" 1000 COND...      # 1 s steps until COND (a, b caught up)
#   hvget dominfo 3 tot_kb             # one value of an hv channel reply
#   wait_until CMD...                  # until CMD succeeds (watch)
#   done_testing                       # prints the plan, stops xensim
#
# Readiness comes from xensim's --ready-fd through a fifo, and a clean
# stop is checked (exit 0, socket removed), so no test ever sleeps to
# synchronise.  The binary is $XENSIM, else $MP_BUILD/bin/xensim.
set -u

MP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MP_BUILD=${MP_BUILD:-$MP_TOP/build}
XENSIM=${XENSIM:-$MP_BUILD/bin/xensim}
# The bound of every wait for an outcome (start-up, a node, a line): it
# only turns a hang into a failure, so it is generous; a loaded CI machine
# running the sanitizer build must never reach it.
MP_WAIT_S=${MP_WAIT_S:-120}
_tap_n=0
_tap_failed=0
_xensim_pid=
XENSIM_DIR=

_tap_result() {   # status desc
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $_tap_n - $2"
    else
        echo "not ok $_tap_n - $2"
        _tap_failed=$((_tap_failed + 1))
    fi
}

diag() { echo "# $*"; }

# ok 'shell command' desc: passes if the command succeeds.
ok() {
    local out
    out=$(eval "$1" 2>&1)
    local rc=$?
    _tap_result $rc "$2"
    [ $rc -eq 0 ] || diag "command failed ($rc): $1: $out"
    return $rc
}

# fails 'shell command' desc: passes if the command fails.
fails() {
    local out
    out=$(eval "$1" 2>&1)
    local rc=$?
    if [ $rc -ne 0 ]; then _tap_result 0 "$2"; else
        _tap_result 1 "$2"; diag "command unexpectedly succeeded: $1: $out"
    fi
}

# is GOT EXPECTED desc
is() {
    if [ "$1" == "$2" ]; then _tap_result 0 "$3"; else
        _tap_result 1 "$3"; diag "got: '$1'"; diag "expected: '$2'"
    fi
}

# like GOT REGEX desc
like() {
    if [[ $1 =~ $2 ]]; then _tap_result 0 "$3"; else
        _tap_result 1 "$3"; diag "got: '$1'"; diag "expected to match: '$2'"
    fi
}

# Start a private xensim; extra arguments go to xensim.
xensim_start() {
    XENSIM_DIR=$(mktemp -d /tmp/xensim-sh.XXXXXX) || return 1
    local fifo=$XENSIM_DIR/ready line=
    mkfifo "$fifo" || return 1
    "$XENSIM" --socket "$XENSIM_DIR/xs.sock" --ready-fd 3 "$@" \
        3>"$fifo" 2>"$XENSIM_DIR/xensim.log" &
    _xensim_pid=$!
    # Opening the fifo waits for xensim to open its end; read is bounded.
    read -r -t "$MP_WAIT_S" line <"$fifo"
    if [ "$line" != ready ]; then
        echo "Bail out! xensim did not start: $(cat "$XENSIM_DIR/xensim.log")"
        kill -9 "$_xensim_pid" 2>/dev/null
        exit 1
    fi
    export XENSTORED_PATH=$XENSIM_DIR/xs.sock
    trap _xensim_cleanup EXIT
}

_xensim_cleanup() {
    if [ -n "$_xensim_pid" ]; then
        kill -9 "$_xensim_pid" 2>/dev/null
        wait "$_xensim_pid" 2>/dev/null
        _xensim_pid=
    fi
    [ -n "$XENSIM_DIR" ] && rm -rf "$XENSIM_DIR"
}

# Stop xensim with SIGTERM; a test that it exits 0 and removes its socket.
xensim_stop() {
    [ -n "$_xensim_pid" ] || return 0
    kill -TERM "$_xensim_pid"
    local rc=0
    # wait returns when xensim exits; run.sh's timeout bounds a hang.
    wait "$_xensim_pid" || rc=$?
    _xensim_pid=
    is "$rc" 0 "xensim exits 0 on SIGTERM"
    if [ -e "$XENSIM_DIR/xs.sock" ]; then _tap_result 1 "socket removed"
    else _tap_result 0 "socket removed"; fi
}

# _watch_stop PID: end a coprocess that runs (or is about to run)
# xenstore-watch.  With SIGKILL, never SIGTERM: until it has exec'd,
# the coprocess is a copy of this shell, and bash runs the test's EXIT
# trap in a coprocess that SIGTERM ends (_xensim_cleanup: xensim killed
# and its directory removed in the middle of the test).  On a loaded
# machine the kill often comes first, when the condition already held.
_watch_stop() {
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# wait_match PATH REGEX [S]: wait (xenstore watch, at most S seconds,
# default 30: a bound, never a pause) until PATH's value matches REGEX.
# wait_node PATH VALUE [S]: the same for an exact value.
wait_match() {
    local path=$1 re=$2 t=${3:-$MP_WAIT_S} v= line left
    local deadline=$((SECONDS + t))
    coproc _W { exec xenstore-watch "$path" 2>/dev/null; }
    local wpid=$_W_PID
    while :; do
        v=$(xenstore-read "$path" 2>/dev/null)
        [[ $v =~ $re ]] && break
        left=$((deadline - SECONDS))
        [ "$left" -gt 0 ] || break
        read -r -t "$left" line <&"${_W[0]}" || break
    done
    _watch_stop "$wpid"
    [[ $v =~ $re ]] || { echo "# $path is '$v', not /$re/"; return 1; }
}

wait_node() {
    wait_match "$1" "^$(printf '%s' "$2" | sed 's/[][\\.*^$+?(){}|]/\\&/g')\$" "${3:-$MP_WAIT_S}"
}

# xensim_hv VERB ARGS...: one request on xensim's hypervisor channel
# (docs/hv-channel.md); prints the reply, fails unless it is "ok ...".
# The build's C client (actor-probe hv, tests/support/hvclient.c) when
# there is one: clock_step makes a request a step, and starting python
# costs seconds of wall time on a loaded machine (4-10 s at load 18),
# which made step-by-step tests run into run.sh's 600 s limit.
xensim_hv() {
    if [ -x "$MP_BUILD/tests/actor-probe" ]; then
        "$MP_BUILD/tests/actor-probe" hv "$@"
    else
        "$MP_TOP/tools/xensim/xensim-hv" "$@"
    fi
}

# hvget VERB [ARGS...] KEY: one value of an hv channel reply, e.g.
# `hvget dominfo 3 tot_kb` (the C client: cheap enough to run in a
# condition that wait_until or step_until evaluates again and again).
hvget() {
    local key=${!#} r kv
    r=$(xensim_hv "${@:1:$#-1}") || {
        echo "# hv ${*:1:$#-1}: $r" >&2
        return 1
    }
    for kv in $r; do
        [ "${kv%%=*}" == "$key" ] && { echo "${kv#*=}"; return 0; }
    done
    echo "# hv ${*:1:$#-1}: no $key in '$r'" >&2
    return 1
}

# clock_hold [ACTOR...]: hold xensim's clock (`clock pause`), then wait
# until each running ACTOR has seen it held: the kit writes the held
# time to /tool/mempolicy/actors/ACTOR/clock.  Until then an actor may
# still take a change made after the pause at running-clock time, a few
# simulated seconds late on a loaded machine (at --speed 100, 50 ms of
# real time is 5 s), and its timer for it would miss the step meant to
# fire it.
clock_hold() {
    local r now a
    r=$(xensim_hv clock pause) || { echo "# clock pause: $r"; return 1; }
    now=${r#*ms=}
    now=${now%% *}
    for a in "$@"; do
        wait_node "/tool/mempolicy/actors/$a/clock" "$now" || return 1
    done
}

# clock_step MS [ACTOR...]: advance xensim's held clock (`clock pause`
# first) by MS, then wait until each ACTOR has run the timers the step
# made due: the actor kit writes the held time to
# /tool/mempolicy/actors/ACTOR/clock once none is due.  So what an actor
# does "after its delay" is done when this returns: no race.
clock_step() {
    local ms=$1 r now a
    shift
    # actor-probe (C) when built: a python start per step is slow on a
    # loaded machine, and tests step hundreds of times.
    if [ -x "$MP_BUILD/tests/actor-probe" ]; then
        r=$("$MP_BUILD/tests/actor-probe" hv clock step "$ms")
    else
        r=$(xensim_hv clock step "$ms")
    fi || { echo "# clock step: $r"; return 1; }
    now=${r#*ms=}
    now=${now%% *}
    for a in "$@"; do
        wait_node "/tool/mempolicy/actors/$a/clock" "$now" || return 1
    done
}

# step_until ACTORS MS COND...: with xensim's clock held, step it by MS
# (each of ACTORS, a space-separated list, caught up after each step)
# until COND holds; at most 200 steps.
step_until() {
    local actors=$1 ms=$2 i
    shift 2
    for i in $(seq 1 200); do
        "$@" && return 0
        # shellcheck disable=SC2086  # one word per actor
        clock_step "$ms" $actors || return 1
    done
    "$@"
}

# wait_until CMD...: until CMD succeeds, re-run at every store change (a
# watch on /: a narrower watch misses the change that makes CMD true
# when CMD also reads other nodes), at most MP_WAIT_S seconds in all;
# CMD's output is dropped (it runs in this shell: it may set variables).
wait_until() {
    local line deadline=$((SECONDS + MP_WAIT_S))
    coproc _WU { exec xenstore-watch / 2>/dev/null; }
    local wpid=$_WU_PID rc=1
    while :; do
        if "$@" >/dev/null 2>&1; then rc=0; break; fi
        [ "$SECONDS" -lt "$deadline" ] || break
        read -r -t $((deadline - SECONDS + 1)) line <&"${_WU[0]}" || {
            "$@" >/dev/null 2>&1 && rc=0; break; }
    done
    _watch_stop "$wpid"
    return $rc
}

# wait_exit PID: until process PID has ended (a pidfd becomes readable
# when it does; one that is already gone, reaped or not, has ended), at
# most MP_WAIT_S seconds.  Works for processes this shell did not start.
# The build's C client when there is one (a python start costs seconds
# on a loaded machine, and every stopped actor is waited for).
wait_exit() {
    if [ -x "$MP_BUILD/tests/actor-probe" ]; then
        "$MP_BUILD/tests/actor-probe" wait-exit "$1" $((MP_WAIT_S * 1000))
        return
    fi
    python3 - "$1" "$MP_WAIT_S" <<'EOF'
import os, select, sys
try:
    fd = os.pidfd_open(int(sys.argv[1]))
except ProcessLookupError:
    sys.exit(0)
sys.exit(0 if select.select([fd], [], [], float(sys.argv[2]))[0] else 1)
EOF
}

# as_dom N CMD...: run CMD connected as unprivileged domain N.
as_dom() {
    local d=$1; shift
    XENSTORED_PATH=$XENSIM_DIR/xs.sock.dom$d "$@"
}

# The log xensim wrote on stderr so far.
xensim_log() { cat "$XENSIM_DIR/xensim.log"; }

done_testing() {
    xensim_stop
    echo "1..$_tap_n"
    trap - EXIT
    [ -n "$XENSIM_DIR" ] && rm -rf "$XENSIM_DIR"
    [ "$_tap_failed" -eq 0 ]
}

# balloon_kb DOMID REQUEST_KB: the memory/target libxl writes for a
# request (xl mem-set's size): the request less the domain's video RAM
# (libxl_set_memory_target; an HVM guest has video RAM).
balloon_kb() {
    local v
    v=$(xenstore-read /local/domain/"$1"/memory/videoram 2>/dev/null) || v=0
    echo $(($2 - v))
}
