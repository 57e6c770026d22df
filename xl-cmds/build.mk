# xl-cmds: xlmem (the xl-style memory commands), mempolicy-exporter
# (Prometheus metrics) and mempolicyd (the
# daemon that gives new domains the xl.conf default policy), their unit
# test, man page, bash completion and systemd unit.
#
# Both link the static libmempolicy so that the binaries run from the
# build tree without LD_LIBRARY_PATH.

# MEMPOLICY_LIB / MEMPOLICY_LDLIBS come from libmempolicy/build.mk
# (included before this file); the recipes expand them late anyway.
XLCMDS_LIB = $(MEMPOLICY_LIB)
XLCMDS_LDLIBS = $(MEMPOLICY_LDLIBS) $(XENSTORE_LIBS) -lm

EXTRA_CFLAGS_xl-cmds := -Ilibmempolicy/include $(XENSTORE_CFLAGS) \
                        $(XENCTRL_CFLAGS) $(YAJL_CFLAGS) $(NCURSES_CFLAGS) \
                        $(MHD_CFLAGS)

XLCMDS_XLMEM_OBJS := $(addprefix $(O)/obj/xl-cmds/, \
    xlmem.o xlmem_util.o xlmem_size.o xlmem_policy.o xlmem_target.o \
    xlmem_lowlevel.o xlmem_list.o xlmem_watch.o xlmem_create.o \
    xlmem_reserve.o \
    xlmem_actors.o xlmem_explain.o xlmem_top.o xlmem_memtune.o xlmem_group.o caplog.o)

BINS += $(O)/bin/xlmem $(O)/bin/mempolicyd
TEST_BINS += $(O)/tests/test-xlmem-size

$(O)/bin/xlmem: $(XLCMDS_XLMEM_OBJS) $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(XLCMDS_XLMEM_OBJS) $(XLCMDS_LIB) \
	    $(XLCMDS_LDLIBS) $(NCURSES_LIBS)

XLCMDS_MEMPOLICYD_OBJS := $(O)/obj/xl-cmds/mempolicyd.o

$(O)/bin/mempolicyd: $(XLCMDS_MEMPOLICYD_OBJS) $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(XLCMDS_MEMPOLICYD_OBJS) $(XLCMDS_LIB) \
	    $(XLCMDS_LDLIBS)

# mempolicy-exporter: Prometheus metrics over HTTP (libmicrohttpd).
XLCMDS_EXPORTER_OBJS := $(addprefix $(O)/obj/xl-cmds/, \
    mempolicy_exporter.o exporter_metrics.o)
BINS += $(O)/bin/mempolicy-exporter
MAN8 += $(O)/man/mempolicy-exporter.8
$(O)/man/mempolicy-exporter.8: xl-cmds/mempolicy-exporter.8.in

$(O)/bin/mempolicy-exporter: $(XLCMDS_EXPORTER_OBJS) $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(XLCMDS_EXPORTER_OBJS) $(XLCMDS_LIB) \
	    $(XLCMDS_LDLIBS) $(MHD_LIBS) -lpthread

# The size parser alone, with the test's own error sink.
$(O)/obj/tests/xlmem/test_size.o: CFLAGS += $(CMOCKA_CFLAGS) \
    -Ixl-cmds -Ilibmempolicy/include $(XENCTRL_CFLAGS)
$(O)/tests/test-xlmem-size: $(O)/obj/tests/xlmem/test_size.o \
                            $(O)/obj/xl-cmds/xlmem_size.o \
                            $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(XLCMDS_LIB) \
	    $(XLCMDS_LDLIBS) $(CMOCKA_LIBS)

# `make install`: xlmem in BINDIR (section 1, as xl's commands),
# mempolicyd and mempolicy-exporter in SBINDIR (daemons, section 8), the
# bash completion, the units, and the documentation (README.md, docs/*.md,
# xl.conf.example) in DOCDIR.
.PHONY: xlcmds-install
install: xlcmds-install
xlcmds-install: $(O)/bin/xlmem $(O)/bin/mempolicyd $(O)/man/mempolicyd.8 \
    $(O)/bin/mempolicy-exporter $(O)/man/mempolicy-exporter.8
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	install -m 755 $(O)/bin/xlmem $(DESTDIR)$(BINDIR)
	install -m 755 $(O)/bin/mempolicyd $(O)/bin/mempolicy-exporter \
	    $(DESTDIR)$(SBINDIR)
	install -m 644 xl-cmds/xlmem.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(O)/man/mempolicyd.8 $(O)/man/mempolicy-exporter.8 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 644 xl-cmds/xlmem.bash-completion \
	    $(DESTDIR)$(COMPLETIONDIR)/xlmem
	$(call install_unit,xl-cmds/mempolicyd.service)
	$(call install_unit,xl-cmds/mempolicy-exporter.service)
	install -m 644 README.md docs/*.md xl.conf.example $(DESTDIR)$(DOCDIR)

MAN8 += $(O)/man/mempolicyd.8
$(O)/man/mempolicyd.8: xl-cmds/mempolicyd.8.in
