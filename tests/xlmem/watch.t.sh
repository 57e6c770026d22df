#!/bin/bash
# mem-watch: policy events as they happen, one line each (or one JSON
# object per line with -j), domains appearing and dying, until SIGINT or
# SIGTERM (status 0).  Readiness is its "watching" line on stderr, read
# through a fifo; every event is waited for with a bounded read.
. "$(dirname "$0")/common.sh"

start_sim --domains 2

# start_watch ARGS...: mem-watch in the background, stdout on fd 6.
start_watch() {
    rm -f "$T/wout" "$T/werr"
    mkfifo "$T/wout" "$T/werr"
    "$XLMEM" mem-watch "$@" >"$T/wout" 2>"$T/werr" &
    wpid=$!
    exec 6<"$T/wout" 7<"$T/werr"
    local ready=
    read -r -t "$MP_WAIT_S" ready <&7
    is "$ready" "xlmem mem-watch: watching (interrupt to stop)" \
        "mem-watch${*:+ $*} says when it is watching"
}

start_watch
"$XLMEM" mem-policy-set guest1 xl-auto delay=1
expect_line 6 "^target-changed domid=1 actor=xl-auto target_kb=524288 enforce=0 actor-params=delay=1$" \
    "a policy change is one line"
"$XLMEM" mem-set guest2 256
expect_line 6 "^target-changed domid=2 actor= target_kb=262144 enforce=1 actor-params=$" \
    "a target change, no actor"

printf 'name = "w1"\nmemory = 128\nmemory_policy = "xl-manual"\n' \
    >"$T/w1.cfg"
run_xlmem create "$T/w1.cfg"
w1=${out#domid=}
expect_line 6 "^introduce domid=$w1$" "a new domain: introduce"
hv destroy "$w1" >/dev/null
expect_line 6 "^death domid=$w1$" "a destroyed domain: death"

kill -INT "$wpid"
wait "$wpid"
is "$?" 0 "SIGINT ends mem-watch with status 0"
exec 6<&- 7<&-

start_watch -j
"$XLMEM" mem-policy-set guest1 sharing rate=10
expect_line 6 '"domid": ?1' "-j: an event as JSON"
is "$(python3 -c '
import json, sys
e = json.loads(sys.argv[1])
print(e["domid"], e["policy"]["actor"], e["policy"]["actor_params"])
' "$matched" 2>&1)" "1 sharing rate=10" "-j: one parseable object per line"
kill -TERM "$wpid"
wait "$wpid"
is "$?" 0 "SIGTERM ends mem-watch with status 0"
exec 6<&- 7<&-

xrejects "too many arguments" "mem-watch takes no domain" mem-watch guest1

finish
