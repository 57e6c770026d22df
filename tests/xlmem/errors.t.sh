#!/bin/bash
# The error classes every subcommand shares: permission denied (run as an
# unprivileged domain, through the per-domain socket "<socket>.dom<N>"),
# the store unreachable, and an unknown domain; each one line on stderr,
# a non-zero status, and the store unchanged.  Then the Xen-host path of
# `create` (xl run with the same arguments), with stand-ins for xl.
. "$(dirname "$0")/common.sh"

start_sim --domains 2
printf 'name = "x"\nmemory = 128\n' >"$T/x.cfg"

cmds=(
    "mem-set guest1 256"
    "mem-policy-set guest1 xl-manual"
    "mem-policy-get guest1"
    "mem-policy-apply guest1"
    "mem-balloon-set-target guest1 256"
    "mem-balloon-get-target guest1"
    "mem-paging-set-target guest1 256"
    "mem-paging-get-target guest1"
    "mem-paging-enable guest1"
    "mem-paging-disable guest1"
    "mem-sharing-enable guest1"
    "mem-sharing-disable guest1"
    "mem-list"
    "mem-watch"
    "create $T/x.cfg"
)
for c in "${cmds[@]}"; do
    # shellcheck disable=SC2086
    rejects "^xlmem ${c%% *}: permission denied: the store connection .*\.dom1\) is an unprivileged domain's" \
        "${c%% *} as an unprivileged domain: permission denied" \
        XENSTORED_PATH="$XENSIM_DIR/xs.sock.dom1" "$XLMEM" $c
done
for c in "${cmds[@]}"; do
    # shellcheck disable=SC2086
    rejects "^xlmem ${c%% *}: cannot connect to xenstore at $T/no-store: No such file or directory$" \
        "${c%% *} with the store unreachable" \
        XENSTORED_PATH="$T/no-store" "$XLMEM" $c
done
for c in "${cmds[@]}"; do
    set -- $c
    [ "${2:-}" == guest1 ] || continue
    shift 2
    # shellcheck disable=SC2086
    xrejects "no such domain 'ghost'" "${c%% *} of an unknown domain" \
        "${c%% *}" ghost "$@"
done
xrejects "domain 7 does not exist" "mem-policy-set of an unknown domain id" \
    mem-policy-set 7 xl-auto
xrejects "domain 7 does not exist" "mem-policy-get of an unknown domain id" \
    mem-policy-get 7

# ---- create on a Xen host ---------------------------------------------------
# $XLMEM_XL makes xlmem take xl's path on any host; stand-ins show each
# outcome.  The simulated host stays, so the reservation xlmem makes first
# (docs/reservations.md) is answered by its hypervisor, as Xen's would be.
cat >"$T/fake-xl" <<'EOF'
#!/bin/sh
echo "$@" >"$(dirname "$0")/xl-args"
exit "${FAKE_XL_STATUS:-0}"
EOF
chmod +x "$T/fake-xl"
rejects "^xlmem create: cannot run $T/no-xl: No such file or directory$" \
    "xl missing: one line" XLMEM_XL="$T/no-xl" "$XLMEM" create "$T/x.cfg"
rejects "^xlmem create: $T/fake-xl create failed \(status 3\)$" \
    "xl create failing: its status" \
    XLMEM_XL="$T/fake-xl" FAKE_XL_STATUS=3 "$XLMEM" create "$T/x.cfg" -e
is "$(cat "$T/xl-args")" "create $T/x.cfg -p -e" \
    "xl gets the config file and options, and -p (paused until the policy)"
XLMEM_XL="$T/fake-xl" run_xlmem create "$T/x.cfg" -n 'memory=256'
is "$rc|$out|$(cat "$T/xl-args")" "0||create $T/x.cfg -n memory=256" \
    "dry run (-n): xl runs, no policy is applied"
rejects "domain 'x' not found after xl create" \
    "xl create succeeding without a domain" \
    XLMEM_XL="$T/fake-xl" "$XLMEM" create "$T/x.cfg"
rejects "option -F keeps xl create in the foreground" \
    "-F refused before xl runs" XLMEM_XL="$T/no-xl" "$XLMEM" \
    create "$T/x.cfg" -F

finish
