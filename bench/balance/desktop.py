#!/usr/bin/env python3
"""desktop.py BUILD SCENARIO BALANCER OUT: one run of a bench/balance
desktop scenario on xensim's HELD clock, so that every simulated-time
figure is the same whatever the machine's speed or load.

BALANCER is none, xl-auto (static targets: the VMs' creation sizes),
qmemman (the qmemman-like baseline, qmemman_like.py) or balance (the
balance actor, defaults, grace=10; MP_BENCH_ARGS0 replaces the params of
the VMs there from the start, e.g. grace=0).  SCENARIO is xensim's JSON with one
more section, read and removed here:

  "bench": { "end": 160, "floor": 72,
             "start": { "at": 60, "name": "dispvm", "memory": 1280,
                        "maxmem": 3072, "demand": 1400 } }

The driver holds xensim's clock and steps it 100 ms at a time; after each
step it waits until the balancer has done all the step made due (the
actor kit's barrier /tool/mempolicy/actors/NAME/clock; the baseline's
/tool/bench/qmemman/clock: its time, or "wait T" while it sleeps until
T).  A balancer's write therefore lands at a step's end, as if it had
reacted within the 100 ms; how fast the machine runs it changes nothing.
At "start.at" it runs start-vm.sh (a toolstack starting a VM: asks the
balancer for the memory first where it takes requests) and steps on
while start-vm.sh waits for the answer; once the answer is in the store
it lets start-vm.sh finish (create, release) before the next step.

OUT gets rec.csv (xensim's recording), guestinfo, start.log, writes,
usage and params for figures.py."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from xsclient import XsClient  # noqa: E402
from simhost import Hv  # noqa: E402

STEP_MS = 100
WAIT_S = float(os.environ.get("MP_WAIT_S", "120"))
RESV = "/tool/mempolicy/reservations"
Q_REQ = "/tool/bench/qmemman/request-kb"
Q_DONE = "/tool/bench/qmemman/request-done"
Q_CLOCK = "/tool/bench/qmemman/clock"


def main():
    build, scen, who, out = sys.argv[1:5]
    build = os.path.abspath(build)
    text = "\n".join(l for l in open(scen)
                     if not l.lstrip().startswith("//"))
    sc = json.loads(text)
    bench = sc.pop("bench")
    policy, args = {"balance": ("balance", "grace=10"),
                    "xl-auto": ("xl-auto", "delay=5")}.get(who, ("", ""))
    for d in sc["domains"]:
        if policy:
            d["memory_policy"] = policy
            d["memory_policy_args"] = os.environ.get("MP_BENCH_ARGS0", args)
    os.makedirs(out, exist_ok=True)
    json.dump(sc, open(out + "/scenario.json", "w"), indent=1)
    open(out + "/start.log", "w").close()
    sock = out + "/xs"
    env = dict(os.environ, XENSTORED_PATH=sock, MEMPOLICY_BALANCE_STATS="1",
               BENCH_OUT=out, BENCH_DIR=HERE,
               BENCH_PROBE=build + "/tests/actor-probe",
               BENCH_REQUEST="1" if who in ("balance", "qmemman") else "0",
               BENCH_POLICY=policy, BENCH_POLICY_ARGS=args)
    rfd, wfd = os.pipe()
    xensim = subprocess.Popen(
        [build + "/bin/xensim", "--socket", sock, "--ready-fd", str(wfd),
         "--paused", "--scenario", out + "/scenario.json",
         "--record", out + "/rec.csv"], pass_fds=(wfd,),
        stderr=open(out + "/xensim.log", "w"))
    os.close(wfd)
    os.read(rfd, 16)
    os.close(rfd)
    xs = XsClient(sock)
    hv = Hv(xs.read("/tool/xensim/hv-socket"))
    t0 = int(hv.call("clock").split("ms=")[1].split()[0])

    barrier = {"balance": "/tool/mempolicy/actors/balance/clock",
               "xl-auto": "/tool/mempolicy/actors/xl-auto/clock",
               "qmemman": Q_CLOCK}.get(who)
    if barrier:
        xs.watch(barrier, "barrier")

    def caught_up(now):
        v = xs.read(barrier)
        if v is None:
            return False
        if v.startswith("wait "):
            return int(v.split()[1]) > now
        return int(v) >= now

    def wait_for(cond, what):
        end = time.monotonic() + WAIT_S
        while not cond():
            if time.monotonic() > end:
                sys.exit("desktop.py: %s: no %s within %.0f s" %
                         (who, what, WAIT_S))
            xs.event(1.0)

    def step(ms):
        r = hv.call("clock step %d" % ms)
        now = int(r.split("ms=")[1].split()[0])
        if barrier:
            wait_for(lambda: caught_up(now), "barrier at %d ms" % now)
        return now

    log = open(out + "/balancer.log", "w")
    proc = None
    if who == "balance":
        proc = subprocess.Popen([build + "/bin/balance"] +
                                os.environ.get("MP_BALANCE_ARGS", "").split(),
                                env=env, stderr=log)
    elif who == "xl-auto":
        proc = subprocess.Popen([build + "/bin/xl-auto"], env=env,
                                stderr=log)
    elif who == "qmemman":
        proc = subprocess.Popen([sys.executable, HERE + "/qmemman_like.py"],
                                env=env, stderr=log)
    if barrier:
        wait_for(lambda: caught_up(t0), "start-up")

    # Watch what the VM start waits on, so that wait_for wakes.
    xs.watch(RESV, "resv")
    xs.watch(Q_DONE, "qdone")
    xs.watch(Q_REQ, "qreq")
    st = bench.get("start")
    starter = None
    pending = False
    now = t0
    end_ms = t0 + int(bench["end"] * 1000)

    def requested():
        if who == "balance":
            return any(xs.read("%s/%s/state" % (RESV, r))
                       for r in xs.directory(RESV) if r.isdigit())
        return xs.read(Q_REQ) is not None

    def answered():
        if who == "balance":
            return not any(xs.read("%s/%s/state" % (RESV, r)) == "pending"
                           for r in xs.directory(RESV) if r.isdigit())
        return xs.read(Q_DONE) is not None

    while now < end_ms:
        if st and starter is None and now - t0 >= st["at"] * 1000:
            starter = subprocess.Popen(
                [HERE + "/start-vm.sh", st["name"], str(st["memory"] * 1024),
                 str(st["maxmem"] * 1024), str(st["demand"] * 1024)],
                env=env)
            if who in ("balance", "qmemman"):
                wait_for(lambda: requested() or starter.poll() is not None,
                         "request")
                pending = True
            else:
                starter.wait(WAIT_S)
            now = step(1)
            continue
        if starter is not None and pending:
            if starter.poll() is not None or answered():
                starter.wait(WAIT_S)
                pending = False
                now = step(1)  # the balancer sees the new domain now
                continue
        now = step(min(STEP_MS, end_ms - now))

    info = []
    for d in xs.directory("/local/domain"):
        if d != "0":
            info.append(hv.call("guestinfo %s" % d).strip())
    open(out + "/guestinfo", "w").write("\n".join(info) + "\n")
    if proc:
        with open("/proc/%d/stat" % proc.pid) as f:
            s = f.read().rsplit(")", 1)[1].split()
        cpu = (int(s[11]) + int(s[12])) / os.sysconf("SC_CLK_TCK")
        rss = [l.split()[1] for l in open("/proc/%d/status" % proc.pid)
               if l.startswith("VmRSS")][0]
        open(out + "/usage", "w").write("cpu_s=%s rss_kb=%s\n" % (cpu, rss))
        proc.terminate()
        hv.call("clock resume")
        proc.wait(WAIT_S)
    else:
        hv.call("clock resume")
    log.close()
    xensim.terminate()
    xensim.wait(WAIT_S)
    lg = open(out + "/balancer.log").read()
    if who in ("balance", "qmemman"):
        w = lg.rsplit("writes=", 1)[1].split()[0] if "writes=" in lg else "?"
    else:
        # target changes seen on the recording
        w, last = 0, {}
        for l in open(out + "/rec.csv").readlines()[1:]:
            f = l.split(",")
            if f[2] in last and last[f[2]] != f[3]:
                w += 1
            last[f[2]] = f[3]
    open(out + "/writes", "w").write("%s\n" % w)
    with open(out + "/params", "w") as f:
        f.write("floor_kb=%d\nend_s=%d\n" % (bench.get("floor", 72) * 1024,
                                              bench["end"]))
        if st:
            f.write("start_s=%d\nstart_demand_kb=%d\nstart_name=%s\n" %
                    (st["at"], st["demand"] * 1024, st["name"]))


if __name__ == "__main__":
    main()
