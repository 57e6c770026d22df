# shellcheck shell=bash
# Sourced by dom0-tests.sh (check-xen): the parity table, issue 17 §5.
#
# On one guest of each kind, in the same boot, a target set with stock
# `xl mem-set G N`, with `xlmem mem-set G N` on a guest without actor, and
# with `xlmem mem-set G N` under the xl-auto actor must leave the domain
# exactly as libxl leaves it: the same memory/target, /vm/<uuid>/memory,
# maxmem (max_pages, as `xl list -l` shows max_memkb) and the same
# populate-on-demand state, for a size below and a size above the guest's
# starting point (B), and the guest must not crash.
#
# Each row starts from the same state: the guest at B, set with stock xl
# (no actor) or with xlmem under xl-auto, and its balloon driver there.
# The guest is then paused, the command runs, and the hypervisor's state
# is read (tests/xen/xen-podinfo) before the guest runs again, so that
# what is compared is what the command did, not what the guest's balloon
# driver did afterwards.  The PoD target itself is not kept by Xen: a call
# xc_domain_set_pod_target(T) grows the PoD cache to min(T - populated,
# outstanding entries) when T >= tot_pages, and does nothing otherwise
# (p2m_pod_set_mem_target, xen/arch/x86/mm/p2m-pod.c).  So the "pod"
# column is what the call did, read from the state before and after:
# "none" (no change: a lowered target, a non-PoD guest, or no call at
# all), "T=<KiB>" (the cache grew to reach exactly T pages) or
# ">=<KiB>" (the cache was capped at the outstanding entries).
# Once the guest runs again it must reach the new target (its balloon
# driver says so, data/current_kb) and not crash.
#
# Every row goes to the console as "XENTEST: parity ..." lines; the host
# (check-xen.sh) turns them into the table (build/check-xen/parity.md).
#
# Uses dom0-tests.sh's helpers: check, ok, notok, info, say, wait_xs,
# guest_kb_reaches, off[].

# pstate D: the state a row compares, one line of key=value
pstate() {
    local d=$1 t vm v p
    t=$(xenstore-read /local/domain/$d/memory/target 2>/dev/null) || t=-
    vm=$(xenstore-read /local/domain/$d/vm 2>/dev/null)
    v=$(xenstore-read "$vm/memory" 2>/dev/null) || v=-
    p=$(xen-podinfo "$d" 2>&1) || p="probe_error=${p// /_}"
    echo "target_kb=$t vm_memory_mb=$v $p"
}
kv() { # KEY LINE: the value of KEY in a pstate line
    local w
    for w in $2; do
        [ "${w%%=*}" = "$1" ] && { echo "${w#*=}"; return; }
    done
    echo -
}
# pod_effect BEFORE AFTER: what the command did to the PoD cache
pod_effect() {
    local c0 c1 t1 e1
    c0=$(kv pod_cache_kb "$1")
    c1=$(kv pod_cache_kb "$2")
    t1=$(kv tot_kb "$2")
    e1=$(kv pod_entries_kb "$2")
    if [ "$c0" = - ]; then
        echo n/a
    elif [ "$c1" = "$c0" ]; then
        echo none
    elif [ "$c1" = "$e1" ]; then
        echo ">=$t1"
    else
        echo "T=$t1"
    fi
}

# The guest's xl state letters (r b p s c d): "c" crashed, "d" dying
xl_state() { xl list "$1" 2>/dev/null | awk 'NR==2 {print $5}'; }
not_crashed() { # G
    local s
    s=$(xl_state "$1")
    case $s in
    *c* | *d* | "") echo "$1: xl list state '${s:-gone}'"; return 1 ;;
    esac
}

# settle G D: the guest's balloon driver reached memory/target, and the
# guest still runs
settle() {
    local t
    t=$(xenstore-read /local/domain/$2/memory/target 2>/dev/null) &&
        guest_kb_reaches "$2" "$t" && not_crashed "$1"
}

# to_base G D B PATH TB: the guest at B MiB, set the way PATH's rows
# start: with xl, or with xlmem under xl-auto, which must write what xl
# wrote for B (TB KiB; the xl row runs first).  Waiting for that exact
# value, not for any change, so that no earlier action of the actor can
# be taken for this one.
to_base() {
    local g=$1 d=$2 b=$3 tb=$5
    if [ "$4" = xl-auto ]; then
        xlmem mem-set "$g" "$b" || return 1
        wait_xs /local/domain/$d/memory/target $XT_WAIT "[ \"\$v\" = $tb ]" ||
            { echo "memory/target is" \
                   "$(xenstore-read /local/domain/$d/memory/target)" \
                   "under xl-auto, xl mem-set $b wrote $tb"; return 1; }
    else
        xl mem-set "$g" "$b" || return 1
    fi
    settle "$g" "$d"
}

# do_set G D N PATH TN: the command of PATH; under xl-auto, until the
# actor has written what xl wrote (TN) or XT_WAIT passed (then the row shows
# what it wrote instead).  The actor writes memory/target last, as libxl
# does (after maxmem and the PoD target).
do_set() {
    local g=$1 d=$2 n=$3
    case $4 in
    xl) xl mem-set "$g" "$n" ;;
    xlmem) xlmem mem-set "$g" "$n" ;;
    xl-auto)
        xlmem mem-set "$g" "$n" &&
            wait_xs /local/domain/$d/memory/target $XT_WAIT "[ \"\$v\" = $5 ]" ||
            { echo "xl-auto did not write memory/target $5 within $XT_WAIT s"
              return 1; }
        ;;
    esac
}

path_name() {
    case $1 in
    xl) echo "xl mem-set" ;;
    xlmem) echo "xlmem mem-set, no actor" ;;
    xl-auto) echo "xlmem mem-set, xl-auto" ;;
    esac
}

# parity_guest G KIND B N...: every row for guest G (kind as the table
# names it), baseline B MiB, each size N MiB.  A guest that fails to
# settle or crashes ends its rows (the others still run).
parity_guest() {
    local g=$1 kind=$2 b=$3 d n p before after out row ref f bad rc
    shift 3
    d=$(xl domid "$g" 2>/dev/null) || {
        notok "parity: $g exists" "$(xl list 2>&1)"
        return 1
    }
    declare -A rows=()
    local tb=
    for n in "$@"; do
        for p in xl xlmem xl-auto; do
            # under xl-auto from the xlmem row's end (at N, the policy's
            # target N too): switching acts on nothing
            if [ "$p" = xl-auto ] &&
               ! out=$(xlmem mem-policy-set "$g" xl-auto delay=30 2>&1); then
                notok "parity: $g under xl-auto" "$out"
                return 1
            fi
            if ! out=$(to_base "$g" "$d" "$b" "$p" "$tb" 2>&1); then
                notok "parity: $g ($kind) at $b MiB before the $n MiB row of $(path_name $p)" \
                      "$out"
                return 1
            fi
            [ "$p" = xl ] &&
                tb=$(xenstore-read /local/domain/$d/memory/target)
            xl pause "$g"
            before=$(pstate "$d")
            out=$(do_set "$g" "$d" "$n" "$p" \
                  "$(kv target_kb "${rows[$n:xl]:-}")" 2>&1)
            rc=$?
            after=$(pstate "$d")
            xl unpause "$g"
            row="$after pod=$(pod_effect "$before" "$after")"
            rows[$n:$p]=$row
            say "parity $g $kind $n $p $row"
            say "# $g $n MiB, $(path_name $p): before: $before"
            if [ $rc -ne 0 ]; then
                notok "parity: $(path_name $p) $g $n succeeds" "$out"
                return 1
            fi
            if [ "$p" = xl-auto ] &&
               ! out=$(xlmem mem-policy-set "$g" "" 2>&1); then
                notok "parity: $g back to no actor" "$out"
                return 1
            fi
            check "parity: $g ($kind) reaches $n MiB after $(path_name $p)" \
                settle "$g" "$d" || return 1
        done
        ref=${rows[$n:xl]}
        for p in xlmem xl-auto; do
            bad=
            for f in target_kb vm_memory_mb max_kb pod; do
                [ "$(kv $f "${rows[$n:$p]}")" = "$(kv $f "$ref")" ] ||
                    bad+="$f: xl $(kv $f "$ref"), $p $(kv $f \
                        "${rows[$n:$p]}")"$'\n'
            done
            if [ -z "$bad" ]; then
                ok "parity: $g ($kind) $n MiB: $(path_name $p) leaves what xl mem-set leaves"
            else
                notok "parity: $g ($kind) $n MiB: $(path_name $p) leaves what xl mem-set leaves" "$bad"
            fi
        done
    done
}
