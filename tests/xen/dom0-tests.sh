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

# wait_xs PATH TIMEOUT_S EXPR: wait until the xenstore value of PATH,
# as $v, makes the bash expression EXPR true.  The watch is registered
# before the first read (xenstore fires a watch once on registration), so
# no change can slip between read and wait.
wait_xs() {
    local path=$1 tmo=$2 expr=$3 v ev fifo=/tmp/xsw.$$ wpid rc=1
    mkfifo $fifo
    timeout "$tmo" xenstore-watch "$path" >$fifo 2>/dev/null &
    wpid=$!
    exec 8<$fifo
    while IFS= read -r ev <&8; do
        v=$(xenstore-read "$path" 2>/dev/null) || v=
        if eval "$expr"; then rc=0; break; fi
    done
    kill $wpid 2>/dev/null
    exec 8<&-
    wait $wpid 2>/dev/null
    rm -f $fifo
    WAIT_V=${v:-}
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

# A guest's balloon driver reached KIB (it publishes data/current_kb)
guest_kb_reaches() {
    local id=$1 kb=$2
    wait_xs /local/domain/$id/data/current_kb 120 \
        "[ -n \"\$v\" ] && [ \"\$v\" -eq $kb ]" ||
        { echo "guest $id current_kb=${WAIT_V:-none}, expected $kb"; return 1; }
}

info "dom0 tests start: $(xl info 2>/dev/null | grep -E '^(xen_version|total_memory|free_memory)' | tr -s ' ' | tr '\n' ' ')"
check "xl list sees Domain-0 (real toolstack up)" \
    sh -c 'xl list | grep -q "^Domain-0"'

# ---- phase 1: plain xl, proves the harness ---------------------------
if check "xl create PV guest gpv (no product)" \
        xl create /etc/xen/guest-pv.cfg; then
    id=$(xl domid gpv)
    check "gpv user space reports its balloon driver" \
        wait_xs /local/domain/$id/data/current_kb 120 '[ -n "$v" ]'
    info "gpv current_kb=$(xenstore-read /local/domain/$id/data/current_kb), xl list $(xl_mem gpv) MiB"
    check "xl mem-set gpv 128: guest balloons to 131072 KiB" \
        sh -c "xl mem-set gpv 128"
    check "gpv guest current_kb reaches 131072" guest_kb_reaches $id 131072
    check "xl list shows gpv at 128 MiB" xl_mem_reaches gpv 128
    xl destroy gpv
fi

say end
