# record.awk: turns xensim's --record CSV into the series plot.gp draws
# and verdict.awk judges.
#
#   awk -v dir=OUT/data -f demo/record.awk OUT/record.csv
#
# The recording has one row per domain and change (at most one a
# simulated second while memory moves, plus one per event), columns named
# by its header line; columns are found by name, so new ones may appear.
# Writes, sizes in MiB and time in simulated seconds:
#   dir/dom-NAME.dat  t balloon-target actual paged shared demand shortfall
# where actual is Xen's tot_pages (paged-out and shared pages excluded).
#   dir/host.dat      t free
# A row is a step: each series is closed with a last point at the end of
# the recording, so a domain that stopped moving early is still drawn to
# the right edge.

BEGIN { FS = ","; bucket = -1 }

NR == 1 {
    for (i = 1; i <= NF; i++)
        col[$i] = i
    split("time_s domid name target_kb tot_kb paged_kb shared_kb " \
          "demand_kb shortfall_kb host_free_kb", need, " ")
    for (i in need)
        if (!(need[i] in col)) {
            printf "record.awk: no column %s in the recording\n",
                   need[i] > "/dev/stderr"
            bad = 1
            exit 1
        }
    next
}

function m(name) { return $col[name] / 1024 }

{
    t = $col["time_s"] + 0
    tend = t
    # The host's figure rides on every row, so rows written one after
    # the other (the domains created at one moment) show passing states;
    # a quarter of a simulated second keeps only the last of them.
    if (int(t * 4) != bucket && tfree != "")
        printf "%.3f %.1f\n", tfree, lastfree > (dir "/host.dat")
    bucket = int(t * 4)
    tfree = t
    lastfree = m("host_free_kb")
    if ($col["domid"] == 0)
        next
    name = $col["name"]
    line = sprintf("%.1f %.1f %.1f %.1f %.1f %.1f", m("target_kb"),
                   m("tot_kb"), m("paged_kb"), m("shared_kb"), m("demand_kb"),
                   m("shortfall_kb"))
    printf "%.3f %s\n", t, line > (dir "/dom-" name ".dat")
    last[name] = line
}

END {
    if (bad)
        exit 1
    for (name in last)
        printf "%.3f %s\n", tend, last[name] > (dir "/dom-" name ".dat")
    if (tfree != "")
        printf "%.3f %.1f\n", tfree, lastfree > (dir "/host.dat")
}
