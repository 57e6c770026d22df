/*
 * index.h: the sharing actor's host-wide content index.
 *
 * Maps a page's content hash to the one page that stands for that content
 * on the host: the page every later page with the same hash is shared
 * into (Xen's "source" of xc_memshr_share_gfns).  One entry per distinct
 * content seen, whatever domain it was seen in, so identical pages across
 * all of the actor's domains (and zero pages, which are just the most
 * common content) meet here.
 *
 * Open addressing with linear probing and backward-shift deletion: one
 * flat array, no allocation per entry, lookups touch one or two cache
 * lines.  Content hashes are mixed before use because a simulated or weak
 * fingerprint may be far from uniform.
 */
#ifndef SHARING_INDEX_H
#define SHARING_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shidx_entry {
    uint64_t hash;      /* page content hash (the key) */
    uint64_t gfn;       /* the source page */
    uint64_t handle;    /* its sharing handle; 0: not nominated yet */
    uint64_t cgfn;      /* the last page shared into it, which can */
    uint32_t cdomid;    /* stand in for the source if the source goes */
    uint32_t domid;
    uint32_t clients;   /* pages shared into it (as far as known) */
    uint8_t used;
};

struct shidx {
    struct shidx_entry *slots;
    size_t cap;         /* power of two, or 0 */
    size_t count;
};

void shidx_init(struct shidx *ix);
void shidx_dispose(struct shidx *ix);

/* The entry for `hash`, or NULL.  Valid until the next insert/remove. */
struct shidx_entry *shidx_find(struct shidx *ix, uint64_t hash);

/*
 * A new entry for `hash` (which must not be present), with only hash and
 * used set; NULL when memory runs out.  Valid until the next
 * insert/remove.
 */
struct shidx_entry *shidx_insert(struct shidx *ix, uint64_t hash);

/* Remove the entry for `hash`; false if there was none. */
bool shidx_remove(struct shidx *ix, uint64_t hash);

static inline size_t shidx_count(const struct shidx *ix)
{
    return ix->count;
}

/* Bytes of memory the index holds. */
static inline size_t shidx_bytes(const struct shidx *ix)
{
    return ix->cap * sizeof(struct shidx_entry);
}

#endif
