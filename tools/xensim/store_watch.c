/*
 * store_watch.c: xenstore watches, as xenstored_watch.c (Xen 4.17).
 *
 *  - Watches are indexed by the path they watch, so an event for /a/b/c
 *    looks up "/a/b/c", "/a/b", "/a" and "/" only: the work per event is
 *    proportional to the depth of the path and the watches that match,
 *    never to the number of clients.
 *  - In-process watchers (the hypervisor model) get their events from
 *    the loop, never from inside the store call that caused them, so a
 *    callback may use the store freely.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ht.h"
#include "loop.h"
#include "store_priv.h"

static void pend_flush(struct loop *l, struct loop_timer *t, void *arg);

static void queue_inproc(struct store *s, struct watch *w, const char *path)
{
    struct pending *p = calloc(1, sizeof(*p));

    if (!p)
        return;
    p->w = w;
    p->path = strdup(path);
    if (!p->path) {
        free(p);
        return;
    }
    if (s->pend_tail)
        s->pend_tail->next = p;
    else
        s->pend_head = p;
    s->pend_tail = p;
    if (!s->pend_timer && s->loop)
        s->pend_timer = loop_timer_add(s->loop, 0, pend_flush, s);
}

static void pend_flush(struct loop *l, struct loop_timer *t, void *arg)
{
    struct store *s = arg;
    struct pending *p;

    (void)l;
    (void)t;
    s->pend_timer = NULL;
    /*
     * Deliver this batch only: events the callbacks cause go to a new
     * batch on the next round, so a watcher that writes what it watches
     * cannot keep the loop here.
     */
    s->flushing = s->pend_head;
    s->pend_head = s->pend_tail = NULL;
    while ((p = s->flushing)) {
        s->flushing = p->next;
        if (p->w)
            p->w->fn(p->w->arg, p->path, p->w->token);
        free(p->path);
        free(p);
    }
}

void watch_pending_free(struct store *s)
{
    while (s->pend_head) {
        struct pending *p = s->pend_head;

        s->pend_head = p->next;
        free(p->path);
        free(p);
    }
    if (s->pend_timer)
        loop_timer_cancel(s->loop, s->pend_timer);
    s->pend_timer = NULL;
}

static void deliver(struct store *s, struct watch *w, const char *path)
{
    const char *rep = path;

    if (w->relative) {
        size_t pl = strlen(w->c->dompath);

        if (!strncmp(path, w->c->dompath, pl)) {
            rep = path + pl;
            if (*rep == '/')
                rep++;
        }
    }
    if (w->c == s->internal)
        queue_inproc(s, w, rep);
    else
        w->fn(w->arg, rep, w->token);
}

/* xenstored's watch_permitted(). */
static bool watch_permitted(struct store *s, unsigned domid,
                            const char *path, const struct rec *node,
                            const struct xs_permissions *oldp, unsigned oldn)
{
    const struct rec *parent;
    char *pp;

    if (!domid_unprivileged(domid))
        return true;
    if (oldp && (perm_for(domid, oldp, oldn) & XS_PERM_READ))
        return true;
    if (!node)
        node = ht_get(s->db, path);
    if (!node)
        return false;
    if (perm_for(domid, node->perms, node->nperms) & XS_PERM_READ)
        return true;
    pp = parent_of(path);
    if (!pp)
        return false;
    parent = ht_get(s->db, pp);
    free(pp);
    return parent &&
           (perm_for(domid, parent->perms, parent->nperms) & XS_PERM_READ);
}

static struct watch *wl_head(struct store *s, const char *path)
{
    struct wlist *l = ht_get(s->windex, path);

    return l ? l->head : NULL;
}

static void fire_list(struct store *s, struct watch *w, const char *path,
                      const struct rec *node,
                      const struct xs_permissions *oldp, unsigned oldn)
{
    int sp = path[0] == '@' ? special_idx(path) : -1;

    for (; w; w = w->inext) {
        if (sp >= 0) {
            if (!(perm_for(w->c->domid, s->special_perms[sp],
                           s->special_n[sp]) & XS_PERM_READ))
                continue;
        } else if (!watch_permitted(s, w->c->domid, path, node, oldp,
                                    oldn)) {
            continue;
        }
        deliver(s, w, path);
    }
}

/*
 * Fire the watches on `path` (exact) or on it and its ancestors.  Inside
 * a transaction the event is only noted and fires at commit.
 */
void fire(struct op *o, const char *path, const struct rec *node,
          bool exact, const struct xs_permissions *oldp, unsigned oldn)
{
    struct store *s = o->s;
    char *p;
    size_t len;

    if (o->t) {
        tx_note_fire(o->t, path, exact);
        return;
    }
    fire_list(s, wl_head(s, path), path, node, oldp, oldn);
    if (exact || path[0] == '@' || !strcmp(path, "/"))
        return;
    /* Ancestors, then "/". */
    p = strdup(path);
    if (!p)
        return;
    for (len = strlen(p); len > 1; ) {
        char *slash = strrchr(p, '/');

        if (slash == p)
            break;
        *slash = '\0';
        len = slash - p;
        fire_list(s, wl_head(s, p), path, node, oldp, oldn);
    }
    free(p);
    fire_list(s, wl_head(s, "/"), path, node, oldp, oldn);
}

void fire_special(struct store *s, const char *name)
{
    fire_list(s, wl_head(s, name), name, NULL, NULL, 0);
}

void watch_unlink(struct store *s, struct watch *w)
{
    struct pending *p;
    struct wlist *l = ht_get(s->windex, w->path);

    assert(l);
    if (w->iprev)
        w->iprev->inext = w->inext;
    else
        l->head = w->inext;
    if (w->inext)
        w->inext->iprev = w->iprev;
    else
        l->tail = w->iprev;
    if (!l->head)
        free(ht_del(s->windex, w->path));
    if (w->cprev)
        w->cprev->cnext = w->cnext;
    else
        w->c->watches = w->cnext;
    if (w->cnext)
        w->cnext->cprev = w->cprev;
    for (p = s->pend_head; p; p = p->next)
        if (p->w == w)
            p->w = NULL;
    for (p = s->flushing; p; p = p->next)
        if (p->w == w)
            p->w = NULL;
    domain_watch_add(s, w->c->domid, -1);
    free(w->path);
    free(w->token);
    free(w);
}

int xsc_watch(struct xs_client *c, const char *path, const char *token,
              xsc_event_fn *fn, void *arg, char **initial)
{
    struct store *s = c->s;
    struct op o;
    struct watch *w;
    struct wlist *l;
    char *name;
    bool relative = false;
    int err;

    op_init(&o, s, c, c->domid);
    if (path[0] == '@') {
        if (strlen(path) > XSQ_PATH_LEN)
            return EINVAL;
        name = strdup(path);
    } else {
        relative = path[0] != '/';
        name = canonical(&o, path);
        if (name && !valid_path(name)) {
            free(name);
            return EINVAL;
        }
    }
    if (!name)
        return ENOMEM;
    for (w = c->watches; w; w = w->cnext)
        if (!strcmp(w->path, name) && !strcmp(w->token, token)) {
            free(name);
            return EEXIST;
        }
    err = domain_watch_check(s, c->domid);
    if (err) {
        free(name);
        return err;
    }
    w = calloc(1, sizeof(*w));
    if (!w || !(w->token = strdup(token)) ||
        (initial && !(*initial = strdup(path)))) {
        if (w)
            free(w->token);
        free(w);
        free(name);
        return ENOMEM;
    }
    w->c = c;
    w->path = name;
    w->relative = relative;
    w->fn = fn;
    w->arg = arg;
    l = ht_get(s->windex, name);
    if (!l) {
        l = calloc(1, sizeof(*l));
        if (!l || ht_put(s->windex, name, l, NULL)) {
            free(l);
            if (initial)
                free(*initial);
            free(w->token);
            free(w->path);
            free(w);
            return ENOMEM;
        }
    }
    w->iprev = l->tail;
    if (l->tail)
        l->tail->inext = w;
    else
        l->head = w;
    l->tail = w;
    w->cnext = c->watches;
    if (c->watches)
        c->watches->cprev = w;
    c->watches = w;
    domain_watch_add(s, c->domid, +1);
    return 0;
}

int xsc_unwatch(struct xs_client *c, const char *path, const char *token)
{
    struct op o;
    struct watch *w;
    char *name;

    op_init(&o, c->s, c, c->domid);
    name = canonical(&o, path);
    if (!name)
        return ENOMEM;
    for (w = c->watches; w; w = w->cnext)
        if (!strcmp(w->path, name) && !strcmp(w->token, token))
            break;
    free(name);
    if (!w)
        return ENOENT;
    watch_unlink(c->s, w);
    return 0;
}

int store_watch_add(struct store *s, const char *path, const char *token,
                    store_watch_fn *fn, void *arg)
{
    char *initial = NULL;
    struct watch *w;
    int err = xsc_watch(s->internal, path, token, fn, arg, &initial);

    if (err)
        return err;
    w = s->internal->watches; /* the one just added */
    queue_inproc(s, w, initial);
    free(initial);
    return 0;
}

void store_watch_remove(struct store *s, const char *path,
                        const char *token)
{
    xsc_unwatch(s->internal, path, token);
}
