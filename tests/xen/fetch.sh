#!/bin/bash
# Fetch and unpack the Debian packages that boot real Xen under QEMU.
#
#   tests/xen/fetch.sh CACHE
#
# Downloads (apt-get download, never installed) Debian's Xen 4.17
# hypervisor, the Xen tools, xenstore-utils, the Linux image that
# linux-image-amd64 currently points to, and what an HVM guest needs in
# dom0 (the device model qemu-system-xen with its ROMs from seabios and
# qemu-system-data; hvmloader comes with xen-utils-4.17), into
# CACHE/debs, and unpacks them with dpkg-deb -x into CACHE/root.  The Xen packages are pinned to the
# version of the host's libxenctrl, so the tools in the guest image and the
# product (linked against the host's libraries) speak the same ABI.  A
# second run with the same package set does nothing: CACHE/root/.stamp
# lists the .deb files it was unpacked from.  Prints the kernel version.
set -euo pipefail

cache=${1:?usage: fetch.sh CACHE}
mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)

die() { echo "fetch.sh: $*" >&2; exit 1; }

xenver=$(dpkg-query -W -f='${Version}' libxenmisc4.17 2>/dev/null) ||
    die "libxenmisc4.17 is not installed (tools/install-deps.sh build)"

# The kernel package linux-image-amd64 depends on, e.g.
# linux-image-6.1.0-56-amd64.  Resolved from the apt lists; if they are
# missing (fresh container), refresh them once.
kpkg_of() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' |
        head -1
}
kpkg=$(kpkg_of)
if [ -z "$kpkg" ] || ! apt-cache show "xen-utils-4.17=$xenver" \
        >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    kpkg=$(kpkg_of)
fi
[ -n "$kpkg" ] || die "cannot resolve the kernel package of linux-image-amd64"

want="xen-hypervisor-4.17-amd64=$xenver xen-utils-4.17=$xenver
      xen-utils-common=$xenver xenstore-utils=$xenver $kpkg
      qemu-system-xen seabios qemu-system-data"

debs=()
missing=()
for spec in $want; do
    name=${spec%%=*}
    # apt-get download names files <name>_<version with : escaped>_amd64
    ver=${spec#*=}
    [ "$ver" = "$spec" ] && ver=$(apt-cache policy "$name" |
                                  sed -n 's/^ *Candidate: //p')
    f=$(ls "$cache/debs/${name}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1) ||
        true
    if [ -z "$f" ]; then
        missing+=("$spec")
    else
        debs+=("$f")
    fi
done
if [ ${#missing[@]} -ne 0 ]; then
    echo "fetch.sh: downloading ${missing[*]}" >&2
    (cd "$cache/debs" &&
     apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" \
         >/dev/null) ||
        die "apt-get download ${missing[*]} failed"
    exec "$0" "$cache"
fi

# Packages of earlier versions are of no further use.
for f in "$cache"/debs/*.deb; do
    case " ${debs[*]} " in *" $f "*) ;; *) rm -f "$f" ;; esac
done

stamp=$(printf '%s\n' "${debs[@]##*/}" | sort)
if [ ! -f "$cache/root/.stamp" ] ||
   [ "$(cat "$cache/root/.stamp")" != "$stamp" ]; then
    rm -rf "$cache/root" "$cache/root.tmp"
    mkdir -p "$cache/root.tmp"
    for f in "${debs[@]}"; do
        dpkg-deb -x "$f" "$cache/root.tmp"
    done
    zcat "$cache/root.tmp/boot/xen-4.17-amd64.gz" >"$cache/root.tmp/boot/xen"
    printf '%s\n' "$stamp" >"$cache/root.tmp/.stamp"
    mv "$cache/root.tmp" "$cache/root"
fi
ls "$cache/root/lib/modules" | head -1
