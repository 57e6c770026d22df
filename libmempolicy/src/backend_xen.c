/*
 * backend_xen.c: the "xen" hypervisor backend, over libxenctrl.
 *
 * Used when the store is not xensim.  It opens libxenctrl lazily on the
 * first call that needs the hypervisor, so that a context on a machine
 * without Xen can still do everything that only needs xenstore; the
 * first hypervisor call there fails with NO_HYPERVISOR and a detail saying
 * why.  Paging is started by running the pager (xenpaging) for the domain,
 * as libxl would; when no pager is installed the hypercall is probed so
 * that the error names what is really missing (Debian's Xen: ENOSYS).
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
#include <unistd.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "internal.h"

#define XEN_PAGE_KB 4u
#define MP_MAX_PAGERS 64

struct xenbe {
    xc_interface *xch;
    xenforeignmemory_handle *fmem;
    bool tried;
    int open_errno;
    pid_t pagers[MP_MAX_PAGERS];
    uint32_t pager_dom[MP_MAX_PAGERS];
    int npagers;
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
    int i;

    for (i = 0; i < x->npagers; i++) {
        kill(x->pagers[i], SIGTERM);
        waitpid(x->pagers[i], NULL, 0);
    }
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
    o->paging = info.paged_pages != 0;
    /* Xen has no query for these: the store and the pager know them. */
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
 * Where distributions install the pager: Debian keeps Xen's helpers in a
 * versioned directory, upstream's default is /usr/lib/xen/bin, Fedora and
 * newer upstream builds use libexec.  MEMPOLICY_XENPAGING overrides.
 */
static const char *find_pager(void)
{
    static const char *const known[] = {
        "/usr/lib/xen-4.17/bin/xenpaging",
        "/usr/lib/xen/bin/xenpaging",
        "/usr/libexec/xen/bin/xenpaging",
    };
    const char *env = getenv("MEMPOLICY_XENPAGING");
    unsigned i;

    if (env && *env)
        return env;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (!access(known[i], X_OK))
            return known[i];
    return NULL;
}

static int xen_paging_enable(mempolicy_ctx *ctx, uint32_t domid)
{
    struct xenbe *x = ctx->be_priv;
    xc_interface *h = NULL;
    uint32_t port;
    char dom[16], file[4096];
    const char *pager;
    pid_t pid;
    int rc = xch(ctx, &h);

    if (rc)
        return rc;
    /*
     * Probe the hypercall first, and undo it at once: a pager started on a
     * hypervisor without paging would only fail later, in its own
     * process, and the caller would have been told it worked.
     */
    if (xc_mem_paging_enable(h, domid, &port) < 0)
        return xc_fail(ctx, "xc_mem_paging_enable", domid);
    xc_mem_paging_disable(h, domid);
    pager = find_pager();
    if (!pager)
        return mp_err(ctx, MEMPOLICY_ERROR_NOSYS,
                      "domain %u: no xenpaging installed (set "
                      "MEMPOLICY_XENPAGING to its path)", domid);
    if (x->npagers >= MP_MAX_PAGERS)
        return mp_err(ctx, MEMPOLICY_ERROR_BUSY,
                      "too many pagers started by this context");
    snprintf(dom, sizeof(dom), "%u", domid);
    snprintf(file, sizeof(file), "%s/%u.paging",
             ctx->paging_dir ? ctx->paging_dir : "/var/lib/xen/xenpaging",
             domid);
    pid = fork();
    if (pid < 0)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL, "fork: %s", strerror(errno));
    if (pid == 0) {
        execl(pager, "xenpaging", "-d", dom, "-f", file,
              (char *)NULL);
        _exit(127);
    }
    x->pagers[x->npagers] = pid;
    x->pager_dom[x->npagers++] = domid;
    return 0;
}

static int xen_paging_disable(mempolicy_ctx *ctx, uint32_t domid)
{
    struct xenbe *x = ctx->be_priv;
    xc_interface *h = NULL;
    int i, rc = xch(ctx, &h);

    if (rc)
        return rc;
    for (i = 0; i < x->npagers; i++) {
        if (x->pager_dom[i] != domid)
            continue;
        /* xenpaging pages everything back in when it is told to stop. */
        kill(x->pagers[i], SIGTERM);
        waitpid(x->pagers[i], NULL, 0);
        x->pagers[i] = x->pagers[x->npagers - 1];
        x->pager_dom[i] = x->pager_dom[--x->npagers];
        return 0;
    }
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

static int xen_page_hashes(mempolicy_ctx *ctx, uint32_t domid,
                           uint64_t first_gfn, unsigned count,
                           uint64_t *hashes)
{
    xenforeignmemory_handle *fm = NULL;
    unsigned i;
    int rc = fmem(ctx, &fm);

    if (rc)
        return rc;
    for (i = 0; i < count; i++) {
        void *m = map_page(ctx, fm, domid, first_gfn + i, &rc);

        if (!m)
            return rc;
        hashes[i] = page_hash(m, XEN_PAGE_KB * 1024);
        xenforeignmemory_unmap(fm, m, 1);
    }
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
    .paging_enable = xen_paging_enable,
    .paging_disable = xen_paging_disable,
    .sharing_control = xen_sharing_control,
    .page_hashes = xen_page_hashes,
    .page_compare = xen_page_compare,
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
