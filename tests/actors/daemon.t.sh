#!/bin/bash
# What every daemon of the kit does alike (libmempolicy/src/actor_main.c,
# actor_log.c): sd_notify READY=1 once the start-up resync is done and
# STOPPING=1 at the end (a notify socket of our own stands in for
# systemd); one log format with levels, the syslog priority prefixed when
# stderr is the journal, --log-file with time and pid; -d silent on
# success, stderr let go once serving; --version on every daemon, one
# version string; an unknown option is one line.  Waits are on the notify
# socket, the actors' readiness and xenstore watches; nothing sleeps.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

xensim_start --speed 100
M=1024
dom=$(mkdom name=n1 type=pv memory_kb=$((1024 * M)) maxmem_kb=$((1024 * M)) \
    memory_policy=xl-auto)
"$PROBE" target "$dom" $((300 * M))

# --- sd_notify ---------------------------------------------------------
# notify.py SOCKET: prints "bound", then each datagram, and at READY=1
# the domain's balloon target as the daemon left it at that moment.
cat >"$XENSIM_DIR/notify.py" <<EOF
import os, socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
s.settimeout(30)
while True:
    msg = s.recv(4096).decode()
    print(msg.replace("\n", " "), flush=True)
    if "READY=1" in msg:
        t = subprocess.run(["xenstore-read",
                            "/local/domain/$dom/memory/target"],
                           capture_output=True, text=True).stdout.strip()
        print("target-at-ready " + t, flush=True)
    if "STOPPING=1" in msg:
        break
EOF
sock=$XENSIM_DIR/notify.sock
coproc N { exec python3 "$XENSIM_DIR/notify.py" "$sock"; }
# Our own copy of its output: bash drops N once the script has ended.
exec 9<&"${N[0]}"
read -r -t "$MP_WAIT_S" line <&9
is "$line" bound "a notify socket stands in for systemd"
NOTIFY_SOCKET=$sock "$MP_BUILD/bin/xl-auto" 2>"$XENSIM_DIR/xl-auto.err" &
apid=$!
ready=
while read -r -t "$MP_WAIT_S" line <&9; do
    case $line in
    target-at-ready*) ready=${line#target-at-ready }; break ;;
    esac
done
is "$ready" $((300 * M)) \
    "READY=1 comes once the resync is done (the domain already served)"
kill -TERM "$apid"
wait "$apid"
is "$?" 0 "SIGTERM: status 0"
stopping=
while read -r -t "$MP_WAIT_S" line <&9; do
    case $line in *STOPPING=1*) stopping=1; break ;; esac
done
is "$stopping" 1 "STOPPING=1 at the end"

# --- one format; the journal gets priorities ---------------------------
like "$(cat "$XENSIM_DIR/xl-auto.err")" \
    "^xl-auto: info: serving 1 domain \(of [0-9]+\)" \
    "stderr: <name>: <level>: <message>"
err=$XENSIM_DIR/journal.err
: >"$err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$err") "$MP_BUILD/bin/xl-manual" \
    2>>"$err" &
mpid=$!
ok "wait_match /tool/mempolicy/actors/xl-manual/pid '^$mpid\$'" \
    "xl-manual runs"
out=$("$MP_BUILD/bin/xl-manual" 2>&1)
kill -TERM "$mpid"
wait "$mpid"
like "$(cat "$err")" "^<6>xl-manual: info: serving" \
    "stderr is the journal: the syslog priority leads each line"
like "$out" "^xl-manual: error: cannot announce the actor: .*already running as pid $mpid" \
    "... not otherwise (a second instance says why, one line)"

# --- -d and --log-file ------------------------------------------------
log=$XENSIM_DIR/auto.log
"$MP_BUILD/bin/xl-auto" -d -p "$XENSIM_DIR/auto.pid" --log-file "$log" \
    2>"$XENSIM_DIR/auto.err"
is "$?|$(cat "$XENSIM_DIR/auto.err")" "0|" "-d: status 0 once serving, silent"
dpid=$(cat "$XENSIM_DIR/auto.pid")
like "$(cat "$log")" "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} xl-auto\[$dpid\]: info: serving" \
    "--log-file: time, name[pid], level, message"
ls -l "/proc/$dpid/fd/2" >"$XENSIM_DIR/fd2"
like "$(cat "$XENSIM_DIR/fd2")" "-> $log\$" \
    "a daemon's stderr goes to its log file once it serves"
kill -TERM "$dpid"
ok "wait_exit $dpid" "it stops"
out=$(XENSTORED_PATH=$XENSIM_DIR/none.sock "$MP_BUILD/bin/xl-auto" -d 2>&1)
is "$?" 1 "-d with no store: status 1"
like "$out" "^xl-auto: error: cannot connect to xenstore" \
    "... and the reason on the terminal, one line"
is "$(wc -l <<<"$out")" 1 "... exactly one"

# --- --version, usage -------------------------------------------------
v=$("$MP_BUILD/bin/xlmem" --version)
like "$v" "^xlmem \(libmempolicy\) [0-9]+\.[0-9]+$" "xlmem --version"
ver=${v##* }
for p in xl-auto xl-manual sharing balance example mempolicyd xensim; do
    [ -x "$MP_BUILD/bin/$p" ] || continue
    is "$("$MP_BUILD/bin/$p" --version)" "$p (libmempolicy) $ver" \
        "$p --version: the same version"
done
out=$("$MP_BUILD/bin/xl-auto" --bogus 2>&1)
is "$?|$out" "2|xl-auto: unknown option or missing value '--bogus' (try --help)" \
    "an unknown option: one line, status 2"

echo "1..$_tap_n"
[ "$_tap_failed" -eq 0 ]
