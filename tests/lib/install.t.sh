#!/bin/bash
# tests/lib/install.t.sh: the library as installed: `make mempolicy-install`
# with PREFIX and DESTDIR puts headers, static and shared library (soname
# libmempolicy.so.0, only mempolicy_* exported) and mempolicy.pc in place,
# libraries in the multiarch libdir (PREFIX/lib/<triplet>, as Debian's),
# and a program built with pkg-config against the installed copy runs.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d /tmp/mp-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
ma=$(${CC:-cc} -print-multiarch)
lib=lib${ma:+/$ma}
san=
if nm "$MP_BUILD/lib/libmempolicy.a" 2>/dev/null | grep -q __asan; then
    san="SANITIZE=1"
fi

ok "make --no-print-directory -f mk/build.mk O='$MP_BUILD' $san \
    mempolicy-install PREFIX=/opt/mp DESTDIR='$dest'" "make install runs"
for f in include/libmempolicy.h include/libmempolicy_actor.h \
         $lib/libmempolicy.a $lib/libmempolicy.so.0.1 \
         $lib/pkgconfig/mempolicy.pc; do
    ok "test -f '$dest/opt/mp/$f'" "installed $f"
done
is "$(readlink "$dest/opt/mp/$lib/libmempolicy.so.0")" libmempolicy.so.0.1 \
    "libmempolicy.so.0 links to the library"
is "$(readlink "$dest/opt/mp/$lib/libmempolicy.so")" libmempolicy.so.0.1 \
    "libmempolicy.so links to the library"
like "$(readelf -d "$dest/opt/mp/$lib/libmempolicy.so.0.1")" \
    "SONAME.*\[libmempolicy\.so\.0\]" "soname is libmempolicy.so.0"
is "$(nm -D --defined-only "$dest/opt/mp/$lib/libmempolicy.so.0.1" |
      awk '$2 ~ /^[TDBR]$/ && $3 !~ /^mempolicy_/' | wc -l)" 0 \
    "only mempolicy_* symbols are exported"
like "$(grep '^prefix=' "$dest/opt/mp/$lib/pkgconfig/mempolicy.pc")" \
    "^prefix=/opt/mp$" "mempolicy.pc carries the install PREFIX"
like "$(grep '^libdir=' "$dest/opt/mp/$lib/pkgconfig/mempolicy.pc")" \
    "^libdir=/opt/mp/$lib$" "mempolicy.pc's libdir is the multiarch one"

export PKG_CONFIG_PATH=$dest/opt/mp/$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
cat >"$tmp/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <libmempolicy.h>

int main(void)
{
    const char *canon;

    if (mempolicy_actor_name_valid("xl", &canon) || strcmp(canon, "xl-auto"))
        return 1;
    printf("%s\n", mempolicy_strerror(MEMPOLICY_ERROR_NOT_ACTOR));
    return 0;
}
C
sanflags=
[ -n "$san" ] && sanflags="-fsanitize=address,undefined"
ok "cc $sanflags -o '$tmp/use' '$tmp/use.c' \
    \$(pkg-config --cflags --libs mempolicy)" \
    "a program builds with pkg-config against the installed library"
is "$(LD_LIBRARY_PATH=$dest/opt/mp/$lib "$tmp/use")" "not the domain's actor" \
    "and runs against the shared library"
like "$(LD_LIBRARY_PATH=$dest/opt/mp/$lib ldd "$tmp/use")" \
    "libmempolicy\.so\.0 => $dest/opt/mp/$lib/libmempolicy\.so\.0" \
    "it is linked to libmempolicy.so.0"
done_testing
