/*
 * lowlevel.c: the mechanism calls actors drive: balloon target, paging
 * target, paging and sharing on/off, and the page-sharing primitives.
 *
 * Setters are refused unless the domain's actor is "xl-manual" or the
 * context's own actor (an actor claims its name with
 * mempolicy_ctx_set_actor), so that a user cannot fight an actor by hand
 * without saying so first.  Calls that only give memory back to the guest
 * (disable paging, disable sharing, paging target 0) are allowed to
 * anyone: an actor that lost a domain must still undo its mechanisms, and
 * nothing is taken from the guest by them.  The actor is checked inside
 * the same transaction that writes the mechanism node, so a concurrent
 * actor change cannot slip between check and write.  Feature problems are
 * reported by what is missing: PV guest, no HAP, hypervisor without the
 * feature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The actor check, done inside transaction t. */
static int check_actor_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                          uint32_t domid, const char *what)
{
    char path[64];
    char *actor;
    int rc;

    snprintf(path, sizeof(path), "/libxl/%u/memory-policy/actor", domid);
    rc = mp_xs_read(ctx, t, path, &actor);
    if (rc)
        return rc;
    if (actor && (!strcmp(actor, "xl-manual") ||
                  (ctx->actor && !strcmp(actor, ctx->actor)))) {
        free(actor);
        return 0;
    }
    rc = mp_err(ctx, MEMPOLICY_ERROR_NOT_ACTOR,
                "domain %u: actor is %s%.64s%s, not xl-manual: %s is "
                "refused (use mem-policy-set %u xl-manual to set it by "
                "hand)", domid, actor && *actor ? "" : "\"",
                actor ? actor : "", actor && *actor ? "" : "\"", what,
                domid);
    free(actor);
    return rc;
}

/* Outside a transaction: for calls that only talk to the hypervisor. */
static int check_actor(mempolicy_ctx *ctx, uint32_t domid, const char *what)
{
    return check_actor_tx(ctx, XBT_NULL, domid, what);
}

/* Paging and sharing need an HVM guest with HAP. */
static int check_hap(mempolicy_ctx *ctx, uint32_t domid,
                     const struct mp_hvinfo *hv, const char *what)
{
    if (!hv->hvm)
        return mp_err(ctx, MEMPOLICY_ERROR_PV,
                      "domain %u: %s needs an HVM guest; this is a PV guest",
                      domid, what);
    if (!hv->hap)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_HAP,
                      "domain %u: %s needs hardware-assisted paging "
                      "(EPT/NPT), which this guest does not have", domid,
                      what);
    return 0;
}

struct mech_write {
    uint32_t domid;
    const char *node;      /* under /local/domain/<id>/memory/ */
    const char *what;      /* for messages */
    int64_t kb;
    bool relative;
    bool allow_zero;
    uint64_t max_kb;       /* hypervisor's maxmem before the call */
    bool raise_maxmem;     /* balloon: raise maxmem first if needed */
    bool anyone;           /* gives memory back: no actor check */
    uint64_t result;
};

static int mech_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct mech_write *w = arg;
    char path[80], num[24];
    bool has_cur, has_max;
    uint64_t cur, static_max, v;
    int rc;

    if (!w->anyone) {
        rc = check_actor_tx(ctx, t, w->domid, w->what);
        if (rc)
            return rc;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
             w->domid);
    rc = mp_xs_read_kb(ctx, t, path, &has_max, &static_max);
    if (rc)
        return rc;
    if (!has_max)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "domain %u: no memory/static-max in xenstore",
                      w->domid);
    snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", w->domid,
             w->node);
    rc = mp_xs_read_kb(ctx, t, path, &has_cur, &cur);
    if (rc)
        return rc;
    if (!has_cur)
        cur = 0;

    if (!w->relative) {
        if (w->kb < 0 || (w->kb == 0 && !w->allow_zero))
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: %s %lld KiB must be positive",
                          w->domid, w->what, (long long)w->kb);
        v = (uint64_t)w->kb;
    } else if (w->kb < 0) {
        uint64_t d = (uint64_t)(-(w->kb + 1)) + 1;

        if (d > cur || (d == cur && !w->allow_zero))
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: %s %llu KiB %lld KiB underflows",
                          w->domid, w->what, (unsigned long long)cur,
                          (long long)w->kb);
        v = cur - d;
    } else {
        if ((uint64_t)w->kb > MP_KB_MAX - cur)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: %s %llu KiB +%lld KiB overflows",
                          w->domid, w->what, (unsigned long long)cur,
                          (long long)w->kb);
        v = cur + (uint64_t)w->kb;
        if (v == 0 && !w->allow_zero)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: %s would be zero", w->domid, w->what);
    }
    if (v > static_max)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: %s %llu KiB is above static-max %llu KiB",
                      w->domid, w->what, (unsigned long long)v,
                      (unsigned long long)static_max);

    if (w->raise_maxmem && v > w->max_kb) {
        /* As libxl: the guest may only balloon up to maxmem. */
        rc = ctx->be->setmaxmem(ctx, w->domid, v);
        if (rc)
            return rc;
    }
    snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
    rc = mp_xs_write(ctx, t, path, num);
    if (rc)
        return rc;
    w->result = v;
    return 0;
}

int mempolicy_domain_set_balloon_target(mempolicy_ctx *ctx, uint32_t domid,
                                        int64_t target_kb, bool relative)
{
    struct mech_write w = { .domid = domid, .node = "target",
                            .what = "balloon target", .kb = target_kb,
                            .relative = relative, .raise_maxmem = true };
    struct mp_hvinfo hv;
    int rc;

    rc = mp_domain_live(ctx, domid, &hv);
    if (rc)
        return rc;
    w.max_kb = hv.max_kb;
    return mp_transaction(ctx, mech_tx, &w);
}

static int get_mech(mempolicy_ctx *ctx, uint32_t domid, const char *node,
                    uint64_t *kb)
{
    char path[80];
    bool present;
    int rc;

    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", domid, node);
    rc = mp_xs_read_kb(ctx, XBT_NULL, path, &present, kb);
    if (rc)
        return rc;
    if (!present) {
        char *dom;

        snprintf(path, sizeof(path), "/local/domain/%u", domid);
        rc = mp_xs_read(ctx, XBT_NULL, path, &dom);
        if (rc)
            return rc;
        if (!dom)
            return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                          "domain %u does not exist", domid);
        free(dom);
        *kb = 0;
    }
    return 0;
}

int mempolicy_domain_get_balloon_target(mempolicy_ctx *ctx, uint32_t domid,
                                        uint64_t *target_kb)
{
    return get_mech(ctx, domid, "target", target_kb);
}

int mempolicy_domain_get_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       uint64_t *target_kb)
{
    return get_mech(ctx, domid, "target-tot_pages", target_kb);
}

int mempolicy_domain_set_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       int64_t target_kb, bool relative)
{
    struct mech_write w = { .domid = domid, .node = "target-tot_pages",
                            .what = "paging target", .kb = target_kb,
                            .relative = relative, .allow_zero = true };
    struct mp_hvinfo hv;
    int rc;

    /* 0 pages everything back in: anyone may (the departing actor). */
    w.anyone = target_kb == 0 && !relative;
    rc = mp_domain_live(ctx, domid, &hv);
    if (rc)
        return rc;
    /* Who may comes before what is possible (checked again when writing). */
    if (!w.anyone) {
        rc = check_actor(ctx, domid, "paging target");
        if (rc)
            return rc;
    }
    rc = check_hap(ctx, domid, &hv, "paging");
    if (rc)
        return rc;
    if (!hv.paging && !(target_kb == 0 && !relative))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "domain %u: paging is not enabled (enable it first)",
                      domid);
    rc = mp_transaction(ctx, mech_tx, &w);
    if (rc)
        return rc;
    if (w.result == 0 && hv.paging)
        /* 0: everything paged back in, the pager is no longer needed. */
        rc = ctx->be->paging_disable(ctx, domid);
    return rc;
}

/* Common shape of enable/disable: checks, then the idempotent switch. */
static int mech_switch(mempolicy_ctx *ctx, uint32_t domid, bool paging,
                       bool enable)
{
    const char *what = paging ? (enable ? "enabling paging"
                                        : "disabling paging")
                              : (enable ? "enabling sharing"
                                        : "disabling sharing");
    struct mp_hvinfo hv;
    bool on;
    int rc;

    rc = mp_domain_live(ctx, domid, &hv);
    if (rc)
        return rc;
    if (enable) {
        /* Disabling gives memory back: anyone may (the departing
         * actor undoing its own mechanism). */
        rc = check_actor(ctx, domid, what);
        if (rc)
            return rc;
    }
    rc = check_hap(ctx, domid, &hv, paging ? "paging" : "sharing");
    if (rc)
        return rc;
    on = paging ? hv.paging : hv.sharing;
    if (on == enable)
        return 0;
    if (paging)
        rc = enable ? ctx->be->paging_enable(ctx, domid)
                    : ctx->be->paging_disable(ctx, domid);
    else
        rc = ctx->be->sharing_control(ctx, domid, enable);
    if (rc == MEMPOLICY_ERROR_BUSY)
        rc = 0; /* raced with another enabler: the state is as asked */
    return rc;
}

int mempolicy_domain_enable_paging(mempolicy_ctx *ctx, uint32_t domid)
{
    return mech_switch(ctx, domid, true, true);
}

int mempolicy_domain_disable_paging(mempolicy_ctx *ctx, uint32_t domid)
{
    return mech_switch(ctx, domid, true, false);
}

int mempolicy_domain_enable_sharing(mempolicy_ctx *ctx, uint32_t domid)
{
    return mech_switch(ctx, domid, false, true);
}

int mempolicy_domain_disable_sharing(mempolicy_ctx *ctx, uint32_t domid)
{
    return mech_switch(ctx, domid, false, false);
}

int mempolicy_domain_page_hashes(mempolicy_ctx *ctx, uint32_t domid,
                                 uint64_t first_gfn, unsigned count,
                                 uint64_t *hashes)
{
    int rc = mp_check_domid(ctx, domid);

    if (rc)
        return rc;
    if (!hashes || count == 0 || count > 512)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "page_hashes: count %u must be 1..512", count);
    return ctx->be->page_hashes(ctx, domid, first_gfn, count, hashes);
}

int mempolicy_domain_nominate_gfn(mempolicy_ctx *ctx, uint32_t domid,
                                  uint64_t gfn, uint64_t *handle)
{
    int rc = mp_check_domid(ctx, domid);

    if (rc)
        return rc;
    if (!handle)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "nominate: no handle");
    return ctx->be->nominate(ctx, domid, gfn, handle);
}

int mempolicy_domain_share_gfns(mempolicy_ctx *ctx, uint32_t source_domid,
                                uint64_t source_gfn, uint64_t source_handle,
                                uint32_t client_domid, uint64_t client_gfn,
                                uint64_t client_handle)
{
    int rc = mp_check_domid(ctx, source_domid);

    if (!rc)
        rc = mp_check_domid(ctx, client_domid);
    if (rc)
        return rc;
    return ctx->be->share(ctx, source_domid, source_gfn, source_handle,
                          client_domid, client_gfn, client_handle);
}
