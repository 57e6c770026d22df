#!/bin/bash
# bench/xlmem/run.sh BUILD: what xlmem commands cost, and how fast
# mempolicyd gives a new domain its default policy, with 1, 100 and 1,000
# domains on the simulated host.
#
#   cmd        wall time of whole xlmem runs (process start, store
#              connection, the calls), mean of R runs each;
#   mempolicyd from sending xensim's `create` verb (a toolstack that sets
#              no policy) to a xenstore watch seeing the domain's
#              memory-policy/actor node written by mempolicyd: p50, p99,
#              max over 100 domains created one after the other;
#   idle       mempolicyd's context switches per second over 5 s with
#              nothing happening (the goal is 0).
#
#   bench/xlmem/run.sh build        (or MP_XLMEM_BENCH_N="1 100")
set -u
B=${1:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
NS=${MP_XLMEM_BENCH_N:-1 100 1000}
X=$B/bin/xlmem
export MEMPOLICY_XL_CONF=/dev/null

# ms RUNS CMD...: mean wall time of CMD in ms.
ms() {
    local runs=$1 i t0 t1; shift
    t0=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do
        "$@" >/dev/null || { echo "failed: $*" >&2; return 1; }
    done
    t1=$(date +%s%N)
    awk -v d=$((t1 - t0)) -v n="$runs" 'BEGIN {printf "%.2f", d / n / 1e6}'
}

switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '/ctxt_switches/ {s += $2} END {print s}'
}

for N in $NS; do
    dir=$(mktemp -d /tmp/bench-xlmem.XXXXXX)
    mkfifo "$dir/ready" "$dir/derr"
    "$B/bin/xensim" --socket "$dir/xs.sock" --ready-fd 3 --domains "$N" \
        3>"$dir/ready" 2>"$dir/xensim.log" &
    xpid=$!
    read -r -t 120 line <"$dir/ready"
    export XENSTORED_PATH=$dir/xs.sock
    R=50
    [ "$N" -ge 1000 ] && R=5
    echo "== $N domains"
    printf '  %-36s %8s ms\n' "mem-set guest1 256" "$(ms 50 "$X" mem-set guest1 256)"
    printf '  %-36s %8s ms\n' "mem-policy-set guest1 xl-auto" \
        "$(ms 50 "$X" mem-policy-set guest1 xl-auto delay=1)"
    printf '  %-36s %8s ms\n' "mem-policy-get guest1" "$(ms 50 "$X" mem-policy-get guest1)"
    printf '  %-36s %8s ms\n' "mem-list guest1" "$(ms 50 "$X" mem-list guest1)"
    printf '  %-36s %8s ms\n' "mem-list (all)" "$(ms $R "$X" mem-list)"
    printf '  %-36s %8s ms\n' "mem-list -j (all)" "$(ms $R "$X" mem-list -j)"

    printf 'memory_policy = "xl-manual"\n' >"$dir/xl.conf"
    "$B/bin/mempolicyd" -v -c "$dir/xl.conf" 2>"$dir/derr" &
    dpid=$!
    exec 7<"$dir/derr"
    while read -r -t 120 line <&7; do
        [ "$line" == "mempolicyd: ready" ] && break
    done
    python3 - "$(xenstore-read /tool/xensim/hv-socket)" <<'EOF'
import socket, subprocess, sys, time
hv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
hv.connect(sys.argv[1])
hvf = hv.makefile()
w = subprocess.Popen(["xenstore-watch", "/libxl"], stdout=subprocess.PIPE,
                     text=True)
w.stdout.readline()                     # the watch being set
lat = []
for i in range(100):
    t0 = time.monotonic()
    hv.sendall(("create name=bench%d memory_kb=65536\n" % i).encode())
    domid = hvf.readline().split("domid=")[1].strip()
    want = "/libxl/%s/memory-policy/actor" % domid
    while w.stdout.readline().strip() != want:
        pass
    lat.append((time.monotonic() - t0) * 1000)
w.kill()
lat.sort()
print("  %-36s p50 %.2f  p99 %.2f  max %.2f ms" % (
    "mempolicyd: create -> policy", lat[49], lat[98], lat[99]))
EOF
    s0=$(switches "$dpid")
    sleep 5   # measuring idleness: nothing may happen in these 5 s
    s1=$(switches "$dpid")
    printf '  %-36s %8s /s\n' "mempolicyd idle wake-ups" \
        "$(awk -v d=$((s1 - s0)) 'BEGIN {printf "%.1f", d / 5}')"
    kill -TERM "$dpid"
    wait "$dpid"
    exec 7<&-
    kill -TERM "$xpid"
    wait "$xpid"
    rm -rf "$dir"
done
