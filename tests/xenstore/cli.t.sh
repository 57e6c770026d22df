#!/bin/bash
# The xensim command line as the xenstore server sees it: bad options are
# refused with one clear line and status 2, an unusable socket path with
# status 1; SIGINT and SIGTERM end it with status 0 and every socket it
# made (dom0's and the per-domain ones) removed; a stale socket left by a
# killed run does not stop a new one.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d /tmp/xensim-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

out=$("$XENSIM" 2>&1); rc=$?
is "$rc" 2 "no --socket: status 2"
like "$out" "^xensim: --socket PATH is required$" "and says so in one line"
out=$("$XENSIM" --socket "$tmp/s" --bogus 2>&1); rc=$?
is "$rc" 2 "unknown option: status 2"
out=$("$XENSIM" --socket "$tmp/s" stray 2>&1); rc=$?
is "$rc" 2 "stray argument: status 2"
like "$out" "unexpected argument 'stray'" "naming it"
out=$("$XENSIM" --socket "$tmp/s" --ready-fd x 2>&1); rc=$?
is "$rc" 2 "bad --ready-fd: status 2"
out=$("$XENSIM" --socket "$tmp/no/such/dir/s" 2>&1); rc=$?
is "$rc" 1 "unusable socket path: status 1"
like "$out" "cannot listen on $tmp/no/such/dir/s" "naming the path"
out=$("$XENSIM" --help); rc=$?
is "$rc" 0 "--help: status 0"
like "$out" "--socket PATH" "--help lists --socket"

# Start by hand to use SIGINT and a stale socket.
start() {
    mkfifo "$tmp/ready.$1"
    "$XENSIM" --socket "$tmp/s" --ready-fd 3 3>"$tmp/ready.$1" &
    pid=$!
    read -r -t "$MP_WAIT_S" line <"$tmp/ready.$1"
    is "$line" ready "xensim ready ($1)"
}
start 1
kill -9 "$pid"; wait "$pid" 2>/dev/null
ok 'test -S "$tmp/s"' "a killed xensim leaves its socket"
start 2
export XENSTORED_PATH=$tmp/s
ok 'xenstore-write /x 1' "a new xensim serves on the stale path"
ok 'python3 -c "
import socket,struct,os
s=socket.socket(socket.AF_UNIX); s.connect(os.environ[\"XENSTORED_PATH\"])
p=b\"3\0\" + b\"0\0\" + b\"1\0\"
s.sendall(struct.pack(\"<IIII\",8,1,0,len(p))+p)
assert s.recv(19)[16:] == b\"OK\0\"
"' "introduce domain 3"
ok 'test -S "$tmp/s.dom3"' "domain 3's socket exists"
kill -INT "$pid"; wait "$pid"; rc=$?
is "$rc" 0 "SIGINT: status 0"
fails 'test -e "$tmp/s"' "dom0 socket removed"
fails 'test -e "$tmp/s.dom3"' "domain socket removed"

echo "1..$_tap_n"
[ "$_tap_failed" -eq 0 ]
