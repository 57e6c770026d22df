# tests/sharing/common.sh: what the sharing actor's tests share, on top of
# tests/lib.sh (TAP and a private xensim).
#
#   . "$(dirname "$0")/common.sh"
#   start_sim --scenario "$SCEN/sharing-image.json" --speed 20
#   xensim_hv clock pause                # hold the simulated clock
#   start_actor sharing [--max-rate N]   # returns once it serves
#   step_until sharing 1000 scan_done 3  # 1 s steps until the pass is over
#   hvget dominfo 1 shared_kb            # the hypervisor's own figures
#   stop_actor sharing                    # SIGTERM, exit checked
#   finish
#
# A pass is the actor's timers (100 ms slices), so a test holds xensim's
# clock and steps it (step_until, tests/lib.sh: the actor caught up
# after each step) until the outcome holds: with the clock running, a
# loaded machine ran the slices late and the pass outlasted MP_WAIT_S.
# wait_until (tests/lib.sh) is for what follows an event alone (a policy
# change, a domain destroyed): it runs its condition again at every
# store change (a watch on /, bounded by MP_WAIT_S), never sleeps.
# Actors run as daemons (-d), whose parent returns once they serve, with
# --log-file (a daemon's stderr goes there too once it serves).

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

XLMEM=${XLMEM:-$MP_BUILD/bin/xlmem}
SCEN=$MP_TOP/tools/xensim/scenarios
export MEMPOLICY_XL_CONF=/dev/null
T=$(mktemp -d /tmp/sharing-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

start_sim() {
    xensim_start "$@"
    trap 'stop_all_actors; rm -rf "$T"; _xensim_cleanup' EXIT
}

# hv expect|write-shared|write-all ...: tests/sharing/hv.py, which hashes
# every page (one python start a call: never in a condition, which is
# evaluated again and again; 4-10 s a start on a loaded machine).  Any
# other request, and hvget (tests/lib.sh), go through the C client.
hv() {
    case $1 in
    expect | write-shared | write-all)
        python3 "$MP_TOP/tests/sharing/hv.py" "$@" ;;
    *) xensim_hv "$@" ;;
    esac
}
xsr() { xenstore-read "$1" 2>/dev/null; }

# start_actor NAME [OPTIONS...]: run $MP_BUILD/bin/NAME as a daemon.
start_actor() {
    local name=$1; shift
    "$MP_BUILD/bin/$name" -v -d -p "$T/$name.pid" --log-file "$T/$name.log" \
        "$@" 2>>"$T/$name.log" </dev/null
    local rc=$?
    if [ $rc -ne 0 ]; then
        echo "Bail out! $name did not start: $(cat "$T/$name.log")"
        exit 1
    fi
}

# stop_actor NAME: SIGTERM, wait for the exit, check a clean log.
stop_actor() {
    local name=$1 pid
    pid=$(cat "$T/$name.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    wait_exit "$pid"
    rm -f "$T/$name.pid"
    if grep -qE 'runtime error|Sanitizer|LeakSanitizer' "$T/$name.log"; then
        _tap_result 1 "$name exits cleanly"
        sed 's/^/# /' "$T/$name.log" | head -40
    else
        _tap_result 0 "$name exits cleanly"
    fi
}

stop_all_actors() {
    local f
    for f in "$T"/*.pid; do
        [ -e "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
    done
    return 0
}

actor_log() { cat "$T/$1.log"; }

# scan_done N: the actor serves N sharing domains and no pass is running.
scan_done() {
    [ "$(xsr /tool/mempolicy/sharing/domains)" = "$1" ] &&
        [ "$(xsr /tool/mempolicy/sharing/scanning)" = 0 ]
}

# Sum of a node under /libxl/<domid>/memory-sharing over domids.
sum_dom() {
    local key=$1 s=0 d v; shift
    for d in "$@"; do
        v=$(xsr "/libxl/$d/memory-sharing/$key") || v=0
        s=$((s + v))
    done
    echo $s
}

finish() {
    local r=0
    stop_all_actors
    done_testing || r=$?
    rm -rf "$T"
    exit $r
}
