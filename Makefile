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
#                        60; FUZZ_CPU=1: seconds of the harness's own
#                        CPU); FUZZ_HARNESSES="a b" picks some
#                        (docs/robustness.md)
#   make install         build and install (PREFIX=/usr/local DESTDIR=
#                        LIBDIR= SBINDIR= ...: mk/build.mk); never runs
#                        apt-get
#   make deb             Debian binary packages into $(O)/deb
#                        (debhelper; docs/packaging.md)
#   make check-deb       build the packages, install them, check the
#                        installed layout and units, purge them (root)
#   WERROR=0             for packagers: warnings do not fail the build

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
O ?= build-san
else
O ?= build
endif
export O SANITIZE

SUBMAKE = $(MAKE) --no-print-directory -f mk/build.mk

.PHONY: all deps check check-plain check-san demo bench install clean \
        check-xen format fuzz deb check-deb

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
FUZZ_CPU ?= 0
export FUZZ_CPU
FUZZ_HARNESSES ?=
fuzz: deps
	@tools/install-deps.sh fuzz
	@$(MAKE) --no-print-directory -f mk/build.mk fuzz-build O=build-fuzz \
	    FUZZ=1 CC=clang
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

check-xen: deps
	@$(SUBMAKE) all
	@tests/xen/check-xen.sh $(O)

# Builds what it installs, from the packages already there: no apt-get.
install:
	@$(SUBMAKE) install

# dpkg-buildpackage -b (build, then `debian/rules binary` under fakeroot);
# the .debs, .changes and .buildinfo land in $(O)/deb, not in `..`.
DEB_OUT = $(abspath $(O))/deb
deb: deps
	@tools/install-deps.sh deb
	@rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)
	MP_DEB_OUT=$(DEB_OUT) dpkg-buildpackage -b -us -uc \
	    --buildinfo-option=-u$(DEB_OUT) --changes-option=-u$(DEB_OUT) \
	    --buildinfo-file=$(DEB_OUT)/libmempolicy.buildinfo \
	    --changes-file=$(DEB_OUT)/libmempolicy.changes
	lintian --fail-on error,warning $(DEB_OUT)/libmempolicy.changes

check-deb: deb
	@tests/deb/deb.t.sh $(DEB_OUT)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-fuzz
