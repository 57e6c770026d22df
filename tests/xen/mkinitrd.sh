#!/bin/bash
# Build the dom0 initramfs (and the domU one inside it) for check-xen.
#
#   tests/xen/mkinitrd.sh ROOT BINDIR OUT
#
# ROOT is the unpacked Debian packages (tests/xen/fetch.sh), BINDIR the
# product's $(O)/bin.  Writes OUT/dom0.cpio.gz.
#
# dom0 gets busybox (the shell and coreutils), bash (the test script uses
# arrays and $EPOCHREALTIME), the Xen tools from ROOT, the product's
# binaries, the HVM device model with its ROMs and hvmloader, check-xen's
# probe, and every shared library ldd lists for all of them: the host's
# libxen* are the same version as ROOT's tools (fetch.sh pins it), so the
# product runs against exactly the libraries it was linked with.  The domU
# image is busybox plus xenstore-write, so the guest can publish its
# balloon driver's state where dom0 can watch it.
set -euo pipefail

root=${1:?usage: mkinitrd.sh ROOT BINDIR OUT}
bindir=${2:?usage: mkinitrd.sh ROOT BINDIR OUT}
out=${3:?usage: mkinitrd.sh ROOT BINDIR OUT}
here=$(cd "$(dirname "$0")" && pwd)
kver=$(ls "$root/lib/modules" | head -1)
xb=$root/usr/lib/xen-4.17/bin

die() { echo "mkinitrd.sh: $*" >&2; exit 1; }
[ -f "$root/boot/vmlinuz-$kver" ] || die "no kernel in $root"
[ -d "$bindir" ] || die "no build directory $bindir"

rm -rf "$out/dom0" "$out/domu"
mkdir -p "$out"

# Copy every shared library the given executables need into image $1,
# at the same path (the dynamic loader's own path included).
copy_libs() {
    local img=$1 l miss; shift
    # a library this machine lacks would only show as a failed exec in
    # dom0: refuse here instead
    miss=$(for f in "$@"; do ldd "$f" 2>/dev/null || true; done |
           awk '/not found/ {print $1}' | sort -u | tr '\n' ' ')
    [ -z "$miss" ] || die "libraries not on this machine: $miss"
    for f in "$@"; do ldd "$f" 2>/dev/null || true; done |
        awk '/=> \//{print $3} /^\t\/lib64\//{print $1}' | sort -u |
        while read -r l; do
            mkdir -p "$img$(dirname "$l")"
            cp -L "$l" "$img$l"
        done
    # glibc dlopens libgcc_s for pthread_cancel (xl uses it)
    mkdir -p "$img/lib/x86_64-linux-gnu"
    cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$img/lib/x86_64-linux-gnu/"
}

cpio_gz() {
    (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1)
}

# ---- domU -------------------------------------------------------------
# busybox, the xenstore tools the init uses, and for the balance guests
# (tests/xen/balance.sh) the product's guest agent and the workload
# xen-hog (tests/xen/xen-hog.c).
d=$out/domu
mkdir -p "$d"/{bin,usr/bin,proc,sys,dev,tmp}
cp /bin/busybox "$d/bin/busybox"
for c in xenstore-write xenstore-read xenstore-watch; do
    cp -L "$root/usr/bin/$c" "$d/usr/bin/$c"
done
agent=$bindir/mempolicy-guest-agent
hog=$bindir/../tests/xen/xen-hog
[ -x "$agent" ] || die "no $agent (run make)"
[ -x "$hog" ] || die "no $hog (run make)"
cp "$agent" "$hog" "$d/usr/bin/"
copy_libs "$d" "$d"/usr/bin/*
install -m 755 "$here/domu-init.sh" "$d/init"
cpio_gz "$d" >"$out/domu.cpio.gz"

# ---- dom0 -------------------------------------------------------------
r=$out/dom0
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,usr/lib/xen-4.17/bin,lib/modules} \
         "$r"/{proc,sys,dev,run,tmp,root,etc/xen,var/lib/xen,xentest} \
         "$r"/{var/lib/xenstored,var/log/xen/console,domu}
ln -s ../run "$r/var/run"
cp /bin/busybox "$r/bin/busybox"
cp -L /bin/bash "$r/bin/bash"
for b in xl xenstored xenconsoled xen-init-dom0 libxl-save-helper \
         xenstore-control xenpaging xen-memshare; do
    cp "$xb/$b" "$r/usr/lib/xen-4.17/bin/"
done
for c in xenstore xenstore-read xenstore-write xenstore-ls xenstore-list \
         xenstore-exists xenstore-rm xenstore-watch xenstore-chmod; do
    cp -L "$root/usr/bin/$c" "$r/usr/bin/"
done
# HVM guests: libxl runs the device model at /usr/libexec/
# xen-qemu-system-i386 (Debian's qemu-system-xen), which must be the real
# file there, not a link: QEMU finds its ROMs relative to its own path
# (<dir>/../share/qemu and ../share/seabios, from qemu-system-data and
# seabios).  hvmloader is the guest's firmware.  About 30 MiB in all.
# Left out with MP_XEN_HVM=0 (see tests/xen/check-xen.sh).
dm=
if [ "${MP_XEN_HVM:-1}" = 1 ]; then
    mkdir -p "$r/usr/libexec" "$r/usr/share" "$r/usr/lib/xen-4.17/boot"
    cp "$root/usr/libexec/xen-qemu-system-i386" "$r/usr/libexec/"
    cp -a "$root/usr/share/qemu" "$root/usr/share/seabios" "$r/usr/share/"
    cp "$root/usr/lib/xen-4.17/boot/hvmloader" "$r/usr/lib/xen-4.17/boot/"
    dm=$r/usr/libexec/xen-qemu-system-i386
fi
# The parity probe (tests/xen/xen-podinfo.c), built beside BINDIR.
probe=$bindir/../tests/xen/xen-podinfo
[ -x "$probe" ] || die "no $probe (run make)"
cp "$probe" "$r/usr/bin/"
# The product: everything built into BINDIR but the simulator.
prod=()
for b in "$bindir"/*; do
    [ -x "$b" ] && [ -f "$b" ] || continue
    case ${b##*/} in xensim*) continue ;; esac
    cp "$b" "$r/usr/bin/"
    prod+=("${b##*/}")
done
printf '%s\n' "${prod[@]}" >"$r/xentest/product-bins"
copy_libs "$r" "$r/bin/bash" "$r"/usr/lib/xen-4.17/bin/* "$r"/usr/bin/* $dm

for m in drivers/xen/xen-privcmd drivers/xen/xenfs/xenfs \
         drivers/xen/xen-evtchn drivers/xen/xen-gntdev \
         drivers/xen/xen-gntalloc; do
    cp "$root/lib/modules/$kver/kernel/$m.ko" "$r/lib/modules/"
done

cp "$root/boot/vmlinuz-$kver" "$r/domu/vmlinuz"
cp "$out/domu.cpio.gz" "$r/domu/initrd.gz"
cp "$here"/guest-*.cfg "$here/xl.conf" "$r/etc/xen/"
install -m 755 "$here/dom0-init.sh" "$r/init"
# MP_XEN_TESTS: another dom0 test script (to debug one check quickly)
install -m 755 "${MP_XEN_TESTS:-$here/dom0-tests.sh}" \
    "$r/xentest/dom0-tests.sh"
install -m 644 "$here/parity.sh" "$here/beside-xl.sh" "$here/balance.sh" \
    "$r/xentest/"
cpio_gz "$r" >"$out/dom0.cpio.gz"
