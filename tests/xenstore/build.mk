# xenstore server tests (cmocka, through libxenstore) and the shared xensim
# fixture for C tests: tests/xenstore/test_<name>.c -> $(O)/tests/test-xs-<name>.
XSTEST_SRCS := $(sort $(wildcard tests/xenstore/test_*.c))
XSTEST_BINS := $(XSTEST_SRCS:tests/xenstore/test_%.c=$(O)/tests/test-xs-%)
XSTEST_FIXTURE := $(O)/obj/tests/support/xensim_fixture.o
EXTRA_CFLAGS_tests += $(CMOCKA_CFLAGS) $(XENSTORE_CFLAGS) -Itests/support

TEST_BINS += $(XSTEST_BINS)

# The in-process API test links the store itself (tools/xensim/store*.c).
$(O)/tests/test-xs-inproc: $(patsubst %.c,$(O)/obj/%.o,\
                               $(wildcard tools/xensim/store*.c)) \
                           $(O)/obj/tools/xensim/ht.o \
                           $(O)/obj/tools/xensim/loop.o

$(O)/tests/test-xs-loop: $(O)/obj/tools/xensim/loop.o

$(O)/tests/test-xs-%: $(O)/obj/tests/xenstore/test_%.o $(XSTEST_FIXTURE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(XENSTORE_LIBS) -lpthread
