/*
 * engine.c: scanning and sharing pages (see engine.h for the protocol).
 *
 * Per domain the engine keeps, for every guest frame, the hash last seen
 * and one state byte: 9 bytes per 4 KiB page (0.2%).  That is what lets a
 * rescan tell a copy-on-write break from an unchanged shared page without
 * asking the hypervisor about each page, and lets a departing domain's
 * index entries be removed in time proportional to its size.
 *
 * Work is strictly bounded by the caller's budget: one slice hashes at
 * most `budget` pages, plus two hypervisor calls per match (nominate and
 * share) and one re-hash of the chunk for verification.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

enum {
    PG_UNSEEN = 0,  /* not hashed in this pass, or must be re-looked at */
    PG_SOURCE,      /* owns the index entry of its hash */
    PG_PLAIN,       /* hashed, not shared */
    PG_CLIENT,      /* shared into another page */
    PG_ABSENT,      /* no contents (not populated, paged out) */
};

struct shr_dom {
    uint32_t domid;
    uint64_t npages;
    uint64_t cap;       /* frames the arrays have room for */
    uint64_t *hash;
    uint8_t *state;
    uint64_t cursor;
    bool scanning;
    bool rescan_wanted;
    struct shr_dom_stats st;
};

struct shr_engine {
    const struct shr_ops *ops;
    void *user;
    struct shidx ix;
    struct shr_dom **doms;   /* sorted by domid */
    unsigned ndoms, cap;
    struct shr_engine_stats st;
};

struct cand {
    uint64_t gfn;
    uint64_t hash;
    uint64_t handle;
};

struct shr_engine *shr_engine_new(const struct shr_ops *ops, void *user)
{
    struct shr_engine *e = calloc(1, sizeof(*e));

    if (!e)
        return NULL;
    e->ops = ops;
    e->user = user;
    shidx_init(&e->ix);
    return e;
}

static void dom_free(struct shr_dom *d)
{
    if (!d)
        return;
    free(d->hash);
    free(d->state);
    free(d);
}

void shr_engine_free(struct shr_engine *e)
{
    unsigned i;

    if (!e)
        return;
    for (i = 0; i < e->ndoms; i++)
        dom_free(e->doms[i]);
    free(e->doms);
    shidx_dispose(&e->ix);
    free(e);
}

/* Index of the first domain with domid >= `domid`. */
static unsigned dom_pos(struct shr_engine *e, uint32_t domid)
{
    unsigned lo = 0, hi = e->ndoms;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (e->doms[mid]->domid < domid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct shr_dom *dom_find(struct shr_engine *e, uint32_t domid)
{
    unsigned i = dom_pos(e, domid);

    return i < e->ndoms && e->doms[i]->domid == domid ? e->doms[i] : NULL;
}

bool shr_dom_known(struct shr_engine *e, uint32_t domid)
{
    return dom_find(e, domid) != NULL;
}

static int dom_resize(struct shr_engine *e, struct shr_dom *d,
                      uint64_t npages);

int shr_dom_add(struct shr_engine *e, uint32_t domid, uint64_t npages)
{
    struct shr_dom *d = dom_find(e, domid);
    unsigned pos;

    if (d)
        return dom_resize(e, d, npages);
    if (e->ndoms == e->cap) {
        unsigned ncap = e->cap ? e->cap * 2 : 16;
        struct shr_dom **n = realloc(e->doms, ncap * sizeof(*n));

        if (!n)
            return -1;
        e->doms = n;
        e->cap = ncap;
    }
    d = calloc(1, sizeof(*d));
    if (!d)
        return -1;
    d->domid = domid;
    if (dom_resize(e, d, npages)) {
        dom_free(d);
        return -1;
    }
    pos = dom_pos(e, domid);
    memmove(&e->doms[pos + 1], &e->doms[pos],
            (e->ndoms - pos) * sizeof(*e->doms));
    e->doms[pos] = d;
    e->ndoms++;
    return 0;
}

/*
 * The page owning entry `x` lost it (it changed, or its domain left): if
 * pages were shared into it, a change was a copy-on-write break.  The
 * owner's frame is reset so the next pass looks at it afresh.
 */
static void owner_lost(struct shr_engine *e, const struct shidx_entry *x,
                       bool changed)
{
    struct shr_dom *o = dom_find(e, x->domid);

    if (!o || x->gfn >= o->npages || o->state[x->gfn] != PG_SOURCE)
        return;
    if (x->clients) {
        assert(o->st.sources > 0);
        o->st.sources--;
        if (changed) {
            o->st.breaks++;
            e->st.breaks++;
        }
    }
    o->state[x->gfn] = PG_UNSEEN;
}

/*
 * Any page still shared into entry x's frame, for when the last one
 * recorded is gone too.  O(pages) but only then, which takes two writes
 * to the same sharing group in a row.
 */
static bool find_client(struct shr_engine *e, const struct shidx_entry *x,
                        uint32_t not_domid, uint32_t *domid, uint64_t *gfn)
{
    unsigned i;
    uint64_t g;

    for (i = 0; i < e->ndoms; i++) {
        struct shr_dom *c = e->doms[i];

        if (c->domid == not_domid)
            continue;
        for (g = 0; g < c->npages; g++)
            if (c->state[g] == PG_CLIENT && c->hash[g] == x->hash) {
                *domid = c->domid;
                *gfn = g;
                return true;
            }
    }
    return false;
}

/*
 * After its owner lost entry x, let a page shared into it stand in as
 * the source: the shared frame, its handle and its other sharers are
 * untouched by the owner's copy-on-write, and the stand-in no longer
 * counts as saved (the frame now has one sharer fewer).  The last page
 * shared in is tried first.  False when no such page is known any more;
 * the caller then drops or re-points x.
 */
static bool promote(struct shr_engine *e, struct shidx_entry *x,
                    uint32_t not_domid)
{
    struct shr_dom *c;

    if (!x->clients)
        return false;
    c = x->cdomid == not_domid ? NULL : dom_find(e, x->cdomid);
    if (!c || x->cgfn >= c->npages || c->state[x->cgfn] != PG_CLIENT ||
        c->hash[x->cgfn] != x->hash) {
        if (!find_client(e, x, not_domid, &x->cdomid, &x->cgfn)) {
            x->clients = 0;
            return false;
        }
        c = dom_find(e, x->cdomid);
        assert(c);
    }
    c->state[x->cgfn] = PG_SOURCE;
    assert(c->st.saved > 0 && e->st.saved > 0);
    c->st.saved--;
    e->st.saved--;
    x->domid = x->cdomid;
    x->gfn = x->cgfn;
    x->clients--;
    if (x->clients)
        c->st.sources++;
    return true;
}

/* A page shared into x stopped being so (changed, or its domain left). */
static void client_lost(struct shr_engine *e, struct shr_dom *d, uint64_t g)
{
    struct shidx_entry *x = shidx_find(&e->ix, d->hash[g]);

    assert(d->st.saved > 0 && e->st.saved > 0);
    d->st.saved--;
    e->st.saved--;
    if (x && x->clients && !(x->domid == d->domid && x->gfn == g)) {
        x->clients--;
        if (!x->clients) {
            struct shr_dom *o = dom_find(e, x->domid);

            if (o && o->st.sources)
                o->st.sources--;
        }
    }
}

/*
 * A frame leaves the scanned range (the balloon gave it back): whatever
 * sharing it took part in is over, without any copy-on-write.
 */
static void frame_gone(struct shr_engine *e, struct shr_dom *d, uint64_t g)
{
    struct shidx_entry *x;

    if (d->state[g] == PG_CLIENT) {
        client_lost(e, d, g);
    } else if (d->state[g] == PG_SOURCE) {
        x = shidx_find(&e->ix, d->hash[g]);
        if (x && x->domid == d->domid && x->gfn == g) {
            owner_lost(e, x, false);
            if (!promote(e, x, UINT32_MAX))
                shidx_remove(&e->ix, d->hash[g]);
        }
    }
    d->state[g] = PG_UNSEEN;
}

static int dom_resize(struct shr_engine *e, struct shr_dom *d,
                      uint64_t npages)
{
    uint64_t *h;
    uint8_t *s;
    if (npages < d->npages) {
        uint64_t f;

        for (f = npages; f < d->npages; f++)
            frame_gone(e, d, f);
        d->npages = npages;
        d->st.npages = npages;
        if (d->cursor > npages)
            d->cursor = npages;
        return 0;
    }
    if (npages > d->cap) {
        if (npages > SIZE_MAX / sizeof(*h))
            return -1;
        h = realloc(d->hash, npages * sizeof(*h));
        if (!h)
            return -1;
        d->hash = h;
        s = realloc(d->state, npages);
        if (!s)
            return -1;
        d->state = s;
        d->cap = npages;
    }
    if (npages > d->npages) {
        /* (a domain starts with no frames: no arrays yet) */
        memset(d->state + d->npages, PG_UNSEEN, npages - d->npages);
        memset(d->hash + d->npages, 0, (npages - d->npages) * sizeof(*h));
    }
    d->npages = npages;
    d->st.npages = npages;
    return 0;
}

void shr_dom_remove(struct shr_engine *e, uint32_t domid)
{
    unsigned pos = dom_pos(e, domid);
    struct shr_dom *d;
    uint64_t g;

    if (pos >= e->ndoms || e->doms[pos]->domid != domid)
        return;
    d = e->doms[pos];
    for (g = 0; g < d->npages; g++) {
        struct shidx_entry *x;

        if (d->state[g] == PG_CLIENT) {
            client_lost(e, d, g);
            continue;
        }
        if (d->state[g] != PG_SOURCE)
            continue;
        x = shidx_find(&e->ix, d->hash[g]);
        if (!x || x->domid != domid || x->gfn != g)
            continue;
        owner_lost(e, x, false);
        if (!promote(e, x, domid))
            shidx_remove(&e->ix, d->hash[g]);
    }
    assert(d->st.saved == 0);
    memmove(&e->doms[pos], &e->doms[pos + 1],
            (e->ndoms - pos - 1) * sizeof(*e->doms));
    e->ndoms--;
    dom_free(d);
}

void shr_dom_stop(struct shr_engine *e, uint32_t domid)
{
    struct shr_dom *d = dom_find(e, domid);

    if (!d)
        return;
    d->scanning = false;
    d->rescan_wanted = false;
    d->cursor = 0;
}

void shr_dom_rescan(struct shr_engine *e, uint32_t domid)
{
    struct shr_dom *d = dom_find(e, domid);

    if (!d)
        return;
    if (d->scanning) {
        d->rescan_wanted = true;
        return;
    }
    d->scanning = true;
    d->cursor = 0;
}

/* Make `gfn` of `d` the owner of entry x (nominated with `handle`). */
static void repoint(struct shr_engine *e, struct shidx_entry *x,
                    struct shr_dom *d, uint64_t gfn, uint64_t handle,
                    bool changed)
{
    owner_lost(e, x, changed);
    x->domid = d->domid;
    x->gfn = gfn;
    x->handle = handle;
    x->clients = 0;
    d->state[gfn] = PG_SOURCE;
}

/* First look at a page's (new) contents h in this pass. */
static void forget_old(struct shr_engine *e, struct shr_dom *d, uint64_t g)
{
    struct shidx_entry *x;

    switch (d->state[g]) {
    case PG_CLIENT:
        /* Shared before, different now: the guest wrote to it. */
        client_lost(e, d, g);
        d->st.breaks++;
        e->st.breaks++;
        break;
    case PG_SOURCE:
        x = shidx_find(&e->ix, d->hash[g]);
        if (x && x->domid == d->domid && x->gfn == g) {
            owner_lost(e, x, true);
            if (!promote(e, x, UINT32_MAX))
                shidx_remove(&e->ix, d->hash[g]);
        }
        break;
    default:
        break;
    }
    d->state[g] = PG_UNSEEN;
}

/*
 * Make sure entry x's page is nominated and still holds hash h.  Returns
 * SHR_OK, or an error after which x no longer describes a usable source.
 */
static int ready_source(struct shr_engine *e, struct shidx_entry *x,
                        uint64_t h)
{
    uint64_t handle, now;
    int rc;

    if (x->handle)
        return SHR_OK;
    rc = e->ops->nominate(e->user, x->domid, x->gfn, &handle);
    if (rc)
        return rc;
    rc = e->ops->page_hashes(e->user, x->domid, x->gfn, 1, &now);
    if (rc)
        return rc;
    if (now != h)
        return SHR_ESTALE_SOURCE;
    x->handle = handle;
    return SHR_OK;
}

/*
 * Share client page c into x's frame, both nominated, only if their
 * bytes are the same: Xen's share compares nothing (mem_sharing.c
 * share_pages), and a hash match may be a crafted collision.  Different
 * bytes with a page's hash changed too is a write since it was hashed
 * (the handle is stale in Xen: handled as such); with both hashes still
 * equal, a collision: SHR_EMISMATCH.
 */
static int share_checked(struct shr_engine *e, struct shidx_entry *x,
                         struct shr_dom *d, struct cand *c)
{
    bool same = false;
    uint64_t now;
    int rc = e->ops->page_compare(e->user, x->domid, x->gfn, d->domid,
                                  c->gfn, &same);

    if (rc)
        return rc;
    if (!same) {
        rc = e->ops->page_hashes(e->user, x->domid, x->gfn, 1, &now);
        if (rc || now != c->hash)
            return rc ? rc : SHR_ESTALE_SOURCE;
        rc = e->ops->page_hashes(e->user, d->domid, c->gfn, 1, &now);
        if (rc || now != c->hash)
            return rc ? rc : SHR_ESTALE_CLIENT;
        return SHR_EMISMATCH;
    }
    return e->ops->share(e->user, x->domid, x->gfn, x->handle, d->domid,
                         c->gfn, c->handle);
}

static void share_one(struct shr_engine *e, struct shr_dom *d,
                      struct cand *c)
{
    struct shidx_entry *x = shidx_find(&e->ix, c->hash);
    int rc;

    if (!x) {
        /* Its source went earlier in this chunk: this page takes over. */
        x = shidx_insert(&e->ix, c->hash);
        if (!x) {
            d->state[c->gfn] = PG_PLAIN;
            return;
        }
        x->domid = d->domid;
        x->gfn = c->gfn;
        x->handle = c->handle;
        d->state[c->gfn] = PG_SOURCE;
        return;
    }
    if (x->domid == d->domid && x->gfn == c->gfn)
        return;
    rc = ready_source(e, x, c->hash);
    if (rc != SHR_OK) {
        /*
         * The source cannot be used (changed since it was hashed, paged
         * out, its domain left): this page, nominated and verified,
         * stands for the contents from now on.
         */
        repoint(e, x, d, c->gfn, c->handle, rc == SHR_ESTALE_SOURCE);
        return;
    }
    rc = share_checked(e, x, d, c);
    if (rc == SHR_ESTALE_SOURCE || rc == SHR_EGONE) {
        /*
         * The source was written (or its domain went) since it was
         * nominated.  Its former sharers still hold the old frame: retry
         * with one of them as source.  The stand-in may have been
         * written too (a guest writes many of its shared pages before a
         * pass comes by): then it is lost like the source and the next
         * sharer is tried, so every page still counted as shared into
         * the frame is one the frame really has.  Giving up while some
         * were left would leave them all counted as saved although one
         * of them now holds the frame alone.  Each round removes one
         * sharer, so this ends.  With none left, this page, nominated
         * and verified, stands for the contents from now on.
         */
        bool changed = rc == SHR_ESTALE_SOURCE;

        e->st.stale += changed;
        do {
            owner_lost(e, x, changed);
            if (!promote(e, x, UINT32_MAX)) {
                assert(!x->clients);
                repoint(e, x, d, c->gfn, c->handle, false);
                return;
            }
            rc = share_checked(e, x, d, c);
            changed = true;
            e->st.stale += rc == SHR_ESTALE_SOURCE;
        } while (rc == SHR_ESTALE_SOURCE);
        /* SHR_EGONE now is the client's domain: x keeps its stand-in. */
    }
    switch (rc) {
    case SHR_OK:
        d->state[c->gfn] = PG_CLIENT;
        d->st.saved++;
        e->st.saved++;
        e->st.shares++;
        if (!x->clients++) {
            struct shr_dom *o = dom_find(e, x->domid);

            if (o)
                o->st.sources++;
        }
        x->cdomid = d->domid;
        x->cgfn = c->gfn;
        break;
    case SHR_ESTALE_CLIENT:
        e->st.stale++;
        d->state[c->gfn] = PG_UNSEEN;
        break;
    case SHR_EMISMATCH:
        /* Stays the guest's own page; counted for the admin. */
        e->st.mismatches++;
        d->st.mismatches++;
        d->state[c->gfn] = PG_PLAIN;
        break;
    default:
        d->state[c->gfn] = PG_PLAIN;
        break;
    }
}

/*
 * Hashes of n frames; a frame that cannot be read (a ballooned-out hole
 * on Xen, a paged-out page) gets SHR_HASH_ABSENT.  The chunk is read in
 * one call; only if that fails are its frames read one by one, so that
 * one hole does not hide 511 pages.  0 or SHR_EGONE.
 */
static int read_hashes(struct shr_engine *e, struct shr_dom *d,
                       uint64_t first, unsigned n, uint64_t *hs)
{
    unsigned i;
    int rc = e->ops->page_hashes(e->user, d->domid, first, n, hs);

    if (rc == SHR_OK || rc == SHR_EGONE)
        return rc;
    for (i = 0; i < n; i++) {
        rc = n > 1 ? e->ops->page_hashes(e->user, d->domid, first + i, 1,
                                         &hs[i])
                   : rc;
        if (rc == SHR_EGONE)
            return rc;
        if (rc)
            hs[i] = SHR_HASH_ABSENT;
    }
    return SHR_OK;
}

/*
 * Hash one chunk and share what matches.  0 or SHR_EGONE; *cost: the
 * budget it used, a page for each frame read, 1/64 for each frame
 * without a page (holes are skipped without being mapped: a 1 GiB MMIO
 * hole must not cost as much as 1 GiB of RAM).
 */
static int scan_chunk(struct shr_engine *e, struct shr_dom *d, uint64_t first,
                      unsigned n, uint64_t *cost)
{
    uint64_t hs[SHR_CHUNK], verify[SHR_CHUNK];
    struct cand cands[SHR_CHUNK];
    unsigned i, nc = 0, span, present;
    uint64_t lo;
    int rc;

    assert(n > 0 && n <= SHR_CHUNK && first + n <= d->npages);
    rc = read_hashes(e, d, first, n, hs);
    if (rc)
        return rc;
    for (i = 0, present = 0; i < n; i++)
        present += hs[i] != SHR_HASH_ABSENT;
    d->st.scanned += present;
    e->st.scanned += present;
    *cost = present + (n - present + 63) / 64;
    for (i = 0; i < n; i++) {
        uint64_t g = first + i, h = hs[i];
        struct shidx_entry *x;

        if ((d->state[g] == PG_CLIENT || d->state[g] == PG_SOURCE) &&
            d->hash[g] == h)
            continue;
        if (h == SHR_HASH_ABSENT) {
            /* Gone or unreadable: not a copy-on-write; a later pass
             * finds it again if it is still there. */
            frame_gone(e, d, g);
            d->state[g] = PG_ABSENT;
            continue;
        }
        forget_old(e, d, g);
        d->hash[g] = h;
        x = shidx_find(&e->ix, h);
        if (!x) {
            x = shidx_insert(&e->ix, h);
            if (!x) {
                d->state[g] = PG_PLAIN;
                continue;
            }
            x->domid = d->domid;
            x->gfn = g;
            d->state[g] = PG_SOURCE;
            continue;
        }
        d->state[g] = PG_PLAIN;
        cands[nc].gfn = g;
        cands[nc].hash = h;
        nc++;
    }
    if (!nc)
        return 0;

    /* Nominate the matches, then verify their contents under the handle. */
    for (i = 0; i < nc; i++) {
        rc = e->ops->nominate(e->user, d->domid, cands[i].gfn,
                              &cands[i].handle);
        if (rc == SHR_EGONE)
            return rc;
        if (rc)
            cands[i].handle = 0;
    }
    /* Candidates are in frame order: re-read only the span they cover. */
    lo = cands[0].gfn;
    span = (unsigned)(cands[nc - 1].gfn - lo + 1);
    rc = read_hashes(e, d, lo, span, verify);
    if (rc)
        return rc;
    for (i = 0; i < nc; i++) {
        struct cand *c = &cands[i];

        if (!c->handle)
            continue;
        if (verify[c->gfn - lo] != c->hash) {
            d->state[c->gfn] = PG_UNSEEN;
            continue;
        }
        share_one(e, d, c);
    }
    return 0;
}

int64_t shr_dom_scan(struct shr_engine *e, uint32_t domid, uint64_t budget)
{
    struct shr_dom *d = dom_find(e, domid);
    uint64_t done = 0;

    if (!d)
        return SHR_EGONE;
    while (d->scanning && done < budget) {
        uint64_t n = d->npages - d->cursor;
        int rc;

        if (n > SHR_CHUNK)
            n = SHR_CHUNK;
        if (n > budget - done)
            n = budget - done;
        if (n) {
            uint64_t cost = n;

            rc = scan_chunk(e, d, d->cursor, (unsigned)n, &cost);
            if (rc)
                return rc;
            d->cursor += n;
            done += cost;
        }
        if (d->cursor >= d->npages) {
            d->st.passes++;
            d->cursor = 0;
            d->scanning = d->rescan_wanted;
            d->rescan_wanted = false;
        }
    }
    return (int64_t)done;
}

int shr_dom_stats(struct shr_engine *e, uint32_t domid,
                  struct shr_dom_stats *out)
{
    struct shr_dom *d = dom_find(e, domid);

    if (!d)
        return -1;
    *out = d->st;
    out->cursor = d->cursor;
    out->scanning = d->scanning;
    return 0;
}

void shr_engine_stats(struct shr_engine *e, struct shr_engine_stats *out)
{
    *out = e->st;
    out->index_entries = shidx_count(&e->ix);
    out->index_bytes = shidx_bytes(&e->ix);
}
