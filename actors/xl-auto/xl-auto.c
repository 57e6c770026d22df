/*
 * xl-auto.c: the default memory-policy actor, one process for the host.
 *
 * For each domain whose actor is xl-auto (params delay=SECONDS default 5,
 * paging=1|0 default 0, min=SIZE default 0):
 *  - on a policy change, at once: balloon target := the policy target
 *    clamped to [min, static-max];
 *  - PV guest, not enforcing, or paging=0: nothing more (and any paging
 *    left over from an earlier policy is wound down);
 *  - otherwise, `delay` seconds of host time later, the decision in
 *    policy.c: if the balloon has not reached the target, page out the
 *    rest of the gap; when it catches up or the target rises, page back
 *    in, and end paging once nothing is paged out.
 * A new change restarts the delay with the new target, so no paging
 * decision is ever taken on a stale target.
 *
 * How "the balloon caught up" is noticed without polling: the actual
 * size of a guest is not in xenstore, so no watch can report it.  A
 * domain therefore has a timer only while paging is in effect (or being
 * wound down): it re-checks after the delay, then backs off (doubling,
 * up to 5 minutes of host time) while nothing moves, and returns to the
 * delay as soon as something moved.  Domains at rest have no timer at
 * all, so an idle xl-auto never wakes up; a domain paged against a
 * stuck balloon costs one look every 5 minutes at most.
 *
 * Errors: a domain that disappears (destroyed during the delay) is
 * dropped quietly at its first failing call, and its DOMAIN_DEATH then
 * frees it; a missing feature (PV, no HAP, hypervisor without paging) is
 * logged once per domain and paging is not tried again for it; the store
 * going away ends the actor with status 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy_actor.h>

#include "policy.h"

#define ACTOR_NAME "xl-auto"

struct dom {
    uint32_t domid;
    bool caps_known;
    bool can_page;            /* HVM with HAP */
    bool paging_unavailable;  /* a paging call said the feature is absent */
    uint64_t static_max_kb;

    bool has_target;
    uint64_t target_kb;       /* clamped */
    bool enforce;
    struct xla_params params;
    char *params_str;         /* last seen, to log a bad value once */

    mempolicy_timer *timer;
    uint64_t interval_ms;     /* current re-check interval */
    uint64_t armed_ms;        /* host ms the pending timer waits */
    uint64_t paging_ms;       /* host ms pages have been out */
    uint64_t still_ms;        /* host ms nothing moved */
    uint64_t last_actual_kb, last_paged_kb;
    bool maybe_paging;        /* paging may be in effect: check on change */
    uint64_t ptarget_kb;      /* paging target as last set or seen */
    uint64_t balloon_kb;      /* balloon target as seen at start-up, as a
                                 target (memory/target + videoram) */
};

static void check(mempolicy_actor *a, void *arg);

static void dom_free(mempolicy_actor *a, struct dom *d)
{
    mempolicy_timer_cancel(a, d->timer);
    free(d->params_str);
    free(d);
}

static void arm(mempolicy_actor *a, struct dom *d, uint64_t ms)
{
    d->armed_ms = ms;
    mempolicy_actor_timer_set(a, &d->timer, ms, check, d);
}

static void disarm(mempolicy_actor *a, struct dom *d)
{
    mempolicy_actor_timer_clear(a, &d->timer);
}

/* A failed call: the kit classifies and logs it (once per domain for a
 * missing feature); the domain is left alone until its next change. */
static bool failed(mempolicy_actor *a, struct dom *d, int rc,
                   const char *what)
{
    bool had = d->paging_unavailable;

    if (!mempolicy_actor_failed(a, d->domid, rc, what,
                                &d->paging_unavailable,
                                "paging unavailable, ballooning only"))
        return false;
    if (!had && d->paging_unavailable)
        mempolicy_actor_set_status(
            a, d->domid, "balloon target %llu MiB; paging unavailable (%s)",
            (unsigned long long)(d->target_kb / 1024), mempolicy_strerror(rc));
    disarm(a, d);
    return true;
}

static void take_caps(struct dom *d, const mempolicy_dominfo *info)
{
    d->caps_known = true;
    d->can_page = info->type == MEMPOLICY_DOMAIN_TYPE_HVM && info->hap;
    d->static_max_kb = info->static_max_kb;
    /* After a restart, paging we started before may still be on. */
    if (info->paging || info->paged_kb)
        d->maybe_paging = true;
    d->ptarget_kb = info->paging_target_kb;
    /* As a target (what set_balloon_target takes): video RAM included. */
    d->balloon_kb = info->balloon_target_kb + info->videoram_kb;
}

static int fetch_caps(mempolicy_actor *a, struct dom *d)
{
    const mempolicy_dominfo *listed = mempolicy_actor_resync_info(a,
                                                                  d->domid);
    mempolicy_dominfo info;
    int rc;

    if (listed) {
        take_caps(d, listed);
        return 0;
    }
    rc = mempolicy_domain_info(mempolicy_actor_ctx(a), d->domid, &info);
    if (rc)
        return rc;
    take_caps(d, &info);
    mempolicy_dominfo_dispose(&info);
    return 0;
}

static bool want_paging(const struct dom *d)
{
    return d->can_page && !d->paging_unavailable && d->enforce &&
           d->params.paging &&
           d->params.mt.swap_hard_limit_kb != 0;
}

/* Balloon target now; on a stale static-max, refresh it and retry once. */
static int set_balloon(mempolicy_actor *a, struct dom *d, uint64_t kb)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);
    int rc = mempolicy_domain_set_balloon_target(ctx, d->domid,
                                                 (int64_t)kb, false);

    if (rc == MEMPOLICY_ERROR_RANGE && !fetch_caps(a, d)) {
        d->target_kb = xla_clamp(&d->params, d->target_kb, d->static_max_kb);
        rc = mempolicy_domain_set_balloon_target(ctx, d->domid,
                                                 (int64_t)d->target_kb,
                                                 false);
    }
    return rc;
}

static void update_params(mempolicy_actor *a, struct dom *d,
                          const char *params)
{
    char err[160];

    params = params ? params : "";
    if (mempolicy_actor_params_changed(a, &d->params_str, params) &&
        xla_parse_params(params, &d->params, err, sizeof(err)))
        mempolicy_actor_params_bad(a, d->domid, params, err);
}

static void raise_paging_target(mempolicy_actor *a, struct dom *d)
{
    int rc = mempolicy_domain_set_paging_target(mempolicy_actor_ctx(a),
                                                d->domid,
                                                (int64_t)d->target_kb, false);

    if (failed(a, d, rc, "raising the paging target"))
        return;
    d->ptarget_kb = d->target_kb;
    mempolicy_actor_log(a, XTL_DEBUG, "domain %u: paging target %" PRIu64
                        " KiB (target rose)", d->domid, d->target_kb);
}

static void domain_changed(mempolicy_actor *a, uint32_t domid,
                           const mempolicy_policy *p, void *user)
{
    struct dom *d = mempolicy_actor_domain_data(a, domid);
    int rc;

    if (!d) {
        d = calloc(1, sizeof(*d));
        if (!d || mempolicy_actor_set_domain_data(a, domid, d)) {
            free(d);
            mempolicy_actor_fatal(a, MEMPOLICY_ERROR_NOMEM, "domain state");
            return;
        }
        d->domid = domid;
    }
    update_params(a, d, p->actor_params);
    d->enforce = p->enforce;
    d->has_target = p->has_target;
    if (!p->has_target) {
        /* A policy without a target yet: nothing to follow. */
        mempolicy_actor_set_status(a, d->domid, "no target yet");
        disarm(a, d);
        return;
    }
    if (!d->caps_known && failed(a, d, fetch_caps(a, d), "domain info"))
        return;

    d->target_kb = xla_clamp(&d->params, p->target_kb, d->static_max_kb);
    /* At start-up most balloon targets are already right: skip those. */
    rc = mempolicy_actor_resync_info(a, domid) &&
         d->balloon_kb == d->target_kb ? 0 : set_balloon(a, d, d->target_kb);
    if (failed(a, d, rc, "setting the balloon target"))
        return;
    mempolicy_actor_log(a, XTL_DEBUG, "domain %u: balloon target %" PRIu64
                        " KiB%s", domid, d->target_kb,
                        want_paging(d) ? ", paging check after the delay"
                                       : "");
    d->interval_ms = 0;
    d->still_ms = 0;
    if (want_paging(d))
        mempolicy_actor_set_status(
            a, d->domid, "balloon target %llu MiB; paging after %g s if short",
            (unsigned long long)(d->target_kb / 1024),
            (double)d->params.delay_ms / 1000);
    else
        mempolicy_actor_set_status(a, d->domid, "balloon target %llu MiB",
                                   (unsigned long long)(d->target_kb / 1024));
    if (want_paging(d)) {
        /*
         * A higher target pages back in at once (no reason to keep the
         * guest short for the delay); a lower one waits for the delay,
         * since the balloon may still get there.
         */
        if (d->maybe_paging && d->ptarget_kb && d->ptarget_kb < d->target_kb)
            raise_paging_target(a, d);
        /* Restart the delay: the decision is taken on this target. */
        arm(a, d, d->params.delay_ms);
    } else if (d->maybe_paging) {
        /* Paging no longer wanted: wind it down now. */
        arm(a, d, 0);
    } else {
        disarm(a, d);
    }
}

static void apply(mempolicy_actor *a, struct dom *d,
                  const struct xla_action *act)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);
    int rc;

    if (act->enable_paging) {
        rc = mempolicy_domain_enable_paging(ctx, d->domid);
        if (failed(a, d, rc, "enabling paging"))
            return;
        mempolicy_actor_log(a, XTL_INFO, "domain %u: balloon short of its "
                            "target after the delay: paging enabled",
                            d->domid);
    }
    if (act->set_paging_target) {
        rc = mempolicy_domain_set_paging_target(
            ctx, d->domid, (int64_t)act->paging_target_kb, false);
        if (failed(a, d, rc, "setting the paging target"))
            return;
        d->ptarget_kb = act->paging_target_kb;
        if (act->paging_target_kb)
            mempolicy_actor_log(a, XTL_DEBUG, "domain %u: paging target %"
                                PRIu64 " KiB", d->domid,
                                act->paging_target_kb);
        else
            mempolicy_actor_log(a, XTL_INFO, "domain %u: nothing paged "
                                "out any more: paging ended", d->domid);
    }
    d->maybe_paging = act->recheck || (act->set_paging_target &&
                                       act->paging_target_kb);
}

static void check(mempolicy_actor *a, void *arg)
{
    struct dom *d = arg;
    mempolicy_dominfo info;
    struct xla_obs o;
    struct xla_action act;
    bool moved;
    int rc;

    d->timer = NULL;
    rc = mempolicy_domain_info(mempolicy_actor_ctx(a), d->domid, &info);
    if (failed(a, d, rc, "domain info"))
        return;
    o.actual_kb = info.actual_kb;
    o.paged_kb = info.paged_kb;
    o.paging = info.paging;
    o.paging_target_kb = info.paging_target_kb;
    o.videoram_kb = info.videoram_kb;
    d->ptarget_kb = info.paging_target_kb;
    d->static_max_kb = info.static_max_kb;
    mempolicy_dominfo_dispose(&info);

    moved = o.actual_kb != d->last_actual_kb || o.paged_kb != d->last_paged_kb;
    /* Host time since the last look is the delay the timer waited. */
    d->still_ms = moved ? 0 : d->still_ms + d->armed_ms;
    d->paging_ms = o.paged_kb ? d->paging_ms + d->armed_ms : 0;
    {
        char line[MEMPOLICY_STATUS_MAX + 1];

        xla_status(line, sizeof(line), d->target_kb, &o, d->paging_ms,
                   d->still_ms);
        mempolicy_actor_set_status(a, d->domid, "%s", line);
    }
    xla_decide(want_paging(d), d->target_kb, d->static_max_kb,
               d->params.mt.swap_hard_limit_kb, &o, &act);
    apply(a, d, &act);
    if (!act.recheck || d->paging_unavailable) {
        d->interval_ms = 0;
        return;
    }
    d->last_actual_kb = o.actual_kb;
    d->last_paged_kb = o.paged_kb;
    d->interval_ms = xla_next_interval(d->interval_ms, d->params.delay_ms,
                                       moved);
    arm(a, d, d->interval_ms);
}

static void domain_data_free(mempolicy_actor *a, uint32_t domid,
                             void *data, void *user)
{
    /* Domain gone or no longer ours (paging state stays as it is: its
     * new actor owns it now), or shutdown. */
    dom_free(a, data);
}

int main(int argc, char **argv)
{
    static const mempolicy_actor_ops ops = {
        .domain_changed = domain_changed,
        .domain_data_free = domain_data_free,
    };

    return mempolicy_actor_main(argc, argv, ACTOR_NAME, &ops, NULL);
}
