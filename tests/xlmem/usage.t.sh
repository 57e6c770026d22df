#!/bin/bash
# xlmem's command line: help and usage texts, unknown subcommands and
# options, missing and extra arguments for every subcommand.  Each bad
# command line must give one line on stderr, status 2 (as xl), and leave
# the store untouched.
. "$(dirname "$0")/common.sh"

start_sim --domains 1

run_xlmem help
is "$rc" 0 "help exits 0"
help=$out
for c in mem-set mem-policy-set mem-policy-get mem-policy-apply \
         mem-balloon-set-target mem-balloon-get-target \
         mem-paging-set-target mem-paging-get-target mem-paging-enable \
         mem-paging-disable mem-sharing-enable mem-sharing-disable \
         mem-list mem-explain mem-watch create; do
    like "$help" " $c " "help lists $c"
    run_xlmem "$c" -h
    if [ "$rc" -eq 0 ] && [[ $out == "Usage: xlmem $c "* ]]; then
        _tap_result 0 "$c -h prints its usage"
    else
        _tap_result 1 "$c -h prints its usage"; diag "rc=$rc out=$out"
    fi
done
run_xlmem help mem-set
like "$out" "Usage: xlmem mem-set \[options\] <Domain> \[\+\|-\]<MemMB" \
    "help mem-set: xl's usage text"
like "$out" "--wait\[=SECONDS\]" "help mem-set documents --wait"

xrejects "no subcommand" "no subcommand"
xrejects "unknown subcommand 'mem-frobnicate'" "unknown subcommand" \
    mem-frobnicate
xrejects "unknown global option '-z'" "unknown global option" -z mem-list
xrejects "unknown subcommand 'nope'" "help for an unknown subcommand" \
    help nope
xrejects "unknown option '-x'" "unknown subcommand option" mem-set -x \
    guest1 256
xrejects "unknown option '--bogus'" "unknown long option" mem-list --bogus

# Missing arguments: one short of what each needs.
xrejects "missing arguments \(usage: xlmem mem-set" "mem-set: no args" \
    mem-set
xrejects "missing argument \(usage: xlmem mem-set" "mem-set: one arg" \
    mem-set guest1
xrejects "missing argument" "mem-policy-set: no actor" mem-policy-set guest1
xrejects "missing argument" "mem-policy-get: no domain" mem-policy-get
xrejects "missing argument" "mem-policy-apply: no domain" mem-policy-apply
for c in mem-balloon-set-target mem-paging-set-target; do
    xrejects "missing argument" "$c: no size" "$c" guest1
done
for c in mem-balloon-get-target mem-paging-get-target mem-paging-enable \
         mem-paging-disable mem-sharing-enable mem-sharing-disable; do
    xrejects "missing argument \(usage: xlmem $c <Domain>\)" \
        "$c: no domain" "$c"
done
xrejects "missing argument" "create: no config file" create

# Extra arguments: one more than each takes.
xrejects "too many arguments \('extra' is extra\)" "mem-set: extra" \
    mem-set guest1 256 extra
xrejects "too many arguments" "mem-policy-set: extra" \
    mem-policy-set guest1 xl-auto delay=1 extra
xrejects "too many arguments" "mem-policy-get: extra" \
    mem-policy-get guest1 extra
xrejects "too many arguments" "mem-policy-apply: extra" \
    mem-policy-apply guest1 a.cfg extra
for c in mem-balloon-set-target mem-paging-set-target; do
    xrejects "too many arguments" "$c: extra" "$c" guest1 256 extra
done
for c in mem-balloon-get-target mem-paging-get-target mem-paging-enable \
         mem-paging-disable mem-sharing-enable mem-sharing-disable; do
    xrejects "too many arguments" "$c: extra" "$c" guest1 extra
done
xrejects "too many arguments" "mem-watch: extra" mem-watch extra
xrejects "invalid --wait time 'soon'" "mem-set --wait=soon" \
    mem-set --wait=soon guest1 256
xrejects "invalid --wait time '0'" "mem-set --wait=0" \
    mem-set --wait=0 guest1 256

# Usage errors are status 2, as in xl.
run_xlmem mem-set guest1
is "$rc" 2 "missing arguments: status 2"
run_xlmem mem-frobnicate
is "$rc" 2 "unknown subcommand: status 2"

finish
