/*
 * simclock.c: the simulated clock and its timers (see simclock.h).
 *
 * Timers live in a binary min-heap on (deadline, sequence), as the
 * loop's real-time timers do; the loop timer standing for the earliest
 * one is re-armed whenever the earliest changes, so nothing polls.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "loop.h"
#include "simclock.h"

struct sim_timer {
    uint64_t deadline; /* simulated ms */
    uint64_t seq;
    unsigned idx;
    sim_timer_fn *fn;
    void *arg;
};

struct simclock {
    struct loop *loop;
    double speed;
    bool paused;
    bool stepping;
    uint64_t base_ms;   /* simulated time at the anchor */
    uint64_t anchor_ms; /* loop_now_ms() at the anchor */
    struct sim_timer **heap;
    unsigned n, cap;
    uint64_t seq;
    struct sim_timer *firing;
    struct loop_timer *lt;
    simclock_observer_fn *obs;
    void *obs_arg;
};

/* ---- the heap ---- */

static bool before(const struct sim_timer *a, const struct sim_timer *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

static void put(struct simclock *c, unsigned i, struct sim_timer *t)
{
    c->heap[i] = t;
    t->idx = i;
}

static void up(struct simclock *c, unsigned i)
{
    struct sim_timer *t = c->heap[i];

    while (i > 0 && before(t, c->heap[(i - 1) / 2])) {
        put(c, i, c->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    put(c, i, t);
}

static void down(struct simclock *c, unsigned i)
{
    struct sim_timer *t = c->heap[i];

    for (;;) {
        unsigned k = 2 * i + 1;

        if (k >= c->n)
            break;
        if (k + 1 < c->n && before(c->heap[k + 1], c->heap[k]))
            k++;
        if (!before(c->heap[k], t))
            break;
        put(c, i, c->heap[k]);
        i = k;
    }
    put(c, i, t);
}

static void heap_del(struct simclock *c, struct sim_timer *t)
{
    unsigned i = t->idx;

    assert(i < c->n && c->heap[i] == t);
    if (i == --c->n)
        return;
    put(c, i, c->heap[c->n]);
    if (i > 0 && before(c->heap[i], c->heap[(i - 1) / 2]))
        up(c, i);
    else
        down(c, i);
}

/* ---- time ---- */

uint64_t simclock_now(struct simclock *c)
{
    uint64_t real;

    if (c->paused)
        return c->base_ms;
    real = loop_now_ms(c->loop);
    if (real <= c->anchor_ms)
        return c->base_ms;
    return c->base_ms + (uint64_t)((double)(real - c->anchor_ms) * c->speed);
}

double simclock_speed(const struct simclock *c)
{
    return c->speed;
}

bool simclock_paused(const struct simclock *c)
{
    return c->paused;
}

void simclock_state(struct simclock *c, uint64_t *base_ms, uint64_t *anchor_ms,
                    double *rate)
{
    *base_ms = c->base_ms;
    *anchor_ms = c->anchor_ms;
    *rate = c->paused ? 0 : c->speed;
}

void simclock_set_observer(struct simclock *c, simclock_observer_fn *fn,
                           void *arg)
{
    c->obs = fn;
    c->obs_arg = arg;
}

static void told(struct simclock *c)
{
    if (c->obs)
        c->obs(c->obs_arg);
}

/* Start a new anchor at the current simulated time. */
static void reanchor(struct simclock *c)
{
    c->base_ms = simclock_now(c);
    c->anchor_ms = loop_now_ms(c->loop);
}

/* ---- firing ---- */

static void fire(struct simclock *c, struct sim_timer *t)
{
    heap_del(c, t);
    c->firing = t;
    t->fn(c, t, t->arg);
    c->firing = NULL;
    free(t);
}

static void rearm(struct simclock *c);

static void on_loop_timer(struct loop *l, struct loop_timer *lt, void *arg)
{
    struct simclock *c = arg;
    uint64_t now = simclock_now(c);
    uint64_t limit = c->seq; /* timers added now wait a round */

    (void)l;
    (void)lt;
    c->lt = NULL;
    while (!c->paused && c->n && c->heap[0]->deadline <= now &&
           c->heap[0]->seq < limit)
        fire(c, c->heap[0]);
    rearm(c);
}

/* Keep one loop timer for the earliest deadline while running. */
static void rearm(struct simclock *c)
{
    uint64_t now, real = 0;

    if (c->lt) {
        loop_timer_cancel(c->loop, c->lt);
        c->lt = NULL;
    }
    if (c->paused || c->stepping || !c->n)
        return;
    now = simclock_now(c);
    if (c->heap[0]->deadline > now)
        real = (uint64_t)ceil((double)(c->heap[0]->deadline - now) / c->speed);
    c->lt = loop_timer_add(c->loop, real, on_loop_timer, c);
}

/* ---- the API ---- */

struct simclock *simclock_new(struct loop *l, double speed, bool paused)
{
    struct simclock *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->loop = l;
    c->speed = speed > 0 ? speed : 1;
    c->anchor_ms = loop_now_ms(l);
    c->paused = paused;
    return c;
}

void simclock_free(struct simclock *c)
{
    unsigned i;

    if (!c)
        return;
    if (c->lt)
        loop_timer_cancel(c->loop, c->lt);
    for (i = 0; i < c->n; i++)
        free(c->heap[i]);
    free(c->heap);
    free(c);
}

struct sim_timer *sim_timer_add(struct simclock *c, uint64_t ms,
                                sim_timer_fn *fn, void *arg)
{
    struct sim_timer *t;
    uint64_t now = simclock_now(c);

    if (c->n == c->cap) {
        unsigned cap = c->cap ? c->cap * 2 : 16;
        struct sim_timer **h = realloc(c->heap, cap * sizeof(*h));

        if (!h)
            return NULL;
        c->heap = h;
        c->cap = cap;
    }
    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->deadline = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
    t->seq = c->seq++;
    t->fn = fn;
    t->arg = arg;
    put(c, c->n++, t);
    up(c, t->idx);
    if (c->heap[0] == t)
        rearm(c);
    return t;
}

void sim_timer_cancel(struct simclock *c, struct sim_timer *t)
{
    bool first;

    if (!t || t == c->firing)
        return; /* a firing timer is freed when its callback returns */
    first = c->heap[0] == t;
    heap_del(c, t);
    free(t);
    if (first)
        rearm(c);
}

void simclock_pause(struct simclock *c)
{
    if (c->paused)
        return;
    reanchor(c);
    c->paused = true;
    rearm(c);
    told(c);
}

void simclock_resume(struct simclock *c)
{
    if (!c->paused)
        return;
    c->anchor_ms = loop_now_ms(c->loop);
    c->paused = false;
    rearm(c);
    told(c);
}

int simclock_step(struct simclock *c, uint64_t ms)
{
    uint64_t end;

    if (!c->paused || c->stepping)
        return EBUSY;
    if (ms > SIMCLOCK_STEP_MAX_MS)
        return EINVAL;
    end = c->base_ms + ms;
    c->stepping = true;
    while (c->n && c->heap[0]->deadline <= end) {
        if (c->heap[0]->deadline > c->base_ms)
            c->base_ms = c->heap[0]->deadline;
        fire(c, c->heap[0]);
    }
    c->base_ms = end;
    c->anchor_ms = loop_now_ms(c->loop);
    c->stepping = false;
    told(c);
    return 0;
}
