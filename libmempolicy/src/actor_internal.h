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
    uint64_t deadline;         /* host ms (mp_clock_now_ms) */
    uint64_t seq;              /* tie-break: equal deadlines fire FIFO */
    mempolicy_timer_fn *fn;
    void *arg;
    size_t idx;                /* heap position, or MP_TIMER_NOT_QUEUED */
    bool firing;               /* callback running; freed by the runner */
};

#define MP_TIMER_NOT_QUEUED ((size_t)-1)

struct mp_timer_heap {
    struct mempolicy_timer **v;
    size_t n, cap;
    uint64_t next_seq;
};

void mp_timer_heap_init(struct mp_timer_heap *h);
/* Frees every queued timer without calling it. */
void mp_timer_heap_dispose(struct mp_timer_heap *h);
int mp_timer_heap_push(struct mp_timer_heap *h, struct mempolicy_timer *t);
void mp_timer_heap_remove(struct mp_timer_heap *h, struct mempolicy_timer *t);
/* Earliest timer, NULL if none. */
struct mempolicy_timer *mp_timer_heap_top(const struct mp_timer_heap *h);
/* Removes and returns the earliest timer if due at `now`, else NULL. */
struct mempolicy_timer *mp_timer_heap_pop_due(struct mp_timer_heap *h,
                                           uint64_t now);

/* ---- domain table (actor_domtab.c) ------------------------------------- */

struct mp_domtab_entry {
    uint32_t domid;
    bool used;
    void *data;                /* the actor's per-domain pointer */
    char *status;              /* last status line written, or NULL;
                                  freed by the caller before removal */
};

struct mp_domtab {
    struct mp_domtab_entry *v;
    size_t cap;                /* power of two, or 0 */
    size_t n;
};

void mp_domtab_init(struct mp_domtab *t);
void mp_domtab_dispose(struct mp_domtab *t);
struct mp_domtab_entry *mp_domtab_find(const struct mp_domtab *t,
                                       uint32_t domid);
/* Existing or new entry (data NULL); NULL on allocation failure. */
struct mp_domtab_entry *mp_domtab_insert(struct mp_domtab *t, uint32_t domid);
void mp_domtab_remove(struct mp_domtab *t, uint32_t domid);

/* ---- actor.c, for actor_main.c ----------------------------------------- */

/* mempolicy_actor_new() logging to `lg` from the start (NULL: default). */
int mp_actor_new_logged(mempolicy_ctx *ctx, const char *name,
                        const mempolicy_actor_ops *ops, void *user,
                        xentoollog_logger *lg, mempolicy_actor **out);

/* Called once, after the start-up resync (actor_main.c: the daemon's
 * parent is released and systemd told READY=1 only then). */
void mp_actor_on_ready(mempolicy_actor *a,
                       void (*fn)(mempolicy_actor *a, void *arg), void *arg);

/* ---- the daemons' logger (actor_log.c) --------------------------------- */

enum mp_log_sink { MP_LOG_STDERR, MP_LOG_SYSLOG, MP_LOG_FILE };
/* NULL on allocation failure or (MP_LOG_FILE) when `file` cannot be
 * opened for appending (errno says why). */
xentoollog_logger *mp_dlog_new(const char *name, xentoollog_level min,
                               enum mp_log_sink sink, const char *file);
/* MP_LOG_SYSLOG: copy warnings and errors to stderr too (while starting
 * up). */
void mp_dlog_tee_stderr(xentoollog_logger *lg, bool on);
/* While on, lines are not logged; the last error line is kept, and
 * mp_dlog_captured() returns it ("" if none) until the next capture. */
void mp_dlog_capture(xentoollog_logger *lg, bool on);
const char *mp_dlog_captured(xentoollog_logger *lg);

#endif
