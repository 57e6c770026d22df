/*
 * bench-lib.c: libmempolicy's benchmark on xensim.
 *
 *   bench-lib [ITERATIONS]        (MP_BUILD names the build directory)
 *
 * For 1, 100 and 1,000 domains: the latency from calling
 * mempolicy_domain_set_target() in one context to the matching
 * DOMAIN_MEMORY_TARGET_CHANGED event coming out of mempolicy_event_wait()
 * in another (p50, p99, max), and the cost of each call (mean of many
 * calls).  Each host size gets a fresh xensim.  All domains have an actor,
 * so set_target only writes the policy (the usual case).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void die(mempolicy_ctx *ctx, const char *what, int rc)
{
    fprintf(stderr, "bench-lib: %s: %s (%s)\n", what, mempolicy_strerror(rc),
            ctx ? mempolicy_last_error(ctx) : "");
    exit(1);
}

#define CHECK(ctx, call)                                                   \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_)                                                           \
            die(ctx, #call, rc_);                                          \
    } while (0)

static void latency(mempolicy_ctx *w, mempolicy_ctx *l, int ndom, int iters)
{
    double *lat = calloc((size_t)iters, sizeof(*lat));
    mempolicy_evgen *g;
    mempolicy_event *ev;
    int i;

    CHECK(l, mempolicy_evenable_target_changed(l, "bench", &g));
    while (mempolicy_event_get(l, &ev) == 0)
        mempolicy_event_free(l, ev);
    for (i = 0; i < iters; i++) {
        uint32_t d = 1 + (uint32_t)(i % ndom);
        uint64_t want = 200000 + (uint64_t)i;
        double t0 = now_us();

        CHECK(w, mempolicy_domain_set_target(w, d, (int64_t)want, false,
                                             true));
        for (;;) {
            CHECK(l, mempolicy_event_wait(l, &ev, 30000));
            if (ev->domid == d && ev->policy.target_kb == want)
                break;
            mempolicy_event_free(l, ev);
        }
        mempolicy_event_free(l, ev);
        lat[i] = now_us() - t0;
    }
    mempolicy_evdisable(l, g);
    qsort(lat, (size_t)iters, sizeof(*lat), cmp_double);
    printf("  set_target -> event: p50 %.0f us, p99 %.0f us, max %.0f us "
           "(%d events)\n", lat[iters / 2], lat[(iters * 99) / 100],
           lat[iters - 1], iters);
    free(lat);
}

static void costs(mempolicy_ctx *c, int ndom, int iters)
{
    mempolicy_policy p;
    mempolicy_dominfo info, *list;
    mempolicy_physinfo pi;
    mempolicy_event *ev;
    uint64_t kb;
    uint32_t d;
    int i, n, rounds;
    double t0;

#define COST(label, reps, body)                                            \
    do {                                                                   \
        t0 = now_us();                                                     \
        for (i = 0; i < (reps); i++) {                                     \
            body;                                                          \
        }                                                                  \
        printf("  %-28s %9.1f us\n", label, (now_us() - t0) / (reps));     \
    } while (0)

    COST("get_policy", iters,
         CHECK(c, mempolicy_domain_get_policy(c, 1, &p));
         mempolicy_policy_dispose(&p));
    COST("set_policy", iters,
         CHECK(c, mempolicy_domain_set_policy(c, 1, "bench", "k=v")));
    COST("set_target", iters,
         CHECK(c, mempolicy_domain_set_target(c, 1, 300000 + i, false,
                                              true)));
    COST("get_target", iters,
         CHECK(c, mempolicy_domain_get_target(c, 1, &kb, NULL)));
    CHECK(c, mempolicy_ctx_set_actor(c, "bench"));
    COST("set_balloon_target", iters,
         CHECK(c, mempolicy_domain_set_balloon_target(c, 1, 300000 + i,
                                                      false)));
    COST("get_balloon_target", iters,
         CHECK(c, mempolicy_domain_get_balloon_target(c, 1, &kb)));
    COST("domain_info", iters,
         CHECK(c, mempolicy_domain_info(c, 1, &info));
         mempolicy_dominfo_dispose(&info));
    COST("get_physinfo", iters, CHECK(c, mempolicy_get_physinfo(c, &pi)));
    COST("qualifier_to_domid (id)", iters,
         CHECK(c, mempolicy_domain_qualifier_to_domid(c, "1", &d)));
    rounds = ndom >= 1000 ? 5 : ndom >= 100 ? 20 : iters;
    COST("qualifier_to_domid (name)", rounds,
         CHECK(c, mempolicy_domain_qualifier_to_domid(c, "guest1", &d)));
    COST("list_domains", rounds,
         CHECK(c, mempolicy_list_domains(c, &list, &n));
         mempolicy_dominfo_list_free(list, n));
    COST("event_get (nothing pending)", iters,
         (void)mempolicy_event_get(c, &ev));
#undef COST
}

int main(int argc, char **argv)
{
    static const int sizes[] = { 1, 100, 1000 };
    int iters = argc > 1 ? atoi(argv[1]) : 1000;
    unsigned s;

    if (iters < 10) {
        fprintf(stderr, "bench-lib: ITERATIONS must be at least 10\n");
        return 2;
    }
    for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        char n[16];
        const char *args[] = { "--domains", n, NULL };
        struct xsim sim;
        mempolicy_ctx *w, *l;
        double t0;
        int d;

        snprintf(n, sizeof(n), "%d", sizes[s]);
        if (xsim_start(&sim, args)) {
            fprintf(stderr, "bench-lib: cannot start xensim\n");
            return 1;
        }
        w = test_ctx();
        l = test_ctx();
        if (!w || !l)
            die(NULL, "ctx_alloc", MEMPOLICY_ERROR_STORE);
        t0 = now_us();
        for (d = 1; d <= sizes[s]; d++)
            CHECK(w, mempolicy_domain_set_policy(w, (uint32_t)d, "bench",
                                                 ""));
        printf("%d domains (set_policy on all: %.1f ms)\n", sizes[s],
               (now_us() - t0) / 1000);
        latency(w, l, sizes[s], iters);
        costs(w, sizes[s], iters / 5 > 10 ? iters / 5 : 10);
        test_ctx_free(w);
        test_ctx_free(l);
        xsim_stop(&sim);
    }
    return 0;
}
