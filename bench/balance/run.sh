#!/bin/bash
# bench/balance/run.sh BUILD: the balance actor against no balancer,
# xl-auto on static targets and a qmemman-like baseline (a labelled
# reimplementation of qmemman's published rules, qmemman_like.py), on a
# Qubes-like desktop (desktop.json: 8 GiB host, five VMs whose working
# sets together exceed it from ~50 s to ~90 s, a slow and a stuck balloon,
# a VM started at 60 s), 160 simulated seconds at --speed 10; then the
# reaction time of the balance actor at 10 and 1,000 domains (react.py).
#
# Figures (README table, docs/balance.md): total shortfall (demand above
# resident memory, MiB x s, the guests' own integral) plus the demand of
# a VM that could not start (MiB x s until the end), the worst domain,
# the lowest host free memory and the time under the 72 MiB floor, the
# balloon-target writes, the time from the start request until the new
# VM held its working set.
#
#   bench/balance/run.sh build       (MP_BALANCE_BENCH="balance qmemman")
set -u
B=${1:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
export BENCH_DIR=$HERE BENCH_PROBE=$B/tests/actor-probe
RUNS=${MP_BALANCE_BENCH:-none xl-auto qmemman balance}
SPEED=${MP_BALANCE_SPEED:-10}
END=160
M=1024

sim_time() { xenstore-read /tool/xensim/time 2>/dev/null || echo 0; }

echo "| balancer | shortfall + unstarted (MiB x s) | shortfall | unstarted | worst domain | min host free (MiB) | time under floor (s) | target writes | new VM had its memory after |"
echo "|---|---|---|---|---|---|---|---|---|"
for who in $RUNS; do
    out=$(mktemp -d /tmp/bench-balance.XXXXXX)
    export BENCH_OUT=$out BENCH_REQUEST=0 BENCH_POLICY= BENCH_POLICY_ARGS=
    policy= args=
    case $who in
    balance) policy=balance args=grace=10; BENCH_REQUEST=1 ;;
    qmemman) BENCH_REQUEST=1 ;;
    xl-auto) policy=xl-auto args=delay=5 ;;
    esac
    export BENCH_POLICY=$policy BENCH_POLICY_ARGS=$args
    python3 - "$HERE/desktop.json" "$policy" "$args" >"$out/scenario.json" <<'PY'
import json, re, sys
text = "\n".join(l for l in open(sys.argv[1]) if not l.lstrip().startswith("//"))
sc = json.loads(text)
for d in sc["domains"]:
    if sys.argv[2]:
        d["memory_policy"] = sys.argv[2]
        d["memory_policy_args"] = sys.argv[3]
print(json.dumps(sc, indent=1))
PY
    touch "$out/start.log"
    mkfifo "$out/ready"
    "$B/bin/xensim" --socket "$out/xs" --ready-fd 3 --speed "$SPEED" \
        --scenario "$out/scenario.json" --record "$out/rec.csv" \
        3>"$out/ready" 2>"$out/xensim.log" &
    xpid=$!
    read -r -t 30 _ <"$out/ready"
    export XENSTORED_PATH=$out/xs
    bpid=
    case $who in
    balance)
        MEMPOLICY_BALANCE_STATS=1 "$B/bin/balance" ${MP_BALANCE_ARGS:-} 2>"$out/balancer.log" &
        bpid=$! ;;
    xl-auto) "$B/bin/xl-auto" 2>"$out/balancer.log" & bpid=$! ;;
    qmemman) python3 "$HERE/qmemman_like.py" 2>"$out/balancer.log" &
        bpid=$! ;;
    esac
    # Wait for the end on xensim's clock node (a watch), not by sleeping.
    coproc W { exec xenstore-watch /tool/xensim/time 2>/dev/null; }
    while [ "$(sim_time)" -lt "$END" ]; do read -r -t 30 _ <&"${W[0]}" || break; done
    kill "$W_PID" 2>/dev/null
    for d in $(xenstore-list /local/domain); do
        [ "$d" = 0 ] || "$BENCH_PROBE" hv guestinfo "$d"
    done >"$out/guestinfo"
    if [ -n "$bpid" ]; then
        cpu=$(awk '{ print ($14 + $15) / 100 }' /proc/"$bpid"/stat)
        rss=$(awk '/VmRSS/ { print $2 }' /proc/"$bpid"/status)
        kill -TERM "$bpid"; wait "$bpid" 2>/dev/null
        echo "cpu_s=$cpu rss_kb=$rss" >"$out/usage"
    fi
    kill -TERM "$xpid"; wait "$xpid" 2>/dev/null
    case $who in
    balance) sed -n 's/.*stats .*writes=\([0-9]*\).*/\1/p' "$out/balancer.log" ;;
    qmemman) sed -n 's/.*writes=\([0-9]*\).*/\1/p' "$out/balancer.log" ;;
    *) awk -F, 'NR > 1 { if ($3 in t && t[$3] != $4) n++; t[$3] = $4 }
           END { print n + 0 }' "$out/rec.csv" ;;
    esac >"$out/writes"
    printf 'floor_kb=%d\nend_s=%d\nstart_s=60\nstart_demand_kb=1433600\n' \
        $((72 * M)) "$END" >"$out/params"
    python3 "$HERE/figures.py" "$out" "$who"
    [ -n "${MP_BALANCE_KEEP:-}" ] && echo "  ($out; $(cat "$out/usage" 2>/dev/null))" || rm -rf "$out"
done
