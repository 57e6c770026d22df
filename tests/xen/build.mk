# check-xen's probe (tests/xen/xen-podinfo.c): runs in the dom0 that
# tests/xen/check-xen.sh boots, never on this machine; built with the
# rest so that it always matches the host's libxenctrl.
XENPROBE := $(O)/tests/xen/xen-podinfo
EXTRA_CFLAGS_tests += $(call pc_cflags,xencontrol)

all: $(XENPROBE)

$(XENPROBE): $(O)/obj/tests/xen/xen-podinfo.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,xencontrol)

# check-xen's workload in the balance guests (tests/xen/xen-hog.c): runs
# in a domU, never on this machine.
XENHOG := $(O)/tests/xen/xen-hog
all: $(XENHOG)

$(XENHOG): $(O)/obj/tests/xen/xen-hog.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
