/*
 * actor.c: the actor object of the actor kit, its event dispatch and its
 * single poll loop.
 *
 * Design:
 *  - One thread, one poll() over: the library's event fd, a signalfd for
 *    SIGTERM/SIGINT, and any extra fds the actor registers.  The poll
 *    timeout is the earliest timer deadline, or infinite, so an actor with
 *    nothing to do never wakes up (no periodic tick).
 *  - Store loss is the library's: the event fd becomes readable when the
 *    store goes away and mempolicy_event_get() says STORE_GONE (see
 *    event.c), which ends the loop like any failure of the event source.
 *  - Ownership of a domain is tracked in a hash table (actor_domtab.c),
 *    so events cost O(1) whatever the number of domains.  A
 *    TARGET_CHANGED event naming us claims the domain; one naming another
 *    actor for a domain we own, or a DOMAIN_DEATH, releases it
 *    (domain_left).  The kit subscribes to every domain's changes and
 *    filters on the name itself (see mempolicy_actor_new for why).
 *  - The start-up resync subscribes first and lists domains second, so
 *    that a change between the two is seen at least once (possibly twice:
 *    actors treat a repeated policy as harmless).
 *  - Timers live in a heap (actor_timer.c) on the host's clock (clock.c):
 *    CLOCK_MONOTONIC on a real host; on xensim its simulated clock, which
 *    the kit follows with a watch, so a test that holds, steps or resumes
 *    that clock holds, fires or releases the actor's timers too.  While
 *    the clock is held the poll has no timeout: the clock's change wakes
 *    the event fd.
 *  - Any failure of the event source is fatal: the actor ends with
 *    MEMPOLICY_ERROR_STORE and a one-line reason, and systemd restarts
 *    it; the resync makes that restart lossless.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "actor_internal.h"
#include "internal.h"

struct extra_fd {
    int fd;
    mempolicy_actor_fd_fn *fn;
    void *arg;
};

struct mempolicy_actor {
    mempolicy_ctx *ctx;
    xentoollog_logger *lg;
    xentoollog_logger_stdiostream *own_lg;  /* default logger, if used */
    char *name;
    mempolicy_actor_ops ops;
    void *user;
    double speed;

    mempolicy_evgen *ev_target, *ev_intro, *ev_death;
    struct mp_domtab doms;
    struct mp_timer_heap timers;
    struct extra_fd *fds;
    size_t nfds;

    int sigfd;
    bool resync_pending;
    mempolicy_timer *retry;               /* drain again after AGAIN */
    const mempolicy_dominfo *resync_cur;  /* during a resync claim only */
    bool stop;
    bool announced;         /* our announcement is in the store */
    void (*ready_fn)(mempolicy_actor *a, void *arg); /* after the resync */
    void *ready_arg;
    bool closing;           /* in mempolicy_actor_free() */
    bool clock_acked;       /* clock_ack_ms is in the store */
    uint64_t clock_ack_ms;
    bool in_step;           /* a timer fires at its deadline (held clock) */
    uint64_t step_now;      /* that deadline: "now" for timers it adds */
    bool own_clock;         /* the actor's own connection follows it too */
    bool own_held;          /* ... and saw it held at own_ms */
    uint64_t own_ms;
    int fatal;              /* 0, or the negative code run() returns */
};

/* Host time before draining again after a transient failure. */
#define ACTOR_RETRY_MS 100

/* Poll slots before the extra fds. */
enum { SLOT_EVENTS, SLOT_SIGNAL, SLOT_FIRST_EXTRA };

void mempolicy_actor_log(mempolicy_actor *a, xentoollog_level level,
                         const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xtl_logv(a->lg, level, -1, a->name, fmt, ap);
    va_end(ap);
}

static void fail(mempolicy_actor *a, int rc, const char *what)
{
    const char *detail;

    if (a->fatal)
        return;
    /* A store call that failed because the store went away (killed
     * while we were at work, not idle in poll): say that, the one clear
     * reason, rather than the call's own error (EBADF, EPIPE...). */
    rc = mp_store_gone_or(a->ctx, rc);
    detail = mempolicy_last_error(a->ctx);
    a->fatal = rc ? rc : MEMPOLICY_ERROR_FAIL;
    a->stop = true;
    mempolicy_actor_log(a, XTL_ERROR, "%s: %s%s%s; exiting", what,
                        mempolicy_strerror(rc), detail[0] ? ": " : "",
                        detail);
}

/* ---- creation ---------------------------------------------------------- */

static int block_signals(int *sigfd)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL))
        return -1;
    *sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    return *sigfd < 0 ? -1 : 0;
}

int mempolicy_actor_new(mempolicy_ctx *ctx, const char *name,
                        const mempolicy_actor_ops *ops, void *user,
                        mempolicy_actor **out)
{
    return mp_actor_new_logged(ctx, name, ops, user, NULL, out);
}

int mp_actor_new_logged(mempolicy_ctx *ctx, const char *name,
                        const mempolicy_actor_ops *ops, void *user,
                        xentoollog_logger *lg, mempolicy_actor **out)
{
    mempolicy_actor *a;
    const char *canon = NULL;
    int rc;

    *out = NULL;
    if (!ctx)
        return MEMPOLICY_ERROR_INVAL;
    a = calloc(1, sizeof(*a));
    if (!a) {
        mempolicy_ctx_free(ctx);
        return MEMPOLICY_ERROR_NOMEM;
    }
    a->ctx = ctx;
    a->sigfd = -1;
    mp_domtab_init(&a->doms);
    mp_timer_heap_init(&a->timers);
    a->own_lg = xtl_createlogger_stdiostream(stderr, XTL_INFO, 0);
    a->lg = lg ? lg : (xentoollog_logger *)a->own_lg;
    a->name = strdup(name ? name : "");
    if (!a->own_lg || !a->name) {
        rc = MEMPOLICY_ERROR_NOMEM;
        goto err;
    }

    rc = MEMPOLICY_ERROR_INVAL;
    if (!ops || (!ops->domain_changed && !ops->domain_introduced)) {
        mempolicy_actor_log(a, XTL_ERROR,
                            "actor: domain_changed (or, for "
                            "a host daemon, domain_introduced) is required");
        goto err;
    }
    a->ops = *ops;
    a->user = user;
    if (!name || !name[0] || mempolicy_actor_name_valid(name, &canon) ||
        !canon || !canon[0]) {
        mempolicy_actor_log(a, XTL_ERROR,
                            "invalid actor name '%s' (want [a-z0-9-]{1,64}, "
                            "not starting with '-')",
                            MEMPOLICY_QUOTE(name ? name : ""));
        goto err;
    }
    if (strcmp(canon, a->name)) {
        char *c = strdup(canon);

        if (!c) {
            rc = MEMPOLICY_ERROR_NOMEM;
            goto err;
        }
        free(a->name);
        a->name = c;
    }

    if (block_signals(&a->sigfd)) {
        mempolicy_actor_log(a, XTL_ERROR, "signalfd: %s", strerror(errno));
        rc = MEMPOLICY_ERROR_FAIL;
        goto err;
    }

    a->speed = mempolicy_clock_speed(ctx);
    if (!(a->speed > 0) || !isfinite(a->speed))
        a->speed = 1.0;

    /*
     * Unfiltered on purpose: the library's filter knows a domain as ours
     * only from events it delivered, while the resync claims domains from
     * a listing.  A domain that became ours and then another actor's
     * between two deliveries is one coalesced change the filter would
     * drop, and we would keep it for ever.  The library reads a snapshot
     * per change either way, so filtering here costs nothing more.
     */
    rc = 0;
    if (a->ops.domain_changed) {
        rc = mempolicy_ctx_set_actor(ctx, a->name);
        if (!rc)
            rc = mempolicy_evenable_target_changed(ctx, NULL, &a->ev_target);
    }
    if (!rc)
        rc = mempolicy_evenable_domain_death(ctx, &a->ev_death);
    if (!rc && a->ops.domain_introduced)
        rc = mempolicy_evenable_domain_introduce(ctx, &a->ev_intro);
    if (rc) {
        mempolicy_actor_log(a, XTL_ERROR, "cannot subscribe to events: %s: %s",
                            mempolicy_strerror(rc),
                            mempolicy_last_error(ctx));
        goto err;
    }
    rc = mp_clock_follow(ctx);
    if (rc) {
        mempolicy_actor_log(a, XTL_ERROR, "cannot follow the host's clock: "
                            "%s: %s", mempolicy_strerror(rc),
                            mempolicy_last_error(ctx));
        goto err;
    }
    rc = mp_actor_announce(ctx, a->name);
    if (rc) {
        mempolicy_actor_log(a, XTL_ERROR,
                            "cannot announce the actor: %s: %s",
                            mempolicy_strerror(rc),
                            mempolicy_last_error(ctx));
        goto err;
    }
    a->announced = true;
    a->resync_pending = true;
    *out = a;
    return 0;

err:
    mempolicy_actor_free(a);
    return rc;
}

void mempolicy_actor_set_logger(mempolicy_actor *a, xentoollog_logger *lg)
{
    a->lg = lg ? lg : (xentoollog_logger *)a->own_lg;
}

static void forget_all(mempolicy_actor *a);

void mempolicy_actor_free(mempolicy_actor *a)
{
    if (!a)
        return;
    /* The withdrawal removes every status line at once. */
    a->closing = true;
    forget_all(a);
    if (a->announced)
        mp_actor_withdraw(a->ctx, a->name);
    if (a->ctx) {
        if (a->ev_target)
            mempolicy_evdisable(a->ctx, a->ev_target);
        if (a->ev_intro)
            mempolicy_evdisable(a->ctx, a->ev_intro);
        if (a->ev_death)
            mempolicy_evdisable(a->ctx, a->ev_death);
        mempolicy_ctx_free(a->ctx);
    }
    mp_timer_heap_dispose(&a->timers);
    mp_domtab_dispose(&a->doms);
    if (a->sigfd >= 0)
        close(a->sigfd);
    free(a->fds);
    free(a->name);
    if (a->own_lg)
        xtl_logger_destroy((xentoollog_logger *)a->own_lg);
    free(a);
}

mempolicy_ctx *mempolicy_actor_ctx(mempolicy_actor *a)
{
    return a->ctx;
}

xentoollog_logger *mempolicy_actor_logger(mempolicy_actor *a)
{
    return a->lg;
}

const char *mempolicy_actor_name(mempolicy_actor *a)
{
    return a->name;
}

/* ---- domains ----------------------------------------------------------- */

int mempolicy_actor_set_domain_data(mempolicy_actor *a, uint32_t domid,
                                    void *data)
{
    struct mp_domtab_entry *e = mp_domtab_find(&a->doms, domid);

    if (!e)
        return MEMPOLICY_ERROR_NO_DOMAIN;
    e->data = data;
    return 0;
}

void *mempolicy_actor_domain_data(mempolicy_actor *a, uint32_t domid)
{
    struct mp_domtab_entry *e = mp_domtab_find(&a->doms, domid);

    return e ? e->data : NULL;
}

int mempolicy_actor_set_status(mempolicy_actor *a, uint32_t domid,
                               const char *fmt, ...)
{
    struct mp_domtab_entry *e = mp_domtab_find(&a->doms, domid);
    char raw[MEMPOLICY_STATUS_MAX + 1], line[MEMPOLICY_STATUS_MAX + 1];
    char *copy = NULL;
    va_list ap;
    int rc;

    if (!e)
        return MEMPOLICY_ERROR_NO_DOMAIN;
    va_start(ap, fmt);
    if (vsnprintf(raw, sizeof(raw), fmt ? fmt : "", ap) < 0)
        raw[0] = '\0';
    va_end(ap);
    mp_status_clean(line, sizeof(line), raw);
    /* Written only when it changes: a quiet host costs no writes. */
    if (e->status ? !strcmp(e->status, line) : !line[0])
        return 0;
    if (line[0] && !(copy = strdup(line)))
        return MEMPOLICY_ERROR_NOMEM;
    rc = mp_status_write(a->ctx, a->name, domid, line);
    if (rc) {
        free(copy);
        if (rc == MEMPOLICY_ERROR_STORE || rc == MEMPOLICY_ERROR_STORE_GONE)
            fail(a, rc, "publishing a status line");
        return rc;
    }
    free(e->status);
    e->status = copy;
    return 0;
}

unsigned mempolicy_actor_domain_count(mempolicy_actor *a)
{
    return (unsigned)a->doms.n;
}

static void domain_claim(mempolicy_actor *a, uint32_t domid,
                         const mempolicy_policy *policy)
{
    if (!mp_domtab_insert(&a->doms, domid)) {
        fail(a, MEMPOLICY_ERROR_NOMEM, "domain table");
        return;
    }
    a->ops.domain_changed(a, domid, policy, a->user);
}

static void forget(mempolicy_actor *a, uint32_t domid)
{
    struct mp_domtab_entry *e = mp_domtab_find(&a->doms, domid);
    void *data;

    if (!e)
        return;
    data = e->data;
    if (e->status) {
        /* The line described our work on the domain: gone with it. */
        if (!a->closing &&
            mp_status_write(a->ctx, a->name, domid, "") < 0)
            mempolicy_actor_log(a, XTL_DEBUG, "domain %u: status: %s",
                                domid, mempolicy_last_error(a->ctx));
        free(e->status);
        e->status = NULL;
    }
    mp_domtab_remove(&a->doms, domid);
    if (data && a->ops.domain_data_free)
        a->ops.domain_data_free(a, domid, data, a->user);
}

static void forget_all(mempolicy_actor *a)
{
    uint32_t *ids;
    size_t i, n = 0;

    if (!a->doms.n)
        return;
    /* Snapshot the ids first: removal reorders the table. */
    ids = malloc(a->doms.n * sizeof(*ids));
    if (!ids) {
        mp_domtab_dispose(&a->doms);
        return;
    }
    for (i = 0; i < a->doms.cap; i++)
        if (a->doms.v[i].used)
            ids[n++] = a->doms.v[i].domid;
    for (i = 0; i < n; i++)
        forget(a, ids[i]);
    free(ids);
}

static void domain_release(mempolicy_actor *a, uint32_t domid, bool died)
{
    if (!mp_domtab_find(&a->doms, domid))
        return;
    mempolicy_actor_log(a, XTL_DEBUG, "domain %u %s", domid,
                        died ? "died" : "left this actor");
    if (a->ops.domain_left)
        a->ops.domain_left(a, domid, died, a->user);
    forget(a, domid);
}

static bool is_ours(mempolicy_actor *a, const mempolicy_policy *p)
{
    return p->actor && !strcmp(p->actor, a->name);
}

static void dispatch(mempolicy_actor *a, const mempolicy_event *ev)
{
    switch (ev->type) {
    case MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED:
        if (is_ours(a, &ev->policy))
            domain_claim(a, ev->domid, &ev->policy);
        else
            domain_release(a, ev->domid, false);
        break;
    case MEMPOLICY_EVENT_DOMAIN_DEATH:
        domain_release(a, ev->domid, true);
        break;
    case MEMPOLICY_EVENT_DOMAIN_INTRODUCE:
        if (a->ops.domain_introduced)
            a->ops.domain_introduced(a, ev->domid, a->user);
        break;
    }
}

static void resync(mempolicy_actor *a)
{
    mempolicy_dominfo *list = NULL;
    int n = 0, i, mine = 0;
    int rc = mempolicy_list_domains(a->ctx, &list, &n);

    a->resync_pending = false;
    if (rc) {
        fail(a, rc, "start-up resync: cannot list domains");
        return;
    }
    /* Only a fatal error cuts this short: a stop request must not lose
     * the rest of the domains, whose resync would never come again. */
    for (i = 0; i < n && !a->fatal; i++) {
        if (list[i].dying)
            continue;
        a->resync_cur = &list[i];
        if (!a->ops.domain_changed) {
            /* A host daemon: every domain is one it has to look at. */
            a->ops.domain_introduced(a, list[i].domid, a->user);
        } else if (is_ours(a, &list[i].policy)) {
            mine++;
            domain_claim(a, list[i].domid, &list[i].policy);
        }
        a->resync_cur = NULL;
    }
    if (a->ops.domain_changed)
        mempolicy_actor_log(a, XTL_INFO,
                            "serving %d domain%s (of %d) at "
                            "clock speed %g",
                            mine, mine == 1 ? "" : "s", n, a->speed);
    else
        mempolicy_actor_log(a, XTL_INFO,
                            "serving: %d domain%s seen at "
                            "start-up",
                            n, n == 1 ? "" : "s");
    mempolicy_dominfo_list_free(list, n);
    if (a->ready_fn && !a->fatal) {
        void (*fn)(mempolicy_actor *, void *) = a->ready_fn;

        a->ready_fn = NULL;
        fn(a, a->ready_arg);
    }
}

void mp_actor_on_ready(mempolicy_actor *a,
                       void (*fn)(mempolicy_actor *a, void *arg), void *arg)
{
    a->ready_fn = fn;
    a->ready_arg = arg;
}

const mempolicy_dominfo *mempolicy_actor_resync_info(mempolicy_actor *a,
                                                     uint32_t domid)
{
    return a->resync_cur && a->resync_cur->domid == domid ? a->resync_cur
                                                          : NULL;
}

static void drain_events(mempolicy_actor *a);

static void retry_drain(mempolicy_actor *a, void *arg)
{
    a->retry = NULL;
    drain_events(a);
}

static void drain_events(mempolicy_actor *a)
{
    while (!a->stop) {
        mempolicy_event *ev = NULL;
        int rc = mempolicy_event_get(a->ctx, &ev);

        if (rc == MEMPOLICY_ERROR_NOT_READY)
            return;
        if (rc == MEMPOLICY_ERROR_AGAIN || rc == MEMPOLICY_ERROR_NOMEM) {
            /*
             * Transient (a snapshot kept conflicting with writers, or
             * memory ran short): the library keeps the change queued,
             * but no new wake-up may come for it, so look again soon.
             */
            mempolicy_actor_log(a, XTL_WARN, "reading a policy change: %s; "
                                "retrying", mempolicy_strerror(rc));
            if (!a->retry)
                a->retry = mempolicy_timer_add(a, ACTOR_RETRY_MS,
                                               retry_drain, NULL);
            return;
        }
        if (rc) {
            fail(a, rc, "lost the event stream from xenstore");
            return;
        }
        dispatch(a, ev);
        mempolicy_event_free(a->ctx, ev);
    }
}

/* ---- timers ------------------------------------------------------------ */

mempolicy_timer *mempolicy_timer_add(mempolicy_actor *a, uint64_t ms,
                                     mempolicy_timer_fn *fn, void *arg)
{
    mempolicy_timer *t = calloc(1, sizeof(*t));
    uint64_t now = mempolicy_actor_now_ms(a);

    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    t->idx = MP_TIMER_NOT_QUEUED;
    /* Saturate rather than wrap for absurdly long delays. */
    t->deadline = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
    if (mp_timer_heap_push(&a->timers, t)) {
        free(t);
        return NULL;
    }
    return t;
}

uint64_t mempolicy_actor_now_ms(mempolicy_actor *a)
{
    uint64_t now;

    if (a->in_step)
        return a->step_now;
    now = mp_clock_now_ms(a->ctx);
    /* Held: the latest time either connection saw (a step's events on
     * the actor's own connection may come before the kit's clock event,
     * and they happened during the step, not before it). */
    if (a->own_clock && a->own_held && a->ctx->clock.watched &&
        a->ctx->clock.rate == 0 && a->own_ms > now)
        return a->own_ms;
    return now;
}

void mempolicy_timer_cancel(mempolicy_actor *a, mempolicy_timer *t)
{
    if (!t || t->firing)
        return;
    mp_timer_heap_remove(&a->timers, t);
    free(t);
}

/*
 * Fire the due timers, earliest first.  Timers added by these callbacks
 * wait for the next round, so a callback re-adding a 0 ms timer cannot
 * starve the loop.
 *
 * While a test holds xensim's clock and steps it, time has jumped: each
 * timer then fires as if at its own deadline (the "now" of the timers its
 * callback adds), and one that such a callback adds for later within the
 * step fires in the same round, so a 100 ms periodic timer runs ten
 * times in a 1 s step, as it would have while the clock ran.  Only a
 * 0 ms re-add waits for the next round.
 */
/*
 * While the clock is held, an actor with a connection of its own
 * (mempolicy_actor_clock_seen) runs its timers, and says it caught up,
 * only once both connections have seen the same held time: the events a
 * step caused on either come before the step's end, in the store's
 * order, so a pass then sees all of them, and "now" is the step's end
 * on both.  Otherwise a pass could run on part of a step's reports, and
 * what the actor wrote would depend on how fast it read them.
 */
static bool own_behind(const mempolicy_actor *a)
{
    const struct mp_clock *c = &a->ctx->clock;

    return a->own_clock && c->watched && c->rate == 0 &&
        (!a->own_held || a->own_ms != c->base_ms);
}

static void run_timers(mempolicy_actor *a)
{
    uint64_t now = mp_clock_now_ms(a->ctx);
    uint64_t limit = a->timers.next_seq, last = 0;
    bool held = a->ctx->clock.watched && a->ctx->clock.rate == 0;
    mempolicy_timer *t;

    if (own_behind(a))
        return;
    while (!a->stop && (t = mp_timer_heap_top(&a->timers)) &&
           t->deadline <= now) {
        if (t->seq >= limit && !(held && t->deadline > last))
            break;
        mp_timer_heap_remove(&a->timers, t);
        a->in_step = held;
        a->step_now = last = t->deadline;
        t->firing = true;
        t->fn(a, t->arg);
        a->in_step = false;
        free(t);
    }
}

static int poll_timeout_ms(mempolicy_actor *a)
{
    mempolicy_timer *t = mp_timer_heap_top(&a->timers);

    /* Held back until the connections agree: an fd event ends it. */
    if (!t || own_behind(a))
        return -1;
    /* Rounded up, so that we never wake just before the deadline. */
    return mp_clock_poll_ms(a->ctx, t->deadline);
}

/*
 * While a test holds xensim's clock, say up to which simulated time our
 * timers have run, once none is due: after `clock step`, a test waits
 * for this node to reach the new time and knows the actor has done what
 * the step made due (tests/actors/common.sh, clock_step).  Never written
 * while the clock runs, nor on a real host.
 */
static void ack_clock(mempolicy_actor *a)
{
    const struct mp_clock *c = &a->ctx->clock;

    if (!c->watched || c->rate != 0 ||
        (a->clock_acked && a->clock_ack_ms == c->base_ms))
        return;
    if (own_behind(a))
        return;
    if (mp_actor_clock_ack(a->ctx, a->name, c->base_ms)) {
        fail(a, MEMPOLICY_ERROR_STORE, "cannot write the clock barrier");
        return;
    }
    a->clock_acked = true;
    a->clock_ack_ms = c->base_ms;
}

const char *mempolicy_actor_clock_node(mempolicy_actor *a)
{
    const char *node = a->ctx->be->clock_node;

    if (node)
        a->own_clock = true;
    return node;
}

void mempolicy_actor_clock_seen(mempolicy_actor *a, const char *value)
{
    struct mp_clock c;

    if (!value || !mp_clock_parse(value, &c))
        return;
    a->own_held = c.rate == 0;
    a->own_ms = c.base_ms;
}

/* ---- extra fds --------------------------------------------------------- */

int mempolicy_actor_watch_fd(mempolicy_actor *a, int fd,
                             mempolicy_actor_fd_fn *fn, void *arg)
{
    struct extra_fd *n;
    size_t i;

    for (i = 0; i < a->nfds; i++) {
        if (a->fds[i].fd == fd) {
            if (!fn) {
                a->fds[i] = a->fds[--a->nfds];
                return 0;
            }
            a->fds[i].fn = fn;
            a->fds[i].arg = arg;
            return 0;
        }
    }
    if (fd < 0 || !fn)
        return MEMPOLICY_ERROR_INVAL;
    n = realloc(a->fds, (a->nfds + 1) * sizeof(*n));
    if (!n)
        return MEMPOLICY_ERROR_NOMEM;
    a->fds = n;
    a->fds[a->nfds++] = (struct extra_fd){ fd, fn, arg };
    return 0;
}

/* ---- the loop ---------------------------------------------------------- */

static void on_signal(mempolicy_actor *a)
{
    struct signalfd_siginfo si;

    while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        mempolicy_actor_log(a, XTL_INFO, "%s received, stopping",
                            si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
        a->stop = true;
    }
}

int mempolicy_actor_run(mempolicy_actor *a)
{
    struct pollfd *pf = NULL;
    size_t cap = 0;

    /* Stopped before running: one pass over what is already pending. */
    bool once = a->stop;

    a->stop = false;
    if (a->resync_pending)
        resync(a);
    drain_events(a);
    if (once && !a->stop)
        run_timers(a);
    if (once)
        a->stop = true;

    while (!a->stop) {
        size_t i, n = SLOT_FIRST_EXTRA + a->nfds;
        int r, timeout;

        if (n > cap) {
            struct pollfd *np = realloc(pf, n * sizeof(*np));

            if (!np) {
                fail(a, MEMPOLICY_ERROR_NOMEM, "poll set");
                break;
            }
            pf = np;
            cap = n;
        }
        pf[SLOT_EVENTS] = (struct pollfd){ mempolicy_event_fd(a->ctx),
                                           POLLIN, 0 };
        pf[SLOT_SIGNAL] = (struct pollfd){ a->sigfd, POLLIN, 0 };
        for (i = 0; i < a->nfds; i++)
            pf[SLOT_FIRST_EXTRA + i] = (struct pollfd){ a->fds[i].fd,
                                                        POLLIN, 0 };
        if (pf[SLOT_EVENTS].fd < 0) {
            fail(a, MEMPOLICY_ERROR_STORE, "no event fd");
            break;
        }

        timeout = poll_timeout_ms(a);
        if (timeout != 0) {
            ack_clock(a);
            if (a->stop)
                break;
        }
        r = poll(pf, n, timeout);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fail(a, MEMPOLICY_ERROR_FAIL, "poll");
            break;
        }
        if (pf[SLOT_SIGNAL].revents)
            on_signal(a);
        if (!a->stop && (pf[SLOT_EVENTS].revents & (POLLERR | POLLNVAL))) {
            fail(a, MEMPOLICY_ERROR_STORE, "event fd failed");
            break;
        }
        if (!a->stop && pf[SLOT_EVENTS].revents)
            drain_events(a);
        /* A hung-up event fd stays readable forever: that is fatal, not
         * a reason to spin. */
        if (!a->stop && (pf[SLOT_EVENTS].revents & POLLHUP)) {
            fail(a, MEMPOLICY_ERROR_STORE, "event fd hung up");
            break;
        }
        if (!a->stop)
            run_timers(a);
        /* Extra fds last: their callbacks may unregister fds, so match
         * by fd value against the current table. */
        for (i = 0; i < n - SLOT_FIRST_EXTRA && !a->stop; i++) {
            size_t j;

            if (!pf[SLOT_FIRST_EXTRA + i].revents)
                continue;
            for (j = 0; j < a->nfds; j++) {
                if (a->fds[j].fd == pf[SLOT_FIRST_EXTRA + i].fd) {
                    a->fds[j].fn(a, a->fds[j].fd, a->fds[j].arg);
                    break;
                }
            }
        }
    }
    free(pf);
    a->stop = false;
    return a->fatal;
}

void mempolicy_actor_stop(mempolicy_actor *a)
{
    a->stop = true;
}

void mempolicy_actor_fatal(mempolicy_actor *a, int rc, const char *what)
{
    fail(a, rc, what);
}
