/*
 * apply.c: one pass of the balance actor.
 *
 *  1. Refresh what changed: host free memory (one hypervisor query), and
 *     the page counts of domains whose balloon moves, whose report
 *     changed, or that were just taken (one query each; one for all when
 *     many moved): O(changed), never a walk of the store.
 *  2. Balloons that do not move: a domain asked to change size that has
 *     made no progress for 5 s of host time (squeezed's
 *     assume_balloon_driver_stuck_after) is stuck: its maxmem is capped
 *     at what it holds (so it cannot grow behind our back, as squeezed
 *     does to inactive domains), it is held at its size and the others
 *     balance without counting on it; it is tried again after 5 s,
 *     doubling up to 5 minutes (a timer: nothing else need happen), with
 *     its maxmem raised back for its target.  A donor moving slower than 16 MiB/s is
 *     slow: it keeps its target, but its memory is counted only as it
 *     arrives, and the others give instead.
 *  3. Plan (plan.c).
 *  4. Free before allocate: targets going down are written at once;
 *     targets going up only when the memory is free now, above the floor
 *     and what a toolstack asked to keep free, net of what earlier raises
 *     still may take; first the domains short of what they use, then by
 *     weight.  A raise that does not fit waits for the donors (a tick
 *     every 200 ms of host time while balloons move); a guest already
 *     swapping that waited one tick gets what is free in steps of at
 *     least the damping and an eighth of the way, and all that is free
 *     (at least the damping) once nothing moves.
 *  5. Damping: a change smaller than 128 MiB is not written, unless it
 *     relieves a domain short of what it uses (by 64 MiB at least) or
 *     frees memory the host
 *     needs (free below the floor).
 *  6. Each domain's status line says why it has its target.
 * No timer is left once nothing moves: an idle actor never wakes up.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "balance.h"

#define MIB(kb) ((unsigned long long)((kb) + 512) / 1024)

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
    return a > b ? a - b : b - a;
}

/* Where it stands against its target: the library's verdict (video RAM
 * and libxl's slack), never a hand comparison.  -1 below, 0 reached, 1
 * above. */
static int vs_target(const struct bdom *d)
{
    return mempolicy_target_cmp(d->target_kb, d->videoram_kb, d->actual_kb);
}

static bool at_target(const struct bdom *d)
{
    return vs_target(d) == 0;
}

/* Short of what it uses, now and as planned: its target and what it
 * holds are both below its report. */
static bool swapping(const struct bdom *d)
{
    return d->has_used && d->used_kb > d->target_kb &&
        d->used_kb > d->actual_kb;
}

static int set_target(struct bal *b, struct bdom *d, uint64_t kb, uint64_t now)
{
    int rc;

    kb &= ~(uint64_t)3; /* whole pages: actual can equal it */
    rc = mempolicy_domain_set_balloon_target(b->ctx, d->domid, (int64_t)kb,
                                             false);

    if (mempolicy_actor_failed(b->a, d->domid, rc,
                               "setting the balloon "
                               "target",
                               NULL, NULL))
        return rc;
    b->writes++;
    d->target_kb = kb;
    d->move_from_kb = d->actual_kb;
    d->move_ms = d->progress_ms = now;
    d->progress_kb = d->actual_kb;
    d->moving = !at_target(d);
    d->slow = false;
    d->partial = false;
    return 0;
}

/* May its page count have changed since we looked?  (A balloon inside
 * target_cmp's band may still move its last pages: at most libxl's
 * 1 MiB slack, seen at the next look for another reason.) */
static bool stale(const struct bdom *d)
{
    return d->moving || d->stuck || !d->actual_kb || !at_target(d);
}

/* Page counts of the domains that may have changed. */
static void refresh(struct bal *b, bool all)
{
    mempolicy_domain_pages *list = NULL, one;
    size_t i, want = 0;
    int n, k, rc;

    for (i = 0; i < b->n && !all; i++)
        if (stale(b->v[i]))
            want++;
    if (all || want > 32) {
        if (mempolicy_list_domain_pages(b->ctx, &list, &n))
            return;
        for (k = 0; k < n; k++) {
            struct bdom *d = bal_find(b, list[k].domid);

            if (d) {
                d->actual_kb = list[k].actual_kb;
                d->maxmem_kb = list[k].maxmem_kb;
            }
        }
        free(list);
        return;
    }
    for (i = 0; i < b->n; i++) {
        struct bdom *d = b->v[i];

        if (!stale(d))
            continue;
        rc = mempolicy_domain_get_pages(b->ctx, d->domid, &one);
        if (rc)
            continue; /* going away: its event follows */
        d->actual_kb = one.actual_kb;
        d->maxmem_kb = one.maxmem_kb;
    }
}

/* Movement, stuck and slow balloons. */
static void follow(struct bal *b, struct bdom *d, uint64_t now)
{
    bool toward;

    if (d->stuck) {
        if (now >= d->stuck_retry_ms) {
            d->stuck = false;
            d->progress_ms = now;
            d->progress_kb = d->actual_kb;
            mempolicy_actor_log(b->a, XTL_DEBUG,
                                "domain %u: trying its "
                                "balloon again",
                                d->domid);
            /*
             * Tried again, it gets the room its target needs back: the
             * cap only held it while stuck (squeezed sets an active
             * domain's maxmem from its target at every pass,
             * squeezed/lib/squeeze.ml).  Left capped, a balloon that
             * stalled while growing could never reach a target that
             * does not change, and was found stuck at every retry.
             * The target is written again through the library, which
             * raises maxmem as for any raise.
             */
            if (d->capped && !set_target(b, d, d->target_kb, now))
                d->capped = false;
        }
        return;
    }
    if (at_target(d)) {
        d->moving = d->slow = false;
        d->stuck_backoff_ms = 0;
        return;
    }
    d->moving = true;
    toward = vs_target(d) > 0 ? d->actual_kb < d->progress_kb :
                                d->actual_kb > d->progress_kb;
    if (toward) {
        d->progress_kb = d->actual_kb;
        d->progress_ms = now;
        d->stuck_backoff_ms = 0;
    }
    /* A balloon growing into a full host is not stuck. */
    if (vs_target(d) < 0 && b->free_kb <= b->floor_kb)
        d->progress_ms = now;
    if (now - d->progress_ms >= BAL_STUCK_MS) {
        d->stuck = true;
        d->moving = false;
        d->stuck_backoff_ms = d->stuck_backoff_ms ? d->stuck_backoff_ms * 2 :
                                                    BAL_STUCK_MS;
        if (d->stuck_backoff_ms > BAL_STUCK_RETRY_MAX_MS)
            d->stuck_backoff_ms = BAL_STUCK_RETRY_MAX_MS;
        d->stuck_retry_ms = now + d->stuck_backoff_ms;
        /* As squeezed: it may give memory back, never take more. */
        if (d->maxmem_kb > d->actual_kb + MEMPOLICY_MAXMEM_SLACK_KB &&
            !mempolicy_domain_set_maxmem(
                b->ctx, d->domid, d->actual_kb + MEMPOLICY_MAXMEM_SLACK_KB)) {
            d->capped = true;
            d->maxmem_kb = d->actual_kb + MEMPOLICY_MAXMEM_SLACK_KB;
        }
        mempolicy_actor_log(b->a, XTL_WARN,
                            "domain %u: balloon stuck at %llu MiB (target "
                            "%llu MiB, no progress for %u s): held, maxmem "
                            "capped; tried again in %" PRIu64 " s",
                            d->domid, MIB(d->actual_kb), MIB(d->target_kb),
                            BAL_STUCK_MS / 1000, d->stuck_backoff_ms / 1000);
        return;
    }
    /* Slow: shrinking at less than BAL_SLOW_KB_S for two seconds. */
    d->slow = vs_target(d) > 0 && now - d->move_ms >= 2000 &&
        d->move_from_kb >= d->actual_kb &&
        (d->move_from_kb - d->actual_kb) * 1000 <
            (uint64_t)BAL_SLOW_KB_S * (now - d->move_ms);
}

static void fill_plan(struct bal *b, struct bdom *d, struct bp_dom *x,
                      uint64_t now)
{
    uint64_t max = d->static_max_kb, min, lo, hi;

    (void)b;
    memset(x, 0, sizeof(*x));
    x->domid = d->domid;
    x->actual_kb = d->actual_kb;
    x->max_why = BP_LIM_STATIC_MAX;
    x->min_why = BP_LIM_ACTOR;
    if (d->p_max_kb && d->p_max_kb < max) {
        max = d->p_max_kb;
        x->max_why = BP_LIM_ACTOR;
    }
    /* An enforced policy target is the administrator's cap. */
    if (d->enforce && d->has_policy_target && d->policy_target_kb < max) {
        max = d->policy_target_kb;
        x->max_why = BP_LIM_POLICY;
    }
    /* memtune (docs/memtune.md): hard_limit caps maxmem, so the target
     * at hard_limit - 1024 KiB; min_guarantee is a floor.  The range is
     * the library's (one home); where floor and cap cross, the cap wins. */
    mempolicy_memtune_range(&d->mt, d->static_max_kb, d->p_min_kb, &lo, &hi);
    if (hi < max) {
        max = hi;
        x->max_why = BP_LIM_HARD;
    }
    min = d->p_min_kb;
    if (d->mt.min_guarantee_kb > min) {
        min = d->mt.min_guarantee_kb;
        x->min_why = BP_LIM_GUARANTEE;
    }
    min = min < max ? min : max;
    x->soft_kb = d->mt.soft_limit_kb;
    x->group = d->group;
    x->weight = d->weight;
    x->headroom_pct = d->headroom_pct;
    x->psi_x100 = d->psi_x100;
    x->used_kb = d->used_kb < d->static_max_kb ? d->used_kb : d->static_max_kb;
    if (now < d->born_ms + d->grace_ms) {
        /* Boot grace: never below its initial memory. */
        if (!d->has_used) {
            x->held = true;
            x->hold_kb = d->initial_kb;
        } else if (d->initial_kb > min) {
            min = d->initial_kb < max ? d->initial_kb : max;
            x->min_why = BP_LIM_GRACE;
        }
    } else if (!d->has_used) {
        /* Nothing known of it: left as it is. */
        x->held = true;
        x->hold_kb = d->target_kb;
    }
    if (d->stuck || d->slow) {
        /* At what it holds, or what a raise already written may still
         * give it (within its maxmem): never counted as free. */
        uint64_t to = d->target_kb;

        if (d->maxmem_kb && d->maxmem_kb < to)
            to = d->maxmem_kb;
        x->held = true;
        x->hold_kb = to > d->actual_kb ? to : d->actual_kb;
    }
    x->min_kb = min;
    x->max_kb = max;
}

/*
 * Memory the host will still lose to raises already written: what each
 * growing domain may yet take (up to its target, within its maxmem),
 * stuck ones included (a capped maxmem leaves them 1 MiB).  Free memory
 * is worth only what is left after these: counting a raise's memory as
 * free until its pages are gone is the free-before-allocate race (a
 * toolstack's request answered while a receiver still grows, host free
 * memory then under the floor).
 */
uint64_t bal_pending_kb(const struct bal *b)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < b->n; i++) {
        const struct bdom *d = b->v[i];
        uint64_t to = d->target_kb;

        if (d->maxmem_kb && d->maxmem_kb < to)
            to = d->maxmem_kb;
        if (to > d->actual_kb)
            sum += to - d->actual_kb;
    }
    return sum;
}

/*
 * A raise that relieves a guest short of what it uses, written despite
 * the damping: it gives at least half the damping, or, once the guest
 * has been short for BAL_SHORT_PATIENCE_MS, all it uses.  A guest's
 * workload noise makes it short of a few MiB now and then, and raising
 * it each time rewrote targets all the time on a thin surplus; a
 * shortfall that lasts is ended with one write.
 */
static bool relieves(const struct bal *b, const struct bdom *d,
                     const struct bp_dom *x, uint64_t now)
{
    return swapping(d) && x->want_kb > d->target_kb &&
        (x->want_kb - d->target_kb >= b->damp_kb / 2 ||
         (x->want_kb >= x->need_used_kb &&
          x->want_kb - d->target_kb >= BAL_MIN_WRITE_KB &&
          now - d->short_since_ms >= BAL_SHORT_PATIENCE_MS));
}

static int cmp_decrease(const void *pa, const void *pb)
{
    const struct bdom *a = *(struct bdom *const *)pa;
    const struct bdom *b = *(struct bdom *const *)pb;
    uint64_t da = a->target_kb - a->plan_kb, db = b->target_kb - b->plan_kb;

    if (da != db)
        return da > db ? -1 : 1;
    return a->domid < b->domid ? -1 : a->domid > b->domid;
}

/*
 * Mark the planned decreases smaller than the damping that pay for
 * `need` (largest first, until they cover it): only those are written
 * despite the damping.  O(n log n) in the candidates.
 */
static void choose_payers(struct bal *b, uint64_t need)
{
    size_t i, m = 0;
    uint64_t got = 0;

    for (i = 0; i < b->n; i++) {
        struct bdom *d = b->v[i];
        const struct bp_dom *x = &b->pd[i];

        d->pays = false;
        d->plan_kb = x->want_kb;
        if (need && !x->held && x->want_kb < d->target_kb &&
            d->target_kb - x->want_kb < b->damp_kb)
            b->cand[m++] = d;
    }
    qsort(b->cand, m, sizeof(*b->cand), cmp_decrease);
    for (i = 0; i < m && got < need; i++) {
        b->cand[i]->pays = true;
        got += b->cand[i]->target_kb - b->cand[i]->plan_kb;
    }
}

static int cmp_prio(const void *pa, const void *pb)
{
    const struct bdom *a = *(struct bdom *const *)pa;
    const struct bdom *b = *(struct bdom *const *)pb;
    bool sa = a->has_used && a->used_kb > a->target_kb;
    bool sb = b->has_used && b->used_kb > b->target_kb;

    if (sa != sb)
        return sa ? -1 : 1;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return a->domid < b->domid ? -1 : a->domid > b->domid;
}

/*
 * Kept at its first plan by the re-plan around damped domains: that
 * first plan says why (its headroom, the surplus, a real cap), not the
 * re-plan's own cap.
 */
static bool planned_at_first(const struct bp_dom *x)
{
    return (x->tier == BP_TIER_MAX && x->max_why == BP_LIM_PLANNED) ||
        (x->tier == BP_TIER_MIN && x->min_why == BP_LIM_PLANNED);
}

static void publish(struct bal *b, struct bdom *d, const struct bp_host *h,
                    const struct bp_dom *x)
{
    char line[320];
    uint64_t sig;

    /*
     * A line is rewritten only when this domain's decision changed (its
     * plan, tier, target or state), not for every pass: the host's free
     * memory it quotes is the one of its last decision.  So a pass costs
     * status writes for what changed, not for every domain.
     */
    sig = (x->want_kb >> 10) * 1000003u ^ (d->target_kb >> 10) * 7919u ^
        (uint64_t)x->tier << 56 ^ (uint64_t)d->stuck << 60 ^
        (uint64_t)d->slow << 61 ^ (uint64_t)d->waiting << 62 ^
        (uint64_t)d->damped << 63 ^ (x->used_kb >> 10) * 131u ^
        (uint64_t)br_ignored(&d->guard, bal_now_ms(b)) << 55 ^
        (uint64_t)d->has_used << 54 ^
        (uint64_t)(bal_now_ms(b) < d->born_ms + d->grace_ms) << 53;
    if (d->published && sig == d->pub_sig)
        return;
    d->published = true;
    d->pub_sig = sig;

    if (d->stuck)
        snprintf(line, sizeof(line),
                 "stuck at %llu MiB (target %llu): "
                 "held, maxmem capped%s",
                 MIB(d->actual_kb), MIB(d->target_kb),
                 d->capped ? "" : " not needed");
    else if (br_ignored(&d->guard, bal_now_ms(b)))
        snprintf(line, sizeof(line), "reports ignored: %s; %llu MiB held",
                 d->guard.why ? d->guard.why : "bad report", MIB(d->target_kb));
    else if (x->held && !d->has_used)
        snprintf(line, sizeof(line), "%llu MiB held: no report yet%s",
                 MIB(x->hold_kb),
                 bal_now_ms(b) < d->born_ms + d->grace_ms ? " (boot grace)" :
                                                            "");
    else if (d->slow)
        snprintf(line, sizeof(line),
                 "slow balloon: %llu -> %llu MiB, "
                 "counted as it arrives",
                 MIB(d->actual_kb), MIB(d->target_kb));
    else if (d->damped)
        snprintf(line, sizeof(line),
                 "%llu MiB kept: plan %llu is within the %llu MiB damping; "
                 "used %llu; host free %llu MiB (floor %llu)",
                 MIB(d->target_kb), MIB(d->plan_kb), MIB(b->damp_kb),
                 MIB(x->used_kb), MIB(h->free_kb), MIB(h->floor_kb));
    else if (d->waiting)
        snprintf(line, sizeof(line),
                 "waiting for %llu MiB to be freed; "
                 "then %llu MiB",
                 MIB(d->want_kb - d->target_kb), MIB(d->want_kb));
    else if (planned_at_first(x))
        bp_explain(&b->first_host, &d->first, line, sizeof(line));
    else
        bp_explain(h, x, line, sizeof(line));
    mempolicy_actor_set_status(b->a, d->domid, "%s", line);
}

/*
 * Whether d's group holds more than its budget with the targets written
 * now (a budget just lowered, a domain just joined): its decreases are
 * written whatever the damping, or damping would hold every member
 * where it is and the budget would never be met.  Each group's sum of
 * targets is counted once per pass (grp_tgt_kb, filled by
 * count_groups).
 */
static void count_groups(struct bal *b)
{
    size_t i;

    if (!b->ngrp)
        return;
    memset(b->grp_tgt_kb, 0, sizeof(b->grp_tgt_kb));
    for (i = 0; i < b->n; i++)
        if (b->v[i]->group)
            b->grp_tgt_kb[b->v[i]->group - 1] += b->v[i]->target_kb;
}

static bool group_over(const struct bal *b, const struct bdom *d)
{
    return d->group && d->group <= (unsigned)b->ngrp &&
        b->grp_tgt_kb[d->group - 1] > b->bpg[d->group - 1].budget_kb;
}

void bal_pass(mempolicy_actor *a, void *arg)
{
    struct bal *b = arg;
    struct bp_host h;
    mempolicy_physinfo phys;
    struct bdom **recv;
    uint64_t now, t0, dt, commit, keep;
    int64_t avail;
    size_t i, nr = 0;
    int iter;
    uint64_t need, next_ms = 0;
    bool moving = false, donors_moving = false;

    (void)a;
    b->timer = NULL;
    b->timer_due_ms = 0;
    if (!b->n && !bal_resv_any(b))
        return;
    b->passes++;
    now = bal_now_ms(b);
    /*
     * Page counts first, free memory last: a balloon growing in between
     * then shows as less free (never as free memory it already took), so
     * what is free is never overestimated.
     */
    refresh(b, false);
    if (mempolicy_actor_failed(b->a, 0, mempolicy_get_physinfo(b->ctx, &phys),
                               "host free memory", NULL, NULL))
        return;
    b->free_kb = phys.free_kb;
    for (i = 0; i < b->n; i++) {
        struct bdom *d = b->v[i];

        if (d->reread && !br_ignored(&d->guard, now)) {
            d->reread = false;
            bal_read_reports(b, d);
        } else if (d->reread && !d->timer) {
            /* Read its reports again when its penalty ends. */
            mempolicy_actor_timer_set(b->a, &d->timer,
                                      d->guard.ignore_until_ms - now,
                                      bal_dom_timer, d);
        }
        follow(b, d, now);
        /* Short since the pass that first saw it short: passes come
         * with reports, none while idle, so "the last pass it was not
         * short" could be a minute ago. */
        if (!swapping(d) || !d->was_short)
            d->short_since_ms = now;
        d->was_short = swapping(d);
    }

    t0 = mono_ns();
    for (i = 0; i < b->n; i++)
        fill_plan(b, b->v[i], &b->pd[i], now);
    memset(&h, 0, sizeof(h));
    h.free_kb = phys.free_kb;
    h.floor_kb = b->floor_kb;
    /* The reserve only holds back surplus. */
    h.reserve_kb = b->reserve_kb;
    /* Reservations are kept free like the floor (reserve.c): those that
     * no plan can meet are refused first, with the figures. */
    h.reserved_kb = b->reserved_kb;
    /* Memory groups: budgets and weights (groups.c). */
    h.groups = b->bpg;
    h.ngroups = (size_t)b->ngrp;
    /* Planned domains count with what they hold now, held ones with
     * what they will hold: raises granted earlier are re-planned. */
    bp_plan(&h, b->pd, b->n, b->scratch);
    if (bal_resv_any(b) || h.reserved_kb) {
        h.reserved_kb = bal_resv_admit(b, &phys);
        bp_plan(&h, b->pd, b->n, b->scratch);
    }
    b->first_host = h;
    dt = mono_ns() - t0;
    b->plan_ns += dt;
    if (dt > b->plan_max_ns)
        b->plan_max_ns = dt;

    count_groups(b);
    keep = b->floor_kb + b->reserved_kb;
    commit = bal_pending_kb(b);
    /*
     * What the host needs freed: free memory under the floor (net of
     * raises under way), and the raises of guests short of what they use
     * (those that will be written: at least half the damping) that free
     * memory cannot pay for.  Damping is lifted for the decreases that
     * pay for it, largest first, and only as many as it takes: on a thin
     * surplus the guests' noise keeps some guest a little short all the
     * time, and lifting it for every decrease wrote hundreds of small
     * changes a pass at 1,000 domains.
     */
    {
        uint64_t relief = 0, deficit = 0, spare = 0;

        if (phys.free_kb < keep + commit)
            deficit = keep + commit - phys.free_kb;
        else
            spare = phys.free_kb - keep - commit;
        for (i = 0; i < b->n; i++) {
            struct bdom *d = b->v[i];
            struct bp_dom *x = &b->pd[i];

            if (!x->held && relieves(b, d, x, now))
                relief += x->want_kb - d->target_kb;
        }
        /* Memory donors are already giving back is on its way (not
         * from a slow or stuck balloon). */
        for (i = 0; i < b->n; i++) {
            const struct bdom *d = b->v[i];

            if (!d->stuck && !d->slow && vs_target(d) > 0)
                spare += d->actual_kb - d->target_kb;
        }
        need = relief > spare ? relief - spare : 0;
        /* A little relief can wait for a donor's own move. */
        if (need < b->damp_kb / 4)
            need = 0;
        if (deficit > need)
            need = deficit;
        choose_payers(b, need);
    }
    /*
     * 5. Damping, inside the plan: a domain whose size would change by
     * less than damp_kb (and that is not short of what it uses, nor
     * giving memory the host needs) keeps its target and the others are
     * planned again around it, so no raise ever waits for a decrease that
     * damping holds back.
     */
    for (iter = 0; iter < 4; iter++) {
        bool more = false;

        for (i = 0; i < b->n; i++) {
            struct bdom *d = b->v[i];
            struct bp_dom *x = &b->pd[i];
            uint64_t delta = absdiff(x->want_kb, d->target_kb);

            if (!iter) {
                d->damped = false;
                d->plan_kb = x->want_kb;
                /* A partial raise ends when no more is planned. */
                if (!x->held && x->want_kb <= d->target_kb)
                    d->partial = false;
                /* Above its cap (a hard_limit lowered) or below its
                 * floor (a guarantee raised): brought back whatever the
                 * damping. */
                d->bound = !x->held &&
                    (d->target_kb > x->max_kb || d->target_kb < x->min_kb ||
                     (x->want_kb < d->target_kb && group_over(b, d)));
                /*
                 * Planned again around the damped ones, a domain moves
                 * towards its first plan, never past it: what damping
                 * holds back stays free rather than pile up on the few
                 * domains left.
                 */
                d->first = *x;
                if (!x->held && x->want_kb >= d->target_kb) {
                    x->max_kb = x->want_kb;
                    x->max_why = BP_LIM_PLANNED;
                } else if (!x->held) {
                    x->min_kb = x->want_kb;
                    x->min_why = BP_LIM_PLANNED;
                }
            }
            if (x->held || !delta || delta >= b->damp_kb || d->bound ||
                (x->want_kb > d->target_kb ? relieves(b, d, x, now) ||
                                                 d->partial
                                           : d->pays))
                continue;
            x->held = true;
            x->hold_kb = d->target_kb;
            d->damped = more = true;
        }
        if (!more)
            break;
        bp_plan(&h, b->pd, b->n, b->scratch);
    }
    /* 4a. Lower first: donors and raises no longer needed. */
    recv = (struct bdom **)(void *)b->scratch;
    for (i = 0; i < b->n; i++) {
        struct bdom *d = b->v[i];
        struct bp_dom *x = &b->pd[i];

        d->want_kb = x->want_kb;
        d->was_waiting = d->waiting;
        d->waiting = false;
        if (x->held)
            continue;
        if (x->want_kb < d->target_kb) {
            if (d->target_kb - x->want_kb >= b->damp_kb || d->pays || d->bound)
                set_target(b, d, x->want_kb, now);
        } else if (x->want_kb > d->target_kb &&
                   (x->want_kb - d->target_kb >= b->damp_kb || d->bound ||
                    relieves(b, d, x, now) || d->partial)) {
            recv[nr++] = d;
        }
    }
    /* 4b. Raise within what is free now. */
    commit = bal_pending_kb(b); /* less, after the lowering above */
    for (i = 0; i < b->n; i++)
        if (!b->v[i]->stuck && vs_target(b->v[i]) > 0)
            donors_moving = true;
    avail = (int64_t)phys.free_kb - (int64_t)keep - (int64_t)commit;
    qsort(recv, nr, sizeof(*recv), cmp_prio);
    for (i = 0; i < nr; i++) {
        struct bdom *d = recv[i];
        uint64_t base = d->target_kb > d->actual_kb ? d->target_kb :
                                                      d->actual_kb;
        uint64_t cost = d->want_kb > base ? d->want_kb - base : 0;

        bool swap_now = swapping(d);

        if ((int64_t)cost <= avail) {
            if (!set_target(b, d, d->want_kb, now))
                avail -= (int64_t)cost;
            continue;
        }
        if (!d->was_waiting)
            d->wait_since_ms = now;
        d->waiting = true;
        /*
         * A guest short of what it uses that has waited a tick for the
         * donors gets what is free already, in steps of at least the
         * damping (and 64 MiB) and an eighth of the way: it grows as the
         * donors shrink, a write every few ticks; waiting a second and
         * for half the way left a guest swapping for seconds in every
         * burst (bench/balance "bursty"; tests/balance/partial.t.sh).
         * Or all that is free once nothing more is coming.
         */
        if (swap_now && (uint64_t)avail >= b->damp_kb &&
            (!donors_moving ||
             (now - d->wait_since_ms >= BAL_WAIT_STEP_MS &&
              (uint64_t)avail >= BAL_STEP_MIN_KB &&
              (uint64_t)avail >= cost / BAL_STEP_DIV)) &&
            /* A step that ends the shortfall and leaves less than the
             * damping to come waits for the whole raise: one write. */
            (base + (uint64_t)avail < d->used_kb ||
             d->want_kb - base - (uint64_t)avail >= b->damp_kb)) {
            if (!set_target(b, d, base + (uint64_t)avail, now)) {
                avail = 0;
                d->wait_since_ms = now;
                /* The rest follows as memory is freed, even once it
                 * is less than the damping. */
                d->partial = true;
            }
        }
    }
    for (i = 0; i < b->n; i++) {
        struct bdom *d = b->v[i];

        publish(b, d, &h, &b->pd[i]);
        /* A guest left short by the damping: look again when its
         * patience ends (one wake-up per shortfall). */
        if (swapping(d) && d->damped &&
            now - d->short_since_ms < BAL_SHORT_PATIENCE_MS) {
            uint64_t left = d->short_since_ms + BAL_SHORT_PATIENCE_MS - now;

            if (!next_ms || left < next_ms)
                next_ms = left;
        }
        /* A stuck balloon is tried again when its back-off ends (one
         * wake-up per retry). */
        if (d->stuck) {
            uint64_t left = d->stuck_retry_ms > now ? d->stuck_retry_ms - now :
                                                      1;

            if (!next_ms || left < next_ms)
                next_ms = left;
        }
        if (d->moving || (d->waiting && donors_moving)) {
            if (!moving)
                mempolicy_actor_log(b->a, XTL_DEBUG,
                                    "domain %u: %s: "
                                    "%llu -> %llu MiB; next look in %u ms",
                                    d->domid, d->moving ? "moving" : "waiting",
                                    MIB(d->actual_kb), MIB(d->target_kb),
                                    BAL_TICK_MS);
            moving = true;
        }
    }
    /* Granted once it is free net of every raise still under way. */
    if (bal_resv_any(b))
        bal_resv_grant(b, &phys, bal_pending_kb(b));
    if (moving)
        bal_schedule(b, BAL_TICK_MS);
    else if (next_ms)
        bal_schedule(b, next_ms);
}
