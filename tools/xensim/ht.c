/*
 * ht.c: string-keyed chained hash table (see ht.h).
 *
 * FNV-1a hashing, power-of-two bucket count, chains kept short by
 * doubling at load factor 1.  Keys are copied into the entry so callers
 * may pass temporary strings.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ht.h"

struct ht_ent {
    struct ht_ent *next;
    uint32_t hash;
    void *val;
    char key[];
};

struct ht {
    struct ht_ent **b;
    unsigned nb;    /* power of two */
    unsigned n;
};

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    return h;
}

struct ht *ht_new(void)
{
    struct ht *h = calloc(1, sizeof(*h));

    if (!h)
        return NULL;
    h->nb = 16;
    h->b = calloc(h->nb, sizeof(*h->b));
    if (!h->b) {
        free(h);
        return NULL;
    }
    return h;
}

void ht_free(struct ht *h, void (*free_val)(void *))
{
    unsigned i;

    if (!h)
        return;
    for (i = 0; i < h->nb; i++) {
        struct ht_ent *e = h->b[i];

        while (e) {
            struct ht_ent *n = e->next;

            if (free_val)
                free_val(e->val);
            free(e);
            e = n;
        }
    }
    free(h->b);
    free(h);
}

static struct ht_ent **find(const struct ht *h, const char *key,
                            uint32_t hash)
{
    struct ht_ent **pe = &h->b[hash & (h->nb - 1)];

    while (*pe && ((*pe)->hash != hash || strcmp((*pe)->key, key)))
        pe = &(*pe)->next;
    return pe;
}

void *ht_get(const struct ht *h, const char *key)
{
    struct ht_ent *e = *find(h, key, hash_str(key));

    return e ? e->val : NULL;
}

static void grow(struct ht *h)
{
    unsigned nb = h->nb * 2, i;
    struct ht_ent **b = calloc(nb, sizeof(*b));

    if (!b)
        return; /* keep working with longer chains */
    for (i = 0; i < h->nb; i++) {
        struct ht_ent *e = h->b[i];

        while (e) {
            struct ht_ent *n = e->next;

            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = n;
        }
    }
    free(h->b);
    h->b = b;
    h->nb = nb;
}

int ht_put(struct ht *h, const char *key, void *val, void **old)
{
    uint32_t hash = hash_str(key);
    struct ht_ent **pe = find(h, key, hash);
    size_t kl;

    if (*pe) {
        if (old)
            *old = (*pe)->val;
        (*pe)->val = val;
        return 0;
    }
    if (old)
        *old = NULL;
    kl = strlen(key);
    *pe = malloc(sizeof(**pe) + kl + 1);
    if (!*pe)
        return -ENOMEM;
    (*pe)->next = NULL;
    (*pe)->hash = hash;
    (*pe)->val = val;
    memcpy((*pe)->key, key, kl + 1);
    if (++h->n > h->nb)
        grow(h);
    return 0;
}

void *ht_del(struct ht *h, const char *key)
{
    struct ht_ent **pe = find(h, key, hash_str(key));
    struct ht_ent *e = *pe;
    void *v;

    if (!e)
        return NULL;
    *pe = e->next;
    v = e->val;
    free(e);
    h->n--;
    return v;
}

unsigned ht_count(const struct ht *h)
{
    return h->n;
}

bool ht_next(const struct ht *h, unsigned long *pos, const char **key,
             void **val)
{
    /* pos encodes bucket index and depth in the chain. */
    unsigned long bucket = *pos >> 20, depth = *pos & 0xfffff;

    for (; bucket < h->nb; bucket++, depth = 0) {
        struct ht_ent *e = h->b[bucket];
        unsigned long d;

        for (d = 0; e && d < depth; d++)
            e = e->next;
        if (e) {
            *key = e->key;
            *val = e->val;
            *pos = (bucket << 20) | (depth + 1);
            return true;
        }
    }
    *pos = bucket << 20;
    return false;
}
