#!/bin/bash
# The balance actor and guests that lie, write garbage or flood their
# memory/meminfo: none changes another guest's memory, crashes the actor
# or makes it log more than once a minute about one guest.  Params that
# do not fit are refused at mem-policy-set (tests/xlmem/policy.t.sh).
#
# Time runs 10x while the guests boot; from the first bad report on,
# xensim's clock is held and stepped (clock_step: the actor has run what
# each step made due), so the guest's 10 s penalty lasts exactly 10 s of
# simulated time whatever the machine's speed: it cannot end before the
# test has looked (a loaded run saw the "reports ignored" status gone
# and the flood taken).  Waiting is on xenstore watches; the log bound is
# checked against the simulated time that passed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"

M=1024
tgt() { xenstore-read "/local/domain/$1/memory/target"; }
st() { xenstore-read "/tool/mempolicy/actors/balance/status/$1" 2>/dev/null; }
status_like() { [[ $(st "$1") =~ $2 ]]; }
sim_s() { "$PROBE" hv time | tr ' ' '\n' | sed -n 's/^ms=//p' |
    awk '{ printf "%d", $1 / 1000 }'; }
as_guest() { local d=$1; shift; as_dom "$d" xenstore-write -- "$@"; }

xensim_start --speed 10 --host-mem 4G
# liar: no meminfo writer of its own, the test writes as the guest.
l=$(mkdom name=liar memory_kb=$((1024 * M)) maxmem_kb=$((1536 * M)) \
    meminfo=none psi=0 memory_policy=balance memory_policy_args=grace=0)
g=$(mkdom name=good memory_kb=$((1024 * M)) maxmem_kb=$((2048 * M)) \
    demand_kb=$((1200 * M)) memory_policy=balance \
    memory_policy_args=grace=0)
actor_start balance --damp 32m
start=$(sim_s)
ok "wait_until status_like $g 'used 1200'" "the good guest is served"
ok "as_guest $l memory/meminfo $((300 * M))" "the liar may write its node"
ok "wait_until status_like $l 'used 300'" "an honest report is taken"
# Held from here; balanced once the host is idle after a step the actor
# caught up with (a settle on the running clock could return before the
# actor's last raise, written after the donors stopped).
ok 'xensim_hv clock pause' "the clock is held"
idle() { "$PROBE" hv time | grep -q ' moving=0$'; }
clock_step 1000 balance
step_until balance 1000 idle
tg=$(tgt "$g")

# Garbage: one problem starts the penalty, the rest is not even read
# (2,000 bytes: a guest's node record is bounded by the store at 2 KiB).
for v in lots -5 "12 " 0x10 99999999999999999999999 \
    "$(printf '%02000d' 7)"; do
    as_guest "$l" memory/meminfo "$v"
done
ok "wait_until status_like $l '^reports ignored: report is not a number'" \
    "garbage: the guest's reports are ignored, and the status says why"
as_guest "$l" memory/pressure "abc"
# A flood: 3,000 writes in one go.
args=()
for i in $(seq 3000); do args+=(memory/meminfo $((100000 + i))); done
ok "as_dom $l xenstore-write ${args[*]}" "3,000 reports in a row"
ok "kill -0 $ACTOR_PID" "the actor is alive"
ok 'clock_step 5000 balance' "5 s of the penalty pass, the actor caught up"
is "$(tgt "$g")" "$tg" "the good guest's target did not move"
like "$(st "$g")" "used 1200" "the good guest is still explained"
like "$(st "$l")" "^reports ignored" "the liar is still ignored, 5 s in"

# After the penalty, the claim of more than it can hold counts as at
# most static-max, and the good guest keeps what it uses.
ok "as_guest $l memory/pressure 0.00" "its pressure node is sane again"
ok "as_guest $l memory/meminfo 999999999999" "a claim of 1 PB"
ok "step_until balance 1000 status_like $l 'used 1536'" \
    "once its penalty is over: counted as static-max, not more" ||
    diag "liar: $(st $l)"
ok "[ $(tgt "$g") -ge $((1200 * M)) ]" \
    "the good guest still has what it uses ($(tgt "$g") KiB)"
ok "[ $(tgt "$l") -le $((1536 * M)) ]" "the liar never above static-max"
ok "kill -0 $ACTOR_PID" "the actor is alive"
elapsed=$(($(sim_s) - start))
lines=$(actor_log | grep -c "domain $l: memory/")
ok "[ $lines -ge 1 ] && [ $lines -le $((1 + elapsed / 60)) ]" \
    "at most one log line a minute about the guest ($lines in ${elapsed} s)"
is "$(actor_log | grep -v debug | grep -c "domain $g:")" 0 "nothing logged about the good guest" || diag "$(actor_log | grep "domain $g:" | head -3)"
xensim_hv clock resume >/dev/null
actor_stop
done_testing
