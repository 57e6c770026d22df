#!/bin/bash
# bench/balance/run.sh BUILD [SCENARIO...]: the balance actor against no
# balancer, xl-auto on static targets and the qmemman-like baseline (a
# labelled reimplementation of qmemman's published rules,
# qmemman_like.py) on Qubes-like desktops (scenarios/*.json, all of them
# unless named: desktop, four, six, bursty, fullstart, slowstuck), each
# run by desktop.py on xensim's held clock: the simulated-time figures do
# not depend on the machine's speed or load.
#
# One table per scenario (README, docs/benchmarks.md): total shortfall
# (demand above resident memory, MiB x s, the guests' own integral) plus
# the demand of a VM that could not start (MiB x s until the end), the
# worst domain, the lowest host free memory and the time under the
# 72 MiB floor, the balloon-target writes, the time from the start
# request until the new VM held its working set.
#
#   bench/balance/run.sh build                 (MP_BALANCE_BENCH="balance qmemman")
#   MP_BALANCE_KEEP=1: keep each run's directory (recording, logs)
set -u
B=${1:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
shift
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${MP_BALANCE_BENCH:-none xl-auto qmemman balance}
if [ $# -eq 0 ]; then
    set -- desktop four six bursty fullstart slowstuck
fi
for s in "$@"; do
    f=$HERE/scenarios/$s.json
    [ -f "$f" ] || f=$s
    echo "scenario $(basename "$f" .json):"
    echo
    echo "| balancer | shortfall + unstarted (MiB x s) | shortfall | unstarted | worst domain | min host free (MiB) | time under floor (s) | target writes | new VM had its memory after |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for who in $RUNS; do
        out=$(mktemp -d /tmp/bench-balance.XXXXXX)
        if python3 "$HERE/desktop.py" "$B" "$f" "$who" "$out"; then
            python3 "$HERE/figures.py" "$out" "$who"
        else
            echo "| $who | failed: $(tail -1 "$out/balancer.log" 2>/dev/null) |"
        fi
        [ -n "${MP_BALANCE_KEEP:-}" ] && echo "  ($out; $(cat "$out/usage" 2>/dev/null))" || rm -rf "$out"
    done
    echo
done
