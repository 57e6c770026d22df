# The xenstore server benchmark (not part of make check):
#   $(O)/bench/bench-xenstore [seconds-per-case]
BENCH_BINS += $(O)/bench/bench-xenstore
EXTRA_CFLAGS_bench += $(XENSTORE_CFLAGS) -Itests/support

$(O)/bench/bench-xenstore: $(O)/obj/bench/xenstore/bench_xenstore.o \
                           $(O)/obj/tests/support/xensim_fixture.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XENSTORE_LIBS)
