#!/bin/bash
# CLI edges of issue 13 section 4: the --wait value is never taken for a
# domain ("-w 3 400" does not touch domain 3), messages name domains as
# typed, a target no guest can run in is refused unless forced, and
# mem-watch -j prints compact one-line JSON.  Rejections leave the store
# as it was (rejects dumps and compares it).
. "$(dirname "$0")/common.sh"

start_sim --domains 4
P3=/libxl/3/memory-policy

# ---- --wait --------------------------------------------------------------
xrejects "missing argument" "-w 3 400: 3 is the wait, so the size is missing" \
    mem-set -w 3 400
is "$(rd $P3/target)" "<absent>" "... and domain 3 is untouched"
xrejects "^xlmem mem-set: ambiguous '--wait 3': write --wait=3 to wait 3 s, or --wait -- 3 for domain 3" \
    "--wait 3 400 is refused as ambiguous" mem-set --wait 3 400
xrejects "option '-w' needs a value" "-w needs a value" mem-set -w
xrejects "invalid --wait time 'guest1'" "-w takes the next word as the time" \
    mem-set -w guest1 400
run_xlmem mem-set -w 30 guest1 400
is "$rc|$(rd /libxl/1/memory-policy/target)" "0|409600" "-w 30 DOM SIZE waits"
like "$(tail -1 <<<"$out")" "^guest1: reached target 400 MiB$" \
    "... naming the domain as typed"
run_xlmem mem-set -w30 guest1 390
is "$rc|$(rd /libxl/1/memory-policy/target)" "0|399360" "-w30 works"
run_xlmem mem-set --wait=30 2 380
is "$rc|$(rd /libxl/2/memory-policy/target)" "0|389120" "--wait=30 works"
like "$(tail -1 <<<"$out")" "^domain 2: reached target 380 MiB$" \
    "... a domain typed by id: 'domain 2'"
run_xlmem mem-set --wait -- 3 370
is "$rc|$(rd $P3/target)" "0|378880" "--wait -- 3 370: bare --wait, domain 3"
run_xlmem mem-set --wait guest4 360
is "$rc|$(rd /libxl/4/memory-policy/target)" "0|368640" \
    "bare --wait before a name: the default time"

# ---- domains named as typed -----------------------------------------------
xrejects "^xlmem mem-set: cannot set the memory target of guest1: .*above static-max" \
    "an error names the domain as typed" mem-set guest1 9g
xrejects "^xlmem mem-set: cannot set the memory target of domain 1: " \
    "... and by id as 'domain N'" mem-set 1 9g
xrejects "^xlmem mem-balloon-set-target: guest1 has no actor" \
    "low-level refusals too" mem-balloon-set-target guest1 300

# ---- a target no guest can run in ------------------------------------------
xrejects "^xlmem mem-set: a target of 4 KiB is below 16 MiB, too small for any guest to run in \(use --force to set it anyway\)$" \
    "mem-set guest4 4096b refused" mem-set guest4 4096b
xrejects "below 16 MiB" "15m refused" mem-set guest4 15m
xrejects "a target of 8192 KiB is below 16 MiB" \
    "a relative change ending below 16 MiB refused" mem-set guest4 -352m
run_xlmem mem-set guest4 16m
is "$rc|$(rd /libxl/4/memory-policy/target)" "0|16384" "16 MiB is allowed"
run_xlmem mem-set --force guest4 4096b
is "$rc|$(rd /libxl/4/memory-policy/target)" "0|4" "--force sets it anyway"
run_xlmem mem-set -f guest3 8m
is "$rc|$(rd $P3/target)" "0|8192" "-f too"

# ---- mem-watch -j: compact JSON, one object per line -----------------------
rm -f "$T/wout" "$T/werr"
mkfifo "$T/wout" "$T/werr"
"$XLMEM" mem-watch -j >"$T/wout" 2>"$T/werr" &
wpid=$!
exec 6<"$T/wout" 7<"$T/werr"
read -r -t "$MP_WAIT_S" ready <&7
like "$ready" "watching" "mem-watch -j is watching"
"$XLMEM" mem-policy-set guest1 sharing 'rate=10' 2>/dev/null
expect_line 6 '"domid":1' "an event as one compact line"
is "$matched" '{"type":"domain_memory_target_changed","domid":1,"policy":{"actor":"sharing","actor_params":"rate=10","target_kb":399360,"enforce":true}}' \
    "... with no indentation left (as jq -c)"
kill -TERM "$wpid"
wait "$wpid"
exec 6<&- 7<&-

finish
