# shellcheck shell=bash
# Sourced by dom0-tests.sh (check-xen): living beside stock xl on real
# Xen, issue 17 §3 as docs/design.md "Living beside xl" decides it.
#
# reboot_keeps_policy G: `xl reboot G` (xl rebuilds the domain from its
#   saved configuration: same uuid, new domid; libxl wipes
#   /libxl/<domid>) and the new domain gets the policy back from
#   mempolicyd, and its actor acts on it.
# xl_mem_set_adopted G: `xl mem-set G N` on a guest managed by xl-auto is
#   adopted as the policy target (memory/target + video RAM, enforced) at
#   the actor's next event, not undone.
#
# Uses dom0-tests.sh's helpers (check, ok, notok, info, wait_xs, xs_is,
# watch_wait on mem-watch's fd 6, guest_offset, guest_kb_reaches) and
# parity.sh's settle.

# reboot_events OLD TIMEOUT: read mem-watch until it printed OLD's death
# and an introduction above every domid seen before; print that domid
reboot_events() {
    local old=$1 end=$((SECONDS + $2)) line dead= new= top
    top=$(grep -Eo 'domid=[0-9]+' /tmp/watch | cut -d= -f2 | sort -n |
          tail -n 1)
    top=$(( ${top:-0} > old ? ${top:-0} : old ))
    grep -qx "death domid=$old" /tmp/watch && dead=1
    while [ -z "$dead" ] || [ -z "$new" ]; do
        [ $SECONDS -lt $end ] &&
            IFS= read -r -t $((end - SECONDS)) -u 6 line || {
            echo "within ${2}s: death of $old ${dead:+seen}${dead:-not seen}," \
                 "new domain ${new:-not seen}; mem-watch printed:"
            tail -n 6 /tmp/watch
            return 1
        }
        printf '%s\n' "$line" >>/tmp/watch
        [ "$line" = "death domid=$old" ] && dead=1
        [[ $line =~ ^introduce\ domid=([0-9]+)$ ]] &&
            [ "${BASH_REMATCH[1]}" -gt "$top" ] && new=${BASH_REMATCH[1]}
    done
    echo "$new"
}

# reboot_keeps_policy G OLDDOMID: sets REBOOTED to the new domid
reboot_keeps_policy() {
    local g=$1 old=$2 uuid new d
    REBOOTED=
    uuid=$(xenstore-read /local/domain/$old/vm 2>/dev/null)
    check "xlmem mem-policy-set $g xl-auto delay=2 before the reboot" \
        xlmem mem-policy-set "$g" xl-auto delay=2 || return 1
    check "xlmem mem-set $g 192 before the reboot" \
        xlmem mem-set "$g" 192 || return 1
    check "$g at 192 MiB before the reboot" \
        eval "wait_xs /local/domain/$old/memory/target $XT_WAIT '[ \"\$v\" = 196608 ]' &&
              guest_kb_reaches $old 196608" || return 1
    check "xl reboot $g" xl reboot "$g" || return 1
    # mem-watch (fd 6) prints the old domain's death and the new one's
    # introduction, in either order (@releaseDomain fires once the old
    # domain's pages are gone, which may be after xl built the new one).
    # Xen hands out domids in increasing order: the new one is above every
    # domid seen so far.
    if ! new=$(reboot_events "$old" 120); then
        notok "mem-watch printed $g's death and its new domain" "$new"
        return 1
    fi
    check "$g came back as domain $new (was $old) with the same uuid" \
        eval "[ '$new' != '$old' ] && [ \"\$(xl domid $g)\" = '$new' ] &&
              xs_is /local/domain/$new/vm '$uuid'" || return 1
    info "$g: domain $old rebooted as domain $new (${uuid#/vm/})"
    REBOOTED=$new
    check "mempolicyd restores $g's policy: actor xl-auto" \
        wait_xs /libxl/$new/memory-policy/actor $XT_WAIT '[ "$v" = xl-auto ]' ||
        return 1
    check "... params delay=2, target 196608, enforced" \
        eval "xs_is /libxl/$new/memory-policy/actor-params delay=2 &&
              xs_is /libxl/$new/memory-policy/target 196608 &&
              xs_is /libxl/$new/memory-policy/enforce 1"
    check "rebooted $g's user space is up" \
        wait_xs /local/domain/$new/data/current_kb $XT_BOOT '[ -n "$v" ]' &&
        guest_offset $new
    check "rebooted $g's balloon driver reaches 196608 KiB" \
        eval "wait_xs /local/domain/$new/memory/target $XT_WAIT \
                  '[ \"\$v\" = 196608 ]' && guest_kb_reaches $new 196608"
}

# xl_mem_set_adopted G DOMID B N: under xl-auto at B MiB, `xl mem-set G N`
# becomes the policy target N MiB (memory/target + video RAM) at the
# actor's next event (here a change of its params), memory/target stays
# as xl wrote it, and the guest gets there.
xl_mem_set_adopted() {
    local g=$1 d=$2 b=$3 n=$4 t tn
    check "xlmem mem-policy-set $g xl-auto delay=30" \
        xlmem mem-policy-set "$g" xl-auto delay=30 || return 1
    check "xlmem mem-set $g $b (xl-auto)" xlmem mem-set "$g" "$b" || return 1
    t=$(xenstore-read /local/domain/$d/memory/target)
    check "$g gets to $b MiB under xl-auto" \
        eval "wait_xs /libxl/$d/memory-policy/target $XT_WAIT '[ \"\$v\" = $((b * 1024)) ]' &&
              settle $g $d" || return 1
    check "xl mem-set $g $n on the managed guest" xl mem-set "$g" "$n" ||
        return 1
    tn=$(xenstore-read /local/domain/$d/memory/target)
    info "$g: xl mem-set $n wrote memory/target $tn (was $t)"
    check "next event: xl mem-set adopted as $g's policy target $((n * 1024)), enforced" \
        eval "xlmem mem-policy-set $g xl-auto delay=31 &&
              wait_xs /libxl/$d/memory-policy/target $XT_WAIT \
                  '[ \"\$v\" = $((n * 1024)) ]' &&
              xs_is /libxl/$d/memory-policy/enforce 1"
    check "... memory/target left as xl wrote it ($tn), guest there" \
        eval "xs_is /local/domain/$d/memory/target $tn && settle $g $d"
    check "$g back to no actor" xlmem mem-policy-set "$g" ""
}
