#!/bin/bash
# The checks check-xen runs inside dom0, against the real Xen toolstack.
#
# Each check prints one console line, "XENTEST: ok - NAME" or
# "XENTEST: not ok - NAME" followed by "XENTEST: # detail" lines; the
# host (check-xen.sh) counts them.  JSON output is sent back as
# "XENTEST: json NAME EXPECT BASE64" and validated on the host, where
# python is.  "XENTEST: end" says the script ran to completion.
#
# Waiting is done on events wherever Xen offers one: xenstore watches
# (xenstore-watch) for policy, balloon-target and guest-reported nodes,
# and the product's own event stream (xlmem mem-watch, read through a
# FIFO with a timeout).  The one value Xen has no event for is a domain's
# page count as `xl list` shows it; it is read once the guest's balloon
# driver has reported reaching the target, and re-read a bounded number
# of times while the hypervisor's count catches up.
set -u
export PATH=/usr/lib/xen-4.17/bin:/usr/bin:/usr/sbin:/bin:/sbin
cd /tmp || exit 1

say() { echo "XENTEST: $*"; }
info() { say "info $*"; }
detail() { # lines on stdin, at most 15 of them
    head -n 15 | while IFS= read -r l; do say "# $l"; done
}
ok() { say "ok - $1"; }
notok() { # name, detail text
    say "not ok - $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | detail
    return 0
}
# check NAME CMD...: run CMD, pass if it exits 0; its output is the detail.
check() {
    local name=$1 out; shift
    if out=$("$@" 2>&1); then
        ok "$name"
    else
        notok "$name" "$out"
        return 1
    fi
}
have() { command -v "$1" >/dev/null 2>&1; }

# The bound of every wait on an outcome that will come (an actor's write,
# a balloon reaching its target, an event on mem-watch), and of a guest's
# boot: deadlines, not pauses; a wait ends at its event.  Under TCG on the
# project's loaded 2-core machine (load 15-20, fuzzers at a higher
# priority) a PVH guest took 6 minutes to its user space and a balloon
# minutes to move, so the bounds are far above what an idle run needs.
XT_WAIT=600
XT_BOOT=1200

# wait_xs PATH TIMEOUT_S EXPR: wait until the xenstore value of PATH,
# as $v, makes the bash expression EXPR true.  The watch is registered
# before the first read (xenstore fires a watch once on registration), so
# no change can slip between read and wait.
wait_xs() {
    local path=$1 tmo=$2 expr=$3 v fifo=/tmp/xsw.$BASHPID wpid rc=1
    rm -f $fifo
    mkfifo $fifo
    timeout "$tmo" xenstore-watch "$path" >$fifo 2>/dev/null &
    wpid=$!
    exec 8<$fifo
    while IFS= read -r _ <&8; do
        v=$(xenstore-read "$path" 2>/dev/null) || v=
        if eval "$expr"; then rc=0; break; fi
    done
    kill $wpid 2>/dev/null
    exec 8<&-
    wait $wpid 2>/dev/null
    rm -f $fifo
    return $rc
}

# xl list's memory column (MiB) of a domain
xl_mem() { xl list "$1" 2>/dev/null | awk 'NR==2 {print $3}'; }

# xl_mem_reaches DOM MIB: xl list shows MIB (+-1) within a few reads.
# Called after the guest said its balloon driver got there.
xl_mem_reaches() {
    local i m
    for i in 1 2 3 4 5 6 7 8 9 10; do
        m=$(xl_mem "$1")
        [ -n "$m" ] && [ "$m" -ge $(($2 - 1)) ] && [ "$m" -le $(($2 + 1)) ] &&
            return 0
        sleep 1
    done
    echo "xl list shows ${m:-nothing} MiB for $1, expected $2"
    return 1
}

# A guest's balloon driver reached KIB (it publishes data/current_kb).
# The guest's count is the balloon target less what the guest never sees
# as RAM (none for PV; for PVH, the pages Xen gives its firmware tables;
# for HVM, video RAM and holes too), a constant per guest: off[ID].
# Fails at once when the guest never came up, so that one broken guest
# does not cost every later check its whole timeout.  The 120 s are a
# deadline, not a pause: under a load of 7 a PVH balloon of 96 MiB once
# took more than 60 s.
declare -A off
guest_kb_reaches() {
    local id=$1 kb=$(($2 - ${off[$1]:-0}))
    xenstore-exists /local/domain/$id/data/current_kb 2>/dev/null ||
        { echo "guest $id never reported its balloon driver"; return 1; }
    wait_xs /local/domain/$id/data/current_kb $XT_WAIT \
        "[ -n \"\$v\" ] && [ \"\$v\" -eq $kb ]" && return 0
    echo "guest $id current_kb=$(xenstore-read \
        /local/domain/$id/data/current_kb 2>&1), expected $kb" \
        "(target $2 less ${off[$1]:-0})"
    return 1
}
# ID: remember off[ID] once the guest is up: memory/target less the
# balloon driver's own target (data/target_kb), which the driver fixes at
# its first look at memory/target (drivers/xen/xen-balloon.c), so it is
# right even while the guest is still ballooning after boot.
guest_offset() {
    local t c
    t=$(xenstore-read /local/domain/$1/memory/target 2>/dev/null) &&
        c=$(xenstore-read /local/domain/$1/data/target_kb 2>/dev/null) &&
        off[$1]=$((t - c))
    info "domain $1: memory/target ${t:-?}, balloon driver's target" \
         "${c:-?}, offset ${off[$1]:-?} KiB"
}

# expect_fail NAME PATTERN CMD...: CMD fails, and says PATTERN (grep -E)
expect_fail() {
    local name=$1 pat=$2 out; shift 2
    if out=$("$@" 2>&1); then
        notok "$name" "succeeded, expected an error: $out"
    elif ! printf '%s\n' "$out" | grep -Eq "$pat"; then
        notok "$name" "error does not say /$pat/: $out"
    else
        ok "$name"
        say "# $(printf '%s' "$out" | head -n 1)"
    fi
}

# The nodes a memory command may touch, for "store unchanged" checks.
snapshot() {
    xenstore-ls -f /local/domain/$1/memory 2>&1
    xenstore-ls -f /libxl/$1/memory-policy 2>&1
}
same_store() { # NAME DOMID BEFORE
    local now
    now=$(snapshot $2)
    if [ "$now" = "$3" ]; then
        ok "$1"
    else
        notok "$1" "$(diff <(printf '%s\n' "$3") <(printf '%s\n' "$now"))"
    fi
}

# out_matches "CMD" REGEX...: CMD succeeds and has a line matching each
out_matches() {
    local o r
    o=$(eval "$1" 2>&1) || { printf '%s\n' "$1 failed:" "$o"; return 1; }
    shift
    printf '%s\n' "$o"
    for r; do
        grep -Eq "$r" <<<"$o" || { echo "(no line matches /$r/)"; return 1; }
    done
}

xs_is() { # PATH VALUE
    local v
    v=$(xenstore-read "$1" 2>&1)
    [ "$v" = "$2" ] || { echo "$1 is '$v', expected '$2'"; return 1; }
}

# Send a file's JSON to the host, to be checked against EXPECT there.
send_json() { # NAME EXPECT FILE
    say "json $1 $2 $(base64 -w0 <"$3")"
}

# ---- daemons, started as children so that `wait` gets their status ----
declare -A dpid
start_daemon() { # NAME ARGS...
    local name=$1; shift
    if ! have "$name"; then
        notok "$name is in the image" "not built: no $name in the build"
        return 1
    fi
    "$name" "$@" </dev/null >>/tmp/$name.log 2>&1 &
    dpid[$name]=$!
    info "started $name $* (pid ${dpid[$name]})"
}
alive() { # NAME: the daemon is still running
    local p=${dpid[$1]:-}
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null || {
        echo "$1 is not running"
        tail -n 5 /tmp/$1.log 2>/dev/null
        return 1
    }
}
stop_daemon() { # NAME: SIGTERM ends it cleanly (exit 0) within 15 s
    local p=${dpid[$1]:-} rc k
    [ -n "$p" ] || { echo "$1 was never started"; return 1; }
    kill -TERM "$p" 2>/dev/null
    (sleep 15; kill -KILL "$p" 2>/dev/null) &
    k=$!
    wait "$p"
    rc=$?
    kill $k 2>/dev/null
    wait $k 2>/dev/null
    [ "$rc" -eq 0 ] || { echo "$1 exit status $rc"; tail -n 5 /tmp/$1.log;
                         return 1; }
}

# ---- mem-watch, plain and JSON, each read through a FIFO ---------------
# mem-watch -j prints {"type": "domain_death", "domid": N} (one line each)
json_death_re() { echo "\"type\": *\"domain_death\", *\"domid\": *$1\\b"; }
# Readiness: mem-watch says "watching" on stderr once it has subscribed.
watch_start() { # FD LOG ARGS...
    local fd=$1 log=$2 line; shift 2
    mkfifo /tmp/$log.out /tmp/$log.err
    xlmem mem-watch "$@" >/tmp/$log.out 2>/tmp/$log.err &
    eval "exec $fd</tmp/$log.out"
    exec 5</tmp/$log.err
    if IFS= read -r -t $XT_WAIT line <&5 && [[ $line == *watching* ]]; then
        ok "xlmem mem-watch${*:+ $*} subscribes (\"$line\")"
    else
        notok "xlmem mem-watch${*:+ $*} subscribes" "stderr: ${line:-nothing}"
    fi
    # keep draining stderr so that mem-watch never blocks on it
    cat <&5 >>/tmp/$log.errlog &
    exec 5<&-
    : >/tmp/$log
}
# watch_wait FD LOG REGEX TIMEOUT: a line matching REGEX was printed
# (now or before: every line read is kept in /tmp/LOG).
watch_wait() {
    local fd=$1 log=$2 re=$3 tmo=$4 line end
    grep -Eq "$re" /tmp/$log && return 0
    end=$((SECONDS + tmo))
    while [ $SECONDS -lt $end ]; do
        IFS= read -r -t $((end - SECONDS)) -u "$fd" line || break
        printf '%s\n' "$line" >>/tmp/$log
        [[ $line =~ $re ]] && return 0
    done
    echo "no line /$re/ within ${tmo}s; mem-watch printed:"
    tail -n 8 /tmp/$log
    return 1
}

# The last words: crashes the kernel saw (a segfaulting tool says little
# else), then the end marker.
finish() {
    dmesg | grep -E 'segfault|invalid opcode|general protection' |
        while IFS= read -r l; do info "dmesg: $l"; done
    say end
}

# ---- the run ----------------------------------------------------------
# A deadline inside dom0, well before the host's limit: if a check hangs,
# say what dom0 was doing, report the run as failed and power off, so the
# host gets a report rather than a dead boot.  (The sleep is a deadline
# timer, not a wait for something to happen.)
budget=$(sed -n 's/.*xentest.budget=\([0-9]*\).*/\1/p' /proc/cmdline)
(
    up=$(cut -d. -f1 /proc/uptime)
    sleep $(( ${budget:-420} > up ? ${budget:-420} - up : 1 ))
    say "not ok - dom0 checks finished within ${budget:-420}s of boot"
    {
        echo "--- top"; top -b -n 1 | head -n 25
        echo "--- free"; free -m
        echo "--- dmesg"; dmesg | tail -n 15
        for d in xl-auto xl-manual mempolicyd; do
            echo "--- $d log"; tail -n 8 /tmp/$d.log 2>/dev/null
        done
        echo "--- xl list"; timeout 5 xl list
        echo "--- /libxl"; timeout 5 xenstore-ls -f /libxl | tail -n 20
    } 2>&1 | while IFS= read -r l; do say "# $l"; done
    finish
    sync
    poweroff -f
) &
pl=
info "dom0 tests start: $(xl info 2>/dev/null |
    grep -E '^(xen_version|total_memory|free_memory)' | tr -s ' ' |
    tr '\n' ' ')"
info "product binaries: $(tr '\n' ' ' </xentest/product-bins)"
check "xl list sees Domain-0 (real toolstack up)" \
    eval 'xl list | grep -q "^Domain-0"'
have xlmem || notok "xlmem is in the image" "not built"

start_daemon xl-auto -v
start_daemon xl-manual -v
start_daemon mempolicyd -v
if have xlmem; then
    watch_start 6 watch
    watch_start 7 watchj -j
fi

# Create both guests, then wait for them: they boot in parallel.
create() { # NAME CFG
    if check "xlmem create $2 ($1)" xlmem create "/etc/xen/$2"; then
        return 0
    fi
    # keep going with plain xl, so that the other checks still run
    xl create "/etc/xen/$2" >/dev/null 2>&1 && xlmem mem-policy-apply "$1" \
        "/etc/xen/$2" >/dev/null 2>&1
    xl domid "$1" >/dev/null 2>&1
}
# The parity table's guests (tests/xen/parity.sh) boot meanwhile.  The
# HVM guest first: its boot is by far the longest (docs/real-xen.md);
# MP_XEN_HVM=0 leaves it out.
hvm_on=$(sed -n 's/.*xentest.hvm=\([0-9]\).*/\1/p' /proc/cmdline)
[ "$hvm_on" = 1 ] && create ghvm guest-hvm.cfg
create gpv guest-pv.cfg
create gpvh guest-pvh.cfg
create gpod guest-pod.cfg
pv=$(xl domid gpv 2>/dev/null)
pvh=$(xl domid gpvh 2>/dev/null)
info "gpv is domain ${pv:-?} (PV), gpvh is domain ${pvh:-?} (PVH)"
if [ -z "$pv" ] || [ -z "$pvh" ]; then
    notok "both guests exist" "$(xl list 2>&1)"
    finish
    exit 1
fi

check "gpv (PV) policy in xenstore: xl-auto, delay=2" \
    eval "xs_is /libxl/$pv/memory-policy/actor xl-auto &&
          xs_is /libxl/$pv/memory-policy/actor-params delay=2"
check "gpvh (PVH) policy in xenstore: xl-manual" \
    xs_is /libxl/$pvh/memory-policy/actor xl-manual
check "xlmem mem-policy-get gpv names xl-auto and delay=2" \
    out_matches "xlmem mem-policy-get gpv" "^actor: +xl-auto$" \
        "^actor-params: +delay=2$"
check "xlmem mem-policy-get gpvh names xl-manual" \
    out_matches "xlmem mem-policy-get gpvh" "^actor: +xl-manual$"
check "gpv (PV) user space is up and reports its balloon driver" \
    wait_xs /local/domain/$pv/data/current_kb $XT_BOOT '[ -n "$v" ]'
check "gpvh (PVH) user space is up and reports its balloon driver" \
    wait_xs /local/domain/$pvh/data/current_kb $XT_BOOT '[ -n "$v" ]'
guest_offset $pv
guest_offset $pvh

# The HVM guest is waited for here, before the checks that keep dom0
# busy: until its kernel runs, its boot is dom0's work (the device model
# serves every port access of its firmware, and hands it the kernel and
# initrd 4 KiB per round trip), and under TCG on a loaded machine that
# takes minutes (docs/real-xen.md, "HVM").  Its own report ends the wait;
# the bound is only there for a guest that never comes up.
hvm=
if [ "$hvm_on" = 1 ]; then
    hvm=$(xl domid ghvm 2>/dev/null)
    if [ -n "$hvm" ] &&
       check "ghvm (HVM) user space is up and reports its balloon driver" \
           wait_xs /local/domain/$hvm/data/current_kb 1800 '[ -n "$v" ]'
    then
        guest_offset $hvm
        check "ghvm's memory/videoram is 16384 (stdvga)" \
            xs_is /local/domain/$hvm/memory/videoram 16384
    else
        # what it was doing: its CPU time and the end of its console
        info "ghvm never came up: $(xl list ghvm 2>&1 | tail -n 1)"
        tail -n 8 /var/log/xen/console/guest-ghvm.log 2>/dev/null |
            while IFS= read -r l; do info "  ghvm console: $l"; done
        tail -n 3 /var/log/xen/qemu-dm-ghvm.log 2>/dev/null |
            while IFS= read -r l; do info "  ghvm qemu-dm: $l"; done
        hvm=
    fi
    info "ghvm: waited for until dom0's uptime $(cut -d' ' -f1 /proc/uptime) s"
fi

# ---- xl-auto guest: the high-level target moves real memory -----------
check "xlmem mem-set gpv 128" xlmem mem-set gpv 128
check "policy target of gpv is 131072 KiB, enforced" \
    eval "xs_is /libxl/$pv/memory-policy/target 131072 &&
          xs_is /libxl/$pv/memory-policy/enforce 1"
check "xl-auto sets gpv's balloon target (memory/target) to 131072" \
    wait_xs /local/domain/$pv/memory/target $XT_WAIT '[ "$v" = 131072 ]'
check "gpv's balloon driver reaches 131072 KiB (current_kb in the guest)" \
    guest_kb_reaches $pv 131072
check "xl list shows gpv at 128 MiB" xl_mem_reaches gpv 128
check "xlmem mem-policy-get gpv shows target 131072k, enforce 1" \
    out_matches "xlmem mem-policy-get gpv" "^target: +131072k$" \
        "^enforce: +1$"
check "mem-watch printed gpv's target change" \
    watch_wait 6 watch \
        "^target-changed domid=$pv actor=xl-auto target_kb=131072 enforce=1" 20
check "xlmem mem-set gpv +128 (relative)" xlmem mem-set gpv +128
check "xl-auto raises gpv's balloon target to 262144" \
    wait_xs /local/domain/$pv/memory/target $XT_WAIT '[ "$v" = 262144 ]'
check "gpv's balloon driver gets back to 262144 KiB" \
    guest_kb_reaches $pv 262144
check "xl list shows gpv at 256 MiB again" xl_mem_reaches gpv 256
check "xlmem mem-set --wait gpv 192 returns once gpv got there" \
    eval "xlmem mem-set --wait=$XT_WAIT gpv 192 </dev/null"
check "xl list shows gpv at 192 MiB right after --wait" \
    eval 'm=$(xl_mem gpv); echo "xl list: $m MiB";
          [ "$m" -ge 191 ] && [ "$m" -le 193 ]'

# ---- xl-manual guest: low-level balloon commands -----------------------
check "xlmem mem-balloon-set-target gpvh 160" \
    xlmem mem-balloon-set-target gpvh 160
check "gpvh's memory/target is 163840 at once" \
    xs_is /local/domain/$pvh/memory/target 163840
check "xlmem mem-balloon-get-target gpvh prints 163840k" \
    out_matches "xlmem mem-balloon-get-target gpvh" "^163840k$"
check "gpvh's (PVH) balloon driver reaches 163840 KiB" \
    guest_kb_reaches $pvh 163840
check "xl list shows gpvh at 160 MiB" xl_mem_reaches gpvh 160
check "xlmem mem-balloon-set-target gpvh 256" \
    xlmem mem-balloon-set-target gpvh 256
check "gpvh's balloon driver gets back to 262144 KiB" \
    guest_kb_reaches $pvh 262144
before=$(snapshot $pv)
expect_fail "mem-balloon-set-target on the xl-auto guest is refused" \
    "xl-auto" xlmem mem-balloon-set-target gpv 100
same_store "refused balloon target leaves gpv's store unchanged" $pv "$before"
check "xlmem mem-set gpvh 224 (xl-manual acts on it)" xlmem mem-set gpvh 224
check "xl-manual sets gpvh's balloon target to 229376" \
    wait_xs /local/domain/$pvh/memory/target $XT_WAIT '[ "$v" = 229376 ]'
check "gpvh's balloon driver reaches 229376 KiB" guest_kb_reaches $pvh 229376

# ---- paging and sharing: Debian's Xen is built without them ------------
before=$(snapshot $pvh)
expect_fail "mem-paging-enable on PVH: hypervisor built without it" \
    "built without" xlmem mem-paging-enable gpvh
expect_fail "mem-sharing-enable on PVH: hypervisor built without it" \
    "built without" xlmem mem-sharing-enable gpvh
expect_fail "mem-paging-set-target on PVH: hypervisor built without it" \
    "built without" xlmem mem-paging-set-target gpvh 128
same_store "failed paging/sharing requests leave gpvh's store unchanged" \
    $pvh "$before"
before=$(snapshot $pv)
expect_fail "mem-paging-enable on the xl-auto guest is refused" \
    "actor 'xl-auto'" xlmem mem-paging-enable gpv
same_store "refused paging request leaves gpv's store unchanged" $pv "$before"
# The PV case proper: gpv under xl-manual for a moment.
if check "xlmem mem-policy-set gpv xl-manual" \
        xlmem mem-policy-set gpv xl-manual; then
    before=$(snapshot $pv)
    expect_fail "mem-paging-enable on PV fails clearly (PV / built without)" \
        "\<PV\>|built without" xlmem mem-paging-enable gpv
    expect_fail "mem-sharing-enable on PV fails clearly (PV / built without)" \
        "\<PV\>|built without" xlmem mem-sharing-enable gpv
    same_store "failed requests leave gpv's store unchanged" $pv "$before"
    check "xlmem mem-policy-set gpv xl-auto delay=2 (back)" \
        xlmem mem-policy-set gpv xl-auto delay=2
fi
check "xlmem mem-paging-get-target gpvh still works (getters always do)" \
    xlmem mem-paging-get-target gpvh

# ---- listing -----------------------------------------------------------
check "xlmem mem-list shows both guests with their actors" \
    out_matches "xlmem mem-list" "^gpv +$pv +xl-auto|^ *$pv +gpv +xl-auto" \
        "^gpvh +$pvh +xl-manual|^ *$pvh +gpvh +xl-manual"
if xlmem mem-list -j >/tmp/mem-list.json 2>/tmp/mem-list.err; then
    want="name=gpv+actor=xl-auto+domid=$pv"
    want+=",name=gpvh+actor=xl-manual+domid=$pvh"
    send_json mem-list-j "$want" /tmp/mem-list.json
else
    notok "xlmem mem-list -j" "$(cat /tmp/mem-list.err)"
fi

# ---- a guest created without policy gets xl.conf's default --------------
# Created paused with plain xl: nothing boots, the toolstack must act.
if check "xl create -p guest-plain.cfg (no policy keys, plain xl)" \
        xl create -p /etc/xen/guest-plain.cfg; then
    pl=$(xl domid gplain)
    check "mempolicyd gives gplain xl.conf's default actor xl-auto" \
        wait_xs /libxl/$pl/memory-policy/actor $XT_WAIT '[ "$v" = xl-auto ]'
    check "... with xl.conf's default params delay=3" \
        xs_is /libxl/$pl/memory-policy/actor-params delay=3
    check "mem-watch printed gplain's introduction" \
        watch_wait 6 watch "^introduce domid=$pl\$" $XT_WAIT
    check "xl destroy gplain" xl destroy gplain
    check "mem-watch printed gplain's death" \
        watch_wait 6 watch "^death domid=$pl\$" $XT_WAIT
    check "mem-watch -j printed gplain's death" \
        watch_wait 7 watchj "$(json_death_re $pl)" $XT_WAIT
fi

# ---- whole-process time: xlmem mem-set vs xl mem-set ------------------
# Same guest, same targets, interleaved so both see the same conditions.
median_ms() { # microsecond samples on stdin
    sort -n | awk '{a[NR] = $1}
        END {printf "%.1f", (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2000}'
}
: >/tmp/t.xlmem; : >/tmp/t.xl
bad=0
xlbad=0
for i in $(seq 20); do
    mb=$((224 + (i % 2) * 16))
    t=${EPOCHREALTIME//[.,]/}
    xlmem mem-set gpv $mb >/dev/null 2>>/tmp/t.err ||
        { echo "xlmem mem-set gpv $mb: status $?" >>/tmp/t.err
          bad=$((bad + 1)); }
    echo $((${EPOCHREALTIME//[.,]/} - t)) >>/tmp/t.xlmem
    t=${EPOCHREALTIME//[.,]/}
    xl mem-set gpv $mb >/dev/null 2>>/tmp/t.xlerr ||
        { echo "xl mem-set gpv $mb: status $?" >>/tmp/t.xlerr
          xlbad=$((xlbad + 1)); }
    echo $((${EPOCHREALTIME//[.,]/} - t)) >>/tmp/t.xl
done
# Stock xl itself has been seen to segfault now and then under TCG (see
# the dmesg line below); that is reported, but it is not the product's.
[ $xlbad -ne 0 ] && info "stock xl mem-set failed $xlbad of 20 times:" \
    "$(tail -n 2 /tmp/t.xlerr | tr '\n' ' ')"
a=$(median_ms </tmp/t.xlmem)
b=$(median_ms </tmp/t.xl)
r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
info "timing: xlmem mem-set median ${a} ms, xl mem-set median ${b} ms," \
     "ratio xlmem/xl ${r} (20 runs each, gpv, TCG)"
if [ $bad -eq 0 ]; then
    ok "xlmem mem-set ran 20 times on gpv beside xl mem-set (ratio $r)"
else
    notok "xlmem mem-set ran 20 times on gpv beside xl mem-set" \
        "$bad failures: $(head -n 3 /tmp/t.err)"
fi
# xl mem-set lowered maxmem along with the target; give gpv room again.
xl mem-max gpv 256 >/dev/null 2>&1
check "after the timing runs, xlmem mem-set gpv 256 still works" \
    xlmem mem-set gpv 256
check "gpv's balloon driver gets back to 262144 KiB" \
    guest_kb_reaches $pv 262144

# ---- the parity table: xlmem vs xl mem-set on PV, PVH PoD, HVM ----------
. /xentest/parity.sh
pod=$(xl domid gpod 2>/dev/null)
info "ghvm is domain ${hvm:-?} (HVM, PoD, stdvga), gpod is domain" \
     "${pod:-?} (PVH, PoD)"
if [ -n "$pod" ] &&
   check "gpod (PVH PoD) user space is up and reports its balloon driver" \
       wait_xs /local/domain/$pod/data/current_kb $XT_BOOT '[ -n "$v" ]'; then
    guest_offset $pod
fi
t=$SECONDS
if check "gpv to no actor for its parity rows" xlmem mem-policy-set gpv ""
then
    parity_guest gpv PV 224 160 256
    check "gpv back under xl-auto" xlmem mem-policy-set gpv xl-auto delay=2
fi
[ -n "$pod" ] && parity_guest gpod "PVH PoD" 256 192 320
[ -n "$hvm" ] && parity_guest ghvm "HVM PoD stdvga" 320 256 384
info "parity table: $((SECONDS - t)) s"

# ---- living beside xl: xl mem-set adopted, xl reboot keeps the policy ---
. /xentest/beside-xl.sh
# on the HVM guest if there is one (video RAM: the adopted policy target
# is memory/target + 16 MiB), else on the PoD PVH guest
if [ -n "$hvm" ]; then
    xl_mem_set_adopted ghvm $hvm 352 320
elif [ -n "$pod" ]; then
    xl_mem_set_adopted gpod $pod 288 224
fi
pv0=$pv
reboot_keeps_policy gpv $pv && pv=$REBOOTED
for g in gpod ghvm; do
    xl domid $g >/dev/null 2>&1 && check "xl destroy $g" xl destroy $g
done

# ---- the balance actor: memory follows what the guests report ---------
# Issue 14 §7, then a start on the full host it leaves (issue 15 §5);
# MP_XEN_BALANCE=0 leaves them out (docs/real-xen.md, "The balance actor
# on real Xen").
if ! grep -q 'xentest.balance=0' /proc/cmdline; then
    . /xentest/balance.sh
    t=$SECONDS
    balance_on_real_xen && balance_start_on_full_host
    balance_cleanup
    info "balance checks: $((SECONDS - t)) s (dom0's clock), done at dom0's" \
         "uptime $(cut -d' ' -f1 /proc/uptime) s"
fi

# ---- nothing else broke -----------------------------------------------
for d in xl-auto xl-manual mempolicyd; do
    [ -n "${dpid[$d]:-}" ] && check "$d is still running" alive $d
done
check "both guests still run (not crashed, not dying)" \
    eval "xl list | awk '\$1 ~ /^gpvh?\$/ {n++; if (\$5 ~ /[cd]/) bad=1}
                        {print} END {exit bad || n != 2}'"
check "no kernel oops or BUG in the guests' consoles" \
    eval '! grep -E "Oops|BUG:|Kernel panic" /var/log/xen/console/guest-*.log'
check "xl destroy gpv" xl destroy gpv
check "mem-watch printed gpv's death" \
    watch_wait 6 watch "^death domid=$pv\$" $XT_WAIT
check "xl destroy gpvh" xl destroy gpvh
check "mem-watch printed gpvh's death" \
    watch_wait 6 watch "^death domid=$pvh\$" $XT_WAIT

# mem-watch -j: everything it printed must be JSON naming the events
if have xlmem; then
    watch_wait 7 watchj "$(json_death_re $pvh)" $XT_WAIT >/dev/null
    send_json mem-watch-j \
        "domid=$pv0+actor=xl-auto+target_kb=131072,domid=$pl+type~death" \
        /tmp/watchj
fi
# not through check(): only this shell can wait for its children
for d in xl-auto xl-manual mempolicyd; do
    [ -n "${dpid[$d]:-}" ] || continue
    stop_daemon $d >/tmp/stop.$d 2>&1 && ok "$d exits 0 on SIGTERM" ||
        notok "$d exits 0 on SIGTERM" "$(cat /tmp/stop.$d)"
done
for d in xl-auto xl-manual mempolicyd; do
    [ -s /tmp/$d.log ] && { info "$d log tail:"; tail -n 4 /tmp/$d.log |
                            while IFS= read -r l; do info "  $l"; done; }
done
finish
