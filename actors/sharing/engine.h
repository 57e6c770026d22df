/*
 * engine.h: the sharing actor's scanner and sharer, hypervisor-agnostic.
 *
 * The engine walks each domain's guest frames in slices (the caller gives
 * the page budget of each slice), fingerprints them, keeps the host-wide
 * content index (index.h) and shares every page whose content is already
 * indexed, following Xen's memshr protocol (xc_memshr_nominate_gfn /
 * xc_memshr_share_gfns):
 *
 *   - a page is nominated only once a match is known, so unique pages are
 *     never turned into shared-type pages (a guest write to a nominated
 *     page costs a fault in Xen);
 *   - contents are re-read AFTER nominating: a handle is invalidated when
 *     its page changes, so contents verified after nomination are still
 *     the contents when the share with that handle succeeds.  Hashing
 *     first and nominating later would let a write in between through,
 *     and Xen does not compare contents;
 *   - after both pages are nominated their bytes are compared
 *     (page_compare) before sharing: xc_memshr_share_gfns compares
 *     nothing, so a 64-bit hash match alone would let a guest that
 *     crafts a colliding page have another guest's page replaced with
 *     its own.  A mismatch is counted and never shared;
 *   - a share that fails because the source handle is stale means the
 *     source page was written (copy-on-write): the index entry moves to
 *     the client page, already nominated and verified.  A stale client
 *     handle means the client changed: it is looked at again next pass.
 *
 * Rescans (a new pass over a domain) find pages whose contents changed:
 * a shared page that changed went through a copy-on-write break, and is
 * counted as one.
 *
 * The hypervisor is reached only through struct shr_ops, so the engine is
 * unit-tested against a fake hypervisor and runs unchanged on libmempolicy
 * (xensim or Xen).  Single-threaded; no allocation per page.
 */
#ifndef SHARING_ENGINE_H
#define SHARING_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "index.h"

/* Most pages one page_hashes call may cover (the hv channel's limit). */
#define SHR_CHUNK 512

/* A page that has no content to hash (not populated, paged out). */
#define SHR_HASH_ABSENT UINT64_MAX

/* Results of shr_ops calls. */
#define SHR_OK 0
#define SHR_ESTALE_SOURCE -1 /* source handle invalid (source changed) */
#define SHR_ESTALE_CLIENT -2 /* client handle invalid (client changed) */
#define SHR_EGONE -3         /* domain gone, dying, or sharing disabled */
#define SHR_EFAIL -4         /* anything else (page not sharable, ...) */
#define SHR_EMISMATCH -5     /* same hash, different bytes: not shared */

struct shr_ops {
    /* Hashes of count (<= SHR_CHUNK) pages from first_gfn;
     * SHR_HASH_ABSENT for pages without contents. */
    int (*page_hashes)(void *user, uint32_t domid, uint64_t first_gfn,
                       unsigned count, uint64_t *hashes);
    int (*nominate)(void *user, uint32_t domid, uint64_t gfn,
                    uint64_t *handle);
    /* *same: the two pages hold the same bytes (read, not hashed). */
    int (*page_compare)(void *user, uint32_t dom1, uint64_t gfn1,
                        uint32_t dom2, uint64_t gfn2, bool *same);
    int (*share)(void *user, uint32_t sdomid, uint64_t sgfn,
                 uint64_t shandle, uint32_t cdomid, uint64_t cgfn,
                 uint64_t chandle);
};

struct shr_engine;

/* Per-domain figures, all in pages. */
struct shr_dom_stats {
    uint64_t npages;       /* frames scanned per pass */
    uint64_t cursor;       /* next frame of the current pass */
    uint64_t passes;       /* completed passes */
    uint64_t scanned;      /* pages hashed, all passes (holes not) */
    uint64_t saved;        /* pages shared into another page (freed) */
    uint64_t sources;      /* pages others are shared into */
    uint64_t breaks;       /* copy-on-write breaks noticed */
    uint64_t mismatches;   /* pages whose hash matched but bytes did not */
    bool scanning;         /* a pass is under way */
};

struct shr_engine_stats {
    uint64_t scanned;      /* pages hashed, all domains, all time */
    uint64_t saved;        /* sum of domains' saved */
    uint64_t breaks;
    uint64_t shares;       /* successful share calls */
    uint64_t stale;        /* shares refused for a stale handle */
    uint64_t mismatches;   /* hash matches refused: different bytes */
    uint64_t index_entries;
    uint64_t index_bytes;
};

struct shr_engine *shr_engine_new(const struct shr_ops *ops, void *user);
void shr_engine_free(struct shr_engine *e);

/*
 * Start tracking a domain whose frames are 0..npages-1 (max_gpfn + 1:
 * holes included, they read as SHR_HASH_ABSENT), or change an
 * existing domain's range: frames beyond a smaller range (given back by
 * the balloon) stop counting as shared.  Returns 0 or -1 (out of memory).
 */
int shr_dom_add(struct shr_engine *e, uint32_t domid, uint64_t npages);
/*
 * Forget a domain: its index entries go (pages shared into them stay
 * shared in the hypervisor among themselves).  The caller disables
 * sharing for it in the hypervisor.
 */
void shr_dom_remove(struct shr_engine *e, uint32_t domid);
bool shr_dom_known(struct shr_engine *e, uint32_t domid);

/* Ask for a pass over the domain (queued if one is under way). */
void shr_dom_rescan(struct shr_engine *e, uint32_t domid);
/* End the domain's pass where it stands, and forget a queued one. */
void shr_dom_stop(struct shr_engine *e, uint32_t domid);

/*
 * Scan up to `budget` pages of the domain's current pass: a frame read
 * costs one, a frame without a page (SHR_HASH_ABSENT: a hole) 1/64.
 * Returns the budget used (0 when no pass is under way), or SHR_EGONE
 * when the domain or its sharing went away (the caller drops it).
 */
int64_t shr_dom_scan(struct shr_engine *e, uint32_t domid,
                     uint64_t budget);

int shr_dom_stats(struct shr_engine *e, uint32_t domid,
                  struct shr_dom_stats *out);
void shr_engine_stats(struct shr_engine *e, struct shr_engine_stats *out);

#endif
