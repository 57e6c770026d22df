/*
 * test-lowlevel.c: the mechanism calls against xensim: the actor rule for
 * setters (xl-manual, the context's own actor, refused otherwise with the
 * store unchanged), balloon target and maxmem, paging target and
 * enable/disable, sharing and its primitives, and the errors that say
 * what is missing (PV guest, no HAP, hypervisor without the feature).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;
static int hvm1, hvm2, nohap, pod, pt;

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "2", NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    /* memory = maxmem: Xen pages no populate-on-demand guest */
    hvm1 = xsim_create(&sim, "name=hvm1 type=hvm hap=1 memory_kb=524288 "
                             "maxmem_kb=524288 share_zero=1");
    hvm2 = xsim_create(&sim, "name=hvm2 type=hvm hap=1 memory_kb=262144 "
                             "maxmem_kb=524288 share_zero=1");
    nohap = xsim_create(&sim, "name=nohap type=hvm hap=0 memory_kb=262144");
    pod = xsim_create(&sim, "name=pod type=hvm hap=1 memory_kb=262144 "
                            "maxmem_kb=524288");
    pt = xsim_create(&sim, "name=pt type=hvm hap=1 passthrough=1 "
                           "memory_kb=262144");
    return hvm1 > 0 && hvm2 > 0 && nohap > 0 && pod > 0 && pt > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

static void check_detail(mempolicy_ctx *c, const char *detail)
{
    if (!strstr(mempolicy_last_error(c), detail))
        fail_msg("detail '%s' lacks '%s'", mempolicy_last_error(c), detail);
}

#define UNCHANGED(call, rc_expected, detail)                                 \
    do {                                                                     \
        char *before_ = store_dump(xsh), *after_;                            \
        int rc_ = (call);                                                    \
        after_ = store_dump(xsh);                                            \
        assert_int_equal(rc_, (rc_expected));                                \
        assert_string_equal(before_, after_);                                \
        check_detail(ctx, detail);                                           \
        free(before_);                                                       \
        free(after_);                                                        \
    } while (0)

#define UNCHANGED_ON(c, call, rc_expected, detail)                           \
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

static void setters_need_the_actor(void **state)
{
    uint64_t t;

    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "xl-auto", ""), 0);
    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 1, 300000, false),
              MEMPOLICY_ERROR_NOT_ACTOR, "actor is xl-auto");
    check_detail(ctx, "mem-policy-set 1 xl-manual");
    UNCHANGED(mempolicy_domain_set_paging_target(ctx, hvm1, 1000, false),
              MEMPOLICY_ERROR_NOT_ACTOR, "actor is \"\"");
    UNCHANGED(mempolicy_domain_enable_paging(ctx, hvm1),
              MEMPOLICY_ERROR_NOT_ACTOR, "not xl-manual");
    UNCHANGED(mempolicy_domain_enable_sharing(ctx, hvm1),
              MEMPOLICY_ERROR_NOT_ACTOR, "not xl-manual");
    /* The actor rule comes first, even where the mechanism is missing. */
    UNCHANGED(mempolicy_domain_set_paging_target(ctx, 1, 1000, false),
              MEMPOLICY_ERROR_NOT_ACTOR, "actor is xl-auto");
    UNCHANGED(mempolicy_domain_enable_paging(ctx, 1),
              MEMPOLICY_ERROR_NOT_ACTOR, "actor is xl-auto");
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paging"), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "sharing"), 0);
    /* Getters always work. */
    assert_int_equal(mempolicy_domain_get_balloon_target(ctx, 1, &t), 0);
    assert_int_equal(t, 524288);

    /* The context's own actor may. */
    assert_int_equal(mempolicy_ctx_set_actor(ctx, "xl"), 0);
    assert_int_equal(mempolicy_domain_set_balloon_target(ctx, 1, 300000,
                                                         false), 0);
    assert_int_equal(mempolicy_domain_get_balloon_target(ctx, 1, &t), 0);
    assert_int_equal(t, 300000);
    assert_int_equal(mempolicy_ctx_set_actor(ctx, NULL), 0);
    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 1, 310000, false),
              MEMPOLICY_ERROR_NOT_ACTOR, "xl-auto");
    assert_int_equal(mempolicy_ctx_set_actor(ctx, "Bad Name"),
                     MEMPOLICY_ERROR_INVAL);
}

static void balloon_target(void **state)
{
    uint64_t t, static_max;
    char *v;

    assert_int_equal(mempolicy_domain_set_policy(ctx, 2, "xl-manual", ""), 0);
    v = xs_get(xsh, "/local/domain/2/memory/static-max");
    static_max = strtoull(v, NULL, 10);
    free(v);
    assert_int_equal(mempolicy_domain_set_balloon_target(ctx, 2, 400000,
                                                         false), 0);
    assert_int_equal(mempolicy_domain_set_balloon_target(ctx, 2, -1000,
                                                         true), 0);
    assert_int_equal(mempolicy_domain_get_balloon_target(ctx, 2, &t), 0);
    assert_int_equal(t, 399000);
    /* Raising above maxmem raises maxmem first, as libxl does. */
    assert_int_equal(mempolicy_ctx_set_actor(ctx, NULL), 0);
    v = xsim_hv(&sim, "setmaxmem 2 400000");
    assert_non_null(v);
    free(v);
    assert_int_equal(mempolicy_domain_set_balloon_target(ctx, 2, 450000,
                                                         false), 0);
    /* ... with libxl's slack, so the guest can get there. */
    assert_int_equal(xsim_dominfo(&sim, 2, "max_kb"), 450000 + 1024);

    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 2, 0, false),
              MEMPOLICY_ERROR_RANGE, "positive");
    /* libxl floors a relative target at 0: refused, no memory left. */
    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 2, -450000, true),
              MEMPOLICY_ERROR_RANGE, "leaves no memory");
    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 2, -450001, true),
              MEMPOLICY_ERROR_RANGE, "leaves no memory");
    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 2,
                                                  (int64_t)static_max + 1,
                                                  false),
              MEMPOLICY_ERROR_RANGE, "static-max");
    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 2, INT64_MAX, true),
              MEMPOLICY_ERROR_RANGE, "overflows");
    UNCHANGED(mempolicy_domain_set_balloon_target(ctx, 99, 1000, false),
              MEMPOLICY_ERROR_NO_DOMAIN, "domain 99");
    assert_int_equal(mempolicy_domain_get_balloon_target(ctx, 99, &t),
                     MEMPOLICY_ERROR_NO_DOMAIN);
}

/* The pager's state as xensim has it: "running", "stopping", "exited". */
static char *pager_state(long pid)
{
    char *r = xsim_hv(&sim, "pager_status %ld", pid), *st, *e;

    assert_non_null(r);
    st = strstr(r, " state=");
    assert_non_null(st);
    st += 7;
    e = strchr(st, ' ');
    if (e)
        *e = '\0';
    memmove(r, st, strlen(st) + 1);
    return r;
}

/* The pager recorded for domid (/libxl/<domid>/xenpaging), or 0. */
static long recorded_pager(unsigned domid)
{
    char *v = xs_get(xsh, "/libxl/%u/xenpaging", domid);
    long pid = 0;

    if (v) {
        pid = strtol(v, NULL, 10);
        assert_true(pid > 0);
        free(v);
    }
    return pid;
}

static void paging(void **state)
{
    mempolicy_ctx *c;
    uint64_t t;
    long pid;
    char *st;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm1, "xl-manual", ""),
                     0);
    /* Not enabled yet: a non-zero target is refused. */
    UNCHANGED(mempolicy_domain_set_paging_target(ctx, hvm1, 100000, false),
              MEMPOLICY_ERROR_INVAL, "paging is not enabled");
    /* Enabled by one context, which then goes away (as `xlmem
     * mem-paging-enable` exits): its pager stays, recorded, and another
     * context sets a target at once. */
    c = test_ctx();
    assert_non_null(c);
    assert_int_equal(mempolicy_domain_enable_paging(c, hvm1), 0);
    test_ctx_free(c);
    pid = recorded_pager(hvm1);
    assert_true(pid > 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "pager_pid"), (uint64_t)pid);
    st = pager_state(pid);
    assert_string_equal(st, "running");
    free(st);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paging"), 1);
    assert_int_equal(mempolicy_domain_enable_paging(ctx, hvm1), 0);
    assert_int_equal(recorded_pager(hvm1), pid); /* the same one */
    assert_int_equal(mempolicy_domain_set_paging_target(ctx, hvm1, 200000,
                                                        false), 0);
    assert_int_equal(mempolicy_domain_set_paging_target(ctx, hvm1, -50000,
                                                        true), 0);
    assert_int_equal(mempolicy_domain_get_paging_target(ctx, hvm1, &t), 0);
    assert_int_equal(t, 150000);
    UNCHANGED(mempolicy_domain_set_paging_target(ctx, hvm1, -150001, true),
              MEMPOLICY_ERROR_RANGE, "underflows");
    UNCHANGED(mempolicy_domain_set_paging_target(ctx, hvm1, 600000, false),
              MEMPOLICY_ERROR_RANGE, "static-max");
    /* 0 pages everything back in; paging ends once nothing is out
     * (disable waits for that, then stops the pager). */
    assert_int_equal(mempolicy_domain_set_paging_target(ctx, hvm1, 0, false),
                     0);
    assert_int_equal(mempolicy_domain_get_paging_target(ctx, hvm1, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(mempolicy_domain_disable_paging(ctx, hvm1), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paging"), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paged_kb"), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "crashed"), 0);
    assert_int_equal(recorded_pager(hvm1), 0);
    st = pager_state(pid);
    assert_string_equal(st, "exited");
    free(st);
    /* disable is idempotent too */
    assert_int_equal(mempolicy_domain_disable_paging(ctx, hvm1), 0);
    assert_int_equal(mempolicy_domain_enable_paging(ctx, hvm1), 0);
    assert_true(recorded_pager(hvm1) != pid); /* a new one */
    assert_int_equal(mempolicy_domain_disable_paging(ctx, hvm1), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paging"), 0);
}

/*
 * A pager that exits is reported with its exit status, by the next call
 * that needs it; one that left nothing paged out is cleaned up by
 * disabling (or enabling again).
 */
static void pager_exit_reported(void **state)
{
    long pid;
    char *r;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm1, "xl-manual", ""),
                     0);
    assert_int_equal(mempolicy_domain_enable_paging(ctx, hvm1), 0);
    pid = recorded_pager(hvm1);
    r = xsim_hv(&sim, "pager_signal %ld KILL", pid);
    assert_non_null(r);
    free(r);
    UNCHANGED(mempolicy_domain_set_paging_target(ctx, hvm1, 300000, false),
              MEMPOLICY_ERROR_FAIL, "killed by signal 9");
    check_detail(ctx, "pid");
    /* Nothing was out: disabling clears the killed pager's ring. */
    assert_int_equal(mempolicy_domain_disable_paging(ctx, hvm1), 0);
    assert_int_equal(recorded_pager(hvm1), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paging"), 0);
    assert_int_equal(mempolicy_domain_enable_paging(ctx, hvm1), 0);
    assert_int_equal(mempolicy_domain_disable_paging(ctx, hvm1), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "crashed"), 0);
}

static void missing_features(void **state)
{
    assert_int_equal(mempolicy_domain_set_policy(ctx, 2, "xl-manual", ""), 0);
    assert_int_equal(mempolicy_domain_set_policy(ctx, nohap, "xl-manual", ""),
                     0);
    UNCHANGED(mempolicy_domain_enable_paging(ctx, 2), MEMPOLICY_ERROR_PV,
              "PV guest");
    UNCHANGED(mempolicy_domain_enable_sharing(ctx, 2), MEMPOLICY_ERROR_PV,
              "PV guest");
    UNCHANGED(mempolicy_domain_set_paging_target(ctx, 2, 1000, false),
              MEMPOLICY_ERROR_PV, "PV guest");
    UNCHANGED(mempolicy_domain_enable_paging(ctx, nohap),
              MEMPOLICY_ERROR_NO_HAP, "hardware-assisted paging");
    UNCHANGED(mempolicy_domain_enable_sharing(ctx, nohap),
              MEMPOLICY_ERROR_NO_HAP, "hardware-assisted paging");
    /* What Xen refuses, one message per errno (hverr.c) */
    assert_int_equal(mempolicy_domain_set_policy(ctx, pod, "xl-manual", ""),
                     0);
    assert_int_equal(mempolicy_domain_set_policy(ctx, pt, "xl-manual", ""),
                     0);
    UNCHANGED(mempolicy_domain_enable_paging(ctx, pod),
              MEMPOLICY_ERROR_NOTSUP,
              "paging: the guest is populate-on-demand (memory < maxmem); "
              "Xen does not page PoD guests: start it with memory = maxmem "
              "(EXDEV)");
    assert_int_equal(xsim_dominfo(&sim, pod, "paging"), 0);
    UNCHANGED(mempolicy_domain_enable_paging(ctx, pt), MEMPOLICY_ERROR_NOTSUP,
              "paging: the guest has an IOMMU (PCI passthrough); Xen does "
              "not page such guests: remove its pci= devices "
              "(passthrough=\"disabled\") (EMLINK)");
    UNCHANGED(mempolicy_domain_enable_sharing(ctx, pt), MEMPOLICY_ERROR_NOTSUP,
              "sharing: the guest has an IOMMU (PCI passthrough); Xen does "
              "not share its pages: remove its pci= devices "
              "(passthrough=\"disabled\") (EXDEV)");
    assert_int_equal(xsim_dominfo(&sim, pt, "paging"), 0);
    assert_int_equal(xsim_dominfo(&sim, pt, "sharing"), 0);
    /* Off is all these guests can be: disabling is a successful no-op
     * that changes nothing. */
    {
        char *before = store_dump(xsh), *after;

        assert_int_equal(mempolicy_domain_disable_paging(ctx, 2), 0);
        assert_int_equal(mempolicy_domain_disable_sharing(ctx, 2), 0);
        assert_int_equal(mempolicy_domain_disable_paging(ctx, nohap), 0);
        assert_int_equal(mempolicy_domain_disable_sharing(ctx, nohap), 0);
        after = store_dump(xsh);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
}

/* A second simulated host started with args, one xl-manual HVM guest. */
struct other_host {
    struct xsim sim;
    mempolicy_ctx *ctx;
    int domid;
};

static void other_host_start(struct other_host *o,
                             const char *const *args)
{
    assert_int_equal(xsim_start(&o->sim, args), 0);
    o->domid = xsim_create(&o->sim, "name=h type=hvm hap=1 "
                                    "memory_kb=262144");
    assert_true(o->domid > 0);
    o->ctx = test_ctx();
    assert_non_null(o->ctx);
    assert_int_equal(
        mempolicy_domain_set_policy(o->ctx, o->domid, "xl-manual", ""), 0);
}

static void other_host_stop(struct other_host *o)
{
    test_ctx_free(o->ctx);
    xsim_stop(&o->sim);
    setenv("XENSTORED_PATH", sim.f.socket, 1);
}

static void hypervisor_without_features(void **state)
{
    static const char *const args[] = { "--no-paging", "--no-sharing", NULL };
    struct other_host o;
    uint64_t h;

    other_host_start(&o, args);
    assert_int_equal(mempolicy_domain_enable_paging(o.ctx, o.domid),
                     MEMPOLICY_ERROR_NOSYS);
    check_detail(o.ctx, "paging: the hypervisor is built without memory "
                        "paging; use a Xen built with CONFIG_MEM_PAGING "
                        "(ENOSYS)");
    assert_int_equal(mempolicy_domain_enable_sharing(o.ctx, o.domid),
                     MEMPOLICY_ERROR_NOSYS);
    check_detail(o.ctx, "sharing: the hypervisor is built without memory "
                        "sharing; use a Xen built with CONFIG_MEM_SHARING "
                        "(ENOSYS)");
    /* the first nominate enables sharing in Xen: the same refusal */
    assert_int_equal(mempolicy_domain_nominate_gfn(o.ctx, o.domid, 1, &h),
                     MEMPOLICY_ERROR_NOSYS);
    check_detail(o.ctx, "CONFIG_MEM_SHARING (ENOSYS)");
    other_host_stop(&o);
}

/* A host whose CPU is not Intel VT-x, with a PVH dom0: both refused with
 * EOPNOTSUPP, each with its own cause. */
static void host_cannot(void **state)
{
    static const char *const args[] = { "--no-vmx", "--pvh-dom0", NULL };
    struct other_host o;

    other_host_start(&o, args);
    assert_int_equal(mempolicy_domain_enable_paging(o.ctx, o.domid),
                     MEMPOLICY_ERROR_NOTSUP);
    check_detail(o.ctx, "paging: dom0 is an HVM/PVH domain; Xen 4.17 pages "
                        "guests only from a PV dom0 (EOPNOTSUPP)");
    assert_int_equal(mempolicy_domain_enable_sharing(o.ctx, o.domid),
                     MEMPOLICY_ERROR_NOTSUP);
    check_detail(o.ctx, "sharing: a PV guest, or a host CPU without Intel "
                        "VT-x; Xen shares pages only of HVM/PVH guests on "
                        "Intel VT-x hosts (EOPNOTSUPP)");
    other_host_stop(&o);
}

static void sharing(void **state)
{
    uint64_t h1[4], h2[4], hd1, hd2;
    unsigned i;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm1, "xl-manual", ""),
                     0);
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm2, "xl-manual", ""),
                     0);
    assert_int_equal(mempolicy_domain_enable_sharing(ctx, hvm1), 0);
    assert_int_equal(mempolicy_domain_enable_sharing(ctx, hvm1), 0);
    assert_int_equal(mempolicy_domain_enable_sharing(ctx, hvm2), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "sharing"), 1);

    assert_int_equal(mempolicy_domain_page_hashes(ctx, hvm1, 0, 4, h1), 0);
    assert_int_equal(mempolicy_domain_page_hashes(ctx, hvm2, 0, 4, h2), 0);
    assert_int_equal(mempolicy_domain_page_hashes(ctx, hvm1, 0, 0, h1),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_domain_page_hashes(ctx, hvm1, 0, 513, h1),
                     MEMPOLICY_ERROR_INVAL);
    /* Both guests are all zero pages: same hashes, and shareable. */
    for (i = 0; i < 4; i++)
        assert_true(h1[i] == h2[i]);
    assert_int_equal(xsim_dominfo(&sim, hvm2, "shared_kb"), 0);
    /* page_compare reads the bytes: zero pages alike, others not */
    {
        bool same = false;

        assert_int_equal(
            mempolicy_domain_page_compare(ctx, hvm1, 1, hvm2, 1, &same), 0);
        assert_true(same);
        assert_int_equal(
            mempolicy_domain_page_compare(ctx, nohap, 1, hvm1, 1, &same), 0);
        assert_false(same);
        assert_int_equal(
            mempolicy_domain_page_compare(ctx, 99, 1, hvm1, 1, &same),
            MEMPOLICY_ERROR_NO_DOMAIN);
        assert_int_equal(mempolicy_domain_page_compare(ctx, hvm1, 1 << 30,
                                                       hvm2, 1, &same),
                         MEMPOLICY_ERROR_INVAL);
    }
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm1, 1, &hd1), 0);
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm2, 1, &hd2), 0);
    assert_int_equal(mempolicy_domain_share_gfns(ctx, hvm1, 1, hd1, hvm2, 1,
                                                 hd2), 0);
    assert_true(xsim_dominfo(&sim, hvm2, "shared_kb") +
                    xsim_dominfo(&sim, hvm1, "shared_kb") >
                0);
    /* Errors of the hypervisor come back as codes with a detail. */
    assert_int_equal(mempolicy_domain_share_gfns(ctx, hvm1, 1, hd1, 99, 1,
                                                 hd2),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    check_detail(ctx, "ESRCH");
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, 99, 0, &hd1),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    /* Each of Xen's refusals of a memop has its own message (hverr.c):
     * gfn 160 of an HVM guest is the VGA hole, no page there. */
    UNCHANGED(mempolicy_domain_nominate_gfn(ctx, hvm1, 160, &hd1),
              MEMPOLICY_ERROR_INVAL,
              "gfn 160: nominating: no sharable page there (a hole, a "
              "populate-on-demand entry, a paged-out or special page); "
              "nothing to do, it is skipped (EINVAL)");
    /* page_hashes reads frames without a page as absent, unmapped. */
    assert_int_equal(mempolicy_domain_page_hashes(ctx, hvm1, 158, 4, h1), 0);
    assert_true(h1[0] != MEMPOLICY_PAGE_ABSENT &&
                h1[1] != MEMPOLICY_PAGE_ABSENT);
    assert_true(h1[2] == MEMPOLICY_PAGE_ABSENT &&
                h1[3] == MEMPOLICY_PAGE_ABSENT);
    {
        char *r = xsim_hv(&sim, "guestinfo %d", hvm1);
        uint64_t maps = XSIM_NONE;

        assert_true(r && reply_u64(r, "hole_maps", &maps));
        assert_int_equal(maps, 0);
        free(r);
    }
    assert_int_equal(mempolicy_domain_disable_sharing(ctx, hvm2), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm2, "sharing"), 0);
    /* A client with sharing off: Xen's share says EINVAL. */
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm1, 2, &hd1), 0);
    UNCHANGED(mempolicy_domain_share_gfns(ctx, hvm1, 2, hd1, hvm2, 2, 1),
              MEMPOLICY_ERROR_INVAL,
              "gfn 2: sharing: the client domain has sharing disabled, or a "
              "gfn is not a nominated page; nominate both pages again (that "
              "enables sharing) (EINVAL)");
}

/*
 * Giving memory back is allowed to anyone: the actor that lost a domain
 * to another actor undoes its own mechanisms (unshare, page back in,
 * disable paging), while taking memory stays refused to it.
 */
static void departing_actor_undoes(void **state)
{
    mempolicy_ctx *c = test_ctx();
    uint64_t h, shared;

    assert_non_null(c);
    assert_int_equal(mempolicy_ctx_set_actor(c, "old-actor"), 0);
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm1, "old-actor", ""),
                     0);
    assert_int_equal(mempolicy_domain_enable_sharing(c, hvm1), 0);
    assert_int_equal(mempolicy_domain_nominate_gfn(c, hvm1, 9, &h), 0);
    assert_int_equal(mempolicy_domain_enable_paging(c, hvm1), 0);
    assert_int_equal(mempolicy_domain_set_paging_target(c, hvm1, 200000,
                                                        false), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "sharing"), 1);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paging"), 1);

    /* The domain moves to another actor. */
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm1, "new-actor", ""),
                     0);
    /* Taking memory: refused to the old actor. */
    UNCHANGED_ON(c, mempolicy_domain_set_paging_target(c, hvm1, 100000,
                                                       false),
                 MEMPOLICY_ERROR_NOT_ACTOR, "actor is new-actor");
    UNCHANGED_ON(c, mempolicy_domain_set_balloon_target(c, hvm1, 100000,
                                                        false),
                 MEMPOLICY_ERROR_NOT_ACTOR, "actor is new-actor");
    UNCHANGED_ON(c, mempolicy_domain_enable_paging(c, hvm1),
                 MEMPOLICY_ERROR_NOT_ACTOR, "actor is new-actor");
    /* Giving it back: allowed. */
    shared = xsim_dominfo(&sim, hvm1, "shared_kb");
    assert_true(shared >= 4);
    assert_int_equal(mempolicy_domain_disable_sharing(c, hvm1), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "sharing"), 0);
    /* As Xen: what is shared stays shared until the guest writes it. */
    assert_int_equal(xsim_dominfo(&sim, hvm1, "shared_kb"), shared);
    assert_int_equal(mempolicy_domain_set_paging_target(c, hvm1, 0, false),
                     0);
    assert_int_equal(mempolicy_domain_disable_paging(c, hvm1), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paging"), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "paged_kb"), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm1, "crashed"), 0);
    assert_int_equal(mempolicy_domain_enable_paging(ctx, hvm1),
                     MEMPOLICY_ERROR_NOT_ACTOR);
    /* Idempotent, and for a context with no actor at all. */
    assert_int_equal(mempolicy_domain_disable_paging(ctx, hvm1), 0);
    assert_int_equal(mempolicy_domain_disable_sharing(ctx, hvm1), 0);
    test_ctx_free(c);
}

/*
 * A share refused for a stale handle says which one: the page written by
 * its guest after it was nominated (Xen's S/C_HANDLE_INVALID).
 */
static void stale_handles(void **state)
{
    uint64_t hs, hc;
    char *r;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm1, "xl-manual", ""),
                     0);
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm2, "xl-manual", ""),
                     0);
    assert_int_equal(mempolicy_domain_enable_sharing(ctx, hvm1), 0);
    assert_int_equal(mempolicy_domain_enable_sharing(ctx, hvm2), 0);

    /* The source changes between nominate and share. */
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm1, 5, &hs), 0);
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm2, 5, &hc), 0);
    r = xsim_hv(&sim, "guest_write %d 5", hvm1);
    assert_non_null(r);
    assert_string_equal(r, "ok");
    free(r);
    assert_int_equal(mempolicy_domain_share_gfns(ctx, hvm1, 5, hs, hvm2, 5,
                                                 hc),
                     MEMPOLICY_ERROR_STALE_SOURCE_HANDLE);
    check_detail(ctx, "source handle");
    assert_string_equal(mempolicy_strerror(
                            MEMPOLICY_ERROR_STALE_SOURCE_HANDLE),
                        "stale sharing handle for the source page");

    /* The client changes instead. */
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm1, 6, &hs), 0);
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm2, 6, &hc), 0);
    r = xsim_hv(&sim, "guest_write %d 6", hvm2);
    assert_non_null(r);
    assert_string_equal(r, "ok");
    free(r);
    assert_int_equal(mempolicy_domain_share_gfns(ctx, hvm1, 6, hs, hvm2, 6,
                                                 hc),
                     MEMPOLICY_ERROR_STALE_CLIENT_HANDLE);
    check_detail(ctx, "client handle");
    assert_string_equal(mempolicy_strerror(
                            MEMPOLICY_ERROR_STALE_CLIENT_HANDLE),
                        "stale sharing handle for the client page");

    /* Fresh handles share. */
    assert_int_equal(mempolicy_domain_nominate_gfn(ctx, hvm2, 6, &hc), 0);
    assert_int_equal(mempolicy_domain_share_gfns(ctx, hvm1, 6, hs, hvm2, 6,
                                                 hc), 0);
    assert_int_equal(mempolicy_domain_disable_sharing(ctx, hvm1), 0);
    assert_int_equal(mempolicy_domain_disable_sharing(ctx, hvm2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(setters_need_the_actor),
        cmocka_unit_test(balloon_target),
        cmocka_unit_test(paging),
        cmocka_unit_test(pager_exit_reported),
        cmocka_unit_test(missing_features),
        cmocka_unit_test(hypervisor_without_features),
        cmocka_unit_test(host_cannot),
        cmocka_unit_test(sharing),
        cmocka_unit_test(stale_handles),
        cmocka_unit_test(departing_actor_undoes),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
