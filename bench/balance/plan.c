/*
 * plan.c: what one pass of the balance actor's planner (bp_plan,
 * actors/balance/plan.c) costs at 10, 100 and 1,000 domains, with no
 * memory group and with 8 groups whose budgets bind (issue 14: an O(N)
 * pass under a millisecond at 1,000 domains).
 *
 *   build/bench/bench-balance-plan [ROUNDS]     (default 200)
 *
 * Prints the best and the median time of ROUNDS plans of the same
 * population (real time, CLOCK_MONOTONIC: it depends on the machine and
 * its load, which is why it is a benchmark and not a test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan.h"

#define MiB 1024ull

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* A desktop-like spread: 512 MiB each, using 100..999 MiB, weights 1-5;
 * domain i in group (i % 10) + 1 when there are that many groups. */
static void populate(struct bp_dom *d, size_t n, size_t ngroups)
{
    size_t i;

    for (i = 0; i < n; i++) {
        memset(&d[i], 0, sizeof(d[i]));
        d[i].domid = (uint32_t)i + 1;
        d[i].actual_kb = 512 * MiB;
        d[i].used_kb = (uint64_t)(100 + (i * 37) % 900) * MiB;
        d[i].weight = 1 + (unsigned)(i % 5);
        d[i].min_kb = 200 * MiB;
        d[i].max_kb = 4096 * MiB;
        d[i].soft_kb = BP_UNLIMITED;
        d[i].headroom_pct = 30;
        if (i % 10 < ngroups)
            d[i].group = 1 + (unsigned)(i % 10);
    }
}

static void measure(size_t n, size_t ngroups, int rounds)
{
    struct bp_dom *d = calloc(n, sizeof(*d));
    double *scratch = calloc(BP_SCRATCH(n), sizeof(double));
    double *us = calloc((size_t)rounds, sizeof(double));
    struct bp_group g[8];
    struct bp_host h;
    int r;

    if (!d || !scratch || !us) {
        fprintf(stderr, "bench-balance-plan: out of memory\n");
        exit(1);
    }
    for (r = 0; r < 8; r++)
        g[r] = (struct bp_group){ .name = "g",
                                  .budget_kb = 40 * n * MiB,
                                  .weight = 1 + (unsigned)r };
    for (r = 0; r < rounds; r++) {
        struct timespec t0, t1;

        memset(&h, 0, sizeof(h));
        h.free_kb = 1024 * MiB;
        h.floor_kb = 72 * MiB;
        h.groups = ngroups ? g : NULL;
        h.ngroups = ngroups;
        populate(d, n, ngroups);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        bp_plan(&h, d, n, scratch);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        us[r] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
            (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
    }
    qsort(us, (size_t)rounds, sizeof(*us), cmp_double);
    printf("| %zu | %zu | %.1f | %.1f |\n", n, ngroups, us[0], us[rounds / 2]);
    free(d);
    free(scratch);
    free(us);
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = { 10, 100, 1000 };
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    size_t i;

    if (rounds < 1 || rounds > 100000) {
        fprintf(stderr, "usage: bench-balance-plan [ROUNDS 1..100000]\n");
        return 2;
    }
    printf("| domains | groups | best (us) | median (us) |\n");
    printf("|---|---|---|---|\n");
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        measure(sizes[i], 0, rounds);
        measure(sizes[i], 8, rounds);
    }
    return 0;
}
