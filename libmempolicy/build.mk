# libmempolicy/build.mk: the library, its tests and its benchmark.
#
# For other components (link the static library, no rpath needed):
#   MEMPOLICY_CFLAGS  compile flags for code including libmempolicy*.h
#   MEMPOLICY_LIB     $(O)/lib/libmempolicy.a (use it as a prerequisite)
#   MEMPOLICY_LDLIBS  the libraries it needs, from pkg-config
# e.g.
#   $(O)/bin/foo: $(O)/obj/foo/foo.o $(MEMPOLICY_LIB)
#   	$(CC) $(LDFLAGS) -o $@ $^ $(MEMPOLICY_LDLIBS)
#
# Every libmempolicy/src/*.c is part of the library (the actor kit's
# actor*.c included).  Also builds $(O)/lib/libmempolicy.so.0.1 (soname
# libmempolicy.so.0, with the .so.0 and .so links), $(O)/lib/mempolicy.pc,
# the tests $(O)/tests/test-lib-* and the benchmark $(O)/bench/bench-lib.
# `make install` installs headers in INCLUDEDIR, libraries and
# mempolicy.pc in LIBDIR (multiarch, mk/build.mk), under $(DESTDIR).

MEMPOLICY_PC_DEPS := xenstore xencontrol xenlight xlutil xentoollog \
                     xenforeignmemory yajl libsystemd
# The one version string lives in libmempolicy.h (MEMPOLICY_VERSION_*).
MEMPOLICY_VERSION := $(shell sed -n \
    -e 's/^\#define MEMPOLICY_VERSION_MAJOR \([0-9]*\)$$/\1/p' \
    -e 's/^\#define MEMPOLICY_VERSION_MINOR \([0-9]*\)$$/.\1/p' \
    libmempolicy/include/libmempolicy.h | tr -d '\n')
MEMPOLICY_CFLAGS := -Ilibmempolicy/include $(XENCTRL_CFLAGS)
MEMPOLICY_LIB := $(O)/lib/libmempolicy.a
MEMPOLICY_SO := $(O)/lib/libmempolicy.so.0.1
MEMPOLICY_LDLIBS := $(call pc_libs,$(MEMPOLICY_PC_DEPS)) -lm

mempolicy_srcs := $(sort $(wildcard libmempolicy/src/*.c))
mempolicy_objs := $(patsubst %.c,$(O)/obj/%.o,$(mempolicy_srcs))

EXTRA_CFLAGS_libmempolicy += -Ilibmempolicy/include -Ilibmempolicy/src \
    $(call pc_cflags,$(MEMPOLICY_PC_DEPS))

LIBS += $(MEMPOLICY_LIB) $(MEMPOLICY_SO) $(O)/lib/libmempolicy.so.0 \
        $(O)/lib/libmempolicy.so $(O)/lib/mempolicy.pc

$(MEMPOLICY_LIB): $(mempolicy_objs)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(MEMPOLICY_SO): $(mempolicy_objs) libmempolicy/libmempolicy.map
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libmempolicy.so.0 \
	    -Wl,--version-script=libmempolicy/libmempolicy.map \
	    -o $@ $(mempolicy_objs) $(MEMPOLICY_LDLIBS)

$(O)/lib/libmempolicy.so.0 $(O)/lib/libmempolicy.so: $(MEMPOLICY_SO)
	ln -sf libmempolicy.so.0.1 $@

# mempolicy.pc for PREFIX/LIBDIR/INCLUDEDIR as given (make install
# regenerates it with the install's own values).
mempolicy_pc = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
    -e 's|@VERSION@|$(MEMPOLICY_VERSION)|g' \
    -e 's|@REQUIRES_PRIVATE@|$(filter-out xentoollog,$(MEMPOLICY_PC_DEPS))|g' \
    $(1)

$(O)/lib/mempolicy.pc: libmempolicy/mempolicy.pc.in libmempolicy/build.mk
	@mkdir -p $(@D)
	$(call mempolicy_pc,$<) >$@

# ---- tests (tests/lib) and benchmark (bench/lib) ------------------------

mempolicy_test_srcs := $(sort $(wildcard tests/lib/test-*.c))
mempolicy_test_bins := $(patsubst tests/lib/test-%.c,$(O)/tests/test-lib-%,\
                         $(mempolicy_test_srcs))
mempolicy_test_common := $(patsubst %.c,$(O)/obj/%.o,\
                           $(wildcard tests/lib/common.c)) \
                         $(O)/obj/tests/support/hvclient.o \
                         $(O)/obj/tests/support/xensim_fixture.o
TEST_BINS += $(mempolicy_test_bins)

$(O)/obj/tests/lib/%.o: CPPFLAGS += $(MEMPOLICY_CFLAGS) $(CMOCKA_CFLAGS) \
    $(XENSTORE_CFLAGS) -Ilibmempolicy/src -Itests/support -Itests/lib
$(O)/obj/bench/lib/%.o: CPPFLAGS += $(MEMPOLICY_CFLAGS) $(XENSTORE_CFLAGS) \
    -Itests/support -Itests/lib

$(O)/tests/test-lib-%: $(O)/obj/tests/lib/test-%.o $(mempolicy_test_common) \
                       $(MEMPOLICY_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(MEMPOLICY_LDLIBS) $(CMOCKA_LIBS) -lpthread

mempolicy_bench_srcs := $(wildcard bench/lib/*.c)
ifneq ($(mempolicy_bench_srcs),)
BENCH_BINS += $(O)/bench/bench-lib
$(O)/bench/bench-lib: $(patsubst %.c,$(O)/obj/%.o,$(mempolicy_bench_srcs)) \
                      $(O)/obj/tests/lib/common.o \
                      $(O)/obj/tests/support/hvclient.o \
                      $(O)/obj/tests/support/xensim_fixture.o $(MEMPOLICY_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(MEMPOLICY_LDLIBS) -lpthread
endif

.PHONY: mempolicy-install
install: mempolicy-install
mempolicy-install: $(LIBS)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 libmempolicy/include/libmempolicy.h \
	    libmempolicy/include/libmempolicy_actor.h $(DESTDIR)$(INCLUDEDIR)
	install -m 644 $(MEMPOLICY_LIB) $(DESTDIR)$(LIBDIR)
	install -m 755 $(MEMPOLICY_SO) $(DESTDIR)$(LIBDIR)
	ln -sf libmempolicy.so.0.1 $(DESTDIR)$(LIBDIR)/libmempolicy.so.0
	ln -sf libmempolicy.so.0.1 $(DESTDIR)$(LIBDIR)/libmempolicy.so
	$(call mempolicy_pc,libmempolicy/mempolicy.pc.in) \
	    >$(DESTDIR)$(LIBDIR)/pkgconfig/mempolicy.pc
