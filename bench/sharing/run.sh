#!/bin/bash
# bench/sharing/run.sh BUILD: the sharing actor's scan speed and cost.
#
# A private xensim (--speed 1000, so host-time budgets do not limit) with
# N HVM guests of SIZE each built from one image (25% zero pages, 50% of
# the rest image pages), all with actor "sharing"; one sharing actor with
# budgets far above what the CPU can do (rate= and --max-rate 16M
# pages/s), so the figures are what the actor and the hypervisor channel
# can do.  Measured from the actor's start to the end of the first pass
# over every domain (seen through xenstore watches):
#   pages/s        pages fingerprinted per second of wall time
#   actor CPU/GiB  the actor's user+system CPU per GiB scanned
#   hv CPU/GiB     the simulated hypervisor's (xensim) CPU per GiB: the
#                  other side of every page_hashes/nominate/share call
#   shares/s       successful share calls per second
# Then the idle check: the actor's context switches over 5 s after the
# scan, with nothing shared changing (cow-check=0): the goal is 0.
#
#   bench/sharing/run.sh build            (MP_SHARING_BENCH="8 512" for
#                                          N=8 guests of 512 MiB)
set -u
B=${1:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
read -r N SIZE_MIB <<<"${MP_SHARING_BENCH:-4 256}"
T=$(mktemp -d /tmp/sharing-bench.XXXXXX)
XPID=
APID=
cleanup() {
    [ -n "$APID" ] && kill -9 "$APID" 2>/dev/null
    [ -n "$XPID" ] && kill -9 "$XPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

cpu_s() {   # user+system seconds of a process
    awk '{printf "%.3f\n", ($14 + $15) / '"$(getconf CLK_TCK)"'}' \
        "/proc/$1/stat"
}
switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '/ctxt_switches/ {s += $2} END {print s}'
}

python3 - "$N" "$SIZE_MIB" >"$T/scenario.json" <<'PY'
import json, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
doms = [{"name": "g%d" % i, "type": "hvm", "memory": "%dM" % size,
         "maxmem": "%dM" % size, "balloon": "cooperative",
         "sharing": {"image": "bench", "zero": 0.25, "shared": 0.5},
         "memory_policy": "sharing",
         "memory_policy_args": "rate=16777216,cow-check=0"}
        for i in range(1, n + 1)]
print(json.dumps({"host": {"memory": "%dM" % (n * size + 2048),
                           "sharing": True}, "domains": doms}))
PY

mkfifo "$T/ready"
"$B/bin/xensim" --socket "$T/xs" --ready-fd 3 --scenario "$T/scenario.json" \
    --speed 1000 3>"$T/ready" 2>"$T/xensim.log" &
XPID=$!
read -r -t 30 line <"$T/ready" || { echo "xensim did not start"; exit 1; }
export XENSTORED_PATH=$T/xs

pages=$((N * SIZE_MIB * 256))
x0=$(cpu_s $XPID)
t0=$(date +%s.%N)
"$B/bin/sharing" -d -p "$T/sharing.pid" --max-rate 16777216 \
    2>"$T/sharing.log" </dev/null || { cat "$T/sharing.log"; exit 1; }
APID=$(cat "$T/sharing.pid")
# The pass is over when no domain is scanning any more, every domain
# taken and something scanned.  (Not "scanned >= N x SIZE": the scan
# covers the guest frames that have a page, 0..max_gpfn less the VGA
# hole, and memory = includes video RAM and firmware pages that are no
# guest frames; the old condition never held after the frames-based
# scan, and the run waited for its 600 s bound.)
done_scan() {
    local r=/tool/mempolicy/sharing
    [ "$(xenstore-read $r/scanning 2>/dev/null)" = 0 ] &&
    [ "$(xenstore-read $r/domains 2>/dev/null)" = "$N" ] &&
    [ "$(xenstore-read $r/scanned 2>/dev/null)" -gt 0 ] 2>/dev/null
}
coproc W { exec xenstore-watch /tool/mempolicy/sharing; }
until done_scan; do
    read -r -t 600 _ <&"${W[0]}" || { echo "scan did not finish"; exit 1; }
done
t1=$(date +%s.%N)
# SIGKILL, never SIGTERM: before it exec'd the coprocess is a copy of
# this shell and would run its EXIT trap (tests/lib.sh _watch_stop).
kill -KILL "$W_PID" 2>/dev/null
wait "$W_PID" 2>/dev/null
a1=$(cpu_s "$APID")
x1=$(cpu_s $XPID)
saved=$(xenstore-read /tool/mempolicy/sharing/saved_kb)
pages=$(xenstore-read /tool/mempolicy/sharing/scanned)
shares=$((saved / 4))

s0=$(switches "$APID")
sleep 5   # measuring idleness, not synchronising
s1=$(switches "$APID")

python3 - "$N" "$SIZE_MIB" "$pages" "$t0" "$t1" "$a1" "$x0" "$x1" \
    "$shares" "$saved" "$s0" "$s1" <<'PY'
import sys
n, size, pages = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t0, t1, a1, x0, x1 = map(float, sys.argv[4:9])
shares, saved, s0, s1 = map(int, sys.argv[9:13])
wall = t1 - t0
gib = pages / 262144.0
print("%d guests x %d MiB, one pass: %d pages (%.2f GiB) scanned:" %
      (n, size, pages, gib))
print("  wall %.2f s  pages/s %.0f  shares/s %.0f  saved %d MiB" %
      (wall, pages / wall, shares / wall, saved // 1024))
print("  actor CPU %.2f s = %.2f s/GiB   hv (xensim) CPU %.2f s = "
      "%.2f s/GiB" % (a1, a1 / gib, x1 - x0, (x1 - x0) / gib))
print("  idle after the scan: %.1f context switches/s" % ((s1 - s0) / 5.0))
PY
kill -TERM "$APID"
timeout 30 tail --pid="$APID" -f /dev/null
APID=
