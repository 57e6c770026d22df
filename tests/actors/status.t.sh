#!/bin/bash
# The shipped actors announce themselves and publish a status line per
# domain (libmempolicy's "who serves what"): xl-auto while ballooning and
# paging, xl-manual with or without paging; a domain that leaves loses its
# line; a clean exit removes the announcement; a second instance of the
# same actor is refused.  Waits are xenstore watches (wait_match) and the
# actors' own readiness; nothing sleeps.  The paging delay runs on a
# held clock (clock_step).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

xensim_start --speed 100
G=1048576
M=1024
S=/tool/mempolicy/actors

stuck=$(mkdom name=stuck type=hvm hap=1 memory_kb=$G maxmem_kb=$G \
    balloon=stuck memory_policy=xl-auto memory_policy_args=paging=1,delay=2)
coop=$(mkdom name=coop type=pv memory_kb=$G maxmem_kb=$G \
    memory_policy=xl-auto)
man_pv=$(mkdom name=mpv type=pv memory_kb=$G maxmem_kb=$G \
    memory_policy=xl-manual)
man_hvm=$(mkdom name=mhvm type=hvm hap=1 memory_kb=$G maxmem_kb=$G \
    memory_policy=xl-manual)

actor_start xl-auto || exit 1
"$MP_BUILD/bin/xl-manual" -d -p "$XENSIM_DIR/xl-manual.pid" \
    2>>"$XENSIM_DIR/xl-manual.log" || exit 1

is "$(xenstore-read $S/xl-auto/pid)" "$ACTOR_PID" "xl-auto announces its pid"
is "$(xenstore-read $S/xl-manual/pid)" "$(cat "$XENSIM_DIR/xl-manual.pid")" \
    "xl-manual too"
out=$("$MP_BUILD/bin/xl-auto" 2>&1)
is "$?" 1 "a second xl-auto is refused"
like "$out" "actor xl-auto is already running as pid $ACTOR_PID" \
    "... naming the running one"

# --- xl-auto -----------------------------------------------------------
"$PROBE" target "$coop" $((512 * M))
ok "wait_match $S/xl-auto/status/$coop '^balloon target 512 MiB$'" \
    "xl-auto: the balloon target it set"
# The announcement lasts the 2 s delay: hold the clock so the test, not
# the machine's speed, decides when the delay is over
# (docs/determinism.md).
xensim_hv clock pause >/dev/null
"$PROBE" target "$stuck" $((512 * M))
ok "wait_match $S/xl-auto/status/$stuck '^balloon target 512 MiB; paging after 2 s if short$'" \
    "xl-auto: paging announced for after the delay"
# Then the pager moves on the same clock; the actor rechecks on its own.
paging_line() {
    [[ $(xenstore-read "$S/xl-auto/status/$stuck") =~ \
        ^paging\ [0-9]+\ MiB\ since\ [0-9]+\ s$ ]]
}
clock_step 2000 xl-auto
ok "step_until xl-auto 500 paging_line" \
    "xl-auto: the stuck guest is paged, and the line says since when"
xensim_hv clock resume >/dev/null

# --- xl-manual ---------------------------------------------------------
"$PROBE" target "$man_pv" $((600 * M))
ok "wait_match $S/xl-manual/status/$man_pv '^balloon target 600 MiB; no paging \(PV guest\)$'" \
    "xl-manual: a PV guest, balloon only, and why"
"$PROBE" target "$man_hvm" $((700 * M))
ok "wait_match $S/xl-manual/status/$man_hvm '^balloon and paging target 700 MiB$'" \
    "xl-manual: an HVM guest, both targets"

# --- leaving, and exiting ---------------------------------------------
"$PROBE" policy "$coop" "$coop" xl-manual ""
ok "wait_match $S/xl-manual/status/$coop '^balloon target 512 MiB; no paging'" \
    "the domain's new actor publishes its line"
# A line is never empty: '^$' is the node gone.
ok "wait_match $S/xl-auto/status/$coop '^$'" "the old actor's line is gone"

actor_stop
fails "xenstore-exists $S/xl-auto" "a clean exit removes xl-auto's subtree"
kill -TERM "$(cat "$XENSIM_DIR/xl-manual.pid")"

echo "1..$_tap_n"
[ "$_tap_failed" -eq 0 ]
