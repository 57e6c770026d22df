#!/bin/bash
# The store going away ends every long-running user of the library with
# status 1 and one clear line, instead of a sleep in poll for ever (so
# that systemd's Restart=on-failure brings it back once the store is):
# mempolicyd and xlmem mem-watch, after xensim is killed with SIGTERM,
# then with SIGKILL.  Each waits on its own event fd; the guard timeout
# only turns a hang into a failure.
. "$(dirname "$0")/common.sh"

GUARD=60
# The line that says the store went away, whoever prints it.  xensim is
# the store and the hypervisor at once: a call in flight when it dies may
# see the hypervisor channel close first, which says the same.
GONE="(xenstore closed the connection|the store went away|hypervisor channel .*connection lost)"

# The lines themselves when there are more (ten lines from mem-watch
# under ASan at load were LeakSanitizer's report of an event's policy
# left behind by a failed commit: tests/lib/test-commit-fail.c).
one_line() {
    local n
    n=$(printf '%s\n' "$1" | wc -l)
    is "$n" 1 "... in one line"
    [ "$n" = 1 ] || printf '%s\n' "$1" | head -20 | sed 's/^/#   /'
}

for sig in TERM KILL; do
    start_sim --domains 2
    rm -f "$T/derr" "$T/werr"
    mkfifo "$T/derr" "$T/werr"
    printf 'memory_policy = "xl-auto"\n' >"$T/xl.conf"
    # Not -v: the kit's debug level would show the library's own lines.
    timeout -s KILL $GUARD "$MEMPOLICYD" -c "$T/xl.conf" 2>"$T/derr" &
    dpid=$!
    timeout -s KILL $GUARD "$XLMEM" mem-watch >/dev/null 2>"$T/werr" &
    wpid=$!
    exec 7<"$T/derr" 8<"$T/werr"
    expect_line 7 "^mempolicyd: info: serving" "SIG$sig: mempolicyd ready"
    expect_line 8 "watching" "SIG$sig: mem-watch watching"

    kill -$sig "$_xensim_pid"
    wait "$_xensim_pid" 2>/dev/null
    _xensim_pid=

    wait "$dpid"
    is "$?" 1 "SIG$sig on the store: mempolicyd exits with status 1"
    rest=$(cat <&7)
    like "$rest" "^mempolicyd: .*$GONE" "... saying the store went away"
    one_line "$rest"
    wait "$wpid"
    is "$?" 1 "SIG$sig on the store: mem-watch exits with status 1"
    rest=$(cat <&8)
    like "$rest" "^xlmem mem-watch: .*$GONE" "... saying the store went away"
    one_line "$rest"
    exec 7<&- 8<&-
    _xensim_cleanup
done

finish
