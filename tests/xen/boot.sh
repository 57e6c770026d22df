#!/bin/bash
# Boot Xen + dom0 under QEMU (software emulation) with a time limit.
#
#   tests/xen/boot.sh XEN KERNEL INITRD LOG LIMIT_S
#
# The serial console (Xen's com1, which carries dom0's hvc0) is written
# to LOG with a timestamp per line, and the "XENTEST:" lines are echoed
# as they arrive so a run shows its progress.  QEMU is killed whatever
# happens: at the time limit (exit status 124), and when this script is
# interrupted or ends.  TCG only: the machines' /dev/kvm is a nested,
# paravirtual KVM on which Xen does not run, and Xen needs smap=0 under
# TCG (see docs/check-xen.md).
set -u

xen=${1:?usage: boot.sh XEN KERNEL INITRD LOG LIMIT_S}
kernel=${2:?}
initrd=${3:?}
log=${4:?}
limit=${5:?}
# 3 GiB: dom0 512 MiB and five guests (PV, PVH, PoD PVH, PoD HVM with its
# video RAM, a paused PV one) at once, with room for Xen's own.
mem=${MP_XEN_QEMU_MEM:-3072}
smp=${MP_XEN_SMP:-2}

case "$kernel$initrd" in
*,*) echo "boot.sh: paths must not contain commas" >&2; exit 2 ;;
esac

fifo=$(mktemp -u /tmp/check-xen-serial.XXXXXX)
mkfifo "$fifo" || exit 2
qpid=
cleanup() {
    # timeout(1) runs QEMU in its own process group: kill the group.
    [ -n "$qpid" ] && kill -KILL -- "-$qpid" 2>/dev/null
    rm -f "$fifo"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

xen_args="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M"
# No "noreboot": a Xen panic then resets the machine, and -no-reboot
# makes QEMU exit instead of waiting for the time limit.
xen_args+=" dom0_max_vcpus=1 dom0_vcpus_pin smap=0 loglvl=warning"
xen_args+=" ${MP_XEN_ARGS:-}"
# dom0's own deadline for its checks (dom0-tests.sh), a minute short of
# the boot's limit so that a hung check still gets reported.
dom0_args="console=hvc0 earlyprintk=xen quiet loglevel=3"
dom0_args+=" xentest.budget=$((limit > 120 ? limit - 60 : limit / 2))"
# dom0-tests.sh also boots the HVM guest (guest-hvm.cfg); MP_XEN_HVM=0
# leaves it out (a quicker run while debugging something else)
[ "${MP_XEN_HVM:-1}" = 1 ] && dom0_args+=" xentest.hvm=1"
# dom0-tests.sh runs the balance checks (tests/xen/balance.sh);
# MP_XEN_BALANCE=0 leaves them out (to debug something else quickly)
[ "${MP_XEN_BALANCE:-1}" = 0 ] && dom0_args+=" xentest.balance=0"

# dom0 has one vCPU pinned to physical CPU 0 and the guests run on CPU 1
# only (cpus="1" in tests/xen/guest-*.cfg): under QEMU 7.2's TCG, with a
# domU and dom0 sharing a physical CPU, dom0's user space sees its memory
# corrupted (busybox `seq | sort | awk` sums wrong, stock xl, bash and
# busybox segfault, "malloc(): ... corrupted"), with PV and PVH guests
# alike, ballooning or not, with one or two CPUs, with or without XPTI
# and multi-threaded TCG.  Without a domU, or with this pinning, it does
# not happen (stress loops of 30 balloon cycles; docs/check-xen.md).
cpu=${MP_XEN_CPU:-max,pcid=off,invpcid=off}

timeout -k 5 "$limit" qemu-system-x86_64 \
    -accel "tcg,thread=${MP_XEN_TCG_THREAD:-multi}" -cpu "$cpu" \
    -smp "$smp" -m "$mem" \
    -nographic -no-reboot -nodefaults -serial stdio \
    -kernel "$xen" -append "$xen_args" \
    -initrd "$kernel $dom0_args,$initrd" \
    </dev/null >"$fifo" 2>&1 &
qpid=$!

echo "$(date -u +%FT%TZ) qemu: $xen_args" >"$log"
start=${EPOCHREALTIME//[.,]/}
while IFS= read -r line; do
    line=${line//$'\r'/}
    cs=$(( (${EPOCHREALTIME//[.,]/} - start) / 10000 ))
    printf -v el '%4d.%02d' $((cs / 100)) $((cs % 100))
    printf '[%s] %s\n' "$el" "$line" >>"$log"
    case $line in
    *"XENTEST: json "*)   # base64 payload: checked later, not shown
        set -- ${line#*XENTEST: }
        printf '[%s] %s %s (%d bytes)\n' "$el" "$1" "$2" "${#4}" ;;
    *XENTEST:*) printf '[%s] %s\n' "$el" "${line#*XENTEST: }" ;;
    esac
done <"$fifo"
wait "$qpid"
rc=$?
qpid=
exit $rc
