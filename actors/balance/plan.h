/*
 * plan.h: the balance actor's decision, as a pure function.
 *
 * Given what each domain holds, what it reported using, its floor, cap
 * and weight, and the host's free memory, compute the size every domain
 * should have, such that once every balloon got there the host keeps at
 * least `floor` free.  No store, no clock: each rule is unit-tested on
 * its own (tests/balance/test_balance_plan.c) and balance.c only carries
 * the decision out (free before allocate, damping, stuck balloons).
 *
 * The memory the managed domains may share is
 *   pool = host free - floor - reserved - reserve
 *        + what the planned domains hold now
 *        + what held domains will give back (actual - hold, may be < 0)
 * and is given out in tiers, each by weighted water-filling (every
 * domain's share grows in proportion to its weight until it reaches the
 * tier's cap; what capped domains do not take goes to the others):
 *   1. the domain's floor (min=, min_guarantee);
 *   2. what it uses (its report, plus the share of its working set under
 *      memory pressure when it reports PSI), up to its soft limit:
 *      under contention nobody gets headroom while another is short of
 *      what it uses, so total shortfall is the least possible and weights
 *      decide who is short;
 *   3. used x (1 + headroom%), the cache margin qmemman calls
 *      CACHE_FACTOR, up to its soft limit;
 *   4. and 5. the same above the soft limit (soft_limit, libvirt's
 *      memtune): a domain above its soft limit gives first, and nobody
 *      goes below its soft limit (or below what it needs, if less) while
 *      another is above its own; without soft limits 2 and 3 give all;
 *   6. the surplus, up to max= (never above static-max nor the hard
 *      limit's cap), by weight.
 * A domain is "held" (grace after boot, no report yet, a balloon that
 * does not move) at a fixed size and takes no part.
 */
#ifndef BALANCE_PLAN_H
#define BALANCE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bp_tier {
    BP_TIER_MIN,      /* at its floor (or below: the host is short) */
    BP_TIER_USED,     /* between its floor and what it uses */
    BP_TIER_HEADROOM, /* between used and used + headroom */
    BP_TIER_SURPLUS,  /* above, with a share of the surplus */
    BP_TIER_MAX,      /* at its cap */
    BP_TIER_HELD,     /* not planned: held at hold_kb */
    BP_TIER_SOFT,     /* held at its soft limit: the host is short */
};

/* What set a domain's floor or cap (min_why, max_why), for the
 * explanation: the limit that decided its target. */
enum bp_limit {
    BP_LIM_ACTOR,      /* the actor's own min= / max= */
    BP_LIM_GUARANTEE,  /* min_guarantee (memtune) */
    BP_LIM_GRACE,      /* its initial memory, in its boot grace */
    BP_LIM_STATIC_MAX, /* memory/static-max */
    BP_LIM_POLICY,     /* an enforced policy target (mem-set) */
    BP_LIM_HARD,       /* hard_limit (memtune): maxmem never above it */
    BP_LIM_PLANNED,    /* apply.c's re-plan around damped domains: its
                        * first plan of the pass (explained by that plan) */
};

/* No soft limit (soft_kb). */
#define BP_UNLIMITED UINT64_MAX

struct bp_dom {
    /* inputs */
    uint32_t domid;
    uint64_t actual_kb; /* tot_pages */
    uint64_t min_kb;    /* floor, <= max_kb */
    uint64_t max_kb;    /* cap, <= static-max */
    uint64_t soft_kb;   /* soft limit (BP_UNLIMITED: none) */
    enum bp_limit min_why, max_why;
    unsigned weight;       /* 1..100 */
    unsigned headroom_pct; /* 0..300 */
    uint64_t used_kb;      /* validated report (<= static-max) */
    unsigned psi_x100;     /* some avg10 x 100 (0..10000), 0: none */
    unsigned group;        /* 0: the root group (the host); k:
                            * bp_host.groups[k - 1] */
    bool held;             /* fixed at hold_kb, not planned */
    uint64_t hold_kb;

    /* outputs */
    uint64_t want_kb;      /* the planned size */
    uint64_t need_used_kb; /* tier 2 cap: used + pressure share */
    uint64_t need_kb;      /* tier 3 cap: with headroom */
    uint64_t surplus_kb;   /* what tier 4 gave it */
    enum bp_tier tier;
};

/*
 * A memory group (libvirt's resource partition; docs/groups.md): its
 * domains together are never planned above budget_kb, and under
 * contention it shares with the root group's domains (and the other
 * groups) by its weight, as one of them, its share then going to its
 * domains by theirs.
 */
#define BP_GROUPS_MAX 64
struct bp_group {
    const char *name;   /* for the explanation */
    uint64_t budget_kb; /* BP_UNLIMITED: none */
    unsigned weight;    /* 1..100 */
    /* outputs */
    uint64_t want_kb; /* what its domains are planned in all */
    bool full;        /* its budget held its domains back */
};

struct bp_host {
    uint64_t free_kb;        /* the hypervisor's free memory now */
    uint64_t floor_kb;       /* never planned below */
    uint64_t reserve_kb;     /* kept free besides the floor */
    uint64_t reserved_kb;    /* reservations (granted and pending): kept
                              * free like the floor, for domains to come */
    struct bp_group *groups; /* [ngroups], ngroups <= BP_GROUPS_MAX */
    size_t ngroups;
    /* outputs */
    int64_t pool_kb;     /* what the planned domains share */
    uint64_t short_kb;   /* sum of used not given (contention) */
    uint64_t surplus_kb; /* given out in tier 4 */
};

/* PSI above this (percent x 100) counts as pressure. */
#define BP_PSI_MIN_X100 100u
/* The share of used memory added at most for pressure (percent). */
#define BP_PSI_BOOST_MAX_PCT 30u

/* The doubles of scratch bp_plan needs for n domains. */
#define BP_SCRATCH(n) (6 * (size_t)(n) + 8 * (BP_GROUPS_MAX + 1) + 8)

/*
 * Plan every domain of d[0..n).  `scratch` must hold BP_SCRATCH(n)
 * doubles; cost O(n log n) and no allocation.
 */
void bp_plan(struct bp_host *h, struct bp_dom *d, size_t n, double *scratch);

/*
 * One line of at most `len` bytes saying why d got its size, e.g.
 * "812 MiB = used 538 x 1.3 headroom + 112 MiB of the surplus at weight
 * 2; host free 96 MiB (floor 64)".
 */
void bp_explain(const struct bp_host *h, const struct bp_dom *d, char *buf,
                size_t len);

#endif
