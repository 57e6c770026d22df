#!/usr/bin/env python3
"""qmemman_like.py: a REIMPLEMENTATION, for comparison only, of the rules
Qubes' qmemman publishes (QubesOS/qubes-core-admin, qubes/qmemman/algo.py,
systemstate.py and qubes/tools/qmemmand.py), written from reading them so
that bench/balance can compare the balance actor with qmemman on the same
simulated host.  It is not qmemman and not part of the product: qmemman
needs Xen's own Python bindings (xen.lowlevel.xc/xs), which cannot talk to
xensim, so its rules are restated here, with its constants:

  pref = used x CACHE_FACTOR (1.3), at least MIN_PREFMEM (200 MiB), at most
  the domain's static-max; needed = pref - actual, actual = max(tot_pages,
  last target); Xen free memory counts minus what domains were given but
  have not taken; XEN_FREE_MEM_LEFT (50 MiB) is kept free.
  Enough memory: everyone gets pref plus a share of the rest in proportion
  to pref (capped at static-max, what is left spread again); short: donors
  go to pref, acceptors share what donors give (plus free) in proportion to
  pref.  A balance is applied only if significant (total transfer above
  150 MiB, or a domain under pref gaining over 15 MiB, or Xen free far from
  50 MiB).  Donors first; before raising an acceptor it waits up to 5 x
  100 ms for free memory, then gives what is free and stops (a domain that
  did not react is marked and left out until it does).  Every domain of a
  balance gets its target written, changed or not, and maxmem = target +
  1 MiB.  A toolstack's request for free memory (qmemman.sock's do_balloon)
  takes memory from donors in proportion to what they can give, checking
  progress of 100 MiB/s over 3 s, and holds balancing off until the
  request ends.
As qmemman (systemstate.py, read at QubesOS/qubes-core-admin 1ad5f9b8):
Xen's free memory is scaled by MEM_OVERHEAD_FACTOR (1 / 1.00781, the
per-page Xen structures); mem_set writes memory/target 16 MiB under the
size it decided ("VM sees about 16MB memory less"), so every guest holds
16 MiB less than qmemman counts it (assigned but unused, never free); a
domain appearing or going (@introduceDomain / @releaseDomain) triggers a
balance; a refused request is answered at once (qubesd then fails the
start with QubesMemoryError) and balancing resumes when the client lets
go.
Not reproduced: dom0's 350 MiB boost (dom0 reports nothing in the
benchmark, so qmemman leaves it alone as here), memory hotplug,
do_balloon_dom (not used by a VM start).

The request is a node (/tool/bench/qmemman/request-kb, answered in
request-done with the size or FAIL) in place of qmemman.sock, the same
ask-then-wait as the balance actor's reservations
(bench/balance/start-vm.sh).

Time: on xensim's held clock (bench/balance/desktop.py steps it) every
sleep of qmemman (BALLOON_DELAY) is simulated time and qmemman's
reaction to a report takes none, as on a host where it is fast; it says
when it is done with a step in /tool/bench/qmemman/clock (class Clock).
All its watches are on one store connection (xsclient.py), so it sees
the events of a step in the order the store made them.

  qmemman_like.py            (XENSTORED_PATH set)
"""
import os
import signal
import sys
import time

import simhost
from xsclient import XsClient

CACHE_FACTOR = 1.3
MIN_PREFMEM = 200 * 1024          # KiB
XEN_FREE_MEM_LEFT = 50 * 1024
XEN_FREE_MEM_MIN = 25 * 1024
MEM_OVERHEAD_FACTOR = 1.0 / 1.00781
TARGET_OFFSET = 16 * 1024         # mem_set: "VM sees about 16MB less"
MIN_TOTAL_MEMORY_TRANSFER = 150 * 1024
MIN_MEM_CHANGE_WHEN_UNDER_PREF = 15 * 1024
REQ_SAFETY_NET_FACTOR = 1.05
BALLOON_DELAY = 0.1               # seconds of host time
CHECK_PERIOD_S = 3
CHECK_MB_S = 100
REQUEST = "/tool/bench/qmemman/request-kb"
DONE = "/tool/bench/qmemman/request-done"
BARRIER = "/tool/bench/qmemman/clock"
CLOCK = "/tool/xensim/clock"

writes = 0


XS = None


def xs(op, path, *args):
    if op == "read":
        return XS.read(path)
    if op == "write":
        return XS.write(path, args[0])
    if op == "rm":
        return XS.rm(path)
    if op == "list":
        return " ".join(XS.directory(path))
    if op == "chmod":
        return XS.chmod(path, *args)
    raise ValueError(op)


class Clock:
    """xensim's simulated clock, from /tool/xensim/clock ("BASE ANCHOR
    RATE": RATE 0 while a driver holds it).  Held, every sleep of qmemman
    is simulated time: qmemman says it waits (BARRIER = "wait DEADLINE")
    and reads watch events, keeping them for later, until a step of the
    driver reaches the deadline; idle, it says up to which time it has
    done everything (BARRIER = "MS"), so the driver steps on only once
    qmemman has reacted (bench/balance/desktop.py)."""

    def __init__(self):
        self.base = self.anchor = 0
        self.rate = 1.0
        self.deferred = []
        self.acked = None
        self.update()

    def update(self):
        v = (XS.read(CLOCK) or "0 0 1").split()
        self.base, self.anchor, self.rate = int(v[0]), int(v[1]), float(v[2])

    def held(self):
        return self.rate == 0

    def now(self):
        if self.held():
            return self.base
        return self.base + (time.monotonic() * 1000 - self.anchor) * self.rate

    def ack(self):
        if self.held() and self.acked != self.base:
            XS.write(BARRIER, str(self.base))
            self.acked = self.base

    def next_event(self, timeout):
        """The next watch event to handle (deferred ones first).  After
        an idle acknowledgement, the events of a step are handled once
        the step's clock has arrived: they happened during it."""
        if self.deferred:
            return self.deferred.pop(0)
        if not XS.pending():
            self.ack()
        ev = XS.event(timeout)
        if ev is None or ev[0] == CLOCK or not self.held() or \
                self.base != self.acked:
            return ev
        batch = [ev]
        while True:
            e = XS.event()
            if e[0] == CLOCK:
                self.update()
                if not self.held() or self.base != self.acked:
                    break
                continue
            batch.append(e)
        self.deferred.extend(batch[1:])
        return batch[0]

    def sleep(self, seconds):
        if not self.held():
            time.sleep(seconds / max(self.rate, 1e-9))
            self.update()
            return
        deadline = self.base + int(seconds * 1000)
        XS.write(BARRIER, "wait %d" % deadline)
        self.acked = None
        while self.base < deadline:
            e = XS.event()
            if e[0] == CLOCK:
                self.update()
                if not self.held():
                    break
            else:
                self.deferred.append(e)


class Hv(simhost.Hv):
    def __init__(self):
        super().__init__(xs("read", "/tool/xensim/hv-socket"))

    def call(self, line):
        r = super().call(line).split()
        if not r or r[0] != "ok":
            return None
        return dict(kv.split("=", 1) for kv in r[1:] if "=" in kv)


class Dom:
    def __init__(self, domid):
        self.domid = domid
        self.mem_current = 0
        self.mem_actual = None
        self.mem_max = None
        self.mem_used = None
        self.last_target = 0
        self.no_progress = False
        self.slow_memset_react = False


class State:
    def __init__(self, clock):
        self.hv = Hv()
        self.clock = clock
        self.doms = {}

    def sleep(self, s):
        self.clock.sleep(s)

    def refresh(self):
        r = self.hv.call("dominfo_all")
        fields = r["fields"].split(",")
        for rec in r["domains"].split(";") if r["domains"] else []:
            v = dict(zip(fields, rec.split(",")))
            d = self.doms.get(int(v["domid"]))
            if not d:
                continue
            d.mem_current = int(v["tot_kb"])
            d.mem_actual = max(d.mem_current, d.last_target)
            if d.mem_max is None:
                sm = xs("read", "/local/domain/%d/memory/static-max" %
                        d.domid)
                d.mem_max = int(sm) if sm else 0

    def free(self):
        xen_free = int(int(self.hv.call("physinfo")["free_kb"]) *
                       MEM_OVERHEAD_FACTOR)
        unused = sum(max(0, d.last_target - d.mem_current)
                     for d in self.doms.values())
        return xen_free - unused

    def mem_set(self, d, val):
        global writes
        val = int(val)
        d.last_target = val
        self.hv.call("setmaxmem %d %d" % (d.domid, val + 1024))
        xs("write", "/local/domain/%d/memory/target" % d.domid,
           str(val - TARGET_OFFSET))
        writes += 1

    # algo.py
    def pref(self, d):
        return int(max(min(d.mem_used * CACHE_FACTOR, d.mem_max),
                       MIN_PREFMEM))

    def live(self):
        return [d for d in self.doms.values()
                if d.mem_used is not None and not d.no_progress and
                d.mem_actual is not None]

    def balance_plan(self, xen_free):
        doms = self.live()
        total_needed = total_pref = total_pref_acc = 0
        donors, acceptors = [], []
        for d in doms:
            need = self.pref(d) - d.mem_actual
            if need < 0 or d.mem_actual >= d.mem_max:
                donors.append(d)
            else:
                acceptors.append(d)
                total_pref_acc += self.pref(d)
            total_needed += need
            total_pref += self.pref(d)
        avail = xen_free - total_needed
        if avail > 0:
            target = {}
            left = 0
            accept = 0
            for d in doms:
                t = int(0.999 * (self.pref(d) +
                                 self.pref(d) / total_pref * avail))
                if t > d.mem_max:
                    left += t - d.mem_max
                    t = d.mem_max
                else:
                    accept += 1
                target[d] = t
            while left > 0 and accept > 0:
                nleft, nacc = 0, accept
                for d, t in target.items():
                    if t < d.mem_max:
                        bonus = int(0.999 * left / accept)
                        if t + bonus >= d.mem_max:
                            nleft += t + bonus - d.mem_max
                            t = d.mem_max
                            nacc -= 1
                        else:
                            t += bonus
                    target[d] = t
                left, accept = nleft, nacc
            dn = [(d, t) for d, t in target.items() if t < d.mem_actual]
            ac = [(d, t) for d, t in target.items() if t >= d.mem_actual]
            return dn + ac
        reqs = []
        squeezed = xen_free
        for d in donors:
            a = -(self.pref(d) - d.mem_actual)
            if a < 10 * 1024:
                continue
            squeezed -= a
            reqs.append((d, self.pref(d)))
        if squeezed < 0:
            return reqs
        for d in acceptors:
            t = d.mem_actual + self.pref(d) / total_pref_acc * squeezed
            reqs.append((d, min(int(0.999 * t), d.mem_max)))
        return reqs

    def significant(self, reqs, xenfree):
        if XEN_FREE_MEM_LEFT - xenfree > MIN_MEM_CHANGE_WHEN_UNDER_PREF:
            return True
        total = 0
        for d, m in reqs:
            change = m - d.last_target
            total += abs(change)
            if 0 < d.last_target < self.pref(d) and \
                    change > MIN_MEM_CHANGE_WHEN_UNDER_PREF:
                return True
        return total + abs(xenfree - XEN_FREE_MEM_LEFT) > \
            MIN_TOTAL_MEMORY_TRANSFER

    # systemstate.py do_balance
    def do_balance(self):
        self.refresh()
        for d in self.doms.values():
            if d.mem_used is None:
                continue
            if d.mem_actual <= d.last_target + XEN_FREE_MEM_LEFT / 2 or \
                    d.mem_actual < self.pref(d):
                d.slow_memset_react = False
                d.no_progress = False
        xenfree = self.free()
        reqs = self.balance_plan(xenfree - XEN_FREE_MEM_LEFT)
        if not self.significant(reqs, xenfree):
            return
        prev = {d: d.mem_actual for d in self.doms.values()}
        for d, mem in reqs:
            ntries = 5
            while self.free() - (mem - d.mem_actual) < \
                    0.9 * XEN_FREE_MEM_LEFT:
                self.sleep(BALLOON_DELAY)
                self.refresh()
                ntries -= 1
                if ntries <= 0:
                    for d2, m2 in reqs:
                        if d2 is d:
                            break
                        if d2.mem_actual > d2.last_target + \
                                XEN_FREE_MEM_LEFT / 4:
                            if prev[d2] == d2.mem_actual:
                                d2.no_progress = True
                            else:
                                d2.slow_memset_react = True
                    self.mem_set(d, self.free() + d.mem_actual -
                                 XEN_FREE_MEM_LEFT)
                    return
            self.mem_set(d, mem)

    # systemstate.py do_balloon: free `mem` for a toolstack
    def do_balloon(self, mem):
        period = max(1, int(CHECK_PERIOD_S / BALLOON_DELAY))
        delta = CHECK_PERIOD_S * CHECK_MB_S * 1024
        ring = [0] * period
        prev = {}
        for d in self.doms.values():
            d.no_progress = False
        niter = 0
        while True:
            self.refresh()
            xenfree = self.free()
            if xenfree >= mem + XEN_FREE_MEM_MIN:
                for d in self.doms.values():
                    if d.mem_actual is not None and \
                            d.mem_actual + 200 < d.last_target:
                        self.mem_set(d, d.mem_actual)
                return True
            slot = niter % period
            if niter >= period and xenfree < ring[slot] + delta:
                return False
            ring[slot] = xenfree
            for d, p in prev.items():
                if p == d.mem_actual:
                    d.no_progress = True
            want = mem + XEN_FREE_MEM_LEFT - xenfree
            donors, avail = [], 0
            for d in self.live():
                need = self.pref(d) - d.mem_actual
                if need < 0:
                    donors.append((d, -need))
                    avail -= need
            if avail < want:
                return False
            scale = want / avail
            prev = {}
            for d, m in donors:
                self.mem_set(d, d.mem_actual - m * scale *
                             REQ_SAFETY_NET_FACTOR)
                prev[d] = d.mem_actual
            self.sleep(BALLOON_DELAY)
            niter += 1


def main():
    global XS
    XS = XsClient(os.environ["XENSTORED_PATH"])
    clock = Clock()
    st = State(clock)
    XS.watch(CLOCK, "clock")
    XS.watch(REQUEST, "request")
    XS.watch("@introduceDomain", "domains")
    XS.watch("@releaseDomain", "domains")
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    held = False

    def domains():
        ids = set(int(x) for x in XS.directory("/local/domain")
                  if x.isdigit() and x != "0")
        for i in ids - set(st.doms):
            st.doms[i] = Dom(i)
            t = xs("read", "/local/domain/%d/memory/target" % i)
            st.doms[i].last_target = int(t) if t else 0
            # Qubes' toolstack makes the node the guest's; qmemmand
            # watches each domain's meminfo (XS_Watcher.watch_meminfo).
            p = "/local/domain/%d/memory/meminfo" % i
            if xs("read", p) is None:
                xs("write", p, "")
            xs("chmod", p, "n%d" % i)
            XS.watch(p, "meminfo")
        for i in set(st.doms) - ids:
            XS.unwatch("/local/domain/%d/memory/meminfo" % i, "meminfo")
            del st.doms[i]

    domains()
    while not stop:
        ev = clock.next_event(1.0)
        if ev is None:
            continue
        path, token = ev
        if token == "clock":
            clock.update()
            continue
        if token == "request":
            v = xs("read", REQUEST)
            if v and v.isdigit():
                domains()
                # qmemman.sock answers OK or FAIL at once; the
                # toolstack gives up on FAIL and lets go.
                xs("write", DONE, v if st.do_balloon(int(v)) else "FAIL")
                held = True
            elif held and v is None:
                held = False
                xs("rm", DONE)
                domains()
                st.do_balance()
            continue
        if token == "domains":
            # qmemmand's domain_list_changed: refresh, then balance
            domains()
            if not held:
                st.do_balance()
            continue
        if token != "meminfo":
            continue
        try:
            i = int(path.split("/")[3])
        except (IndexError, ValueError):
            continue
        d = st.doms.get(i)
        v = xs("read", path)
        if d is None or not v or not v.isdigit():
            continue
        d.mem_used = int(v)
        # While a request holds qmemman's lock, a report waits (qmemmand's
        # watcher blocks on global_lock): balanced once it is let go.
        if not held:
            st.do_balance()
    print("qmemman-like: writes=%d" % writes, file=sys.stderr)


if __name__ == "__main__":
    main()
