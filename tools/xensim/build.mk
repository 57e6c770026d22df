# xensim: the simulated Xen host.  Every tools/xensim/*.c joins the binary,
# so the hypervisor model's files need no change here.
XENSIM_SRCS := $(sort $(wildcard tools/xensim/*.c))
XENSIM_OBJS := $(XENSIM_SRCS:%.c=$(O)/obj/%.o)
EXTRA_CFLAGS_tools += $(XENSTORE_CFLAGS) $(YAJL_CFLAGS)
# libmempolicy.h for MEMPOLICY_VERSION only (xensim does not link it).
EXTRA_CFLAGS_tools += -Ilibmempolicy/include

BINS += $(O)/bin/xensim

$(O)/bin/xensim: $(XENSIM_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XENSTORE_LIBS) $(YAJL_LIBS) -lm
