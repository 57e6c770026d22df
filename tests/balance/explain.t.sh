#!/bin/bash
# The explanation of a target the actor planned twice in one pass, on
# xensim's held clock.  When a small change is held back by the damping
# the others are planned again around it, each kept at most (or at
# least) at its first plan, and that first plan is what explains the
# target: the status line used to name the re-plan's cap "static-max"
# ("718 MiB = static-max (used 708)" for a guest far below its
# static-max, seen in bench/balance's desktops).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"
. "$(dirname "$0")/common.sh"

M=1024
xensim_start --speed 20 --host-mem 4G
xensim_hv clock pause >/dev/null
doms=
for g in a b c d e; do
    doms="$doms $(mkdom name=$g memory_kb=$((600 * M)) maxmem_kb=$((2048 * M)) \
        demand_kb=$((560 * M)) memory_policy=balance \
        memory_policy_args=grace=0)"
done
set -- $doms
a=$1 e=$5
actor_start balance
ok "step status_like $e 'used 560'" "every guest reports"
ok "settle" "balanced"

# At once: e a little short (its raise within the damping: held back),
# a much shorter (its raise written).  The re-plan around e keeps a at
# its first plan.
"$PROBE" hv guest_set "$e" demand_kb=$((620 * M)) >/dev/null
"$PROBE" hv guest_set "$a" demand_kb=$((760 * M)) >/dev/null
both() { status_like "$e" "used $1" && status_like "$a" "used $2"; }
ok "step both 620 760" "both report"
ok "settle" "balanced again"
diag "a: $(st "$a")"
diag "e: $(st "$e")"
ok "[ $(tgt "$a") -gt $((600 * M)) ]" "a was raised ($(tgt "$a") KiB)"
ok "! status_like $a static-max" \
    "a's line does not blame static-max (2048 MiB; it holds $(($(tgt "$a") / M)))"
like "$(st "$a")" "^[0-9]+ MiB (= used|of used)" \
    "it says what its plan gave it"
for d in $doms; do
    ok "! status_like $d static-max" "domain $d: no static-max in its line"
done

actor_stop
xensim_stop
done_testing
