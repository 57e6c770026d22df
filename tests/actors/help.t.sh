#!/bin/bash
# Every actor's --help is complete: the kit's standard options, the
# actor's own (sharing: --max-rate), and the per-domain parameters from
# the kit's table, which is what xlmem validates against; exit 0, on
# stdout.  A bad argument is quoted escaped in one line, status 2.
. "$(dirname "$0")/../lib.sh"

for a in xl-auto xl-manual sharing; do
    out=$("$MP_BUILD/bin/$a" --help 2>&1)
    rc=$?
    is "$rc" 0 "$a --help: status 0"
    like "$out" "-p, --pidfile FILE" "$a --help: the standard options"
    # Every key xlmem checks for the actor is listed.
    keys=$("$MP_BUILD/bin/xlmem" mem-policy-params "$a" | awk '{ sub(/=.*/, ""); print }')
    missing=
    for k in $keys; do
        grep -q "^  $k " <<<"$out" || missing="$missing $k"
    done
    is "$missing" "" "$a --help lists every parameter xlmem knows"
done
out=$("$MP_BUILD/bin/sharing" --help)
like "$out" "-r, --max-rate=N +host-wide scan budget" \
    "sharing --help lists --max-rate"

err=$("$MP_BUILD/bin/xl-auto" $'a\e[31mb' 2>&1 >/dev/null)
rc=$?
is "$rc" 2 "an unexpected argument: status 2"
like "$err" "unexpected argument 'a\\\\e\[31mb'" "... quoted escaped"

echo "1..$_tap_n"
[ "$_tap_failed" -eq 0 ]
