#!/bin/bash
# run-demo.sh: the product at work on the simulated host (`make demo`).
#
#   demo/run-demo.sh [--short] [--speed X] [--out DIR] [BUILD]
#
# Starts xensim with demo/scenario.json, the actors (xl-auto, xl-manual,
# sharing) and mempolicyd (which gives the newcomer the default policy of
# demo/xl.conf), follows the policy events with `xlmem mem-watch`, and
# plays the administrator's commands of demo/timeline at their moments of
# simulated time.  At the end it draws OUT/demo.png (demo/plot.gp) from
# xensim's recording and prints a verdict per domain (demo/verdict.awk).
#
# Design:
#  - one minute of simulated time; --speed 2.5 by default (24 s of real
#    time), --short runs the same story at --speed 10 for the test;
#  - the script never sleeps to synchronise: it waits for the simulated
#    clock through a xenstore watch on xensim's clock node, and for
#    processes with wait;
#  - everything it starts is recorded and stopped on exit, on error and
#    on Ctrl-C (trap), and its socket directory removed, so nothing is
#    left behind;
#  - BUILD defaults to build/; OUT defaults to BUILD/demo.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
demo=$top/demo
speed=2.5
out=
build=

die() {
    echo "run-demo.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" | sed -n '1,3p'
}

while [ $# -gt 0 ]; do
    case $1 in
    --short) speed=10 ;;
    --speed) [ $# -ge 2 ] || die "--speed needs a value"; speed=$2; shift ;;
    --speed=*) speed=${1#--speed=} ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option '$1' (try --help)" ;;
    *) [ -z "$build" ] || die "extra argument '$1'"; build=$1 ;;
    esac
    shift
done
[ -n "$build" ] || build=$top/build
case $build in /*) ;; *) build=$PWD/$build ;; esac
[ -n "$out" ] || out=$build/demo
case $out in /*) ;; *) out=$PWD/$out ;; esac
[[ $speed =~ ^[0-9]+([.][0-9]+)?$ ]] || die "bad --speed '$speed'"

# ---- what the demo needs ---------------------------------------------

bin=$build/bin
missing=
for b in xensim xlmem xl-auto xl-manual sharing mempolicyd; do
    [ -x "$bin/$b" ] || missing="$missing $bin/$b"
done
[ -z "$missing" ] ||
    die "not built:$missing (run 'make' first, or 'make demo')"
for t in gnuplot xenstore-watch xenstore-read xenstore-list; do
    command -v "$t" >/dev/null ||
        die "$t not found (tools/install-deps.sh demo installs it)"
done

# ---- starting and stopping -------------------------------------------

run=$(mktemp -d /tmp/mempolicy-demo.XXXXXX) || die "cannot make a temp dir"
sock=$run/xenstored.sock
rm -rf "$out"
mkdir -p "$out/logs" "$out/data" || die "cannot create $out"
: >"$out/pids"
pids=()
finished=0

# Start a background process in a process group of its own, so that
# stopping the group stops a pipeline whole.  Its pid is recorded for
# cleanup, and in OUT/pids so that the test can check nothing is left.
spawn() {
    local name=$1
    shift
    setsid "$@" &
    pids+=("$!")
    echo "$! $name" >>"$out/pids"
}

cleanup() {
    local pid i guard
    [ ${#pids[@]} -gt 0 ] || { rm -rf "$run"; return; }
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM -- "-${pids[i]}" 2>/dev/null ||
            kill -TERM "${pids[i]}" 2>/dev/null
    done
    # A process that ignores SIGTERM gets SIGKILL after 5 s: a guard,
    # not a synchronisation.
    (sleep 5 && for pid in "${pids[@]}"; do
         kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
     done 2>/dev/null) &
    guard=$!
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null
    done
    kill "$guard" 2>/dev/null
    wait "$guard" 2>/dev/null
    pids=()
    rm -rf "$run"
}

on_exit() {
    local rc=$?
    cleanup
    if [ "$finished" = 0 ]; then
        echo "run-demo.sh: stopped; everything it started is gone" >&2
        [ "$rc" = 0 ] && rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'echo; echo "run-demo.sh: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

export XENSTORED_PATH=$sock
export MEMPOLICY_XL_CONF=$demo/xl.conf

# ---- the simulated clock ---------------------------------------------

# xensim publishes the simulated time; a watch on it wakes us as it moves.
# The watch runs as a coprocess whose output we read line by line.
clock_node=/tool/xensim/time

sim_now() {
    xenstore-read "$clock_node" 2>/dev/null || echo 0
}

# Wait until the simulated clock reaches $1 seconds.
clock_start() {
    coproc CLOCK { exec xenstore-watch "$clock_node"; }
    pids+=("$CLOCK_PID")
    echo "$CLOCK_PID clock-watch" >>"$out/pids"
}

clock_wait() {
    local want=$1 line
    while awk -v n="$(sim_now)" -v w="$want" 'BEGIN { exit !(n < w) }'; do
        read -r -t 30 -u "${CLOCK[0]}" line ||
            die "the simulated clock stopped before ${want}s"
    done
}

# ---- the show ----------------------------------------------------------

say() {
    printf '\n\033[1m[%6.1fs] %s\033[0m\n' "$(sim_now)" "$*"
}

xlmem() {
    "$bin/xlmem" "$@"
}

start_host() {
    spawn xensim "$bin/xensim" --socket "$sock" \
        --scenario "$demo/scenario.json" --speed "$speed" \
        --record "$out/record.csv" >"$out/logs/xensim.log" 2>&1
}

start_actors() {
    local a
    for a in xl-auto xl-manual sharing mempolicyd; do
        spawn "$a" "$bin/$a" -v >"$out/logs/$a.log" 2>&1
    done
    # The policy events, as they happen, indented under the narrative.
    spawn mem-watch bash -c '"$0" mem-watch 2>&1 | tee "$1" |
                             sed -u "s/^/    event: /"' \
        "$bin/xlmem" "$out/events.log"
}

play_timeline() {
    local t kind args
    while read -r t kind args; do
        case $t in ''|'#'*) continue ;; esac
        clock_wait "$t"
        case $kind in
        xlmem)
            say "# xlmem $args"
            printf '%s\t%s\t%s\n' "$t" "$(awk '{ print $2 }' <<<"$args")" \
                "$args" >>"$out/data/actions.dat"
            # shellcheck disable=SC2086
            xlmem $args || echo "    (xlmem exited with status $?)"
            ;;
        show)
            say "$args"
            xlmem mem-list
            ;;
        end)
            break
            ;;
        *)
            die "demo/timeline: unknown step '$kind' at ${t}s"
            ;;
        esac
    done <"$demo/timeline"
}

echo "libmempolicy demo: simulated host at ${speed}x, output in $out"
start_host
clock_start
start_actors
play_timeline
finished=1
