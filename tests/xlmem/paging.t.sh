#!/bin/bash
# The pager's lifecycle (docs/paging.md), through xlmem on xensim, whose
# pager is a process of its own (docs/xensim.md, "xenpaging"):
#  - mem-paging-enable leaves a pager running and recorded
#    (/libxl/<domid>/xenpaging) after xlmem has exited, its pagefile
#    directory mode 0700, and another process sets a target at once;
#  - disable with pages out brings them in before the pager stops; when
#    they cannot come in (host full) it fails clearly and leaves the pager
#    running: the ring is never torn down under it (xensim crashes a
#    guest whose ring goes with pages out, as Xen does);
#  - a pager that exits is reported with its exit status.
# Time: --speed 1000, so disable's bound (60 s simulated) passes in
# 60 ms where nothing can come in (a full host stays full, whatever the
# time); where pages do come in, the clock is held and stepped.
. "$(dirname "$0")/common.sh"

G=1048576
M=1024
start_sim --speed 1000 --host-mem 3G
cat >"$T/pg.cfg" <<'CFG'
name = "pg"
type = "hvm"
hap = 1
vga = "none"
memory = 1024
maxmem = 1024
memory_policy = "xl-manual"
CFG
cat >"$T/pod.cfg" <<'CFG'
name = "pod"
type = "hvm"
hap = 1
memory = 256
maxmem = 512
memory_policy = "xl-manual"
CFG
run_xlmem create "$T/pg.cfg"
pg=${out#domid=}
run_xlmem create "$T/pod.cfg"
pod=${out#domid=}
hvf() {   # hvf DOMID KEY: a dominfo field from the hv channel
    local kv
    for kv in $(xensim_hv dominfo "$1"); do
        [ "${kv%%=*}" == "$2" ] && { echo "${kv#*=}"; return; }
    done
}
record() { xenstore-read /libxl/"$1"/xenpaging 2>/dev/null; }
listed_paging() {
    "$XLMEM" mem-list -j "$1" | python3 -c \
        "import json,sys; print(json.load(sys.stdin)['domains'][0]['paging'])"
}

# ---- enable: a detached, recorded pager -------------------------------------
run_xlmem mem-paging-enable pg
is "$rc|$err" "0|" "mem-paging-enable"
rec=$(record "$pg")
pid=${rec%% *}
file=${rec#* }
like "$rec" "^[0-9]+ /.*/xenpaging/$pg\\.paging\$" \
    "its pager is recorded: pid and pagefile"
is "$(stat -c %a "${file%/*}")" 700 "the pagefile directory is mode 0700"
like "$(xensim_hv pager_status "$pid")" "state=running" \
    "the pager runs on after xlmem exited"
is "$(hvf "$pg" pager_pid)" "$pid" "... serving pg's paging ring"
is "$(listed_paging pg)" True "mem-list: paging on"
run_xlmem mem-paging-enable pg
is "$rc|$(record "$pg")" "0|$rec" "enabling again keeps the same pager"

# A target at once, from another process.
run_xlmem mem-paging-set-target pg 768
is "$rc|$err" "0|" "a paging target right after enabling"
xensim_hv settle >/dev/null
tot=$(hvf "$pg" tot_kb)
paged=$(hvf "$pg" paged_kb)
is "$tot" $((768 * M)) "paged down to the target"

# ---- disable when the pages cannot come in: refused, pager untouched -------
free=$(xensim_hv physinfo | sed 's/.*free_kb=\([0-9]*\).*/\1/')
hog=$(xensim_hv create name=hog memory_kb="$free" | sed 's/.*domid=//')
is "$(xensim_hv physinfo | sed 's/.*free_kb=\([0-9]*\).*/\1/')" 0 \
    "a hog took every free page"
run_xlmem mem-paging-disable pg
like "$rc|$err" "^[1-9][0-9]*\|.*$paged KiB still paged out.*paging stays on" \
    "disable with nowhere to page in: fails, saying what is still out"
like "$(xensim_hv pager_status "$pid")" "state=running" \
    "the pager was not told to stop"
is "$(record "$pg")|$(hvf "$pg" paging)|$(hvf "$pg" crashed)" "$rec|1|0" \
    "paging still on, ring in place, guest alive"
is "$(xenstore-read /local/domain/"$pg"/memory/target-tot_pages)" 0 \
    "the target is 0: pages come in as soon as there is room"

# ---- room again: pages come in first, then the pager is stopped -----------
# On a held clock: the disable waits while each step pages some in; the
# pager must still be running (not stopping) while pages are out.
ok "xensim_hv clock pause" "clock held"
xenstore-write /local/domain/"$hog"/memory/target $((free - paged))
"$XLMEM" mem-paging-disable pg >"$T/dis.out" 2>"$T/dis.err" &
bg=$!
running_with_pages_out=0
stopped_early=0
for i in $(seq 1 100); do
    kill -0 "$bg" 2>/dev/null || break
    xensim_hv clock step 2000 >/dev/null
    st=$(xensim_hv pager_status "$pid")
    case $st in
        *state=running*paged_kb=0\ *) ;;
        *state=running*) running_with_pages_out=1 ;;
        *state=stopping*|*state=exited*)
            [[ $st =~ paged_kb=0\  ]] || stopped_early=1 ;;
    esac
done
wait "$bg"
is "$?|$(cat "$T/dis.err")" "0|" "disable once there is room"
ok "xensim_hv clock resume" "clock running again"
is "$running_with_pages_out|$stopped_early" "1|0" \
    "pages came in under the running pager; it was stopped only after"
is "$(hvf "$pg" paged_kb)|$(hvf "$pg" crashed)" "0|0" \
    "everything paged back in, the guest alive"
like "$(xensim_hv pager_status "$pid")" "state=exited status=0 err=0 " \
    "the pager exited 0 (SIGTERM with nothing out)"
is "$(record "$pg")|$(hvf "$pg" paging)" "|0" \
    "record removed, ring torn down by the pager"
is "$(listed_paging pg)" False "mem-list: paging off"

# ---- a pager that exits is reported with its exit status -------------------
xrejects "domain $pod: paging: the guest is populate-on-demand.*\\(EXDEV\\); its pager \\(xenpaging, pid [0-9]+\\) exited at once with status 1\$" \
    "a pager exiting at once: Xen's reason and its exit status" \
    mem-paging-enable pod
run_xlmem mem-paging-enable pg
pid=$(record "$pg")
pid=${pid%% *}
xensim_hv pager_signal "$pid" KILL >/dev/null
xrejects "domain $pg: its pager \\(xenpaging, pid $pid\\) exited since it was started with killed by signal 9" \
    "a pager killed later: reported by the next paging call" \
    mem-paging-set-target pg 512
run_xlmem mem-paging-disable pg
is "$rc|$(record "$pg")|$(hvf "$pg" paging)" "0||0" \
    "disable clears a dead pager's ring (nothing was out)"
run_xlmem mem-paging-set-target pg 512
is "$rc|$(hvf "$pg" crashed)" "0|0" "paging again with a new pager"
run_xlmem mem-paging-set-target pg 0
is "$rc|$(record "$pg")|$(hvf "$pg" paged_kb)" "0||0" \
    "mem-paging-set-target 0: all back in, pager stopped"

xensim_stop
finish
