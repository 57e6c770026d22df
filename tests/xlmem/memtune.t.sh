#!/bin/bash
# xlmem mem-tune: libvirt's memtune vocabulary as common policy params.
# Printed as virsh memtune prints it; merged into the domain's params
# (other keys kept); the hard limit holding at once (target brought down,
# maxmem never above it) and at every later target; the guarantee
# refusing targets below it; and every bad value, contradiction and
# static-max breach refused with one line and the store unchanged
# (docs/memtune.md).
. "$(dirname "$0")/common.sh"

start_sim --domains 2
P=/libxl/1/memory-policy
# maxmem_kb DOMID: Xen's maxmem (max_pages) as the hypervisor says it.
maxmem_kb() { hv dominfo "$1" | sed -n 's/.* max_kb=\([0-9]*\).*/\1/p'; }

run_xlmem mem-tune guest1
is "$rc|$out" "0|hard_limit     : unlimited
soft_limit     : unlimited
swap_hard_limit: unlimited
min_guarantee  : 0" "no tunables: printed as virsh memtune prints them"

# The actor's own keys are kept; the tunables join them.
"$XLMEM" mem-policy-set guest1 my-actor delay=2,x=y 2>/dev/null
run_xlmem mem-tune guest1 --hard-limit 768 --min-guarantee 256m
is "$rc|$out|$err" "0||" "mem-tune: success, silent"
is "$(rd $P/actor-params)" \
    "delay=2,x=y,hard_limit=786432k,min_guarantee=262144k" \
    "merged into the params, other keys kept, sizes stored in KiB"
is "$(rd $P/actor)" "my-actor" "the actor is kept"
run_xlmem mem-tune guest1
is "$out" "hard_limit     : 786432
soft_limit     : unlimited
swap_hard_limit: unlimited
min_guarantee  : 262144" "the values in KiB, as virsh"
# virsh's order (domain first) and xlmem's (options first) both work.
run_xlmem mem-tune --soft-limit=512 guest1 --swap-hard-limit 64
is "$rc|$(rd $P/actor-params)" \
    "0|delay=2,x=y,hard_limit=786432k,min_guarantee=262144k,soft_limit=524288k,swap_hard_limit=65536k" \
    "options before and after the domain"
run_xlmem mem-tune guest1 --hard-limit 700
is "$rc|$(rd $P/actor-params)" \
    "0|delay=2,x=y,hard_limit=716800k,min_guarantee=262144k,soft_limit=524288k,swap_hard_limit=65536k" \
    "a key set again is replaced in place"
run_xlmem mem-tune guest1 --swap-hard-limit -1 --soft-limit unlimited
is "$rc|$(rd $P/actor-params)" \
    "0|delay=2,x=y,hard_limit=716800k,min_guarantee=262144k" \
    "-1 and 'unlimited' remove a limit"
run_xlmem mem-tune guest1 --min-guarantee 0
is "$rc|$(rd $P/actor-params)" "0|delay=2,x=y,hard_limit=716800k" \
    "a guarantee of 0 is removed"
run_xlmem mem-tune guest1
like "$out" "soft_limit     : unlimited" "removed: unlimited again"

# The hard limit holds at once, on a domain without an actor: its target
# (512 MiB) is above nothing yet; lowering the cap to 300 MiB brings the
# target to 299 MiB (maxmem = target + 1024 KiB, libxl) and maxmem to
# 300 MiB exactly, enforce or not.
P2=/libxl/2/memory-policy
is "$(maxmem_kb 2)" "$((512 * 1024 + 1024))" "guest2 starts with maxmem 513 MiB"
run_xlmem mem-tune guest2 --hard-limit 300
is "$rc|$(rd $P2/target)|$(rd /local/domain/2/memory/target)" \
    "0|$((300 * 1024 - 1024))|$((300 * 1024 - 1024))" \
    "a target above the cap comes down to hard_limit - 1024 KiB"
is "$(maxmem_kb 2)" "$((300 * 1024))" "maxmem exactly the hard limit"
is "$(rd $P2/enforce)" 0 "enforce left as it was"
# A cap above the target still brings a maxmem above the cap down.
"$XLMEM" mem-tune guest2 --hard-limit -1
"$XLMEM" mem-set guest2 200
hv setmaxmem 2 $((900 * 1024)) >/dev/null
run_xlmem mem-tune guest2 --hard-limit 400
is "$rc|$(rd $P2/target)|$(maxmem_kb 2)" \
    "0|$((200 * 1024))|$((200 * 1024 + 1024))" \
    "maxmem above a new cap comes down (to libxl's for the target)"

# Targets outside the range: refused, nothing changed.
xrejects "target 409600 KiB is above its hard_limit 409600 KiB less libxl's 1024 KiB maxmem slack \(at most 408576 KiB\)" \
    "mem-set at the hard limit itself: refused (maxmem would pass it)" \
    mem-set guest2 400
run_xlmem mem-set guest2 399
is "$rc|$(rd $P2/target)|$(maxmem_kb 2)" \
    "0|$((399 * 1024))|$((400 * 1024))" \
    "mem-set at hard_limit - 1 MiB: allowed, maxmem = the hard limit"
"$XLMEM" mem-tune guest2 --min-guarantee 128
xrejects "target 102400 KiB is below its min_guarantee 131072 KiB" \
    "mem-set below the guarantee: refused" mem-set guest2 100
xrejects "below its min_guarantee" "a relative mem-set below it too" \
    mem-set guest2 -300

# Bad input: one line, status 1, store unchanged.
xrejects "soft_limit=819200 KiB is above hard_limit=409600 KiB" \
    "soft above hard" mem-tune guest2 --soft-limit 800
xrejects "min_guarantee=512000 KiB is above hard_limit=409600 KiB" \
    "guarantee above hard" mem-tune guest2 --min-guarantee 500
xrejects "min_guarantee=131072 KiB is above hard_limit=65536 KiB" \
    "hard below the guarantee already set" mem-tune guest2 --hard-limit 64
xrejects "hard_limit=2097152 KiB is above the domain's static-max 1048576 KiB" \
    "hard above static-max" mem-tune guest2 --hard-limit 2g
"$XLMEM" mem-tune guest1 --hard-limit -1
xrejects "min_guarantee=2097152 KiB is above the domain's static-max" \
    "guarantee above static-max" mem-tune guest1 --min-guarantee 2g
xrejects "--hard-limit -5: not a size" "negative" \
    mem-tune guest2 --hard-limit -5
xrejects "invalid memory size 'lots'" "garbage" \
    mem-tune guest2 --soft-limit lots
xrejects "invalid memory size '12x'" "garbage suffix" \
    mem-tune guest2 --swap-hard-limit 12x
xrejects "--min-guarantee unlimited: a guarantee cannot be unlimited" \
    "an unlimited guarantee" mem-tune guest2 --min-guarantee unlimited
xrejects "hard_limit=0 KiB leaves nothing" "a hard limit of 0" \
    mem-tune guest2 --hard-limit 0
xrejects "--hard-limit given twice" "an option twice" \
    mem-tune guest2 --hard-limit 300 --hard-limit 350
xrejects "unknown option '--hardlimit'" "unknown option" \
    mem-tune guest2 --hardlimit 300
xrejects "option '--soft-limit' needs a value" "missing value" \
    mem-tune guest2 --soft-limit
xrejects "too many arguments" "two domains" mem-tune guest1 guest2
xrejects "no such domain|guest9" "unknown domain" \
    mem-tune guest9 --hard-limit 300
xrejects "'a\\\\e\[31mb'" "control characters escaped" \
    mem-tune guest2 --hard-limit $'a\e[31mb'

# The same rules at mem-policy-set (params written whole).
xrejects "invalid memory tunables for guest2: hard_limit=2097152 KiB is above the domain's static-max" \
    "mem-policy-set: hard above static-max" \
    mem-policy-set guest2 my-actor hard_limit=2g
xrejects "soft_limit=2097152 KiB is above hard_limit=1048576 KiB" \
    "mem-policy-set: soft above hard" \
    mem-policy-set guest2 xl-auto hard_limit=1g,soft_limit=2g
xrejects "min_guarantee=-1: not a size" "mem-policy-set: negative" \
    mem-policy-set guest2 sharing min_guarantee=-1
xrejects "group=No/Such: not a name|invalid actor parameters" \
    "mem-policy-set: a bad group name" \
    mem-policy-set guest2 balance group=No/Such
# group=NAME must name a memory group (docs/groups.md): make one.
"$XLMEM" mem-group-set web budget=1g
run_xlmem mem-policy-set guest2 "" hard_limit=256,group=web
is "$rc|$(rd $P2/target)|$(maxmem_kb 2)" \
    "0|$((255 * 1024))|$((256 * 1024))" \
    "mem-policy-set with a lower hard limit: the cap holds at once too"

# ...and at create, against the static-max the config gives (maxmem=,
# else memory=), before anything is created or reserved.
printf 'name = "big"\nmemory = 256\nmemory_policy = "xl-auto"\nmemory_policy_args = "hard_limit=512"\n' \
    >"$T/big.cfg"
xrejects "invalid memory tunables in .*big.cfg: hard_limit=524288 KiB is above the domain's static-max 262144 KiB" \
    "create: hard above the config's static-max" create "$T/big.cfg"
printf 'name = "big"\nmemory = 256\nmaxmem = 1024\nmemory_policy = "xl-auto"\nmemory_policy_args = "hard_limit=512,soft_limit=1g"\n' \
    >"$T/soft.cfg"
xrejects "soft_limit=1048576 KiB is above hard_limit=524288 KiB" \
    "create: soft above hard" create "$T/soft.cfg"

# Shell completion offers the options (read from `xlmem help mem-tune`
# since 706f953: the xlmem under test, not whichever is on PATH).
compopt() { :; }
. "$MP_TOP/xl-cmds/xlmem.bash-completion"
COMP_WORDS=(xlmem mem-tune guest1 --s)
COMP_CWORD=3
PATH=$MP_BUILD/bin:$PATH _xlmem
is "${COMPREPLY[*]}" \
    "--soft-limit --soft-limit= --swap-hard-limit --swap-hard-limit=" \
    "completion: options"
COMP_WORDS=(xlmem mem-tune gu)
COMP_CWORD=2
PATH=$MP_BUILD/bin:$PATH _xlmem
is "${COMPREPLY[*]}" "guest1 guest2" "completion: domains"

finish
