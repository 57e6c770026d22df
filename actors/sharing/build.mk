# The sharing actor (actors/sharing) and its tests and benchmark.

SHARING_CORE_OBJS := $(O)/obj/actors/sharing/index.o \
                     $(O)/obj/actors/sharing/engine.o

TEST_BINS += $(O)/tests/test-sharing-engine

$(O)/tests/test-sharing-engine: $(O)/obj/tests/sharing/test_engine.o \
                                $(SHARING_CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(O)/obj/tests/sharing/test_engine.o: CFLAGS += $(CMOCKA_CFLAGS)
