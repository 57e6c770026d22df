#!/bin/bash
# scenario.t.sh: xensim's scenarios, recording and options, end to end:
# bad files and options are refused before anything starts (no socket),
# a scenario's domains, actions and end happen on the simulated clock,
# and the recording holds what happened.  Waiting is on xenstore watches
# (xenstore-watch) and on the process itself, never on sleeps.
. "$(dirname "$0")/../lib.sh"

work=$(mktemp -d /tmp/xensim-scn.XXXXXX)
trap 'rm -rf "$work"' EXIT

# run_bad FILE PATTERN DESC: xensim refuses FILE with a message matching
# PATTERN, exits non-zero and leaves no socket behind.
run_bad() {
    local file=$1 pat=$2 desc=$3 out rc
    out=$("$XENSIM" --socket "$work/bad.sock" --scenario "$file" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] && [[ $out =~ $pat ]] && [ ! -e "$work/bad.sock" ]
    then
        _tap_result 0 "$desc"
    else
        _tap_result 1 "$desc"
        diag "status $rc, output: $out"
    fi
}

bad() {   # NAME CONTENT
    printf '%s\n' "$2" >"$work/$1.json"
    echo "$work/$1.json"
}

f=$(bad syntax '{
  "domains": [
    { "name": "a", "memory": 512, }
  ]
}')
run_bad "$f" "syntax.json:3: JSON: " "JSON syntax error names file and line"

f=$(bad unknown '{
  "domains": [
    { "name": "a",
      "memroy": 512 }
  ]
}')
run_bad "$f" "unknown.json:4: domains\\[0\\]\\.memroy: unknown field" \
    "unknown field named with its line"

f=$(bad size '{ "domains": [
  { "name": "a", "memory": 512 },
  { "name": "b", "memory": "lots" } ] }')
run_bad "$f" "size.json:3: domains\\[1\\]\\.memory: must be a size" \
    "bad size"

f=$(bad noname '{ "domains": [ { "memory": 512 } ] }')
run_bad "$f" "noname.json:1: domains\\[0\\]: \"name\" is required" \
    "missing name"

f=$(bad dup '{ "domains": [ { "name": "a", "memory": 512 },
  { "name": "a", "memory": 512 } ] }')
run_bad "$f" "dup.json:2: domains\\[1\\]\\.name: name \"a\" is used twice" \
    "duplicate name"

f=$(bad ref '{ "domains": [ { "name": "a", "memory": 512 } ],
  "actions": [ { "at": 1, "run": "echo %{b}" } ] }')
run_bad "$f" "ref.json:2: actions\\[0\\]\\.run: no domain \"b\"" \
    "action naming an unknown domain"

f=$(bad order '{ "domains": [ { "name": "a", "memory": 512,
  "create_at": 10, "destroy_at": 5 } ] }')
run_bad "$f" "order.json:2: domains\\[0\\]\\.destroy_at: must not be before" \
    "destroyed before created"

f=$(bad mode '{ "domains": [ { "name": "a", "memory": 512,
  "balloon": "eager" } ] }')
run_bad "$f" "mode.json:2: domains\\[0\\]\\.balloon: must be" \
    "unknown balloon mode"

f=$(bad frac '{ "domains": [ { "name": "a", "memory": 512,
  "sharing": { "zero": 0.7,
               "shared": 0.6 } } ] }')
run_bad "$f" "frac.json:2: domains\\[0\\]\\.sharing: zero \\+ shared" \
    "sharing fractions over 1"

f=$(bad two '{ "actions": [ { "at": 1, "write": "/a", "value": "1",
  "rm": "/b" } ] }')
run_bad "$f" "two.json:1: actions\\[0\\]: needs exactly one of" \
    "an action doing two things"

run_bad "$work/missing.json" "missing.json: cannot read" "missing file"

f=$(bad vgapv '{ "domains": [ { "name": "a", "memory": 512,
  "vga": "stdvga" } ] }')
run_bad "$f" "vgapv.json:2: domains\\[0\\]\\.vga: only for \"type\": \"hvm\"" \
    "vga on a PV guest"
f=$(bad vgakind '{ "domains": [ { "name": "a", "type": "hvm",
  "memory": 512, "vga": "vesa" } ] }')
run_bad "$f" "vgakind.json:2: domains\\[0\\]\\.vga: must be" "unknown vga kind"
f=$(bad vram '{ "domains": [ { "name": "a", "type": "hvm", "memory": 512,
  "vga": "stdvga",
  "videoram": "8M" } ] }')
run_bad "$f" "vram.json:3: domains\\[0\\]\\.videoram: must be at least 16384 KiB" \
    "video RAM below libxl's minimum for stdvga"
f=$(bad pvhvram '{ "domains": [ { "name": "a", "type": "pvh",
  "memory": 512, "videoram": "16M" } ] }')
run_bad "$f" "pvhvram.json:2: domains\\[0\\]\\.videoram: only for" \
    "video RAM on a PVH guest"

f=$(bad full '{ "host": { "memory": "3G" }, "domains": [
  { "name": "a", "memory": "1G" }, { "name": "b", "memory": "1G" },
  { "name": "c", "memory": "512M" },
  { "name": "d", "memory": "1G", "create_at": 5 } ] }')
pat="full.json: the 3 domains created at 0 s need 2560 MiB, "
pat+="the host has 2048 MiB"
run_bad "$f" "$pat" "domains at 0 s that cannot fit in the host"

# Options.
for opt in "--speed 0" "--speed fast" "--domains x" "--domains 40000" \
           "--host-mem 1" "--record $work/no/such/dir/rec.csv"; do
    # shellcheck disable=SC2086
    out=$("$XENSIM" --socket "$work/bad.sock" $opt 2>&1)
    rc=$?
    if [ $rc -ne 0 ] && [ -n "$out" ] && [ ! -e "$work/bad.sock" ]; then
        _tap_result 0 "refuses $opt"
    else
        _tap_result 1 "refuses $opt"; diag "status $rc: $out"
    fi
done

# ---- a scenario that plays -------------------------------------------

cat >"$work/play.json" <<'EOF'
{
  // a comment, as yajl allows
  "host": { "memory": "4G" },
  "duration": 30,
  "domains": [
    { "name": "web", "memory": 512, "maxmem": 1024,
      "memory_policy": "xl-auto", "memory_policy_args": "delay=2",
      "demand": [[0, 256], [6, 400]] },
    { "name": "db", "type": "hvm", "memory": "256M" },
    { "name": "late", "memory": 128, "create_at": 5, "destroy_at": 10 },
    { "name": "nodrv", "memory": 256, "balloon": "none", "create_at": 6,
      "meminfo": "legacy", "psi": true, "noise": "16M" }
  ],
  "actions": [
    { "at": 3, "domain": "web", "write": "memory/target",
      "value": "393216" },
    { "at": 4, "run": "xenstore-write /scenario/ran %{web}-%{db}" },
    { "at": 7, "domain": "db", "set": { "demand": "300M",
                                        "balloon": "stuck" } },
    { "at": 8, "domain": "db", "write": "memory/target",
      "value": "131072" },
    { "at": 9, "domain": "nodrv", "write": "memory/target",
      "value": "131072" },
    { "at": 12, "destroy": "db" },
    { "at": 20, "rm": "/scenario/ran" }
  ]
}
EOF

node_is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; }
node_gone() { ! xenstore-read "$1" >/dev/null 2>&1; }

mkfifo "$work/ready"
# The clock held from the start (--paused) and stepped to each action's
# time: the late domain lives from 5 s to 10 s, which at --speed 10 was
# half a second of real time for the test to see it in.
"$XENSIM" --socket "$work/xs.sock" --ready-fd 3 --scenario "$work/play.json" \
    --speed 10 --paused --record "$work/rec.csv" 3>"$work/ready" \
    2>"$work/log" &
pid=$!
read -r -t "$MP_WAIT_S" line <"$work/ready"
is "$line" ready "scenario host starts"
export XENSTORED_PATH=$work/xs.sock

is "$(xenstore-read /local/domain/1/name)" web "domain created at 0"
is "$(xenstore-read /libxl/1/memory-policy/actor)" xl-auto \
    "memory_policy written to the policy node"
is "$(xenstore-read /libxl/1/memory-policy/actor-params)" delay=2 \
    "memory_policy_args written to the policy node"
is "$(xenstore-read /libxl/2/type)" hvm "hvm domain"
is "$(xenstore-read /local/domain/2/memory/static-max)" 262144 "sizes with M"
is "$(xenstore-read /local/domain/2/memory/target)" $((262144 - 8192)) \
    "an HVM guest's memory/target: memory less libxl's cirrus video RAM"
is "$(xenstore-read /tool/xensim/speed)" 10 "speed published"
to() {   # to S: step the held clock to S seconds
    local now
    now=$(xensim_hv clock | sed -n 's/^ok ms=\([0-9]*\) .*/\1/p')
    xensim_hv clock step $(($1 * 1000 - now)) >/dev/null
}
to 2
ok '! node_is /local/domain/1/memory/target 393216' "no write at 2 s"
to 3
ok 'node_is /local/domain/1/memory/target 393216' "write action at 3 s"
to 4
# The command runs on its own: its write is waited for.
ok 'wait_until node_is /scenario/ran 1-2' \
    "run action at 4 s, with domids and XENSTORED_PATH"
ok 'node_gone /local/domain/3' "no late domain at 4 s"
to 5
ok 'node_is /local/domain/3/name late' "domain created at 5 s"
to 9
ok 'node_is /local/domain/3/name late' "still there at 9 s"
to 10
ok 'node_gone /local/domain/3' "domain destroyed at 10 s"
to 19
ok 'node_is /scenario/ran 1-2' "/scenario/ran still there at 19 s"
to 20
ok 'node_gone /scenario/ran' "rm action at 20 s"
t=$(xenstore-read /tool/xensim/time)
like "$t" '^[0-9]+$' "simulated time published ($t s)"
ok "xensim_hv clock resume" "the clock runs on to the scenario's end"

# The scenario's duration ends xensim by itself, cleanly.
wait "$pid"
is "$?" 0 "xensim exits 0 at the scenario's end"
ok '[ ! -e "$work/xs.sock" ] && [ ! -e "$work/xs.sock.hv" ]' \
    "sockets removed"
like "$(cat "$work/log")" "duration is over" "end logged"

# The recording.
rec=$work/rec.csv
hdr="time_s,domid,name,target_kb,tot_kb,max_kb,paged_kb,shared_kb,"
hdr+="demand_kb,shortfall_kb,host_free_kb,event"
is "$(head -1 "$rec")" "$hdr" "CSV header"
is "$(awk -F, '$3 == "web" { print $5; exit }' "$rec")" \
    524288 "web's first row: 512 MiB"
is "$(awk -F, '$3 == "web" { v = $5 } END { print v }' "$rec")" 393216 \
    "web's last row: ballooned to its target"
is "$(awk -F, '$3 == "web" { v = $9 } END { print v }' "$rec")" 409600 \
    "demand changed at 6 s"
is "$(awk -F, '$3 == "late" && $12 == "destroy" { print int($1) }' "$rec")" \
    10 "late's destruction recorded at 10 s"
is "$(awk -F, '$3 == "db" && $9 == 307200 { print int($1); exit }' "$rec")" \
    7 "set action: db's demand at 7 s"
is "$(awk -F, '$3 == "db" && $4 == 131072 { print $5; exit }' "$rec")" \
    "$(awk -F, '$3 == "db" && $1 < 8 { v = $5 } END { print v }' "$rec")" \
    "set action: db's balloon stuck at 8 s"
is "$(awk -F, '$3 == "db" && $12 == "destroy" { print int($1) }' "$rec")" \
    12 "destroy action at 12 s"
is "$(awk -F, '$3 == "nodrv" && $4 == 131072 { print int($1); exit }' \
    "$rec")" 9 "a target change without a balloon driver is recorded"
rows=$(awk -F, 'NR > 1 && NF != 12' "$rec" | wc -l)
is "$rows" 0 "every row has 12 fields"
is "$(awk -F, 'NR > 1 && $1 + 0 < p { bad = 1 } { p = $1 + 0 }
               END { print bad + 0 }' "$rec")" 0 "rows in time order"

# JSON lines, and --domains.
mkfifo "$work/ready2"
"$XENSIM" --socket "$work/xs2.sock" --ready-fd 3 --domains 50 --speed 10 \
    --record "$work/rec.jsonl" 3>"$work/ready2" 2>"$work/log2" &
pid=$!
read -r -t "$MP_WAIT_S" line <"$work/ready2"
is "$line" ready "--domains 50 starts"
export XENSTORED_PATH=$work/xs2.sock
is "$(xenstore-list /local/domain | wc -l)" 51 "50 guests and dom0"
is "$(xenstore-read /local/domain/50/name)" guest50 "named guestN"
is "$(xenstore-read /local/domain/50/memory/static-max)" 1048576 \
    "maxmem 1 GiB"
kill -TERM "$pid"
wait "$pid"
is "$?" 0 "exits 0 on SIGTERM"
ok 'python3 -c "
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) >= 50
assert all(\"tot_kb\" in r and \"host_free_kb\" in r for r in rows)
" "$work/rec.jsonl"' \
    "JSON lines record parses"

echo "1..$_tap_n"
[ "$_tap_failed" -eq 0 ]
