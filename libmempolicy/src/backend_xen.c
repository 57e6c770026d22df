/*
 * backend_xen.c: the "xen" hypervisor backend, over libxenctrl.
 *
 * Used when the store is not xensim.  It opens libxenctrl lazily on the
 * first call that needs the hypervisor, so that a context on a machine
 * without Xen can still do everything that only needs xenstore; the
 * first hypervisor call there fails with NO_HYPERVISOR and a detail saying
 * why.  Paging is served by a pager, xenpaging, run detached for the
 * domain (pager.c has the lifecycle; the spawning is below).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "internal.h"

#define XEN_PAGE_KB 4u

struct xenbe {
    xc_interface *xch;
    xenforeignmemory_handle *fmem;
    bool tried;
    int open_errno;
};

static int xch(mempolicy_ctx *ctx, xc_interface **out)
{
    struct xenbe *x = ctx->be_priv;

    if (!x->tried) {
        x->tried = true;
        x->xch = xc_interface_open(ctx->lg, ctx->lg, 0);
        if (!x->xch)
            x->open_errno = errno;
    }
    if (!x->xch)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_HYPERVISOR,
                      "no Xen hypervisor interface (xc_interface_open: %s); "
                      "is this a Xen dom0 with privcmd loaded?",
                      strerror(x->open_errno));
    *out = x->xch;
    return 0;
}

static int xc_fail(mempolicy_ctx *ctx, const char *call, uint32_t domid)
{
    int e = errno;

    ctx->hv_errno = e;
    if (e == ENOSYS)
        return mp_err(ctx, MEMPOLICY_ERROR_NOSYS,
                      "domain %u: %s: the hypervisor was built without this "
                      "feature (ENOSYS)", domid, call);
    if (e == EOPNOTSUPP)
        return mp_err(ctx, MEMPOLICY_ERROR_NOTSUP,
                      "domain %u: %s: not supported on this hardware or "
                      "guest (EOPNOTSUPP)", domid, call);
    if (e == ENODEV)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_HAP,
                      "domain %u: %s: guest lacks hardware-assisted paging "
                      "(ENODEV)", domid, call);
    return mp_err(ctx, mp_errno_to_rc(e), "domain %u: %s: %s", domid, call,
                  strerror(e));
}

static void xen_close(mempolicy_ctx *ctx)
{
    struct xenbe *x = ctx->be_priv;

    /* Pagers are not ours to stop: they outlive the context. */
    if (x->fmem)
        xenforeignmemory_close(x->fmem);
    if (x->xch)
        xc_interface_close(x->xch);
    free(x);
    ctx->be_priv = NULL;
}

static int xen_list(mempolicy_ctx *ctx, uint32_t **domids, int *n)
{
    xc_interface *h = NULL;
    xc_domaininfo_t *info;
    uint32_t *out;
    int rc, got, i, cnt = 0;

    *domids = NULL;
    *n = 0;
    rc = xch(ctx, &h);
    if (rc)
        return rc;
    info = calloc(MP_DOMID_LIMIT, sizeof(*info));
    out = calloc(MP_DOMID_LIMIT, sizeof(*out));
    if (!info || !out) {
        free(info);
        free(out);
        return MEMPOLICY_ERROR_NOMEM;
    }
    got = xc_domain_getinfolist(h, 0, MP_DOMID_LIMIT, info);
    if (got < 0) {
        free(info);
        free(out);
        return xc_fail(ctx, "xc_domain_getinfolist", 0);
    }
    for (i = 0; i < got; i++)
        if (!(info[i].flags & XEN_DOMINF_dying))
            out[cnt++] = info[i].domain;
    free(info);
    *domids = out;
    *n = cnt;
    return 0;
}

static void fill_hvinfo(const xc_domaininfo_t *ip, struct mp_hvinfo *o)
{
    xc_domaininfo_t info = *ip;

    memset(o, 0, sizeof(*o));
    o->domid = info.domain;
    o->hvm = info.flags & XEN_DOMINF_hvm_guest;
    o->hap = info.flags & XEN_DOMINF_hap;
    o->dying = info.flags & XEN_DOMINF_dying;
    o->shutdown = info.flags & XEN_DOMINF_shutdown;
    o->tot_kb = info.tot_pages * XEN_PAGE_KB;
    o->max_kb = info.max_pages * XEN_PAGE_KB;
    o->vcpus = info.max_vcpu_id + 1;
    o->paged_kb = info.paged_pages * XEN_PAGE_KB;
    o->shared_kb = info.shr_pages * XEN_PAGE_KB;
    /* Xen has no query for these: paging is on while a pager is
     * recorded (pager.c), not while pages happen to be out. */
    o->paging = false;
    o->sharing = info.shr_pages != 0;
}

static int xen_dominfo(mempolicy_ctx *ctx, uint32_t domid,
                       struct mp_hvinfo *o)
{
    xc_interface *h = NULL;
    xc_domaininfo_t info;
    int rc;

    memset(o, 0, sizeof(*o));
    rc = xch(ctx, &h);
    if (rc)
        return rc;
    if (xc_domain_getinfolist(h, domid, 1, &info) != 1 ||
        info.domain != domid)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                      "domain %u does not exist", domid);
    fill_hvinfo(&info, o);
    return 0;
}

/* Every domain in one hypercall, as xl list does. */
static int xen_list_info(mempolicy_ctx *ctx, struct mp_hvinfo **out, int *n)
{
    xc_interface *h = NULL;
    xc_domaininfo_t *info;
    struct mp_hvinfo *o;
    int rc, got, i, cnt = 0;

    *out = NULL;
    *n = 0;
    rc = xch(ctx, &h);
    if (rc)
        return rc;
    info = calloc(MP_DOMID_LIMIT, sizeof(*info));
    if (!info)
        return MEMPOLICY_ERROR_NOMEM;
    got = xc_domain_getinfolist(h, 0, MP_DOMID_LIMIT, info);
    if (got < 0) {
        free(info);
        return xc_fail(ctx, "xc_domain_getinfolist", 0);
    }
    o = calloc(got ? (size_t)got : 1, sizeof(*o));
    if (!o) {
        free(info);
        return MEMPOLICY_ERROR_NOMEM;
    }
    for (i = 0; i < got; i++)
        if (!(info[i].flags & XEN_DOMINF_dying))
            fill_hvinfo(&info[i], &o[cnt++]);
    free(info);
    *out = o;
    *n = cnt;
    return 0;
}

static int xen_physinfo(mempolicy_ctx *ctx, mempolicy_physinfo *o)
{
    xc_interface *h = NULL;
    xc_physinfo_t pi;
    long freed, used;
    int rc;

    memset(o, 0, sizeof(*o));
    rc = xch(ctx, &h);
    if (rc)
        return rc;
    memset(&pi, 0, sizeof(pi));
    if (xc_physinfo(h, &pi))
        return xc_fail(ctx, "xc_physinfo", 0);
    o->total_kb = pi.total_pages * XEN_PAGE_KB;
    o->free_kb = pi.free_pages * XEN_PAGE_KB;
    freed = xc_sharing_freed_pages(h);
    used = xc_sharing_used_frames(h);
    o->freed_by_sharing_kb = freed > 0 ? (uint64_t)freed * XEN_PAGE_KB : 0;
    o->shared_kb = used > 0 ? (uint64_t)used * XEN_PAGE_KB : 0;
    return 0;
}

static int xen_setmaxmem(mempolicy_ctx *ctx, uint32_t domid, uint64_t kb)
{
    xc_interface *h = NULL;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (xc_domain_setmaxmem(h, domid, kb))
        return xc_fail(ctx, "xc_domain_setmaxmem", domid);
    return 0;
}

static int xen_set_pod_target(mempolicy_ctx *ctx, uint32_t domid,
                              uint64_t pages)
{
    xc_interface *h = NULL;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    /* As libxl_set_memory_target: the counts it returns are not needed. */
    if (xc_domain_set_pod_target(h, domid, pages, NULL, NULL, NULL))
        return xc_fail(ctx, "xc_domain_set_pod_target", domid);
    return 0;
}

/*
 * Where the installed Xen keeps xenpaging: Debian installs Xen's helpers
 * per version (/usr/lib/xen-<major>.<minor>/bin), upstream's default is
 * /usr/lib/xen/bin, Fedora and newer upstream builds use libexec.  The
 * version is the running hypervisor's (XENVER_version), since the tools
 * must match it.  MEMPOLICY_XENPAGING overrides.
 */
static int find_pager(mempolicy_ctx *ctx, xc_interface *h, char *out,
                      size_t len)
{
    static const char *const known[] = {
        "/usr/lib/xen/bin/xenpaging",
        "/usr/libexec/xen/bin/xenpaging",
    };
    const char *env = getenv("MEMPOLICY_XENPAGING");
    int ver = xc_version(h, XENVER_version, NULL);
    unsigned i;

    if (env && *env == '/') {
        snprintf(out, len, "%s", env);
        return 0;
    }
    if (ver > 0) {
        snprintf(out, len, "/usr/lib/xen-%d.%d/bin/xenpaging", ver >> 16,
                 ver & 0xffff);
        if (!access(out, X_OK))
            return 0;
    }
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (!access(known[i], X_OK)) {
            snprintf(out, len, "%s", known[i]);
            return 0;
        }
    }
    return mp_err(ctx, MEMPOLICY_ERROR_NOSYS,
                  "no xenpaging installed for Xen %d.%d (looked in "
                  "/usr/lib/xen-%d.%d/bin, /usr/lib/xen/bin, "
                  "/usr/libexec/xen/bin; MEMPOLICY_XENPAGING names another)",
                  ver >> 16, ver & 0xffff, ver >> 16, ver & 0xffff);
}

/*
 * What xen/common/vm_event.c would refuse, asked without setting
 * anything up (no enable/disable probe: a ring enabled and torn down
 * again is not what xenpaging expects to find).  Read-only, in Xen's
 * order: the paging memop on a gfn that cannot exist answers ENOSYS from
 * a hypervisor without CONFIG_MEM_PAGING, ENODEV when no ring is set up
 * and EBUSY (nominate's invalid mfn) when one is (mem_paging.c); then
 * an HVM dom0 (EOPNOTSUPP), no HAP (ENODEV), a PoD guest (EXDEV).  An
 * IOMMU (EMLINK) cannot be asked for: the pager exits with it.
 */
static int xen_pager_precheck(mempolicy_ctx *ctx, uint32_t domid)
{
    xc_domaininfo_t dom0, dom;
    uint64_t tot = 0, cache = 0, entries = 0;
    xc_interface *h = NULL;
    int e = 0, rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (xc_mem_paging_nominate(h, domid, (1ull << 52) - 1) < 0 &&
        errno != ENODEV)
        e = errno;
    else if (xc_domain_getinfolist(h, 0, 1, &dom0) == 1 &&
             (dom0.flags & XEN_DOMINF_hvm_guest))
        e = EOPNOTSUPP;
    else if (xc_domain_getinfolist(h, domid, 1, &dom) != 1 ||
             dom.domain != domid)
        e = ESRCH;
    else if (!(dom.flags & XEN_DOMINF_hap))
        e = ENODEV;
    else if (!xc_domain_get_pod_target(h, domid, &tot, &cache, &entries) &&
             (cache || entries))
        e = EXDEV;
    if (!e)
        return 0;
    errno = e;
    return mp_hv_mech_err(ctx, domid, true,
                          xc_fail(ctx, "XEN_DOMCTL_VM_EVENT_OP_PAGING",
                                  domid));
}

/*
 * xenpaging -d <domid> -f <pagefile>, as docs/misc/xenpaging.txt runs it,
 * but detached as a daemon is (pager_proc.c), its output appended to
 * XEN_LOG_DIR/xenpaging-<domid>.log.
 */
static int xen_pager_start(mempolicy_ctx *ctx, uint32_t domid,
                           const char *pagefile, long *pid)
{
    xc_interface *h = NULL;
    char pager[256], dom[16], logfile[64];
    char *argv[] = { "xenpaging", "-d", dom, "-f", (char *)pagefile, NULL };
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    rc = find_pager(ctx, h, pager, sizeof(pager));
    if (rc)
        return rc;
    snprintf(dom, sizeof(dom), "%u", domid);
    snprintf(logfile, sizeof(logfile), "/var/log/xen/xenpaging-%u.log",
             domid);
    return mp_pager_spawn(ctx, pager, argv, pagefile, logfile, pid);
}

static int xen_pager_status(mempolicy_ctx *ctx, uint32_t domid, long pid,
                            const char *pagefile, struct mp_pager_state *st)
{
    mp_pager_proc_status(pid, pagefile, st);
    return 0;
}

static int xen_pager_stop(mempolicy_ctx *ctx, uint32_t domid, long pid)
{
    return mp_pager_proc_signal(ctx, domid, pid, SIGTERM);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (long)(ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

/*
 * Xen says nothing when pages are back in, and xenpaging writes nothing:
 * the paged-out count is looked at every 100 ms until it is 0, as
 * libxl_wait_for_memory_target (libxl_mem.c) looks at tot_pages.  A
 * pager's exit is waited for on a pidfd (pager_proc.c).
 */
static int xen_pager_wait(mempolicy_ctx *ctx, uint32_t domid, long pid,
                          const char *pagefile, bool paged_in,
                          uint64_t max_ms, struct mp_pager_state *st)
{
    xc_interface *h = NULL;
    uint64_t start = mp_clock_now_ms(ctx);
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (!paged_in) {
        mp_pager_proc_wait_exit(pid, pagefile, max_ms, st);
        return 0;
    }
    for (;;) {
        xc_domaininfo_t info;

        mp_pager_proc_status(pid, pagefile, st);
        if (xc_domain_getinfolist(h, domid, 1, &info) == 1 &&
            info.domain == domid)
            st->paged_kb = info.paged_pages * XEN_PAGE_KB;
        if (!st->running || !st->paged_kb ||
            mp_clock_now_ms(ctx) - start >= max_ms)
            return 0;
        sleep_ms(100);
    }
}

/* XEN_VM_EVENT_DISABLE, only for a ring whose pager has exited. */
static int xen_paging_disable(mempolicy_ctx *ctx, uint32_t domid)
{
    xc_interface *h = NULL;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (xc_mem_paging_disable(h, domid))
        return xc_fail(ctx, "xc_mem_paging_disable", domid);
    return 0;
}

static int xen_sharing_control(mempolicy_ctx *ctx, uint32_t domid,
                               bool enable)
{
    xc_interface *h = NULL;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (xc_memshr_control(h, domid, enable))
        return xc_fail(ctx, "xc_memshr_control", domid);
    return 0;
}

/* FNV-1a over a page: a fingerprint for finding candidates, not a proof
 * of equality (sharing itself compares nothing; the actor must). */
static uint64_t page_hash(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* The foreign-memory handle, opened on first use. */
static int fmem(mempolicy_ctx *ctx, xenforeignmemory_handle **out)
{
    struct xenbe *x = ctx->be_priv;
    xc_interface *h = NULL;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (!x->fmem) {
        x->fmem = xenforeignmemory_open(ctx->lg, 0);
        if (!x->fmem)
            return mp_err(ctx, MEMPOLICY_ERROR_NO_HYPERVISOR,
                          "xenforeignmemory_open: %s", strerror(errno));
    }
    *out = x->fmem;
    return 0;
}

/* One guest page mapped read-only, or NULL with the error set in *rc. */
static void *map_page(mempolicy_ctx *ctx, xenforeignmemory_handle *fm,
                      uint32_t domid, uint64_t gfn, int *rc)
{
    xen_pfn_t pfn = (xen_pfn_t)gfn;
    int err = 0;
    void *m = xenforeignmemory_map(fm, domid, PROT_READ, 1, &pfn, &err);

    if (!m || err) {
        if (m)
            xenforeignmemory_unmap(fm, m, 1);
        errno = err ? -err : errno;
        *rc = xc_fail(ctx, "xenforeignmemory_map", domid);
        return NULL;
    }
    return m;
}

static int xen_page_compare(mempolicy_ctx *ctx, uint32_t dom1,
                            uint64_t gfn1, uint32_t dom2, uint64_t gfn2,
                            bool *same)
{
    xenforeignmemory_handle *fm = NULL;
    void *p1, *p2;
    int rc = fmem(ctx, &fm);

    if (rc)
        return rc;
    p1 = map_page(ctx, fm, dom1, gfn1, &rc);
    if (!p1)
        return rc;
    p2 = map_page(ctx, fm, dom2, gfn2, &rc);
    if (p2) {
        *same = !memcmp(p1, p2, XEN_PAGE_KB * 1024);
        xenforeignmemory_unmap(fm, p2, 1);
    }
    xenforeignmemory_unmap(fm, p1, 1);
    return rc;
}

/*
 * Which of n frames hold a page: XEN_DOMCTL_getpageframeinfo3 (at most
 * 1024 frames a call), as migration asks before mapping a batch
 * (tools/libs/guest/xg_sr_save.c write_batch, xc_get_pfn_type_batch,
 * which libxenctrl does not declare publicly: the domctl is made here
 * through xc_domctl).  XTAB (a hole, nothing there), XALLOC and BROKEN
 * frames are not to be mapped.  Note that Xen looks frames up with
 * P2M_ALLOC (xen/arch/x86/domctl.c): a PoD entry is populated, which is
 * why scanners leave PoD domains alone (mempolicy_domain_frames).
 */
static int pfn_types(mempolicy_ctx *ctx, xc_interface *h, uint32_t domid,
                     uint64_t first, unsigned n, bool *present)
{
    struct xen_domctl domctl;
    unsigned i;
    int rc;
    DECLARE_HYPERCALL_BUFFER(xen_pfn_t, arr);

    arr = xc_hypercall_buffer_alloc(h, arr, n * sizeof(*arr));
    if (!arr)
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "hypercall buffer");
    for (i = 0; i < n; i++)
        arr[i] = (xen_pfn_t)(first + i);
    memset(&domctl, 0, sizeof(domctl));
    domctl.cmd = XEN_DOMCTL_getpageframeinfo3;
    domctl.domain = (domid_t)domid;
    domctl.u.getpageframeinfo3.num = n;
    set_xen_guest_handle(domctl.u.getpageframeinfo3.array, arr);
    rc = xc_domctl(h, &domctl);
    if (rc) {
        xc_hypercall_buffer_free(h, arr);
        return xc_fail(ctx, "XEN_DOMCTL_getpageframeinfo3", domid);
    }
    for (i = 0; i < n; i++) {
        xen_pfn_t t = arr[i] & XEN_DOMCTL_PFINFO_LTAB_MASK;

        present[i] = t != XEN_DOMCTL_PFINFO_XTAB &&
                     t != XEN_DOMCTL_PFINFO_XALLOC &&
                     t != XEN_DOMCTL_PFINFO_BROKEN;
    }
    xc_hypercall_buffer_free(h, arr);
    return 0;
}

/*
 * The frames that hold a page are mapped in ONE xenforeignmemory_map
 * call (its per-page errors mark the frames that could not be mapped:
 * MEMPOLICY_PAGE_ABSENT), hashed, and unmapped at once: a page a dom0
 * process keeps mapped holds an extra reference, and Xen's nominate then
 * refuses it (page_make_sharable, E2BIG).
 */
static int xen_page_hashes(mempolicy_ctx *ctx, uint32_t domid,
                           uint64_t first_gfn, unsigned count,
                           uint64_t *hashes)
{
    xenforeignmemory_handle *fm = NULL;
    bool present[MEMPOLICY_PAGE_HASHES_MAX];
    xen_pfn_t pfns[MEMPOLICY_PAGE_HASHES_MAX];
    int errs[MEMPOLICY_PAGE_HASHES_MAX];
    xc_interface *h = NULL;
    unsigned i, n = 0, k;
    unsigned char *m;
    int rc = fmem(ctx, &fm);

    if (!rc)
        rc = xch(ctx, &h);
    if (!rc)
        rc = pfn_types(ctx, h, domid, first_gfn, count, present);
    if (rc)
        return rc;
    for (i = 0; i < count; i++) {
        hashes[i] = MEMPOLICY_PAGE_ABSENT;
        if (present[i])
            pfns[n++] = (xen_pfn_t)(first_gfn + i);
    }
    if (!n)
        return 0;
    m = xenforeignmemory_map(fm, domid, PROT_READ, n, pfns, errs);
    if (!m)
        return xc_fail(ctx, "xenforeignmemory_map", domid);
    for (i = 0, k = 0; i < count; i++) {
        if (!present[i])
            continue;
        if (!errs[k])
            hashes[i] = page_hash(m + (size_t)k * XEN_PAGE_KB * 1024,
                                  XEN_PAGE_KB * 1024);
        k++;
    }
    xenforeignmemory_unmap(fm, m, n);
    return 0;
}

/*
 * xc_domain_maximum_gpfn (tools/libs/ctrl/xc_domain.c: XENMEM_maximum_gpfn,
 * the p2m's max_mapped_pfn) and xc_domain_get_pod_target's outstanding
 * entries (EINVAL for a PV guest, which has none).
 */
static int xen_frames(mempolicy_ctx *ctx, uint32_t domid, uint64_t *max_gpfn,
                      uint64_t *pod_entries)
{
    xc_interface *h = NULL;
    xen_pfn_t gpfn = 0;
    uint64_t tot = 0, cache = 0, ents = 0;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (xc_domain_maximum_gpfn(h, domid, &gpfn) < 0)
        return xc_fail(ctx, "xc_domain_maximum_gpfn", domid);
    *max_gpfn = gpfn;
    if (xc_domain_get_pod_target(h, domid, &tot, &cache, &ents) < 0) {
        if (errno != EINVAL && errno != EOPNOTSUPP)
            return xc_fail(ctx, "xc_domain_get_pod_target", domid);
        ents = 0;
    }
    *pod_entries = ents;
    return 0;
}

static int xen_nominate(mempolicy_ctx *ctx, uint32_t domid, uint64_t gfn,
                        uint64_t *handle)
{
    xc_interface *h = NULL;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (xc_memshr_nominate_gfn(h, domid, (unsigned long)gfn, handle))
        return xc_fail(ctx, "xc_memshr_nominate_gfn", domid);
    return 0;
}

static int xen_share(mempolicy_ctx *ctx, uint32_t sdom, uint64_t sgfn,
                     uint64_t shandle, uint32_t cdom, uint64_t cgfn,
                     uint64_t chandle)
{
    xc_interface *h = NULL;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    if (!xc_memshr_share_gfns(h, sdom, (unsigned long)sgfn, shandle, cdom,
                              (unsigned long)cgfn, chandle))
        return 0;
    /* The memop's own codes reach us as positive errnos (10 and 9). */
    if (errno == -XENMEM_SHARING_OP_S_HANDLE_INVALID)
        return mp_err(ctx, MEMPOLICY_ERROR_STALE_SOURCE_HANDLE,
                      "domain %u gfn %llu: source handle %llu is stale "
                      "(XENMEM_SHARING_OP_S_HANDLE_INVALID)", sdom,
                      (unsigned long long)sgfn,
                      (unsigned long long)shandle);
    if (errno == -XENMEM_SHARING_OP_C_HANDLE_INVALID)
        return mp_err(ctx, MEMPOLICY_ERROR_STALE_CLIENT_HANDLE,
                      "domain %u gfn %llu: client handle %llu is stale "
                      "(XENMEM_SHARING_OP_C_HANDLE_INVALID)", cdom,
                      (unsigned long long)cgfn,
                      (unsigned long long)chandle);
    return xc_fail(ctx, "xc_memshr_share_gfns", sdom);
}

static double xen_clock_speed(mempolicy_ctx *ctx)
{
    return 1.0;
}

static const struct mp_backend_ops xen_ops = {
    .name = "xen",
    .close = xen_close,
    .list = xen_list,
    .dominfo = xen_dominfo,
    .list_info = xen_list_info,
    .physinfo = xen_physinfo,
    .setmaxmem = xen_setmaxmem,
    .set_pod_target = xen_set_pod_target,
    .pager_start = xen_pager_start,
    .pager_precheck = xen_pager_precheck,
    .pager_status = xen_pager_status,
    .pager_stop = xen_pager_stop,
    .pager_wait = xen_pager_wait,
    .paging_disable = xen_paging_disable,
    .sharing_control = xen_sharing_control,
    .page_hashes = xen_page_hashes,
    .page_compare = xen_page_compare,
    .frames = xen_frames,
    .nominate = xen_nominate,
    .share = xen_share,
    .clock_speed = xen_clock_speed,
};

int mp_backend_xen_open(mempolicy_ctx *ctx)
{
    struct xenbe *x = calloc(1, sizeof(*x));

    if (!x)
        return MEMPOLICY_ERROR_NOMEM;
    ctx->be = &xen_ops;
    ctx->be_priv = x;
    return 0;
}
