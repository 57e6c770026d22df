#!/bin/bash
# run-demo.sh: the product at work on the simulated host (`make demo`).
#
#   demo/run-demo.sh [--short] [--stepped] [--speed X] [--out DIR] [BUILD]
#
# Starts xensim with demo/scenario.json, the actors (xl-auto, xl-manual,
# sharing) and mempolicyd (which gives the newcomer the default policy of
# demo/xl.conf), follows the policy events with `xlmem mem-watch`, and
# plays the administrator's commands of demo/timeline at their moments of
# simulated time.  At the end it draws OUT/demo.png (demo/plot.gp) from
# xensim's recording and prints a verdict per domain (demo/verdict.awk).
#
# Design:
#  - one minute of simulated time; --speed 3 by default (20 s of real
#    time), --short runs the same story at --speed 10 for the test;
#  - --stepped (the test's): the script holds xensim's clock and steps it
#    up to two seconds at a time, each step finished only once every actor has
#    run the timers it made due (docs/determinism.md), so the outcome
#    does not depend on the machine's speed: under load a running clock
#    leaves the actors behind in simulated time (the sharing actor's scan
#    slices, one per 100 ms, come late and the scan misses the end);
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
speed=3
stepped=0
out=
build=

die() {
    echo "run-demo.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -u/{/^#/s/^# \{0,1\}//p}' "$0"
}

while [ $# -gt 0 ]; do
    case $1 in
    --short) speed=10 ;;
    --stepped) stepped=1 ;;
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
# Stepped, the clock barely runs between xensim's start and the hold.
[ "$stepped" = 0 ] || speed=0.001

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

pids=()
names=()
finished=0
run=

# Start a background process in a process group of its own, so that
# stopping the group stops a pipeline whole: spawn NAME LOG CMD [ARGS...]
# with stdout and stderr to LOG ("-": left as they are) and, when
# $ready_fifo is set, fd 3 opened on it (xensim's --ready-fd 3).  The
# redirections are made in the child, where opening the FIFO may wait
# for its reader.  The pid is recorded for cleanup, and in OUT/pids so
# that the test can check that nothing is left.
spawn() {
    local name=$1 log=$2
    shift 2
    (
        [ "$log" = - ] || exec >"$log" 2>&1
        [ -z "${ready_fifo:-}" ] || exec 3>"$ready_fifo"
        exec setsid "$@"
    ) &
    pids+=("$!")
    names+=("$name")
    echo "$! $name" >>"$out/pids"
}

# Stop everything spawned, newest first, each gone before the next is
# asked (the actors before xensim: an actor whose store vanished first
# would rightly exit 1), and record how each ended in OUT/exits ("PID
# NAME STATUS"; 143 is "killed by SIGTERM"), and in OUT/died-early the
# names of those that had ended before being asked.
cleanup() {
    local i rc gfd gpid
    if [ ${#pids[@]} -gt 0 ]; then
        for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
            kill -0 "${pids[i]}" 2>/dev/null ||
                echo "${names[i]}" >>"$out/died-early"
            kill -TERM -- "-${pids[i]}" 2>/dev/null ||
                kill -TERM "${pids[i]}" 2>/dev/null
            # One that ignores SIGTERM gets SIGKILL after 60 s: a guard,
            # not a synchronisation.  It reads a pipe this shell closes
            # once the process is gone: EOF ends it at once, however
            # soon that is (no kill of a guard that may not have started
            # yet); only a timeout (status > 128) sends the SIGKILL.
            exec {gfd}> >(read -r -t 60 || [ $? -le 128 ] ||
                          kill -KILL -- "-${pids[i]}" 2>/dev/null ||
                          kill -KILL "${pids[i]}" 2>/dev/null)
            gpid=$!
            wait "${pids[i]}" 2>/dev/null
            rc=$?
            echo "${pids[i]} ${names[i]} $rc" >>"$out/exits"
            exec {gfd}>&-
            wait "$gpid" 2>/dev/null
        done
        pids=()
        names=()
    fi
    [ -z "$run" ] || rm -rf "$run"
}

on_exit() {
    local rc=$?
    cleanup
    if [ "$finished" = 0 ] && [ -s "$out/pids" ]; then
        echo "run-demo.sh: stopped; everything it started is gone" >&2
    fi
    if [ "$finished" = 0 ]; then
        [ "$rc" = 0 ] && rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'echo; echo "run-demo.sh: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

run=$(mktemp -d /tmp/mempolicy-demo.XXXXXX) || die "cannot make a temp dir"
sock=$run/xenstored.sock
# OUT is replaced only when it is empty or an earlier demo's output.
if [ -e "$out" ] && [ ! -e "$out/pids" ] &&
   [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    die "$out exists and is not a demo's output; choose another --out"
fi
rm -rf "$out"
mkdir -p "$out/logs" "$out/data" || die "cannot create $out"
: >"$out/pids"
echo "$run" >"$out/rundir"

export XENSTORED_PATH=$sock
export MEMPOLICY_XL_CONF=$demo/xl.conf

# ---- the simulated clock ---------------------------------------------

# xensim publishes the simulated second in /tool/xensim/time while the
# scenario runs.  A xenstore watch on it, kept as a coprocess, wakes the
# script each time it moves (and once when the watch is registered, so a
# change between a read and the wait is never missed).
clock_node=/tool/xensim/time
now=0

sim_now() {
    now=$(xenstore-read "$clock_node" 2>/dev/null) || now=0
    [[ $now =~ ^[0-9]+$ ]] || now=0
}

clock_start() {
    [ "$stepped" = 0 ] || return 0
    coproc CLOCK { exec xenstore-watch "$clock_node"; }
    pids+=("$CLOCK_PID")
    names+=(clock-watch)
    echo "$CLOCK_PID clock-watch" >>"$out/pids"
}

# One request on xensim's hypervisor channel (docs/hv-channel.md): the
# build's C client when it has one (a python start costs seconds on a
# loaded machine, and --stepped makes a request a step).
hv() {
    if [ -x "$build/tests/actor-probe" ]; then
        "$build/tests/actor-probe" hv "$@"
    else
        "$top/tools/xensim/xensim-hv" "$@"
    fi
}

# --stepped: hold the clock from the start.
clock_hold() {
    [ "$stepped" = 1 ] || return 0
    hv clock pause >/dev/null || die "cannot hold xensim's clock"
}

# --stepped: $1 ms of simulated time pass, then every running actor
# (announced under /tool/mempolicy/actors) has caught up: the kit writes
# the held time to .../<actor>/clock once none of its timers is due.
clock_step() {
    local r ms a v line wfd wpid
    r=$(hv clock step "$1") || die "clock step: $r"
    ms=${r#*ms=}
    ms=${ms%% *}
    for a in $(xenstore-list /tool/mempolicy/actors 2>/dev/null); do
        v=$(xenstore-read "/tool/mempolicy/actors/$a/clock" 2>/dev/null)
        [ "$v" != "$ms" ] || continue
        exec {wfd}< <(exec xenstore-watch "/tool/mempolicy/actors/$a/clock" \
                      2>/dev/null)
        wpid=$!
        while :; do
            v=$(xenstore-read "/tool/mempolicy/actors/$a/clock" 2>/dev/null)
            [ "$v" = "$ms" ] && break
            # A bound, not a pause: a dead actor must not hang the demo.
            read -r -t 60 -u "$wfd" line ||
                die "actor $a did not catch up with the clock at ${ms} ms"
        done
        kill "$wpid" 2>/dev/null
        exec {wfd}<&-
    done
}

# Wait until the simulated clock reaches $1 seconds.
clock_wait() {
    local want=$1 line
    sim_now
    if [ "$stepped" = 1 ]; then
        # Steps of 2 s at most: the actors' answers to store events (not
        # timers) come between steps, as they would every few ticks.
        while ((now < want)); do
            clock_step $(( want - now > 2 ? 2000 : (want - now) * 1000 ))
            sim_now
        done
        return
    fi
    while ((now < want)); do
        read -r -t 30 -u "${CLOCK[0]}" line ||
            die "the simulated clock stopped before ${want}s"
        sim_now
    done
}

# ---- the show ----------------------------------------------------------

# Colours only on a terminal.
if [ -t 1 ]; then
    bold=$'\033[1m' green=$'\033[32m' red=$'\033[31m' plain=$'\033[0m'
    dim=$'\033[36m'
else
    bold='' green='' red='' plain='' dim=''
fi

say() {
    printf '\n%s[%5.1fs] %s%s\n' "$bold" "$now" "$*" "$plain"
}

xlmem() {
    "$bin/xlmem" "$@"
}

# xensim says "ready" on a pipe once it serves the store, with the
# scenario's first domains already created.
start_host() {
    local line
    mkfifo "$run/ready" || die "cannot create $run/ready"
    ready_fifo=$run/ready spawn xensim "$out/logs/xensim.log" \
        "$bin/xensim" --socket "$sock" --ready-fd 3 \
        --scenario "$demo/scenario.json" --speed "$speed" \
        --record "$out/record.csv"
    read -r -t 30 line <"$run/ready"
    [ "$line" = ready ] ||
        die "xensim did not start: $(tail -n 3 "$out/logs/xensim.log")"
}

# The policy targets the domains were created with (xl create writes
# them, and so does xensim), as the first points of the target series;
# mem-watch adds every later change.
initial_targets() {
    local id kb
    sim_now
    for id in $(xenstore-list /local/domain); do
        kb=$(xenstore-read "/libxl/$id/memory-policy/target" 2>/dev/null) ||
            continue
        echo "$now $id target $kb - -"
    done >>"$out/data/events.dat"
}

start_actors() {
    local a line
    for a in xl-auto xl-manual sharing mempolicyd; do
        spawn "$a" "$out/logs/$a.log" "$bin/$a" -v
    done
    # The policy events as they happen, indented under the narrative; the
    # timeline starts once mem-watch has subscribed.
    mkfifo "$run/watching" || die "cannot create $run/watching"
    # shellcheck disable=SC2016
    spawn mem-watch - bash -c '"$0" mem-watch 2>&1 |
        awk -W interactive -v logfile="$1" -v ready="$2" \
            -v color="$3" -v plain="$4" -f "$5"' \
        "$bin/xlmem" "$out/data/events.dat" "$run/watching" "$dim" "$plain" \
        "$demo/events.awk"
    read -r -t 30 line <"$run/watching"
    [ "$line" = ready ] || die "xlmem mem-watch did not start"
}

play_timeline() {
    local t kind args
    while read -r t kind args; do
        case $t in ''|'#'*) continue ;; esac
        [[ $t =~ ^[0-9]+$ ]] ||
            die "demo/timeline: '$t' is not a whole simulated second"
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

# The policies as they stand at the end, read from the store before it
# goes away: name domid actor params target-MiB target-state, "-" for an
# absent or empty value (actor "" is "none", no policy at all is "-").
save_policies() {
    local id name actor params target state p=/libxl
    for id in $(xenstore-list /local/domain); do
        [ "$id" != 0 ] || continue
        name=$(xenstore-read "/local/domain/$id/name") || continue
        actor=$(xenstore-read "$p/$id/memory-policy/actor" 2>/dev/null) ||
            actor=-
        [ -n "$actor" ] || actor=none
        params=$(xenstore-read "$p/$id/memory-policy/actor-params" \
                 2>/dev/null) || params=
        target=$(xenstore-read "$p/$id/memory-policy/target" \
                 2>/dev/null) || target=
        [ -z "$target" ] || target=$((target / 1024))
        # Reached or not: the library's verdict (mempolicy_target_cmp).
        state=$(xlmem mem-list -j "$id" 2>/dev/null |
                sed -n 's/.*"target_state": "\([a-z]*\)".*/\1/p')
        echo "$name $id $actor ${params:--} ${target:--} ${state:--}"
    done >"$out/data/final.txt"
}

plot() {
    awk '{
            printf "%s\t%s (domain %s): %s%s\n", $1, $1, $2,
                   $3 == "-" ? "no policy" : $3 == "none" ? "no actor" : $3,
                   $4 == "-" ? "" : " " $4
        }' "$out/data/final.txt" >"$out/data/domains.txt"
    awk -v dir="$out/data" -f "$demo/record.awk" "$out/record.csv" ||
        die "cannot read the recording $out/record.csv"
    # The policy target of each domain, a step at each event mem-watch
    # saw, held to the end of the recording.
    awk -v dir="$out/data" '
        FILENAME == ARGV[1] { name[$2] = $1; next }
        FILENAME == ARGV[2] { tend = $1; next }
        $3 == "target" && ($2 in name) {
            f = dir "/ptarget-" name[$2] ".dat"
            if ($4 == "-") { print "" > f; last[f] = ""; next }
            printf "%s %.1f\n", $1, $4 / 1024 > f
            last[f] = $4 / 1024
        }
        END {
            for (i in name) {
                f = dir "/ptarget-" name[i] ".dat"
                if (f in last && last[f] != "")
                    printf "%s %.1f\n", tend, last[f] > f
                else
                    printf "" > f
            }
        }' "$out/data/final.txt" "$out/data/host.dat" "$out/data/events.dat"
    touch "$out/data/actions.dat"
    gnuplot -e "dir='$out/data'; png='$out/demo.png'" "$demo/plot.gp" \
        2>"$out/logs/gnuplot.log" ||
        die "gnuplot failed, see $out/logs/gnuplot.log"
}

verdicts() {
    local name id actor params target state line
    while read -r name id actor params target state; do
        [ "$target" != - ] || target=
        [ "$state" != - ] || state=
        awk -v name="$name" -v actor="$actor" -v target="$target" \
            -v state="$state" -v tol=4 \
            -f "$demo/verdict.awk" "$out/data/dom-$name.dat" \
            "$out/data/host.dat"
    done <"$out/data/final.txt" >"$out/verdict.txt"
    while IFS=$'\t' read -r name status line; do
        case $status in
        reached) printf '  %s%-8s %s%s\n' "$green" "$name" "$line" "$plain" ;;
        *) printf '  %s%-8s %s%s\n' "$red" "$name" "$line" "$plain" ;;
        esac
    done <"$out/verdict.txt"
    awk 'NR == 1 { first = $2 } { last = $2 }
         END { printf "  %-8s free memory %d MiB at the start, %d MiB at " \
                      "the end\n", "host", first, last }' "$out/data/host.dat"
}

echo "libmempolicy demo: simulated host at ${speed}x, output in $out"
start_host
clock_hold
clock_start
initial_targets
start_actors
play_timeline
save_policies
cleanup
plot
say "Verdict per domain"
verdicts
if [ -s "$out/died-early" ]; then
    while read -r a; do
        printf '  %swarning: %s ended before the demo did (%s)%s\n' "$red" \
            "$a" "$(awk -v a="$a" '$2 == a { print "status " $3 }' \
                    "$out/exits")" "$plain"
    done <"$out/died-early"
    echo "  see their logs in $out/logs/"
fi
echo
echo "Picture: $out/demo.png"
echo "Events: $out/data/events.dat; logs: $out/logs/;" \
     "recording: $out/record.csv"
finished=1
