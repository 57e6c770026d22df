# tests/actors/common.sh: helpers shared by the actor tests.
#
#   . "$(dirname "$0")/common.sh"     (after ../lib.sh)
#   actor_start NAME [ARGS...]  start $MP_BUILD/bin/NAME -v; returns once
#                               it logged "serving" (its resync is done)
#   actor_stop                  SIGTERM it, wait, check exit status 0
#   actor_log                   what it logged so far (complete once
#                               stopped)
#   wait_node PATH VALUE [S]    (tests/lib.sh) wait (xenstore watch, at
#                               most S seconds, default 30) until PATH
#                               reads VALUE; also wait_match PATH REGEX,
#                               clock_step MS ACTOR (xensim's held clock)
#   wait_match PATH REGEX [S]   the same until PATH's value matches REGEX
#                               ('^$': until PATH is absent or empty)
#   mkdom ARGS...               create a domain on the hv channel; echo
#                               its domid
#   info DOMID KEY              one field of actor-probe info
#   reserve_start SIZE [OPTS]   `xlmem mem-reserve` in the background, as
#                               a toolstack before it creates a domain;
#                               returns once the request is in the store
#   resv_granted                a reservation is granted (a store check,
#                               for step_until on the held clock)
#   reserve_end                 wait for mem-reserve, release what it got
#
# Readiness and progress are always waited for on events (a pipe from the
# actor's stderr, xenstore watches, wait on the pid), never by sleeping.

PROBE=$MP_BUILD/tests/actor-probe
ACTOR_PID=
ACTOR_LOG=

actor_start() {
    local name=$1 line=
    shift
    local fifo=$XENSIM_DIR/$name.fifo
    ACTOR_LOG=$XENSIM_DIR/$name.log
    rm -f "$fifo"
    mkfifo "$fifo" || return 1
    "$MP_BUILD/bin/$name" -v "$@" 2>"$fifo" &
    ACTOR_PID=$!
    exec 5<"$fifo"
    while IFS= read -r -t "$MP_WAIT_S" line <&5; do
        echo "$line" >>"$ACTOR_LOG"
        case $line in *serving*) break ;; esac
    done
    # The rest of its stderr goes on to the log file.
    cat <&5 >>"$ACTOR_LOG" &
    _actor_cat=$!
    exec 5<&-
    case $line in
        *serving*) return 0 ;;
        *) echo "# $name did not start: $(cat "$ACTOR_LOG")"; return 1 ;;
    esac
}

# Wait for the actor to exit by itself; sets ACTOR_RC.
actor_wait() {
    ACTOR_RC=0
    wait "$ACTOR_PID" || ACTOR_RC=$?
    wait "$_actor_cat" 2>/dev/null
    ACTOR_PID=
}

actor_stop() {
    [ -n "$ACTOR_PID" ] || return 0
    kill -TERM "$ACTOR_PID"
    actor_wait
    is "$ACTOR_RC" 0 "actor exits 0 on SIGTERM"
}

actor_kill9() {
    kill -9 "$ACTOR_PID"
    actor_wait
}

actor_log() { cat "$ACTOR_LOG"; }

mkdom() {
    local r
    r=$("$PROBE" hv create "$@") || { echo "# create: $r" >&2; return 1; }
    echo "${r#ok domid=}"
}

info() {
    local kv
    for kv in $("$PROBE" info "$1"); do
        [ "${kv%%=*}" == "$2" ] && { echo "${kv#*=}"; return 0; }
    done
    return 1
}

reserve_start() {
    "$MP_BUILD/bin/xlmem" mem-reserve "$@" >"$XENSIM_DIR/resv.out" \
        2>"$XENSIM_DIR/resv.err" &
    RESV_PID=$!
    wait_until xenstore-exists /tool/mempolicy/reservations/next-id
}

resv_granted() {
    xenstore-ls /tool/mempolicy/reservations 2>/dev/null |
        grep -q 'state = "granted"'
}

reserve_end() {
    wait "$RESV_PID" || { echo "# mem-reserve: $(cat "$XENSIM_DIR/resv.err")"
        return 1; }
    "$MP_BUILD/bin/xlmem" mem-release "$(cat "$XENSIM_DIR/resv.out")"
}
