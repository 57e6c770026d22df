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
#include "libmempolicy_actor.h"
#include "memwrite.h"
#include "paths.h"

/* The actor check, done inside transaction t. */
static int check_actor_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                          uint32_t domid, const char *what)
{
    char path[MP_PATH_MAX];
    char *actor;
    int rc;

    rc = mp_xs_read(ctx, t, mp_path_policy(path, domid, MP_POL_ACTOR),
                    &actor);
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

/*
 * Before paging everything back in: room under maxmem for every paged-out
 * page (Xen's p2m_mem_paging_prep allocates each page to the domain, so a
 * maxmem lowered by an enforced target would make the page-in fail).  The
 * pages are the guest's own: giving them back is never refused.
 */
static int room_to_page_in(mempolicy_ctx *ctx, uint32_t domid)
{
    struct mp_hvinfo hv;
    uint64_t need;
    int rc = ctx->be->dominfo(ctx, domid, &hv);

    if (rc || !hv.paged_kb)
        return rc;
    need = mp_mem_maxmem_for_tot(hv.tot_kb + hv.paged_kb);
    return need > hv.max_kb ? ctx->be->setmaxmem(ctx, domid, need) : 0;
}

struct mech_write {
    uint32_t domid;
    const char *node;      /* under /local/domain/<id>/memory/ */
    const char *what;      /* for messages */
    int64_t kb;
    bool relative;
    bool anyone;           /* gives memory back: no actor check */
    uint64_t max_kb;       /* the hypervisor's maxmem before */
    bool maxmem_changed;
    uint64_t result;
};

/* The paging target (xenpaging's node): 0 allowed, up to static-max. */
static int mech_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct mech_write *w = arg;
    char path[MP_PATH_MAX], num[24];
    bool has_cur, has_max;
    uint64_t cur, static_max, v;
    int rc;

    if (!w->anyone) {
        rc = check_actor_tx(ctx, t, w->domid, w->what);
        if (rc)
            return rc;
    }
    rc = mp_xs_read_kb(ctx, t, mp_path_mem(path, w->domid,
                                           MP_MEM_STATIC_MAX),
                       &has_max, &static_max);
    if (rc)
        return rc;
    if (!has_max)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "domain %u: no memory/static-max in xenstore",
                      w->domid);
    rc = mp_xs_read_kb(ctx, t, mp_path_mem(path, w->domid, w->node),
                       &has_cur, &cur);
    if (rc)
        return rc;
    if (!has_cur)
        cur = 0;

    if (!w->relative) {
        if (w->kb < 0)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: %s %lld KiB must be positive",
                          w->domid, w->what, (long long)w->kb);
        v = (uint64_t)w->kb;
    } else {
        rc = mp_kb_relative(ctx, w->domid, w->what, cur, w->kb, false, &v);
        if (rc)
            return rc;
    }
    if (v > static_max)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: %s %llu KiB is above static-max %llu KiB",
                      w->domid, w->what, (unsigned long long)v,
                      (unsigned long long)static_max);
    if (v && mp_mem_maxmem_for_tot(v) > w->max_kb) {
        /*
         * Paging in needs room under maxmem (Xen's p2m_mem_paging_prep
         * allocates the page to the domain), which an enforced target
         * may have lowered: raise it as the balloon setter does, so
         * that memory can always be given back.
         */
        rc = ctx->be->setmaxmem(ctx, w->domid, mp_mem_maxmem_for_tot(v));
        if (rc)
            return rc;
        w->maxmem_changed = true;
    }
    snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
    rc = mp_xs_write(ctx, t, path, num);
    if (rc)
        return rc;
    w->result = v;
    return 0;
}

struct balloon_write {
    int64_t kb;
    bool relative;
    bool adopted;
    struct mp_mem_write mw;
};

/*
 * memory/target changed by someone else (xl mem-set) since the library
 * last wrote it, while the policy target stayed the same: the change is
 * newer than the policy, so it becomes the policy (target = memory/target
 * + videoram, enforced, as xl mem-set enforces) instead of being undone.
 * A policy target changed since then is newer still, and wins.
 */
static int adopt_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                    struct balloon_write *b, const mempolicy_policy *pol)
{
    const struct mp_mem_facts *f = &b->mw.facts;
    uint64_t rec_bal, rec_pol, req;
    char p[MP_PATH_MAX], num[24];
    bool present;
    int rc;

    b->adopted = false;
    rc = mp_mem_record_read_tx(ctx, t, b->mw.domid, &present, &rec_bal,
                               &rec_pol);
    if (rc || !present || !pol->has_target || pol->target_kb != rec_pol ||
        f->target_kb == rec_bal)
        return rc;
    req = f->target_kb + f->videoram_kb;
    snprintf(num, sizeof(num), "%llu", (unsigned long long)req);
    if ((rc = mp_xs_write(ctx, t, mp_path_policy(p, b->mw.domid,
                                                 MP_POL_TARGET), num)) ||
        (rc = mp_xs_write(ctx, t, mp_path_policy(p, b->mw.domid,
                                                 MP_POL_ENFORCE), "1")) ||
        (rc = mp_saved_write_tx(ctx, t, b->mw.domid, pol->actor,
                                pol->actor_params, true, req, true)) ||
        (rc = mp_mem_record_write_tx(ctx, t, b->mw.domid, f->target_kb,
                                     req)))
        return rc;
    b->adopted = true;
    return 0;
}

/* memory/target as libxl writes it, maxmem raised to fit if needed. */
static int balloon_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct balloon_write *b = arg;
    mempolicy_policy pol;
    mempolicy_memtune mt;
    unsigned present;
    int rc;

    rc = check_actor_tx(ctx, t, b->mw.domid, "balloon target");
    if (!rc)
        rc = mp_mem_facts_tx(ctx, t, &b->mw);
    if (rc)
        return rc;
    rc = mp_policy_read_tx(ctx, t, b->mw.domid, &pol, &present);
    if (rc)
        return rc;
    b->mw.policy_target_kb = pol.has_target ? pol.target_kb : 0;
    /* The maxmem an enforced policy target sets: request + libxl's
     * slack (memcalc.c), the limit a balloon write brings maxmem back to. */
    b->mw.enforced_maxmem_kb = pol.has_target && pol.enforce ?
        mp_mem_maxmem_for_tot(pol.target_kb) :
        0;
    /* The domain's hard limit (docs/memtune.md): maxmem never above it. */
    mempolicy_memtune_get(pol.actor_params, &mt, NULL, 0);
    rc = adopt_tx(ctx, t, b, &pol);
    mempolicy_policy_dispose(&pol);
    if (rc || b->adopted)
        return rc;
    rc = mp_mem_plan(ctx, &b->mw.facts, b->kb, b->relative, &b->mw.plan);
    if (rc)
        return rc;
    if (mt.hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED) {
        if (b->mw.plan.maxmem_kb > mt.hard_limit_kb)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: balloon target %llu KiB would put "
                          "maxmem (%llu KiB, libxl's target + video RAM + "
                          "1024 KiB) above its hard_limit %llu KiB",
                          b->mw.domid,
                          (unsigned long long)b->mw.plan.request_kb,
                          (unsigned long long)b->mw.plan.maxmem_kb,
                          (unsigned long long)mt.hard_limit_kb);
        /* A maxmem above the cap (set before the limit) comes down. */
        b->mw.maxmem = b->mw.hv.max_kb > mt.hard_limit_kb ? MP_MAXMEM_SET
                                                          : MP_MAXMEM_RAISE;
    }
    return mp_mem_apply_tx(ctx, t, &b->mw);
}

int mempolicy_domain_set_balloon_target(mempolicy_ctx *ctx, uint32_t domid,
                                        int64_t target_kb, bool relative)
{
    struct balloon_write b = { .kb = target_kb, .relative = relative,
                               .mw = { .domid = domid,
                                       .maxmem = MP_MAXMEM_RAISE,
                                       .write_target = true } };
    struct mp_lock lk = { .fd = -1 };
    int rc;

    /* Under libxl's lock, as xl mem-set. */
    rc = mp_lock_domain(ctx, domid, &lk, &b.mw.hv);
    if (rc)
        return rc;
    rc = mp_transaction(ctx, balloon_tx, &b);
    if (rc)
        mp_mem_undo(ctx, &b.mw);
    else if (b.adopted)
        mp_log(ctx, XTL_INFO, "domain %u: memory/target was set to %llu KiB "
               "outside the policy (xl mem-set?): adopted as the policy "
               "target %llu KiB, enforced", domid,
               (unsigned long long)b.mw.facts.target_kb,
               (unsigned long long)(b.mw.facts.target_kb +
                                    b.mw.facts.videoram_kb));
    mp_unlock_domain(&lk);
    return rc;
}

static int get_mech(mempolicy_ctx *ctx, uint32_t domid, const char *node,
                    uint64_t *kb)
{
    char path[MP_PATH_MAX];
    bool present;
    int rc;

    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    rc = mp_xs_read_kb(ctx, XBT_NULL, mp_path_mem(path, domid, node),
                       &present, kb);
    if (rc)
        return rc;
    if (!present) {
        char *dom;

        rc = mp_xs_read(ctx, XBT_NULL, mp_path_dom(path, domid, NULL), &dom);
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
    return get_mech(ctx, domid, MP_MEM_TARGET, target_kb);
}

int mempolicy_domain_get_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       uint64_t *target_kb)
{
    return get_mech(ctx, domid, MP_MEM_PAGING_TARGET, target_kb);
}

int mempolicy_domain_set_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       int64_t target_kb, bool relative)
{
    struct mech_write w = { .domid = domid, .node = MP_MEM_PAGING_TARGET,
                            .what = "paging target", .kb = target_kb,
                            .relative = relative };
    struct mp_pager_rec rec;
    struct mp_hvinfo hv;
    bool on = false, recorded;
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
    /* Paging is on while its pager is recorded and runs (pager.c), from
     * the moment enabling returned, whoever enabled it; a pager that
     * exited is reported (0 still goes through: it cleans up). */
    rc = mp_pager_check(ctx, domid, &on);
    if (rc && !w.anyone)
        return rc;
    if (!on && !w.anyone)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "domain %u: paging is not enabled (enable it first)",
                      domid);
    w.max_kb = hv.max_kb;
    rc = mp_transaction(ctx, mech_tx, &w);
    if (rc && w.maxmem_changed) {
        char saved[sizeof(ctx->err)];

        memcpy(saved, ctx->err, sizeof(saved));
        ctx->be->setmaxmem(ctx, domid, hv.max_kb);
        memcpy(ctx->err, saved, sizeof(saved));
    }
    if (rc || w.result != 0)
        return rc;
    rc = mp_pager_read(ctx, domid, &rec, &recorded);
    if (rc || !recorded)
        return rc;
    /* 0: everything comes back in; once nothing is out the pager is no
     * longer needed (while pages are out it stays, for a later call). */
    rc = room_to_page_in(ctx, domid);
    return rc ? rc : mp_pager_stop(ctx, domid, false);
}

/*
 * Paging off, as Xen's tools expect: target 0, room to page in, wait
 * (bounded) until nothing is out, then stop the recorded pager
 * (pager.c).  Never a bare XEN_VM_EVENT_DISABLE under a live pager.
 */
static int paging_off(mempolicy_ctx *ctx, uint32_t domid,
                      const struct mp_hvinfo *hv)
{
    struct mech_write w = { .domid = domid, .node = MP_MEM_PAGING_TARGET,
                            .what = "paging target", .kb = 0,
                            .anyone = true, .max_kb = hv->max_kb };
    struct mp_pager_rec rec;
    bool present;
    int rc;

    rc = mp_pager_read(ctx, domid, &rec, &present);
    if (rc || !present)
        return rc;
    rc = mp_transaction(ctx, mech_tx, &w);
    if (!rc)
        rc = room_to_page_in(ctx, domid);
    return rc ? rc : mp_pager_stop(ctx, domid, true);
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
    /* Off is the only state a PV (or HAP-less) guest can be in: turning
     * it off there is done already, as for any other idempotent call. */
    if (!enable && (!hv.hvm || !hv.hap))
        return 0;
    rc = check_hap(ctx, domid, &hv, paging ? "paging" : "sharing");
    if (rc)
        return rc;
    ctx->hv_errno = 0;
    /* Paging: the pager's lifecycle (pager.c) says what is on, and
     * reports Xen's refusals itself (hverr.c). */
    if (paging)
        return enable ? mp_pager_start(ctx, domid)
                      : paging_off(ctx, domid, &hv);
    /*
     * Sharing off is always asked of Xen: it cannot tell whether the
     * flag is set (dominfo has only the shared page count), and its
     * XEN_DOMCTL_MEM_SHARING_CONTROL just clears it (mem_sharing.c,
     * mem_sharing_control).  Pages shared so far stay shared until the
     * guest writes them.
     */
    if (enable && hv.sharing)
        return 0;
    rc = ctx->be->sharing_control(ctx, domid, enable);
    if (rc == MEMPOLICY_ERROR_BUSY)
        rc = 0; /* raced with another enabler: the state is as asked */
    if (!enable && rc == MEMPOLICY_ERROR_NOSYS)
        rc = 0; /* a hypervisor without sharing: it cannot be on */
    /* What Xen's refusal means (hverr.c); disabling keeps the backend's
     * message (Xen's enable checks do not apply to it). */
    return rc && enable ? mp_hv_mech_err(ctx, domid, paging, rc) : rc;
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
    if (!hashes || count == 0 || count > MEMPOLICY_PAGE_HASHES_MAX)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "page_hashes: count %u must be 1..%u", count,
                      MEMPOLICY_PAGE_HASHES_MAX);
    return ctx->be->page_hashes(ctx, domid, first_gfn, count, hashes);
}

int mempolicy_domain_frames(mempolicy_ctx *ctx, uint32_t domid,
                            mempolicy_frames *out)
{
    struct mp_hvinfo hv;
    uint64_t pod = 0;
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "frames: no result");
    memset(out, 0, sizeof(*out));
    rc = mp_domain_live(ctx, domid, &hv);
    if (rc)
        return rc;
    rc = ctx->be->frames(ctx, domid, &out->max_gpfn, &pod);
    if (rc)
        return rc;
    out->pod_entries_kb = pod * 4;
    out->paged_kb = hv.paged_kb;
    return 0;
}

int mempolicy_domain_page_compare(mempolicy_ctx *ctx, uint32_t dom1,
                                  uint64_t gfn1, uint32_t dom2,
                                  uint64_t gfn2, bool *same)
{
    int rc = mp_check_domid(ctx, dom1);

    if (!rc)
        rc = mp_check_domid(ctx, dom2);
    if (rc)
        return rc;
    if (!same)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "page_compare: no result");
    return ctx->be->page_compare(ctx, dom1, gfn1, dom2, gfn2, same);
}

int mempolicy_domain_nominate_gfn(mempolicy_ctx *ctx, uint32_t domid,
                                  uint64_t gfn, uint64_t *handle)
{
    int rc = mp_check_domid(ctx, domid);

    if (rc)
        return rc;
    if (!handle)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "nominate: no handle");
    ctx->hv_errno = 0;
    rc = ctx->be->nominate(ctx, domid, gfn, handle);
    /* Xen's first nominate enables sharing: its errors are the same. */
    return rc ? mp_hv_share_err(ctx, domid, gfn, false, rc) : 0;
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
    ctx->hv_errno = 0;
    rc = ctx->be->share(ctx, source_domid, source_gfn, source_handle,
                        client_domid, client_gfn, client_handle);
    /* Stale handles keep the backend's message (which handle). */
    if (rc && rc != MEMPOLICY_ERROR_STALE_SOURCE_HANDLE &&
        rc != MEMPOLICY_ERROR_STALE_CLIENT_HANDLE)
        rc = mp_hv_share_err(ctx, client_domid, client_gfn, true, rc);
    return rc;
}

int mempolicy_domain_set_maxmem(mempolicy_ctx *ctx, uint32_t domid,
                                uint64_t maxmem_kb)
{
    struct mp_lock lk = { .fd = -1 };
    struct mp_hvinfo hv;
    int rc;

    if (!maxmem_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE, "domain %u: maxmem 0",
                      domid);
    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    /* Under libxl's lock, as libxl_domain_setmaxmem (xl mem-max). */
    rc = mp_lock_domain(ctx, domid, &lk, &hv);
    if (rc)
        return rc;
    rc = check_actor(ctx, domid, "setting maxmem");
    if (!rc)
        rc = ctx->be->setmaxmem(ctx, domid, maxmem_kb);
    mp_unlock_domain(&lk);
    return rc;
}
