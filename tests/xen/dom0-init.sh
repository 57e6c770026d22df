#!/bin/busybox sh
# shellcheck shell=dash
# dom0 /init for check-xen: bring up the Xen toolstack, run the checks,
# power off.
#
# Runs as PID 1 of Debian's kernel in dom0 on Debian's Xen 4.17 under
# QEMU.  It does what the Debian init scripts would (the Xen driver
# modules, xenfs, xenstored, xen-init-dom0, xenconsoled), hands over to
# the test script, and always ends with a poweroff so that QEMU exits.
# Every result goes to the console as a "XENTEST:" line (see
# dom0-tests.sh); a setup failure is reported as a failed check.
/bin/busybox --install -s /bin
export PATH=/usr/lib/xen-4.17/bin:/usr/bin:/usr/sbin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /run/xenstored /run/lock /var/lib/xen
echo 0 >/proc/sys/kernel/printk 2>/dev/null

up() { cut -d' ' -f1 /proc/uptime; }
fatal() {
    echo "XENTEST: not ok - dom0 setup: $*"
    echo "XENTEST: end"
    sync
    poweroff -f
}

echo "XENTEST: info dom0 init at $(up)s"
for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
    insmod /lib/modules/$m.ko || fatal "insmod $m"
done
mount -t xenfs xenfs /proc/xen || fatal "mount xenfs"
xenstored --pid-file /run/xenstored.pid || fatal "xenstored"
xen-init-dom0 >/tmp/xen-init-dom0.log 2>&1 || fatal "xen-init-dom0"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
    --log-dir=/var/log/xen/console || fatal "xenconsoled"
echo "XENTEST: info toolstack up at $(up)s"

bash /xentest/dom0-tests.sh
echo "XENTEST: info dom0 tests ended (status $?) at $(up)s"
sync
poweroff -f
