#!/bin/busybox sh
# shellcheck shell=dash
# domU /init for check-xen: a guest that reports its balloon driver.
#
# The Linux balloon driver tells nobody when it has moved memory, so this
# guest publishes the driver's own counts in its xenstore home whenever
# they change: data/target_kb (the driver's target: memory/target less
# what the guest never sees as RAM, a constant the driver fixes at its
# first look, drivers/xen/xen-balloon.c) and then data/current_kb (what it
# holds now).  dom0 waits on those nodes with xenstore watches instead of
# guessing how long ballooning takes; the driver got there when the two
# are equal.  The first write also says "user space is up".  The short
# timed read here is the guest-side sampling of values that have no
# change notification; dom0 never sleeps on them.  The loop starts no
# process unless a value changed (builtin reads, and a read with a time
# limit on a FIFO nobody writes as the pause): under QEMU's TCG a fork
# costs a guest milliseconds of CPU, and four guests share one CPU.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmpfs /tmp
mkfifo /tmp/tick
exec 3<>/tmp/tick

# check-xen's balance guests (mp.agent=1 on the kernel command line, see
# tests/xen/balance.sh): the product's guest agent reports used memory
# (memory/meminfo) and PSI (memory/pressure) as a Qubes guest's
# meminfo-writer does, and a workload dom0 drives through the store:
# data/hog is the MiB xen-hog should hold (0 or absent: none).  The
# watch is the event; nothing here looks at the store on a timer.
hog_ctl() {
    hp=
    cur=0
    xenstore-watch data/hog | while read -r _; do
        v=$(xenstore-read data/hog 2>/dev/null) || v=0
        case $v in '' | *[!0-9]*) v=0 ;; esac
        [ "$v" = "$cur" ] && continue
        if [ -n "$hp" ]; then
            kill "$hp"
            wait "$hp"
        fi
        hp=
        cur=$v
        if [ "$v" -gt 0 ]; then
            xen-hog "$v" &
            hp=$!
        fi
        echo "DOMU hog $v MiB"
    done
}
case " $(cat /proc/cmdline) " in
*" mp.agent=1 "*)
    mempolicy-guest-agent &
    hog_ctl &
    ;;
esac
b=/sys/devices/system/xen_memory/xen_memory0
prevt=
prev=
while :; do
    read -r t <$b/target_kb
    read -r kb <$b/info/current_kb
    if [ "$t" != "$prevt" ]; then
        xenstore-write data/target_kb "$t" && prevt=$t
    fi
    if [ "$kb" != "$prev" ]; then
        xenstore-write data/current_kb "$kb" && prev=$kb
        echo "DOMU current_kb=$kb target_kb=$t"
    fi
    read -r -t 0.3 -u 3 _
done
