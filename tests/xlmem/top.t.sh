#!/bin/bash
# mem-top: batch frames (-b -i N) against xensim, and the full screen
# driven through tmux (send-keys to sort and quit, capture-pane to read
# the rows).  xensim's clock is held, so no balloon moves under the
# assertions.  The screen is read by polling capture-pane for an expected
# string under a generous deadline, never after a fixed pause; the view
# itself is asked to refresh only once an hour (-d 3600), so what changes
# on screen changed because of a key or a library event.
. "$(dirname "$0")/common.sh"

start_sim --domains 3
xensim_hv clock pause >/dev/null

run_xlmem mem-set guest1 300
is "$rc" 0 "guest1 gets a policy target"
# What guests report in memory/meminfo (written here as dom0): a sane
# figure, garbage, and more than the domain holds.
xenstore-write /local/domain/1/memory/meminfo 123456 \
    /local/domain/2/memory/meminfo 12abc \
    /local/domain/3/memory/meminfo 99999999999
run_xlmem mem-policy-set guest2 nosuch-actor
# (which also gives it a target: its size, 512 MiB)
# A guest-chosen name with an escape sequence in it.
xenstore-write /local/domain/3/name $'evil\e[2Jname'

# field FRAME NAME COLUMN: a column (1-based) of NAME's row.
field() {
    printf '%s\n' "$1" | awk -v n="$2" -v c="$3" '$1 == n { print $c }'
}

# --- batch ---------------------------------------------------------------
run_xlmem mem-top -b -i 1
is "$rc/$err" "0/" "batch: one frame, exit 0"
frame=$out
host=$("$XLMEM" mem-list | tail -1)
is "$(printf '%s\n' "$frame" | head -1)" "$host, 4 domains" \
    "batch: host line as mem-list's, with the domain count"
like "$(printf '%s\n' "$frame" | sed -n 2p)" \
    '^Name +ID> Actor +Target +Actual +Balloon +Paged +Shared +Used Status$' \
    "batch: header, sorted by id"
is "$(printf '%s\n' "$frame" | awk 'NR > 2 && NF { print $2 }' | tr '\n' ' ')" \
    "0 1 2 3 " "batch: one row per domain, by id"
is "$(field "$frame" guest1 4)" 300 "guest1: policy target 300 MiB"
is "$(field "$frame" guest1 6)" 300 "guest1: balloon target 300 MiB"
is "$(field "$frame" guest1 9)" 120 "guest1: guest-reported use 120 MiB"
is "$(field "$frame" guest2 9)" "?" "guest2: garbage meminfo shown as ?"
like "$(printf '%s\n' "$frame" | awk '$2 == 3')" \
    '^evil\\e\[2Jname +3 .* \? -$' \
    "domain 3: its name escaped, more than it holds shown as ?"
is "$(field "$frame" guest2 3)" nosuch-actor "guest2: its actor"
like "$(printf '%s\n' "$frame" | awk '$1 == "guest2"')" \
    ' actor not running$' "guest2: status says the actor is not running"
is "$(field "$frame" Domain-0 4)" "-" "dom0: no policy target"

run_xlmem mem-top -b -i 3 -d 0.1
is "$(printf '%s\n' "$out" | grep -c '^Host: ')" 3 "-i 3: three frames"

run_xlmem mem-top -b -i 1 -s target -r
is "$(printf '%s\n' "$out" | awk 'NR > 2 && NF { print $2 }' | tr '\n' ' ')" \
    "2 1 3 0 " "-s target -r: largest target first, then by id reversed"
like "$(printf '%s\n' "$out" | sed -n 2p)" ' Target< ' "... marked in the header"
run_xlmem mem-top -b -i 1 --sort=name
is "$(printf '%s\n' "$out" | awk 'NR > 2 && NF { print $1 }' | tr '\n' ' ')" \
    'Domain-0 evil\e[2Jname guest1 guest2 ' "--sort=name"

xrejects "mem-top: bad delay '0'" "-d 0 refused" mem-top -b -d 0
xrejects "mem-top: bad delay 'x'" "-d x refused" mem-top -b -d x
xrejects "mem-top: bad iteration count '0'" "-i 0 refused" mem-top -b -i 0
xrejects "mem-top: unknown sort column 'size'" "unknown sort column" \
    mem-top -b -s size
xrejects "mem-top: not a terminal" "no terminal without -b" mem-top </dev/null
xrejects "mem-top: .*arguments" "no domain arguments" mem-top -b guest1

# --- the full screen, through tmux ----------------------------------------
TMUX_SOCK=$T/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"; _xensim_cleanup' EXIT

# screen: the pane's text now.
screen() { tm capture-pane -p -t top 2>/dev/null; }
# wait_screen REGEX DESC: poll the pane (deadline MP_WAIT_S) until it
# matches: tmux tells of no change, so this polls; the deadline only turns
# a hang into a failure.
wait_screen() {
    local deadline=$((SECONDS + MP_WAIT_S)) s
    while :; do
        s=$(screen)
        if printf '%s\n' "$s" | grep -Eq -- "$1"; then
            _tap_result 0 "$2"
            return 0
        fi
        [ "$SECONDS" -lt "$deadline" ] || break
        sleep 0.1
    done
    _tap_result 1 "$2"
    diag "screen does not match /$1/:"
    printf '%s\n' "$s" | sed 's/^/#   /'
    return 1
}
# order: the domains' ids from top to bottom.
order() {
    screen | awk 'f && NF { print $2 } /^Name/ { f = 1 }' | tr '\n' ' '
}

tm -f /dev/null new-session -d -s top -x 160 -y 30 \
    "$XLMEM mem-top -d 3600; echo \$? >$T/top.rc" \; set-option -t top remain-on-exit on
wait_screen '^guest2 +2 nosuch-actor' "screen: rows drawn"
is "$(order)" "0 1 2 3 " "screen: sorted by id"
like "$(screen | head -1)" '^Host: total [0-9]+ MiB, free [0-9]+ MiB, 4 domains' \
    "screen: the host line"

tm send-keys -t top t
wait_screen 'Target> ' "key t: sorted by target"
is "$(order)" "0 3 1 2 " "... no target first, then smallest"
tm send-keys -t top r
wait_screen 'Target< ' "key r: reversed"
is "$(order)" "2 1 3 0 " "... largest first"
tm send-keys -t top s
wait_screen 'Actual< ' "key s: the next column"

# A policy change redraws at once (the refresh is an hour away).
"$XLMEM" mem-policy-set guest1 xl-manual 2>/dev/null
wait_screen '^guest1 +1 xl-manual' "a policy change is drawn at once"

tm send-keys -t top q
# The pane's shell writes mem-top's exit status once it has reaped it
# (tmux's own #{pane_dead_status} can read empty after the pane died).
deadline=$((SECONDS + MP_WAIT_S))
while [ ! -s "$T/top.rc" ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.1
done
is "$(cat "$T/top.rc" 2>/dev/null)" 0 "key q: mem-top quits with status 0"
ok "! tm capture-pane -p -t top | grep -q 'Sanitizer\\|runtime error'" \
    "... with nothing from the sanitizers on the terminal"
tm kill-server

# --- the store going away ends it: status 1, one line --------------------
xensim_hv clock resume >/dev/null
mkfifo "$T/frames"
timeout -s KILL 60 "$XLMEM" mem-top -b -d 3600 >"$T/frames" 2>"$T/gone.err" &
tpid=$!
exec 7<"$T/frames"
read -r -t "$MP_WAIT_S" line <&7
like "$line" '^Host: ' "batch: the first frame, then it waits"
kill -KILL "$_xensim_pid"
wait "$_xensim_pid" 2>/dev/null
_xensim_pid=
wait "$tpid"
is "$?" 1 "the store gone: mem-top exits with status 1"
like "$(cat "$T/gone.err")" \
    '^xlmem mem-top: .*(xenstore closed the connection|the store went away)' \
    "... saying so"
is "$(grep -c '' "$T/gone.err")" 1 "... in one line"
exec 7<&-
finish
