/*
 * test-xen-backend.c: the xen backend's calls into libxenctrl, where
 * xensim cannot show them (its backend speaks the hv channel instead).
 *
 * This program defines the libxenctrl and libxenforeignmemory functions
 * the xen backend calls (and execution-free access()), so the library's
 * calls reach a small model of one guest here instead of /dev/xen: the
 * same preemption as tests/lib/test-commit-fail.c.  The model answers as
 * Xen 4.17 does (tools/libs/ctrl, xen/arch/x86/mm/mem_paging.c,
 * xen/common/vm_event.c, xen/arch/x86/domctl.c getpageframeinfo3) and
 * records every call, so the tests can check what the backend asked:
 *  - asking whether paging can be enabled sets nothing up: no
 *    xc_mem_paging_enable/disable, no other domctl (issue 16: the old
 *    enable/disable probe left the ring in a state later enables failed
 *    on); each refusal has its own message;
 *  - xenpaging is looked for under the running hypervisor's version
 *    (XENVER_version), not a fixed one;
 *  - page hashes: the frames' types are asked once, the frames holding a
 *    page are mapped in ONE xenforeignmemory_map call and unmapped before
 *    returning; holes are never mapped; a frame that fails to map is
 *    absent;
 *  - every errno of the sharing memops has its own message.
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>

#include "common.h"
#include "internal.h"

#define DOMID 5u
#define PAGE 4096u
#define NFRAMES 64u

/* ---- the model: one guest, dom0, and what was asked ------------------- */

static struct {
    /* the hypervisor */
    int paging_memop_errno; /* ENOSYS: built without; EBUSY: a ring */
    bool dom0_hvm;
    unsigned version; /* XENVER_version: major << 16 | minor */
    /* the guest */
    bool exists, hap;
    uint64_t pod_entries;
    bool hole[NFRAMES];       /* no page: XTAB */
    bool unmappable[NFRAMES]; /* a page Xen fails to map (ENOENT) */
    int memshr_errno;         /* what nominate/share fail with, or 0 */
    /* what was asked */
    unsigned ring_calls; /* paging enable/disable, other domctls */
    unsigned paging_memops, pfinfo_calls, map_calls, live_pages;
    xen_pfn_t mapped[NFRAMES];
    unsigned nmapped;
    char asked[8][128]; /* access() on xenpaging paths, in order */
    unsigned nasked;
    const char *installed; /* the one xenpaging path that exists */
} m;

static char xch_token, fmem_token;

xc_interface *xc_interface_open(xentoollog_logger *l, xentoollog_logger *d,
                                unsigned flags)
{
    return (xc_interface *)&xch_token;
}

int xc_interface_close(xc_interface *h)
{
    return 0;
}

int xc_version(xc_interface *h, int cmd, void *arg)
{
    return cmd == XENVER_version ? (int)m.version : -1;
}

int xc_domain_getinfolist(xc_interface *h, uint32_t first, unsigned max,
                          xc_domaininfo_t *info)
{
    memset(info, 0, sizeof(*info));
    if (first == 0) {
        info->domain = 0;
        info->flags = m.dom0_hvm ? XEN_DOMINF_hvm_guest : 0;
        return 1;
    }
    if (first > DOMID || !m.exists)
        return 0;
    info->domain = DOMID;
    info->flags = XEN_DOMINF_hvm_guest | (m.hap ? XEN_DOMINF_hap : 0);
    info->tot_pages = NFRAMES;
    info->max_pages = NFRAMES;
    return 1;
}

int xc_domain_get_pod_target(xc_interface *h, uint32_t domid, uint64_t *tot,
                             uint64_t *cache, uint64_t *entries)
{
    if (domid != DOMID || !m.exists) {
        errno = ESRCH;
        return -1;
    }
    *tot = NFRAMES;
    *cache = m.pod_entries ? 16 : 0;
    *entries = m.pod_entries;
    return 0;
}

/* XENMEM_paging_op: ENOSYS without CONFIG_MEM_PAGING; with it, ENODEV
 * when no ring is set up, else (a gfn that cannot exist) EINVAL. */
int xc_mem_paging_nominate(xc_interface *h, uint32_t domid, uint64_t gfn)
{
    m.paging_memops++;
    errno = m.paging_memop_errno ? m.paging_memop_errno : ENODEV;
    return -1;
}

int xc_mem_paging_enable(xc_interface *h, uint32_t domid, uint32_t *port)
{
    m.ring_calls++;
    errno = EPERM;
    return -1;
}

int xc_mem_paging_disable(xc_interface *h, uint32_t domid)
{
    m.ring_calls++;
    errno = EINVAL;
    return -1;
}

void *xc__hypercall_buffer_alloc(xc_interface *h, xc_hypercall_buffer_t *b,
                                 size_t size)
{
    b->hbuf = calloc(1, size);
    return b->hbuf;
}

void xc__hypercall_buffer_free(xc_interface *h, xc_hypercall_buffer_t *b)
{
    free(b->hbuf);
    b->hbuf = NULL;
}

/* Only getpageframeinfo3: anything else would set something up. */
int xc_domctl(xc_interface *h, struct xen_domctl *d)
{
    xen_pfn_t *arr;
    unsigned i;

    if (d->cmd != XEN_DOMCTL_getpageframeinfo3) {
        m.ring_calls++;
        errno = EPERM;
        return -1;
    }
    m.pfinfo_calls++;
    arr = d->u.getpageframeinfo3.array.p;
    for (i = 0; i < d->u.getpageframeinfo3.num; i++)
        if (arr[i] >= NFRAMES || m.hole[arr[i]])
            arr[i] |= XEN_DOMCTL_PFINFO_XTAB;
    return 0;
}

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *l,
                                               unsigned flags)
{
    return (xenforeignmemory_handle *)&fmem_token;
}

int xenforeignmemory_close(xenforeignmemory_handle *f)
{
    return 0;
}

/* A page's bytes: its frame number mod 4, so frames 4 apart are equal. */
void *xenforeignmemory_map(xenforeignmemory_handle *f, uint32_t dom, int prot,
                           size_t n, const xen_pfn_t arr[], int err[])
{
    unsigned char *p = malloc(n * PAGE);
    size_t i;

    m.map_calls++;
    if (!p)
        return NULL;
    for (i = 0; i < n; i++) {
        if (m.nmapped < NFRAMES)
            m.mapped[m.nmapped++] = arr[i];
        err[i] = arr[i] < NFRAMES && !m.hole[arr[i]] && !m.unmappable[arr[i]] ?
            0 :
            -ENOENT;
        memset(p + i * PAGE, (int)(arr[i] % 4), PAGE);
    }
    m.live_pages += n;
    return p;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *f, void *addr, size_t n)
{
    m.live_pages -= n;
    free(addr);
    return 0;
}

int xc_memshr_nominate_gfn(xc_interface *h, uint32_t domid, unsigned long gfn,
                           uint64_t *handle)
{
    if (m.memshr_errno) {
        errno = m.memshr_errno;
        return -1;
    }
    *handle = 1;
    return 0;
}

int xc_memshr_share_gfns(xc_interface *h, uint32_t sdom, unsigned long sgfn,
                         uint64_t sh, uint32_t cdom, unsigned long cgfn,
                         uint64_t ch)
{
    if (m.memshr_errno) {
        errno = m.memshr_errno;
        return -1;
    }
    return 0;
}

/* access() on a xenpaging path: recorded, and only m.installed exists. */
int access(const char *path, int mode)
{
    static int (*real)(const char *, int);
    size_t n = strlen(path);

    if (n >= 10 && !strcmp(path + n - 10, "/xenpaging")) {
        if (m.nasked < 8)
            snprintf(m.asked[m.nasked++], sizeof(m.asked[0]), "%s", path);
        if (m.installed && !strcmp(path, m.installed))
            return 0;
        errno = ENOENT;
        return -1;
    }
    if (!real)
        real = (int (*)(const char *, int))dlsym(RTLD_NEXT, "access");
    return real(path, mode);
}

/* ---- the library on this model ---------------------------------------- */

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;

static void reset(void)
{
    memset(&m, 0, sizeof(m));
    m.exists = true;
    m.hap = true;
    m.version = 4 << 16 | 17;
}

static int setup(void **state)
{
    static const char *const args[] = { NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    /* The context found xensim; give it the xen backend instead. */
    ctx->be->close(ctx);
    return mp_backend_xen_open(ctx) ? -1 : 0;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

static void expect_detail(const char *want)
{
    const char *got = mempolicy_last_error(ctx);

    if (!strstr(got, want))
        fail_msg("detail '%s' does not say '%s'", got, want);
    assert_null(strchr(got, '\n'));
}

/*
 * Whether paging can be enabled is asked without setting anything up,
 * in vm_event.c's order, and each refusal says its cause.
 */
static void paging_asked_without_a_ring(void **state)
{
    static const struct {
        const char *what;
        int memop_errno;
        bool dom0_hvm, hap, exists;
        uint64_t pod;
        int rc;
        const char *detail;
    } cases[] = {
        { "hypervisor without paging", ENOSYS, false, true, true, 0,
          MEMPOLICY_ERROR_NOSYS,
          "domain 5: paging: the hypervisor is built without memory "
          "paging; use a Xen built with CONFIG_MEM_PAGING (ENOSYS)" },
        { "a ring already", EBUSY, false, true, true, 0, MEMPOLICY_ERROR_BUSY,
          "a paging ring is set up already" },
        { "HVM dom0", 0, true, true, true, 0, MEMPOLICY_ERROR_NOTSUP,
          "dom0 is an HVM/PVH domain" },
        { "no HAP", 0, false, false, true, 0, MEMPOLICY_ERROR_NO_HAP,
          "(ENODEV)" },
        { "PoD guest", 0, false, true, true, 128, 0,
          "populate-on-demand (memory < maxmem); Xen does not page PoD "
          "guests: start it with memory = maxmem (EXDEV)" },
        { "no such domain", 0, false, true, false, 0, MEMPOLICY_ERROR_NO_DOMAIN,
          "domain 5" },
        { "all fine", 0, false, true, true, 0, 0, NULL },
    };
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;

        reset();
        m.paging_memop_errno = cases[i].memop_errno;
        m.dom0_hvm = cases[i].dom0_hvm;
        m.hap = cases[i].hap;
        m.exists = cases[i].exists;
        m.pod_entries = cases[i].pod;
        rc = ctx->be->pager_precheck(ctx, DOMID);
        if (cases[i].detail) {
            if (!rc)
                fail_msg("%s: not refused", cases[i].what);
            if (cases[i].rc)
                assert_int_equal(rc, cases[i].rc);
            expect_detail(cases[i].detail);
        } else if (rc) {
            fail_msg("%s: refused: %s", cases[i].what,
                     mempolicy_last_error(ctx));
        }
        /* Asked with the paging memop, nothing set up or torn down. */
        assert_int_equal(m.paging_memops, 1);
        if (m.ring_calls)
            fail_msg("%s: %u ring or other domctl calls", cases[i].what,
                     m.ring_calls);
    }
}

/*
 * xenpaging for the hypervisor that runs: Debian's versioned directory
 * first, then upstream's and libexec; none there is one clear line
 * naming where it looked (nothing is started).
 */
static void xenpaging_for_the_running_version(void **state)
{
    long pid = 0;
    int rc;

    reset();
    m.version = 4 << 16 | 19;
    unsetenv("MEMPOLICY_XENPAGING");
    rc = ctx->be->pager_start(ctx, DOMID, "/nonexistent/5.paging", &pid);
    assert_int_equal(rc, MEMPOLICY_ERROR_NOSYS);
    assert_int_equal(pid, 0);
    expect_detail("no xenpaging installed for Xen 4.19 (looked in "
                  "/usr/lib/xen-4.19/bin, /usr/lib/xen/bin, "
                  "/usr/libexec/xen/bin; MEMPOLICY_XENPAGING names another)");
    assert_int_equal(m.nasked, 3);
    assert_string_equal(m.asked[0], "/usr/lib/xen-4.19/bin/xenpaging");
    assert_string_equal(m.asked[1], "/usr/lib/xen/bin/xenpaging");
    assert_string_equal(m.asked[2], "/usr/libexec/xen/bin/xenpaging");
    assert_int_equal(m.ring_calls, 0);
}

/*
 * A chunk of frames: types asked once, the frames with a page mapped in
 * one call and unmapped before returning, holes never mapped, a page that
 * fails to map absent, equal bytes equal fingerprints.
 */
static void page_hashes_in_one_mapping(void **state)
{
    uint64_t h[NFRAMES];
    unsigned i, j;

    reset();
    for (i = 8; i < 24; i++)
        m.hole[i] = true; /* an MMIO hole */
    m.unmappable[40] = true;
    assert_int_equal(mempolicy_domain_page_hashes(ctx, DOMID, 0, NFRAMES, h),
                     0);
    assert_int_equal(m.pfinfo_calls, 1);
    assert_int_equal(m.map_calls, 1);
    assert_int_equal(m.nmapped, NFRAMES - 16);
    assert_int_equal(m.live_pages, 0);
    for (j = 0; j < m.nmapped; j++)
        assert_false(m.mapped[j] >= 8 && m.mapped[j] < 24);
    for (i = 0; i < NFRAMES; i++) {
        bool absent = (i >= 8 && i < 24) || i == 40;

        assert_int_equal(h[i] == MEMPOLICY_PAGE_ABSENT, absent);
    }
    assert_true(h[0] == h[4] && h[1] == h[5] && h[0] != h[1]);
    assert_true(h[3] == h[27] && h[2] != h[3]);

    /* Nothing with a page: nothing mapped at all. */
    reset();
    for (i = 8; i < 24; i++)
        m.hole[i] = true;
    assert_int_equal(mempolicy_domain_page_hashes(ctx, DOMID, 8, 16, h), 0);
    assert_int_equal(m.map_calls, 0);
    for (i = 0; i < 16; i++)
        assert_true(h[i] == MEMPOLICY_PAGE_ABSENT);
    assert_int_equal(m.ring_calls, 0);
}

/* Each errno of nominate and share says its cause (hverr.c). */
static void memop_errnos_explained(void **state)
{
    static const struct {
        int e;
        const char *name;
        bool share;
        const char *detail;
    } cases[] = {
        { EINVAL, "EINVAL", false, "no sharable page there" },
        { EEXIST, "EEXIST", false, "in use with another type" },
        { E2BIG, "E2BIG", false, "extra references" },
        { EBUSY, "EBUSY", false, "the domain is dying" },
        { ENOMEM, "ENOMEM", false, "Xen's own heap is out of memory" },
        { EPERM, "EPERM", false, "not privileged over this domain" },
        { EINVAL, "EINVAL", true, "the client domain has sharing disabled" },
        { ENOMEM, "ENOMEM", true, "Xen's own heap is out of memory" },
        { EPERM, "EPERM", true, "not privileged over these domains" },
        { ENOSYS, "ENOSYS", false,
          "sharing: the hypervisor is built without memory "
          "sharing" },
        { EOPNOTSUPP, "EOPNOTSUPP", true,
          "sharing: a PV guest, or a host CPU without "
          "Intel VT-x" },
        { ENODEV, "ENODEV", false,
          "sharing: the guest has no hardware-assisted "
          "paging" },
        { EXDEV, "EXDEV", true, "sharing: the guest has an IOMMU" },
    };
    char name[64];
    uint64_t handle;
    unsigned i;
    int rc;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reset();
        m.memshr_errno = cases[i].e;
        rc = cases[i].share ?
            mempolicy_domain_share_gfns(ctx, DOMID, 7, 1, DOMID, 9, 2) :
            mempolicy_domain_nominate_gfn(ctx, DOMID, 7, &handle);
        assert_int_not_equal(rc, 0);
        expect_detail(cases[i].detail);
        snprintf(name, sizeof(name), "(%s)", cases[i].name);
        expect_detail(name);
    }
    /* Xen's own codes for stale handles name which one. */
    reset();
    m.memshr_errno = -XENMEM_SHARING_OP_S_HANDLE_INVALID;
    assert_int_equal(mempolicy_domain_share_gfns(ctx, DOMID, 7, 1, DOMID, 9, 2),
                     MEMPOLICY_ERROR_STALE_SOURCE_HANDLE);
    m.memshr_errno = -XENMEM_SHARING_OP_C_HANDLE_INVALID;
    assert_int_equal(mempolicy_domain_share_gfns(ctx, DOMID, 7, 1, DOMID, 9, 2),
                     MEMPOLICY_ERROR_STALE_CLIENT_HANDLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paging_asked_without_a_ring),
        cmocka_unit_test(xenpaging_for_the_running_version),
        cmocka_unit_test(page_hashes_in_one_mapping),
        cmocka_unit_test(memop_errnos_explained),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
