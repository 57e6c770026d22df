/*
 * sharing.c: Xen's page sharing (memshr), as mem_sharing.c defines it.
 *
 * Semantics kept from Xen:
 *  - nominate makes a private page sharable: it leaves the domain's
 *    tot_pages for dom_cow, gets a fresh handle (a global counter), and
 *    the gfn counts in the domain's shr_pages; nominating a page that is
 *    already shared returns its handle;
 *  - share needs both gfns nominated with their current handles, else
 *    S_HANDLE_INVALID / C_HANDLE_INVALID; every gfn of the client frame
 *    then maps the source frame and the client frame is freed (one page
 *    saved); sharing a frame with itself succeeds and does nothing;
 *  - Xen does not compare contents: the caller must.  The model does and
 *    counts shares of different contents in the client's bad_shares, so
 *    a buggy sharing actor shows up in tests;
 *  - a page has a content and a 64-bit hash (what page_hashes shows, the
 *    fingerprint an actor computes); they agree except for the crafted
 *    pages of share_collide, whose hash is the zero page's: only reading
 *    the bytes (page_compare) tells them apart;
 *  - a write to a shared gfn unshares it: the last user gets the frame
 *    back as private (its handle dies), another user gets a copy, which
 *    needs a free host page (ENOMEM otherwise).
 *
 * Storage: contents are fingerprints computed from the domain's profile
 * (see page_base), so the only per-page state is for gfns that were
 * nominated, shared or written: a per-domain open-addressing table.  A
 * frame keeps a reverse map (domid, gfn) so that share can move all its
 * users at once; each entry knows its slot there, so removal is O(1).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "sharing.h"

#define S_HANDLE_INVALID (-10)
#define C_HANDLE_INVALID (-9)

struct rmap_ent {
    unsigned domid;
    uint64_t gfn;
};

struct frame {
    uint64_t handle;
    uint64_t content;
    uint64_t hash;          /* of content, as page_hashes shows it */
    struct rmap_ent *rmap;
    unsigned nrmap, caprmap;
};

struct gent {
    uint64_t gfn;
    struct frame *fr;       /* NULL: private */
    uint32_t version;       /* writes so far; 0: original content */
    uint32_t ridx;          /* index in fr->rmap */
    bool used;
};

struct share_map {
    struct gent *slots;
    unsigned cap;           /* power of two */
    unsigned n;
    unsigned cursor;        /* where copy-on-write looks next */
};

struct sharing {
    uint64_t next_handle;
    uint64_t frames;
    uint64_t refs;
};

struct sharing *sharing_new(void)
{
    struct sharing *sh = calloc(1, sizeof(*sh));

    if (sh)
        sh->next_handle = 1;
    return sh;
}

void sharing_free(struct sharing *sh)
{
    free(sh);
}

uint64_t sharing_frames(const struct sharing *sh)
{
    return sh->frames;
}

uint64_t sharing_saved(const struct sharing *sh)
{
    return sh->refs - sh->frames;
}

uint64_t sharing_refs(const struct sharing *sh)
{
    return sh->refs;
}

/* splitmix64's finaliser: a good 64-bit mix. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t mix2(uint64_t a, uint64_t b)
{
    return mix(a ^ mix(b));
}

static uint64_t str_seed(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return mix(h);
}

static double unit(uint64_t x)
{
    return (double)(x >> 11) / (double)(1ull << 53);
}

/*
 * The original content of a page: a zero page with probability `zero`
 * (decided per domain: free memory differs between guests), else with
 * probability `shared` the image's page at that gfn (decided and valued
 * per image, so every domain of the image has it at the same gfn), else
 * unique to the domain.
 */
static uint64_t page_base(const struct hv_domain *d, uint64_t gfn)
{
    const struct share_profile *p = &d->guest.cfg.share;
    uint64_t img;

    if (p->zero > 0 && unit(mix2(d->seed ^ 0x7a65726full, gfn)) < p->zero)
        return SHARING_ZERO_HASH;
    if (p->shared > 0 && p->image[0]) {
        img = str_seed(p->image);
        if (unit(mix2(img, gfn)) < p->shared)
            return mix2(img ^ 0x696d616765ull, gfn);
    }
    return mix2(d->seed, gfn);
}

/* ---- the per-domain map ---------------------------------------------- */

static unsigned slot_of(const struct share_map *m, uint64_t gfn)
{
    return (unsigned)mix(gfn) & (m->cap - 1);
}

static struct gent *map_find(struct share_map *m, uint64_t gfn)
{
    unsigned i;

    if (!m || !m->n)
        return NULL;
    for (i = slot_of(m, gfn); m->slots[i].used; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].gfn == gfn)
            return &m->slots[i];
    return NULL;
}

static int map_grow(struct share_map *m)
{
    struct gent *old = m->slots;
    unsigned oldcap = m->cap, i, j;

    m->cap = oldcap ? oldcap * 2 : 64;
    m->slots = calloc(m->cap, sizeof(*m->slots));
    if (!m->slots) {
        m->slots = old;
        m->cap = oldcap;
        return -ENOMEM;
    }
    for (i = 0; i < oldcap; i++) {
        if (!old[i].used)
            continue;
        for (j = slot_of(m, old[i].gfn); m->slots[j].used;
             j = (j + 1) & (m->cap - 1))
            ;
        m->slots[j] = old[i];
    }
    free(old);
    return 0;
}

/* Find or add gfn's entry.  Pointers into the map die on the next add. */
static struct gent *map_get(struct hv_domain *d, uint64_t gfn)
{
    struct share_map *m = d->smap;
    struct gent *e;
    unsigned i;

    if (!m) {
        m = d->smap = calloc(1, sizeof(*m));
        if (!m)
            return NULL;
    }
    e = map_find(m, gfn);
    if (e)
        return e;
    if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m))
        return NULL;
    for (i = slot_of(m, gfn); m->slots[i].used; i = (i + 1) & (m->cap - 1))
        ;
    e = &m->slots[i];
    memset(e, 0, sizeof(*e));
    e->gfn = gfn;
    e->used = true;
    m->n++;
    return e;
}

static void rmap_fix(struct hv *hv, const struct rmap_ent *r, uint32_t idx);

/* Remove the entry at e (backward-shift deletion keeps probes short). */
static void map_del(struct hv *hv, struct hv_domain *d, struct gent *e)
{
    struct share_map *m = d->smap;
    unsigned i = (unsigned)(e - m->slots), j, k;

    m->slots[i].used = false;
    m->n--;
    for (j = (i + 1) & (m->cap - 1); m->slots[j].used;
         j = (j + 1) & (m->cap - 1)) {
        k = slot_of(m, m->slots[j].gfn);
        /* Can slot j's entry move back to the hole at i? */
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            m->slots[i] = m->slots[j];
            m->slots[j].used = false;
            i = j;
        }
    }
    (void)hv;
}

/* Drop e if it carries nothing any more. */
static void map_tidy(struct hv *hv, struct hv_domain *d, struct gent *e)
{
    if (!e->fr && !e->version)
        map_del(hv, d, e);
}

/* ---- frames -------------------------------------------------------------- */

static int rmap_add(struct frame *fr, unsigned domid, uint64_t gfn,
                    uint32_t *idx)
{
    struct rmap_ent *n;

    if (fr->nrmap == fr->caprmap) {
        unsigned cap = fr->caprmap ? fr->caprmap * 2 : 2;

        n = realloc(fr->rmap, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        fr->rmap = n;
        fr->caprmap = cap;
    }
    fr->rmap[fr->nrmap].domid = domid;
    fr->rmap[fr->nrmap].gfn = gfn;
    *idx = fr->nrmap++;
    return 0;
}

static void rmap_fix(struct hv *hv, const struct rmap_ent *r, uint32_t idx)
{
    struct hv_domain *d = hv_domain(hv, r->domid);
    struct gent *e;

    assert(d);
    e = map_find(d->smap, r->gfn);
    assert(e && e->fr);
    e->ridx = idx;
}

/* Remove the rmap entry of e from its frame; swap the last one in. */
static void rmap_del(struct hv *hv, struct gent *e)
{
    struct frame *fr = e->fr;
    uint32_t idx = e->ridx;

    assert(idx < fr->nrmap);
    fr->nrmap--;
    if (idx != fr->nrmap) {
        fr->rmap[idx] = fr->rmap[fr->nrmap];
        rmap_fix(hv, &fr->rmap[idx], idx);
    }
}

static void frame_free(struct hv *hv, struct frame *fr)
{
    assert(fr->nrmap == 0);
    free(fr->rmap);
    free(fr);
    hv->sharing->frames--;
}

/* ---- the operations ---------------------------------------------------- */

/* d has shared pages now: its guest's writes may break them. */
static void cow_wake(struct hv *hv, struct hv_domain *d)
{
    if (d->guest.cfg.share.cow_per_s > 0)
        hv_wake(hv, d);
}

uint64_t sharing_page_content(struct hv *hv, struct hv_domain *d,
                              uint64_t gfn)
{
    struct gent *e = map_find(d->smap, gfn);

    (void)hv;
    if (e && e->fr)
        return e->fr->content;
    if (e && e->version)
        return mix2(d->seed ^ mix(e->version), gfn);
    return page_base(d, gfn);
}

uint64_t sharing_page_hash(struct hv *hv, struct hv_domain *d, uint64_t gfn)
{
    const struct share_profile *p = &d->guest.cfg.share;
    struct gent *e = map_find(d->smap, gfn);
    uint64_t c;

    if (e && e->fr)
        return e->fr->hash;
    c = sharing_page_content(hv, d, gfn);
    /* A crafted page (never rewritten since): the zero page's hash. */
    if (!e && p->collide > 0 && c != SHARING_ZERO_HASH &&
        unit(mix2(d->seed ^ 0x636f6c6cull, gfn)) < p->collide)
        return SHARING_ZERO_HASH;
    return c;
}

int sharing_nominate(struct hv *hv, struct hv_domain *d, uint64_t gfn,
                     uint64_t *handle)
{
    struct frame *fr;
    struct gent *e;

    if (gfn >= d->populated)
        return -EINVAL;
    e = map_find(d->smap, gfn);
    if (e && e->fr) {
        *handle = e->fr->handle;
        return 0;
    }
    /* The page leaves tot_pages for dom_cow: it must be resident. */
    if (d->tot_pages == 0)
        return -EINVAL;
    fr = calloc(1, sizeof(*fr));
    if (!fr)
        return -ENOMEM;
    fr->content = sharing_page_content(hv, d, gfn);
    fr->hash = sharing_page_hash(hv, d, gfn);
    e = map_get(d, gfn);
    if (!e || rmap_add(fr, d->domid, gfn, &e->ridx)) {
        if (e)
            map_tidy(hv, d, e);
        free(fr->rmap);
        free(fr);
        return -ENOMEM;
    }
    fr->handle = hv->sharing->next_handle++;
    e->fr = fr;
    cow_wake(hv, d);
    hv->sharing->frames++;
    hv->sharing->refs++;
    d->shr_pages++;
    d->tot_pages--;
    *handle = fr->handle;
    return 0;
}

int sharing_share(struct hv *hv, struct hv_domain *sd, uint64_t sgfn,
                  uint64_t sh, struct hv_domain *cd, uint64_t cgfn,
                  uint64_t ch)
{
    struct gent *se, *ce, *e;
    struct frame *sf, *cf;
    struct hv_domain *d;
    struct rmap_ent r;

    if (sgfn >= sd->populated || cgfn >= cd->populated)
        return -EINVAL;
    se = map_find(sd->smap, sgfn);
    ce = map_find(cd->smap, cgfn);
    sf = se ? se->fr : NULL;
    cf = ce ? ce->fr : NULL;
    if (sf && sf == cf)
        return 0;
    if (!sf || sf->handle != sh)
        return S_HANDLE_INVALID;
    if (!cf || cf->handle != ch)
        return C_HANDLE_INVALID;
    if (sf->content != cf->content)
        cd->bad_shares++;
    /* Make room first so that the move cannot fail half-way. */
    if (sf->nrmap + cf->nrmap > sf->caprmap) {
        struct rmap_ent *n = realloc(sf->rmap, (sf->nrmap + cf->nrmap) *
                                     sizeof(*n));
        if (!n)
            return -ENOMEM;
        sf->rmap = n;
        sf->caprmap = sf->nrmap + cf->nrmap;
    }
    while (cf->nrmap) {
        r = cf->rmap[--cf->nrmap];
        d = hv_domain(hv, r.domid);
        assert(d);
        e = map_find(d->smap, r.gfn);
        assert(e && e->fr == cf);
        e->fr = sf;
        e->ridx = sf->nrmap;
        sf->rmap[sf->nrmap++] = r;
        cow_wake(hv, d);
    }
    /* The client frame is freed: one page saved. */
    frame_free(hv, cf);
    hv->free_pages++;
    hv_memory_freed(hv);
    return 0;
}

/*
 * Unshare e's gfn in d.  destroy: the gfn itself goes away (ballooned
 * out or the domain dies), so no copy is needed.
 */
static int unshare(struct hv *hv, struct hv_domain *d, struct gent *e,
                   bool destroy)
{
    struct frame *fr = e->fr;
    bool last = fr->nrmap == 1;

    if (!destroy && !last && hv_pages_available(hv, d) == 0)
        return -ENOMEM;
    rmap_del(hv, e);
    e->fr = NULL;
    hv->sharing->refs--;
    d->shr_pages--;
    if (destroy) {
        if (last) {
            frame_free(hv, fr);
            hv->free_pages++;
        }
    } else if (last) {
        /* page_make_private: the frame comes back to the domain. */
        frame_free(hv, fr);
        d->tot_pages++;
    } else {
        /* A copy for the writer. */
        hv->free_pages--;
        d->tot_pages++;
    }
    return 0;
}

int sharing_guest_write(struct hv *hv, struct hv_domain *d, uint64_t gfn)
{
    struct gent *e;
    int rc;

    if (gfn >= d->populated)
        return -EINVAL;
    e = map_find(d->smap, gfn);
    if (e && e->fr) {
        rc = unshare(hv, d, e, false);
        if (rc) {
            d->cow_failed++;
            return rc;
        }
        d->cow_breaks++;
    }
    e = map_get(d, gfn);
    if (!e)
        return -ENOMEM;
    e->version++;
    return 0;
}

bool sharing_cow_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms)
{
    struct share_map *m = d->smap;
    double rate = d->guest.cfg.share.cow_per_s;
    unsigned seen;
    uint64_t n;

    if (rate <= 0 || !d->shr_pages || !m) {
        d->guest.cow_budget = 0;
        return false;
    }
    d->guest.cow_budget += rate * (double)dt_ms / 1000.0;
    n = (uint64_t)d->guest.cow_budget;
    d->guest.cow_budget -= (double)n;
    for (seen = 0; n && d->shr_pages && seen < m->cap; seen++) {
        struct gent *e = &m->slots[m->cursor];

        m->cursor = (m->cursor + 1) & (m->cap - 1);
        if (!e->used || !e->fr)
            continue;
        if (sharing_guest_write(hv, d, e->gfn))
            break;  /* no memory for the copy: counted, try later */
        n--;
        seen = 0;
    }
    return d->shr_pages > 0;
}

void sharing_truncate(struct hv *hv, struct hv_domain *d, uint64_t populated)
{
    struct share_map *m = d->smap;
    unsigned i;

    if (!m)
        return;
    for (i = 0; i < m->cap;) {
        struct gent *e = &m->slots[i];

        if (!e->used || e->gfn < populated) {
            i++;
            continue;
        }
        if (e->fr)
            unshare(hv, d, e, true);
        /* Deleting shifts a later entry into slot i: look at it again. */
        map_del(hv, d, e);
    }
}

bool sharing_is_shared(struct hv *hv, struct hv_domain *d, uint64_t gfn)
{
    struct gent *e = map_find(d->smap, gfn);

    (void)hv;
    return e && e->fr;
}

void sharing_domain_destroy(struct hv *hv, struct hv_domain *d)
{
    struct share_map *m = d->smap;
    unsigned i;

    if (!m)
        return;
    for (i = 0; i < m->cap; i++)
        if (m->slots[i].used && m->slots[i].fr)
            unshare(hv, d, &m->slots[i], true);
    free(m->slots);
    free(m);
    d->smap = NULL;
}
