/*
 * ctx.c: the library context, error reporting and logging.
 *
 * A context is one xenstore connection (xs_open(0), so XENSTORED_PATH is
 * honoured) plus one hypervisor backend, chosen here once: if the store
 * carries /tool/xensim/hv-socket (readable by dom0 only) we are on the
 * simulated host and talk to its hypervisor channel; if it is absent we
 * use libxenctrl; a connection not allowed to read it is refused (PERM).
 * Errors are negative codes (as libxl) plus a one-line detail per
 * context, so that commands can print exactly what went wrong without the
 * library printing anything itself.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const error_names[] = {
    [0] = "success",
    [1] = "unspecified failure",
    [2] = "invalid argument",
    [3] = "out of memory",
    [4] = "no such domain",
    [5] = "domain is dying or shut down",
    [6] = "size out of range",
    [7] = "not the domain's actor",
    [8] = "not possible for a PV guest",
    [9] = "guest lacks hardware-assisted paging",
    [10] = "hypervisor built without the feature",
    [11] = "not supported by the hardware",
    [12] = "resource busy",
    [13] = "permission denied",
    [14] = "xenstore failure",
    [15] = "transaction kept conflicting",
    [16] = "malformed configuration",
    [17] = "no hypervisor interface",
    [18] = "no event pending",
    [19] = "stale sharing handle for the source page",
    [20] = "stale sharing handle for the client page",
    [21] = "the store went away",
    [22] = "the host cannot free this much memory",
    [23] = "no such reservation",
    [24] = "no such memory group",
};

const char *mempolicy_version(void)
{
    return MEMPOLICY_VERSION;
}

const char *mempolicy_strerror(int rc)
{
    unsigned i;

    if (rc > 0)
        return "unknown error";
    i = (unsigned)-rc;
    if (i >= sizeof(error_names) / sizeof(error_names[0]))
        return "unknown error";
    return error_names[i];
}

void mp_log(mempolicy_ctx *ctx, xentoollog_level lvl, const char *fmt, ...)
{
    va_list ap;

    if (!ctx || !ctx->lg)
        return;
    va_start(ap, fmt);
    xtl_logv(ctx->lg, lvl, -1, "libmempolicy", fmt, ap);
    va_end(ap);
}

int mp_err(mempolicy_ctx *ctx, int rc, const char *fmt, ...)
{
    va_list ap;

    assert(rc < 0);
    if (!ctx)
        return rc; /* context-free calls (config) report by code only */
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    mp_log(ctx, XTL_DEBUG, "%s (%s)", ctx->err, mempolicy_strerror(rc));
    return rc;
}

const char *mempolicy_last_error(mempolicy_ctx *ctx)
{
    return ctx ? ctx->err : "";
}

int mp_errno_to_rc(int e)
{
    switch (e) {
    case ESRCH: return MEMPOLICY_ERROR_NO_DOMAIN;
    case ENOSYS: return MEMPOLICY_ERROR_NOSYS;
    case EOPNOTSUPP: return MEMPOLICY_ERROR_NOTSUP;
    case ENODEV: return MEMPOLICY_ERROR_NO_HAP;
    case EXDEV:  /* PoD guest (paging), IOMMU (sharing): hverr.c */
    case EMLINK: return MEMPOLICY_ERROR_NOTSUP; /* IOMMU (paging) */
    case EBUSY: return MEMPOLICY_ERROR_BUSY;
    case EPERM:
    case EACCES: return MEMPOLICY_ERROR_PERM;
    case ENOMEM: return MEMPOLICY_ERROR_NOMEM;
    case EINVAL: return MEMPOLICY_ERROR_INVAL;
    case EAGAIN: return MEMPOLICY_ERROR_AGAIN;
    default: return MEMPOLICY_ERROR_FAIL;
    }
}

const char *mp_errno_name(int e)
{
    switch (e) {
    case ESRCH: return "ESRCH";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENODEV: return "ENODEV";
    case EXDEV: return "EXDEV";
    case EMLINK: return "EMLINK";
    case EBUSY: return "EBUSY";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case ENOENT: return "ENOENT";
    default: return "EIO";
    }
}

int mp_check_domid(mempolicy_ctx *ctx, uint32_t domid)
{
    if (domid >= MP_DOMID_LIMIT)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                      "domain %u: not a valid domain id (reserved)", domid);
    return 0;
}

#define MP_SIM_NODE "/tool/xensim/hv-socket"

/*
 * Choose the backend: the sim channel if the store advertises one, Xen
 * if the node is absent.  Only ENOENT means "absent": a connection that
 * may not read the node (an unprivileged domain's: xenstored answers
 * EACCES for a dom0-only node, and for a missing node under a dom0-only
 * parent alike) is refused here with PERM, on either kind of host, rather
 * than mistaken for a host without xensim, where it would only fail later
 * as "no hypervisor".  The library's data is dom0's, so such a connection
 * could do nothing useful anyway.
 */
static int pick_backend(mempolicy_ctx *ctx)
{
    unsigned len;
    char *sock = xs_read(ctx->xsh, XBT_NULL, MP_SIM_NODE, &len);
    const char *p;
    int rc;

    if (sock) {
        char *slash = strrchr(sock, '/');

        /* The simulated host's XEN_LIB_DIR: its sockets' directory. */
        if (!ctx->lock_dir && slash && slash != sock) {
            *slash = '\0';
            ctx->lock_dir = strdup(sock);
            *slash = '/';
        }
        rc = mp_backend_sim_open(ctx, sock);
        free(sock);
        return rc;
    }
    switch (errno) {
    case ENOENT:
        if (!ctx->lock_dir)
            ctx->lock_dir = strdup(MP_XEN_LIB_DIR);
        return mp_backend_xen_open(ctx);
    case EACCES:
    case EPERM:
        p = getenv("XENSTORED_PATH");
        return mp_err(ctx, MEMPOLICY_ERROR_PERM,
                      "permission denied: the store connection (%s) is an "
                      "unprivileged domain's (reading %s: %s); memory "
                      "policies are dom0's", p ? p : "default socket",
                      MP_SIM_NODE, mp_errno_name(errno));
    default:
        return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: reading %s: %s",
                      MP_SIM_NODE, strerror(errno));
    }
}

int mempolicy_ctx_alloc(mempolicy_ctx **pctx, unsigned flags,
                        xentoollog_logger *lg)
{
    mempolicy_ctx *ctx;
    const char *p;
    int rc;

    if (!pctx)
        return MEMPOLICY_ERROR_INVAL;
    *pctx = NULL;
    if (flags != 0)
        return MEMPOLICY_ERROR_INVAL;
    ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return MEMPOLICY_ERROR_NOMEM;
    ctx->lg = lg;
    ctx->xsh = xs_open(0);
    if (!ctx->xsh) {
        p = getenv("XENSTORED_PATH");

        mp_log(ctx, XTL_ERROR, "cannot connect to xenstore%s%s: %s",
               p ? " at " : "", p ? p : "", strerror(errno));
        free(ctx);
        return MEMPOLICY_ERROR_STORE;
    }
    p = getenv("MEMPOLICY_XEN_LIB_DIR");
    if (p && *p == '/')
        ctx->lock_dir = strdup(p);
    rc = pick_backend(ctx);
    if (!rc)
        mp_clock_init(ctx);
    if (rc) {
        mp_log(ctx, XTL_ERROR, "%s", ctx->err);
        xs_close(ctx->xsh);
        free(ctx);
        return rc;
    }
    assert(ctx->be);
    *pctx = ctx;
    return 0;
}

void mempolicy_ctx_free(mempolicy_ctx *ctx)
{
    if (!ctx)
        return;
    mp_events_free(ctx);
    mp_xsb_free(ctx);
    if (ctx->be)
        ctx->be->close(ctx);
    if (ctx->xsh)
        xs_close(ctx->xsh);
    free(ctx->actor);
    free(ctx->paging_dir);
    free(ctx->lock_dir);
    free(ctx);
}

const char *mempolicy_backend_name(mempolicy_ctx *ctx)
{
    return ctx->be->name;
}

int mempolicy_ctx_set_actor(mempolicy_ctx *ctx, const char *actor)
{
    const char *canon;
    char *copy = NULL;
    int rc;

    if (actor) {
        rc = mempolicy_actor_name_valid(actor, &canon);
        if (rc)
            return mp_err(ctx, rc, "invalid actor name '%s'", MP_Q(actor));
        if (!*canon)
            return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                          "a context cannot act for the empty actor");
        copy = strdup(canon);
        if (!copy)
            return MEMPOLICY_ERROR_NOMEM;
    }
    free(ctx->actor);
    ctx->actor = copy;
    return 0;
}

int mempolicy_set_paging_dir(mempolicy_ctx *ctx, const char *dir)
{
    char *copy;

    if (!dir || dir[0] != '/')
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "paging directory must be an absolute path");
    copy = strdup(dir);
    if (!copy)
        return MEMPOLICY_ERROR_NOMEM;
    free(ctx->paging_dir);
    ctx->paging_dir = copy;
    return 0;
}

double mempolicy_clock_speed(mempolicy_ctx *ctx)
{
    return ctx->be->clock_speed(ctx);
}
