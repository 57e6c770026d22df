#!/bin/bash
# xlmem with the actors running: mem-set sets the policy target, the
# domain's actor (xl-auto, xl-manual) moves the memory, and --wait sees
# the domain get there, shrinking and growing; mem-policy-set hands a
# domain from one actor to the other.  The actors resync at start-up, so
# no readiness handshake is needed: a target set before they subscribe is
# still acted on.
. "$(dirname "$0")/common.sh"

start_sim --domains 2 --speed 20
"$XLMEM" mem-policy-set guest1 xl-auto delay=1 >/dev/null
"$XLMEM" mem-policy-set guest2 xl-manual >/dev/null
"$MP_BUILD/bin/xl-auto" 2>"$T/xl-auto.log" &
auto=$!
"$MP_BUILD/bin/xl-manual" 2>"$T/xl-manual.log" &
manual=$!

actual() {
    "$XLMEM" mem-list -j "$1" | python3 -c \
        'import json,sys; print(json.load(sys.stdin)["domains"][0]["actual_kb"])'
}

run_xlmem mem-set --wait="$MP_WAIT_S" guest1 200
is "$rc" 0 "xl-auto: --wait sees the balloon reach the target"
like "$out" "guest1: reached target 200 MiB$" "... and says so"
is "$(actual guest1)" 204800 "xl-auto: actual memory is the target"

run_xlmem mem-set --wait="$MP_WAIT_S" guest2 +100
is "$rc" 0 "xl-manual: --wait sees the domain grow by 100 MiB"
is "$(actual guest2)" 626688 "xl-manual: actual 612 MiB"
is "$(rd /local/domain/2/memory/target)" 626688 \
    "xl-manual set the balloon target"

run_xlmem mem-policy-set guest2 xl-auto
run_xlmem mem-set --wait="$MP_WAIT_S" guest2 -300
is "$rc" 0 "handed to xl-auto, the domain follows its new actor"
is "$(actual guest2)" 319488 "actual 312 MiB"

kill -TERM "$auto" "$manual"
wait "$auto" "$manual"
finish
