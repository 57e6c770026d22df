"""simhost.py: a private xensim for the balance benchmarks (react.py,
thin.py): one home for starting it, reading the store and talking to its
hv channel.

    h = SimHost(build, prefix, ["--domains", "10", ...])  # "{tmp}": h.tmp
    h.xs("read", path); h.call("clock pause"); h.env; h.tmp; h.xensim
"""
import os
import socket
import subprocess
import tempfile


class Hv:
    """A connection to xensim's hv channel (docs/hv-channel.md)."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rwb")

    def call(self, line):
        """One request: its one-line reply."""
        self.f.write((line + "\n").encode())
        self.f.flush()
        return self.f.readline().decode()


class SimHost:
    def __init__(self, build, prefix, args):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        sock = self.tmp + "/xs"
        self.env = dict(os.environ, XENSTORED_PATH=sock,
                        MEMPOLICY_BALANCE_STATS="1")
        rfd, wfd = os.pipe()
        self.xensim = subprocess.Popen(
            [build + "/bin/xensim", "--socket", sock, "--ready-fd",
             str(wfd)] + [a.replace("{tmp}", self.tmp) for a in args],
            pass_fds=(wfd,), stderr=open(self.tmp + "/xensim.log", "w"))
        os.close(wfd)
        os.read(rfd, 16)  # ready
        os.close(rfd)
        self._hv = Hv(self.xs("read", "/tool/xensim/hv-socket"))

    def xs(self, *args):
        """xenstore-ARGS[0] ARGS[1:] on this host's store: its output."""
        return subprocess.run(("xenstore-" + args[0],) + args[1:],
                              env=self.env, capture_output=True,
                              text=True).stdout.strip()

    def call(self, line):
        """One hv channel request: its one-line reply."""
        return self._hv.call(line)
