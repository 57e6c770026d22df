/*
 * index.c: the host-wide content index (see index.h).
 *
 * Linear probing keeps the table one array; the load factor stays at or
 * below one half so probe sequences are short, and deletion shifts later
 * entries of the same run back instead of leaving tombstones, so a table
 * that sees many domains come and go does not degrade.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

#define SHIDX_MIN_CAP 1024

/* splitmix64's finaliser: spreads sequential or low-entropy hashes. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

void shidx_init(struct shidx *ix)
{
    memset(ix, 0, sizeof(*ix));
}

void shidx_dispose(struct shidx *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof(*ix));
}

static size_t slot_of(const struct shidx *ix, uint64_t hash)
{
    return mix(hash) & (ix->cap - 1);
}

struct shidx_entry *shidx_find(struct shidx *ix, uint64_t hash)
{
    size_t i;

    if (!ix->cap)
        return NULL;
    for (i = slot_of(ix, hash); ix->slots[i].used;
         i = (i + 1) & (ix->cap - 1)) {
        if (ix->slots[i].hash == hash)
            return &ix->slots[i];
    }
    return NULL;
}

static int grow(struct shidx *ix)
{
    size_t ncap = ix->cap ? ix->cap * 2 : SHIDX_MIN_CAP;
    struct shidx_entry *old = ix->slots;
    size_t ocap = ix->cap, i;

    if (ncap < ocap)
        return -1;
    ix->slots = calloc(ncap, sizeof(*ix->slots));
    if (!ix->slots) {
        ix->slots = old;
        return -1;
    }
    ix->cap = ncap;
    for (i = 0; i < ocap; i++) {
        size_t j;

        if (!old[i].used)
            continue;
        for (j = slot_of(ix, old[i].hash); ix->slots[j].used;
             j = (j + 1) & (ncap - 1))
            ;
        ix->slots[j] = old[i];
    }
    free(old);
    return 0;
}

struct shidx_entry *shidx_insert(struct shidx *ix, uint64_t hash)
{
    size_t i;

    assert(!shidx_find(ix, hash));
    if ((ix->count + 1) * 2 > ix->cap && grow(ix))
        return NULL;
    for (i = slot_of(ix, hash); ix->slots[i].used;
         i = (i + 1) & (ix->cap - 1))
        ;
    memset(&ix->slots[i], 0, sizeof(ix->slots[i]));
    ix->slots[i].hash = hash;
    ix->slots[i].used = 1;
    ix->count++;
    return &ix->slots[i];
}

bool shidx_remove(struct shidx *ix, uint64_t hash)
{
    struct shidx_entry *e = shidx_find(ix, hash);
    size_t mask = ix->cap - 1, hole, i;

    if (!e)
        return false;
    hole = (size_t)(e - ix->slots);
    /*
     * Backward shift: move each later entry of the run into the hole
     * unless its home slot lies cyclically after the hole (then it is
     * already as close to home as it can be).
     */
    for (i = (hole + 1) & mask; ix->slots[i].used; i = (i + 1) & mask) {
        size_t home = slot_of(ix, ix->slots[i].hash);

        if (((i - home) & mask) >= ((i - hole) & mask)) {
            ix->slots[hole] = ix->slots[i];
            hole = i;
        }
    }
    memset(&ix->slots[hole], 0, sizeof(ix->slots[hole]));
    ix->count--;
    return true;
}
