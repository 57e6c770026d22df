# guest/: what runs inside a guest: mempolicy-guest-agent, its decision
# functions (meminfo.c, unit-tested) and its systemd unit.

BINS += $(O)/bin/mempolicy-guest-agent
TEST_BINS += $(O)/tests/test-guest-agent

$(O)/obj/guest/%.o: CFLAGS += $(XENSTORE_CFLAGS)
$(O)/obj/tests/balance/test_guest_agent.o: CFLAGS += $(CMOCKA_CFLAGS) -Iguest

$(O)/bin/mempolicy-guest-agent: $(O)/obj/guest/agent.o \
                                $(O)/obj/guest/meminfo.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XENSTORE_LIBS)

$(O)/tests/test-guest-agent: $(O)/obj/tests/balance/test_guest_agent.o \
                             $(O)/obj/guest/meminfo.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

# `make install`: the agent in SBINDIR, its manual page and its unit (for
# a guest image; the Debian package mempolicy-guest-agent).
.PHONY: guest-install
install: guest-install
guest-install: $(O)/bin/mempolicy-guest-agent
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(O)/bin/mempolicy-guest-agent $(DESTDIR)$(SBINDIR)
	install -m 644 guest/mempolicy-guest-agent.8 $(DESTDIR)$(MANDIR)/man8
	$(call install_unit,guest/mempolicy-guest-agent.service)
