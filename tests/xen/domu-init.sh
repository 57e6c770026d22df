#!/bin/busybox sh
# shellcheck shell=dash
# domU /init for check-xen: a guest that reports its balloon driver.
#
# The Linux balloon driver tells nobody when it has moved memory, so this
# guest publishes the driver's own count (current_kb in sysfs) in its
# xenstore home, data/current_kb, whenever it changes.  dom0 waits on that
# node with a xenstore watch instead of guessing how long ballooning
# takes.  The first write also says "user space is up".  The short sleep
# here is the guest-side sampling of a value that has no change
# notification; dom0 never sleeps on it.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
cur=/sys/devices/system/xen_memory/xen_memory0/info/current_kb
prev=
while :; do
    kb=$(cat $cur)
    if [ "$kb" != "$prev" ]; then
        xenstore-write data/current_kb "$kb" && prev=$kb
        echo "DOMU current_kb=$kb"
    fi
    sleep 0.2
done
