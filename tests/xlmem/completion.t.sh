#!/bin/bash
# xlmem's bash completion: subcommands, global and subcommand options,
# domain names from the store, actor names and their parameters.
. "$(dirname "$0")/common.sh"

start_sim --domains 2
# The completion calls `xlmem`: the one under test.
mkdir -p "$T/bin"
ln -s "$XLMEM" "$T/bin/xlmem"
PATH=$T/bin:$PATH
compopt() { :; }   # only meaningful inside real completion
. "$MP_TOP/xl-cmds/xlmem.bash-completion"

# comp WORD...: the completions of the last word.
comp() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _xlmem
    echo "${COMPREPLY[*]}"
}

is "$(comp xlmem mem-policy-)" \
    "mem-policy-set mem-policy-get mem-policy-apply mem-policy-params" \
    "subcommands"
is "$(comp xlmem -c /etc/xl.conf mem-l)" "mem-list" \
    "subcommands after global options"
is "$(comp xlmem --c)" "--config" "global options"
is "$(comp xlmem mem-set gu)" "guest1 guest2" "domain names from the store"
is "$(comp xlmem mem-set guest1 "")" "" "no completion for a size"
is "$(comp xlmem mem-set --w)" "--wait --wait=" "mem-set options"
# After --wait=: bash splits it as "--wait" "=" (COMP_WORDBREAKS), or
# leaves it one word; either way the value is not an argument.
is "$(comp xlmem mem-set --wait = "")" "" "nothing to offer for --wait's value"
is "$(comp xlmem mem-set --wait=)" "" "--wait= as one word: nothing either"
is "$(comp xlmem mem-set --wait = 30 gu)" "guest1 guest2" \
    "domains after --wait=30 (split at '=')"
is "$(comp xlmem mem-set --wait=30 gu)" "guest1 guest2" \
    "domains after --wait=30 (one word)"
is "$(comp xlmem mem-set -w 30 gu)" "guest1 guest2" "domains after -w 30"
is "$(comp xlmem mem-set -w "")" "" "nothing to offer for -w's value"
is "$(comp xlmem mem-set --wait = 30 guest1 "")" "" "no completion for a size"
is "$(comp xlmem mem-policy-set -t 300 guest2 xl-)" "xl-auto xl-manual" \
    "mem-policy-set -t SIZE: actors still in place"
is "$(comp xlmem mem-policy-set guest2 xl-)" "xl-auto xl-manual" \
    "actor names"
is "$(comp xlmem mem-policy-set guest2 xl-auto d)" "delay=" \
    "xl-auto's parameters"
is "$(comp xlmem mem-policy-set guest2 sharing r)" "rate=" \
    "sharing's parameters"
is "$(comp xlmem mem-policy-set guest2 ba)" "balance" "balance is an actor"
is "$(comp xlmem mem-policy-set guest2 balance m)" "min= max= min_guarantee=" \
    "balance's parameters, from the kit's table"
is "$(comp xlmem mem-policy-set guest2 xl m)" "min= min_guarantee=" "xl means xl-auto"
is "$(comp xlmem mem-list -)" "-h -j --json" "mem-list options"
is "$(comp xlmem help mem-w)" "mem-watch" "help takes a subcommand"
is "$(comp xlmem mem-top -s ac)" "actor actual" "mem-top: sort columns"
is "$(comp xlmem mem-top --b)" "--batch" "mem-top: options"
is "$(comp xlmem mem-e)" "mem-explain" "mem-explain is a subcommand"
touch "$T/dom-a.cfg"
is "$(comp xlmem create "$T/dom-a")" "$T/dom-a.cfg" "create: a file"

# Memory groups: the subcommands from `xlmem help` (the command table),
# group names from the store, mem-group-set's keys from its usage line.
is "$(comp xlmem mem-group)" "mem-group-set mem-group-list mem-group-rm" \
    "the group subcommands, from the command table"
"$XLMEM" mem-group-set web budget=256
is "$(comp xlmem mem-group-set w)" "web" "group names from the store"
is "$(comp xlmem mem-group-rm "")" "web" "mem-group-rm: group names"
is "$(comp xlmem mem-group-set web "")" "budget= weight=" \
    "mem-group-set's keys, from its usage line"
is "$(comp xlmem mem-group-list -)" "-h -j --json" "mem-group-list's options"

# Every subcommand's options come from its help (the command table): a
# command's new option completes with no edit here, and an option whose
# help shows a value takes the next word.
is "$(comp xlmem mem-tune --s)" "--soft-limit --soft-limit= --swap-hard-limit --swap-hard-limit=" \
    "mem-tune's options, from its help"
is "$(comp xlmem mem-tune --hard-limit 512 gu)" "guest1 guest2" \
    "a domain after --hard-limit's value"
is "$(comp xlmem mem-tune --hard-limit "")" "" "nothing to offer for a size"
is "$(comp xlmem mem-reserve --l)" "--lifetime --lifetime=" \
    "mem-reserve's options, which no list here names"
is "$(comp xlmem mem-top -d 3 -s ac)" "actor actual" \
    "mem-top: -d takes a value, -s offers the columns"
finish
