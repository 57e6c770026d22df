# The balance actor (actors/balance): host-wide directed ballooning from
# the guests' own reports.  Its decision (plan.c) and the parsing of the
# guests' reports (report.c) are pure and unit-tested on their own.

BINS += $(O)/bin/balance
TEST_BINS += $(O)/tests/test-balance-plan

BALANCE_CORE_OBJS := $(O)/obj/actors/balance/plan.o \
                     $(O)/obj/actors/balance/report.o
BALANCE_OBJS := $(BALANCE_CORE_OBJS) \
                $(O)/obj/actors/balance/balance.o \
                $(O)/obj/actors/balance/watch.o \
                $(O)/obj/actors/balance/apply.o \
                $(O)/obj/actors/balance/reserve.o \
                $(O)/obj/actors/balance/groups.o

$(O)/obj/actors/balance/%.o: CFLAGS += -Ilibmempolicy/include \
    $(XENSTORE_CFLAGS)
$(O)/obj/tests/balance/%.o: CFLAGS += $(CMOCKA_CFLAGS) -Iactors/balance \
    -Ilibmempolicy/include

$(O)/bin/balance: $(BALANCE_OBJS) $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(O)/lib/libmempolicy.a \
	    $(or $(MEMPOLICY_LDLIBS),$(XENSTORE_LIBS) $(XENCTRL_LIBS) \
	    $(YAJL_LIBS)) -lm

$(O)/tests/test-balance-plan: $(O)/obj/tests/balance/test_balance_plan.o \
                              $(BALANCE_CORE_OBJS) $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(O)/lib/libmempolicy.a \
	    $(or $(MEMPOLICY_LDLIBS),$(XENSTORE_LIBS) $(XENCTRL_LIBS) \
	    $(YAJL_LIBS)) -lm $(CMOCKA_LIBS)

# bench/balance/plan.c: what a pass of the planner costs (real time:
# a benchmark, never a test).
BENCH_BINS += $(O)/bench/bench-balance-plan
$(O)/obj/bench/balance/%.o: CFLAGS += -Iactors/balance -Ilibmempolicy/include

$(O)/bench/bench-balance-plan: $(O)/obj/bench/balance/plan.o \
                               $(BALANCE_CORE_OBJS) $(O)/lib/libmempolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(O)/lib/libmempolicy.a \
	    $(or $(MEMPOLICY_LDLIBS),$(XENSTORE_LIBS) $(XENCTRL_LIBS) \
	    $(YAJL_LIBS)) -lm

# `make install`: the actor as $(SBINDIR)/mempolicy-balance, its manual page
# and its systemd unit.
.PHONY: balance-install
install: balance-install
balance-install: $(O)/bin/balance $(O)/man/mempolicy-balance.8
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(O)/bin/balance $(DESTDIR)$(SBINDIR)/$(ACTOR_PREFIX)balance
	install -m 644 $(O)/man/mempolicy-balance.8 $(DESTDIR)$(MANDIR)/man8
	$(call install_unit,actors/balance/mempolicy-balance.service)

MAN8 += $(O)/man/mempolicy-balance.8
$(O)/man/mempolicy-balance.8: actors/balance/mempolicy-balance.8.in
