# Tests of xensim's hypervisor, guests, paging, sharing and hv channel
# (cmocka, through libxenstore and the hv channel):
# tests/xensim-hv/test_<name>.c -> $(O)/tests/test-hv-<name>.
# Shell tests (*.t.sh) here are run by tests/run.sh directly.
HVTEST_SRCS := $(sort $(wildcard tests/xensim-hv/test_*.c))
HVTEST_BINS := $(HVTEST_SRCS:tests/xensim-hv/test_%.c=$(O)/tests/test-hv-%)
HVTEST_DEPS := $(O)/obj/tests/support/xensim_fixture.o \
               $(O)/obj/tests/support/hvclient.o \
               $(O)/obj/tests/xensim-hv/hvtest.o
EXTRA_CFLAGS_tests += $(CMOCKA_CFLAGS) $(XENSTORE_CFLAGS) -Itests/support

TEST_BINS += $(HVTEST_BINS)

$(O)/tests/test-hv-%: $(O)/obj/tests/xensim-hv/test_%.o $(HVTEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(XENSTORE_LIBS)
