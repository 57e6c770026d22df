#!/bin/sh
# Install the Debian packages a step needs, when they are missing.
#   tools/install-deps.sh build   compilers' libraries and test tools
#   tools/install-deps.sh demo    what `make demo` adds (gnuplot)
#   tools/install-deps.sh xen     what `make check-xen` adds (qemu, ...)
#   tools/install-deps.sh fuzz    what `make fuzz` adds (clang, libFuzzer)
#   tools/install-deps.sh load    what tests/run-loaded.sh adds (stress-ng)
#   tools/install-deps.sh deb     what `make deb`/`make check-deb` add
#                                 (debhelper, lintian, systemd-analyze)
set -eu

case "${1:-build}" in
build)
    pkgs="gcc make pkg-config libxen-dev libyajl-dev xenstore-utils
          libcmocka-dev python3 libsystemd-dev libncurses-dev tmux
          libmicrohttpd-dev prometheus curl"
    ;;
demo)
    pkgs="gnuplot-nox file"
    ;;
xen)
    # QEMU and busybox run on this machine; Xen itself, its tools and the
    # kernel are only downloaded and unpacked (tests/xen/fetch.sh).
    pkgs="qemu-system-x86 busybox-static cpio gzip python3"
    ;;
fuzz)
    # clang, and compiler-rt for -fsanitize=fuzzer (libFuzzer itself).
    pkgs="clang libclang-rt-dev"
    ;;
load)
    pkgs="stress-ng"
    ;;
deb)
    pkgs="debhelper devscripts lintian fakeroot dpkg-dev systemd"
    ;;
*)
    echo "install-deps.sh: unknown step '$1'" >&2
    exit 2
    ;;
esac

missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: missing Debian packages:$missing" \
         "(run as root, or install them)" >&2
    exit 1
fi
echo "install-deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
