/*
 * actor_timer.c: the actor kit's timers, a binary min-heap on deadlines.
 *
 * An actor serving thousands of domains may have a timer per domain (a
 * delay before paging, a re-check while paging).  A heap keeps add,
 * cancel and "next deadline" at O(log n) / O(1) with one array and no
 * per-tick scanning; each timer remembers its heap index so that
 * cancelling is a direct removal.  Deadlines are absolute host
 * milliseconds (clock.c: CLOCK_MONOTONIC on a real host, the simulated
 * clock on xensim).  Equal deadlines fire in the order they were added
 * (the sequence number), so behaviour is deterministic.
 */
#include <assert.h>
#include <stdlib.h>

#include "actor_internal.h"

static bool earlier(const struct mempolicy_timer *a,
                    const struct mempolicy_timer *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

static void place(struct mp_timer_heap *h, size_t i, struct mempolicy_timer *t)
{
    h->v[i] = t;
    t->idx = i;
}

static void sift_up(struct mp_timer_heap *h, size_t i)
{
    struct mempolicy_timer *t = h->v[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (!earlier(t, h->v[parent]))
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(struct mp_timer_heap *h, size_t i)
{
    struct mempolicy_timer *t = h->v[i];

    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        struct mempolicy_timer *best = t;

        if (l < h->n && earlier(h->v[l], best)) {
            m = l;
            best = h->v[l];
        }
        if (r < h->n && earlier(h->v[r], best))
            m = r;
        if (m == i)
            break;
        place(h, i, h->v[m]);
        i = m;
    }
    place(h, i, t);
}

void mp_timer_heap_init(struct mp_timer_heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
    h->next_seq = 0;
}

void mp_timer_heap_dispose(struct mp_timer_heap *h)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        free(h->v[i]);
    free(h->v);
    mp_timer_heap_init(h);
}

int mp_timer_heap_push(struct mp_timer_heap *h, struct mempolicy_timer *t)
{
    assert(t->idx == MP_TIMER_NOT_QUEUED);
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 16;
        struct mempolicy_timer **nv = realloc(h->v, ncap * sizeof(*nv));

        if (!nv)
            return -1;
        h->v = nv;
        h->cap = ncap;
    }
    t->seq = h->next_seq++;
    h->v[h->n] = t;
    sift_up(h, h->n++);
    return 0;
}

void mp_timer_heap_remove(struct mp_timer_heap *h, struct mempolicy_timer *t)
{
    size_t i = t->idx;
    struct mempolicy_timer *last;

    assert(i < h->n && h->v[i] == t);
    last = h->v[--h->n];
    t->idx = MP_TIMER_NOT_QUEUED;
    if (last == t)
        return;
    place(h, i, last);
    /* The moved element may belong above or below its new place. */
    if (i > 0 && earlier(last, h->v[(i - 1) / 2]))
        sift_up(h, i);
    else
        sift_down(h, i);
}

struct mempolicy_timer *mp_timer_heap_top(const struct mp_timer_heap *h)
{
    return h->n ? h->v[0] : NULL;
}

struct mempolicy_timer *mp_timer_heap_pop_due(struct mp_timer_heap *h,
                                           uint64_t now)
{
    struct mempolicy_timer *t = mp_timer_heap_top(h);

    if (!t || t->deadline > now)
        return NULL;
    mp_timer_heap_remove(h, t);
    return t;
}
