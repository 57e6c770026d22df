#!/bin/bash
# Run the whole test suite against one or more build directories.
#
#   tests/run.sh BUILD [BUILD...]
#
# Runs every C test program BUILD/tests/test-* (cmocka, TAP output) and
# every shell test tests/**/*.t.sh (TAP, see tests/lib.sh) with
# MP_BUILD=BUILD, counts the TAP results and ends with the line
# "N passed, N failed".  A program that dies without reporting counts as
# one failure.  Logs of each program go to BUILD/test-logs/.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
per_test_timeout=${MP_TEST_TIMEOUT:-600}

passed=0
failed=0
failures=()

run_one() {
    local build=$1 name=$2 log=$3; shift 3
    local rc p f
    local abs=$build
    case $build in /*) ;; *) abs=$top/$build ;; esac
    MP_BUILD=$abs timeout -k 5 "$per_test_timeout" "$@" </dev/null >"$log" 2>&1
    rc=$?
    p=$(grep -cE '^ok [0-9]' "$log")
    f=$(grep -cE '^not ok [0-9]' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "not ok - $name exited with status $rc" >>"$log"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failures+=("$build:$name")
        printf '  FAIL %-40s %3d passed, %d failed (%s)\n' "$name" "$p" "$f" "$log"
        grep -E '^not ok|ERROR|runtime error|Sanitizer' "$log" | head -20 | sed 's/^/       /'
    else
        printf '  ok   %-40s %3d passed\n' "$name" "$p"
    fi
}

for build in "$@"; do
    [ -d "$build" ] || { echo "run.sh: no build directory $build" >&2; exit 2; }
    logs=$build/test-logs
    mkdir -p "$logs"
    echo "== tests on $build"
    for t in "$build"/tests/test-*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        run_one "$build" "$n" "$logs/$n.log" "$t"
    done
    while IFS= read -r t; do
        n=${t#tests/}
        run_one "$build" "$n" "$logs/${n//\//_}.log" bash "$t"
    done < <(find tests -name '*.t.sh' | sort)
done

if [ ${#failures[@]} -ne 0 ]; then
    echo "failing: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
