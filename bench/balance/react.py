#!/usr/bin/env python3
"""react.py BUILD N SAMPLES: the balance actor's reaction time.

A private xensim with N domains (512 MiB, maxmem 1 GiB, working set
256 MiB) whose actor is balance, host memory 1 GiB + N x 700 MiB, the
actor run with --reserve 512m (free memory kept for growth, so a raise is
paid at once and the figure is the actor's reaction, not the donors').
Each sample (domains 2..N: the first one may hold the rounding of the
surplus at its maximum) changes one guest's working set (256 -> 900 MiB, then back
on the next sample) through the
hv channel, which makes the guest write memory/meminfo at once, and times
until a xenstore watch sees that guest's memory/target change.  Then the
actor's CPU per pass, RSS, and context switches over 2 s of idleness.
Prints one line: N p50 p99 max (ms) cpu_per_pass_us rss_kib idle_wakeups
samples_without_write (a change the damping absorbed, after 5 s).
"""
import os
import select
import subprocess
import sys

from simhost import SimHost
import time

build, n, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
host = SimHost(build, "bench-react.", [
    "--domains", str(n), "--host-mem", "%dM" % (1024 + 700 * n)])
tmp, env, xensim, xs, call = (host.tmp, host.env, host.xensim, host.xs,
                               host.call)


subprocess.run([build + "/tests/actor-probe", "policy", "1", str(n),
                "balance", "grace=0"], env=env, check=True,
               stdout=subprocess.DEVNULL)
# Wait until every domain is explained (the actor took them all): the
# watch is set before the actor starts.
status = "/tool/mempolicy/actors/balance/status"
w = subprocess.Popen(["xenstore-watch", status], env=env,
                     stdout=subprocess.PIPE, text=True)
w.stdout.readline()  # the initial event
log = open(tmp + "/balance.log", "w")
actor = subprocess.Popen([build + "/bin/balance", "--reserve", "512m"] +
                         os.environ.get("MP_BALANCE_ARGS", "").split(),
                         env=env, stderr=log)
seen = set()
while len(seen) < n:
    p = w.stdout.readline().split()
    if p and p[0].startswith(status + "/"):
        seen.add(p[0])
w.terminate()
if os.environ.get("MP_BALANCE_DEBUG"):
    print("statuses seen", len(seen), file=sys.stderr)
call("settle 60000")

watch = subprocess.Popen(["xenstore-watch", "/local/domain"], env=env,
                         stdout=subprocess.PIPE, text=True, bufsize=1)
watch.stdout.readline()  # the initial event
high = {}
lat = []
nowrite = 0


def cpu(pid):
    f = open("/proc/%d/stat" % pid).read().split(")")[-1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


cpu0 = cpu(actor.pid)
for i in range(samples):
    # up then down on the same guest: one guest grows at a time
    d = 2 + ((i // 2) * 7919) % (n - 1)
    high[d] = not high.get(d, False)
    want = "/local/domain/%d/memory/target" % d
    t0 = time.monotonic()
    call("guest_set %d demand_kb=%d" % (d, (900 if high[d] else 256) * 1024))
    got = False
    while not got:
        # A change the damping absorbs writes nothing: after 5 s the
        # sample counts as "no write" (a measurement bound only).
        r, _, _ = select.select([watch.stdout], [], [], 5.0)
        if not r:
            break
        line = watch.stdout.readline()
        got = bool(line.split()) and line.split()[0] == want
    if not got:
        nowrite += 1
        call("settle 60000")
        continue
    lat.append((time.monotonic() - t0) * 1000)
    if os.environ.get("MP_BALANCE_DEBUG"):
        print("sample", i, d, lat[-1], file=sys.stderr)
    call("settle 60000")
cpu1 = cpu(actor.pid)
watch.terminate()


def switches(pid):
    s = 0
    for t in os.listdir("/proc/%d/task" % pid):
        for l in open("/proc/%d/task/%s/status" % (pid, t)):
            if "ctxt_switches" in l:
                s += int(l.split()[1])
    return s


rss = [l.split()[1] for l in open("/proc/%d/status" % actor.pid)
       if l.startswith("VmRSS")][0]
time.sleep(1)  # the last tick after the balloons stopped (200 ms)
s0 = switches(actor.pid)
time.sleep(2)  # a measurement window
s1 = switches(actor.pid)
actor.terminate()
actor.wait()
log.close()
xensim.terminate()
xensim.wait()
passes = 0
for l in open(tmp + "/balance.log"):
    if "stats" in l:
        passes = int(l.split("passes=")[1].split()[0])
lat.sort()
print("%d %.2f %.2f %.2f %.0f %s %d %d" % (
    n, lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))],
    lat[-1], (cpu1 - cpu0) * 1e6 / max(passes, 1), rss, s1 - s0, nowrite))
if not os.environ.get("MP_BALANCE_KEEP"):
    subprocess.run(["rm", "-rf", tmp])
else:
    print(tmp)
