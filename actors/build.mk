# The actors xl-auto, xl-manual and example (the actor kit itself is
# compiled into libmempolicy from libmempolicy/src/actor*.c), their tests
# (tests/actors) and their benchmark (bench/actors).  The sharing actor
# has its own fragment, actors/sharing/build.mk.
#
# This fragment is read before libmempolicy/build.mk, so prerequisites
# name the static library by path; link flags are expanded late.

ACTORS_LIBMP := $(O)/lib/libmempolicy.a
ACTORS_LDLIBS = $(ACTORS_LIBMP) \
    $(or $(MEMPOLICY_LDLIBS),$(XENSTORE_LIBS) $(XENCTRL_LIBS) $(YAJL_LIBS)) \
    -lm
ACTORS_CFLAGS := -Ilibmempolicy/include

BINS += $(O)/bin/xl-auto $(O)/bin/xl-manual $(O)/bin/example
# actor-probe is the driver of the shell tests and of the benchmark
# (bench/actors/run.sh); not a test itself (run.sh runs test-* only).
TEST_BINS += $(O)/tests/test-actor-kit $(O)/tests/test-xl-auto-policy \
             $(O)/tests/test-actor-loop $(O)/tests/test-actor-status \
             $(O)/tests/actor-probe

$(O)/obj/actors/xl-auto/%.o $(O)/obj/actors/xl-manual/%.o \
$(O)/obj/actors/example/%.o: CFLAGS += $(ACTORS_CFLAGS)
$(O)/obj/tests/actors/%.o: CFLAGS += $(ACTORS_CFLAGS) $(CMOCKA_CFLAGS) \
    $(XENSTORE_CFLAGS) -Ilibmempolicy/src -Iactors/xl-auto -Itests/support

$(O)/bin/xl-auto: $(O)/obj/actors/xl-auto/xl-auto.o \
                  $(O)/obj/actors/xl-auto/policy.o $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS)

$(O)/bin/xl-manual: $(O)/obj/actors/xl-manual/xl-manual.o $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS)

$(O)/bin/example: $(O)/obj/actors/example/example.o $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS)

$(O)/tests/test-actor-kit: $(O)/obj/tests/actors/test_actor_kit.o \
                           $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS) $(CMOCKA_LIBS)

$(O)/tests/test-xl-auto-policy: $(O)/obj/tests/actors/test_xl_auto_policy.o \
                                $(O)/obj/actors/xl-auto/policy.o \
                                $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS) $(CMOCKA_LIBS)

$(O)/tests/test-actor-loop: $(O)/obj/tests/actors/test_actor_loop.o \
                            $(O)/obj/tests/support/xensim_fixture.o \
                            $(O)/obj/tests/support/hvclient.o \
                            $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS) $(CMOCKA_LIBS)

$(O)/tests/test-actor-status: $(O)/obj/tests/actors/test_actor_status.o \
                              $(O)/obj/tests/support/xensim_fixture.o \
                              $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS) $(CMOCKA_LIBS)

$(O)/tests/actor-probe: $(O)/obj/tests/actors/actor_probe.o \
                        $(O)/obj/tests/support/hvclient.o $(ACTORS_LIBMP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(ACTORS_LDLIBS)

# `make install`: xl-auto and xl-manual as $(SBINDIR)/mempolicy-xl-auto
# and mempolicy-xl-manual, their manual pages and systemd units.  The
# example actor is a sample to copy, not a daemon to install.
.PHONY: actors-install
install: actors-install
actors-install: $(O)/bin/xl-auto $(O)/bin/xl-manual \
                $(O)/man/mempolicy-xl-auto.8 $(O)/man/mempolicy-xl-manual.8
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(MANDIR)/man8
	for a in xl-auto xl-manual; do \
	    install -m 755 $(O)/bin/$$a $(DESTDIR)$(SBINDIR)/$(ACTOR_PREFIX)$$a; \
	done
	install -m 644 $(O)/man/mempolicy-xl-auto.8 \
	    $(O)/man/mempolicy-xl-manual.8 $(DESTDIR)$(MANDIR)/man8
	$(call install_unit,actors/systemd/mempolicy-xl-auto.service)
	$(call install_unit,actors/systemd/mempolicy-xl-manual.service)

MAN8 += $(O)/man/mempolicy-xl-auto.8
$(O)/man/mempolicy-xl-auto.8: actors/xl-auto/mempolicy-xl-auto.8.in

MAN8 += $(O)/man/mempolicy-xl-manual.8
$(O)/man/mempolicy-xl-manual.8: actors/xl-manual/mempolicy-xl-manual.8.in
