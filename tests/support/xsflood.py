#!/usr/bin/env python3
# xsflood.py: hostile clients of xensim's sockets, for tests/xensim-*
# limits tests.  Each subcommand prints key=value lines the shell test
# checks; every wait is bounded (MP_WAIT_S, 120 s: only a hang reaches
# it) and none is a sleep: a round trip on a connection proves xensim's
# loop turned.
#
#   xsflood.py emfile SOCK N LOG      N dom0 connections while xensim
#                                     has few descriptors left
#   xsflood.py domconns SOCK DOMSOCK N
#                                     N connections of one guest
#   xsflood.py pipeline SOCK N PID    N 4 KB reads pipelined, never
#                                     read back; xensim's peak RSS
#   xsflood.py hvpipeline HVSOCK N PID
#                                     the same with page_hashes on the
#                                     hv channel, of a domain it creates
#   xsflood.py oversize SOCK N        N connections in turn, each sending
#                                     a header announcing 4097 bytes
#                                     (one over XENSTORE_PAYLOAD_MAX);
#                                     counts those xensim closed
import os
import select
import socket
import struct
import sys

XS_READ, XS_WRITE, XS_ERROR = 2, 11, 16
TIMEOUT = float(os.environ.get("MP_WAIT_S", "120"))


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        r, _, _ = select.select([s], [], [], TIMEOUT)
        if not r:
            raise TimeoutError("no reply in %ss" % TIMEOUT)
        d = s.recv(n - len(b))
        if not d:
            raise EOFError("connection closed")
        b += d
    return b


def send(s, typ, payload, req=0):
    s.sendall(struct.pack("<IIII", typ, req, 0, len(payload)) + payload)


def call(s, typ, payload):
    send(s, typ, payload)
    t, _, _, n = struct.unpack("<IIII", recv_exact(s, 16))
    return t, recv_exact(s, n)


def closed(s):
    """True if the peer closed s (EOF after any pending data)."""
    while True:
        r, _, _ = select.select([s], [], [], TIMEOUT)
        if not r:
            return False
        try:
            if not s.recv(65536):
                return True
        except ConnectionResetError:
            return True


def rss_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def log_count(log, text):
    with open(log) as f:
        return sum(text in line for line in f)


def emfile(sock, n, log):
    conns = [connect(sock) for _ in range(n)]
    # The first connection is accepted before xensim runs out (backlog
    # order); each round trip is at least one turn of xensim's loop, on
    # which a spinning listener would fail (and log) again.
    for _ in range(50):
        t, _ = call(conns[0], XS_READ, b"/tool\0")
        assert t == XS_READ, t
    print("roundtrips=ok")
    print("accept_failures_logged=%d" % log_count(log, "Too many open files"))
    # The last one waits in the backlog; closing the others frees
    # descriptors, and it is served.
    send(conns[-1], XS_READ, b"/tool\0")
    for c in conns[:-1]:
        c.close()
    t, _, _, ln = struct.unpack("<IIII", recv_exact(conns[-1], 16))
    recv_exact(conns[-1], ln)
    print("backlog_served=%d" % (t == XS_READ))
    print("recovery_logged=%d" % log_count(log, "again"))


def domconns(sock, domsock, n):
    conns = [connect(domsock) for _ in range(n)]
    served = refused = 0
    for c in conns:
        try:
            t, _ = call(c, XS_READ, b"/local/domain/1\0")
            served += 1
        except (EOFError, ConnectionResetError, BrokenPipeError):
            refused += 1
    print("served=%d refused=%d" % (served, refused))
    # dom0 is unaffected, and a guest connection closing makes room.
    dom0 = connect(sock)
    t, _ = call(dom0, XS_READ, b"/tool\0")
    print("dom0_served=%d" % (t == XS_READ))
    for c in conns:
        c.close()
    # A round trip after the closes: xensim has seen them (one turn of
    # its loop reports every ready descriptor) before the next accept.
    call(dom0, XS_READ, b"/tool\0")
    # Any reply will do (the guest may not read the node: XS_ERROR).
    t, _ = call(connect(domsock), XS_READ, b"/local/domain/1\0")
    print("after_close_served=%d" % (t in (XS_READ, XS_ERROR)))


def pipeline(sock, n, pid):
    other = connect(sock)
    t, _ = call(other, XS_WRITE, b"/big\0" + b"x" * 4000)
    assert t == XS_WRITE, t
    before = rss_kb(pid, "VmRSS")
    s = connect(sock)
    req = struct.pack("<IIII", XS_READ, 0, 0, 5) + b"/big\0"
    disconnected = False
    try:
        s.sendall(req * n)
    except (BrokenPipeError, ConnectionResetError):
        disconnected = True
    if not disconnected:
        disconnected = closed(s)
    print("disconnected=%d" % disconnected)
    print("growth_mb=%d" % ((rss_kb(pid, "VmHWM") - before) // 1024))
    t, v = call(other, XS_READ, b"/big\0")
    print("other_served=%d" % (t == XS_READ and len(v) == 4000))


def hvpipeline(hvsock, n, pid):
    other = connect(hvsock).makefile("rw")
    other.write("create name=flood type=hvm memory_kb=65536\n")
    other.flush()
    r = other.readline()
    assert r.startswith("ok domid="), r
    domid = int(r.split("=")[1])
    before = rss_kb(pid, "VmRSS")
    s = connect(hvsock)
    req = ("page_hashes %d 0 512\n" % domid).encode()
    disconnected = False
    try:
        s.sendall(req * n)
    except (BrokenPipeError, ConnectionResetError):
        disconnected = True
    if not disconnected:
        disconnected = closed(s)
    print("disconnected=%d" % disconnected)
    print("growth_mb=%d" % ((rss_kb(pid, "VmHWM") - before) // 1024))
    other.write("dominfo %d\n" % domid)
    other.flush()
    print("other_served=%d" % other.readline().startswith("ok domid="))


def oversize(sock, n):
    gone = 0
    for _ in range(n):
        s = connect(sock)
        s.sendall(struct.pack("<IIII", XS_READ, 0, 0, 4097))
        # The close is what xensim does after its log line: once seen,
        # the line (if any) is in the log.
        gone += closed(s)
        s.close()
    print("disconnected=%d" % gone)


def main(a):
    if a[1] == "emfile":
        emfile(a[2], int(a[3]), a[4])
    elif a[1] == "domconns":
        domconns(a[2], a[3], int(a[4]))
    elif a[1] == "pipeline":
        pipeline(a[2], int(a[3]), int(a[4]))
    elif a[1] == "hvpipeline":
        hvpipeline(a[2], int(a[3]), int(a[4]))
    elif a[1] == "oversize":
        oversize(a[2], int(a[3]))
    else:
        sys.exit("xsflood.py: unknown command " + a[1])


if __name__ == "__main__":
    main(sys.argv)
