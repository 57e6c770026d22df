# The real build, run by the top-level Makefile once dependencies exist.
#
# Each component owns a fragment (<dir>/build.mk) that appends to:
#   BINS        executables, placed in $(O)/bin
#   TEST_BINS   test executables, placed in $(O)/tests (run by tests/run.sh)
#   BENCH_BINS  benchmark executables, placed in $(O)/bench
#   MAN8        daemons' manual pages $(O)/man/<name>.8, each made from its
#               <name>.8.in (named as a prerequisite) with the part every
#               daemon of the actor kit shares (libmempolicy/daemon.8.inc:
#               standard options, logging, systemd, exit status) in place
#               of its @DAEMON@ line
#   LIBS        libraries, placed in $(O)/lib
# and gives the link rules for them.  Objects come from the pattern rule
# below: foo/bar.c -> $(O)/obj/foo/bar.o.

O ?= build
SANITIZE ?= 0
# Where `make install` puts things (DESTDIR is prepended to each).
# Daemons go to SBINDIR; the actors' executables are installed as
# $(ACTOR_PREFIX)<actor> (mempolicy-sharing, ...): the actor NAME, the one
# a domain's policy names, stays "sharing" (docs/packaging.md).
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
INCLUDEDIR ?= $(PREFIX)/include
# Multiarch libdir as Debian's (x86_64-linux-gnu): dpkg's
# DEB_HOST_MULTIARCH when a package build sets it, else the compiler's.
MULTIARCH ?= $(or $(DEB_HOST_MULTIARCH),$(shell $(CC) -print-multiarch))
LIBDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/libmempolicy
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
ACTOR_PREFIX := mempolicy-
# A unit's ExecStart= and Documentation= name the installed paths; the
# sources say /usr/sbin and /usr/share/doc/libmempolicy (Debian's).
install_unit = sed -e 's|/usr/sbin/|$(SBINDIR)/|' \
    -e 's|/usr/share/doc/libmempolicy/|$(DOCDIR)/|' $(1) \
    >$(DESTDIR)$(UNITDIR)/$(notdir $(1))

CC ?= cc
PKG_CONFIG ?= pkg-config

# -Werror for `make`, `make check` and CI; packagers turn it off with
# WERROR=0 (debian/rules does: a newer compiler's new warning must not
# break a distribution's build).
WERROR ?= 1
WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes \
        -Wstrict-prototypes -Wno-unused-parameter
ifneq ($(WERROR),0)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -fPIC -D_GNU_SOURCE -MMD -MP
ifeq ($(SANITIZE),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pc_libs = $(shell $(PKG_CONFIG) --libs $(1))

XENSTORE_CFLAGS := $(call pc_cflags,xenstore)
XENSTORE_LIBS := $(call pc_libs,xenstore)
XENCTRL_CFLAGS := $(call pc_cflags,xencontrol xenlight xlutil xentoollog)
XENCTRL_LIBS := $(call pc_libs,xencontrol xenlight xlutil xentoollog)
YAJL_CFLAGS := $(call pc_cflags,yajl)
YAJL_LIBS := $(call pc_libs,yajl)
CMOCKA_CFLAGS := $(call pc_cflags,cmocka)
CMOCKA_LIBS := $(call pc_libs,cmocka)
NCURSES_CFLAGS := $(call pc_cflags,ncurses)
NCURSES_LIBS := $(call pc_libs,ncurses)
MHD_CFLAGS := $(call pc_cflags,libmicrohttpd)
MHD_LIBS := $(call pc_libs,libmicrohttpd)

BINS :=
TEST_BINS :=
BENCH_BINS :=
LIBS :=
MAN8 :=

.PHONY: all install
# Keep objects: fragments reach them through pattern rules only.
.SECONDARY:
all:

include $(filter-out mk/build.mk,$(sort $(wildcard */build.mk */*/build.mk)))

all: $(LIBS) $(BINS) $(TEST_BINS) $(BENCH_BINS) $(MAN8)

# What is installed, without the tests and benchmarks (debian/rules).
.PHONY: progs
progs: $(LIBS) $(BINS) $(MAN8)

$(O)/man/%.8: libmempolicy/daemon.8.inc
	@mkdir -p $(@D)
	sed -e '/^@DAEMON@$$/{' -e 'r libmempolicy/daemon.8.inc' -e 'd' -e '}' \
	    $(filter %.8.in,$^) >$@

$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(EXTRA_CFLAGS_$(firstword $(subst /, ,$*))) -c -o $@ $<

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
