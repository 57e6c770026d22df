#!/bin/bash
# make check-xen: prove the product on real Xen 4.17, booted under QEMU.
#
#   tests/xen/check-xen.sh [BUILD]        (BUILD defaults to build/)
#
# 1. installs what it needs (tools/install-deps.sh xen: QEMU, busybox);
# 2. fetches Debian's Xen hypervisor, Xen tools and kernel with apt-get
#    download into .cache/xen (ignored by git, kept between runs) and
#    unpacks them there: nothing is installed on this machine;
# 3. builds a dom0 initramfs with the Xen tools and BUILD/bin's programs;
# 4. boots Xen + dom0 in QEMU once, with a time limit (MP_XEN_TIMEOUT,
#    default 3600 s); dom0 runs tests/xen/dom0-tests.sh against the real
#    toolstack and prints each result on the serial console;
# 5. reports each check here, checks the JSON dom0 sent back with
#    json-check.py, writes the parity table dom0 measured
#    (tests/xen/parity.sh) to BUILD/check-xen/parity.md and prints it,
#    and ends with "N passed, N failed".
# Exits non-zero on any failure, and when the boot did not finish.
#
# The run includes an HVM guest (tests/xen/guest-hvm.cfg: stdvga, PoD)
# with Debian's device model in dom0, for the HVM rows of the parity
# table; MP_XEN_HVM=0 leaves it out.  Its boot is the slowest part: its
# firmware reads the kernel through the device model (QEMU's fw_cfg, 4 KiB
# per round trip to dom0), which under TCG costs minutes on a loaded
# machine; dom0 waits for it on its own xenstore report, with a bound of
# its own (docs/real-xen.md, "HVM").
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/xen
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
limit=${MP_XEN_TIMEOUT:-3600}
cache=${MP_XEN_CACHE:-$top/.cache/xen}
work=$build/check-xen

t0=$SECONDS
"$top/tools/install-deps.sh" xen || exit 2
kver=$("$here/fetch.sh" "$cache") || exit 2
[ -d "$build/bin" ] ||
    { echo "check-xen: no $build/bin (run make)" >&2; exit 2; }
mkdir -p "$work"
"$here/mkinitrd.sh" "$cache/root" "$build/bin" "$work" || exit 2
echo "check-xen: booting Xen 4.17 + Linux $kver under QEMU (TCG)," \
     "limit ${limit}s, log $work/boot.log"

# boot.sh kills QEMU when it ends or is signalled; pass our own TERM, INT
# or HUP on to it, so that QEMU dies with us whoever stops the run.
"$here/boot.sh" "$cache/root/boot/xen" "$cache/root/boot/vmlinuz-$kver" \
    "$work/dom0.cpio.gz" "$work/boot.log" "$limit" &
bpid=$!
trap 'kill -TERM $bpid 2>/dev/null; wait $bpid; exit 130' INT TERM HUP
wait $bpid
brc=$?
trap - INT TERM HUP

passed=0
failed=0
n=0
parity=()
report() { # ok|not ok, description
    n=$((n + 1))
    if [ "$1" = ok ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    echo "$1 $n - $2"
}

echo "== results"
ended=0
rm -rf "$work/json"
mkdir -p "$work/json"
while IFS= read -r line; do
    line=${line//$'\r'/}
    line=${line#*XENTEST: }
    case $line in
    "ok - "*) report ok "${line#ok - }" ;;
    "not ok - "*) report "not ok" "${line#not ok - }" ;;
    "# "*) echo "    $line" ;;
    "info "*) echo "# ${line#info }" ;;
    "json "*)
        # json NAME EXPECT BASE64: checked here, where python is.
        set -- ${line#json }
        if printf '%s' "$3" | base64 -d >"$work/json/$1" 2>/dev/null &&
           msg=$(python3 "$here/json-check.py" "$work/json/$1" "$2" 2>&1); then
            report ok "$1 output is valid JSON with $2 ($msg)"
        else
            report "not ok" "$1 output is valid JSON with $2"
            echo "    # ${msg:-undecodable}"
        fi
        ;;
    "parity "*) parity+=("${line#parity }") ;;
    end) ended=1 ;;
    esac
done < <(grep -a 'XENTEST: ' "$work/boot.log")

# The parity table (tests/xen/parity.sh), as markdown for docs/real-xen.md
if [ ${#parity[@]} -ne 0 ]; then
    {
        echo "| guest | N (MiB) | path | memory/target | /vm/<uuid>/memory" \
             "| maxmem | PoD call | tot_pages | PoD cache / entries |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for row in "${parity[@]}"; do
            # GUEST KIND... N PATH key=value...
            set -- $row
            g=$1
            shift
            kind=
            while [ $# -gt 2 ] && ! [[ $1 =~ ^[0-9]+$ ]]; do
                kind+="${kind:+ }$1"
                shift
            done
            size=$1 p=$2
            shift 2
            declare -A f=()
            for w; do f[${w%%=*}]=${w#*=}; done
            case $p in
            xl) p="xl mem-set" ;;
            xlmem) p="xlmem, no actor" ;;
            xl-auto) p="xlmem + xl-auto" ;;
            esac
            echo "| $g ($kind) | $size | $p | ${f[target_kb]:--} |" \
                 "${f[vm_memory_mb]:--} | ${f[max_kb]:--} | ${f[pod]:--} |" \
                 "${f[tot_kb]:--} | ${f[pod_cache_kb]:--} /" \
                 "${f[pod_entries_kb]:--} |"
            unset f
        done
    } >"$work/parity.md"
    echo "== parity table (KiB unless said; $work/parity.md)"
    cat "$work/parity.md"
fi

if [ "$brc" -eq 124 ] || [ "$brc" -eq 137 ]; then
    report "not ok" "boot finished within ${limit}s (QEMU killed)"
elif [ "$ended" -ne 1 ]; then
    report "not ok" "dom0 test script ran to its end (QEMU status $brc)"
fi
echo "check-xen: $((SECONDS - t0))s in all; serial log $work/boot.log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
