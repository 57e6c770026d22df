#!/bin/bash
# xlmem create on a Xen host, with a stand-in xl that really creates the
# domain (on the simulated host's channel) and logs every call: the domain
# is created paused (xl create -p), gets its policy, and only then is
# unpaused, so no actor sees it running under another policy; the
# caller's own -p keeps it paused; a dry run passes no -p.
. "$(dirname "$0")/common.sh"

start_sim
cat >"$T/hv" <<'EOF'
#!/usr/bin/env python3
import socket, subprocess, sys
path = subprocess.run(["xenstore-read", "/tool/xensim/hv-socket"],
                      capture_output=True, text=True).stdout.strip()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall((" ".join(sys.argv[1:]) + "\n").encode())
print(s.makefile().readline().strip())
EOF
cat >"$T/xl" <<'EOF'
#!/bin/bash
# A stand-in for xl: create makes the domain, every call is logged with
# the domain's memory-policy actor as it stands at that moment.
log=$(dirname "$0")/xl-log
here=$(dirname "$0")
case $1 in
create)
    echo "$*" >>"$log"
    name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$2")
    "$here/hv" create name="$name" memory_kb=262144 maxmem_kb=524288 \
        >/dev/null
    ;;
unpause|destroy)
    echo "$1 $2 actor=$(xenstore-read /libxl/"$2"/memory-policy/actor \
        2>/dev/null || echo '<none>')" >>"$log"
    ;;
*) echo "$*" >>"$log" ;;
esac
EOF
chmod +x "$T/hv" "$T/xl"
cat >"$T/g.cfg" <<'EOF'
name = "gamma"
memory = 256
memory_policy = "xl-manual"
EOF

XLMEM_XL="$T/xl" run_xlmem create "$T/g.cfg"
is "$rc" 0 "create with xl: status 0"
g=${out#domid=}
is "$(sed -n 1p "$T/xl-log")" "create $T/g.cfg -p" \
    "xl create -p: the domain is created paused"
is "$(sed -n 2p "$T/xl-log")" "unpause $g actor=xl-manual" \
    "unpaused only once its policy is in place"
is "$(wc -l <"$T/xl-log")" 2 "nothing else run"

rm -f "$T/xl-log"
sed 's/gamma/delta/' "$T/g.cfg" >"$T/d.cfg"
XLMEM_XL="$T/xl" run_xlmem create "$T/d.cfg" -p
is "$rc|$(cat "$T/xl-log")" "0|create $T/d.cfg -p" \
    "the caller's own -p: left paused, policy written"
is "$(rd "/libxl/${out#domid=}/memory-policy/actor")" xl-manual \
    "... with its policy"

rm -f "$T/xl-log"
XLMEM_XL="$T/xl" run_xlmem create "$T/g.cfg" -n
is "$rc|$(cat "$T/xl-log")" "0|create $T/g.cfg -n" "dry run: no -p, no unpause"

finish
