#!/bin/bash
# tests/demo/demo.t.sh: `make demo` does what it promises.
#
# Runs demo/run-demo.sh --short --stepped (the same story, the clock held
# and stepped by the script, so the outcome never depends on the machine's
# speed) on the
# build under test and checks its outcome from the files the demo leaves:
# each domain's verdict (demo/verdict.awk, from xensim's recording and the
# policies read at the end), the default policy mempolicyd gave the
# newcomer, the PNG's signature, and that every process the demo started
# is gone and its socket directory removed.  A second run is interrupted
# with SIGINT (what Ctrl-C sends) once its first table is out, and must
# clean up just the same.  Nothing here sleeps: the interrupt is sent when
# the demo's own output says it is running, read from a FIFO.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

top=$MP_TOP
# `make check` installs the build's packages only; the demo adds gnuplot.
if ! "$top/tools/install-deps.sh" demo; then
    echo "Bail out! missing packages for the demo (tools/install-deps.sh demo)"
    exit 1
fi
tmp=$(mktemp -d /tmp/demo-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# verdict NAME: the status column of NAME's verdict.
verdict() {
    awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$out/verdict.txt"
}

# Every pid the demo recorded is gone, and its run directory (the store's
# sockets) removed.
nothing_left() {
    local pid name left=
    while read -r pid name; do
        kill -0 "$pid" 2>/dev/null && left="$left $name($pid)"
    done <"$1/pids"
    is "$left" "" "$2: no process left"
    ok "[ -s '$1/rundir' ] && [ ! -e \"\$(cat '$1/rundir')\" ]" \
        "$2: socket directory removed"
}

# ---- a whole short run -------------------------------------------------

out=$tmp/out
"$top/demo/run-demo.sh" --short --stepped --out "$out" "$MP_BUILD" >"$tmp/stdout" 2>&1
rc=$?
is "$rc" 0 "the demo runs to the end"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/stdout" | tail -n 30

for d in web db batch vdi-1 vdi-2 newbie; do
    is "$(verdict "$d")" reached "$d reached its policy target"
done
is "$(verdict legacy)" stuck "legacy is reported as a stuck balloon driver"
like "$(cat "$tmp/stdout")" "legacy +missed its target 512 MiB: stuck balloon" \
    "the stuck guest is named as such in the demo's output"
like "$(awk -F'\t' '$1 == "db"' "$out/verdict.txt")" \
    "[1-9][0-9]* MiB paged out" "db reached its target with paging"
like "$(awk -F'\t' '$1 == "vdi-1"' "$out/verdict.txt")" \
    "[1-9][0-9]* MiB shared" "vdi-1 shares pages with vdi-2"
is "$(awk '$1 == "newbie" { print $3, $4 }' "$out/data/final.txt")" \
    "xl-auto delay=2,paging=1" "newbie got the xl.conf default policy"
like "$(cat "$tmp/stdout")" "newbie \\([0-9]+\\): appeared" \
    "mem-watch events are shown"
like "$(cat "$tmp/stdout")" "Name +ID +Actor +Target" \
    "the mem-list table is shown"

is "$(head -c 8 "$out/demo.png" | od -An -tx1 | tr -d ' \n')" \
    89504e470d0a1a0a "the picture has the PNG signature"
like "$(file -b "$out/demo.png")" "^PNG image data, [0-9]+ x [0-9]+" \
    "file(1) reads it as a PNG image"
like "$(cat "$tmp/stdout")" "Picture: $out/demo.png" \
    "the demo says where the picture is"
for d in web db batch vdi-1 vdi-2 legacy newbie; do
    [ -s "$out/data/dom-$d.dat" ] || diag "no series for $d"
done
ok "[ \$(cat '$out'/data/dom-*.dat | wc -l) -gt 50 ]" \
    "the recording has the domains' series"

nothing_left "$out" "after the run"
is "$(awk '$2 ~ /^(xensim|xl-auto|xl-manual|sharing|mempolicyd)$/ &&
           $3 != 0 { print $2 "=" $3 }' "$out/exits" | tr '\n' ' ')" "" \
    "the simulated host and the actors exit 0 on SIGTERM"
is "$(cat "$out/died-early" 2>/dev/null)" "" \
    "every process the demo started ran until the end"
is "$(grep -lE 'Sanitizer|runtime error' "$out"/logs/*.log)" "" \
    "no sanitizer report in the demo's logs"

# ---- Ctrl-C --------------------------------------------------------------

out=$tmp/int
mkfifo "$tmp/fifo"
# SIGINT is ignored in background jobs of a script; give the demo the
# default disposition, as a terminal's Ctrl-C would find it.
env --default-signal=INT "$top/demo/run-demo.sh" --short --out "$out" \
    "$MP_BUILD" >"$tmp/fifo" 2>&1 &
demo=$!
exec 5<"$tmp/fifo"
seen=
while IFS= read -r -t "$MP_WAIT_S" -u 5 line; do
    if [[ $line == *"Name "*"ID "*"Actor"* ]]; then
        seen=1
        break
    fi
done
is "$seen" 1 "the interrupted demo was running (its first table)"
kill -INT "$demo"
cat <&5 >"$tmp/int-stdout"
exec 5<&-
wait "$demo"
is "$?" 130 "Ctrl-C ends the demo with status 130"
like "$(cat "$tmp/int-stdout")" "interrupted" "it says it was interrupted"
nothing_left "$out" "after Ctrl-C"

rm -rf "$tmp"
trap - EXIT
done_testing
