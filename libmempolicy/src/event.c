/*
 * event.c: DOMAIN_MEMORY_TARGET_CHANGED, DOMAIN_INTRODUCE, DOMAIN_DEATH.
 *
 * Sources: one xenstore watch on /libxl (not one per domain: a host with
 * 10,000 domains would need 10,000 watches and a watch per introduce),
 * and the special watches @introduceDomain / @releaseDomain.  A watch
 * event costs O(1): its path names the domain, which is marked dirty and
 * queued once; repeated changes before the next get coalesce into that one
 * queue entry, and the snapshot is read (one transaction) only when the
 * event is handed out, so it is always the latest.  Introduce/release
 * carry no domid in Xen, so each costs one domain list and a diff against
 * the domains this context knows.
 *
 * Delivery: mempolicy_event_fd() is an epoll fd holding libxenstore's
 * watch pipe (readable while watch events are queued in libxenstore) and
 * an eventfd that is readable while our own queue is non-empty, so the fd
 * is readable exactly when mempolicy_event_get() may return something,
 * level-triggered, whatever the caller's loop does.
 *
 * Store loss: libxenstore's watch pipe is never signalled when the store
 * connection dies (its reader thread just closes the socket:
 * tools/libs/store/xs.c, read_thread()), so an idle caller would sleep in
 * poll for ever.  The epoll set therefore also holds a silent "liveness"
 * connection to the store's socket, which this context never writes to:
 * it becomes readable (EOF) exactly when the store closes it, at no cost
 * while idle.  mempolicy_event_get() then returns STORE_GONE, and keeps
 * returning it (the fd stays readable), so every long-running user of the
 * library (actor kit, mempolicyd, mem-watch) ends instead of hanging.
 * Where the store is not a Unix socket (/dev/xen/xenbus), the first call
 * that fails tells instead.
 *
 * Only paths under /libxl/<domid>/memory-policy count: the toolstack also
 * writes /libxl/<domid>/type, device/ and the like, and a new domain's
 * creation must not look like a policy change.  The one exception is the
 * bare /libxl/<domid>: xenstored reports the removal of a subtree to a
 * watcher above it with the subtree's root only, so removing /libxl/<domid>
 * (which removes the policy nodes) arrives as that path.  Creating the
 * node (libxl's mknod at domain build) arrives as the same path, so it is
 * told apart by what this context knows, with no store read: the bare path
 * counts only for a domain whose policy nodes existed at the last look.
 *
 * That knowledge, and each domain's previous actor (the actor filter's
 * "left the actor" events), is seeded once from the store when the first
 * TARGET_CHANGED generator is enabled (pipelined reads, after the watch is
 * set so that no change falls between the two) and updated with every
 * snapshot.
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "paths.h"

#define TOK_LIBXL "mp-libxl"
#define TOK_INTRO "mp-intro"
#define TOK_RELEASE "mp-release"

struct mempolicy_evgen {
    mempolicy_event_type type;
    char *actor;                 /* TARGET_CHANGED filter, NULL = all */
    struct mempolicy_evgen *next;
};

struct domstate {
    char *actor;       /* last actor seen, NULL if never seen */
    bool has_policy;   /* policy nodes existed at the last look */
    mempolicy_policy last; /* last snapshot delivered (actor NULL: none) */
    bool alive;        /* in the domain list at the last diff */
    bool dirty;        /* a TARGET_CHANGED entry is queued */
};

struct qitem {
    mempolicy_event_type type;
    uint32_t domid;
    struct qitem *next;
};

struct mp_events {
    struct mempolicy_evgen *gens;
    int n_target;
    int n_domain;             /* introduce + death generators */
    bool watch_libxl;
    bool watch_domains;
    bool list_seeded;
    bool actors_seeded;       /* seed_actors ran before: dom[] not clean */
    struct domstate *dom;     /* MP_DOMID_LIMIT entries */
    struct qitem *head, *tail;
    int epfd;
    int efd;
    bool efd_set;
    int livefd;               /* -1 where the store is not a socket */
    bool gone;                /* the store went away: sticky */
    bool clock_pending;       /* the clock changed after queued events */
};

static struct mp_events *events(mempolicy_ctx *ctx)
{
    struct mp_events *e;
    struct epoll_event ee = { .events = EPOLLIN };

    if (ctx->ev)
        return ctx->ev;
    e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->livefd = -1;
    e->dom = calloc(MP_DOMID_LIMIT, sizeof(*e->dom));
    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    e->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!e->dom || e->epfd < 0 || e->efd < 0)
        goto fail;
    if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->efd, &ee))
        goto fail;
    if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, xs_fileno(ctx->xsh), &ee))
        goto fail;
    e->livefd = mp_store_socket_connect(ctx, "store loss is noticed on the "
                                        "next failing call");
    if (e->livefd >= 0 &&
        epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->livefd, &ee))
        goto fail;
    ctx->ev = e;
    return e;

fail:
    if (e->epfd >= 0)
        close(e->epfd);
    if (e->efd >= 0)
        close(e->efd);
    if (e->livefd >= 0)
        close(e->livefd);
    free(e->dom);
    free(e);
    return NULL;
}

void mp_events_free(mempolicy_ctx *ctx)
{
    struct mp_events *e = ctx->ev;
    unsigned i;

    if (!e)
        return;
    while (e->gens) {
        struct mempolicy_evgen *g = e->gens;

        e->gens = g->next;
        free(g->actor);
        free(g);
    }
    while (e->head) {
        struct qitem *q = e->head;

        e->head = q->next;
        free(q);
    }
    for (i = 0; i < MP_DOMID_LIMIT; i++) {
        free(e->dom[i].actor);
        mempolicy_policy_dispose(&e->dom[i].last);
    }
    free(e->dom);
    close(e->epfd);
    close(e->efd);
    if (e->livefd >= 0)
        close(e->livefd);
    free(e);
    ctx->ev = NULL;
}

/* Keep the eventfd readable exactly while the queue is non-empty. */
static void queue_signal(struct mp_events *e)
{
    bool want = e->head != NULL;
    uint64_t v = 1;

    if (want == e->efd_set)
        return;
    if (want) {
        if (write(e->efd, &v, sizeof(v)) != sizeof(v))
            return;
    } else {
        if (read(e->efd, &v, sizeof(v)) != sizeof(v))
            return;
    }
    e->efd_set = want;
}

static int enqueue(struct mp_events *e, mempolicy_event_type type,
                   uint32_t domid)
{
    struct qitem *q = malloc(sizeof(*q));

    if (!q)
        return MEMPOLICY_ERROR_NOMEM;
    q->type = type;
    q->domid = domid;
    q->next = NULL;
    if (e->tail)
        e->tail->next = q;
    else
        e->head = q;
    e->tail = q;
    return 0;
}

/*
 * "/libxl/<domid>/memory-policy[/...]" -> domid, *bare false;
 * "/libxl/<domid>" -> domid, *bare true; false for any other path.
 */
static bool policy_path_domid(const char *path, uint32_t *domid, bool *bare)
{
    const char *p;
    uint64_t v = 0;
    int digits = 0;

    if (strncmp(path, MP_LIBXL_DIR "/", sizeof(MP_LIBXL_DIR)))
        return false;
    for (p = path + sizeof(MP_LIBXL_DIR); *p >= '0' && *p <= '9'; p++) {
        if (++digits > 5)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (!digits || v >= MP_DOMID_LIMIT)
        return false;
    if (*p && strcmp(p, "/" MP_POLICY_DIR) &&
        strncmp(p, "/" MP_POLICY_DIR "/", sizeof(MP_POLICY_DIR) + 1))
        return false;
    *domid = (uint32_t)v;
    *bare = !*p;
    return true;
}

/* Diff the domain list against what we know: introduce and death. */
static int domains_diff(mempolicy_ctx *ctx, bool report)
{
    struct mp_events *e = ctx->ev;
    uint32_t *ids;
    int n, i, rc;
    uint32_t d, next = 0;

    rc = ctx->be->list(ctx, &ids, &n);
    if (rc)
        return rc;
    /* ids is ascending: walk it and the known set together. */
    for (i = 0; i <= n; i++) {
        uint32_t upto = i < n ? ids[i] : MP_DOMID_LIMIT;

        for (d = next; d < upto; d++) {
            if (!e->dom[d].alive)
                continue;
            e->dom[d].alive = false;
            if (report && (rc = enqueue(e, MEMPOLICY_EVENT_DOMAIN_DEATH, d)))
                goto out;
        }
        if (i == n)
            break;
        d = ids[i];
        next = d + 1;
        if (d >= MP_DOMID_LIMIT || e->dom[d].alive)
            continue;
        /* Created but not yet introduced to the store: not there yet. */
        if (report && !xs_is_domain_introduced(ctx->xsh, d))
            continue;
        e->dom[d].alive = true;
        if (report &&
            (rc = enqueue(e, MEMPOLICY_EVENT_DOMAIN_INTRODUCE, d)))
            goto out;
    }
    rc = 0;
out:
    free(ids);
    queue_signal(e);
    return rc;
}

/*
 * Learn every domain's actor, and whether it has policy nodes at all, in
 * one listing and one pipelined batch of reads (a host of 10,000 domains
 * costs tens of milliseconds, not 10,000 round trips).
 */
#define SEED_PATH MP_PATH_MAX

static int seed_actors(mempolicy_ctx *ctx)
{
    struct mp_events *e = ctx->ev;
    struct mp_xs_req *reqs = NULL;
    uint32_t *ids = NULL;
    char *paths = NULL;
    unsigned n, i, m = 0;
    int rc = 0;
    char **names = xs_directory(ctx->xsh, XBT_NULL, MP_LIBXL_DIR, &n);

    /* Only a re-seed walks the whole table: dom[] is a big calloc whose
     * pages stay untouched (and out of RSS) until a domain uses them. */
    for (i = 0; e->actors_seeded && i < MP_DOMID_LIMIT; i++) {
        free(e->dom[i].actor);
        e->dom[i].actor = NULL;
        e->dom[i].has_policy = false;
    }
    e->actors_seeded = true;
    if (!names)
        return errno == ENOENT ? 0
                               : mp_err(ctx, MEMPOLICY_ERROR_STORE,
                                        "xenstore: listing /libxl: %s",
                                        strerror(errno));
    if (n) {
        reqs = calloc(n, sizeof(*reqs));
        ids = calloc(n, sizeof(*ids));
        paths = malloc((size_t)n * SEED_PATH);
        if (!reqs || !ids || !paths) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "no memory for events");
            goto out;
        }
    }
    for (i = 0; i < n; i++) {
        uint64_t d;
        char *path = paths + (size_t)m * SEED_PATH;

        if (!mp_parse_u64(names[i], MP_DOMID_LIMIT - 1, &d))
            continue;
        mp_path_policy(path, (uint32_t)d, MP_POL_ACTOR);
        ids[m] = (uint32_t)d;
        reqs[m++].path = path;
    }
    if (m && (rc = mp_xsb_read(ctx, 0, reqs, m)))
        goto out;
    for (i = 0; i < m; i++) {
        struct domstate *ds = &e->dom[ids[i]];

        if (!reqs[i].val)
            continue;
        free(ds->actor);
        ds->actor = reqs[i].val;
        reqs[i].val = NULL;
        ds->has_policy = true;
    }
out:
    for (i = 0; reqs && i < m; i++)
        free(reqs[i].val);
    free(reqs);
    free(ids);
    free(paths);
    free(names);
    return rc;
}

static int watch(mempolicy_ctx *ctx, const char *path, const char *tok)
{
    if (xs_watch(ctx->xsh, path, tok))
        return 0;
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: watching %s: %s",
                  path, strerror(errno));
}

static int evenable(mempolicy_ctx *ctx, mempolicy_event_type type,
                    const char *actor, mempolicy_evgen **out)
{
    struct mp_events *e;
    struct mempolicy_evgen *g;
    const char *canon = NULL;
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no evgen out pointer");
    *out = NULL;
    if (actor && (mempolicy_actor_name_valid(actor, &canon) || !*canon))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "invalid actor filter '%s'", MP_Q(actor));
    e = events(ctx);
    if (!e)
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "no memory for events");
    g = calloc(1, sizeof(*g));
    if (!g || (canon && !(g->actor = strdup(canon)))) {
        free(g);
        return MEMPOLICY_ERROR_NOMEM;
    }
    g->type = type;

    if (type == MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED) {
        if (!e->watch_libxl) {
            rc = watch(ctx, MP_LIBXL_DIR, TOK_LIBXL);
            if (rc)
                goto fail;
            rc = seed_actors(ctx);
            if (rc) {
                xs_unwatch(ctx->xsh, MP_LIBXL_DIR, TOK_LIBXL);
                goto fail;
            }
            e->watch_libxl = true;
        }
        e->n_target++;
    } else {
        if (!e->list_seeded) {
            rc = domains_diff(ctx, false);
            if (rc)
                goto fail;
            e->list_seeded = true;
        }
        if (!e->watch_domains) {
            rc = watch(ctx, "@introduceDomain", TOK_INTRO);
            if (rc)
                goto fail;
            rc = watch(ctx, "@releaseDomain", TOK_RELEASE);
            if (rc) {
                xs_unwatch(ctx->xsh, "@introduceDomain", TOK_INTRO);
                goto fail;
            }
            e->watch_domains = true;
        }
        e->n_domain++;
    }
    g->next = e->gens;
    e->gens = g;
    *out = g;
    return 0;

fail:
    free(g->actor);
    free(g);
    return rc;
}

int mempolicy_evenable_target_changed(mempolicy_ctx *ctx, const char *actor,
                                      mempolicy_evgen **evgen_out)
{
    return evenable(ctx, MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED, actor,
                    evgen_out);
}

int mempolicy_evenable_domain_introduce(mempolicy_ctx *ctx,
                                        mempolicy_evgen **evgen_out)
{
    return evenable(ctx, MEMPOLICY_EVENT_DOMAIN_INTRODUCE, NULL, evgen_out);
}

int mempolicy_evenable_domain_death(mempolicy_ctx *ctx,
                                    mempolicy_evgen **evgen_out)
{
    return evenable(ctx, MEMPOLICY_EVENT_DOMAIN_DEATH, NULL, evgen_out);
}

static bool have_gen(struct mp_events *e, mempolicy_event_type type)
{
    struct mempolicy_evgen *g;

    for (g = e->gens; g; g = g->next)
        if (g->type == type)
            return true;
    return false;
}

void mempolicy_evdisable(mempolicy_ctx *ctx, mempolicy_evgen *evgen)
{
    struct mp_events *e = ctx->ev;
    struct mempolicy_evgen **pp;

    if (!evgen || !e)
        return;
    for (pp = &e->gens; *pp && *pp != evgen; pp = &(*pp)->next)
        ;
    assert(*pp == evgen);
    if (!*pp)
        return;
    *pp = evgen->next;
    if (evgen->type == MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED) {
        if (--e->n_target == 0 && e->watch_libxl) {
            xs_unwatch(ctx->xsh, MP_LIBXL_DIR, TOK_LIBXL);
            e->watch_libxl = false;
        }
    } else if (--e->n_domain == 0 && e->watch_domains) {
        xs_unwatch(ctx->xsh, "@introduceDomain", TOK_INTRO);
        xs_unwatch(ctx->xsh, "@releaseDomain", TOK_RELEASE);
        e->watch_domains = false;
        e->list_seeded = false;
    }
    free(evgen->actor);
    free(evgen);
}

int mempolicy_event_fd(mempolicy_ctx *ctx)
{
    struct mp_events *e = events(ctx);

    return e ? e->epfd : -1;
}

static int store_gone(mempolicy_ctx *ctx, const char *why)
{
    ctx->ev->gone = true;
    return mp_err(ctx, MEMPOLICY_ERROR_STORE_GONE,
                  "xenstore closed the connection (%s)",
                  why);
}

/* Has the store closed the liveness connection?  STORE_GONE if so. */
static int check_liveness(mempolicy_ctx *ctx)
{
    struct mp_events *e = ctx->ev;
    char buf[64];
    ssize_t r;

    if (e->gone)
        return store_gone(ctx, "earlier");
    if (e->livefd < 0)
        return 0;
    /* Nothing is ever asked on it, so bytes are unexpected but harmless:
     * the store is alive.  Only EOF or an error says it is gone. */
    do
        r = recv(e->livefd, buf, sizeof(buf), MSG_DONTWAIT);
    while (r > 0 || (r < 0 && errno == EINTR));
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    return store_gone(ctx, r ? strerror(errno) : "EOF");
}

/* A call failed: if that is because the store just went away, say so
 * (one clear reason), else pass rc on. */
static int gone_or(mempolicy_ctx *ctx, int rc)
{
    char detail[sizeof(ctx->err)];
    int gone;

    if (rc == MEMPOLICY_ERROR_STORE_GONE)
        return rc;
    memcpy(detail, ctx->err, sizeof(detail));
    gone = check_liveness(ctx);
    if (gone)
        return gone;
    memcpy(ctx->err, detail, sizeof(detail));
    return rc;
}

int mp_store_gone_or(mempolicy_ctx *ctx, int rc)
{
    if (!ctx->ev || rc != MEMPOLICY_ERROR_STORE)
        return rc;
    return gone_or(ctx, rc);
}

/*
 * Move every watch event libxenstore holds into our queue: O(1) each.
 *
 * The host's clock is read when its node's event comes, in the store's
 * order: a change queued before it is delivered first, while the clock
 * still reads as it did when the change was made.  So the reading stops
 * at the clock's event while changes wait (the rest stays in
 * libxenstore's queue), and the clock is read once they are delivered.
 * Otherwise a test's change and its `clock step` read in one batch
 * would have the change's timers start at the step's new time, not
 * fired by the step (tests/actors/clock.t.sh).
 */
static int drain_watches(mempolicy_ctx *ctx)
{
    struct mp_events *e = ctx->ev;
    bool intro = false, release = false;
    char **w = NULL;
    int rc = check_liveness(ctx);

    if (rc)
        return rc;
    if (e->clock_pending) {
        if (e->head) {
            queue_signal(e);
            return 0;
        }
        e->clock_pending = false;
        mp_clock_reread(ctx);
    }
    while (!e->clock_pending && (w = xs_check_watch(ctx->xsh))) {
        const char *path = w[XS_WATCH_PATH], *tok = w[XS_WATCH_TOKEN];
        uint32_t d;
        bool bare;

        if (!strcmp(tok, TOK_LIBXL)) {
            if (e->watch_libxl && policy_path_domid(path, &d, &bare) &&
                !e->dom[d].dirty && (!bare || e->dom[d].has_policy)) {
                rc = enqueue(e, MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED,
                             d);
                if (!rc)
                    e->dom[d].dirty = true;
            }
        } else if (!strcmp(tok, TOK_INTRO)) {
            intro = true;
        } else if (!strcmp(tok, TOK_RELEASE)) {
            release = true;
        } else if (!strcmp(tok, MP_CLOCK_TOKEN)) {
            if (e->head || intro || release)
                e->clock_pending = true;
            else
                mp_clock_reread(ctx);
        }
        free(w);
        if (rc)
            break;
    }
    /* libxenstore's reader thread closed a connection that failed: it
     * says EINVAL (no fd) once the queued watch events are read. */
    if (!w && !e->clock_pending && errno != EAGAIN && !rc)
        rc = store_gone(ctx, strerror(errno));
    /* Many introduce/release events in one burst need only one diff. */
    if (!rc && (intro || release) && e->watch_domains)
        rc = domains_diff(ctx, true);
    queue_signal(e);
    return rc;
}

struct snap {
    uint32_t domid;
    mempolicy_policy *p;
    bool exists;
    bool any;          /* some policy node was there */
};

static int snap_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct snap *s = arg;
    char path[MP_PATH_MAX], *dom;
    unsigned any;
    int rc;

    /* A retried transaction must not leak the previous attempt's read. */
    mempolicy_policy_dispose(s->p);
    rc = mp_policy_read_tx(ctx, t, s->domid, s->p, &any);
    if (rc)
        return rc;
    s->exists = true;
    s->any = any != 0;
    if (any)
        return 0;
    rc = mp_xs_read(ctx, t, mp_path_dom(path, s->domid, NULL), &dom);
    if (rc) {
        mempolicy_policy_dispose(s->p);
        return rc;
    }
    s->exists = dom != NULL;
    free(dom);
    return 0;
}

static bool filter_match(struct mp_events *e, const char *old_actor,
                         const char *new_actor)
{
    struct mempolicy_evgen *g;

    for (g = e->gens; g; g = g->next) {
        if (g->type != MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED)
            continue;
        if (!g->actor || !strcmp(g->actor, new_actor) ||
            (old_actor && !strcmp(g->actor, old_actor)))
            return true;
    }
    return false;
}

/*
 * Watch events for one write may arrive after the snapshot that already
 * reflects it; a snapshot equal to the last one delivered for the domain
 * tells the caller nothing new, so it is not delivered again.
 */
static bool same_policy(const mempolicy_policy *a, const mempolicy_policy *b)
{
    return a->actor && !strcmp(a->actor, b->actor) &&
           !strcmp(a->actor_params, b->actor_params) &&
           a->has_target == b->has_target && a->target_kb == b->target_kb &&
           a->enforce == b->enforce;
}

static void remember(mempolicy_policy *last, const mempolicy_policy *p)
{
    mempolicy_policy copy = *p;

    copy.actor = strdup(p->actor);
    copy.actor_params = strdup(p->actor_params);
    mempolicy_policy_dispose(last);
    if (copy.actor && copy.actor_params) {
        *last = copy;
    } else {
        /* Without memory, forget: the next snapshot is delivered. */
        free(copy.actor);
        free(copy.actor_params);
    }
}

/* Turn one queue item into an event; 1 if it was filtered out. */
static int make_event(mempolicy_ctx *ctx, const struct qitem *q,
                      mempolicy_event **ev_out)
{
    struct mp_events *e = ctx->ev;
    struct domstate *ds = &e->dom[q->domid];
    mempolicy_event *ev;
    struct snap s;
    bool match;
    int rc;

    if (q->type != MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED) {
        if (!have_gen(e, q->type))
            return 1;
        ev = calloc(1, sizeof(*ev));
        if (!ev)
            return MEMPOLICY_ERROR_NOMEM;
        ev->type = q->type;
        ev->domid = q->domid;
        *ev_out = ev;
        return 0;
    }

    ds->dirty = false;
    if (!e->n_target)
        return 1;
    ev = calloc(1, sizeof(*ev));
    if (!ev)
        return MEMPOLICY_ERROR_NOMEM;
    s.domid = q->domid;
    s.p = &ev->policy;
    s.exists = s.any = false;
    rc = mp_transaction(ctx, snap_tx, &s);
    if (rc) {
        /* The reads may have succeeded and the commit failed (the store
         * went away in between): what they read is ours to free. */
        mempolicy_policy_dispose(&ev->policy);
        free(ev);
        return rc;
    }
    if (!s.exists) {
        /* The domain and its policy are gone: DEATH tells of that. */
        free(ds->actor);
        ds->actor = NULL;
        ds->has_policy = false;
        mempolicy_policy_dispose(&ds->last);
        mempolicy_policy_dispose(&ev->policy);
        free(ev);
        return 1;
    }
    ds->has_policy = s.any;
    match = filter_match(e, ds->actor, ev->policy.actor);
    if (!ds->actor || strcmp(ds->actor, ev->policy.actor)) {
        char *copy = strdup(ev->policy.actor);

        if (copy) {
            free(ds->actor);
            ds->actor = copy;
        }
    }
    if (!match || same_policy(&ds->last, &ev->policy)) {
        mempolicy_policy_dispose(&ev->policy);
        free(ev);
        return 1;
    }
    remember(&ds->last, &ev->policy);
    ev->type = q->type;
    ev->domid = q->domid;
    *ev_out = ev;
    return 0;
}

int mempolicy_event_get(mempolicy_ctx *ctx, mempolicy_event **ev_out)
{
    struct mp_events *e = ctx->ev;
    int rc;

    if (!ev_out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no event out pointer");
    *ev_out = NULL;
    if (!e)
        return MEMPOLICY_ERROR_NOT_READY;
again:
    rc = drain_watches(ctx);
    if (rc)
        return gone_or(ctx, rc);
    while (e->head) {
        struct qitem *q = e->head;

        rc = make_event(ctx, q, ev_out);
        if (rc == MEMPOLICY_ERROR_FAIL) {
            /* Malformed policy nodes: skip this change rather than
             * wedge the queue; the next valid change is delivered. */
            mp_log(ctx, XTL_WARN, "domain %u: policy change skipped: %s",
                   q->domid, ctx->err);
            rc = 1;
        }
        if (rc < 0) {
            /* Leave the item queued: a later get retries it. */
            if (q->type == MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED)
                e->dom[q->domid].dirty = true;
            return gone_or(ctx, rc);
        }
        e->head = q->next;
        if (!e->head)
            e->tail = NULL;
        free(q);
        if (rc == 0) {
            queue_signal(e);
            return 0;
        }
    }
    /* The queue is empty: a clock change read behind it counts now, and
     * what came after it is read (nothing may wake us for it again). */
    if (e->clock_pending)
        goto again;
    queue_signal(e);
    return MEMPOLICY_ERROR_NOT_READY;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mempolicy_event_wait(mempolicy_ctx *ctx, mempolicy_event **ev_out,
                         int timeout_ms)
{
    int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
    int fd = mempolicy_event_fd(ctx);

    if (fd < 0)
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "no memory for events");
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int rc = mempolicy_event_get(ctx, ev_out);
        int left = -1;

        if (rc != MEMPOLICY_ERROR_NOT_READY)
            return rc;
        if (timeout_ms >= 0) {
            int64_t l = deadline - now_ms();

            if (l <= 0)
                return MEMPOLICY_ERROR_NOT_READY;
            left = l > 1000000000 ? 1000000000 : (int)l;
        }
        rc = poll(&pfd, 1, left);
        if (rc < 0 && errno != EINTR)
            return mp_err(ctx, MEMPOLICY_ERROR_FAIL, "poll: %s",
                          strerror(errno));
    }
}

void mempolicy_event_free(mempolicy_ctx *ctx, mempolicy_event *ev)
{
    if (!ev)
        return;
    mempolicy_policy_dispose(&ev->policy);
    free(ev);
}
