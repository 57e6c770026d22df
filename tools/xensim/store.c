/*
 * store.c: xensim's xenstore database with xenstored's semantics.
 *
 * The layout follows xenstored (tools/xenstore, Xen 4.17) on purpose, so
 * that its rules carry over one to one:
 *
 *  - The database maps a full path to a record (value, permissions, the
 *    children's names back to back, a generation count), exactly like
 *    xenstored's TDB records.  DIRECTORY replies are the children field
 *    as stored, and the entry-size quota counts the same bytes.
 *  - Every read and write goes through node_get/node_put/node_del.  In a
 *    transaction these work on a private copy of each node touched (the
 *    "accessed" list), remembering the generation seen at first access.
 *    Commit fails with EAGAIN if any node read in the transaction has a
 *    different generation in the database by then (created, changed or
 *    removed outside), which is xenstored's conflict rule; otherwise the
 *    modified copies replace the database nodes and the watch events
 *    queued during the transaction fire.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ht.h"
#include "loop.h"
#include "store.h"
#include "store_int.h"

#define NO_GEN (~(uint64_t)0)
/* Size of xenstored's TDB record header, counted by the entry quota. */
#define REC_HDR_SIZE 24

struct rec {
    char *val;
    unsigned len;
    struct xs_permissions *perms;
    unsigned nperms;
    char *children; /* names, each NUL-terminated, back to back */
    unsigned childlen;
    uint64_t gen;
};

struct domain {
    unsigned domid;
    bool introduced;
    int nbentry;  /* nodes owned in the database */
    int nbwatch;  /* watches of all its connections */
};

struct watch {
    struct watch *inext, *iprev; /* same watched path (index) */
    struct watch *cnext, *cprev; /* same client */
    struct xs_client *c;
    char *path;      /* canonical */
    char *token;
    bool relative;   /* report paths relative to the domain path */
    xsc_event_fn *fn;
    void *arg;
};

/* The watches on one path, oldest first (xenstored's order). */
struct wlist {
    struct watch *head, *tail;
};

struct acc {
    struct acc *next;
    char *path;
    struct rec *ta;  /* the node as the transaction sees it; NULL: absent */
    uint64_t gen;    /* database generation at first read */
    bool check_gen, modified, fire, exact;
    struct xs_permissions *oldperms; /* database perms at first access */
    unsigned noldperms;
};

struct tx {
    struct tx *next;
    uint32_t id;
    struct ht *acc;
    struct acc *first, *last;
    unsigned nodes;
    bool node_created, fail;
};

struct xs_client {
    struct store *s;
    unsigned domid;
    char dompath[32];     /* "/local/domain/<domid>" */
    struct watch *watches;
    struct tx *txs;
    unsigned ntx;
    uint32_t next_tx;
};

/* An in-process watch event waiting for the loop. */
struct pending {
    struct pending *next;
    struct watch *w;
    char *path;
};

struct store {
    struct loop *loop;
    struct ht *db;
    uint64_t gen;
    struct ht *windex;   /* path -> struct wlist */
    struct ht *domains;  /* "<domid>" -> struct domain */
    struct xs_permissions *special_perms[2];
    unsigned special_n[2];
    struct store_domain_hooks hooks;
    struct store_server_ops srv;
    struct xs_client *internal; /* dom0, for the in-process API */
    struct pending *pend_head, *pend_tail;
    struct pending *flushing;   /* the batch being delivered */
    struct loop_timer *pend_timer;
};

/* The context of one request. */
struct op {
    struct store *s;
    struct xs_client *c; /* NULL for in-process one-shot requests */
    struct tx *t;
    unsigned domid;
    bool priv;
};

static const char *const special_names[2] = {
    "@introduceDomain", "@releaseDomain"
};

/* ---------------------------------------------------------------- */
/* records and domains                                               */

static void rec_free(void *p)
{
    struct rec *r = p;

    if (!r)
        return;
    free(r->val);
    free(r->perms);
    free(r->children);
    free(r);
}

static void *memdup(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);

    if (q && n)
        memcpy(q, p, n);
    return q;
}

static struct rec *rec_dup(const struct rec *o)
{
    struct rec *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->val = memdup(o->val, o->len);
    r->len = o->len;
    r->perms = memdup(o->perms, o->nperms * sizeof(*o->perms));
    r->nperms = o->nperms;
    r->children = memdup(o->children, o->childlen);
    r->childlen = o->childlen;
    r->gen = o->gen;
    if (!r->val || !r->perms || !r->children) {
        rec_free(r);
        return NULL;
    }
    return r;
}

static unsigned rec_size(const struct rec *r)
{
    return REC_HDR_SIZE + r->nperms * 8 + r->len + r->childlen;
}

static struct domain *domain_get(struct store *s, unsigned domid,
                                 bool create)
{
    char key[16];
    struct domain *d;

    snprintf(key, sizeof(key), "%u", domid);
    d = ht_get(s->domains, key);
    if (d || !create)
        return d;
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    if (ht_put(s->domains, key, d, NULL)) {
        free(d);
        return NULL;
    }
    return d;
}

static void account(struct store *s, const struct rec *r, int delta)
{
    struct domain *d;

    if (!r)
        return;
    d = domain_get(s, r->perms[0].id, true);
    if (d)
        d->nbentry += delta;
}

static bool domid_unprivileged(unsigned domid)
{
    return domid != 0;
}

/* xenstored's perm_for_conn(). */
static unsigned perm_for(unsigned domid, const struct xs_permissions *p,
                         unsigned n)
{
    unsigned i;
    const unsigned all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

    if (!domid_unprivileged(domid) || p[0].id == domid)
        return all;
    for (i = 1; i < n; i++)
        if (!(p[i].perms & XS_PERM_IGNORE) && p[i].id == domid)
            return p[i].perms & all;
    return p[0].perms & all;
}

/* ---------------------------------------------------------------- */
/* paths                                                             */

static bool valid_chars(const char *p)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "abcdefghijklmnopqrstuvwxyz"
                             "0123456789-/_@";

    return p[strspn(p, ok)] == '\0';
}

/* xenstored's is_valid_nodename(). */
static bool valid_path(const char *p)
{
    size_t len = strlen(p), local_off = 0;
    unsigned domid;
    int off = 0;

    if (p[0] != '/')
        return false;
    if (len > 1 && p[len - 1] == '/')
        return false;
    if (strstr(p, "//"))
        return false;
    if (sscanf(p, "/local/domain/%5u/%n", &domid, &off) == 1 && off > 0)
        local_off = off;
    if (len > local_off + XSQ_PATH_LEN)
        return false;
    return valid_chars(p);
}

/* Resolve a relative path against the domain path; malloc'd. */
static char *canonical(const struct op *o, const char *path)
{
    char *r;

    if (path[0] == '/' || path[0] == '@')
        return strdup(path);
    if (asprintf(&r, "/local/domain/%u/%s", o->domid, path) < 0)
        return NULL;
    return r;
}

static char *parent_of(const char *path)
{
    const char *slash = strrchr(path + 1, '/');

    if (!slash)
        return strdup("/");
    return strndup(path, slash - path);
}

static const char *base_of(const char *path)
{
    return strrchr(path, '/') + 1;
}

/* ---------------------------------------------------------------- */
/* node access, in or out of a transaction                           */

static void acc_free(struct acc *a)
{
    rec_free(a->ta);
    free(a->oldperms);
    free(a->path);
    free(a);
}

static struct acc *acc_get(struct op *o, const char *path, bool read,
                           int *err)
{
    struct tx *t = o->t;
    struct acc *a = ht_get(t->acc, path);
    const struct rec *m;

    if (a)
        return a;
    if (t->nodes >= XSQ_TRANS_NODES && !o->priv) {
        t->fail = true;
        *err = ENOSPC;
        return NULL;
    }
    a = calloc(1, sizeof(*a));
    if (!a)
        goto nomem;
    a->path = strdup(path);
    m = ht_get(o->s->db, path);
    if (m) {
        a->oldperms = memdup(m->perms, m->nperms * sizeof(*m->perms));
        a->noldperms = m->nperms;
        a->ta = rec_dup(m);
        if (!a->oldperms || !a->ta)
            goto nomem;
    }
    if (!a->path || ht_put(t->acc, path, a, NULL))
        goto nomem;
    if (read) {
        a->gen = m ? m->gen : NO_GEN;
        a->check_gen = true;
    }
    if (t->last)
        t->last->next = a;
    else
        t->first = a;
    t->last = a;
    t->nodes++;
    return a;

nomem:
    if (a)
        acc_free(a);
    t->fail = true;
    *err = ENOMEM;
    return NULL;
}

/* Returns 0 with *r (owned by the store), ENOENT, or a quota error. */
static int node_get(struct op *o, const char *path, const struct rec **r)
{
    struct acc *a;
    int err = 0;

    if (!o->t) {
        *r = ht_get(o->s->db, path);
        return *r ? 0 : ENOENT;
    }
    a = acc_get(o, path, true, &err);
    if (!a)
        return err;
    *r = a->ta;
    return a->ta ? 0 : ENOENT;
}

/* Takes ownership of r. */
static int node_put(struct op *o, const char *path, struct rec *r)
{
    struct acc *a;
    void *old = NULL;
    int err = 0;

    r->gen = ++o->s->gen;
    if (!o->t) {
        if (ht_put(o->s->db, path, r, &old)) {
            rec_free(r);
            return ENOMEM;
        }
        account(o->s, old, -1);
        account(o->s, r, +1);
        rec_free(old);
        return 0;
    }
    a = acc_get(o, path, false, &err);
    if (!a) {
        rec_free(r);
        return err;
    }
    rec_free(a->ta);
    a->ta = r;
    a->modified = true;
    return 0;
}

static int node_del(struct op *o, const char *path)
{
    struct acc *a;
    struct rec *old;
    int err = 0;

    o->s->gen++;
    if (!o->t) {
        old = ht_del(o->s->db, path);
        account(o->s, old, -1);
        rec_free(old);
        return 0;
    }
    a = acc_get(o, path, false, &err);
    if (!a)
        return err;
    rec_free(a->ta);
    a->ta = NULL;
    a->modified = true;
    return 0;
}

/* ---------------------------------------------------------------- */
/* watches                                                           */

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

static int special_idx(const char *name)
{
    if (!strcmp(name, special_names[0]))
        return 0;
    if (!strcmp(name, special_names[1]))
        return 1;
    return -1;
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
static void fire(struct op *o, const char *path, const struct rec *node,
                 bool exact, const struct xs_permissions *oldp,
                 unsigned oldn)
{
    struct store *s = o->s;
    char *p;
    size_t len;

    if (o->t) {
        struct acc *a = ht_get(o->t->acc, path);

        if (!a) {
            o->t->fail = true;
            return;
        }
        if (!a->fire) {
            a->fire = true;
            a->exact = exact;
        } else if (!exact) {
            a->exact = false;
        }
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

static void fire_special(struct store *s, const char *name)
{
    fire_list(s, wl_head(s, name), name, NULL, NULL, 0);
}

static void watch_unlink(struct store *s, struct watch *w)
{
    struct pending *p;
    struct domain *d;

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
    d = domain_get(s, w->c->domid, false);
    if (d && d->nbwatch > 0)
        d->nbwatch--;
    free(w->path);
    free(w->token);
    free(w);
}

/* ---------------------------------------------------------------- */
/* requests                                                          */

static void op_init(struct op *o, struct store *s, struct xs_client *c,
                    unsigned domid)
{
    memset(o, 0, sizeof(*o));
    o->s = s;
    o->c = c;
    o->domid = domid;
    o->priv = !domid_unprivileged(domid);
}

static int op_tx(struct op *o, uint32_t tx)
{
    struct tx *t;

    if (!tx)
        return 0;
    if (!o->c)
        return ENOENT;
    for (t = o->c->txs; t; t = t->next)
        if (t->id == tx) {
            o->t = t;
            return 0;
        }
    return ENOENT;
}

/* xenstored's errno_from_parents(): hide whether a node exists. */
static int errno_from_parents(struct op *o, const char *path, int err,
                              unsigned perm)
{
    const struct rec *r = NULL;
    char *p = strdup(path);
    int e;

    if (err == ENOMEM || err == ENOSPC)
        goto out;
    while (p && strcmp(p, "/")) {
        char *q = parent_of(p);

        free(p);
        p = q;
        if (!p)
            break;
        e = node_get(o, p, &r);
        if (!e)
            break;
        if (e != ENOENT) {
            err = e;
            goto out;
        }
    }
    if (!p) {
        err = ENOMEM;
        goto out;
    }
    if (!r || !(perm_for(o->domid, r->perms, r->nperms) & perm))
        err = EACCES;
out:
    free(p);
    return err;
}

/*
 * xenstored's get_node(): canonicalize and validate `in`, return the node
 * if the requester has `perm` on it.  *name receives the canonical path
 * (also on ENOENT) and must be freed by the caller.
 */
static int get_node(struct op *o, const char *in, char **name,
                    unsigned perm, const struct rec **r)
{
    int err;

    *name = NULL;
    *r = NULL;
    if (!in)
        return EINVAL;
    *name = canonical(o, in);
    if (!*name)
        return ENOMEM;
    if (!valid_path(*name))
        return EINVAL;
    err = node_get(o, *name, r);
    if (!err && (perm_for(o->domid, (*r)->perms, (*r)->nperms) & perm) !=
                    perm) {
        err = EACCES;
        *r = NULL;
    }
    if (err)
        err = errno_from_parents(o, *name, err, perm);
    return err;
}

static int do_read(struct op *o, const char *path, char **val,
                   unsigned *len)
{
    const struct rec *r;
    char *name;
    int err = get_node(o, path, &name, XS_PERM_READ, &r);

    free(name);
    if (err)
        return err;
    *val = malloc(r->len + 1);
    if (!*val)
        return ENOMEM;
    memcpy(*val, r->val, r->len);
    (*val)[r->len] = '\0';
    *len = r->len;
    return 0;
}

static int add_child(struct rec *parent, const char *base)
{
    size_t bl = strlen(base) + 1;
    char *c = realloc(parent->children, parent->childlen + bl);

    if (!c)
        return ENOMEM;
    memcpy(c + parent->childlen, base, bl);
    parent->children = c;
    parent->childlen += bl;
    return 0;
}

static void del_child(struct rec *parent, const char *base)
{
    unsigned i, l;

    for (i = 0; i < parent->childlen; i += l) {
        l = strlen(parent->children + i) + 1;
        if (!strcmp(parent->children + i, base)) {
            memmove(parent->children + i, parent->children + i + l,
                    parent->childlen - i - l);
            parent->childlen -= l;
            return;
        }
    }
}

static struct rec *rec_new(const struct xs_permissions *perms,
                           unsigned nperms, const char *val, unsigned len)
{
    struct rec *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->val = memdup(val, len);
    r->len = len;
    r->perms = memdup(perms, nperms * sizeof(*perms));
    r->nperms = nperms;
    r->children = malloc(1);
    if (!r->val || !r->perms || !r->children) {
        rec_free(r);
        return NULL;
    }
    return r;
}

/*
 * xenstored's create_node(): make `name` and any missing ancestors,
 * inheriting the permissions of the nearest existing ancestor; an
 * unprivileged domain owns what it creates.  All quota checks happen
 * before anything changes, so a refused request leaves no trace.
 */
static int create_node(struct op *o, const char *name, const char *val,
                       unsigned len)
{
    const struct rec *anc = NULL;
    struct rec *parent = NULL, **nodes = NULL;
    char **names = NULL, *p;
    unsigned levels = 0, i;
    int err = 0;
    struct domain *d;

    /* Walk up to the nearest existing node. */
    p = strdup(name);
    while (p) {
        char **nn = realloc(names, (levels + 1) * sizeof(*names));

        if (!nn) {
            free(p);
            p = NULL;
            break;
        }
        names = nn;
        names[levels++] = p;
        p = parent_of(p);
        if (!p)
            break;
        err = node_get(o, p, &anc);
        if (!err)
            break;
        if (err != ENOENT || !strcmp(p, "/"))
            goto out;
    }
    if (!p) {
        err = ENOMEM;
        goto out;
    }

    /* Quotas: nodes per domain, then entry sizes. */
    if (!o->priv) {
        d = domain_get(o->s, o->domid, true);
        if (d && (o->t ? d->nbentry >= XSQ_NODES_PER_DOMAIN
                       : d->nbentry + (int)levels > XSQ_NODES_PER_DOMAIN)) {
            err = ENOSPC;
            goto out;
        }
    }
    nodes = calloc(levels, sizeof(*nodes));
    parent = rec_dup(anc);
    if (!nodes || !parent) {
        err = ENOMEM;
        goto out;
    }
    if (add_child(parent, base_of(names[levels - 1]))) {
        err = ENOMEM;
        goto out;
    }
    for (i = levels; i-- > 0; ) {
        bool leaf = i == 0;

        nodes[i] = rec_new(anc->perms, anc->nperms, leaf ? val : "",
                           leaf ? len : 0);
        if (!nodes[i]) {
            err = ENOMEM;
            goto out;
        }
        if (!o->priv)
            nodes[i]->perms[0].id = o->domid;
        if (i > 0 && add_child(nodes[i], base_of(names[i - 1]))) {
            err = ENOMEM;
            goto out;
        }
        if (!o->priv && rec_size(nodes[i]) >= XSQ_ENTRY_SIZE) {
            err = ENOSPC;
            goto out;
        }
    }
    if (!o->priv && rec_size(parent) >= XSQ_ENTRY_SIZE) {
        err = ENOSPC;
        goto out;
    }

    /* Commit the change: bottom up, as xenstored writes. */
    if (o->t)
        o->t->node_created = true;
    for (i = 0; i < levels; i++) {
        err = node_put(o, names[i], nodes[i]);
        nodes[i] = NULL;
        if (err)
            goto out;
    }
    err = node_put(o, p, parent);
    parent = NULL;

out:
    if (nodes)
        for (i = 0; i < levels; i++)
            rec_free(nodes[i]);
    free(nodes);
    rec_free(parent);
    for (i = 0; i < levels; i++)
        free(names[i]);
    free(names);
    free(p);
    return err;
}

static int do_write(struct op *o, const char *path, const char *val,
                    unsigned len)
{
    const struct rec *r;
    struct rec *n;
    char *name;
    int err = get_node(o, path, &name, XS_PERM_WRITE, &r);

    if (err == ENOENT) {
        err = create_node(o, name, val, len);
    } else if (!err) {
        n = rec_dup(r);
        if (!n) {
            err = ENOMEM;
            goto out;
        }
        free(n->val);
        n->val = memdup(val, len);
        n->len = len;
        if (!n->val) {
            rec_free(n);
            err = ENOMEM;
            goto out;
        }
        if (!o->priv && rec_size(n) >= XSQ_ENTRY_SIZE) {
            rec_free(n);
            err = ENOSPC;
            goto out;
        }
        err = node_put(o, name, n);
    }
    if (!err)
        fire(o, name, NULL, false, NULL, 0);
out:
    free(name);
    return err;
}

static int do_mkdir(struct op *o, const char *path)
{
    const struct rec *r;
    char *name;
    int err = get_node(o, path, &name, XS_PERM_WRITE, &r);

    if (err == ENOENT) {
        err = create_node(o, name, "", 0);
        if (!err)
            fire(o, name, NULL, false, NULL, 0);
    }
    free(name);
    return err;
}

/* Remove `name` and its subtree, children first, firing as xenstored. */
static int rm_tree(struct op *o, const char *name, const char *root)
{
    const struct rec *r;
    struct rec *copy;
    unsigned i, l;
    int err = node_get(o, name, &r);

    if (err == ENOENT)
        return 0;
    if (err)
        return err;
    copy = rec_dup(r); /* r may go away while the children are removed */
    if (!copy)
        return ENOMEM;
    for (i = 0; i < copy->childlen; i += l) {
        char *child;

        l = strlen(copy->children + i) + 1;
        if (asprintf(&child, "%s/%s", strcmp(name, "/") ? name : "",
                     copy->children + i) < 0) {
            err = ENOMEM;
            break;
        }
        err = rm_tree(o, child, root);
        free(child);
        if (err)
            break;
    }
    if (!err)
        err = node_del(o, name);
    if (!err)
        fire(o, name, copy, strcmp(name, root) != 0, NULL, 0);
    rec_free(copy);
    return err;
}

static int do_rm(struct op *o, const char *path)
{
    const struct rec *r, *pr;
    struct rec *parent;
    char *name, *pname = NULL;
    int err = get_node(o, path, &name, XS_PERM_WRITE, &r);

    if (err == ENOENT) {
        /* Didn't exist already?  Fine, if the parent exists. */
        pname = parent_of(name);
        if (!pname)
            err = ENOMEM;
        else if (!node_get(o, pname, &pr))
            err = 0;
        goto out;
    }
    if (err)
        goto out;
    if (!strcmp(name, "/")) {
        err = EINVAL;
        goto out;
    }
    pname = parent_of(name);
    if (!pname) {
        err = ENOMEM;
        goto out;
    }
    err = node_get(o, pname, &pr);
    if (err) {
        err = EINVAL;
        goto out;
    }
    parent = rec_dup(pr);
    if (!parent) {
        err = ENOMEM;
        goto out;
    }
    err = rm_tree(o, name, name);
    if (err) {
        rec_free(parent);
        goto out;
    }
    del_child(parent, base_of(name));
    err = node_put(o, pname, parent);
out:
    free(pname);
    free(name);
    return err;
}

static int do_directory(struct op *o, const char *path, char **children,
                        unsigned *len, uint64_t *gen)
{
    const struct rec *r;
    char *name;
    int err = get_node(o, path, &name, XS_PERM_READ, &r);

    free(name);
    if (err)
        return err;
    *children = memdup(r->children, r->childlen);
    if (!*children)
        return ENOMEM;
    *len = r->childlen;
    if (gen)
        *gen = r->gen;
    return 0;
}

static int do_get_perms(struct op *o, const char *path,
                        struct xs_permissions **perms, unsigned *n)
{
    const struct rec *r;
    char *name;
    int err = get_node(o, path, &name, XS_PERM_READ, &r);

    free(name);
    if (err)
        return err;
    *perms = memdup(r->perms, r->nperms * sizeof(*r->perms));
    if (!*perms)
        return ENOMEM;
    *n = r->nperms;
    return 0;
}

static int do_set_perms(struct op *o, const char *path,
                        const struct xs_permissions *perms, unsigned n)
{
    const struct rec *r;
    struct rec *nr;
    struct xs_permissions *old;
    unsigned nold;
    char *name;
    int err, sp;

    if (!path || n < 1)
        return EINVAL;
    if (!o->priv && n > XSQ_PERMS_PER_NODE)
        return ENOSPC;
    if (path[0] == '@') {
        sp = special_idx(path);
        if (sp < 0)
            return EINVAL;
        if ((perm_for(o->domid, o->s->special_perms[sp],
                      o->s->special_n[sp]) &
             (XS_PERM_WRITE | XS_PERM_OWNER)) !=
            (XS_PERM_WRITE | XS_PERM_OWNER))
            return EACCES;
        old = memdup(perms, n * sizeof(*perms));
        if (!old)
            return ENOMEM;
        free(o->s->special_perms[sp]);
        o->s->special_perms[sp] = old;
        o->s->special_n[sp] = n;
        return 0;
    }
    err = get_node(o, path, &name, XS_PERM_WRITE | XS_PERM_OWNER, &r);
    if (err)
        goto out;
    /* Unprivileged domains may not change the owner. */
    if (!o->priv && perms[0].id != r->perms[0].id) {
        err = EPERM;
        goto out;
    }
    nr = rec_dup(r);
    old = memdup(r->perms, r->nperms * sizeof(*r->perms));
    nold = r->nperms;
    if (!nr || !old) {
        rec_free(nr);
        free(old);
        err = ENOMEM;
        goto out;
    }
    free(nr->perms);
    nr->perms = memdup(perms, n * sizeof(*perms));
    nr->nperms = n;
    if (!nr->perms) {
        rec_free(nr);
        free(old);
        err = ENOMEM;
        goto out;
    }
    if (!o->priv && rec_size(nr) >= XSQ_ENTRY_SIZE) {
        rec_free(nr);
        free(old);
        err = ENOSPC;
        goto out;
    }
    err = node_put(o, name, nr);
    if (!err)
        fire(o, name, NULL, false, old, nold);
    free(old);
out:
    free(name);
    return err;
}

/* ---------------------------------------------------------------- */
/* transactions                                                      */

static void tx_free(struct tx *t)
{
    struct acc *a = t->first;

    while (a) {
        struct acc *n = a->next;

        acc_free(a);
        a = n;
    }
    ht_free(t->acc, NULL);
    free(t);
}

static void tx_unlink(struct xs_client *c, struct tx *t)
{
    struct tx **pt;

    for (pt = &c->txs; *pt; pt = &(*pt)->next)
        if (*pt == t) {
            *pt = t->next;
            c->ntx--;
            return;
        }
    assert(!"transaction not on its client");
}

static int tx_commit(struct store *s, struct xs_client *c, struct tx *t)
{
    struct op o;
    struct acc *a;
    struct domain *d;
    int delta = 0;

    if (t->fail)
        return ENOMEM;
    /* xenstored's conflict rule. */
    for (a = t->first; a; a = a->next) {
        const struct rec *m = ht_get(s->db, a->path);

        if (a->check_gen && a->gen != (m ? m->gen : NO_GEN))
            return EAGAIN;
        if (a->modified) {
            delta += a->ta && a->ta->perms[0].id == c->domid;
            delta -= m && m->perms[0].id == c->domid;
        }
    }
    if (t->node_created && domid_unprivileged(c->domid)) {
        d = domain_get(s, c->domid, true);
        if (d && d->nbentry + delta >= XSQ_NODES_PER_DOMAIN)
            return ENOSPC;
    }
    op_init(&o, s, c, c->domid);
    for (a = t->first; a; a = a->next) {
        if (!a->modified)
            continue;
        if (a->ta) {
            node_put(&o, a->path, a->ta); /* owns (or frees) it now */
            a->ta = NULL;
        } else {
            node_del(&o, a->path);
        }
    }
    for (a = t->first; a; a = a->next)
        if (a->fire)
            fire(&o, a->path, NULL, a->exact, a->oldperms, a->noldperms);
    return 0;
}

/* ---------------------------------------------------------------- */
/* the store object and domains                                      */

struct store *store_new(struct loop *l)
{
    struct store *s = calloc(1, sizeof(*s));
    struct xs_permissions root = { .id = 0, .perms = XS_PERM_NONE };
    struct op o;
    int i;

    if (!s)
        return NULL;
    s->loop = l;
    s->db = ht_new();
    s->windex = ht_new();
    s->domains = ht_new();
    if (!s->db || !s->windex || !s->domains)
        goto fail;
    for (i = 0; i < 2; i++) {
        s->special_perms[i] = memdup(&root, sizeof(root));
        if (!s->special_perms[i])
            goto fail;
        s->special_n[i] = 1;
    }
    /* "/" and "/tool", as xenstored's setup_structure(). */
    op_init(&o, s, NULL, 0);
    if (node_put(&o, "/", rec_new(&root, 1, "", 0)))
        goto fail;
    if (create_node(&o, "/tool", "", 0))
        goto fail;
    domain_get(s, 0, true)->introduced = true;
    s->internal = xsc_new(s, 0);
    if (!s->internal)
        goto fail;
    return s;

fail:
    store_free(s);
    return NULL;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    if (s->internal)
        xsc_free(s->internal);
    while (s->pend_head) {
        struct pending *p = s->pend_head;

        s->pend_head = p->next;
        free(p->path);
        free(p);
    }
    if (s->pend_timer)
        loop_timer_cancel(s->loop, s->pend_timer);
    free(s->special_perms[0]);
    free(s->special_perms[1]);
    ht_free(s->db, rec_free);
    ht_free(s->windex, free);
    ht_free(s->domains, free);
    free(s);
}

void store_set_server_ops(struct store *s, const struct store_server_ops *o)
{
    s->srv = *o;
}

void store_set_domain_hooks(struct store *s,
                            const struct store_domain_hooks *hooks)
{
    s->hooks = *hooks;
}

int store_domain_introduce(struct store *s, unsigned domid)
{
    struct domain *d;
    int err;

    if (domid >= XS_DOMID_SELF)
        return EINVAL;
    if (domid == 0)
        return 0; /* dom0 is always there */
    d = domain_get(s, domid, true);
    if (!d)
        return ENOMEM;
    if (d->introduced)
        return 0;
    if (s->srv.domain_up) {
        err = s->srv.domain_up(s->srv.arg, domid);
        if (err)
            return err;
    }
    d->introduced = true;
    fire_special(s, "@introduceDomain");
    return 0;
}

/* As xenstored: a released domain loses its access to special nodes. */
static void special_forget(struct store *s, unsigned domid)
{
    unsigned sp, i, k;

    for (sp = 0; sp < 2; sp++) {
        struct xs_permissions *p = s->special_perms[sp];

        for (i = k = 1; i < s->special_n[sp]; i++)
            if (p[i].id != domid)
                p[k++] = p[i];
        s->special_n[sp] = k;
    }
}

int store_domain_release(struct store *s, unsigned domid)
{
    struct domain *d;

    if (domid == 0 || domid >= XS_DOMID_SELF)
        return EINVAL;
    d = domain_get(s, domid, false);
    if (!d || !d->introduced)
        return ENOENT;
    d->introduced = false;
    special_forget(s, domid);
    if (s->srv.domain_down)
        s->srv.domain_down(s->srv.arg, domid);
    fire_special(s, "@releaseDomain");
    return 0;
}

bool store_domain_is_introduced(struct store *s, unsigned domid)
{
    struct domain *d;

    if (domid == XS_DOMID_SELF)
        return true;
    d = domain_get(s, domid, false);
    return d && d->introduced;
}

int store_client_introduce(struct store *s, unsigned domid)
{
    bool was = store_domain_is_introduced(s, domid);
    int err = store_domain_introduce(s, domid);

    if (!err && !was && s->hooks.introduced)
        s->hooks.introduced(s->hooks.arg, domid);
    return err;
}

int store_client_release(struct store *s, unsigned domid)
{
    int err = store_domain_release(s, domid);

    if (!err && s->hooks.released)
        s->hooks.released(s->hooks.arg, domid);
    return err;
}

/* ---------------------------------------------------------------- */
/* clients                                                           */

struct xs_client *xsc_new(struct store *s, unsigned domid)
{
    struct xs_client *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->s = s;
    c->domid = domid;
    c->next_tx = 1;
    snprintf(c->dompath, sizeof(c->dompath), "/local/domain/%u", domid);
    return c;
}

void xsc_reset(struct xs_client *c)
{
    while (c->watches)
        watch_unlink(c->s, c->watches);
    while (c->txs) {
        struct tx *t = c->txs;

        tx_unlink(c, t);
        tx_free(t);
    }
}

void xsc_free(struct xs_client *c)
{
    if (!c)
        return;
    xsc_reset(c);
    free(c);
}

unsigned xsc_domid(const struct xs_client *c)
{
    return c->domid;
}

bool xsc_privileged(const struct xs_client *c)
{
    return !domid_unprivileged(c->domid);
}

int xsc_check_tx(struct xs_client *c, uint32_t tx)
{
    struct op o;

    op_init(&o, c->s, c, c->domid);
    return op_tx(&o, tx);
}

#define CLIENT_OP(c, tx, o)                 \
    struct op o;                            \
    int txerr;                              \
    op_init(&o, (c)->s, (c), (c)->domid);   \
    txerr = op_tx(&o, (tx));                \
    if (txerr)                              \
        return txerr

int xsc_read(struct xs_client *c, uint32_t tx, const char *path,
             char **val, unsigned *len)
{
    CLIENT_OP(c, tx, o);
    return do_read(&o, path, val, len);
}

int xsc_write(struct xs_client *c, uint32_t tx, const char *path,
              const char *val, unsigned len)
{
    CLIENT_OP(c, tx, o);
    return do_write(&o, path, val, len);
}

int xsc_mkdir(struct xs_client *c, uint32_t tx, const char *path)
{
    CLIENT_OP(c, tx, o);
    return do_mkdir(&o, path);
}

int xsc_rm(struct xs_client *c, uint32_t tx, const char *path)
{
    CLIENT_OP(c, tx, o);
    return do_rm(&o, path);
}

int xsc_directory(struct xs_client *c, uint32_t tx, const char *path,
                  char **children, unsigned *len, uint64_t *gen)
{
    CLIENT_OP(c, tx, o);
    return do_directory(&o, path, children, len, gen);
}

int xsc_get_perms(struct xs_client *c, uint32_t tx, const char *path,
                  struct xs_permissions **perms, unsigned *n)
{
    CLIENT_OP(c, tx, o);
    return do_get_perms(&o, path, perms, n);
}

int xsc_set_perms(struct xs_client *c, uint32_t tx, const char *path,
                  const struct xs_permissions *perms, unsigned n)
{
    CLIENT_OP(c, tx, o);
    return do_set_perms(&o, path, perms, n);
}

int xsc_watch(struct xs_client *c, const char *path, const char *token,
              xsc_event_fn *fn, void *arg, char **initial)
{
    struct store *s = c->s;
    struct op o;
    struct watch *w;
    struct wlist *l;
    struct domain *d;
    char *name;
    bool relative = false;

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
    d = domain_get(s, c->domid, true);
    if (!d) {
        free(name);
        return ENOMEM;
    }
    if (domid_unprivileged(c->domid) && d->nbwatch > XSQ_WATCHES_PER_DOMAIN) {
        free(name);
        return E2BIG;
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
    d->nbwatch++;
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

int xsc_tx_start(struct xs_client *c, uint32_t tx, uint32_t *id)
{
    struct tx *t, *i;

    if (tx) {
        int err = xsc_check_tx(c, tx);

        /* We don't support nested transactions. */
        return err ? err : EBUSY;
    }
    if (domid_unprivileged(c->domid) && c->ntx > XSQ_TRANSACTIONS)
        return ENOSPC;
    t = calloc(1, sizeof(*t));
    if (!t || !(t->acc = ht_new())) {
        free(t);
        return ENOMEM;
    }
    /* Pick an unused identifier; 0 means "no transaction". */
    do {
        t->id = c->next_tx++;
        for (i = c->txs; i && i->id != t->id; i = i->next)
            ;
    } while (t->id == 0 || i);
    t->next = c->txs;
    c->txs = t;
    c->ntx++;
    *id = t->id;
    return 0;
}

int xsc_tx_end(struct xs_client *c, uint32_t tx, bool commit)
{
    struct op o;
    int err;

    op_init(&o, c->s, c, c->domid);
    if (!tx)
        return ENOENT;
    err = op_tx(&o, tx);
    if (err)
        return err;
    tx_unlink(c, o.t);
    err = commit ? tx_commit(c->s, c, o.t) : 0;
    tx_free(o.t);
    return err;
}

bool xs_perm_parse(const char *s, struct xs_permissions *p)
{
    char *end;
    unsigned long id;

    switch (s[0]) {
    case 'r':
        p->perms = XS_PERM_READ;
        break;
    case 'w':
        p->perms = XS_PERM_WRITE;
        break;
    case 'b':
        p->perms = XS_PERM_READ | XS_PERM_WRITE;
        break;
    case 'n':
        p->perms = XS_PERM_NONE;
        break;
    default:
        return false;
    }
    if (s[1] < '0' || s[1] > '9')
        return false;
    errno = 0;
    id = strtoul(s + 1, &end, 10);
    if (*end || errno || id >= XS_DOMID_SELF)
        return false;
    p->id = id;
    return true;
}

/* ---------------------------------------------------------------- */
/* consistency                                                       */

static bool has_child(const struct rec *parent, const char *base)
{
    unsigned i, n = 0;

    for (i = 0; i < parent->childlen; i += strlen(parent->children + i) + 1)
        n += !strcmp(parent->children + i, base);
    return n == 1;
}

int store_check(struct store *s)
{
    unsigned long pos = 0, dpos = 0;
    const char *path, *dkey;
    void *v, *dv;
    struct ht *count = ht_new();
    int bad = 0;

    if (!count)
        return -1;
    while (ht_next(s->db, &pos, &path, &v)) {
        const struct rec *r = v, *pr;
        unsigned i;
        char key[16], *pp;
        int *n;

        if (!r->nperms) {
            fprintf(stderr, "xensim: store: %s has no permissions\n", path);
            bad++;
            continue;
        }
        snprintf(key, sizeof(key), "%u", r->perms[0].id);
        n = ht_get(count, key);
        if (!n && (n = calloc(1, sizeof(*n))) && ht_put(count, key, n, NULL)) {
            free(n);
            n = NULL;
        }
        if (n)
            (*n)++;
        for (i = 0; i < r->childlen; i += strlen(r->children + i) + 1) {
            char *cp;

            if (asprintf(&cp, "%s/%s", strcmp(path, "/") ? path : "",
                         r->children + i) < 0)
                continue;
            if (!ht_get(s->db, cp)) {
                fprintf(stderr, "xensim: store: %s lists missing child %s\n",
                        path, cp);
                bad++;
            }
            free(cp);
        }
        if (!strcmp(path, "/"))
            continue;
        pp = parent_of(path);
        pr = pp ? ht_get(s->db, pp) : NULL;
        if (!pr || !has_child(pr, base_of(path))) {
            fprintf(stderr, "xensim: store: %s is not listed once by its "
                    "parent\n", path);
            bad++;
        }
        free(pp);
    }
    while (ht_next(s->domains, &dpos, &dkey, &dv)) {
        const struct domain *d = dv;
        int *n = ht_get(count, dkey);

        if (d->nbentry != (n ? *n : 0)) {
            fprintf(stderr, "xensim: store: domain %u owns %d nodes, "
                    "counted %d\n", d->domid, n ? *n : 0, d->nbentry);
            bad++;
        }
    }
    ht_free(count, free);
    return bad;
}

/* ---------------------------------------------------------------- */
/* the in-process API (store.h)                                      */

int store_read(struct store *s, unsigned as, const char *path, char **val,
               unsigned *len)
{
    struct op o;
    unsigned l;

    op_init(&o, s, NULL, as);
    return do_read(&o, path, val, len ? len : &l);
}

int store_write(struct store *s, unsigned as, const char *path,
                const char *val, unsigned len)
{
    struct op o;

    op_init(&o, s, NULL, as);
    return do_write(&o, path, val, len);
}

int store_mkdir(struct store *s, unsigned as, const char *path)
{
    struct op o;

    op_init(&o, s, NULL, as);
    return do_mkdir(&o, path);
}

int store_rm(struct store *s, unsigned as, const char *path)
{
    struct op o;

    op_init(&o, s, NULL, as);
    return do_rm(&o, path);
}

int store_set_perms(struct store *s, unsigned as, const char *path,
                    const struct xs_permissions *perms, unsigned nperms)
{
    struct op o;

    op_init(&o, s, NULL, as);
    return do_set_perms(&o, path, perms, nperms);
}

int store_directory(struct store *s, unsigned as, const char *path,
                    char ***names, unsigned *n)
{
    struct op o;
    char *ch;
    unsigned len, cnt = 0, i, k;
    int err;

    op_init(&o, s, NULL, as);
    err = do_directory(&o, path, &ch, &len, NULL);
    if (err)
        return err;
    for (i = 0; i < len; i++)
        cnt += ch[i] == '\0';
    *names = calloc(cnt ? cnt : 1, sizeof(**names));
    if (!*names) {
        free(ch);
        return ENOMEM;
    }
    for (i = 0, k = 0; k < cnt; k++) {
        (*names)[k] = strdup(ch + i);
        if (!(*names)[k]) {
            while (k--)
                free((*names)[k]);
            free(*names);
            free(ch);
            return ENOMEM;
        }
        i += strlen(ch + i) + 1;
    }
    *n = cnt;
    free(ch);
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
