/*
 * test_balance_plan.c: the balance actor's decision (actors/balance/
 * plan.c) and its reading of untrusted reports (report.c), rule by rule,
 * on plain values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <libmempolicy.h>

#include "plan.h"
#include "report.h"

#define MiB 1024ull

static struct bp_dom dom(uint32_t id, uint64_t actual, uint64_t used,
                         unsigned weight)
{
    struct bp_dom d;

    memset(&d, 0, sizeof(d));
    d.domid = id;
    d.actual_kb = actual;
    d.used_kb = used;
    d.weight = weight;
    d.min_kb = 200 * MiB;
    d.max_kb = 4096 * MiB;
    d.soft_kb = BP_UNLIMITED;
    d.headroom_pct = 30;
    return d;
}

static uint64_t total(const struct bp_dom *d, size_t n)
{
    uint64_t t = 0;
    size_t i;

    for (i = 0; i < n; i++)
        t += d[i].want_kb;
    return t;
}

/* Equal within rounding (a water level times a weight, truncated). */
static int near(uint64_t a, uint64_t b)
{
    return (a > b ? a - b : b - a) <= 2;
}

static void plan(struct bp_host *h, struct bp_dom *d, size_t n)
{
    double *scratch = calloc(BP_SCRATCH(n), sizeof(double));

    bp_plan(h, d, n, scratch);
    free(scratch);
}

/* Never planned below the floor: the domains share free + what they
 * hold, less the floor, and no more. */
static void test_floor_never_planned_below(void **state)
{
    struct bp_dom d[3] = { dom(1, 1024 * MiB, 3000 * MiB, 1),
                           dom(2, 1024 * MiB, 3000 * MiB, 1),
                           dom(3, 1024 * MiB, 100 * MiB, 1) };
    struct bp_host h = { .free_kb = 500 * MiB, .floor_kb = 72 * MiB };

    (void)state;
    plan(&h, d, 3);
    assert_int_equal(total(d, 3), 3 * 1024 * MiB + 500 * MiB - 72 * MiB);
    /* Host free after every balloon got there is the floor exactly. */
    assert_int_equal((int64_t)h.free_kb + 3 * 1024 * MiB - total(d, 3),
                     72 * MiB);
}

/* Plenty: everyone gets used x 1.3, the surplus goes by weight. */
static void test_enough_headroom_and_surplus_by_weight(void **state)
{
    struct bp_dom d[2] = { dom(1, 1000 * MiB, 500 * MiB, 1),
                           dom(2, 1000 * MiB, 500 * MiB, 3) };
    struct bp_host h = { .free_kb = 872 * MiB, .floor_kb = 72 * MiB };
    uint64_t s1, s2;

    (void)state;
    plan(&h, d, 2);
    s1 = d[0].want_kb - 650 * MiB;
    s2 = d[1].want_kb - 650 * MiB;
    assert_int_equal(s1 + s2, 2800 * MiB - 1300 * MiB);
    /* 1:3, within rounding */
    assert_true(s2 > 3 * s1 - 4 && s2 < 3 * s1 + 4);
    assert_int_equal(d[0].tier, BP_TIER_SURPLUS);
}

/* A reserve stays free besides the floor. */
static void test_reserve_kept(void **state)
{
    struct bp_dom d[1] = { dom(1, 1000 * MiB, 500 * MiB, 1) };
    struct bp_host h = { .free_kb = 1072 * MiB,
                         .floor_kb = 72 * MiB,
                         .reserve_kb = 512 * MiB };

    (void)state;
    plan(&h, d, 1);
    assert_int_equal(d[0].want_kb, 1488 * MiB);
}

/* Contention: nobody keeps headroom while another is short of what it
 * uses; the shortage is shared by weight. */
/* Reservations are kept free like the floor, contention or not: the
 * domains share free + what they hold less floor and reservations. */
static void test_reserved_kept(void **state)
{
    struct bp_dom d[2] = { dom(1, 1024 * MiB, 3000 * MiB, 1),
                           dom(2, 1024 * MiB, 100 * MiB, 1) };
    struct bp_host h = { .free_kb = 800 * MiB,
                         .floor_kb = 72 * MiB,
                         .reserved_kb = 300 * MiB };

    (void)state;
    plan(&h, d, 2);
    assert_int_equal(total(d, 2), 2048 * MiB + 800 * MiB - 372 * MiB);
    assert_int_equal(h.pool_kb, (int64_t)(2048 + 800 - 372) * (int64_t)MiB);
}

static void test_contention_no_headroom_weights(void **state)
{
    struct bp_dom d[3] = { dom(1, 1000 * MiB, 400 * MiB, 1),
                           dom(2, 1000 * MiB, 1500 * MiB, 1),
                           dom(3, 1000 * MiB, 1500 * MiB, 3) };
    struct bp_host h = { .free_kb = 72 * MiB, .floor_kb = 72 * MiB };

    (void)state;
    plan(&h, d, 3);
    /* dom1 gets what it uses, no headroom: 3000 - 400 = 2600 for the
     * two others, short 400 together.  Above their floors they rise 1:3:
     * dom3 reaches its 1500 first, dom2 gets the rest, 1100. */
    assert_int_equal(d[0].want_kb, 400 * MiB);
    assert_int_equal(d[1].want_kb + d[2].want_kb, 2600 * MiB);
    assert_int_equal(h.short_kb, 400 * MiB);
    assert_int_equal(d[2].want_kb, 1500 * MiB);
    assert_int_equal(d[1].want_kb, 1100 * MiB);
    assert_int_equal(d[1].tier, BP_TIER_USED);
    assert_int_equal(d[0].tier, BP_TIER_USED);
}

/* Floors and caps: min= is kept even when short, max= never passed. */
static void test_min_max(void **state)
{
    struct bp_dom d[2] = { dom(1, 1000 * MiB, 100 * MiB, 1),
                           dom(2, 1000 * MiB, 3000 * MiB, 1) };
    struct bp_host h = { .free_kb = 2072 * MiB, .floor_kb = 72 * MiB };

    (void)state;
    d[0].min_kb = 800 * MiB;
    d[1].max_kb = 1500 * MiB;
    plan(&h, d, 2);
    assert_true(d[0].want_kb >= 800 * MiB);
    assert_int_equal(d[1].want_kb, 1500 * MiB);
    assert_int_equal(d[1].tier, BP_TIER_MAX);
    /* what d2 cannot take goes to d1 */
    assert_int_equal(d[0].want_kb, 4000 * MiB - 1500 * MiB);
}

/*
 * soft_limit (memtune): under contention a domain above its soft limit
 * gives first; nobody is taken below its soft limit (or what it needs,
 * if less) while another is above its own.  A and B use 600 with soft
 * limits 300 and 500, C uses 600 with none: the host has 1500 for them.
 * Shared by weight without soft limits, each would get 500.
 */
static void test_soft_limit_gives_first(void **state)
{
    struct bp_dom d[3] = { dom(1, 600 * MiB, 600 * MiB, 1),
                           dom(2, 600 * MiB, 600 * MiB, 1),
                           dom(3, 600 * MiB, 600 * MiB, 1) };
    struct bp_host h = { .free_kb = 72 * MiB, .floor_kb = 72 * MiB };
    char line[200];

    (void)state;
    d[0].soft_kb = 300 * MiB;
    d[1].soft_kb = 500 * MiB;
    /* pool = free - floor + what they hold = 1500 */
    d[0].actual_kb = d[1].actual_kb = d[2].actual_kb = 500 * MiB;
    plan(&h, d, 3);
    assert_int_equal(total(d, 3), 1500 * MiB);
    assert_int_equal(d[0].want_kb, 300 * MiB);
    assert_int_equal(d[1].want_kb, 500 * MiB);
    assert_int_equal(d[2].want_kb, 700 * MiB); /* used + some headroom */
    assert_int_equal(d[0].tier, BP_TIER_SOFT);
    assert_int_equal(d[1].tier, BP_TIER_SOFT);
    bp_explain(&h, &d[0], line, sizeof(line));
    assert_non_null(strstr(line, "300 MiB = soft_limit (used 600)"));

    /* More memory: C gets its headroom before A or B pass their soft
     * limit; then what is left goes above the soft limits, by weight. */
    h.free_kb = 72 * MiB + 300 * MiB; /* pool 1800 */
    plan(&h, d, 3);
    assert_int_equal(d[2].want_kb, 780 * MiB);
    assert_int_equal(d[1].want_kb, 600 * MiB);
    assert_int_equal(d[0].want_kb, 420 * MiB);
    bp_explain(&h, &d[0], line, sizeof(line));
    assert_non_null(strstr(line, "above soft_limit 300: gives first"));

    /* A soft limit under the floor counts as the floor; no soft limit
     * changes nothing when there is enough for all. */
    h.free_kb = 72 * MiB + 3000 * MiB;
    plan(&h, d, 3);
    assert_true(d[0].want_kb >= 780 * MiB);
    assert_int_equal(d[0].tier, BP_TIER_SURPLUS);
}

/* The status line names the limit that decided the target: the
 * hard_limit's cap, min_guarantee's floor. */
static void test_limits_explained(void **state)
{
    struct bp_dom d[2] = { dom(1, 1000 * MiB, 3000 * MiB, 1),
                           dom(2, 1000 * MiB, 3000 * MiB, 1) };
    struct bp_host h = { .free_kb = 3000 * MiB, .floor_kb = 72 * MiB };
    char line[200];

    (void)state;
    d[0].max_kb = 1023 * MiB;
    d[0].max_why = BP_LIM_HARD;
    plan(&h, d, 2);
    assert_int_equal(d[0].want_kb, 1023 * MiB);
    bp_explain(&h, &d[0], line, sizeof(line));
    assert_non_null(strstr(line, "1023 MiB = the hard_limit cap"));

    d[0] = dom(1, 1000 * MiB, 3000 * MiB, 1);
    d[1] = dom(2, 1000 * MiB, 3000 * MiB, 1);
    d[0].min_kb = 900 * MiB;
    d[0].min_why = BP_LIM_GUARANTEE;
    h.free_kb = 72 * MiB;
    d[1].min_kb = 900 * MiB;
    d[1].actual_kb = 800 * MiB; /* pool 1800: both at their floors */
    plan(&h, d, 2);
    assert_int_equal(d[0].want_kb, 900 * MiB);
    bp_explain(&h, &d[0], line, sizeof(line));
    assert_non_null(strstr(line, "900 MiB = min_guarantee (used 3000)"));
    bp_explain(&h, &d[1], line, sizeof(line));
    assert_non_null(strstr(line, "900 MiB = min (used 3000)"));
}

/*
 * Memory groups: a group's domains together never above its budget,
 * the budget named in their status; a domain outside it plans as
 * without the group.
 */
static void test_group_budget(void **state)
{
    struct bp_group g = { .name = "web", .budget_kb = 1000 * MiB, .weight = 1 };
    struct bp_dom d[3] = { dom(1, 800 * MiB, 600 * MiB, 1),
                           dom(2, 800 * MiB, 600 * MiB, 1),
                           dom(3, 800 * MiB, 600 * MiB, 1) };
    struct bp_host h = { .free_kb = 8000 * MiB, .floor_kb = 72 * MiB };
    uint64_t alone;
    char line[240];

    (void)state;
    d[2].max_kb = 1000 * MiB;
    plan(&h, d, 3);
    alone = d[2].want_kb;
    assert_true(d[0].want_kb > 780 * MiB); /* headroom and surplus */

    d[0].group = d[1].group = 1;
    h.groups = &g;
    h.ngroups = 1;
    plan(&h, d, 3);
    assert_int_equal(d[0].want_kb + d[1].want_kb, 1000 * MiB);
    assert_int_equal(d[0].want_kb, 500 * MiB);
    assert_int_equal(g.want_kb, 1000 * MiB);
    assert_true(g.full);
    assert_int_equal(d[2].want_kb, alone);
    bp_explain(&h, &d[0], line, sizeof(line));
    assert_non_null(strstr(line,
                           "500 MiB of used 600: weight 1; group web "
                           "at its budget 1000 MiB; host free"));
    bp_explain(&h, &d[2], line, sizeof(line));
    assert_null(strstr(line, "group"));

    /* The budget holds the floors too; held domains count in it. */
    g.budget_kb = 300 * MiB;
    d[1].held = true;
    d[1].hold_kb = 250 * MiB;
    plan(&h, d, 3);
    assert_int_equal(d[0].want_kb, 50 * MiB);
    assert_int_equal(g.want_kb, 300 * MiB);
}

/*
 * Contention is shared between groups by group weight, then within a
 * group by domain weight: g1 (weight 1) = {a}, g2 (weight 3) = {b, c}.
 * After the 200 MiB floors, 600 MiB to share: g1 150, g2 450 (225
 * each).  By domain weight alone it would be 200 each.
 */
static void test_group_weights(void **state)
{
    struct bp_group g[2] = {
        { .name = "g1", .budget_kb = BP_UNLIMITED, .weight = 1 },
        { .name = "g2", .budget_kb = BP_UNLIMITED, .weight = 3 }
    };
    struct bp_dom d[4] = { dom(1, 400 * MiB, 1000 * MiB, 1),
                           dom(2, 400 * MiB, 1000 * MiB, 1),
                           dom(3, 400 * MiB, 1000 * MiB, 1),
                           dom(4, 400 * MiB, 1000 * MiB, 2) };
    struct bp_host h = {
        .free_kb = 72 * MiB, .floor_kb = 72 * MiB, .groups = g, .ngroups = 2
    };

    (void)state;
    d[0].group = 1;
    d[1].group = d[2].group = 2;
    d[3].held = true; /* not in this game */
    d[3].hold_kb = 400 * MiB;
    plan(&h, d, 4);
    assert_int_equal(d[0].want_kb, 350 * MiB);
    assert_int_equal(d[1].want_kb, 425 * MiB);
    assert_int_equal(d[2].want_kb, 425 * MiB);
    assert_false(g[0].full || g[1].full);

    /* A root-group domain (weight 2) is one more sibling: 1000 MiB by
     * weights 1 (g1), 3 (g2), 2 (it): 1/6, 3/6, 2/6; within g2 by the
     * domains' weights (b 1, c 2): 1/6 and 2/6. */
    d[3].held = false;
    d[3].actual_kb = 400 * MiB;
    h.free_kb = 72 * MiB + 200 * MiB; /* pool 1800: floors 800, 1000 */
    d[2].weight = 2;
    plan(&h, d, 4);
    assert_true(near(d[0].want_kb, 200 * MiB + 1000 * MiB / 6));
    assert_true(near(d[3].want_kb, 200 * MiB + 2000 * MiB / 6));
    assert_true(near(d[1].want_kb, 200 * MiB + 1000 * MiB / 6));
    assert_true(near(d[2].want_kb, 200 * MiB + 2000 * MiB / 6));
    /* all of it, but for a few KiB of rounding: never more */
    assert_true(total(d, 4) <= 1800 * MiB && total(d, 4) >= 1800 * MiB - 4);
}

/* Held domains (grace, no report, stuck) take no part and count with
 * the size they will have. */
static void test_held(void **state)
{
    struct bp_dom d[2] = { dom(1, 1000 * MiB, 2000 * MiB, 1),
                           dom(2, 1000 * MiB, 0, 1) };
    struct bp_host h = { .free_kb = 72 * MiB, .floor_kb = 72 * MiB };

    (void)state;
    d[1].held = true;
    d[1].hold_kb = 600 * MiB; /* it is shrinking to 600 */
    plan(&h, d, 2);
    assert_int_equal(d[1].want_kb, 600 * MiB);
    assert_int_equal(d[1].tier, BP_TIER_HELD);
    assert_int_equal(d[0].want_kb, 1400 * MiB);
}

/* Pressure (PSI) raises what a domain is counted as using. */
static void test_psi_boost(void **state)
{
    struct bp_dom d[2] = { dom(1, 1000 * MiB, 1000 * MiB, 1),
                           dom(2, 1000 * MiB, 1000 * MiB, 1) };
    struct bp_host h = { .free_kb = 272 * MiB, .floor_kb = 72 * MiB };

    (void)state;
    d[0].psi_x100 = 2000; /* 20% */
    plan(&h, d, 2);
    assert_int_equal(d[0].need_used_kb, 1200 * MiB);
    assert_int_equal(d[1].need_used_kb, 1000 * MiB);
    assert_int_equal(d[0].want_kb, 1200 * MiB);
    assert_int_equal(d[1].want_kb, 1000 * MiB);
}

/* Less than the floors: nothing planned below the host floor, even if
 * floors are not met. */
static void test_short_of_floors(void **state)
{
    struct bp_dom d[2] = { dom(1, 150 * MiB, 1000 * MiB, 1),
                           dom(2, 150 * MiB, 1000 * MiB, 1) };
    struct bp_host h = { .free_kb = 50 * MiB, .floor_kb = 72 * MiB };

    (void)state;
    plan(&h, d, 2);
    assert_int_equal(total(d, 2), 278 * MiB);
}

/* The explanation names used, headroom, surplus, weight, free, floor. */
static void test_explain(void **state)
{
    struct bp_dom d[2] = { dom(1, 1000 * MiB, 538 * MiB, 2),
                           dom(2, 1000 * MiB, 538 * MiB, 1) };
    struct bp_host h = { .free_kb = 96 * MiB, .floor_kb = 64 * MiB };
    char line[160];

    (void)state;
    plan(&h, d, 2);
    bp_explain(&h, &d[0], line, sizeof(line));
    assert_non_null(strstr(line, "used 538 x 1.30 headroom"));
    assert_non_null(strstr(line, "of the surplus at weight 2"));
    assert_non_null(strstr(line, "host free 96 MiB (floor 64)"));
    assert_true(strlen(line) < 128);
}

/* 1,000 domains in 8 groups whose budgets bind (200 in the root group):
 * every group within its budget and full.  (What a plan costs is
 * measured by bench/balance/plan.c, not here: no test times the
 * machine.) */
static void test_thousand_domains_in_groups(void **state)
{
    enum { N = 1000 };
    struct bp_dom *d = calloc(N, sizeof(*d));
    double *scratch = calloc(BP_SCRATCH(N), sizeof(double));
    struct bp_host h = { .free_kb = 1024 * MiB, .floor_kb = 72 * MiB };
    struct bp_group g[8];
    uint64_t sum[8] = { 0 };
    int i;

    (void)state;
    for (i = 0; i < 8; i++)
        g[i] = (struct bp_group){ .name = "g",
                                  .budget_kb = 40000 * MiB,
                                  .weight = 1 + (unsigned)i };
    h.groups = g;
    h.ngroups = 8;
    for (i = 0; i < N; i++) {
        d[i] = dom((uint32_t)i + 1, 512 * MiB,
                   (uint64_t)(100 + (i * 37) % 900) * MiB,
                   1 + (unsigned)(i % 5));
        if (i % 10 < 8)
            d[i].group = 1 + (unsigned)(i % 10);
    }
    bp_plan(&h, d, N, scratch);
    for (i = 0; i < N; i++)
        if (d[i].group)
            sum[d[i].group - 1] += d[i].want_kb;
    for (i = 0; i < 8; i++) {
        assert_true(g[i].want_kb <= g[i].budget_kb);
        assert_true(sum[i] <= g[i].budget_kb);
        assert_true(g[i].full);
    }
    free(d);
    free(scratch);
}

static void test_report_used(void **state)
{
    uint64_t kb;
    const char *why;

    (void)state;
    assert_int_equal(mempolicy_meminfo_parse("262144", 6, &kb, &why), 0);
    assert_int_equal(kb, 262144);
    assert_int_equal(mempolicy_meminfo_parse("0", 1, &kb, &why), 0);
    assert_int_equal(mempolicy_meminfo_parse("", 0, &kb, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_meminfo_parse("-5", 2, &kb, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_meminfo_parse("12a", 3, &kb, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_meminfo_parse(" 12", 3, &kb, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_meminfo_parse("MemTotal: 5 kB", 14, &kb, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(
        mempolicy_meminfo_parse("99999999999999999999", 20, &kb, &why),
        MEMPOLICY_ERROR_INVAL);
    assert_string_equal(why, "report out of range");
    assert_int_equal(
        mempolicy_meminfo_parse("123456789012345678901", 21, &kb, &why),
        MEMPOLICY_ERROR_INVAL);
    assert_string_equal(why, "report too long");
}

static void test_report_psi(void **state)
{
    unsigned v;
    const char *why;

    (void)state;
    assert_int_equal(mempolicy_pressure_parse("12.34", 5, &v, &why), 0);
    assert_int_equal(v, 1234);
    assert_int_equal(mempolicy_pressure_parse("0.5", 3, &v, &why), 0);
    assert_int_equal(v, 50);
    assert_int_equal(mempolicy_pressure_parse("100", 3, &v, &why), 0);
    assert_int_equal(v, 10000);
    assert_int_equal(mempolicy_pressure_parse("100.01", 6, &v, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_pressure_parse("1.234", 5, &v, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_pressure_parse(".5", 2, &v, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_pressure_parse("5.", 2, &v, &why),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_pressure_parse("1.2.3", 5, &v, &why),
                     MEMPOLICY_ERROR_INVAL);
}

/* Floods and garbage: ignored for a while, growing; logs once a minute. */
static void test_guard(void **state)
{
    struct br_guard g;
    uint64_t t = 1000;
    int i, admitted = 0;

    (void)state;
    memset(&g, 0, sizeof(g));
    for (i = 0; i < 1000; i++)
        admitted += br_admit(&g, t);
    assert_int_equal(admitted, BR_FLOOD_MAX);
    assert_true(br_ignored(&g, t + BR_PENALTY_MS - 1));
    assert_false(br_ignored(&g, t + BR_PENALTY_MS));
    /* A second strike: twice as long. */
    br_strike(&g, t + BR_PENALTY_MS, "x");
    assert_true(br_ignored(&g, t + 3 * BR_PENALTY_MS - 1));
    /* Logging: once a minute. */
    assert_true(br_may_log(&g, t));
    assert_false(br_may_log(&g, t + 1000));
    assert_false(br_may_log(&g, t + BR_LOG_EVERY_MS - 1));
    assert_true(br_may_log(&g, t + BR_LOG_EVERY_MS));
    /* Reports at meminfo-writer's pace are never a flood. */
    memset(&g, 0, sizeof(g));
    for (i = 0; i < 600; i++)
        assert_true(br_admit(&g, t + (uint64_t)i * 100));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floor_never_planned_below),
        cmocka_unit_test(test_enough_headroom_and_surplus_by_weight),
        cmocka_unit_test(test_reserve_kept),
        cmocka_unit_test(test_reserved_kept),
        cmocka_unit_test(test_contention_no_headroom_weights),
        cmocka_unit_test(test_min_max),
        cmocka_unit_test(test_soft_limit_gives_first),
        cmocka_unit_test(test_limits_explained),
        cmocka_unit_test(test_group_budget),
        cmocka_unit_test(test_group_weights),
        cmocka_unit_test(test_held),
        cmocka_unit_test(test_psi_boost),
        cmocka_unit_test(test_short_of_floors),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_thousand_domains_in_groups),
        cmocka_unit_test(test_report_used),
        cmocka_unit_test(test_report_psi),
        cmocka_unit_test(test_guard),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
