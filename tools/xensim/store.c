/*
 * store.c: xensim's xenstore database with xenstored's semantics: nodes,
 * paths and permissions, the requests on them, the store object and its
 * clients (xenstored_core.c).  Transactions, watches and the domains'
 * quota accounting live in store_tx.c, store_watch.c and store_domain.c
 * (see store_priv.h).
 *
 * The layout follows xenstored (tools/xenstore, Xen 4.17) on purpose, so
 * that its rules carry over one to one:
 *
 *  - The database maps a full path to a record (value, permissions, the
 *    children's names back to back, a generation count), exactly like
 *    xenstored's TDB records.  DIRECTORY replies are the children field
 *    as stored, and the entry-size quota counts the same bytes.
 *  - Every read and write goes through node_get/node_put/node_del, which
 *    in a transaction work on the transaction's private copy of the node
 *    (store_tx.c).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ht.h"
#include "loop.h"
#include "store_priv.h"

static const char *const special_names[2] = {
    "@introduceDomain", "@releaseDomain"
};

/* ---------------------------------------------------------------- */
/* records and permissions                                           */

void rec_free(void *p)
{
    struct rec *r = p;

    if (!r)
        return;
    free(r->val);
    free(r->perms);
    free(r->children);
    free(r);
}

void *memdup(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);

    if (q && n)
        memcpy(q, p, n);
    return q;
}

struct rec *rec_dup(const struct rec *o)
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

unsigned rec_size(const struct rec *r)
{
    return REC_HDR_SIZE + r->nperms * 8 + r->len + r->childlen;
}

bool domid_unprivileged(unsigned domid)
{
    return domid != 0;
}

/* xenstored's perm_for_conn(). */
unsigned perm_for(unsigned domid, const struct xs_permissions *p, unsigned n)
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

int special_idx(const char *name)
{
    if (!strcmp(name, special_names[0]))
        return 0;
    if (!strcmp(name, special_names[1]))
        return 1;
    return -1;
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
bool valid_path(const char *p)
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
char *canonical(const struct op *o, const char *path)
{
    char *r;

    if (path[0] == '/' || path[0] == '@')
        return strdup(path);
    if (asprintf(&r, "/local/domain/%u/%s", o->domid, path) < 0)
        return NULL;
    return r;
}

char *parent_of(const char *path)
{
    const char *slash = strrchr(path + 1, '/');

    if (!slash)
        return strdup("/");
    return strndup(path, slash - path);
}

const char *base_of(const char *path)
{
    return strrchr(path, '/') + 1;
}

/* ---------------------------------------------------------------- */
/* node access, in or out of a transaction                           */

int node_get(struct op *o, const char *path, const struct rec **r)
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
int node_put(struct op *o, const char *path, struct rec *r)
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
        domain_account(o->s, old, -1);
        domain_account(o->s, r, +1);
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

int node_del(struct op *o, const char *path)
{
    struct acc *a;
    struct rec *old;
    int err = 0;

    o->s->gen++;
    if (!o->t) {
        old = ht_del(o->s->db, path);
        domain_account(o->s, old, -1);
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
/* requests                                                          */

void op_init(struct op *o, struct store *s, struct xs_client *c,
             unsigned domid)
{
    memset(o, 0, sizeof(*o));
    o->s = s;
    o->c = c;
    o->domid = domid;
    o->priv = !domid_unprivileged(domid);
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
        int nb = domain_nbentry(o->s, o->domid);

        if (o->t ? nb >= XSQ_NODES_PER_DOMAIN
                 : nb + (int)levels > XSQ_NODES_PER_DOMAIN) {
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
/* the store object                                                  */

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
    if (domain_init(s))
        goto fail;
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
    watch_pending_free(s);
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
    unsigned long pos = 0;
    const char *path;
    void *v;
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
    bad += domain_check(s, count);
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
