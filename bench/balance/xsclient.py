"""xsclient.py: a small xenstore client over the wire protocol (xenstore's
docs/misc/xenstore.txt; struct xsd_sockmsg), for the balance benchmarks'
driver and the qmemman-like baseline: one connection for requests and
watch events, so that events arrive in the order the store made them
(a `xenstore-watch` process per path gives no order between paths), and
no process started per request.

    c = XsClient(path)               # XENSTORED_PATH
    c.read(p) / c.write(p, v) / c.rm(p) / c.directory(p) / c.chmod(p, "n5")
    c.watch(p, token); c.unwatch(p, token)
    c.event(timeout)                 # (path, token) or None
    c.pending()                      # an event is already buffered or readable
"""
import select
import socket
import struct

XS_DIRECTORY, XS_READ, XS_WATCH, XS_UNWATCH = 1, 2, 4, 5
XS_WRITE, XS_RM, XS_SET_PERMS, XS_WATCH_EVENT, XS_ERROR = 11, 13, 14, 15, 16


class XsError(Exception):
    pass


class XsClient:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""
        self.events = []
        self.req = 0

    def _fill(self, timeout=None):
        if timeout is not None:
            r, _, _ = select.select([self.s], [], [], timeout)
            if not r:
                return False
        d = self.s.recv(65536)
        if not d:
            raise EOFError("xenstore connection closed")
        self.buf += d
        return True

    def _msg(self, timeout=None):
        """One message off the connection: (type, req_id, payload)."""
        while len(self.buf) < 16 or \
                len(self.buf) < 16 + struct.unpack_from("<I", self.buf, 12)[0]:
            if not self._fill(timeout):
                return None
        t, rid, _, n = struct.unpack_from("<IIII", self.buf)
        p, self.buf = self.buf[16:16 + n], self.buf[16 + n:]
        return t, rid, p

    def _event(self, p):
        f = p.split(b"\0")
        self.events.append((f[0].decode(), f[1].decode() if len(f) > 1
                            else ""))

    def call(self, typ, payload):
        self.req += 1
        self.s.sendall(struct.pack("<IIII", typ, self.req, 0, len(payload)) +
                       payload)
        while True:
            t, rid, p = self._msg()
            if t == XS_WATCH_EVENT:
                self._event(p)
                continue
            if t == XS_ERROR:
                raise XsError(p.rstrip(b"\0").decode())
            return p

    def read(self, path):
        try:
            return self.call(XS_READ, path.encode() + b"\0").decode()
        except XsError:
            return None

    def write(self, path, value):
        self.call(XS_WRITE, path.encode() + b"\0" + str(value).encode())

    def rm(self, path):
        try:
            self.call(XS_RM, path.encode() + b"\0")
        except XsError:
            pass

    def directory(self, path):
        try:
            p = self.call(XS_DIRECTORY, path.encode() + b"\0")
        except XsError:
            return []
        return [x.decode() for x in p.split(b"\0") if x]

    def chmod(self, path, *perms):
        self.call(XS_SET_PERMS, path.encode() + b"\0" +
                  b"".join(p.encode() + b"\0" for p in perms))

    def watch(self, path, token):
        self.call(XS_WATCH, path.encode() + b"\0" + token.encode() + b"\0")

    def unwatch(self, path, token):
        try:
            self.call(XS_UNWATCH, path.encode() + b"\0" + token.encode() +
                      b"\0")
        except XsError:
            pass

    def pending(self):
        """An event is buffered, or the connection has something to read."""
        if self.events:
            return True
        r, _, _ = select.select([self.s], [], [], 0)
        return bool(r) or len(self.buf) >= 16

    def event(self, timeout=None):
        """The next watch event, waiting up to timeout seconds (None:
        for ever): (path, token), or None on timeout."""
        while not self.events:
            m = self._msg(timeout)
            if m is None:
                return None
            if m[0] == XS_WATCH_EVENT:
                self._event(m[2])
        return self.events.pop(0)
