# The sharing actor (actors/sharing) and its tests and benchmark.

SHARING_CORE_OBJS := $(O)/obj/actors/sharing/index.o \
                     $(O)/obj/actors/sharing/engine.o

TEST_BINS += $(O)/tests/test-sharing-engine

$(O)/tests/test-sharing-engine: $(O)/obj/tests/sharing/test_engine.o \
                                $(SHARING_CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(O)/obj/tests/sharing/test_engine.o: CFLAGS += $(CMOCKA_CFLAGS)

# The actor: its own sources, plus xl-auto's pure decision functions
# (actors/xl-auto/policy.c) so that its balloon-then-page behaviour is
# xl-auto's, not a copy of it.
BINS += $(O)/bin/sharing

SHARING_OBJS := $(SHARING_CORE_OBJS) \
                $(O)/obj/actors/sharing/sharing.o \
                $(O)/obj/actors/sharing/scan.o \
                $(O)/obj/actors/sharing/report.o \
                $(O)/obj/actors/xl-auto/policy.o

$(O)/obj/actors/sharing/%.o: CFLAGS += -Ilibmempolicy/include \
    -Iactors/xl-auto $(XENSTORE_CFLAGS)

$(O)/bin/sharing: $(SHARING_OBJS) $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(O)/lib/libmempolicy.a \
	    $(or $(MEMPOLICY_LDLIBS),$(XENSTORE_LIBS) $(XENCTRL_LIBS) \
	    $(YAJL_LIBS)) -lm

# `make install`: the actor as $(SBINDIR)/mempolicy-sharing, its manual page
# and its systemd unit.
.PHONY: sharing-install
install: sharing-install
sharing-install: $(O)/bin/sharing $(O)/man/mempolicy-sharing.8
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(O)/bin/sharing $(DESTDIR)$(SBINDIR)/$(ACTOR_PREFIX)sharing
	install -m 644 $(O)/man/mempolicy-sharing.8 $(DESTDIR)$(MANDIR)/man8
	$(call install_unit,actors/sharing/mempolicy-sharing.service)

MAN8 += $(O)/man/mempolicy-sharing.8
$(O)/man/mempolicy-sharing.8: actors/sharing/mempolicy-sharing.8.in
