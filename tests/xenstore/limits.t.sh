#!/bin/bash
# limits.t.sh: no client can make xensim spin or bloat (issue 12 §2).
#  - Out of descriptors, the listening socket backs off: one log line,
#    not one per turn of the loop, and the clients waiting in the
#    backlog are served once descriptors are free.
#  - A guest has at most 8 connections at once (XSQ_CONNS_PER_DOMAIN);
#    more are closed at once, logged once (a minute), and dom0 is
#    unaffected.
#  - A dom0 client that pipelines requests and never reads the replies
#    is disconnected once xenstored's hard memory quota (2.5 MiB) is
#    queued for it; xensim stays small and others are served.
#  - The same on the hypervisor channel (page_hashes, 1 MiB).
# Every wait is a round trip or bounded; nothing sleeps.
. "$(dirname "$0")/../lib.sh"
flood="python3 $MP_TOP/tests/support/xsflood.py"

# kv OUTPUT KEY: the value of KEY=... in OUTPUT.
kv() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1" | head -1; }

xensim_start
# Held, so that every line below falls within one minute of xensim's
# rate-limited log (tools/xensim/ratelog.h, log-flood.t.sh).
ok 'xensim_hv clock pause' "the clock is held"
ok "prlimit --pid $_xensim_pid --nofile=40:" "xensim limited to 40 descriptors"
out=$($flood emfile "$XENSTORED_PATH" 60 "$XENSIM_DIR/xensim.log" 2>&1)
is "$(kv "$out" roundtrips)" ok "dom0 clients already connected are served"
is "$(kv "$out" accept_failures_logged)" 1 \
    "out of descriptors: logged once, not once per loop turn"
is "$(kv "$out" backlog_served)" 1 \
    "the client waiting in the backlog is served once others close"
# (Closing frees fewer descriptors than the backlog may hold, so the
# listener may run out again: one more episode, one more pair of lines.)
ok "[ '$(kv "$out" recovery_logged)' -ge 1 ]" "the recovery is logged"
[ -n "$(kv "$out" backlog_served)" ] || diag "$out"

ok 'python3 -c "
import socket,struct,os
s=socket.socket(socket.AF_UNIX); s.connect(os.environ[\"XENSTORED_PATH\"])
p=b\"1\0\" + b\"0\0\" + b\"1\0\"
s.sendall(struct.pack(\"<IIII\",8,1,0,len(p))+p)
t,r,x,l=struct.unpack(\"<IIII\",s.recv(16)); d=s.recv(l)
assert t==8 and d==b\"OK\0\", (t,d)
"' "INTRODUCE domain 1"
out=$($flood domconns "$XENSTORED_PATH" "$XENSTORED_PATH.dom1" 20 2>&1)
is "$(kv "$out" served)" 8 "a guest gets 8 connections"
is "$(kv "$out" refused)" 12 "the 12 beyond are closed"
is "$(kv "$out" dom0_served)" 1 "dom0 is served meanwhile"
is "$(kv "$out" after_close_served)" 1 "a closed connection makes room"
is "$(grep -c 'dom1 already has 8 connections' "$XENSIM_DIR/xensim.log")" 1 \
    "the refusals are logged once"
[ -n "$(kv "$out" served)" ] || diag "$out"

out=$($flood pipeline "$XENSTORED_PATH" 40000 "$_xensim_pid" 2>&1)
is "$(kv "$out" disconnected)" 1 \
    "a dom0 client that never reads its replies is disconnected"
growth=$(kv "$out" growth_mb)
ok "[ '${growth:-999}' -lt 20 ]" \
    "xensim's peak memory grows by less than 20 MiB (${growth:-?} MiB)"
is "$(kv "$out" other_served)" 1 "another dom0 client is served"
is "$(grep -c 'does not read its replies' "$XENSIM_DIR/xensim.log")" 1 \
    "the disconnection is logged once"

hv=$(xenstore-read /tool/xensim/hv-socket)
out=$($flood hvpipeline "$hv" 20000 "$_xensim_pid" 2>&1)
is "$(kv "$out" disconnected)" 1 \
    "an hv channel client that never reads page_hashes is disconnected"
growth=$(kv "$out" growth_mb)
ok "[ '${growth:-999}' -lt 20 ]" \
    "xensim's peak memory grows by less than 20 MiB (${growth:-?} MiB)"
is "$(kv "$out" other_served)" 1 "another hv channel client is served"
[ -n "$(kv "$out" other_served)" ] || diag "$out"

done_testing
