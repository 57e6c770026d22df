/*
 * actor_internal.h: private pieces of the actor kit.
 *
 * The kit is split one job per file: actor.c (the actor object, its event
 * dispatch and its poll loop), actor_timer.c (a binary min-heap of
 * timers), actor_domtab.c (an open-addressing hash table domid -> entry)
 * and actor_main.c (options, logger, daemon mode, pid file).  These are
 * the interfaces between them; nothing here is part of the public API.
 */
#ifndef MEMPOLICY_ACTOR_INTERNAL_H
#define MEMPOLICY_ACTOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libmempolicy_actor.h"

/* ---- timers (actor_timer.c) -------------------------------------------- */

struct mempolicy_timer {
    uint64_t deadline_ns;      /* CLOCK_MONOTONIC, real time */
    uint64_t seq;              /* tie-break: equal deadlines fire FIFO */
    mempolicy_timer_fn *fn;
    void *arg;
    size_t idx;                /* position in the heap, or TIMER_NOT_QUEUED */
    bool firing;               /* callback running; freed by the runner */
};

#define TIMER_NOT_QUEUED ((size_t)-1)

struct timer_heap {
    struct mempolicy_timer **v;
    size_t n, cap;
    uint64_t next_seq;
};

void timer_heap_init(struct timer_heap *h);
/* Frees every queued timer without calling it. */
void timer_heap_dispose(struct timer_heap *h);
int timer_heap_push(struct timer_heap *h, struct mempolicy_timer *t);
void timer_heap_remove(struct timer_heap *h, struct mempolicy_timer *t);
/* Earliest timer, NULL if none. */
struct mempolicy_timer *timer_heap_top(const struct timer_heap *h);
/* Removes and returns the earliest timer if due at `now_ns`, else NULL. */
struct mempolicy_timer *timer_heap_pop_due(struct timer_heap *h,
                                           uint64_t now_ns);

uint64_t actor_monotonic_ns(void);

/* ---- domain table (actor_domtab.c) ------------------------------------- */

struct domtab_entry {
    uint32_t domid;
    bool used;
    void *data;                /* the actor's per-domain pointer */
};

struct domtab {
    struct domtab_entry *v;
    size_t cap;                /* power of two, or 0 */
    size_t n;
};

void domtab_init(struct domtab *t);
void domtab_dispose(struct domtab *t);
struct domtab_entry *domtab_find(const struct domtab *t, uint32_t domid);
/* Existing or new entry (data NULL); NULL on allocation failure. */
struct domtab_entry *domtab_insert(struct domtab *t, uint32_t domid);
void domtab_remove(struct domtab *t, uint32_t domid);

/* ---- size and number parsing (actor_params.c) -------------------------- */

int actor_parse_size_kb(const char *s, uint64_t *kb);

#endif
