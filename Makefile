# libmempolicy: top-level make.
#
# `make` and `make check` first make sure the Debian packages the build
# needs are installed (tools/install-deps.sh), then run the real build in
# a sub-make (mk/build.mk) so that pkg-config is only consulted once the
# packages are there.
#
#   make                 build everything into $(O) (default build/)
#   make check           run the test suite, then again under ASan+UBSan
#   make check-plain     the test suite on the plain build only
#   make check SANITIZE=1  the sanitizer run only (build-san/)
#   make demo            the main job on the simulated host
#   make bench           the benchmarks (not part of check)
#   make fuzz            build the libFuzzer harnesses (clang) into
#                        build-fuzz/ and run each FUZZ_SECONDS (default
#                        60); FUZZ_HARNESSES="a b" picks some
#                        (docs/robustness.md)
#   make install         PREFIX=/usr/local DESTDIR=

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
O ?= build-san
else
O ?= build
endif
export O SANITIZE

SUBMAKE = $(MAKE) --no-print-directory -f mk/build.mk

.PHONY: all deps check check-plain check-san demo bench install clean \
        check-xen format fuzz

all: deps
	@$(SUBMAKE) all

deps:
	@tools/install-deps.sh build

ifeq ($(SANITIZE),1)
check: deps
	@$(SUBMAKE) all
	@tests/run.sh $(O)
else
check: deps
	@$(SUBMAKE) all
	@$(MAKE) --no-print-directory -f mk/build.mk all O=build-san SANITIZE=1
	@tests/run.sh $(O) build-san
endif

check-plain: deps
	@$(SUBMAKE) all
	@tests/run.sh $(O)

check-san: deps
	@$(MAKE) --no-print-directory -f mk/build.mk all O=build-san SANITIZE=1
	@tests/run.sh build-san

demo: deps
	@tools/install-deps.sh demo
	@$(SUBMAKE) all
	@demo/run-demo.sh $(O)

bench: deps
	@$(SUBMAKE) all
	@bench/run.sh $(O)

FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?=
fuzz: deps
	@tools/install-deps.sh fuzz
	@$(MAKE) --no-print-directory -f mk/build.mk fuzz-build O=build-fuzz \
	    FUZZ=1 CC=clang
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

check-xen: deps
	@$(SUBMAKE) all
	@tests/xen/check-xen.sh $(O)

install: all
	@$(SUBMAKE) install

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-fuzz
