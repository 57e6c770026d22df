# tests/fuzz: libFuzzer harnesses (docs/robustness.md).
#
# Built only by `make fuzz` (which runs this file with FUZZ=1, CC=clang,
# O=build-fuzz): every object then carries libFuzzer's coverage
# instrumentation plus ASan and UBSan, and each tests/fuzz/<name>.c links
# into $(O)/fuzz/fuzz-<name>.  Seeds are tests/fuzz/<name>/corpus/, the
# dictionary (when there is one) tests/fuzz/<name>/dict.
#
# The harnesses link the code under test through archives of whole
# components (every xensim object but main.o; the static libmempolicy),
# so a component may split or rename its files without touching this.

ifeq ($(FUZZ),1)

FUZZ_SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
                 -fno-omit-frame-pointer
CFLAGS += -fsanitize=fuzzer-no-link $(FUZZ_SANFLAGS)
# The code under test is held to -Werror by the gcc builds; clang's own
# extra diagnostics in it are shown here but do not stop `make fuzz`.  The
# harnesses themselves stay -Werror.
CFLAGS += -Wno-error
$(O)/obj/tests/fuzz/%.o: CFLAGS += -Werror
FUZZ_LDFLAGS := -fsanitize=fuzzer $(FUZZ_SANFLAGS)

FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/*.c)))
FUZZ_BINS := $(FUZZ_NAMES:%=$(O)/fuzz/fuzz-%)

# Prerequisites below name variables of fragments included after this
# one (XENSIM_OBJS): expand them once every fragment is read.
.SECONDEXPANSION:

# xensim as a library: everything but its main().
FUZZ_XENSIM_LIB := $(O)/fuzz/libxensim.a
$(FUZZ_XENSIM_LIB): $$(filter-out %/main.o,$$(XENSIM_OBJS))
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(O)/obj/tests/fuzz/%.o: CPPFLAGS += -Itools/xensim -Ixl-cmds \
    $(MEMPOLICY_CFLAGS) -Ilibmempolicy/src $(XENSTORE_CFLAGS) \
    $(YAJL_CFLAGS) -Iactors/xl-auto -Iactors/balance

# What each harness needs besides its own object.
FUZZ_DEPS_xs_wire := $(FUZZ_XENSIM_LIB)
FUZZ_LIBS_xs_wire := $(XENSTORE_LIBS) $(YAJL_LIBS) -lm
FUZZ_DEPS_hvchan := $(FUZZ_XENSIM_LIB)
FUZZ_LIBS_hvchan := $(XENSTORE_LIBS) $(YAJL_LIBS) -lm
FUZZ_DEPS_size := $(O)/obj/xl-cmds/xlmem_size.o $(MEMPOLICY_LIB)
FUZZ_LIBS_size := $(MEMPOLICY_LDLIBS)
FUZZ_DEPS_params := $(O)/obj/actors/xl-auto/policy.o $(MEMPOLICY_LIB)
FUZZ_LIBS_params := $(MEMPOLICY_LDLIBS)
FUZZ_DEPS_config := $(MEMPOLICY_LIB)
FUZZ_LIBS_config := $(MEMPOLICY_LDLIBS)
FUZZ_DEPS_meminfo := $(O)/obj/actors/balance/report.o $(MEMPOLICY_LIB)
FUZZ_LIBS_meminfo := $(MEMPOLICY_LDLIBS)

$(O)/fuzz/fuzz-%: $(O)/obj/tests/fuzz/%.o $$(FUZZ_DEPS_$$*)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(FUZZ_LDFLAGS) -o $@ $^ $(FUZZ_LIBS_$*)

.PHONY: fuzz-build
fuzz-build: $(FUZZ_BINS)

endif
