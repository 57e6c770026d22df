# tests/xlmem/common.sh: what the xlmem shell tests share, on top of
# tests/lib.sh (TAP and a private xensim).
#
#   . "$(dirname "$0")/common.sh"
#   start_sim --domains 2
#   run_xlmem mem-set guest1 256      # sets $out $err $rc
#   rejects 'REGEX' "desc" mem-set guest1 12x
#
# rejects is the bad-input contract of issue 5 in one check: non-zero
# exit, exactly one line on stderr matching REGEX, nothing on stdout, and
# the store (xenstore-ls -f of everything) byte-for-byte as before.
# finish ends the test (plan, xensim stopped and checked, files removed).

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

XLMEM=${XLMEM:-$MP_BUILD/bin/xlmem}
MEMPOLICYD=${MEMPOLICYD:-$MP_BUILD/bin/mempolicyd}
# No host default leaks in: every test names its xl.conf.
export MEMPOLICY_XL_CONF=/dev/null
T=$(mktemp -d /tmp/xlmem-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

# start_sim XENSIM-OPTIONS...: xensim_start, keeping our cleanup too.
start_sim() {
    xensim_start "$@"
    trap 'rm -rf "$T"; _xensim_cleanup' EXIT
}

# finish: the plan, xensim stopped, the temporary files gone.
finish() {
    local r=0
    done_testing || r=$?
    rm -rf "$T"
    exit $r
}

# run_xlmem ARGS...: run xlmem; $out, $err, $rc.
run_xlmem() {
    out=$("$XLMEM" "$@" 2>"$T/stderr")
    rc=$?
    err=$(cat "$T/stderr")
}

store_dump() { xenstore-ls -f / 2>&1; }

# rejects REGEX DESC [VAR=VALUE...] ARGS...: the bad-input contract.
rejects() {
    local re=$1 desc=$2; shift 2
    local before after nl why=
    before=$(store_dump)
    out=$(env "$@" 2>"$T/stderr")
    rc=$?
    err=$(cat "$T/stderr")
    after=$(store_dump)
    nl=$(printf '%s\n' "$err" | wc -l)
    [ "$rc" -ne 0 ] || why="exit status 0"
    [ -n "$err" ] && [ "$nl" -eq 1 ] || why="$why; stderr is $nl lines"
    [[ $err =~ $re ]] || why="$why; stderr does not match /$re/"
    [ -z "$out" ] || why="$why; stdout not empty"
    [ "$before" == "$after" ] || why="$why; store changed"
    if [ -z "$why" ]; then
        _tap_result 0 "$desc"
    else
        _tap_result 1 "$desc"
        diag "$why"
        diag "rc=$rc stderr: $err"
        [ "$before" == "$after" ] ||
            diff <(echo "$before") <(echo "$after") | head -5 |
            sed 's/^/#   /'
    fi
}

# xrejects REGEX DESC ARGS...: rejects for an xlmem command line.
xrejects() {
    local re=$1 desc=$2; shift 2
    rejects "$re" "$desc" "$XLMEM" "$@"
}

# rd PATH: a node's value, or <absent>.
rd() { xenstore-read "$1" 2>/dev/null || echo "<absent>"; }

# hv VERB ARGS...: one request on the simulated host's channel, as a
# toolstack that knows nothing of policies would send it (tests/lib.sh).
hv() { xensim_hv "$@"; }

# expect_line FD REGEX DESC: read lines from FD until one matches (MP_WAIT_S).
expect_line() {
    local fd=$1 re=$2 desc=$3 line seen=
    while read -r -t "$MP_WAIT_S" line <&"$fd"; do
        if [[ $line =~ $re ]]; then
            _tap_result 0 "$desc"
            matched=$line
            return 0
        fi
        seen="$seen | $line"
    done
    _tap_result 1 "$desc"
    diag "no line matching /$re/; saw: $seen"
    matched=
    return 1
}
