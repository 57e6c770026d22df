/*
 * test-backend.c: what xensim cannot show, through the internal backend
 * interface: a dying or shut-down domain (xensim destroys at once), that
 * a listing asks the hypervisor once (not once per domain), and a
 * hypervisor channel that answers garbage.
 *
 * The dying case wraps the context's real sim backend and reports chosen
 * domains as dying; everything else still goes to xensim, so the store
 * comparison is real.  The garbage case points /tool/xensim/hv-socket at a
 * fake channel served by a thread of this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"
#include "internal.h"

static struct xsim sim;
static struct xs_handle *xsh;

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "3", NULL };

    if (test_host_start(&sim, args, &xsh, NULL))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, NULL);
    return 0;
}

/* ---- dying domains ---------------------------------------------------- */

static const struct mp_backend_ops *real_ops;
static struct mp_backend_ops fake_ops;

static int fake_dominfo(mempolicy_ctx *ctx, uint32_t domid,
                        struct mp_hvinfo *out)
{
    int rc = real_ops->dominfo(ctx, domid, out);

    if (!rc && domid == 2)
        out->dying = true;
    if (!rc && domid == 3)
        out->shutdown = true;
    return rc;
}

static void check_detail(mempolicy_ctx *c, const char *detail)
{
    if (!strstr(mempolicy_last_error(c), detail))
        fail_msg("detail '%s' lacks '%s'", mempolicy_last_error(c), detail);
}

#define UNCHANGED(c, call, rc_expected, detail)                              \
    do {                                                                     \
        char *before_ = store_dump(xsh), *after_;                            \
        int rc_ = (call);                                                    \
        after_ = store_dump(xsh);                                            \
        assert_int_equal(rc_, (rc_expected));                                \
        assert_string_equal(before_, after_);                                \
        check_detail(c, detail);                                             \
        free(before_);                                                       \
        free(after_);                                                        \
    } while (0)

static void dying_domains(void **state)
{
    mempolicy_ctx *ctx = test_ctx();
    mempolicy_dominfo info;

    assert_non_null(ctx);
    assert_int_equal(mempolicy_domain_set_policy(ctx, 2, "xl-manual", ""), 0);
    real_ops = ctx->be;
    fake_ops = *real_ops;
    fake_ops.dominfo = fake_dominfo;
    ctx->be = &fake_ops;

    UNCHANGED(ctx, mempolicy_domain_set_target(ctx, 2, 100000, false, true),
              MEMPOLICY_ERROR_DYING, "domain 2 is dying");
    UNCHANGED(ctx, mempolicy_domain_set_policy(ctx, 2, "xl-auto", ""),
              MEMPOLICY_ERROR_DYING, "dying");
    UNCHANGED(ctx, mempolicy_domain_set_policy_target(ctx, 2, "", "", 1000,
                                                      false, false),
              MEMPOLICY_ERROR_DYING, "dying");
    UNCHANGED(ctx, mempolicy_domain_set_balloon_target(ctx, 2, 100000,
                                                       false),
              MEMPOLICY_ERROR_DYING, "dying");
    UNCHANGED(ctx, mempolicy_domain_enable_sharing(ctx, 2),
              MEMPOLICY_ERROR_DYING, "dying");
    UNCHANGED(ctx, mempolicy_domain_set_target(ctx, 3, 100000, false, true),
              MEMPOLICY_ERROR_DYING, "domain 3 is shut down");
    /* Information still works and says so. */
    assert_int_equal(mempolicy_domain_info(ctx, 2, &info), 0);
    assert_true(info.dying);
    mempolicy_dominfo_dispose(&info);
    /* A live domain is unaffected by the wrapper. */
    assert_int_equal(mempolicy_domain_set_target(ctx, 1, 100000, false,
                                                 false), 0);
    ctx->be = real_ops;
    mempolicy_ctx_free(ctx);
}

/* ---- listing: one hypervisor call, not one per domain ---------------- */

static unsigned n_dominfo, n_list_info;

static int count_dominfo(mempolicy_ctx *ctx, uint32_t domid,
                         struct mp_hvinfo *out)
{
    n_dominfo++;
    return real_ops->dominfo(ctx, domid, out);
}

static int count_list_info(mempolicy_ctx *ctx, struct mp_hvinfo **out,
                           int *n)
{
    n_list_info++;
    return real_ops->list_info(ctx, out, n);
}

static void list_one_hypervisor_call(void **state)
{
    mempolicy_ctx *ctx = test_ctx();
    mempolicy_dominfo *list;
    int n;

    assert_non_null(ctx);
    real_ops = ctx->be;
    fake_ops = *real_ops;
    fake_ops.dominfo = count_dominfo;
    fake_ops.list_info = count_list_info;
    ctx->be = &fake_ops;
    n_dominfo = n_list_info = 0;
    assert_int_equal(mempolicy_list_domains(ctx, &list, &n), 0);
    assert_true(n >= 4);
    assert_int_equal(n_list_info, 1);
    assert_int_equal(n_dominfo, 0);
    mempolicy_dominfo_list_free(list, n);
    ctx->be = real_ops;
    mempolicy_ctx_free(ctx);
}

static void errno_mapping(void **state)
{
    assert_int_equal(mp_errno_to_rc(ENOSYS), MEMPOLICY_ERROR_NOSYS);
    assert_int_equal(mp_errno_to_rc(EOPNOTSUPP), MEMPOLICY_ERROR_NOTSUP);
    assert_int_equal(mp_errno_to_rc(ENODEV), MEMPOLICY_ERROR_NO_HAP);
    assert_int_equal(mp_errno_to_rc(ESRCH), MEMPOLICY_ERROR_NO_DOMAIN);
    assert_int_equal(mp_errno_to_rc(EBUSY), MEMPOLICY_ERROR_BUSY);
    assert_int_equal(mp_errno_to_rc(EPERM), MEMPOLICY_ERROR_PERM);
    assert_int_equal(mp_errno_to_rc(EIO), MEMPOLICY_ERROR_FAIL);
}

/* ---- transactions ------------------------------------------------------ */

static int always_conflicts(mempolicy_ctx *ctx, xs_transaction_t t,
                            void *arg)
{
    int *runs = arg;

    (*runs)++;
    /* write something that must never be committed */
    if (!xs_write(ctx->xsh, t, "/local/domain/1/never", "x", 1))
        return mp_err(ctx, MEMPOLICY_ERROR_STORE, "write failed");
    return MP_TX_RETRY;
}

static void transaction_bound(void **state)
{
    mempolicy_ctx *ctx = test_ctx();
    char *before = store_dump(xsh), *after;
    int runs = 0;

    assert_non_null(ctx);
    assert_int_equal(mp_transaction(ctx, always_conflicts, &runs),
                     MEMPOLICY_ERROR_AGAIN);
    assert_int_equal(runs, MP_TX_RETRIES);
    check_detail(ctx, "still conflicting");
    after = store_dump(xsh);
    assert_string_equal(before, after);
    free(before);
    free(after);
    mempolicy_ctx_free(ctx);
}

static void store_nodes_missing(void **state)
{
    mempolicy_ctx *ctx = test_ctx();
    int d = xsim_create(&sim, "name=halfgone type=pv memory_kb=131072");
    char path[64];

    assert_non_null(ctx);
    assert_true(d > 0);
    /* The hypervisor knows the domain, the store does not any more. */
    snprintf(path, sizeof(path), "/local/domain/%d", d);
    assert_true(xs_rm(xsh, XBT_NULL, path));
    UNCHANGED(ctx, mempolicy_domain_set_target(ctx, (uint32_t)d, 100000,
                                               false, true),
              MEMPOLICY_ERROR_NO_DOMAIN, "does not exist");
    UNCHANGED(ctx, mempolicy_domain_set_policy(ctx, (uint32_t)d, "xl-auto",
                                               ""),
              MEMPOLICY_ERROR_NO_DOMAIN, "does not exist");
    mempolicy_ctx_free(ctx);
    free(xsim_hv(&sim, "destroy %d", d));
}

/* ---- a hypervisor channel that answers garbage ------------------------ */

#define ALL_FIELDS "domid,type,hap,tot_kb,max_kb,paging,paged_kb," \
                   "paging_target_kb,sharing,shared_kb,cow_breaks,dying," \
                   "shutdown"

static const char *const garbage[] = {
    "ok\n",                                  /* dominfo without keys */
    "ok type=hvm hap=1 tot_kb=-5\n",         /* negative number */
    "ok type=hvm hap=1 tot_kb=99999999999999999999999\n",
    "err\n",                                 /* no errno name */
    "what is this\n",
    "ok domids=1,x,3\n",                     /* bad list */
    "ok domids=99999\n",                     /* reserved domid */
    "ok hashes=zz\n",
    /* dominfo_all: fields missing, a short record, a bad type, a
     * reserved domid */
    "ok fields=domid,type domains=0,pv\n",
    "ok fields=" ALL_FIELDS " domains=0,pv,0,1,1,0,0,0,0,0,0,0\n",
    "ok fields=" ALL_FIELDS " domains=0,xx,0,1,1,0,0,0,0,0,0,0,0\n",
    "ok fields=" ALL_FIELDS " domains=99999,pv,0,1,1,0,0,0,0,0,0,0,0\n",
};

struct fake {
    int lfd;
    char path[128];
};

static void *serve(void *arg)
{
    struct fake *f = arg;
    size_t i;

    for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        int c = accept(f->lfd, NULL, NULL);
        char buf[512];

        if (c < 0)
            break;
        /* One connection per context; answer its first request. */
        if (read(c, buf, sizeof(buf)) > 0 &&
            write(c, garbage[i], strlen(garbage[i])) < 0)
            fprintf(stderr, "# fake channel: write failed\n");
        close(c);
    }
    return NULL;
}

static void garbage_channel(void **state)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char *saved = xs_get(xsh, "/tool/xensim/hv-socket");
    struct fake f;
    pthread_t th;
    size_t i;

    assert_non_null(saved);
    snprintf(f.path, sizeof(f.path), "%s/fake.hv", sim.f.dir);
    strcpy(sa.sun_path, f.path);
    f.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(f.lfd >= 0);
    assert_int_equal(bind(f.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f.lfd, 8), 0);
    assert_true(xs_put(xsh, f.path, "/tool/xensim/hv-socket"));
    assert_int_equal(pthread_create(&th, NULL, serve, &f), 0);

    for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        mempolicy_ctx *ctx = test_ctx();
        uint64_t hashes[2];
        mempolicy_physinfo pi;
        mempolicy_dominfo *list;
        int n, rc;

        assert_non_null(ctx);
        if (!strncmp(garbage[i], "ok domids", 9) ||
            !strncmp(garbage[i], "ok fields", 9))
            rc = mempolicy_list_domains(ctx, &list, &n);
        else if (!strncmp(garbage[i], "ok hashes", 9))
            rc = mempolicy_domain_page_hashes(ctx, 1, 0, 2, hashes);
        else if (i == 3 || i == 4)
            rc = mempolicy_get_physinfo(ctx, &pi);
        else
            rc = mempolicy_domain_set_target(ctx, 1, 1000, false, false);
        assert_true(rc < 0);
        assert_string_not_equal(mempolicy_last_error(ctx), "");
        mempolicy_ctx_free(ctx);
    }
    pthread_join(th, NULL);
    close(f.lfd);
    assert_true(xs_put(xsh, saved, "/tool/xensim/hv-socket"));
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dying_domains),
        cmocka_unit_test(list_one_hypervisor_call),
        cmocka_unit_test(errno_mapping),
        cmocka_unit_test(transaction_bound),
        cmocka_unit_test(store_nodes_missing),
        cmocka_unit_test(garbage_channel),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
