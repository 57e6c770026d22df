#!/bin/bash
# xenstore-utils against xensim: each command's normal use and its error
# cases, as dom0 and as an unprivileged domain.
. "$(dirname "$0")/../lib.sh"

xensim_start

ok 'xenstore-write /vm/a hello' "write creates a node and its parents"
is "$(xenstore-read /vm/a)" hello "read returns the value"
is "$(xenstore-read /vm)" "" "an implicitly created parent is empty"
fails 'xenstore-read /vm/missing' "reading a missing node fails"
ok 'xenstore-write /vm/b 2 /vm/c 3' "write several nodes"
is "$(xenstore-list /vm | tr '\n' ' ')" "a b c " "list in creation order"
is "$(xenstore-ls /vm | tr '\n' '|')" 'a = "hello"|b = "2"|c = "3"|' \
    "ls shows values"
ok 'xenstore-exists /vm/a' "exists: present"
fails 'xenstore-exists /vm/zz' "exists: absent"
ok 'xenstore-rm /vm/b' "rm a node"
fails 'xenstore-exists /vm/b' "it is gone"
ok 'xenstore-rm /vm/nothere' "rm of a missing node whose parent exists"
fails 'xenstore-rm /nothere/x' "rm below a missing parent fails"
fails 'xenstore-write /bad//path x' "a path with // is refused"
fails 'xenstore-write "/bad path" x' "a path with a space is refused"
fails 'xenstore-write /trailing/ x' "a trailing slash is refused"
ok 'xenstore-rm /vm' "recursive rm"
fails 'xenstore-exists /vm/a' "children went with it"

# Relative paths resolve against /local/domain/0 for dom0.
ok 'xenstore-write rel/x 7' "relative write"
is "$(xenstore-read /local/domain/0/rel/x)" 7 "lands under /local/domain/0"

# Permissions, as seen through xenstore-chmod and a guest's socket.
ok 'xenstore-write /g/secret s /g/open o' "nodes for guests"
ok 'xenstore-chmod /g/open n0 r5' "chmod: dom5 may read /g/open"
is "$(xenstore-ls -p /g | sed 's/ [. ]*(/ (/' | tr '\n' '|')" \
    'secret = "s" (n0)|open = "o" (n0,r5)|' "ls -p shows the permissions"
fails 'as_dom 5 xenstore-read /g/open' "no socket before INTRODUCE"
ok 'python3 -c "
import socket,struct,os
s=socket.socket(socket.AF_UNIX); s.connect(os.environ[\"XENSTORED_PATH\"])
p=b\"5\0\" + b\"0\0\" + b\"1\0\"
s.sendall(struct.pack(\"<IIII\",8,1,0,len(p))+p)
h=s.recv(16); t,r,x,l=struct.unpack(\"<IIII\",h); d=s.recv(l)
assert t==8 and d==b\"OK\0\", (t,d)
"' "INTRODUCE domain 5 (raw wire)"
ok 'test -S "$XENSTORED_PATH.dom5"' "its socket appears"
is "$(as_dom 5 xenstore-read /g/open)" o "dom5 reads what it may"
fails 'as_dom 5 xenstore-read /g/secret' "dom5 cannot read the rest"
fails 'as_dom 5 xenstore-write /g/open x' "r5 does not allow writing"
fails 'as_dom 5 xenstore-write /g/new x' "nor creating under /g"
ok 'xenstore-write /local/domain/5/x 1 && xenstore-chmod /local/domain/5 b5' \
    "dom0 prepares the guest's home"
ok 'as_dom 5 xenstore-write data/y 2' "guest writes relative to its home"
is "$(xenstore-read /local/domain/5/data/y)" 2 "dom0 sees it"
ok 'xenstore-chmod /local/domain/5/data n0 b5' \
    "dom0 takes data over, dom5 may write"
ok 'as_dom 5 xenstore-write data/z 3' "guest creates below it (write on z)"
is "$(xenstore-ls -p /local/domain/5/data | sed 's/ [. ]*(/ (/' |
      tr '\n' '|')" \
    'y = "2" (b5)|z = "3" (n5,b5)|' \
    "inherited permissions, with the creating guest as owner"

# xenstore-watch: the initial event, then one line per change below.
fifo=$XENSIM_DIR/watch.out
mkfifo "$fifo"
xenstore-watch -n 4 /w >"$fifo" &
wpid=$!
exec 4<"$fifo"
read -r -t "$MP_WAIT_S" first <&4
is "$first" /w "xenstore-watch prints the initial event"
ok 'xenstore-write /w/a 1' "write below the watched node"
read -r -t "$MP_WAIT_S" second <&4
is "$second" /w/a "the change is reported"
ok 'xenstore-write /other 1' "unrelated write"
ok 'xenstore-rm /w' "rm of the watched node"
read -r -t "$MP_WAIT_S" third <&4
is "$third" /w "rm reports the node (not /other)"
ok 'xenstore-write /w 2' "recreate"
read -r -t "$MP_WAIT_S" fourth <&4
is "$fourth" /w "and again"
wait "$wpid"
is "$?" 0 "xenstore-watch -n 4 exits after four events"
exec 4<&-

# xenstore-chmod -r applies to a whole subtree.
ok 'xenstore-write /ch/a/b 1 && xenstore-chmod -r /ch n0 r7' "chmod -r"
is "$(xenstore-ls -p /ch | sed 's/ [. ]*(/ (/' | tr -s ' ' | tr '\n' '|')" \
    'a = "" (n0,r7)| b = "1" (n0,r7)|' "every node below got the list"
fails 'xenstore-chmod /ch x0' "a bad permission string is refused"
fails 'xenstore-chmod /nothere n0' "chmod of a missing node fails"

done_testing
