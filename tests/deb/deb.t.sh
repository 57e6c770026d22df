#!/bin/bash
# tests/deb/deb.t.sh DEBDIR: install the Debian packages `make deb` built
# (DEBDIR, default $MP_DEB_DIR), check what an administrator gets, then
# purge them, leaving the machine as it was.  Run by `make check-deb`
# (docs/packaging.md).
#
# Checks: dpkg -i with the dependencies already present (nothing is
# fetched); the layout from dpkg -L (daemons in /usr/sbin under
# mempolicy-* names, no bare actor name on PATH, multiarch library and
# pkg-config file, man pages for every program); systemd-analyze verify on
# every installed unit, whose ExecStart= and Documentation= must exist; a
# program compiled against the installed -dev package; each installed
# program's --version; dpkg --purge removes every file.
#
# Skipped (TAP "ok # skip") when not root, when dpkg is missing, or when
# no packages were given (tests/run.sh, i.e. `make check`, does not build
# them: too slow).
. "$(dirname "$0")/../lib.sh"

debdir=${1:-${MP_DEB_DIR:-}}
pkgs="libmempolicy0 libmempolicy-dev mempolicy-utils mempolicy-guest-agent"

skip_all() {
    echo "ok 1 # skip $1"
    echo "1..1"
    echo "1 passed, 0 failed"
    exit 0
}
[ -n "$debdir" ] || skip_all "no packages given (make check-deb builds them)"
[ "$(id -u)" = 0 ] || skip_all "not root: cannot install packages"
command -v dpkg >/dev/null || skip_all "dpkg missing"

finish() {
    echo "1..$_tap_n"
    echo "$((_tap_n - _tap_failed)) passed, $_tap_failed failed"
    [ "$_tap_failed" -eq 0 ]
    exit
}

installed() {   # PKG: installed (not only configured-files left)?
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

# The machine must not hold them already: purging at the end would then
# not leave it as it was.
before=
for p in $pkgs; do installed "$p" && before="$before $p"; done
is "$before" "" "none of $pkgs installed before the test"
[ -z "$before" ] && [ -d "$debdir" ] || finish

debs=()
for p in $pkgs; do
    f=$(ls "$debdir"/"${p}"_*.deb 2>/dev/null | head -1)
    ok "[ -f '$f' ]" "$p's .deb built in $debdir"
    debs+=("$f")
done
[ "$_tap_failed" -eq 0 ] || finish

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
     gcc -print-multiarch)
ver=$(dpkg-deb -f "${debs[0]}" Version)

ok "dpkg -i ${debs[*]}" "dpkg -i installs the packages (no download)"
for p in $pkgs; do
    ok "installed $p" "$p installed"
done
trap 'dpkg --purge $pkgs >/dev/null 2>&1' EXIT

list=$(dpkg -L $pkgs)
has() { grep -qx "$1" <<<"$list"; }

# ---- layout ---------------------------------------------------------------
ok "has /usr/bin/xlmem" "xlmem in /usr/bin"
ok "has /usr/share/man/man1/xlmem.1.gz" "xlmem(1)"
daemons="mempolicyd mempolicy-exporter mempolicy-xl-auto mempolicy-xl-manual
         mempolicy-sharing mempolicy-balance"
for d in $daemons mempolicy-guest-agent; do
    ok "has /usr/sbin/$d" "$d in /usr/sbin"
    ok "has /usr/share/man/man8/$d.8.gz" "$d(8)"
done
bare=$(grep -E '/(s?bin)/(sharing|balance|xl-auto|xl-manual|example)$' \
           <<<"$list")
is "$bare" "" "no bare actor name in a bin directory"
ok "has /usr/lib/$ma/libmempolicy.so.0" "library in the multiarch libdir"
ok "has /usr/lib/$ma/pkgconfig/mempolicy.pc" "pkg-config file, multiarch"
ok "has /usr/include/libmempolicy.h && has /usr/include/libmempolicy_actor.h" \
   "headers in /usr/include"
ok "has /usr/share/bash-completion/completions/xlmem" "bash completion"
ok "has /usr/share/doc/mempolicy-utils/README.md &&
    has /usr/share/doc/mempolicy-utils/xlmem.md" "documentation installed"
is "$(grep -c '^/lib/systemd/system/mempolicy.*\.service$' <<<"$list")" 7 \
   "seven units in /lib/systemd/system"
is "$(dpkg -L mempolicy-guest-agent | grep -c '^/usr/sbin/')" 1 \
   "the guest package holds the agent only (no host daemon in a guest)"
is "$(grep -c /usr/local <<<"$list")" 0 "nothing under /usr/local"

# ---- pkg-config and the -dev package --------------------------------------
is "$(pkg-config --variable=libdir mempolicy)" "/usr/lib/$ma" \
   "mempolicy.pc: libdir is the multiarch one"
T=$(mktemp -d)
cat >"$T/v.c" <<'C'
#include <stdio.h>
#include <libmempolicy.h>
int main(void) { puts(mempolicy_version()); return 0; }
C
ok "gcc -o '$T/v' '$T/v.c' \$(pkg-config --cflags --libs mempolicy)" \
   "a program builds against the installed headers and library"
ok "ldd '$T/v' | grep -q 'libmempolicy.so.0 => .*/lib/$ma/libmempolicy.so.0'" \
   "it links the installed shared library"
is "$("$T/v" 2>&1)" "$ver" "mempolicy_version() of the installed library"
rm -rf "$T"

# ---- units ----------------------------------------------------------------
for u in /lib/systemd/system/mempolicy*.service; do
    n=$(basename "$u")
    ok "systemd-analyze verify '$u'" "systemd-analyze verify $n"
    exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u")
    ok "[ -x '$exe' ] && has '$exe'" "$n: ExecStart= $exe is installed"
    for doc in $(sed -n 's/^Documentation=//p' "$u"); do
        case $doc in
        man:*) page=${doc#man:}
               f="/usr/share/man/man${page##*(}"; f=${f%)}
               f="${f}/${page%(*}.${page##*(}"; f="${f%)}.gz"
               ok "has '$f'" "$n: Documentation= $doc installed" ;;
        file://*) ok "has '${doc#file://}'" \
                     "$n: Documentation= $doc installed" ;;
        *) _tap_result 1 "$n: Documentation= $doc: unknown scheme" ;;
        esac
    done
done

# ---- programs --------------------------------------------------------------
like "$(/usr/bin/xlmem --version 2>&1)" "^xlmem \(libmempolicy\) $ver\$" \
     "xlmem --version"
for d in $daemons; do
    like "$("/usr/sbin/$d" --version 2>&1)" "\(libmempolicy\) $ver\$" \
         "$d --version"
done
# The guest agent has no --version yet: a bad option proves it runs.
out=$(/usr/sbin/mempolicy-guest-agent --no-such-option 2>&1)
is "$?" 2 "mempolicy-guest-agent runs (bad option: exit 2)"
like "$out" "^usage: mempolicy-guest-agent" "and prints its usage"

# ---- purge ------------------------------------------------------------------
ok "dpkg --purge $pkgs" "dpkg --purge removes the packages"
trap - EXIT
left=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "not-installed" ||
        [ -z "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" ] ||
        left="$left $p"
done
is "$left" "" "no package left installed or half-removed"
gone=
for f in /usr/bin/xlmem /usr/sbin/mempolicyd /usr/lib/$ma/libmempolicy.so.0 \
         /lib/systemd/system/mempolicyd.service \
         /usr/share/doc/mempolicy-utils; do
    [ -e "$f" ] && gone="$gone $f"
done
is "$gone" "" "no installed file left behind"
finish
