/*
 * plan.c: the balance actor's decision (see plan.h).
 *
 * Weighted water-filling: within a tier every planned domain i starts at
 * lo_i (what earlier tiers gave it) and may rise to hi_i; with a level L
 * it gets min(hi_i, lo_i + L * w_i).  The level that spends the tier's
 * budget exactly is found by sorting the points where domains reach
 * their cap ((hi_i - lo_i) / w_i): O(n log n).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct fill_ent {
    double t; /* level at which the domain reaches its cap */
    double idx;
};

static int cmp_ent(const void *a, const void *b)
{
    double x = ((const struct fill_ent *)a)->t;
    double y = ((const struct fill_ent *)b)->t;

    return x < y ? -1 : x > y;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/*
 * One tier: raise want_kb of planned domains towards cap[i] within
 * budget, by weight; returns what was spent.
 */
static uint64_t fill(struct bp_dom *d, size_t n, uint64_t budget,
                     const uint64_t *cap, struct fill_ent *e)
{
    double w = 0, s = 0, level = 0, need = 0;
    uint64_t spent = 0;
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        if (d[i].held || cap[i] <= d[i].want_kb)
            continue;
        e[m].t = (double)(cap[i] - d[i].want_kb) / d[i].weight;
        e[m].idx = (double)i;
        need += (double)(cap[i] - d[i].want_kb);
        w += d[i].weight;
        m++;
    }
    if (!m || !budget)
        return 0;
    if (need <= (double)budget) {
        level = -1; /* everyone to the cap */
    } else {
        qsort(e, m, sizeof(*e), cmp_ent);
        for (i = 0; i < m; i++) {
            size_t k = (size_t)e[i].idx;

            if (s + w * e[i].t >= (double)budget)
                break;
            s += (double)(cap[k] - d[k].want_kb);
            w -= d[k].weight;
        }
        level = w > 0 ? ((double)budget - s) / w : 0;
    }
    for (i = 0; i < n; i++) {
        uint64_t room, add;
        double a;

        if (d[i].held || cap[i] <= d[i].want_kb)
            continue;
        room = cap[i] - d[i].want_kb;
        a = level * d[i].weight;
        add = level < 0 || a >= (double)room ? room : (uint64_t)a;
        if (add > budget - spent)
            add = budget - spent;
        d[i].want_kb += add;
        spent += add;
    }
    return spent;
}

/* The soft limit within the domain's range. */
static uint64_t soft_of(const struct bp_dom *x)
{
    return min64(max64(x->soft_kb, x->min_kb), x->max_kb);
}

void bp_plan(struct bp_host *h, struct bp_dom *d, size_t n, double *scratch)
{
    uint64_t *cap = (uint64_t *)(void *)scratch;
    struct fill_ent *ent = (struct fill_ent *)(void *)(scratch + n);
    int64_t pool;
    uint64_t budget, used_sum = 0, used_given = 0, spent;
    bool soft = false;
    size_t i;

    pool = (int64_t)h->free_kb - (int64_t)h->floor_kb - (int64_t)h->reserved_kb;
    for (i = 0; i < n; i++) {
        struct bp_dom *x = &d[i];
        uint64_t boost = 0;

        if (x->weight < 1)
            x->weight = 1;
        if (x->max_kb < x->min_kb)
            x->max_kb = x->min_kb;
        x->surplus_kb = 0;
        if (x->held) {
            x->want_kb = x->hold_kb;
            x->tier = BP_TIER_HELD;
            pool += (int64_t)x->actual_kb - (int64_t)x->hold_kb;
            continue;
        }
        pool += (int64_t)x->actual_kb;
        if (x->psi_x100 >= BP_PSI_MIN_X100) {
            unsigned pct = x->psi_x100 / 100;

            if (pct > BP_PSI_BOOST_MAX_PCT)
                pct = BP_PSI_BOOST_MAX_PCT;
            if (!pct)
                pct = 1;
            boost = x->used_kb / 100 * pct;
        }
        x->need_used_kb = min64(max64(x->used_kb + boost, x->min_kb),
                                x->max_kb);
        x->need_kb = min64(x->need_used_kb + x->used_kb / 100 * x->headroom_pct,
                           x->max_kb);
        x->want_kb = 0;
        used_sum += x->need_used_kb;
        if (soft_of(x) < x->need_kb)
            soft = true;
    }
    h->pool_kb = pool;
    budget = pool > 0 ? (uint64_t)pool : 0;

    /* 1. floors */
    for (i = 0; i < n; i++)
        cap[i] = d[i].min_kb;
    budget -= fill(d, n, budget, cap, ent);
    /* 2. what it uses, 3. headroom: up to the soft limit, then (4., 5.)
     * above it.  A domain above its soft limit gives first; nobody is
     * taken below its soft limit while another is above its own. */
    for (i = 0; i < n; i++)
        cap[i] = d[i].held ? 0 : min64(d[i].need_used_kb, soft_of(&d[i]));
    budget -= fill(d, n, budget, cap, ent);
    for (i = 0; i < n; i++)
        cap[i] = d[i].held ? 0 : min64(d[i].need_kb, soft_of(&d[i]));
    budget -= fill(d, n, budget, cap, ent);
    if (soft) {
        for (i = 0; i < n; i++)
            cap[i] = d[i].held ? 0 : d[i].need_used_kb;
        budget -= fill(d, n, budget, cap, ent);
        for (i = 0; i < n; i++)
            cap[i] = d[i].held ? 0 : d[i].need_kb;
        budget -= fill(d, n, budget, cap, ent);
    }
    for (i = 0; i < n; i++)
        if (!d[i].held)
            used_given += min64(d[i].want_kb, d[i].need_used_kb);
    h->short_kb = used_sum - used_given;
    /* 6. the surplus, less the reserve */
    budget = budget > h->reserve_kb ? budget - h->reserve_kb : 0;
    for (i = 0; i < n; i++) {
        cap[i] = d[i].held ? 0 : d[i].max_kb;
        d[i].surplus_kb = d[i].want_kb;
    }
    spent = fill(d, n, budget, cap, ent);
    h->surplus_kb = spent;
    for (i = 0; i < n; i++) {
        struct bp_dom *x = &d[i];

        if (x->held)
            continue;
        x->surplus_kb = x->want_kb - x->surplus_kb;
        if (x->want_kb >= x->max_kb)
            x->tier = BP_TIER_MAX;
        else if (x->surplus_kb)
            x->tier = BP_TIER_SURPLUS;
        else if (x->want_kb > x->min_kb && x->want_kb == soft_of(x) &&
                 x->want_kb < x->need_kb)
            x->tier = BP_TIER_SOFT;
        else if (x->want_kb > x->need_used_kb)
            x->tier = BP_TIER_HEADROOM;
        else if (x->want_kb > x->min_kb)
            x->tier = BP_TIER_USED;
        else
            x->tier = BP_TIER_MIN;
    }
}

#define MIB(kb) ((unsigned long long)((kb) + 512) / 1024)

static const char *const lim_names[] = {
    [BP_LIM_GUARANTEE] = "min_guarantee",
    [BP_LIM_GRACE] = "its initial memory (boot grace)",
    [BP_LIM_STATIC_MAX] = "static-max",
    [BP_LIM_POLICY] = "the policy target",
    [BP_LIM_HARD] = "the hard_limit cap",
};

/* The limit's name; the actor's own is min or max (dflt). */
static const char *lim_name(enum bp_limit l, const char *dflt)
{
    return (unsigned)l < sizeof(lim_names) / sizeof(lim_names[0]) &&
            lim_names[l] ?
        lim_names[l] :
        dflt;
}

void bp_explain(const struct bp_host *h, const struct bp_dom *d, char *buf,
                size_t len)
{
    char head[200], tail[80], soft[64] = "";

    snprintf(tail, sizeof(tail), "; host free %llu MiB (floor %llu)",
             MIB(h->free_kb), MIB(h->floor_kb));
    /* Short of what it needs and above its soft limit: it gave first. */
    if (d->soft_kb != BP_UNLIMITED && d->want_kb > d->soft_kb &&
        (d->tier == BP_TIER_USED || d->tier == BP_TIER_HEADROOM))
        snprintf(soft, sizeof(soft), ", above soft_limit %llu: gives first",
                 MIB(d->soft_kb));
    switch (d->tier) {
    case BP_TIER_HELD:
        snprintf(head, sizeof(head), "%llu MiB held", MIB(d->want_kb));
        break;
    case BP_TIER_MAX:
        snprintf(head, sizeof(head), "%llu MiB = %s (used %llu)",
                 MIB(d->want_kb), lim_name(d->max_why, "max"), MIB(d->used_kb));
        break;
    case BP_TIER_SURPLUS:
        snprintf(head, sizeof(head),
                 "%llu MiB = used %llu x %u.%02u headroom + %llu MiB of "
                 "the surplus at weight %u",
                 MIB(d->want_kb), MIB(d->used_kb), 1 + d->headroom_pct / 100,
                 d->headroom_pct % 100, MIB(d->surplus_kb), d->weight);
        break;
    case BP_TIER_HEADROOM:
        snprintf(head, sizeof(head),
                 "%llu MiB = used %llu + %llu of %u%% headroom (host "
                 "short%s)",
                 MIB(d->want_kb), MIB(d->used_kb),
                 MIB(d->want_kb - d->need_used_kb), d->headroom_pct, soft);
        break;
    case BP_TIER_SOFT:
        snprintf(head, sizeof(head),
                 "%llu MiB = soft_limit (used %llu): host short %llu MiB, "
                 "taken down to its soft limit first",
                 MIB(d->want_kb), MIB(d->used_kb), MIB(h->short_kb));
        break;
    case BP_TIER_USED:
        snprintf(head, sizeof(head),
                 "%llu MiB of used %llu: host short %llu MiB, weight %u%s",
                 MIB(d->want_kb), MIB(d->need_used_kb), MIB(h->short_kb),
                 d->weight, soft);
        break;
    case BP_TIER_MIN:
        snprintf(head, sizeof(head), "%llu MiB = %s (used %llu)",
                 MIB(d->want_kb), lim_name(d->min_why, "min"), MIB(d->used_kb));
        break;
    }
    snprintf(buf, len, "%.*s%s",
             (int)(len > strlen(tail) ? len - strlen(tail) - 1 : 0), head,
             tail);
}
