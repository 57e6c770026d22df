/*
 * actor_domtab.c: the actor kit's set of owned domains, domid -> entry.
 *
 * Every event names a domid and must find that domain's state at once,
 * whatever the number of domains, so this is a hash table: open
 * addressing with linear probing (one flat array, cache friendly, no
 * allocation per domain), kept at most half full, and backward-shift
 * deletion so that no tombstones accumulate as domains come and go.
 * Domids are small dense integers, so a multiplicative hash spreads them
 * well enough.
 */
#include <assert.h>
#include <stdlib.h>

#include "actor_internal.h"

static size_t slot_of(uint32_t domid, size_t cap)
{
    /* Fibonacci hashing: the high bits of domid * 2^32/phi. */
    return (size_t)((domid * 2654435769u) & (uint32_t)(cap - 1));
}

void mp_domtab_init(struct mp_domtab *t)
{
    t->v = NULL;
    t->cap = 0;
    t->n = 0;
}

void mp_domtab_dispose(struct mp_domtab *t)
{
    size_t i;

    for (i = 0; i < t->cap; i++)
        if (t->v[i].used)
            free(t->v[i].status);
    free(t->v);
    mp_domtab_init(t);
}

struct mp_domtab_entry *mp_domtab_find(const struct mp_domtab *t,
                                       uint32_t domid)
{
    size_t i;

    if (!t->cap)
        return NULL;
    for (i = slot_of(domid, t->cap); t->v[i].used; i = (i + 1) & (t->cap - 1))
        if (t->v[i].domid == domid)
            return &t->v[i];
    return NULL;
}

static struct mp_domtab_entry *put(struct mp_domtab_entry *v, size_t cap,
                                uint32_t domid)
{
    size_t i = slot_of(domid, cap);

    while (v[i].used) {
        if (v[i].domid == domid)
            return &v[i];
        i = (i + 1) & (cap - 1);
    }
    v[i].used = true;
    v[i].domid = domid;
    v[i].data = NULL;
    v[i].status = NULL;
    return &v[i];
}

static int grow(struct mp_domtab *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 64, i;
    struct mp_domtab_entry *nv = calloc(ncap, sizeof(*nv));

    if (!nv)
        return -1;
    for (i = 0; i < t->cap; i++) {
        if (t->v[i].used) {
            struct mp_domtab_entry *e = put(nv, ncap, t->v[i].domid);

            e->data = t->v[i].data;
            e->status = t->v[i].status;
        }
    }
    free(t->v);
    t->v = nv;
    t->cap = ncap;
    return 0;
}

struct mp_domtab_entry *mp_domtab_insert(struct mp_domtab *t, uint32_t domid)
{
    struct mp_domtab_entry *e = mp_domtab_find(t, domid);

    if (e)
        return e;
    if ((t->n + 1) * 2 > t->cap && grow(t))
        return NULL;
    t->n++;
    return put(t->v, t->cap, domid);
}

void mp_domtab_remove(struct mp_domtab *t, uint32_t domid)
{
    struct mp_domtab_entry *e = mp_domtab_find(t, domid);
    size_t i, j, mask;

    if (!e)
        return;
    mask = t->cap - 1;
    i = (size_t)(e - t->v);
    /*
     * Backward shift: move later members of the probe run into the hole
     * when their home slot is not inside (hole, their position].
     */
    for (j = (i + 1) & mask; t->v[j].used; j = (j + 1) & mask) {
        size_t home = slot_of(t->v[j].domid, t->cap);
        bool stays = i <= j ? (i < home && home <= j)
                            : (i < home || home <= j);

        if (stays)
            continue;
        t->v[i] = t->v[j];
        i = j;
    }
    t->v[i].used = false;
    t->v[i].data = NULL;
    t->v[i].status = NULL;
    assert(t->n > 0);
    t->n--;
}
