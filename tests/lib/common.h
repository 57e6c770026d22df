/*
 * common.h: helpers for the library's tests (tests/lib/test-*.c).
 *
 * Each test program starts its own xensim on a private socket (waiting
 * for its --ready-fd line, never sleeping), points XENSTORED_PATH at it,
 * and can talk to the simulated hypervisor directly (to create HVM guests
 * or check maxmem) and dump the whole store to prove that a failed call
 * changed nothing.
 */
#ifndef MP_TESTS_LIB_COMMON_H
#define MP_TESTS_LIB_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

#include "libmempolicy.h"
#include "xensim_fixture.h"

/* The one fixture of the C tests (tests/support/xensim_fixture.h):
 * f.pid, f.dir, f.socket. */
struct xsim {
    struct xensim_fixture f;
};

/* Start xensim with extra arguments (NULL-terminated); 0 or -1. */
int xsim_start(struct xsim *x, const char *const *args);
/* Stop it (xensim_stop: a shutdown that is not clean is said on
 * stderr); one already gone (f.pid 0) only has its directory removed. */
void xsim_stop(struct xsim *x);

/*
 * The usual host of a test group: xensim started with args, a store
 * connection in *xsh and, when ctx is not NULL, a library context in
 * *ctx.  0 or -1.  test_host_stop undoes it, also after a start that
 * failed half-way.
 */
int test_host_start(struct xsim *sim, const char *const *args,
                    struct xs_handle **xsh, mempolicy_ctx **ctx);
void test_host_stop(struct xsim *sim, struct xs_handle **xsh,
                    mempolicy_ctx **ctx);

/* One hv channel request; reply line (malloc'd, no newline) or NULL. */
char *xsim_hv(struct xsim *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Create a domain via the hv channel ("key=value ..."); domid or -1. */
int xsim_create(struct xsim *x, const char *spec);
/* A numeric key from a reply line such as "ok max_kb=1024". */
bool reply_u64(const char *line, const char *key, uint64_t *v);
/*
 * A number of the hypervisor's `dominfo DOMID` (max_kb, pod_target_kb,
 * paging, ...), or XSIM_NONE if the domain or the key is missing (so an
 * assert_int_equal on it fails).
 */
#define XSIM_NONE UINT64_MAX
uint64_t xsim_dominfo(struct xsim *x, unsigned domid, const char *key);

/* The whole store as text (paths, values, perms), skipping nodes the
 * simulated guests rewrite on their own.  malloc'd. */
char *store_dump(struct xs_handle *h);

/* Context with a logger at `lvl` (freed by test_ctx_free). */
mempolicy_ctx *test_ctx(void);
void test_ctx_free(mempolicy_ctx *ctx);

/* Store helpers. */
char *xs_get(struct xs_handle *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool xs_put(struct xs_handle *h, const char *val, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A node read as a decimal number, or XSIM_NONE if it is absent. */
uint64_t xs_get_u64(struct xs_handle *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
