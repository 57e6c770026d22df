#!/bin/bash
# mem-policy-set, mem-policy-get and mem-policy-apply: the policy nodes
# they write, "xl" meaning xl-auto, "" meaning no actor, the config keys
# memory_policy / memory_policy_args from a domain file over xl.conf (from
# -c, --config or $MEMPOLICY_XL_CONF) over the built-in xl-auto, and every
# bad actor, params and config file refused with the store unchanged.
. "$(dirname "$0")/common.sh"

start_sim --domains 2
P=/libxl/1/memory-policy

run_xlmem mem-policy-set guest1 xl-auto delay=2,paging=1
# No actor runs here: success, nothing on stdout, and the warning
# (tests/xlmem/explain.t.sh covers the warning and its absence).
is "$rc/$out/$err" "0//xlmem mem-policy-set: warning: no actor 'xl-auto' is running: guest1's memory stays as it is until one starts" \
    "mem-policy-set: success, with a warning that xl-auto does not run"
is "$(rd $P/actor)|$(rd $P/actor-params)" "xl-auto|delay=2,paging=1" \
    "actor and params written"
is "$(rd $P/enforce)" 0 "enforce node written with the policy"

run_xlmem mem-policy-get guest1
is "$out" "actor:        xl-auto
actor-params: delay=2,paging=1
target:       524288k
enforce:      0" "mem-policy-get shows the policy (target from memory/target)"

run_xlmem mem-policy-set 1 xl
is "$rc|$(rd $P/actor)|$(rd $P/actor-params)" "0|xl-auto|" \
    "'xl' is stored as xl-auto; params default to none"
run_xlmem mem-policy-set 1 ""
is "$rc|$(rd $P/actor)" "0|" "\"\" means no actor"
run_xlmem mem-policy-get 1
like "$out" "^actor:        \(none\)" "mem-policy-get says (none)"
run_xlmem mem-policy-set 1 my-actor any_key=any-value
is "$rc|$(rd $P/actor)|$(rd $P/actor-params)" \
    "0|my-actor|any_key=any-value" "a custom actor takes any valid params"
run_xlmem mem-policy-set 1 sharing rate=100,paging=1,delay=0.5,min=1g,cow-check=3
is "$rc|$(rd $P/actor)" "0|sharing" "sharing with all its params"
"$XLMEM" mem-policy-set 1 xl-auto delay=1 >/dev/null

long=$(printf 'a%.0s' $(seq 65))
xrejects "invalid actor name 'Bad'" "upper case actor" \
    mem-policy-set guest1 Bad
xrejects "invalid actor name 'x_y'" "underscore in actor" \
    mem-policy-set guest1 x_y
xrejects "invalid actor name '${long:0:64}\.\.\.'" "65-character actor" \
    mem-policy-set guest1 "$long"
xrejects "invalid actor parameters 'delay'" "params without =" \
    mem-policy-set guest1 xl-auto delay
xrejects "invalid actor parameters 'a=1,,b=2'" "empty item" \
    mem-policy-set guest1 my-actor a=1,,b=2
xrejects "invalid actor parameters 'A=1'" "upper case key" \
    mem-policy-set guest1 my-actor A=1
xrejects "invalid actor parameters" "params over 1024 bytes" \
    mem-policy-set guest1 my-actor "k=$(printf 'v%.0s' $(seq 1100))"
xrejects "actor xl-auto has no parameter 'dealy' \(it takes delay, paging, min, and the common hard_limit, " \
    "unknown key of xl-auto" mem-policy-set guest1 xl-auto dealy=5
xrejects "delay=soon: not a number of seconds" "bad delay" \
    mem-policy-set guest1 xl-auto delay=soon
xrejects "paging=maybe" "bad paging boolean" \
    mem-policy-set guest1 xl-auto paging=maybe
xrejects "min=12x: not a size" "bad min size" \
    mem-policy-set guest1 xl-auto min=12x
xrejects "actor xl-manual has no parameter 'delay' \(it takes only the common hard_limit, " \
    "xl-manual takes no params" mem-policy-set guest1 xl-manual delay=1
xrejects "rate=0: not a whole number between 1 and 16777216" \
    "sharing rate 0" mem-policy-set guest1 sharing rate=0
# balance: its table in the actor kit, cross-key rules included.
xrejects "actor balance has no parameter 'wieght' \(it takes min, max, " \
    "balance: unknown key" mem-policy-set guest1 balance wieght=2
xrejects "min=1048576 KiB is above max=524288 KiB" "balance: min above max" \
    mem-policy-set guest1 balance min=1g,max=512m
xrejects "weight=0: not a whole number between 1 and 100" \
    "balance: weight 0" mem-policy-set guest1 balance weight=0
xrejects "weight=100000: not a whole number between 1 and 100" \
    "balance: absurd weight" mem-policy-set guest1 balance weight=100000
xrejects "weight=-1: not a whole number" "balance: negative weight" \
    mem-policy-set guest1 balance weight=-1
xrejects "grace=forever: not a number of seconds" "balance: bad grace" \
    mem-policy-set guest1 balance grace=forever
xrejects "max=0: a domain needs some memory" "balance: max 0" \
    mem-policy-set guest1 balance max=0
xrejects "no such domain 'nosuch'" "unknown domain" \
    mem-policy-set nosuch xl-auto
xrejects "no such domain 'nosuch'" "get: unknown domain" \
    mem-policy-get nosuch

# ---- config files ---------------------------------------------------------
cat >"$T/xl.conf" <<'EOF'
# the host's default
autoballoon = "off"
memory_policy = "xl-manual"
EOF
cat >"$T/args.conf" <<'EOF'
memory_policy_args = "delay=7"
EOF
cat >"$T/dom.cfg" <<'EOF'
name = "guest1"
memory = 512
memory_policy = "sharing"
memory_policy_args = "rate=64"
EOF
cat >"$T/dom-args.cfg" <<'EOF'
name = "guest1"
memory_policy_args = "paging=1"
EOF
cat >"$T/none.cfg" <<'EOF'
memory_policy = ""
EOF
cat >"$T/empty.cfg" <<'EOF'
name = "guest1"
EOF

run_xlmem mem-policy-apply guest1
is "$rc|$(rd $P/actor)|$(rd $P/actor-params)" "0|xl-auto|" \
    "no xl.conf anywhere: the built-in default xl-auto"
run_xlmem -c "$T/xl.conf" mem-policy-apply guest1
is "$rc|$(rd $P/actor)" "0|xl-manual" "-c FILE: xl.conf's default"
"$XLMEM" mem-policy-set 1 xl-auto >/dev/null
run_xlmem --config "$T/xl.conf" mem-policy-apply guest1
is "$rc|$(rd $P/actor)" "0|xl-manual" "--config FILE"
"$XLMEM" mem-policy-set 1 xl-auto >/dev/null
MEMPOLICY_XL_CONF=$T/xl.conf run_xlmem mem-policy-apply guest1
is "$rc|$(rd $P/actor)" "0|xl-manual" "\$MEMPOLICY_XL_CONF"
run_xlmem -c "$T/xl.conf" mem-policy-apply guest1 "$T/dom.cfg"
is "$rc|$(rd $P/actor)|$(rd $P/actor-params)" "0|sharing|rate=64" \
    "the domain's file overrides xl.conf"
run_xlmem -c "$T/args.conf" mem-policy-apply guest1 "$T/dom-args.cfg"
is "$rc|$(rd $P/actor)|$(rd $P/actor-params)" "0|xl-auto|paging=1" \
    "args alone in the domain file, actor from the default"
run_xlmem -c "$T/args.conf" mem-policy-apply guest1 "$T/empty.cfg"
is "$rc|$(rd $P/actor)|$(rd $P/actor-params)" "0|xl-auto|delay=7" \
    "a file without the keys: the global ones"
run_xlmem -c "$T/xl.conf" mem-policy-apply guest1 "$T/none.cfg"
is "$rc|$(rd $P/actor)" "0|" "memory_policy=\"\" in the file: no actor"

# The shipped example, its two keys uncommented, means what it says.
sed 's/^#memory_policy/memory_policy/' "$MP_TOP/xl.conf.example" \
    >"$T/example.conf"
"$XLMEM" mem-policy-set 1 "" >/dev/null
run_xlmem -c "$T/example.conf" mem-policy-apply guest1
is "$rc|$(rd $P/actor)|$(rd $P/actor-params)" "0|xl-auto|delay=5,paging=0" \
    "xl.conf.example parses, with its documented defaults"

printf 'memory_policy = "xl-auto"\nthis is not xl syntax\n' >"$T/bad.cfg"
printf 'memory_policy = "Not An Actor"\n' >"$T/badactor.cfg"
printf 'memory_policy_args = "a=1,,"\n' >"$T/badargs.cfg"
printf 'memory_policy = ["xl-auto"]\n' >"$T/list.cfg"
printf 'memory_policy = "xl-auto"\nmemory_policy_args = "dealy=3"\n' \
    >"$T/typo.cfg"
xrejects "bad.cfg:2.*(syntax|parsing)" "malformed domain config" \
    mem-policy-apply guest1 "$T/bad.cfg"
xrejects "bad.cfg:2" "malformed xl.conf" \
    -c "$T/bad.cfg" mem-policy-apply guest1
xrejects "not a valid actor name" "bad actor in a config file" \
    mem-policy-apply guest1 "$T/badactor.cfg"
xrejects "memory_policy_args=\"a=1,,\" is not a key=value" \
    "bad args in a config file" mem-policy-apply guest1 "$T/badargs.cfg"
xrejects "memory_policy must be a string" "a list where a string goes" \
    mem-policy-apply guest1 "$T/list.cfg"
xrejects "actor xl-auto has no parameter 'dealy'" \
    "unknown param from a config file" mem-policy-apply guest1 "$T/typo.cfg"
xrejects "$T/missing.cfg: cannot read" "missing domain config" \
    mem-policy-apply guest1 "$T/missing.cfg"
xrejects "$T/missing.conf: cannot read" "missing xl.conf named by -c" \
    -c "$T/missing.conf" mem-policy-apply guest1
xrejects "empty file name for -c" "-c ''" -c "" mem-policy-apply guest1
xrejects "no such domain 'nosuch'" "apply: unknown domain" \
    mem-policy-apply nosuch "$T/dom.cfg"

finish
