#!/bin/bash
# xlmem mem-group-set / mem-group-list / mem-group-rm and the common
# param group=NAME (docs/groups.md): groups in the store (dom0-only),
# members found from the domains' params, and every bad input refused
# with one line, a non-zero exit and the store unchanged.
. "$(dirname "$0")/common.sh"

start_sim --domains 2
G=/tool/mempolicy/groups

run_xlmem mem-group-list
is "$rc|$out" "0|Name                  Budget(MiB) Weight Domains  Guaranteed(MiB)" \
    "no group: an empty table"
run_xlmem mem-group-set web budget=1g weight=3
is "$rc|$out|$err" "0||" "mem-group-set: success, silent"
is "$(rd $G/web/budget-kb) $(rd $G/web/weight)" "1048576 3" \
    "stored: budget in KiB, weight"
like "$(xenstore-ls -p $G)" 'web = "".*\(n0\)$' "dom0-only: owner dom0, nobody else may read"
run_xlmem mem-group-set db budget=512
is "$(rd $G/db/budget-kb) $(rd $G/db/weight)" "524288 1" \
    "a bare budget is MiB; a new group's weight is 1"
run_xlmem mem-group-set db weight=2
is "$rc|$(rd $G/db/budget-kb) $(rd $G/db/weight)" "0|524288 2" \
    "without budget= only the weight changes"

# Members: the domains whose params say group=NAME.
run_xlmem mem-policy-set guest1 balance group=web,min_guarantee=300m
is "$rc" 0 "guest1 joins web"
run_xlmem mem-tune guest2 --min-guarantee 200m
run_xlmem mem-policy-set guest2 balance group=web,min_guarantee=200m
is "$rc" 0 "guest2 joins web"
run_xlmem mem-group-list
is "$out" "Name                  Budget(MiB) Weight Domains  Guaranteed(MiB)
db                            512      2       0                0
web                          1024      3       2              500" \
    "the table: sorted by name, members and their guarantees"
run_xlmem mem-group-list -j
is "$out" '[{"name": "db", "budget_kb": 524288, "weight": 2, "domains": 0, "guarantee_kb": 0}, {"name": "web", "budget_kb": 1048576, "weight": 3, "domains": 2, "guarantee_kb": 512000}]' \
    "-j: JSON"

# ---- bad input: one line, non-zero, store unchanged ------------------------
xrejects "invalid group name 'Web': use 1 to 64 characters" \
    "a capital letter" mem-group-set Web budget=1g
xrejects "invalid group name '': use 1 to 64" "an empty name" \
    mem-group-set "" budget=1g
xrejects "invalid group name '-x'" "a leading dash" mem-group-set -- -x budget=1g
xrejects "invalid group name 'a\\\\nb'" "a control character, escaped" \
    mem-group-set "$(printf 'a\nb')" budget=1g
long=$(printf 'x%.0s' $(seq 1 65))
xrejects "invalid group name 'x{64}\\.\\.\\.'" "65 characters (the name bounded)" \
    mem-group-set "$long" budget=1g
xrejects "a budget of 0: a group's domains need some memory" "budget 0" \
    mem-group-set web budget=0
xrejects "invalid memory size '-5'" "a negative budget" mem-group-set web budget=-5
xrejects "invalid memory size 'lots'" "garbage" mem-group-set web budget=lots
xrejects "budget .* is more than the host has" "more than the host" \
    mem-group-set web budget=100t
xrejects "budget 409600 KiB is below the min_guarantee of group web's 2 domains \\(1, 2\\): 512000 KiB" \
    "a budget below the members' guarantees" mem-group-set web budget=400
xrejects "invalid weight '0': give a whole number from 1 to 100" "weight 0" \
    mem-group-set web budget=1g weight=0
xrejects "invalid weight '1000'" "an absurd weight" mem-group-set web budget=1g weight=1000
xrejects "invalid weight '-1'" "a negative weight" mem-group-set web budget=1g weight=-1
xrejects "invalid setting 'size=1g': give budget=SIZE" "an unknown key" \
    mem-group-set web size=1g
xrejects "budget= given twice" "a key twice" mem-group-set web budget=1g budget=2g
xrejects "group new: a new group needs budget=SIZE" "a new group without a budget" \
    mem-group-set new weight=2
xrejects "group=nosuch: no such memory group \\(create it with mem-group-set nosuch budget=SIZE\\)" \
    "an unknown group in group=" mem-policy-set guest1 balance group=nosuch
xrejects "group=db: min_guarantee=614400 KiB with the 0 KiB guaranteed to its 0 other domains is above its budget 524288 KiB" \
    "joining with a guarantee above the budget" \
    mem-policy-set guest1 balance group=db,min_guarantee=600m
xrejects "group=web: min_guarantee=870400 KiB with the 204800 KiB guaranteed to its 1 other domain is above its budget 1048576 KiB" \
    "a guarantee raised past the budget (mem-tune)" mem-tune guest1 --min-guarantee 850m
xrejects "group=Web: not a name" "a bad name in group=" \
    mem-policy-set guest1 balance group=Web
xrejects "group web still has 2 domains \\(1, 2\\): take them out first" \
    "removing a group with members" mem-group-rm web
xrejects "no memory group 'nosuch'" "removing an unknown group" mem-group-rm nosuch
xrejects "invalid group name 'A'" "removing a bad name" mem-group-rm A

# ---- removal ---------------------------------------------------------------
run_xlmem mem-group-rm db
is "$rc|$err|$(rd $G/db/budget-kb)" "0||<absent>" "an empty group is removed"
run_xlmem mem-policy-set guest1 balance min_guarantee=300m
run_xlmem mem-policy-set guest2 balance
run_xlmem mem-group-rm web
is "$rc|$err|$(rd $G/web/budget-kb)" "0||<absent>" \
    "once its domains left it, web is removed"

like "$("$XLMEM" help)" "mem-group-set +Create or change a memory group" \
    "help lists the commands (the command table)"
finish
