#!/bin/bash
# mempolicyd: new domains without a policy get xl.conf's default as soon
# as they appear (DOMAIN_INTRODUCE), existing ones at start-up; a domain
# that has a policy ("" included) is never touched; xl.conf is read per
# domain; a broken xl.conf, or a default xlmem would refuse (dealy=3),
# stops it from starting (one line, status 1) and, appearing later,
# leaves that domain alone; SIGTERM ends it with 0; a second one refuses
# to start; it logs in the format every daemon of the kit uses, to a file
# with --log-file; --version.  Progress is followed on its -v lines, read
# through a fifo.
. "$(dirname "$0")/common.sh"

start_sim --domains 3
"$XLMEM" mem-policy-set guest2 "" >/dev/null
"$XLMEM" mem-policy-set guest3 xl-manual >/dev/null
cat >"$T/xl.conf" <<'EOF'
memory_policy = "xl-auto"
memory_policy_args = "delay=3"
EOF
printf 'memory_policy = "xl-auto"\nnot xl syntax\n' >"$T/bad.conf"

rejects "^mempolicyd: error: invalid default policy: .*bad.conf:2" \
    "a malformed xl.conf: refuses to start" "$MEMPOLICYD" -c "$T/bad.conf"
printf 'memory_policy = "xl-auto"\nmemory_policy_args = "dealy=3"\n' \
    >"$T/typo.conf"
rejects "^mempolicyd: error: invalid default policy: memory_policy_args of .*typo.conf: actor xl-auto has no parameter 'dealy'" \
    "a default xlmem would refuse (dealy=3): refuses to start" \
    "$MEMPOLICYD" -c "$T/typo.conf"
rejects "^mempolicyd: unknown option" "an unknown option" "$MEMPOLICYD" -x
rejects "^mempolicyd: error: cannot connect to xenstore" "store unreachable" \
    XENSTORED_PATH="$T/none" "$MEMPOLICYD" -c "$T/xl.conf"
run_version=$("$MEMPOLICYD" --version)
like "$run_version" "^mempolicyd \(libmempolicy\) [0-9]+\.[0-9]+$" "--version"

mkfifo "$T/derr"
"$MEMPOLICYD" -v -c "$T/xl.conf" -p "$T/pid" 2>"$T/derr" &
dpid=$!
exec 7<"$T/derr"
expect_line 7 "^mempolicyd: info: serving" "mempolicyd starts"
is "$(cat "$T/pid")" "$dpid" "pidfile written"
is "$(rd /libxl/1/memory-policy/actor)|$(rd /libxl/1/memory-policy/actor-params)" \
    "xl-auto|delay=3" "start-up: a domain without a policy gets the default"
is "$(rd /libxl/2/memory-policy/actor)" "" "start-up: \"\" is a choice, kept"
is "$(rd /libxl/3/memory-policy/actor)" xl-manual \
    "start-up: an existing policy is kept"
is "$(rd /libxl/0/memory-policy/actor)" "<absent>" "dom0 is left alone"

# A domain created by a toolstack that sets no policy.
n1=$(hv create name=n1 memory_kb=131072) ; n1=${n1#ok domid=}
expect_line 7 "^mempolicyd: info: domain $n1: default policy actor 'xl-auto' params 'delay=3'$" \
    "a new domain without a policy gets the default"
is "$(rd /libxl/$n1/memory-policy/actor)|$(rd /libxl/$n1/memory-policy/actor-params)" \
    "xl-auto|delay=3" "... in the store"

# xl.conf is read for each new domain.
printf 'memory_policy = "sharing"\nmemory_policy_args = "rate=5"\n' \
    >"$T/xl.conf"
n2=$(hv create name=n2 memory_kb=131072) ; n2=${n2#ok domid=}
expect_line 7 "^mempolicyd: info: domain $n2: default policy actor 'sharing'" \
    "an edited xl.conf applies to the next domain"
is "$(rd /libxl/$n2/memory-policy/actor)" sharing "... in the store"

# A domain born with a policy (xlmem create) keeps it.
printf 'name = "n3"\nmemory = 128\nmemory_policy = "xl-manual"\n' \
    >"$T/n3.cfg"
run_xlmem create "$T/n3.cfg"
n3=${out#domid=}
expect_line 7 "^mempolicyd: debug: domain $n3: has a policy, left alone$" \
    "a domain created with a policy is left alone"
is "$(rd /libxl/$n3/memory-policy/actor)" xl-manual "... in the store"

# A broken xl.conf later: that domain is left without a policy.
cp "$T/bad.conf" "$T/xl.conf"
n4=$(hv create name=n4 memory_kb=131072) ; n4=${n4#ok domid=}
expect_line 7 "^mempolicyd: error: domain $n4 left without a policy: .*xl.conf:2" \
    "a broken xl.conf: the domain is left alone, with the reason"
is "$(rd /libxl/$n4/memory-policy/actor)" "<absent>" "... nothing written"

kill -TERM "$dpid"
wait "$dpid"
is "$?" 0 "SIGTERM: status 0"
[ -e "$T/pid" ] && _tap_result 1 "pidfile removed" ||
    _tap_result 0 "pidfile removed"
exec 7<&-

# Restarted, it catches up with the domain it missed.
printf 'memory_policy = "xl-manual"\n' >"$T/xl.conf"
"$MEMPOLICYD" -v -c "$T/xl.conf" 2>"$T/derr" &
dpid=$!
exec 7<"$T/derr"
expect_line 7 "^mempolicyd: info: domain $n4: default policy actor 'xl-manual'" \
    "restarted: the domain missed gets the default"
expect_line 7 "^mempolicyd: info: serving" "restarted"
out=$("$MEMPOLICYD" -c "$T/xl.conf" 2>&1)
is "$?" 1 "a second mempolicyd refuses to start"
like "$out" "mempolicyd: error: cannot announce the actor: .*already running as pid $dpid" \
    "... naming the running one"
kill -INT "$dpid"
wait "$dpid"
is "$?" 0 "SIGINT: status 0"
exec 7<&-

# -d: the command returns once the daemon is ready, with its status.
rejects "^mempolicyd: error: invalid default policy: .*bad.conf:2" \
    "-d with a broken xl.conf: status 1, the reason on the terminal" \
    "$MEMPOLICYD" -d -c "$T/bad.conf"
"$MEMPOLICYD" -d -c "$T/xl.conf" -p "$T/dpid" --log-file "$T/d.log" \
    2>"$T/d.err"
is "$?|$(cat "$T/d.err")" "0|" "-d returns 0 once ready, silently"
like "$(cat "$T/d.log")" "^[-0-9]+ [:0-9]+ mempolicyd\[$(cat "$T/dpid")\]: info: default policy: actor 'xl-manual'" \
    "--log-file: the same format, with time and pid"
dpid=$(cat "$T/dpid")
kill -0 "$dpid" 2>/dev/null && _tap_result 0 "the detached daemon runs" ||
    _tap_result 1 "the detached daemon runs"
n5=$(hv create name=n5 memory_kb=131072) ; n5=${n5#ok domid=}
wait_until xenstore-exists /libxl/$n5/memory-policy/actor
is "$(rd /libxl/$n5/memory-policy/actor)" xl-manual \
    "the detached daemon gives a new domain the default"
kill -TERM "$dpid"

finish
