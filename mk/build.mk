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
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
        -Wstrict-prototypes -Wno-unused-parameter
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

$(O)/man/%.8: libmempolicy/daemon.8.inc
	@mkdir -p $(@D)
	sed -e '/^@DAEMON@$$/{' -e 'r libmempolicy/daemon.8.inc' -e 'd' -e '}' \
	    $(filter %.8.in,$^) >$@

$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(EXTRA_CFLAGS_$(firstword $(subst /, ,$*))) -c -o $@ $<

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
