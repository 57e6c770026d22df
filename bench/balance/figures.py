#!/usr/bin/env python3
"""figures.py OUT_DIR LABEL: one row of bench/balance's table from a run.

Reads OUT_DIR/rec.csv (xensim's recording), OUT_DIR/guestinfo (the hv
channel's guestinfo of every domain at the end: the exact shortfall
integral), OUT_DIR/start.log (the VM started mid-run), OUT_DIR/writes
(target writes counted by the balancer) and OUT_DIR/params."""
import csv
import sys

out, label = sys.argv[1], sys.argv[2]
params = dict(l.strip().split("=", 1) for l in open(out + "/params"))
floor_kb = int(params["floor_kb"])
end_s = float(params["end_s"])
start_s = float(params.get("start_s", 0))
start_demand_kb = int(params.get("start_demand_kb", 0))
start_name = params.get("start_name")

rows = list(csv.DictReader(open(out + "/rec.csv")))
# host free: piecewise constant between rows
free, t_below, last_t, last_free = None, 0.0, None, None
min_free = None
for r in rows:
    t = float(r["time_s"])
    if t > end_s:
        break
    f = int(r["host_free_kb"])
    if last_t is not None and last_free < floor_kb:
        t_below += t - last_t
    last_t, last_free = t, f
    min_free = f if min_free is None else min(min_free, f)
if last_t is not None and last_free < floor_kb:
    t_below += end_s - last_t

short = {}
for line in open(out + "/guestinfo"):
    kv = dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)
    if "name" in kv:
        short[kv["name"]] = float(kv["shortfall_kb_s"]) / 1024
total = sum(short.values())
worst = max(short.items(), key=lambda x: x[1]) if short else ("-", 0)

started, ready = None, None
for line in open(out + "/start.log"):
    f = line.split()
    started = f[1] == "ok"
unstarted = 0.0
if start_name is None:
    pass
elif not started:
    unstarted = start_demand_kb / 1024 * (end_s - start_s)
else:
    created = None
    for r in rows:
        if r["name"] != start_name:
            continue
        t = float(r["time_s"])
        if created is None:
            created = t
        if int(r["tot_kb"]) >= int(r["demand_kb"]) and ready is None:
            ready = t - start_s
writes = open(out + "/writes").read().strip() or "0"
print("| %s | %.0f | %.0f | %.0f | %s %.0f | %.0f | %.1f | %s | %s |" % (
    label, total + unstarted, total, unstarted, worst[0], worst[1],
    (min_free or 0) / 1024, t_below, writes,
    "-" if start_name is None else "not started" if not started else
    ("%.1f s" % ready if ready is not None else "never")))
