# events.awk: makes `xlmem mem-watch` output readable as it happens, and
# keeps it with the simulated time for the plot.
#
#   xlmem mem-watch 2>&1 |
#       awk -W interactive -v logfile=FILE -v ready=FIFO -f demo/events.awk
#
# mem-watch prints one "kind key=value ..." line per event with domids;
# the narrative wants names and the moment.  For each event this reads
# the domain's name (once per domain, while it exists) and the simulated
# second from the store with xenstore-read, prints
#     [ 12s] web (1): target 768 MiB, enforce, actor xl-auto delay=2
# and appends "SECOND DOMID KIND TARGET_KB ACTOR PARAMS" to FILE, the
# policy-target series plot.gp draws.  mem-watch's "watching" line (it
# has subscribed: no later change can be missed) is passed on as "ready"
# to the FIFO the demo waits on; other messages are shown as they are.
# Two reads per event: cost follows the events, nothing runs between
# them.

function store(path,    cmd, v) {
    cmd = "xenstore-read '" path "' 2>/dev/null"
    v = ""
    cmd | getline v
    close(cmd)
    return v
}

# key=value words; actor-params is last and may itself contain '='.
function field(key,    i) {
    for (i = 2; i <= NF; i++)
        if (index($i, key "=") == 1)
            return substr($i, length(key) + 2)
    return ""
}

/^xlmem mem-watch: watching/ {
    print "ready" > ready
    close(ready)
    next
}

!/^(target-changed|introduce|death) / {
    printf "    %s\n", $0
    fflush()
    next
}

{
    id = field("domid")
    now = store("/tool/xensim/time")
    if (!(id in name) || name[id] == "")
        name[id] = store("/local/domain/" id "/name")
    who = (name[id] == "" ? "domain" : name[id]) " (" id ")"
    if ($1 == "target-changed") {
        actor = field("actor")
        params = substr($0, index($0, "actor-params=") + 13)
        tkb = field("target_kb")
        what = tkb == "-" ? "no target" : "target " int(tkb / 1024) " MiB"
        if (field("enforce") == "1")
            what = what ", enforce"
        what = what ", " (actor == "" ? "no actor" : "actor " actor)
        if (params != "")
            what = what " " params
        printf "%s %s target %s %s %s\n", now, id, tkb,
               (actor == "" ? "-" : actor),
               (params == "" ? "-" : params) >> logfile
    } else if ($1 == "introduce") {
        what = "appeared"
        printf "%s %s introduce\n", now, id >> logfile
    } else if ($1 == "death") {
        what = "died"
        delete name[id]
        printf "%s %s death\n", now, id >> logfile
    }
    fflush(logfile)
    printf "    %s[%3ss] %s: %s%s\n", color, now, who, what, plain
    fflush()
}
