/*
 * balance.c: the balance actor, one process for the host: directed
 * ballooning from what each guest reports of its own use.
 *
 * For every domain whose actor is `balance` it reads the guest's report
 * (memory/meminfo: used kB, as Qubes' meminfo-writer writes it; and
 * memory/pressure, PSI some avg10, from the guest agent in guest/), the
 * domain's static-max, its pages and the host's free memory, and sets
 * balloon targets so that memory goes where it is used, without ever
 * planning the host's free memory under a floor (squeezed's 64 MiB +
 * 8 MiB by default).  The decision is plan.c; carrying it out (free
 * before allocate, damping, stuck and slow balloons, status lines) is
 * apply.c; the reports are watch.c and report.c.
 *
 * Params (actor-params; their table is in the actor kit):
 *   min=SIZE      never below (default 200 MiB, at most static-max)
 *   max=SIZE      never above (default static-max; never above it)
 *   weight=N      1..100 (1): share of contended memory and of surplus
 *   grace=SECONDS boot grace (30): the initial memory is held until the
 *                 guest reports; it never goes below it until the end
 *   headroom=PCT  0..300 (30): margin above used memory
 * An enforced policy target (mem-set) caps the domain like max=.
 *
 * Options besides the kit's -v -d -p:
 *   --floor SIZE    host free memory never planned below (72 MiB)
 *   --reserve SIZE  kept free besides the floor, for starting domains (0)
 *   --damp SIZE     no write for a smaller change (128 MiB), unless it
 *                   relieves a guest short of memory or the host needs it
 * A toolstack about to start a domain asks for its memory with a
 * reservation (mempolicy_reserve, xlmem mem-reserve / create): reserve.c
 * frees it, holds it back and grants or refuses it.
 *
 * Event-driven: a report, a policy change, a new or dead domain or a
 * reservation wakes it; a pass follows (many events, one pass); timers exist
 * only while balloons move, during boot graces and a guest's penalty.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "balance.h"

static struct bal bal_state;

/* The host's clock, as the kit's timers see it (xensim's simulated
 * clock, held while a test holds it): stuck balloons, graces and
 * penalties are measured on it, never on the machine's own speed. */
uint64_t bal_now_ms(struct bal *b)
{
    return b->a ? mempolicy_actor_now_ms(b->a) : 0;
}

void bal_schedule(struct bal *b, uint64_t ms)
{
    uint64_t due = bal_now_ms(b) + ms;

    if (!b->a)
        return;
    if (b->timer && b->timer_due_ms <= due)
        return;
    mempolicy_actor_timer_set(b->a, &b->timer, ms, bal_pass, b);
    b->timer_due_ms = due;
}

static int init(struct bal *b, mempolicy_actor *a)
{
    int rc;

    if (b->ready)
        return 0;
    if (b->failed_init)
        return -1;
    b->a = a;
    b->ctx = mempolicy_actor_ctx(a);
    rc = bal_watch_init(b);
    if (rc) {
        b->failed_init = true;
        mempolicy_actor_log(a, XTL_ERROR, "cannot watch the store: %s",
                            strerror(rc < 0 ? -rc : EIO));
        mempolicy_actor_fatal(a, MEMPOLICY_ERROR_STORE, "watching");
        return -1;
    }
    b->ready = true;
    /* The reservations made while no balancer ran (or before a
     * restart): answered now. */
    bal_resv_read(b);
    bal_groups_read(b);
    return 0;
}

/* Up and resynced: reservations are served even with no domain of our
 * own (the memory may be free already). */
static void actor_ready(mempolicy_actor *a, void *user)
{
    init(user, a);
}

static void update_params(struct bal *b, struct bdom *d, const char *params)
{
    char err[160];
    uint64_t v;

    params = params ? params : "";
    if (!mempolicy_actor_params_changed(b->a, &d->params_str, params))
        return;
    err[0] = '\0';
    /* Each key alone: a bad one keeps its default, the others apply. */
    if (mempolicy_actor_param_size_kb(params, "min", BAL_MIN_KB, &d->p_min_kb,
                                      err, sizeof(err)))
        d->p_min_kb = BAL_MIN_KB;
    if (mempolicy_actor_param_size_kb(params, "max", 0, &d->p_max_kb, err,
                                      sizeof(err)))
        d->p_max_kb = 0;
    if (mempolicy_actor_param_uint(params, "weight", 1, 1, 100, &v, err,
                                   sizeof(err)))
        v = 1;
    d->weight = (unsigned)v;
    if (mempolicy_actor_param_seconds_ms(params, "grace", BAL_GRACE_MS,
                                         &d->grace_ms, err, sizeof(err)))
        d->grace_ms = BAL_GRACE_MS;
    if (mempolicy_actor_param_uint(params, "headroom", BAL_HEADROOM_PCT, 0, 300,
                                   &v, err, sizeof(err)))
        v = BAL_HEADROOM_PCT;
    d->headroom_pct = (unsigned)v;
    if (d->p_max_kb && d->p_min_kb > d->p_max_kb) {
        snprintf(err, sizeof(err), "min above max");
        d->p_min_kb = d->p_max_kb;
    }
    /* libvirt's memtune (common params): always filled, a bad key
     * counts as absent, contradictions resolved with the cap winning. */
    if (mempolicy_memtune_get(params, &d->mt, err[0] ? NULL : err,
                              err[0] ? 0 : sizeof(err)) &&
        !err[0])
        snprintf(err, sizeof(err), "bad memtune params");
    if (err[0])
        mempolicy_actor_params_bad(b->a, d->domid, params, err);
    bal_group_of(b, d, true);
}

static int grow(struct bal *b)
{
    size_t cap = b->cap ? b->cap * 2 : 64;
    struct bdom **v = realloc(b->v, cap * sizeof(*v));
    struct bp_dom *pd;
    double *sc;

    if (!v)
        return -1;
    b->v = v;
    v = realloc(b->cand, cap * sizeof(*v));
    if (!v)
        return -1;
    b->cand = v;
    pd = realloc(b->pd, cap * sizeof(*pd));
    if (!pd)
        return -1;
    b->pd = pd;
    sc = realloc(b->scratch, BP_SCRATCH(cap) * sizeof(*sc));
    if (!sc)
        return -1;
    b->scratch = sc;
    b->cap = cap;
    return 0;
}

void bal_dom_timer(mempolicy_actor *a, void *arg)
{
    struct bdom *d = arg;

    (void)a;
    d->timer = NULL;
    bal_schedule(&bal_state, 0);
}

static struct bdom *take(struct bal *b, uint32_t domid)
{
    const mempolicy_dominfo *listed = mempolicy_actor_resync_info(b->a, domid);
    mempolicy_dominfo info;
    struct bdom *d;
    int rc;

    if (!listed) {
        rc = mempolicy_domain_info(b->ctx, domid, &info);
        if (mempolicy_actor_failed(b->a, domid, rc, "domain info", NULL, NULL))
            return NULL;
        listed = &info;
    }
    d = calloc(1, sizeof(*d));
    if (!d || (b->n == b->cap && grow(b)) ||
        mempolicy_actor_set_domain_data(b->a, domid, d)) {
        free(d);
        if (listed == &info)
            mempolicy_dominfo_dispose(&info);
        mempolicy_actor_fatal(b->a, MEMPOLICY_ERROR_NOMEM, "domain state");
        return NULL;
    }
    d->domid = domid;
    d->static_max_kb = listed->static_max_kb;
    d->actual_kb = listed->actual_kb;
    d->maxmem_kb = listed->maxmem_kb;
    d->videoram_kb = listed->videoram_kb;
    /* memory/target excludes video RAM; set_balloon_target's size and
     * tot_pages include it. */
    d->target_kb = listed->balloon_target_kb ?
        listed->balloon_target_kb + listed->videoram_kb :
        listed->actual_kb;
    d->initial_kb = d->target_kb > d->actual_kb ? d->target_kb : d->actual_kb;
    d->progress_kb = d->actual_kb;
    d->born_ms = d->progress_ms = d->move_ms = d->short_since_ms = bal_now_ms(
        b);
    d->move_from_kb = d->actual_kb;
    d->moving = d->actual_kb != d->target_kb;
    if (listed == &info)
        mempolicy_dominfo_dispose(&info);
    d->idx = b->n;
    b->v[b->n++] = d;
    rc = bal_watch_domain(b, d);
    if (rc)
        mempolicy_actor_log(b->a, XTL_WARN,
                            "domain %u: cannot make its "
                            "memory/meminfo its own or watch it: %s",
                            domid, strerror(-rc));
    return d;
}

static void domain_changed(mempolicy_actor *a, uint32_t domid,
                           const mempolicy_policy *p, void *user)
{
    struct bal *b = user;
    struct bdom *d;

    if (init(b, a))
        return;
    d = mempolicy_actor_domain_data(a, domid);
    if (!d && !(d = take(b, domid)))
        return;
    update_params(b, d, p->actor_params);
    d->enforce = p->enforce;
    d->has_policy_target = p->has_target;
    d->policy_target_kb = p->target_kb;
    if (d->grace_ms && !d->has_used)
        mempolicy_actor_timer_set(a, &d->timer, d->grace_ms, bal_dom_timer, d);
    bal_schedule(b, 0);
}

static void drop(struct bal *b, struct bdom *d)
{
    size_t i = d->idx;

    if (i < b->n && b->v[i] == d) {
        b->v[i] = b->v[--b->n];
        b->v[i]->idx = i;
    }
}

static void domain_left(mempolicy_actor *a, uint32_t domid, bool died,
                        void *user)
{
    struct bal *b = user;
    struct bdom *d = mempolicy_actor_domain_data(a, domid);

    (void)died;
    if (!d)
        return;
    bal_unwatch_domain(b, d);
    drop(b, d);
    /* Its memory is now another actor's (or free): balance again. */
    bal_schedule(b, 0);
}

static void domain_introduced(mempolicy_actor *a, uint32_t domid, void *user)
{
    struct bal *b = user;

    (void)a;
    bal_resv_introduced(b, domid);
    /* It took host memory. */
    if (b->n || b->nresv)
        bal_schedule(b, 0);
}

static void domain_data_free(mempolicy_actor *a, uint32_t domid, void *data,
                             void *user)
{
    struct bal *b = user;
    struct bdom *d = data;

    (void)domid;
    mempolicy_actor_timer_clear(a, &d->timer);
    bal_unwatch_domain(b, d);
    drop(b, d);
    free(d->params_str);
    free(d);
}

/* --name SIZE / --name=SIZE, taken out of argv. */
static int take_size(int *argc, char **argv, const char *name, uint64_t *kb)
{
    size_t nl = strlen(name);
    int i, j = 1;

    for (i = 1; i < *argc; i++) {
        const char *v = NULL;
        char why[MEMPOLICY_QUOTE_BUF + 64];
        int64_t v64;

        if (!strncmp(argv[i], name, nl) && argv[i][nl] == '=')
            v = argv[i] + nl + 1;
        else if (!strcmp(argv[i], name) && i + 1 < *argc)
            v = argv[++i];
        if (!v) {
            argv[j++] = argv[i];
            continue;
        }
        if (mempolicy_parse_size_kb(v, 0, &v64, NULL, why, sizeof(why))) {
            fprintf(stderr, "balance: %s %s: not a size: %s\n", name,
                    MEMPOLICY_QUOTE(v), why);
            return -1;
        }
        *kb = (uint64_t)v64;
    }
    *argc = j;
    argv[j] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    static const mempolicy_actor_ops ops = {
        .domain_changed = domain_changed,
        .domain_left = domain_left,
        .domain_introduced = domain_introduced,
        .domain_data_free = domain_data_free,
    };
    static const mempolicy_actor_main_opts ext = { .ready = actor_ready };
    struct bal *b = &bal_state;
    int rc;

    b->floor_kb = BAL_FLOOR_KB;
    b->damp_kb = BAL_DAMP_KB;
    if (take_size(&argc, argv, "--floor", &b->floor_kb) ||
        take_size(&argc, argv, "--reserve", &b->reserve_kb) ||
        take_size(&argc, argv, "--damp", &b->damp_kb))
        return 2;
    rc = mempolicy_actor_main_ext(argc, argv, BALANCE_ACTOR_NAME, &ops, b,
                                  &ext);
    b->a = NULL; /* freed by the kit */
    bal_watch_fini(b);
    bal_resv_fini(b);
    bal_groups_fini(b);
    if (b->passes && getenv("MEMPOLICY_BALANCE_STATS"))
        fprintf(stderr,
                "balance: stats passes=%" PRIu64 " writes=%" PRIu64
                " plan_mean_us=%.1f plan_max_us=%.1f\n",
                b->passes, b->writes,
                (double)b->plan_ns / (double)b->passes / 1e3,
                (double)b->plan_max_ns / 1e3);
    free(b->v);
    free(b->pd);
    free(b->cand);
    free(b->scratch);
    return rc;
}
