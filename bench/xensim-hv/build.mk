# Benchmark of xensim's simulated host (not part of `make check`).
$(O)/bench/bench-xensim-hv: $(O)/obj/bench/xensim-hv/bench_xensim_hv.o \
                            $(O)/obj/tests/support/xensim_fixture.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XENSTORE_LIBS)

BENCH_BINS += $(O)/bench/bench-xensim-hv
EXTRA_CFLAGS_bench += -Itests/support $(XENSTORE_CFLAGS)
