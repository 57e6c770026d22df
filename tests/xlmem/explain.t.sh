#!/bin/bash
# Who serves what, from the command line: mem-policy-set warns when the
# actor it names does not run; mem-list's Status column shows each
# actor's line ("actor not running" when its daemon is down or died);
# mem-explain prints actor, status and the facts behind them with a
# verdict; mem-set --wait says why when time runs out (actor down, host
# out of memory).  Readiness comes from the actors' -d (the parent
# returns once they serve) and xenstore watches; nothing sleeps.
. "$(dirname "$0")/common.sh"

# dom0 1 GiB + three 512 MiB guests: about 150 MiB of the host left free.
start_sim --domains 3 --speed 20 --host-mem 2710M

# --- mem-policy-set warns about an actor that does not run ---------------
run_xlmem mem-policy-set guest2 nosuch-actor
is "$rc" 0 "a policy naming an actor that does not run is still set"
is "$err" "xlmem mem-policy-set: warning: no actor 'nosuch-actor' is running: guest2's memory stays as it is until one starts" \
    "... with one warning line naming it"
is "$(rd /libxl/2/memory-policy/actor)" nosuch-actor "... and written"

"$MP_BUILD/bin/xl-auto" -d -p "$T/xl-auto.pid" 2>>"$T/xl-auto.log" ||
    { echo "Bail out! xl-auto did not start"; exit 1; }
auto=$(cat "$T/xl-auto.pid")
run_xlmem mem-policy-set guest1 xl-auto delay=1
is "$rc/$err" "0/" "a running actor: no warning"
run_xlmem mem-policy-set guest3 ""
is "$rc/$err" "0/" "no actor: no warning"

# --- the actor's status line, in mem-list and mem-explain ---------------
run_xlmem mem-set --wait="$MP_WAIT_S" guest1 300
is "$rc" 0 "xl-auto moves guest1"
ok "wait_match /tool/mempolicy/actors/xl-auto/status/1 '^balloon target 300 MiB$'" \
    "xl-auto publishes guest1's status"

run_xlmem mem-list
like "$(head -1 <<<"$out")" " Params +Status$" "mem-list: a Status column, last"
like "$(grep '^guest1 ' <<<"$out")" " delay=1 +balloon target 300 MiB$" \
    "guest1: its actor's line"
like "$(grep '^guest2 ' <<<"$out")" " actor not running$" \
    "guest2: its actor does not run"
like "$(grep '^guest3 ' <<<"$out")" " - +-$" "guest3: no actor, no status"

run_xlmem mem-explain guest1
is "$rc" 0 "mem-explain: status 0"
like "$out" "^domain: +guest1 \(1\)"$'\n'"actor: +xl-auto, running as pid $auto"$'\n' \
    "mem-explain: the actor and its pid"
like "$out" $'\n'"status: +balloon target 300 MiB"$'\n' "... its status line"
like "$out" $'\n'"target: +300 MiB \(enforced\)"$'\n'"balloon target: +300 MiB"$'\n'"actual: +300 MiB"$'\n' \
    "... the figures behind it"
like "$out" $'\n'"host free: +[0-9]+ MiB of 2710 MiB"$'\n' "... the host's"
like "$out" $'\n'"verdict: +at target$" "... and the verdict"

run_xlmem mem-explain guest2
like "$out" $'\n'"actor: +nosuch-actor, NOT running \(no such daemon announced itself\)"$'\n' \
    "mem-explain: an actor that never ran"
like "$out" $'\n'"verdict: +actor nosuch-actor is not running$" "... verdict"

# --- mem-set --wait says why -------------------------------------------
run_xlmem mem-set --wait=2 guest2 200
is "$rc" 3 "--wait with the actor down: times out"
like "$err" "target 200 MiB: actor nosuch-actor is not running$" \
    "... and says the actor is down"

run_xlmem mem-set --wait=3 guest3 1000
is "$rc" 3 "--wait growing past the host's memory: times out"
like "$err" "target 1000 MiB: host out of memory: the domain needs [0-9]+ MiB more, the host has [0-9]+ MiB free$" \
    "... and says the host is out of memory"

# --- a crashed actor ----------------------------------------------------
kill -9 "$auto"
# Its exit, as an event: a pidfd becomes readable when the process ends.
ok "wait_exit $auto" "xl-auto killed"
run_xlmem mem-explain guest1
like "$out" $'\n'"actor: +xl-auto, NOT running \(pid $auto died without cleaning up\)"$'\n' \
    "mem-explain: a stale announcement is told from a live actor"
like "$out" $'\n'"status: +-"$'\n' "... and its old line is not shown"
run_xlmem mem-list guest1
like "$(grep "^guest1 " <<<"$out")" " actor not running$" "mem-list: actor not running"

# --- bad input ----------------------------------------------------------
xrejects "^xlmem mem-explain: .*nosuch" "mem-explain: unknown domain" \
    mem-explain nosuch
run_xlmem mem-explain
is "$rc" 2 "mem-explain without a domain: usage error"

finish
