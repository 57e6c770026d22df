/*
 * store_tx.c: xenstore transactions, as xenstored_transaction.c (Xen
 * 4.17).
 *
 * In a transaction node_get/node_put/node_del (store.c) work on a private
 * copy of each node touched (the "accessed" list), remembering the
 * generation seen at first access.  Commit fails with EAGAIN if any node
 * read in the transaction has a different generation in the database by
 * then (created, changed or removed outside), which is xenstored's
 * conflict rule; otherwise the modified copies replace the database
 * nodes and the watch events queued during the transaction fire.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ht.h"
#include "store_priv.h"

int op_tx(struct op *o, uint32_t tx)
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

static void acc_free(struct acc *a)
{
    rec_free(a->ta);
    free(a->oldperms);
    free(a->path);
    free(a);
}

struct acc *acc_get(struct op *o, const char *path, bool read, int *err)
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

void tx_note_fire(struct tx *t, const char *path, bool exact)
{
    struct acc *a = ht_get(t->acc, path);

    if (!a) {
        t->fail = true;
        return;
    }
    if (!a->fire) {
        a->fire = true;
        a->exact = exact;
    } else if (!exact) {
        a->exact = false;
    }
}

void tx_free(struct tx *t)
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

void tx_unlink(struct xs_client *c, struct tx *t)
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
        if (domain_nbentry(s, c->domid) + delta >= XSQ_NODES_PER_DOMAIN)
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

