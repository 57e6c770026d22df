#!/usr/bin/env python3
# hv.py: the sharing tests' window on the simulated hypervisor.
#
# Talks xensim's hypervisor channel (docs/hv-channel.md) directly, so the
# tests check the actor against the hypervisor's own figures rather than
# against what the actor reports about itself.
#
#   hv.py expect DOMID...      pages that sharing can free among these
#                              domains: their pages (frames 0..max_gpfn
#                              holding one) minus distinct contents (zero
#                              pages included)
#   hv.py dominfo DOMID        key=value lines; also guestinfo, physinfo
#   hv.py get VERB [ARGS] KEY  one value of a reply
#   hv.py guest_set DOMID K=V  change a guest model setting
#   hv.py write-shared DOMID N guest-write N pages of DOMID that are
#                              shared (copy-on-write breaks); prints N
#   hv.py write-all DOMID      guest-write every page of DOMID; prints
#                              how many
import os
import socket
import subprocess
import sys


def channel():
    path = subprocess.run(["xenstore-read", "/tool/xensim/hv-socket"],
                          check=True, capture_output=True,
                          text=True).stdout.strip()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s.makefile("rw")


def call(f, line):
    f.write(line + "\n")
    f.flush()
    r = f.readline().rstrip("\n")
    if not r.startswith("ok"):
        raise SystemExit("hv.py: %s: %s" % (line, r))
    return dict(kv.split("=", 1) for kv in r.split()[1:])


def hashes(f, d):
    """{gfn: hash} of every frame holding a page, frames 0..max_gpfn; as
    the library does it, holes are found with pfn_types and never mapped
    (docs/hv-channel.md)."""
    top = int(call(f, "maximum_gpfn %d" % d)["max_gpfn"]) + 1
    out = {}
    for first in range(0, top, 1024):
        types = call(f, "pfn_types %d %d %d" %
                     (d, first, min(1024, top - first)))["types"]
        i = 0
        while i < len(types):
            j = i
            while j < len(types) and types[j] == types[i] and j - i < 512:
                j += 1
            if types[i] == "r":
                hs = call(f, "page_hashes %d %d %d" %
                          (d, first + i, j - i))["hashes"].split(",")
                for k, h in enumerate(hs):
                    if not h.startswith("!"):
                        out[first + i + k] = h
            i = j
    return out


def main(argv):
    f = channel()
    cmd = argv[1]
    if cmd == "expect":
        allh = []
        for d in argv[2:]:
            allh += list(hashes(f, int(d)).values())
        print(len(allh) - len(set(allh)))
    elif cmd in ("dominfo", "guestinfo", "physinfo"):
        for k, v in call(f, " ".join([cmd] + argv[2:])).items():
            print("%s=%s" % (k, v))
    elif cmd == "guest_set":
        call(f, " ".join(argv[1:]))
    elif cmd == "get":
        print(call(f, " ".join(argv[2:-1]))[argv[-1]])
    elif cmd == "write-shared":
        d, want = int(argv[2]), int(argv[3])
        mine = hashes(f, d)
        others = set()
        for o in call(f, "list")["domids"].split(","):
            if o and int(o) not in (0, d):
                others.update(hashes(f, int(o)).values())
        done = 0
        for gfn, h in sorted(mine.items()):
            if done == want:
                break
            if h in others:
                call(f, "guest_write %d %d" % (d, gfn))
                done += 1
        print(done)
    elif cmd == "write-all":
        d = int(argv[2])
        mine = hashes(f, d)
        for gfn in sorted(mine):
            call(f, "guest_write %d %d" % (d, gfn))
        print(len(mine))
    else:
        raise SystemExit("hv.py: unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
