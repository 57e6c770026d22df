# shellcheck shell=bash
# Sourced by dom0-tests.sh (check-xen): the balance actor on real Xen,
# issue 14 §7, and a start on the full host it leaves (issue 15 §5).
#
# Two PV guests (guest-bal1.cfg, guest-bal2.cfg: memory 512, maxmem 1024
# MiB, actor balance, min=128m) run the product's guest agent in their
# init (mp.agent=1: tests/xen/domu-init.sh), which reports their used
# memory in memory/meminfo as Qubes' meminfo-writer does.  The host is
# made tight first: a paused guest (gfill, never booted: the rest of a
# full host) takes what the two may not share, so that the balancer's
# pool is about BAL_POOL MiB and memory can only move between them.
# Then gbal1's workload (xen-hog, driven by its data/hog node) takes
# BAL_HOG MiB of anonymous memory, growing as memory arrives; the
# balancer must move memory from the idle gbal2 to gbal1, and back once
# the workload ends, with no guest crashed and dom0 left at its size.
#
# Waiting is on xenstore: the watch on /local/domain fires on every
# report the guests make (the agents' meminfo, the balloon drivers'
# data/current_kb) and every target the actor writes; each event
# re-evaluates the condition.  xl list is read once the guests' own
# balloon drivers said where they are.
#
# Uses dom0-tests.sh's helpers (check, ok, notok, info, wait_xs, xs_is,
# start_daemon, guest_offset, off[]) and parity.sh's not_crashed.

BAL_POOL=${BAL_POOL:-1024}   # MiB the two guests share (above the floor)
BAL_HOG=${BAL_HOG:-600}     # MiB gbal1's workload takes
BAL_MOVE=${BAL_MOVE:-128}    # MiB that must move each way, at least
BAL_FLOOR=72                # the actor's default floor (MiB)
BAL_DAMP=128                # the actor's default damping (MiB)
BAL_START=${BAL_START:-128}  # MiB of the guest started on the full host

# bal_kb D: what domain D's balloon driver holds now (data/current_kb)
# plus the guest's offset, i.e. comparable with memory/target, in KiB
bal_kb() {
    local c
    c=$(xenstore-read /local/domain/$1/data/current_kb 2>/dev/null) ||
        { echo 0; return; }
    echo $((c + ${off[$1]:-0}))
}
# bal_at_target D: the balloon driver holds memory/target
bal_at_target() {
    local t
    t=$(xenstore-read /local/domain/$1/memory/target 2>/dev/null) &&
        [ "$(bal_kb "$1")" -eq "$t" ]
}
# bal_xl_agrees D NAME ge|le MIB: xl list shows what domain D's balloon
# driver holds (+-1 MiB, both read together, within a few reads) and
# that is at least (ge) or at most (le) MIB
bal_xl_agrees() {
    local i k m
    for i in 1 2 3 4 5 6 7 8 9 10; do
        k=$(($(bal_kb "$1") / 1024))
        m=$(xl_mem "$2")
        [ -n "$m" ] && [ "$m" -ge $((k - 1)) ] && [ "$m" -le $((k + 1)) ] &&
            { { [ "$3" = ge ] && [ "$m" -ge "$4" ]; } ||
              { [ "$3" = le ] && [ "$m" -le "$4" ]; }; } && return 0
        sleep 1
    done
    echo "xl list shows ${m:-nothing} MiB for $2, its balloon driver $k MiB; expected $3 $4"
    return 1
}
# bal_wait TIMEOUT EXPR: EXPR (bash) true, re-evaluated at every change
# under /local/domain
bal_wait() {
    wait_xs /local/domain "$1" "$2"
}
# bal_status D: the actor's status line for domain D (why its target)
bal_status() {
    xenstore-read /tool/mempolicy/actors/balance/status/$1 2>/dev/null
}
# bal_planned D: the actor decided D's size from its report (not held for
# want of one, not stuck, slow or waiting for memory)
bal_planned() {
    case $(bal_status "$1") in
    '' | *"no report yet"* | stuck* | "slow balloon"* | waiting*) return 1 ;;
    esac
}
# bal_diag: what the two guests and the actor were doing (a failed wait)
bal_diag() {
    info "balance: $(bal_line)"
    info "balance: gbal1 status: $(bal_status $b1)"
    info "balance: gbal2 status: $(bal_status $b2)"
    info "balance: gbal1 current_kb $(bal_kb $b1) target" \
         "$(xenstore-read /local/domain/$b1/memory/target 2>&1)," \
         "gbal2 current_kb $(bal_kb $b2) target" \
         "$(xenstore-read /local/domain/$b2/memory/target 2>&1)"
    xl list 2>&1 | while IFS= read -r l; do info "  xl list: $l"; done
    grep -v ': debug: ' /tmp/balance.log 2>/dev/null | tail -n 12 |
        while IFS= read -r l; do info "  balance log: $l"; done
    tail -n 3 /tmp/balance.log 2>/dev/null |
        while IFS= read -r l; do info "  balance log: $l"; done
}
# the hypervisor's free memory, MiB
host_free() { xl info 2>/dev/null | awk '$1 == "free_memory" {print $3}'; }
# bal_line: the figures of one moment, for the log and the docs
bal_line() {
    local d
    printf 'gbal1 %s MiB (target %s, used %s), gbal2 %s MiB (target %s, used %s), Domain-0 %s MiB, host free %s MiB' \
        "$(xl_mem gbal1)" \
        "$(($(xenstore-read /local/domain/$b1/memory/target 2>/dev/null || echo 0) / 1024))" \
        "$(($(xenstore-read /local/domain/$b1/memory/meminfo 2>/dev/null || echo 0) / 1024))" \
        "$(xl_mem gbal2)" \
        "$(($(xenstore-read /local/domain/$b2/memory/target 2>/dev/null || echo 0) / 1024))" \
        "$(($(xenstore-read /local/domain/$b2/memory/meminfo 2>/dev/null || echo 0) / 1024))" \
        "$(xl_mem Domain-0)" \
        "$(host_free)"
}
# dom0 stays where it was: it is not the balancer's, and the balancer
# must never take memory from it
dom0_kept() {
    local m
    m=$(xl_mem Domain-0)
    [ "$m" = "$dom0_mb" ] || { echo "Domain-0 has $m MiB, had $dom0_mb"; return 1; }
}
# host free memory never under the floor when we look
free_above_floor() {
    local f
    f=$(host_free)
    [ -n "$f" ] && [ "$f" -ge "$BAL_FLOOR" ] ||
        { echo "host free ${f:-?} MiB, floor $BAL_FLOOR MiB"; return 1; }
}

balance_on_real_xen() {
    local f fill a1 a2 m1 m2 line
    dom0_mb=$(xl_mem Domain-0)
    # the host made tight: gfill (paused, never runs) keeps all but the
    # pool, the floor and 16 MiB for the two guests' own overhead
    f=$(host_free)
    fill=$((f - BAL_POOL - BAL_FLOOR - 16))
    info "balance: host free $f MiB; gfill takes $fill MiB so that the" \
         "two balance guests share about $BAL_POOL MiB"
    if [ "$fill" -gt 64 ]; then
        check "xl create -p gfill ($fill MiB, paused: the rest of a full host)" \
            xl create -p /etc/xen/guest-plain.cfg "name=\"gfill\"" \
                "memory=$fill" "maxmem=$fill" || return 1
    fi
    check "xlmem create guest-bal1.cfg (gbal1, actor balance)" \
        xlmem create /etc/xen/guest-bal1.cfg || return 1
    check "xlmem create guest-bal2.cfg (gbal2, actor balance)" \
        xlmem create /etc/xen/guest-bal2.cfg || return 1
    b1=$(xl domid gbal1) b2=$(xl domid gbal2)
    info "gbal1 is domain $b1, gbal2 is domain $b2"
    # The actor starts once both exist: started before, it would hand
    # gbal1 the whole pool (the surplus goes to whoever is there) and
    # leave nothing to create gbal2 with.  A toolstack asks for the
    # memory first (docs/balance.md, "A toolstack starting a domain").
    start_daemon balance -v || return 1
    check "gbal1's guest agent reports its used memory (memory/meminfo)" \
        wait_xs /local/domain/$b1/memory/meminfo $XT_BOOT '[ -n "$v" ]' ||
        return 1
    check "gbal2's guest agent reports its used memory (memory/meminfo)" \
        wait_xs /local/domain/$b2/memory/meminfo $XT_BOOT '[ -n "$v" ]' ||
        return 1
    # PV guests: the balloon driver's count is memory/target itself
    # (offset 0, docs/real-xen.md); guest_offset cannot measure it here,
    # since the actor may move memory/target before the driver's first look
    off[$b1]=0 off[$b2]=0
    # idle: the actor planned both from their reports, both balloons are
    # where it put them, and the two shares are even but for the damping
    # (same weight, same use: the same plan, each target within the
    # damping of it, so within twice the damping of each other)
    if check "idle: the actor's targets for gbal1 and gbal2 reached, shares even" \
        bal_wait $XT_WAIT 'bal_planned $b1 && bal_planned $b2 &&
            bal_at_target $b1 && bal_at_target $b2 &&
            a1=$(xenstore-read /local/domain/$b1/memory/target) &&
            a2=$(xenstore-read /local/domain/$b2/memory/target) &&
            [ $(( a1 > a2 ? a1 - a2 : a2 - a1 )) -le $((2 * BAL_DAMP * 1024)) ]'
    then
        :
    else
        bal_diag
        return 1
    fi
    a1=$(bal_kb $b1) a2=$(bal_kb $b2)
    u1=$(xenstore-read /local/domain/$b1/memory/meminfo)
    line=$(bal_line)
    info "balance idle: $line"
    say "balance idle $line"
    check "dom0 untouched while idle" dom0_kept
    check "host free memory above the floor while idle" free_above_floor

    # busy: gbal1's workload grows into what the balancer gives it
    check "gbal1's workload starts (data/hog $BAL_HOG)" \
        xenstore-write /local/domain/$b1/data/hog "$BAL_HOG" || return 1
    # done when gbal1 reports the workload's memory as used (its idle use
    # + BAL_HOG, less 32 MiB for what the kernel gives back meanwhile),
    # the balloons are where the actor put them, and memory moved
    if check "busy: memory moves from gbal2 to gbal1 (at least $BAL_MOVE MiB each way)" \
        bal_wait $XT_BOOT "[ \$(xenstore-read /local/domain/$b1/memory/meminfo) \
                -ge $((u1 + (BAL_HOG - 32) * 1024)) ] &&
            [ \$(bal_kb $b1) -ge $((a1 + BAL_MOVE * 1024)) ] &&
            [ \$(bal_kb $b2) -le $((a2 - BAL_MOVE * 1024)) ] &&
            bal_at_target $b1 && bal_at_target $b2"; then
        :
    else
        bal_diag
        return 1
    fi
    m1=$(bal_kb $b1) m2=$(bal_kb $b2)
    line=$(bal_line)
    info "balance busy: $line"
    say "balance busy $line"
    # the workload may still be growing, and the actor with it: compare
    # xl list with what each balloon driver holds at the same moment
    check "xl list agrees: gbal1 grew, gbal2 shrank" \
        eval "bal_xl_agrees $b1 gbal1 ge $(((a1 + BAL_MOVE * 1024) / 1024)) &&
              bal_xl_agrees $b2 gbal2 le $(((a2 - BAL_MOVE * 1024) / 1024))"
    check "dom0 untouched while busy" dom0_kept
    check "host free memory above the floor while busy" free_above_floor
    check "xlmem mem-explain gbal1 says why (balance's status line)" \
        out_matches "xlmem mem-explain gbal1" "^actor: +balance" \
            "^status: +[0-9]+ MiB"
    check "xlmem mem-explain gbal2 says why (balance's status line)" \
        out_matches "xlmem mem-explain gbal2" "^actor: +balance" \
            "^status: +[0-9]+ MiB"
    info "mem-explain gbal1: $(xlmem mem-explain gbal1 2>&1 | grep '^status')"
    info "mem-explain gbal2: $(xlmem mem-explain gbal2 2>&1 | grep '^status')"

    # freed: the memory goes back
    check "gbal1's workload ends (data/hog 0)" \
        xenstore-write /local/domain/$b1/data/hog 0 || return 1
    if check "freed: memory moves back from gbal1 to gbal2 (at least $BAL_MOVE MiB each way)" \
        bal_wait $XT_BOOT "[ \$(bal_kb $b1) -le $((m1 - BAL_MOVE * 1024)) ] &&
            [ \$(bal_kb $b2) -ge $((m2 + BAL_MOVE * 1024)) ] &&
            bal_at_target $b1 && bal_at_target $b2"; then
        :
    else
        bal_diag
        return 1
    fi
    line=$(bal_line)
    info "balance freed: $line"
    say "balance freed $line"
    check "dom0 untouched after" dom0_kept
    check "host free memory above the floor after" free_above_floor
    check "gbal1 and gbal2 not crashed" \
        eval "not_crashed gbal1 && not_crashed gbal2"
    check "balance is still running" alive balance
}

# Issue 15 §5: `xlmem create` of a guest that fits only once the balancer
# took memory back from its guests, on the full host balance_on_real_xen
# left (gbal1 and gbal2 share the pool, host free at about the floor).
# gres (guest-plain.cfg, paused: it need not boot) needs BAL_START MiB
# (more if more than that is free above the floor: it must not fit)
# and Xen's overhead; xlmem create reserves that first (docs/
# reservations.md), balance balloons the two down, grants it, and xl
# creates the domain.  Then gbig, which no plan can meet (more than the
# two hold above their floors), is refused at once naming the shortfall,
# and nothing is created for it.
balance_start_on_full_host() {
    local f t0 t1 s1 s2 e1 e2 doms start=$BAL_START
    # the host quiet first: both planned, at their targets, none waiting
    # for memory (the way back may leave a raise in two steps)
    if check "before the start: gbal1 and gbal2 at the actor's targets" \
        bal_wait $XT_WAIT 'bal_planned $b1 && bal_planned $b2 &&
            bal_at_target $b1 && bal_at_target $b2'
    then
        :
    else
        bal_diag
        return 1
    fi
    f=$(host_free)
    # more than is free above the floor, whatever the way back left free
    [ $((f - BAL_FLOOR + 64)) -gt "$start" ] && start=$((f - BAL_FLOOR + 64))
    check "gres ($start MiB) does not fit in host free memory ($f MiB, floor $BAL_FLOOR)" \
        [ $((f - BAL_FLOOR)) -lt "$start" ] || return 1
    # sizes as the hypervisor counts them (xl list, MiB)
    s1=$(xl_mem gbal1) s2=$(xl_mem gbal2)
    t0=$SECONDS
    check "xlmem create gres ($start MiB) on the full host: granted once balance took memory back" \
        xlmem create /etc/xen/guest-plain.cfg -p 'name="gres"' \
            "memory=$start" "maxmem=$start" || { bal_diag; return 1; }
    t1=$SECONDS
    e1=$(xl_mem gbal1) e2=$(xl_mem gbal2)
    info "balance start: gres created after $((t1 - t0)) s (dom0's clock);" \
         "gbal1 $s1 -> $e1 MiB, gbal2 $s2 -> $e2 MiB; $(bal_line)"
    say "balance start gres $start MiB granted in $((t1 - t0)) s:" \
        "gbal1 $s1 -> $e1 MiB, gbal2 $s2 -> $e2 MiB, host free before $f MiB"
    check "gres exists, with $start MiB" \
        eval "xl domid gres >/dev/null && xl_mem_reaches gres $start"
    check "the memory came from gbal1 and gbal2 (they gave at least $((start - f + BAL_FLOOR)) MiB)" \
        [ $((s1 + s2 - e1 - e2)) -ge $((start - f + BAL_FLOOR)) ]
    check "dom0 untouched by the start" dom0_kept
    check "host free memory above the floor after the start" free_above_floor
    check "gbal1 and gbal2 not crashed by the start" \
        eval "not_crashed gbal1 && not_crashed gbal2"
    # the refusal: more than anything can free
    doms=$(dom_names)
    expect_fail "xlmem create gbig (2048 MiB) is refused at once, naming the shortfall" \
        "^xlmem create: cannot start gbig: it needs [0-9]+ MiB .*: reservation [0-9]+: cannot free [0-9]+ MiB: at most [0-9]+ MiB" \
        xlmem create /etc/xen/guest-plain.cfg -p 'name="gbig"' \
            memory=2048 maxmem=2048
    check "nothing created for gbig (the same domains as before)" \
        same_domains "$doms"
}
# the names of the domains xl lists, sorted, on one line
dom_names() { xl list | awk 'NR > 1 {print $1}' | sort | tr '\n' ' '; }
same_domains() { # NAMES: dom_names says NAMES
    local now
    now=$(dom_names)
    [ "$now" = "$1" ] || { echo "domains now: $now; before: $1"; return 1; }
}

balance_cleanup() {
    local g
    for g in gres gbal1 gbal2 gfill; do
        xl domid $g >/dev/null 2>&1 && check "xl destroy $g" xl destroy $g
    done
    [ -n "${dpid[balance]:-}" ] || return 0
    stop_daemon balance >/tmp/stop.balance 2>&1 &&
        ok "balance exits 0 on SIGTERM" ||
        notok "balance exits 0 on SIGTERM" "$(cat /tmp/stop.balance)"
}
