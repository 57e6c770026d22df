#!/bin/bash
# xlmem create on the simulated host: the domain is created from an xl
# config file (name, type, memory, maxmem) and born with its memory
# policy (the file's keys, then vars on the command line, over xl.conf's
# default); a bad file, policy or command line creates nothing.
. "$(dirname "$0")/common.sh"

start_sim
cat >"$T/xl.conf" <<'EOF'
memory_policy = "xl-auto"
memory_policy_args = "delay=9"
EOF
cat >"$T/a.cfg" <<'EOF'
# an ordinary xl domain config, with the memory policy keys
name = "alpha"
type = "hvm"
hap = 1
memory = 384
maxmem = 768
vcpus = 2
disk = [ "phy:/dev/vg/alpha,xvda,w" ]
memory_policy = "sharing"
memory_policy_args = "rate=128,paging=1"
EOF
cat >"$T/b.cfg" <<'EOF'
name = "beta"
memory = 256
EOF

run_xlmem -c "$T/xl.conf" create "$T/a.cfg"
is "$rc|$err" "0|" "create: success, nothing on stderr"
like "$out" "^domid=[0-9]+$" "create prints the new domid"
a=${out#domid=}
is "$(rd /local/domain/$a/name)" alpha "the domain has the file's name"
is "$(rd /local/domain/$a/memory/static-max)" 786432 "maxmem 768 MiB"
# libxl__build_post: memory less the video RAM (cirrus, 8 MiB) and, for an
# HVM guest with memory < maxmem (PoD), LIBXL_MAXMEM_CONSTANT.
is "$(rd /local/domain/$a/memory/target)" $((393216 - 8192 - 1024)) \
    "memory 384 MiB"
is "$(rd /libxl/$a/memory-policy/actor)|$(rd /libxl/$a/memory-policy/actor-params)" \
    "sharing|rate=128,paging=1" "born with the file's policy"
like "$("$XLMEM" mem-list -j alpha)" '"type": "hvm"' "type hvm"

run_xlmem -c "$T/xl.conf" create "$T/b.cfg"
b=${out#domid=}
is "$rc|$(rd /libxl/$b/memory-policy/actor)|$(rd /libxl/$b/memory-policy/actor-params)" \
    "0|xl-auto|delay=9" "no keys in the file: xl.conf's default"
like "$("$XLMEM" mem-list -j beta)" '"type": "pv"' "type defaults to pv"

run_xlmem create "$T/b.cfg" 'name="gamma"' 'memory_policy="xl-manual"'
g=${out#domid=}
is "$rc|$(rd /local/domain/$g/name)|$(rd /libxl/$g/memory-policy/actor)" \
    "0|gamma|xl-manual" "vars override the file, as with xl"

# xl's HVM keys for video RAM (xl_parse.c) and PVH reach the host.
printf 'name = "vs"\ntype = "hvm"\nmemory = 256\nvga = "stdvga"\n' \
    >"$T/vs.cfg"
run_xlmem create "$T/vs.cfg"
v=${out#domid=}
is "$rc|$(rd /local/domain/$v/memory/videoram)" "0|16384" \
    "vga=\"stdvga\": libxl's 16 MiB of video RAM"
printf 'name = "vo"\ntype = "hvm"\nmemory = 256\nstdvga = 1\nvideoram = 32\n' \
    >"$T/vo.cfg"
run_xlmem create "$T/vo.cfg"
v=${out#domid=}
is "$rc|$(rd /local/domain/$v/memory/videoram)|$(rd /local/domain/$v/memory/target)" \
    "0|32768|$((262144 - 32768))" "stdvga=1 videoram=32: 32 MiB"
printf 'name = "vp"\ntype = "pvh"\nmemory = 128\n' >"$T/vp.cfg"
run_xlmem create "$T/vp.cfg"
v=${out#domid=}
is "$rc|$(rd /libxl/$v/type)" "0|pvh" "type=\"pvh\": a PVH guest"
printf 'name = "vb"\ntype = "hvm"\nmemory = 256\nvga = "vesa"\n' >"$T/vb.cfg"
xrejects "refused to create the domain: EINVAL vga must be" \
    "an unknown vga kind, refused by the host" create "$T/vb.cfg"
printf 'name = "vm"\ntype = "hvm"\nmemory = 256\nvga = "stdvga"\nvideoram = 8\n' \
    >"$T/vm.cfg"
xrejects "videoram must be at least 16384 KiB for stdvga" \
    "video RAM below libxl's minimum" create "$T/vm.cfg"

printf 'name = "delta"\nmemory = 128\nmemory_policy = ""\n' >"$T/d.cfg"
run_xlmem -c "$T/xl.conf" create "$T/d.cfg"
d=${out#domid=}
is "$rc|$(rd /libxl/$d/memory-policy/actor)" "0|" \
    "memory_policy=\"\": born with no actor"

printf 'name = "pvh1"\ntype = "pvh"\nmemory = 128\n' >"$T/pvh.cfg"
run_xlmem create "$T/pvh.cfg"
like "$("$XLMEM" mem-list -j pvh1)" '"type": "hvm"' "pvh is HVM to Xen"

# ---- nothing created on bad input -------------------------------------------
printf 'name = "bad"\nmemory = 128\nthis is not xl syntax\n' >"$T/bad.cfg"
printf 'name = "bad"\nmemory_policy = "Bad Actor"\n' >"$T/badpol.cfg"
printf 'name = "bad"\nmemory_policy = "xl-auto"\nmemory_policy_args = "dealy=1"\n' \
    >"$T/typo.cfg"
printf 'name = "bad"\nmemory = "lots"\n' >"$T/badmem.cfg"
printf 'memory = 128\n' >"$T/noname.cfg"
printf 'name = "bad"\nmemory_policy = "my-actor"\nmemory_policy_args = "k=a b"\n' \
    >"$T/space.cfg"
xrejects "^xlmem create: $T/nope.cfg: cannot read: No such file" \
    "missing config file" create "$T/nope.cfg"
xrejects "malformed config file $T/bad.cfg: .*bad.cfg:3" \
    "malformed config file" create "$T/bad.cfg"
xrejects "not a valid actor name" "bad memory_policy" \
    create "$T/badpol.cfg"
xrejects "actor xl-auto has no parameter 'dealy'" "bad memory_policy_args" \
    create "$T/typo.cfg"
xrejects "memory must be a positive number of MiB" "bad memory" \
    create "$T/badmem.cfg"
xrejects "config file .*noname.cfg has no domain name" \
    "no name" create "$T/noname.cfg"
xrejects "EEXIST.*alpha" "a name already taken" create "$T/a.cfg"
xrejects "memory_policy_args 'k=a b' cannot be passed to the simulated host" \
    "a value the channel cannot carry" create "$T/space.cfg"
xrejects "xl create options mean nothing on the simulated host" \
    "xl create option on the simulated host" create "$T/b.cfg" -p
xrejects "option -F keeps xl create in the foreground" "-F refused" \
    create "$T/b.cfg" -F
xrejects "unknown xl create option '-Z'" "unknown xl create option" \
    create "$T/b.cfg" -Z
xrejects "'junk' is neither an xl create option nor a key=value var" \
    "a stray argument" create "$T/b.cfg" junk
xrejects "malformed config file" "a malformed var" \
    create "$T/b.cfg" 'name=="x'
xrejects "missing.conf: cannot read" "-c names a missing xl.conf" \
    -c "$T/missing.conf" create "$T/b.cfg" 'name="eps"'

finish
