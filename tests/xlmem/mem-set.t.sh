#!/bin/bash
# xlmem mem-set: xl's size rules (MiB default, b k m g t, relative + and
# -), the policy nodes it writes (target with enforce=1, as xl), what it
# does with no actor (balloon target and maxmem, as xl mem-set), every
# kind of bad size, unknown domains, a PoD guest raised (PoD target set,
# no crash); and --wait: reaching the target,
# running out of time (status 3), plain progress lines off a terminal and
# a progress bar on one.
. "$(dirname "$0")/common.sh"

start_sim --domains 2 --speed 20
P=/libxl/1/memory-policy

run_xlmem mem-set guest1 256
is "$rc/$out/$err" "0//" "mem-set by name: silent success"
is "$(rd $P/target)/$(rd $P/enforce)" "262144/1" "target 256 MiB, enforce 1"
is "$(rd /local/domain/1/memory/target)" 262144 \
    "no actor: the balloon target follows, as xl mem-set"
like "$("$XLMEM" mem-list -j 1)" '"maxmem_kb": 263168' \
    "no actor, enforce: maxmem = target + LIBXL_MAXMEM_CONSTANT, as libxl"

run_xlmem mem-set 1 300m
is "$rc/$(rd $P/target)" "0/307200" "by id, suffix m"
run_xlmem mem-set 1 1G
is "$rc/$(rd $P/target)" "0/1048576" "suffix G"
run_xlmem mem-set 1 262144k
is "$rc/$(rd $P/target)" "0/262144" "suffix k"
run_xlmem mem-set 1 314572800b
is "$rc/$(rd $P/target)" "0/307200" "suffix b (bytes)"
run_xlmem mem-set 1 +100
is "$rc/$(rd $P/target)" "0/409600" "relative +100 MiB"
run_xlmem mem-set 1 -200
is "$rc/$(rd $P/target)" "0/204800" "relative -200 MiB"
run_xlmem mem-set 1 -1k
is "$rc/$(rd $P/target)" "0/204799" "relative -1k"

"$XLMEM" mem-set guest2 400 >/dev/null
xrejects "invalid memory size '12x': unknown suffix 'x'" "size 12x" \
    mem-set guest2 12x
xrejects "invalid memory size '': empty" "empty size" mem-set guest2 ""
xrejects "invalid memory size '-': no digits" "size -" mem-set guest2 -
xrejects "invalid memory size '\+': no digits" "size +" mem-set guest2 +
xrejects "invalid memory size '12mb': trailing" "size 12mb" \
    mem-set guest2 12mb
xrejects "invalid memory size '99999999999999999999': too large" \
    "64-bit overflow" mem-set guest2 99999999999999999999
xrejects "invalid memory size '9999999999t': too large" \
    "overflow by suffix" mem-set guest2 9999999999t
xrejects "above static-max" "target above static-max" \
    mem-set guest2 2g
xrejects "must be positive" "target 0" mem-set guest2 0
xrejects "leaves no memory" "relative underflow" \
    mem-set guest2 -400
xrejects "leaves no memory" "relative far below zero" \
    mem-set guest2 -1t
xrejects "overflows|above static-max" "relative overflow" \
    mem-set guest2 +9223372036854775807k
xrejects "no such domain 'nosuch'" "unknown domain name" \
    mem-set nosuch 256
xrejects "domain 42 does not exist" "unknown domain id" mem-set 42 256
xrejects "empty domain name" "empty domain" mem-set "" 256

# --wait: the guest's balloon driver follows (256 MiB/s, --speed 20).
run_xlmem mem-set --wait="$MP_WAIT_S" guest2 200
is "$rc" 0 "--wait: reached, status 0"
like "$out" $'\n'"guest2: reached target 200 MiB$" "--wait: reached line"
actual=$("$XLMEM" mem-list -j guest2 | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["domains"][0]["actual_kb"])')
is "$actual" 204800 "--wait returned when actual memory is the target"

# A slow balloon (1 MiB/s of host time, 20 MiB/s here) shows progress.
cat >"$T/slow.cfg" <<'EOF'
name = "slow"
memory = 512
xensim_rate_mib_s = "1"
memory_policy = ""
EOF
run_xlmem create "$T/slow.cfg"
slow=${out#domid=}
# xensim's clock is held while --wait starts and moved by steps, so what
# it prints does not depend on how soon it runs (docs/hv-channel.md).
ok "xensim_hv clock pause" "clock held"
exec 6< <("$XLMEM" mem-set --wait=600 slow 490 2>&1; echo "exit=$?")
read -r -t "$MP_WAIT_S" line <&6
is "$line" "slow: actual 512 MiB, target 490 MiB" \
    "--wait: plain progress lines off a terminal, from the start"
for mib in 508 504 500; do
    ok "xensim_hv clock step 4000" "4 s of host time: 4 MiB at 1 MiB/s"
    read -r -t "$MP_WAIT_S" line <&6
    is "$line" "slow: actual $mib MiB, target 490 MiB" \
        "... one more line each time the size moves"
done
ok "xensim_hv clock resume" "clock running again"
rest=$(timeout "$MP_WAIT_S" cat <&6)
exec 6<&-
like "$rest" "slow: reached target 490 MiB" "--wait on a slow balloon: reached"
like "$rest" "exit=0" "... status 0"

# A guest whose balloon driver never moves: time runs out.
cat >"$T/stuck.cfg" <<'EOF'
name = "stuck"
memory = 512
maxmem = 1024
xensim_balloon = "stuck"
memory_policy = ""
EOF
run_xlmem create "$T/stuck.cfg"
stuck=${out#domid=}
run_xlmem mem-set --wait=2 stuck 256
is "$rc" 3 "--wait timeout: status 3"
like "$err" "^xlmem mem-set: stuck did not reach its target within 2 s: actual 512 MiB, target 256 MiB: stuck: no progress for [0-9]+ s \(balloon target 256 MiB, actual 512 MiB: the guest's balloon driver does not give memory back\)$" \
    "--wait timeout: one line saying so, and why (stuck balloon)"
is "$(rd /libxl/$stuck/memory-policy/target)" 262144 \
    "--wait timeout: the target is still set"

# A target moved by someone else while waiting is followed: the slow
# balloon heads for 128 MiB, far away; the new target of 480 MiB is near.
# The clock is held until the new target is set, so the first line is
# where the balloon stands, whatever the machine's speed.
xensim_hv clock pause >/dev/null
exec 5< <("$XLMEM" mem-set --wait=600 slow 128 2>&1; echo "exit=$?")
read -r -t "$MP_WAIT_S" first <&5
is "$first" "slow: actual 490 MiB, target 128 MiB" "--wait started"
"$XLMEM" mem-set slow 480
xensim_hv clock resume >/dev/null
rest=$(timeout "$MP_WAIT_S" cat <&5)
like "$rest" "reached target 480 MiB" "--wait follows a new target"
like "$rest" "exit=0" "... and ends with status 0"
exec 5<&-

# On a terminal: a progress bar redrawn in place.
tty=$(script -qec "$XLMEM mem-set --wait=$MP_WAIT_S guest2 300" /dev/null </dev/null)
like "$tty" $'\r''guest2: \[#*\.*\] [0-9]+ MiB -> 300 MiB' \
    "--wait on a terminal draws a progress bar"
like "$tty" "\[##############################\] 300 MiB -> 300 MiB" \
    "... that ends full"

# Video RAM (libxl writes memory/videoram; 16 MiB for stdvga): the guest
# gets target - videoram, maxmem target + 1 MiB, as xl mem-set; --wait
# sees the target reached although tot_pages is 16 MiB below it.
cat >"$T/vga.cfg" <<'EOF'
name = "vga"
type = "hvm"
vga = "stdvga"
memory = 512
maxmem = 1024
memory_policy = ""
EOF
run_xlmem create "$T/vga.cfg"
vga=${out#domid=}
is "$(rd /local/domain/$vga/memory/videoram)" 16384 \
    "video RAM: an HVM guest with stdvga has 16 MiB, as libxl builds it"
run_xlmem mem-set --wait="$MP_WAIT_S" vga 256
is "$rc" 0 "video RAM: --wait reached, status 0"
like "$out" "reached target 256 MiB" "video RAM: the reached line"
is "$(rd /local/domain/$vga/memory/target)" $((262144 - 16384)) \
    "video RAM: memory/target = target - videoram, as libxl"
like "$("$XLMEM" mem-list -j vga)" '"maxmem_kb": 263168' \
    "video RAM: maxmem = target + 1024 KiB (LIBXL_MAXMEM_CONSTANT)"
is "$(rd "$(rd /local/domain/$vga/vm)/memory")" $(( (262144 - 16384) / 1024 )) \
    "video RAM: /vm/<uuid>/memory in MiB, as libxl"
like "$("$XLMEM" mem-explain vga)" "at target" \
    "video RAM: mem-explain's verdict is the library's: at target"
# Already there (16 MiB below the target, as a real HVM guest): --wait
# says so at once; a bare comparison would wait for ever.
run_xlmem mem-set --wait=5 vga 256
is "$rc|$(printf '%s\n' "$out" | tail -1)" "0|vga: reached target 256 MiB" \
    "video RAM: --wait on a guest already at its target ends reached"
# Bad input around the arithmetic: one line naming the domain as typed
# and the problem, status non-zero, store and maxmem unchanged.
maxmem() { "$XLMEM" mem-list -j "$1" | sed -n 's/.*"maxmem_kb": \([0-9]*\).*/\1/p'; }
m0=$(maxmem vga)
xrejects "^xlmem mem-set: .*vga.*target 16384 KiB is not above its video RAM \(memory/videoram 16384 KiB\)" \
    "a target within the video RAM" mem-set vga 16m
xenstore-write /local/domain/$vga/memory/videoram 16M
xrejects "^xlmem mem-set: .*vga.*memory/videoram: '16M' is not a size in KiB" \
    "garbage memory/videoram" mem-set vga 300
xenstore-rm /local/domain/$vga/memory/videoram
xrejects "^xlmem mem-set: .*vga.*no /local/domain/$vga/memory/videoram in xenstore" \
    "missing memory/videoram" mem-set vga 300
xenstore-write /local/domain/$vga/memory/videoram 16384
sm=$(rd /local/domain/$vga/memory/static-max)
xenstore-write /local/domain/$vga/memory/static-max 1g
xrejects "^xlmem mem-set: .*vga.*memory/static-max: '1g' is not a size in KiB" \
    "garbage memory/static-max" mem-set vga 300
xenstore-write /local/domain/$vga/memory/static-max "$sm"
is "$(maxmem vga)" "$m0" "... maxmem unchanged by all of them"
# A PoD guest (HVM, memory < maxmem) raised while its balloon driver
# still holds its boot RAM as PoD entries: xl mem-set sets the PoD target
# with the new target (libxl_set_memory_target), so that Xen's PoD cache
# can back what the guest touches; without that call the guest runs out
# of PoD memory and Xen crashes it (p2m-pod.c).
pg=$(hv create name=pod type=hvm vga=none balloon=stuck demand_kb=65536 \
    memory_kb=262144 maxmem_kb=1048576)
pg=${pg#ok domid=}
run_xlmem mem-set pod 900
is "$rc|$(hvget dominfo "$pg" pod_target_kb)" "0|$((900 * 1024 + 1024))" \
    "PoD guest raised: the PoD target set with it, as libxl"
hv guest_set "$pg" balloon=cooperative demand_kb=614400 >/dev/null
hv settle 600000 >/dev/null
is "$(hvget dominfo "$pg" crashed)|$(hvget dominfo "$pg" shutdown)" "0|0" \
    "... and the guest uses 600 MiB of it without crashing"
d0=$(maxmem Domain-0)
xrejects "^xlmem mem-set: .*Domain-0.*below dom0's minimum of 131072 KiB \(LIBXL_MIN_DOM0_MEM\)" \
    "dom0 below LIBXL_MIN_DOM0_MEM" mem-set Domain-0 64
is "$(maxmem Domain-0)" "$d0" "... dom0's maxmem unchanged"

finish
