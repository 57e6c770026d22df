#!/bin/bash
# Hostile and careless input to xlmem (issue 12 section 1): every case is
# one line on stderr, escaped and bounded, a non-zero status and the store
# unchanged; and the config file is read once (a pipe works), bounded
# (/dev/zero ends), never silently replaced by a default.
. "$(dirname "$0")/common.sh"

start_sim --domains 2
P=/libxl/1/memory-policy

# ---- a config file read once: create from a pipe keeps its policy -------
run_xlmem create /dev/stdin < <(printf \
    'name = "piped"\nmemory = 128\nmemory_policy = "xl-manual"\n')
is "$rc|$err" "0|" "create /dev/stdin: success"
d=${out#domid=}
is "$(rd /libxl/$d/memory-policy/actor)" xl-manual \
    "create /dev/stdin: the file's policy, not the default"
run_xlmem create /dev/stdin 'memory_policy="sharing"' < <(printf \
    'name = "piped2"\nmemory = 128\n')
d=${out#domid=}
is "$rc|$(rd /libxl/$d/memory-policy/actor)" "0|sharing" \
    "create /dev/stdin with a var: the var's policy"

# ---- endless and oversized files end, with one line ----------------------
xrejects "^xlmem mem-policy-apply: .*/dev/zero: larger than 1024 KiB" \
    "mem-policy-apply D /dev/zero ends" mem-policy-apply guest1 /dev/zero
xrejects "^xlmem mem-policy-apply: .*/dev/zero: larger than 1024 KiB" \
    "-c /dev/zero ends" -c /dev/zero mem-policy-apply guest1
xrejects "^xlmem create: .*/dev/zero: larger than 1024 KiB" \
    "create /dev/zero ends" create /dev/zero
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$T/big.cfg"
xrejects "big.cfg: larger than 1024 KiB" "a file one byte over the bound" \
    mem-policy-apply guest1 "$T/big.cfg"
printf 'memory_policy="a\0b"\n' >"$T/nul.cfg"
xrejects "nul.cfg: holds NUL bytes" "a NUL byte in a config file" \
    mem-policy-apply guest1 "$T/nul.cfg"

# ---- no silent fallbacks -------------------------------------------------
rejects "^xlmem mem-policy-apply: .*MEMPOLICY_XL_CONF names $T/nope.conf, which does not exist" \
    "MEMPOLICY_XL_CONF naming a missing file" \
    MEMPOLICY_XL_CONF="$T/nope.conf" "$XLMEM" mem-policy-apply guest1
for c in "mem-set guest1 300" "mem-policy-get guest1" "mem-list"; do
    # shellcheck disable=SC2086
    xrejects "^xlmem: -c $T/nope.conf: cannot read: No such file or directory$" \
        "-c a missing file on ${c%% *}, which does not read it" \
        -c "$T/nope.conf" $c
done

# ---- messages: escaped, bounded, one line --------------------------------
esc=$'\e[31m'
xrejects '^xlmem mem-set: no such domain .g\\nuest\\e\[31mX. ' \
    "a newline and an escape sequence in a domain name are escaped" \
    mem-set $'g\nuest'"${esc}X" 300
long=$(head -c 100000 /dev/zero | tr '\0' a)
xrejects "^xlmem mem-policy-set: invalid actor name 'a{64}\.\.\.' " \
    "a 100,000-character actor name: a bounded line" \
    mem-policy-set guest1 "$long"
is "$((${#err} < 400))" 1 "... ${#err} characters"
printf 'memory_policy = "x\033]0;owned\007y"\n' >"$T/esc.cfg"
xrejects 'esc.cfg: memory_policy="x\\e\]0;owned\\x07y"' \
    "control bytes from a config file reach no terminal" \
    mem-policy-apply guest1 "$T/esc.cfg"
xrejects "invalid memory size '5\\\\n\\\\n9'" "a size with newlines" \
    mem-set guest1 $'5\n\n9'

# A domain name with an escape sequence (a toolstack took it from a config
# file): mem-list shows it escaped.
xenstore-write /local/domain/2/name $'evil\e[2J'
run_xlmem mem-list
like "$out" $'\nevil\\\\e\\[2J +2 ' "mem-list: a domain name is escaped"
[[ $out == *$'\e'* ]] && _tap_result 1 "... no escape byte printed" ||
    _tap_result 0 "... no escape byte printed"
xenstore-write /local/domain/2/name guest2

# ---- grammar -------------------------------------------------------------
xrejects "^xlmem mem-policy-set: invalid actor name '-h'" \
    "an actor name may not start with '-'" mem-policy-set guest1 -h
xrejects "^xlmem mem-policy-set: invalid actor name '-x'" \
    "... after the options too" mem-policy-set -- guest1 -x
xrejects "paging=yes: not a boolean" "xl-auto: paging=yes refused" \
    mem-policy-set guest1 xl-auto paging=yes
xrejects "delay=0x10: not a number of seconds" "xl-auto: delay=0x10 refused" \
    mem-policy-set guest1 xl-auto delay=0x10
xrejects "delay=1e3: not a number of seconds" "xl-auto: delay=1e3 refused" \
    mem-policy-set guest1 xl-auto delay=1e3
run_xlmem mem-policy-set guest1 xl-auto delay=0.5,paging=true
is "$rc|$(rd $P/actor-params)" "0|delay=0.5,paging=true" \
    "plain decimals and true/false still accepted"

finish
