# tests/sharing/common.sh: what the sharing actor's tests share, on top of
# tests/lib.sh (TAP and a private xensim).
#
#   . "$(dirname "$0")/common.sh"
#   start_sim --scenario "$SCEN/sharing-image.json" --speed 20
#   start_actor sharing [--max-rate N]   # returns once it serves
#   wait_until scan_done 3               # (tests/lib.sh)
#   hv dominfo 1                          # the hypervisor's own figures
#   stop_actor sharing                    # SIGTERM, exit checked
#   finish
#
# wait_until (tests/lib.sh) runs its condition again at every store
# change (a watch on /, bounded by MP_WAIT_S), never sleeps.
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

hv() { python3 "$MP_TOP/tests/sharing/hv.py" "$@"; }
hvget() { hv get "$@"; }
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
