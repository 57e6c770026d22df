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

# `make install`: the agent and its unit (for a guest image).
.PHONY: guest-install
install: guest-install
guest-install: $(O)/bin/mempolicy-guest-agent
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 755 $(O)/bin/mempolicy-guest-agent $(DESTDIR)$(PREFIX)/bin
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|' \
	    guest/mempolicy-guest-agent.service \
	    >$(DESTDIR)$(PREFIX)/lib/systemd/system/mempolicy-guest-agent.service
