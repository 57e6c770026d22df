#!/bin/bash
# tests/demo/verdict.t.sh: demo/verdict.awk tells each outcome apart.
#
# The demo run (demo.t.sh) only produces "reached" and "stuck"; the other
# reasons a domain can miss its target are checked here on small
# hand-made series, each the shape the recording has in that case
# (t balloon-target actual paged shared demand shortfall, MiB).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d /tmp/verdict-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# judge ACTOR TARGET FREE STATE < series: prints the verdict's status and
# text; STATE is the library's target_state at the end (below, reached,
# above, or "" without a target).
judge() {
    cat >"$tmp/dom.dat"
    echo "0 $3" >"$tmp/host.dat"
    awk -v name=d -v actor="$1" -v target="$2" -v state="$4" -v tol=4 \
        -f "$MP_TOP/demo/verdict.awk" "$tmp/dom.dat" "$tmp/host.dat" |
        cut -f2-
}

v=$(judge xl-auto 512 2000 "reached" <<'EOF'
0 1024 1024 0 0 300 0
5 512 1024 0 0 300 0
7 512 512 0 0 300 0
20 512 512 0 0 300 0
EOF
)
like "$v" "^reached	reached its target 512 MiB" "ballooned to its target"

v=$(judge xl-auto 512 2000 "above" <<'EOF'
0 1024 1024 0 0 300 0
5 512 1024 0 0 300 0
20 512 1024 0 0 300 0
EOF
)
like "$v" "^stuck	.*stuck balloon driver .*1024 MiB for 15s" \
    "no move after the balloon target changed: stuck"

v=$(judge xl-auto 512 2000 "above" <<'EOF'
0 1024 1024 0 0 300 0
5 512 1024 0 0 300 0
18 512 920 0 0 300 0
19 512 912 0 0 300 0
20 512 904 0 0 300 0
EOF
)
like "$v" "^slow	.*still moving, 392 MiB to go" "still moving: slow"

v=$(judge xl-auto 1024 0 "below" <<'EOF'
0 512 512 0 0 300 0
5 1024 512 0 0 300 0
8 1024 700 0 0 300 0
20 1024 700 0 0 300 0
EOF
)
like "$v" "^host-full	below its target 1024 MiB: the host has no free" \
    "growing, stopped, host full"

v=$(judge xl-auto 256 2000 "above" <<'EOF'
0 1024 1024 0 0 300 0
5 512 1024 0 0 300 0
8 512 512 0 0 300 0
20 512 512 0 0 300 0
EOF
)
like "$v" "^floor	stopped at its balloon target 512 MiB, above its target" \
    "held above the target by the actor: floor"

v=$(judge xl-manual 512 2000 "above" <<'EOF'
0 1024 1024 0 0 300 0
20 1024 1024 0 0 300 0
EOF
)
like "$v" "^idle-actor	.*balloon target is still 1024 MiB .is xl-manual" \
    "balloon target never followed the policy: the actor is not acting"

v=$(judge - "" 2000 "" <<'EOF'
0 1024 1024 0 0 300 0
EOF
)
like "$v" "^no-actor	no policy" "no policy at all"

v=$(judge sharing 1024 2000 "below" <<'EOF'
0 1536 1536 0 0 600 0
10 1100 1100 0 0 600 0
20 1100 700 0 400 600 0
EOF
)
like "$v" "^reached	.*below it by sharing .*400 MiB shared" \
    "below the target by shared pages counts as reached"

v=$(judge xl-auto 1024 2000 "reached" <<'EOF'
0 1024 1024 0 0 900 0
20 1024 1024 0 0 1200 200
EOF
)
like "$v" "^reached	.*the guest swaps: demand 1200 MiB is 200 MiB above" \
    "a swapping guest is noted"

# An HVM guest with 16 MiB of video RAM, ballooned: tot_pages is 16 MiB
# under the target, and the library says it reached it.
v=$(judge xl-auto 512 2000 "reached" <<'EOF'
0 496 1008 0 0 300 0
5 496 496 0 0 300 0
20 496 496 0 0 300 0
EOF
)
like "$v" "^reached	reached its target 512 MiB" \
    "the library's verdict, not tot_pages = target (video RAM)"

done_testing
