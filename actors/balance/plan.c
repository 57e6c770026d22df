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

/* One entity of a water-filling: a domain, or a group as a whole (16
 * bytes: the sort moves these). */
struct fill_ent {
    double t;     /* level at which it reaches its cap: room / weight */
    uint32_t idx; /* a domain's index, or n + a group's */
    uint32_t weight;
};

/* Per group, while planning. */
struct group_work {
    uint64_t sum;   /* what its domains are planned so far */
    uint64_t room;  /* what they may still take, within the budget; then
                     * the group's share of the tier */
    uint32_t start; /* its domains: order[start .. start + count) */
    uint32_t count;
    uint8_t clipped; /* its budget, not its domains, set its room (2:
                      * and it took all of it) */
};

/* The scratch, carved (BP_SCRATCH doubles). */
struct work {
    uint64_t *cap;         /* n */
    struct fill_ent *ent;  /* n + BP_GROUPS_MAX */
    uint32_t *order;       /* n: domain indices, by group */
    struct group_work *gw; /* BP_GROUPS_MAX + 1 (0: the root group) */
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

/* A planned domain's room in this tier (0: none). */
static uint64_t room_of(const struct bp_dom *x, uint64_t cap)
{
    return x->held || cap <= x->want_kb ? 0 : cap - x->want_kb;
}

/* An entity's room: a domain's, or a group's (idx >= n). */
static uint64_t ent_room(const struct bp_dom *d, size_t n,
                         const struct work *wk, uint32_t idx)
{
    return idx < n ? room_of(&d[idx], wk->cap[idx]) : wk->gw[idx - n].room;
}

/*
 * Weighted water-filling of budget over e[0..m): each entity's share
 * grows in proportion to its weight until its room is filled; a
 * domain's share is added to its want_kb, a group's replaces its room.
 * O(m log m), O(m) when the budget covers every room.  Returns what was
 * spent.
 */
static uint64_t wfill(struct bp_dom *d, size_t n, struct work *wk,
                      struct fill_ent *e, size_t m, uint64_t budget)
{
    double w = 0, s = 0, level = 0, need = 0;
    uint64_t spent = 0;
    size_t i;

    if (!m || !budget) {
        for (i = 0; i < m; i++)
            if (e[i].idx >= n)
                wk->gw[e[i].idx - n].room = 0;
        return 0;
    }
    for (i = 0; i < m; i++) {
        double r = (double)ent_room(d, n, wk, e[i].idx);

        e[i].t = r / e[i].weight;
        need += r;
        w += e[i].weight;
    }
    if (need <= (double)budget) {
        level = -1; /* everyone to the cap */
    } else {
        qsort(e, m, sizeof(*e), cmp_ent);
        for (i = 0; i < m; i++) {
            if (s + w * e[i].t >= (double)budget)
                break;
            s += e[i].t * e[i].weight;
            w -= e[i].weight;
        }
        level = w > 0 ? ((double)budget - s) / w : 0;
    }
    for (i = 0; i < m; i++) {
        uint32_t k = e[i].idx;
        uint64_t room = ent_room(d, n, wk, k), add;
        double a = level * e[i].weight;

        add = level < 0 || a >= (double)room ? room : (uint64_t)a;
        if (add > budget - spent)
            add = budget - spent;
        spent += add;
        if (k < n) {
            d[k].want_kb += add;
            continue;
        }
        /* A group's budget decided: it got all the budget left it. */
        if (wk->gw[k - n].clipped && add == room)
            wk->gw[k - n].clipped = 2;
        wk->gw[k - n].room = add;
    }
    return spent;
}

/* e[m++] = the domain's entity, if it has room in this tier. */
static size_t add_dom(const struct bp_dom *d, const struct work *wk, size_t i,
                      struct fill_ent *e, size_t m)
{
    if (!room_of(&d[i], wk->cap[i]))
        return m;
    e[m].idx = (uint32_t)i;
    e[m].weight = d[i].weight;
    return m + 1;
}

/*
 * One tier: raise want_kb of planned domains towards cap[i] within
 * budget, by weight; returns what was spent.  With memory groups, in two
 * levels, as a cgroup hierarchy: the root group's domains and the groups
 * share the budget by weight (a group's room: what its domains may
 * take, within what its budget leaves), then each group's share goes to
 * its domains by their weights.
 */
static uint64_t fill(struct bp_host *h, struct bp_dom *d, size_t n,
                     uint64_t budget, struct work *wk)
{
    struct fill_ent *e = wk->ent;
    uint64_t spent;
    size_t i, m = 0, g, k;

    if (!budget)
        return 0;
    if (!h->ngroups) {
        for (i = 0; i < n; i++)
            m = add_dom(d, wk, i, e, m);
        return wfill(d, n, wk, e, m, budget);
    }
    /* Each group's room within its budget. */
    for (g = 1; g <= h->ngroups; g++) {
        struct group_work *gw = &wk->gw[g];
        const struct bp_group *gr = &h->groups[g - 1];
        uint64_t left = gr->budget_kb > gw->sum ? gr->budget_kb - gw->sum : 0;

        gw->room = 0;
        for (k = gw->start; k < gw->start + gw->count; k++) {
            i = wk->order[k];
            gw->room += room_of(&d[i], wk->cap[i]);
        }
        gw->clipped = gw->room > left;
        if (gw->clipped)
            gw->room = left;
        /* Nothing left of its budget for what its domains want. */
        if (gw->clipped && !left)
            h->groups[g - 1].full = true;
    }
    /* 1. the root group's domains and the groups, by weight */
    for (k = 0; k < wk->gw[0].count; k++)
        m = add_dom(d, wk, wk->order[k], e, m);
    for (g = 1; g <= h->ngroups; g++) {
        if (!wk->gw[g].room)
            continue;
        e[m].weight = h->groups[g - 1].weight ? h->groups[g - 1].weight : 1;
        e[m++].idx = (uint32_t)(n + g);
    }
    spent = wfill(d, n, wk, e, m, budget);
    /* 2. each group's share to its domains, by theirs */
    for (g = 1; g <= h->ngroups; g++) {
        struct group_work *gw = &wk->gw[g];

        if (gw->clipped == 2)
            h->groups[g - 1].full = true;
        if (!gw->room)
            continue;
        m = 0;
        for (k = gw->start; k < gw->start + gw->count; k++)
            m = add_dom(d, wk, wk->order[k], e, m);
        gw->sum += wfill(d, n, wk, e, m, gw->room);
    }
    return spent;
}

/* The soft limit within the domain's range. */
static uint64_t soft_of(const struct bp_dom *x)
{
    return min64(max64(x->soft_kb, x->min_kb), x->max_kb);
}

/*
 * Carve the scratch and sort the domains by group (a counting sort:
 * O(n + groups)); a group's sum starts with what its held domains hold.
 */
static void setup(struct bp_host *h, struct bp_dom *d, size_t n,
                  double *scratch, struct work *wk)
{
    size_t i, g;

    wk->cap = (uint64_t *)(void *)scratch;
    wk->ent = (struct fill_ent *)(void *)(scratch + n);
    wk->order = (uint32_t *)(void *)(scratch + n + 4 * (n + BP_GROUPS_MAX));
    wk->gw = (struct group_work *)(void *)(scratch + 6 * n + 4 * BP_GROUPS_MAX);
    if (h->ngroups > BP_GROUPS_MAX)
        h->ngroups = BP_GROUPS_MAX;
    if (!h->ngroups)
        return;
    memset(wk->gw, 0, (h->ngroups + 1) * sizeof(*wk->gw));
    for (g = 0; g < h->ngroups; g++) {
        h->groups[g].want_kb = 0;
        h->groups[g].full = false;
    }
    for (i = 0; i < n; i++) {
        if (d[i].group > h->ngroups)
            d[i].group = 0; /* unknown: the root group */
        wk->gw[d[i].group].count++;
    }
    for (g = 1; g <= h->ngroups; g++)
        wk->gw[g].start = wk->gw[g - 1].start + wk->gw[g - 1].count;
    for (g = 0; g <= h->ngroups; g++)
        wk->gw[g].room = wk->gw[g].start; /* next free slot */
    for (i = 0; i < n; i++)
        wk->order[wk->gw[d[i].group].room++] = (uint32_t)i;
    for (g = 0; g <= h->ngroups; g++)
        wk->gw[g].room = 0;
}

void bp_plan(struct bp_host *h, struct bp_dom *d, size_t n, double *scratch)
{
    struct work wk;
    uint64_t *cap;
    int64_t pool;
    uint64_t budget, used_sum = 0, used_given = 0, spent;
    bool soft = false;
    size_t i;

    setup(h, d, n, scratch, &wk);
    cap = wk.cap;
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
            if (h->ngroups && x->group)
                wk.gw[x->group].sum += x->hold_kb;
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
    budget -= fill(h, d, n, budget, &wk);
    /* 2. what it uses, 3. headroom: up to the soft limit, then (4., 5.)
     * above it.  A domain above its soft limit gives first; nobody is
     * taken below its soft limit while another is above its own. */
    for (i = 0; i < n; i++)
        cap[i] = d[i].held ? 0 : min64(d[i].need_used_kb, soft_of(&d[i]));
    budget -= fill(h, d, n, budget, &wk);
    for (i = 0; i < n; i++)
        cap[i] = d[i].held ? 0 : min64(d[i].need_kb, soft_of(&d[i]));
    budget -= fill(h, d, n, budget, &wk);
    if (soft) {
        for (i = 0; i < n; i++)
            cap[i] = d[i].held ? 0 : d[i].need_used_kb;
        budget -= fill(h, d, n, budget, &wk);
        for (i = 0; i < n; i++)
            cap[i] = d[i].held ? 0 : d[i].need_kb;
        budget -= fill(h, d, n, budget, &wk);
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
    spent = fill(h, d, n, budget, &wk);
    h->surplus_kb = spent;
    for (i = 0; i < n; i++) {
        struct bp_dom *x = &d[i];

        if (h->ngroups && x->group)
            h->groups[x->group - 1].want_kb += x->want_kb;
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
    [BP_LIM_PLANNED] = "its plan this pass",
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
    char head[200], tail[200], soft[64] = "";
    const struct bp_group *g = d->group && d->group <= h->ngroups ?
        &h->groups[d->group - 1] :
        NULL;

    if (g && g->full)
        snprintf(tail, sizeof(tail),
                 "; group %.64s at its budget %llu MiB; host free %llu MiB "
                 "(floor %llu)",
                 g->name ? g->name : "?", MIB(g->budget_kb), MIB(h->free_kb),
                 MIB(h->floor_kb));
    else
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
        if (g && g->full) /* the group's budget, not the host, is short */
            snprintf(head, sizeof(head), "%llu MiB of used %llu: weight %u%s",
                     MIB(d->want_kb), MIB(d->need_used_kb), d->weight, soft);
        else
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
