#!/usr/bin/env python3
"""thin.py BUILD N SECONDS: target writes on a thin surplus (damping).

A private xensim with N domains (512 MiB, maxmem 1 GiB) whose actor is
balance, host memory 1 GiB + N x 512 MiB, every guest working on 390 MiB
with 24 MiB of workload noise (it reports on its own, as meminfo-writer
does, every few seconds): used x 1.3 is ~507 MiB, so the surplus is thin
(~5 MiB a domain) and the guests' noise moves the host in and out of
contention.  Runs SECONDS of simulated time at --speed 10 and prints one
line:
  N writes writes_per_domain_minute passes shortfall_MiBs min_free_MiB
from the actor's own count (MEMPOLICY_BALANCE_STATS), the guests'
shortfall integral (hv guestinfo) and xensim's recording.
"""
import os
import subprocess
import sys

from simhost import SimHost

build, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
speed = float(os.environ.get("MP_THIN_SPEED", "10"))
demand = int(os.environ.get("MP_THIN_DEMAND", "390"))
host = SimHost(build, "bench-thin.", [
    "--domains", str(n), "--host-mem", "%dM" % (1024 + 512 * n + 100),
    "--speed", str(speed), "--record", "{tmp}/rec.csv"])
tmp, env, xensim, xs, call = (host.tmp, host.env, host.xensim, host.xs,
                               host.call)


call("clock pause")
for d in range(1, n + 1):
    # working sets spread around `demand` (+-140 MiB), so that some
    # guests give and others take
    dm = demand - 140 + (d * 37) % 281
    call("guest_set %d demand_kb=%d noise_kb=%d" % (d, dm * 1024,
                                                    24 * 1024))
subprocess.run([build + "/tests/actor-probe", "policy", "1", str(n),
                "balance", "grace=0"], env=env, check=True,
               stdout=subprocess.DEVNULL)
log = open(tmp + "/balance.log", "w")
actor = subprocess.Popen([build + "/bin/balance"] +
                         os.environ.get("MP_BALANCE_ARGS", "").split(),
                         env=env, stderr=log)
# Start the clock once the actor serves (its "serving" line).
while "serving" not in open(tmp + "/balance.log").read():
    if actor.poll() is not None:
        sys.exit("balance exited")
    subprocess.run(["sleep", "0.05"])
t0 = float(call("clock").split("ms=")[1].split()[0])
call("clock resume")
call("wait %d" % int(secs * 1000))
call("clock pause")
short = 0.0
for d in range(1, n + 1):
    kv = dict(x.split("=", 1) for x in call("guestinfo %d" % d).split()[1:]
              if "=" in x)
    short += float(kv["shortfall_kb_s"]) / 1024
actor.terminate()
actor.wait()
log.close()
call("clock resume")
xensim.terminate()
xensim.wait()
writes = passes = 0
for l in open(tmp + "/balance.log"):
    if "stats" in l:
        writes = int(l.split("writes=")[1].split()[0])
        passes = int(l.split("passes=")[1].split()[0])
minfree = None
for l in open(tmp + "/rec.csv").readlines()[1:]:
    f = l.split(",")
    if float(f[0]) * 1000 < t0 + 20000:  # after the first 20 s
        continue
    v = int(f[10])
    minfree = v if minfree is None else min(minfree, v)
print("%d %d %.2f %d %.0f %.0f" % (n, writes, writes / n / (secs / 60.0),
                                   passes, short, (minfree or 0) / 1024))
if not os.environ.get("MP_BALANCE_KEEP"):
    subprocess.run(["rm", "-rf", tmp])
else:
    print(tmp)
