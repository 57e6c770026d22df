#!/bin/bash
# Reservations (docs/reservations.md) with the balance actor on xensim's
# HELD clock: balloons move, deadlines pass and reservations expire only
# when the test steps the clock, so nothing depends on the machine's
# speed.  Every step waits (clock_step) until the actor has run what it
# made due; every other wait is on a store watch.
#  - two `xlmem create`s at once that do not fit together: one granted,
#    the other refused with the figures, nothing created for it;
#  - the granted start is paid by ballooning the others down, free before
#    allocate: host free memory never under the floor in the recording;
#    the new domain's memory counted once (handed over: the reservation
#    ends, the others are not squeezed for it twice);
#  - a reservation whose creator is gone ends a lifetime after its grant
#    (and not before), the memory returns; one whose creator lives stays;
#  - the actor restarted keeps a granted reservation held;
#  - min_guarantee is a floor for admission;
#  - bad input: larger than the host, zero, negative, unknown, expired,
#    released twice: one line, non-zero exit, store unchanged.
. "$(dirname "$0")/../xlmem/common.sh"
. "$(dirname "$0")/../actors/common.sh"
# tests/lib.sh's wait_node (a value; xlmem/common.sh's only waits for the
# node to exist), for clock_step.
wait_node() { wait_match "$1" "^$2\$"; }

M=1024
FLOOR=$((72 * M))
REC=$T/rec.csv
X=$XLMEM
tgt() { xenstore-read "/local/domain/$1/memory/target"; }
st() { xenstore-read "/tool/mempolicy/actors/balance/status/$1" 2>/dev/null; }
status_like() { [[ $(st "$1") =~ $2 ]]; }
free_kb() { "$PROBE" hv physinfo | tr ' ' '\n' | sed -n 's/^free_kb=//p'; }
resv_state() { xenstore-read "/tool/mempolicy/reservations/$1/state" 2>/dev/null; }
resv_gone() { ! xenstore-exists "/tool/mempolicy/reservations/$1" 2>/dev/null; }
no_pending() { ! xenstore-ls /tool/mempolicy/reservations 2>/dev/null |
    grep -q 'state = "pending"'; }
target_ge() { [ "$(tgt "$1")" -ge "$2" ]; }
# Lowest host free memory in the recording (KiB).
min_free() { awk -F, 'NR > 1 && (m == "" || $11 + 0 < m) { m = $11 + 0 }
    END { print m }' "$REC"; }
free_le() { [ "$(free_kb)" -le "$1" ]; }
resv_ids() { xenstore-list /tool/mempolicy/reservations 2>/dev/null |
    grep -v next-id; }
resv_any() { [ -n "$(resv_ids)" ]; }
# A balloon at its target.
at_tgt() { local d=$(($(info "$1" actual) - $(tgt "$1")))
    [ "${d#-}" -le 2048 ]; }
settled() { at_tgt "$a" && at_tgt "$b" && at_tgt "$n" && no_pending; }

start_sim --host-mem 4G --record "$REC"
xensim_hv clock pause >/dev/null
# dom0 1024 MiB; a and b (balance, using 300 MiB each, floor 200) hold
# 1400 MiB each: 272 MiB free, 2400 MiB could be given back.
a=$(mkdom name=a memory_kb=$((1400 * M)) maxmem_kb=$((2048 * M)) \
    demand_kb=$((300 * M)) memory_policy=balance memory_policy_args=grace=0)
b=$(mkdom name=b memory_kb=$((1400 * M)) maxmem_kb=$((2048 * M)) \
    demand_kb=$((300 * M)) memory_policy=balance memory_policy_args=grace=0)
actor_start balance
ok "wait_until status_like $a 'used 300' && wait_until status_like $b 'used 300'" \
    "both guests reported"
ok "step_until balance 200 no_pending" "the actor is settled"

# ---- two starts at once that do not fit together ---------------------------
for n in x y; do
    cat >"$T/$n.cfg" <<EOF
name = "$n"
memory = 1500
maxmem = 1500
memory_policy = "balance"
memory_policy_args = "grace=0"
EOF
done
# Each needs 1508 MiB (1500 + libxl's overhead for a PV guest with one
# vcpu: 4 x (256 + 1500) + 1024 KiB, rounded up to 2 MiB); the host can
# make 2600 MiB free above the floor (272 free + 2 x 1200 above the
# guests' floors - 72): one fits, not both.
"$X" create "$T/x.cfg" >"$T/x.out" 2>"$T/x.err" &
px=$!
"$X" create "$T/y.cfg" >"$T/y.out" 2>"$T/y.err" &
py=$!
# With the clock held nothing can be freed yet: the one refused is
# refused at once (the plan cannot meet both), the other waits.
wait -n -p first $px $py
r1=$?
if [ "$first" = "$px" ]; then lost=x won=y pw=$py; else lost=y won=x pw=$px; fi
is "$r1" 1 "the first to finish was refused (status 1)"
like "$(cat "$T/$lost.err")" \
    "^xlmem create: cannot start $lost: it needs 1508 MiB \\(memory 1500 \\+ Xen's overhead 8192 KiB\\): reservation [0-9]+: cannot free 1508 MiB: at most 1092 MiB \\(host free 272 MiB, floor 72, 1508 reserved already, 2400 from ballooning down\\); held: floors and guarantees 400 MiB \\(0 more owed to domains below them\\), stuck balloons 0, boot grace 0, other actors' domains 1024$" \
    "the refused start says what it needs, what could be freed, what held the rest"
is "$(wc -l <"$T/$lost.err")|$(cat "$T/$lost.out")" "1|" \
    "in one line, no domid"
# The clock moves only here: the balloons shrink, the grant comes.
ok "step_until balance 200 no_pending" "the other request granted"
wait $pw
is "$?" 0 "the granted start succeeded"
granted=$(actor_log | sed -n 's/.*reservation [0-9]*: 1508 MiB granted after \([0-9]*\) ms.*/\1/p')
diag "start on a full host: 1508 MiB granted after $granted ms of host time"
like "$granted" '^[0-9]+$' "the actor logs how long the grant took"
like "$(cat "$T/$won.out")" '^domid=[0-9]+$' "and printed its domid"
n=$(sed 's/domid=//' "$T/$won.out")
ok "! $X mem-list $lost" "the refused domain was not created"
is "$(xenstore-list /tool/mempolicy/reservations)" "next-id" \
    "no reservation left (handed over, refused)"
is "$(info "$n" actual)" $((1500 * M)) "the new domain holds its memory"
like "$("$X" mem-list -j "$won")" '"overhead_kb": 8192,' \
    "mem-list -j shows Xen's overhead for it (what was reserved beyond memory)"
ok "[ $(min_free) -ge $FLOOR ]" \
    "free before allocate: host free never under the floor in the recording (lowest $(min_free) KiB)"
# Counted once: handed over, the new domain's pages hold that memory;
# the others share what is left and host free goes back down to the
# floor (had the reservation stayed counted, 1508 MiB more would stay
# free).
ok "step_until balance 200 free_le $((FLOOR + 160 * M))" \
    "after the hand-over the free memory is balanced again"
ok "[ $(min_free) -ge $FLOOR ]" "the floor held all along (lowest $(min_free) KiB)"

# ---- a reservation whose creator is gone: the lifetime ----------------------
reserve_bg() { "$X" mem-reserve "$@" >"$T/r.out" 2>"$T/r.err" & pr=$!; }
reserve_bg --lifetime=20 256m
ok "wait_until resv_any" "a reservation of 256 MiB asked"
ok "step_until balance 200 no_pending" "freed"
wait $pr
is "$?" 0 "granted"
id=$(cat "$T/r.out")
like "$id" '^[0-9]+$' "mem-reserve printed the id once granted"
ok "clock_step 19000 balance" "19 s later"
is "$(resv_state "$id")" granted "still held (its creator is gone, lifetime 20 s)"
ok "clock_step 2000 balance" "21 s after the grant"
ok "resv_gone $id" "expired: the memory is no longer held"
like "$(actor_log)" "reservation $id: 256 MiB expired \\(its creator, pid [0-9]+, is gone\\)" \
    "the actor says so"
rejects "no reservation $id \\(unknown, released, handed over or expired\\)" \
    "an expired id" "$X" mem-release "$id"

# A creator that lives keeps it past the lifetime (a stand-in xl whose
# create hangs holds xlmem create's reservation), until it is killed.
mkfifo "$T/hang"
cat >"$T/xl" <<EOF
#!/bin/bash
[ "\$1" = create ] && read -r _ <"$T/hang"
exit 1
EOF
chmod +x "$T/xl"
printf 'name = "h"\nmemory = 128\n' >"$T/h.cfg"
XLMEM_XL=$T/xl "$X" create "$T/h.cfg" >/dev/null 2>"$T/h.err" &
ph=$!
ok "wait_until resv_any" "xlmem create asked"
ok "step_until balance 200 no_pending" "and was granted"
hid=$(resv_ids)
ok "clock_step 301000 balance" "a lifetime (300 s) later"
is "$(resv_state "$hid")" granted "kept: its creator lives"
kill -9 $ph
wait $ph 2>/dev/null
exec 7<>"$T/hang" # the stand-in xl may go
ok "clock_step 301000 balance" "another lifetime"
ok "resv_gone $hid" "its creator killed, it ended"

is "$(actor_log | grep -E 'error:|warning: reading the reservations')" "" \
    "the actor logged no error so far, and always read whole reservations"

# ---- the actor restarted keeps a granted reservation -----------------------
reserve_bg 200m
ok "wait_until resv_any" "a reservation of 200 MiB asked"
ok "step_until balance 200 no_pending" "freed"
wait $pr
id=$(cat "$T/r.out")
actor_kill9
actor_start balance
ok "step_until balance 200 no_pending" "the actor restarted"
is "$(resv_state "$id")" granted "the reservation survived the restart"
ok "$X mem-release $id" "released"
rejects "no reservation $id \\(unknown, released, handed over or expired\\)" \
    "released twice" "$X" mem-release "$id"

# ---- min_guarantee: never broken by admission -------------------------------
ok "step_until balance 200 settled" "balloons at rest"
fa=$(info "$a" actual)
fb=$(info "$b" actual)
fn=$(info "$n" actual)
fr=$(free_kb)
# a guaranteed 400 MiB more than it holds: that much is owed to it and a
# gives nothing.  What the host could free drops from
#   fr + (fa - 200) + (fb - 200) + (fn - 200) - 72  to
#   fr + (fb - 200) + (fn - 200) - 72 - 400 (MiB)
ga=$((fa + 400 * M))
"$X" mem-policy-set a balance "grace=0,min_guarantee=${ga}k" >/dev/null
ask=$(((fr + fb + fn - 400 * M - FLOOR - 400 * M) / M + 64))
# Refused at once: the plan cannot meet it (no clock step needed).
reserve_bg --timeout=5 ${ask}m
wait $pr
is "$?" 1 "a reservation that a's guarantee leaves no room for is refused"
like "$(cat "$T/r.err")" "cannot free $ask MiB: .*\\(400 more owed to domains below them\\)|floors and guarantees $(((ga + 400 * M) / M)) MiB" \
    "naming the guarantee"

# ---- bad input ------------------------------------------------------------
rejects "more than the host has" "larger than the host" "$X" mem-reserve 5g
rejects "reserves nothing" "zero" "$X" mem-reserve 0
rejects "cannot be negative" "negative" "$X" mem-reserve -512
rejects "cannot be negative" "negative after --" "$X" mem-reserve -- -512
rejects "no reservation 999 " "unknown id" "$X" mem-release 999
rejects "invalid reservation id 'x'" "not an id" "$X" mem-release x
rejects "invalid reservation id '0'" "id 0" "$X" mem-release 0
rejects "invalid --timeout" "a bad timeout" "$X" mem-reserve --timeout=0 1g

actor_stop
finish
