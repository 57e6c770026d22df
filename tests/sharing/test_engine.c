/*
 * test_engine.c: the sharing engine against a fake hypervisor.
 *
 * The fake keeps real copy-on-write frames: each guest frame maps to a
 * machine frame with contents, a reference count and a sharing handle that
 * is invalidated when the frame is written, as Xen's mem_sharing does.
 * share() refuses stale handles and the fake ASSERTS that the two frames
 * hold equal contents: Xen does not check that, so a sharer that shares
 * different pages corrupts guests, and these tests would catch it.
 * Hooks let a test write to a page in the middle of the protocol (between
 * hashing and nominating, between nominating and sharing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../actors/sharing/engine.h"
#include "../../actors/sharing/index.h"

#define MAXDOM 4
#define MAXPG 4096
#define MAXMFN (MAXDOM * MAXPG * 2)

struct mfn {
    uint64_t content;
    uint64_t handle; /* 0: not nominated */
    unsigned refs;
};

struct fake {
    struct mfn mfns[MAXMFN];
    unsigned nmfn;
    uint32_t p2m[MAXDOM][MAXPG]; /* guest frame -> machine frame */
    uint64_t npages[MAXDOM];
    uint64_t next_handle;
    unsigned hash_calls, nominate_calls, share_calls, compare_calls;
    /* write (dom,gfn) just after nominating it / before sharing */
    int race_nominate_dom, race_share_dom, race_share2_dom;
    uint64_t race_nominate_gfn, race_share_gfn, race_share2_gfn;
    bool gone[MAXDOM];
    int hole_dom; /* a frame that cannot be read, or -1 */
    uint64_t hole_gfn;
    /* frames [abs_lo, abs_hi) of abs_dom hold no page (an MMIO hole):
     * page_hashes reads them as SHR_HASH_ABSENT, nothing else may
     * touch them */
    int abs_dom;
    uint64_t abs_lo, abs_hi;
};

static bool absent(const struct fake *f, uint32_t d, uint64_t g)
{
    return f->abs_dom == (int)d && g >= f->abs_lo && g < f->abs_hi;
}

static uint32_t new_mfn(struct fake *f, uint64_t content)
{
    assert_true(f->nmfn < MAXMFN);
    f->mfns[f->nmfn].content = content;
    f->mfns[f->nmfn].handle = 0;
    f->mfns[f->nmfn].refs = 1;
    return f->nmfn++;
}

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    f->next_handle = 1;
    f->race_nominate_dom = f->race_share_dom = f->race_share2_dom = -1;
    f->hole_dom = -1;
    f->abs_dom = -1;
}

static void fake_dom(struct fake *f, uint32_t d, uint64_t n,
                     uint64_t (*content)(uint32_t d, uint64_t g))
{
    uint64_t g;

    assert_true(d < MAXDOM && n <= MAXPG);
    f->npages[d] = n;
    for (g = 0; g < n; g++)
        f->p2m[d][g] = new_mfn(f, content(d, g));
}

/* A guest write: copy-on-write if shared, handle invalidated. */
static void fake_write(struct fake *f, uint32_t d, uint64_t g, uint64_t content)
{
    struct mfn *m = &f->mfns[f->p2m[d][g]];

    if (m->refs > 1) {
        m->refs--;
        f->p2m[d][g] = new_mfn(f, content);
    } else {
        m->content = content;
        m->handle = 0;
    }
}

/* Machine frames in use: what the host really spends. */
static uint64_t fake_frames(struct fake *f)
{
    uint64_t n = 0;
    unsigned d;
    uint64_t g;
    static bool seen[MAXMFN];

    memset(seen, 0, sizeof(seen));
    for (d = 0; d < MAXDOM; d++)
        for (g = 0; g < f->npages[d]; g++)
            if (!seen[f->p2m[d][g]]) {
                seen[f->p2m[d][g]] = true;
                n++;
            }
    return n;
}

static uint64_t fake_pages(struct fake *f)
{
    unsigned d;
    uint64_t n = 0;

    for (d = 0; d < MAXDOM; d++)
        n += f->npages[d];
    return n;
}

/* A content tagged 0xc011 in its top 16 bits is a crafted page: its
 * 64-bit hash is the zero page's, its bytes are not. */
#define CRAFTED (0xc011ULL << 48)
static uint64_t fhash(uint64_t content)
{
    return (content >> 48) == (CRAFTED >> 48) ? 0 : content;
}

static int f_hashes(void *u, uint32_t d, uint64_t first, unsigned count,
                    uint64_t *h)
{
    struct fake *f = u;
    unsigned i;

    f->hash_calls++;
    assert_true(count >= 1 && count <= SHR_CHUNK);
    if (d >= MAXDOM || f->gone[d])
        return SHR_EGONE;
    assert_true(first + count <= f->npages[d]);
    if (f->hole_dom == (int)d && f->hole_gfn >= first &&
        f->hole_gfn < first + count)
        return SHR_EFAIL;
    for (i = 0; i < count; i++)
        h[i] = absent(f, d, first + i)
                   ? SHR_HASH_ABSENT
                   : fhash(f->mfns[f->p2m[d][first + i]].content);
    return SHR_OK;
}

/* Mapping both pages and comparing their bytes. */
static int f_compare(void *u, uint32_t d1, uint64_t g1, uint32_t d2,
                     uint64_t g2, bool *same)
{
    struct fake *f = u;

    f->compare_calls++;
    if (d1 >= MAXDOM || d2 >= MAXDOM || f->gone[d1] || f->gone[d2])
        return SHR_EGONE;
    assert_false(absent(f, d1, g1) || absent(f, d2, g2));
    *same = f->mfns[f->p2m[d1][g1]].content == f->mfns[f->p2m[d2][g2]].content;
    return SHR_OK;
}

static int f_nominate(void *u, uint32_t d, uint64_t g, uint64_t *handle)
{
    struct fake *f = u;
    struct mfn *m;

    f->nominate_calls++;
    if (d >= MAXDOM || f->gone[d])
        return SHR_EGONE;
    assert_false(absent(f, d, g));
    m = &f->mfns[f->p2m[d][g]];
    if (!m->handle)
        m->handle = f->next_handle++;
    *handle = m->handle;
    if (f->race_nominate_dom == (int)d && f->race_nominate_gfn == g) {
        f->race_nominate_dom = -1;
        fake_write(f, d, g, 0xdead0000ULL + g);
    }
    return SHR_OK;
}

static int f_share(void *u, uint32_t sd, uint64_t sg, uint64_t sh, uint32_t cd,
                   uint64_t cg, uint64_t ch)
{
    struct fake *f = u;
    struct mfn *s, *c;

    f->share_calls++;
    if (f->race_share_dom >= 0) {
        fake_write(f, f->race_share_dom, f->race_share_gfn, 0xbeef0000ULL);
        f->race_share_dom = -1;
    }
    if (f->race_share2_dom >= 0) {
        fake_write(f, f->race_share2_dom, f->race_share2_gfn, 0xbeef0001ULL);
        f->race_share2_dom = -1;
    }
    if (sd >= MAXDOM || cd >= MAXDOM || f->gone[sd] || f->gone[cd])
        return SHR_EGONE;
    s = &f->mfns[f->p2m[sd][sg]];
    c = &f->mfns[f->p2m[cd][cg]];
    if (!s->handle || s->handle != sh)
        return SHR_ESTALE_SOURCE;
    if (!c->handle || c->handle != ch)
        return SHR_ESTALE_CLIENT;
    /* The property the engine must guarantee, since Xen does not. */
    assert_int_equal(s->content, c->content);
    if (s == c)
        return SHR_OK;
    c->refs--;
    s->refs++;
    f->p2m[cd][cg] = f->p2m[sd][sg];
    return SHR_OK;
}

static const struct shr_ops fops = {
    .page_hashes = f_hashes,
    .nominate = f_nominate,
    .page_compare = f_compare,
    .share = f_share,
};

/* Contents: gfn % 4 == 0 zero page; gfn % 4 == 1 "image" page shared by
 * all domains; others unique to the domain. */
static uint64_t image(uint32_t d, uint64_t g)
{
    switch (g % 4) {
    case 0:
        return 0;
    case 1:
        return 0x1000000ULL + g;
    default:
        return ((uint64_t)(d + 1) << 40) | g;
    }
}

static void scan_all(struct shr_engine *e, uint32_t d, uint64_t budget)
{
    int64_t n;

    do {
        n = shr_dom_scan(e, d, budget);
        assert_true(n >= 0);
    } while (n > 0);
}

static void test_index(void **state)
{
    struct shidx ix;
    uint64_t i;

    shidx_init(&ix);
    for (i = 0; i < 10000; i++) {
        struct shidx_entry *x = shidx_insert(&ix, i * 7);

        assert_non_null(x);
        x->gfn = i;
    }
    assert_int_equal(shidx_count(&ix), 10000);
    for (i = 0; i < 10000; i += 2)
        assert_true(shidx_remove(&ix, i * 7));
    assert_false(shidx_remove(&ix, 7 * 10001));
    for (i = 0; i < 10000; i++) {
        struct shidx_entry *x = shidx_find(&ix, i * 7);

        if (i % 2) {
            assert_non_null(x);
            assert_int_equal(x->gfn, i);
        } else {
            assert_null(x);
        }
    }
    assert_int_equal(shidx_count(&ix), 5000);
    shidx_dispose(&ix);
}

/* Saved pages equal what the contents allow, and the host agrees. */
static void test_saves_what_contents_allow(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;
    struct shr_dom_stats ds;
    uint64_t n = 1024;
    unsigned d;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    assert_non_null(e);
    for (d = 0; d < 3; d++) {
        fake_dom(&f, d, n, image);
        assert_int_equal(shr_dom_add(e, d, n), 0);
        shr_dom_rescan(e, d);
    }
    for (d = 0; d < 3; d++)
        scan_all(e, d, 300);
    shr_engine_stats(e, &es);
    /* Per domain n/4 zero pages and n/4 image pages; across 3 domains
     * one frame remains for all zeros and one per image page. */
    assert_int_equal(es.saved, 3 * n / 2 - 1 - n / 4);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    assert_int_equal(shr_dom_stats(e, 0, &ds), 0);
    assert_int_equal(ds.passes, 1);
    assert_int_equal(ds.scanned, n);
    assert_false(ds.scanning);
    /* Nothing left to scan: a slice does nothing. */
    assert_int_equal(shr_dom_scan(e, 0, 1000), 0);
    shr_engine_free(e);
}

/* Like image, but every zero page of the domain is a crafted page whose
 * hash collides with the zero page's. */
static uint64_t crafted(uint32_t d, uint64_t g)
{
    return g % 4 == 0 ? CRAFTED | g : image(d, g);
}

/*
 * A hash match is not enough: a crafted page colliding with the zero
 * page's hash is compared byte for byte, counted, and never shared
 * (f_share asserts equal contents; Xen would share them).
 */
static void test_collision_refused(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;
    struct shr_dom_stats d0, d1;
    uint64_t n = 256;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    assert_non_null(e);
    fake_dom(&f, 0, n, image);
    fake_dom(&f, 1, n, crafted);
    assert_int_equal(shr_dom_add(e, 0, n), 0);
    assert_int_equal(shr_dom_add(e, 1, n), 0);
    shr_dom_rescan(e, 0);
    scan_all(e, 0, 1000);
    shr_dom_rescan(e, 1);
    scan_all(e, 1, 1000);
    assert_int_equal(shr_dom_stats(e, 0, &d0), 0);
    assert_int_equal(shr_dom_stats(e, 1, &d1), 0);
    shr_engine_stats(e, &es);
    /* dom 1's n/4 crafted pages: compared, refused, counted */
    assert_int_equal(d1.mismatches, n / 4);
    assert_int_equal(es.mismatches, n / 4);
    assert_int_equal(d0.mismatches, 0);
    /* its image pages still shared into dom 0's */
    assert_int_equal(d1.saved, n / 4);
    assert_true(f.compare_calls >= f.share_calls);
    /* every crafted page still holds its own bytes */
    {
        uint64_t g;

        for (g = 0; g < n; g += 4)
            assert_int_equal(f.mfns[f.p2m[1][g]].content, CRAFTED | g);
    }
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    shr_engine_free(e);
}

/* A budget is never exceeded, and a pass resumes where it stopped. */
static void test_budget(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_dom_stats ds;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 2000, image);
    assert_int_equal(shr_dom_add(e, 0, 2000), 0);
    assert_int_equal(shr_dom_scan(e, 0, 100), 0); /* no pass asked yet */
    shr_dom_rescan(e, 0);
    assert_int_equal(shr_dom_scan(e, 0, 700), 700);
    assert_int_equal(shr_dom_stats(e, 0, &ds), 0);
    assert_int_equal(ds.cursor, 700);
    assert_true(ds.scanning);
    assert_int_equal(shr_dom_scan(e, 0, 700), 700);
    assert_int_equal(shr_dom_scan(e, 0, 700), 600);
    assert_int_equal(shr_dom_scan(e, 0, 700), 0);
    assert_int_equal(shr_dom_stats(e, 0, &ds), 0);
    assert_int_equal(ds.scanned, 2000);
    shr_engine_free(e);
}

/* A write between hashing and nominating: the page is not shared. */
static void test_write_before_nominate(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_dom_stats ds;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 64, image);
    fake_dom(&f, 1, 64, image);
    shr_dom_add(e, 0, 64);
    shr_dom_add(e, 1, 64);
    shr_dom_rescan(e, 0);
    shr_dom_rescan(e, 1);
    scan_all(e, 0, 64);
    f.race_nominate_dom = 1;
    f.race_nominate_gfn = 5; /* an image page */
    scan_all(e, 1, 64);
    /* fake_share asserted equal contents on every share */
    assert_int_equal(f.mfns[f.p2m[1][5]].content, 0xdead0000ULL + 5);
    assert_int_not_equal(f.p2m[1][5], f.p2m[0][5]);
    shr_dom_stats(e, 1, &ds);
    /* dom1: 16 zeros + 16 image pages, minus the raced one */
    assert_int_equal(ds.saved, 16 + 16 - 1);
    shr_engine_free(e);
}

/* The source written between its nomination and the share: stale
 * source handle, the client page takes over as source. */
static void test_stale_source(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 8, image);
    fake_dom(&f, 1, 8, image);
    fake_dom(&f, 2, 8, image);
    shr_dom_add(e, 0, 8);
    shr_dom_add(e, 1, 8);
    shr_dom_add(e, 2, 8);
    shr_dom_rescan(e, 0);
    shr_dom_rescan(e, 1);
    shr_dom_rescan(e, 2);
    scan_all(e, 0, 8);
    scan_all(e, 1, 8); /* dom1 gfn1 shared into dom0 gfn1 */
    /* dom0's image page is written (CoW) right before dom2's share */
    f.race_share_dom = 0;
    f.race_share_gfn = 1;
    scan_all(e, 2, 8);
    shr_engine_stats(e, &es);
    assert_true(es.stale >= 1);
    /* dom1 and dom2 still hold the old image contents; the engine must
     * not have lost the chance to share them later: dom2 now owns it. */
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    shr_engine_free(e);
}

/*
 * The source AND the page that would stand in for it were both written
 * before a share: the next sharer must stand in, and what is counted as
 * saved stays what the host really saves (the last sharer of a frame
 * holds it alone and saves nothing).  Once the writers' pages are
 * rescanned, breaks are counted once each.
 */
static void test_stale_source_and_stand_in(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;
    struct shr_dom_stats ds;
    uint32_t d;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    for (d = 0; d < 4; d++) {
        fake_dom(&f, d, 8, image);
        shr_dom_add(e, d, 8);
        shr_dom_rescan(e, d);
    }
    scan_all(e, 0, 8);
    scan_all(e, 1, 8);
    scan_all(e, 2, 8); /* image page 1: dom0 source, dom1 and dom2 in */
    f.race_share_dom = 0;
    f.race_share_gfn = 1;
    f.race_share2_dom = 2; /* the last page shared in */
    f.race_share2_gfn = 1;
    scan_all(e, 3, 8);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    assert_int_equal(es.stale, 2);
    /* dom3's page 1 found a frame still shared (dom1's) */
    assert_int_equal(f.p2m[3][1], f.p2m[1][1]);
    /* the writers' passes count each break once and keep the sum */
    shr_dom_rescan(e, 0);
    shr_dom_rescan(e, 2);
    scan_all(e, 0, 8);
    scan_all(e, 2, 8);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    shr_dom_stats(e, 0, &ds);
    assert_int_equal(ds.breaks, 1);
    shr_dom_stats(e, 2, &ds);
    assert_int_equal(ds.breaks, 1);
    shr_engine_free(e);
}

/* Copy-on-write breaks are noticed on the next pass and counted. */
static void test_cow_breaks_counted(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_dom_stats ds;
    struct shr_engine_stats es;
    uint64_t before;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 256, image);
    fake_dom(&f, 1, 256, image);
    shr_dom_add(e, 0, 256);
    shr_dom_add(e, 1, 256);
    shr_dom_rescan(e, 0);
    shr_dom_rescan(e, 1);
    scan_all(e, 0, 256);
    scan_all(e, 1, 256);
    shr_dom_stats(e, 1, &ds);
    before = ds.saved;
    /* guest 1 writes 3 shared pages */
    fake_write(&f, 1, 1, 0x77770001ULL);
    fake_write(&f, 1, 5, 0x77770005ULL);
    fake_write(&f, 1, 4, 0x77770004ULL);
    shr_dom_rescan(e, 1);
    scan_all(e, 1, 100);
    shr_dom_stats(e, 1, &ds);
    assert_int_equal(ds.breaks, 3);
    assert_int_equal(ds.saved, before - 3);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    /* guest 0 writes a page others share: the source side breaks */
    fake_write(&f, 0, 9, 0x88880009ULL);
    shr_dom_rescan(e, 0);
    scan_all(e, 0, 256);
    shr_dom_stats(e, 0, &ds);
    assert_int_equal(ds.breaks, 1);
    shr_engine_free(e);
}

/* A domain removed mid-pass leaves no index entries behind. */
static void test_remove_mid_scan(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 1024, image);
    fake_dom(&f, 1, 1024, image);
    shr_dom_add(e, 0, 1024);
    shr_dom_add(e, 1, 1024);
    shr_dom_rescan(e, 0);
    shr_dom_rescan(e, 1);
    scan_all(e, 0, 1024);
    assert_int_equal(shr_dom_scan(e, 1, 600), 600);
    shr_dom_remove(e, 1);
    assert_false(shr_dom_known(e, 1));
    assert_int_equal(shr_dom_scan(e, 1, 10), SHR_EGONE);
    shr_engine_stats(e, &es);
    /* dom0 alone: its zero pages and nothing else shared */
    assert_int_equal(es.saved, 1024 / 4 - 1);
    shr_dom_remove(e, 0);
    shr_engine_stats(e, &es);
    assert_int_equal(es.index_entries, 0);
    assert_int_equal(es.saved, 0);
    shr_engine_free(e);
}

/*
 * Every page of d gets its own frame again, as when its guest has written
 * each of them (or d is destroyed).  Not what sharing_disable does: Xen's
 * leaves shared pages shared until written (tests/sharing/leave.t.sh).
 */
static void fake_unshare_dom(struct fake *f, uint32_t d)
{
    uint64_t g;

    for (g = 0; g < f->npages[d]; g++) {
        struct mfn *m = &f->mfns[f->p2m[d][g]];

        if (m->refs > 1) {
            m->refs--;
            f->p2m[d][g] = new_mfn(f, m->content);
        }
        f->mfns[f->p2m[d][g]].handle = 0;
    }
}

/* The domain holding the sources leaves: the others keep sharing among
 * themselves, the figures follow the host, later domains still share. */
static void test_source_domain_leaves(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;
    unsigned d;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    for (d = 0; d < 3; d++) {
        fake_dom(&f, d, 512, image);
        shr_dom_add(e, d, 512);
        shr_dom_rescan(e, d);
        scan_all(e, d, 512);
    }
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    shr_dom_remove(e, 0);
    fake_unshare_dom(&f, 0);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    assert_true(es.saved > 0);
    /* a newcomer shares into what is left */
    fake_dom(&f, 3, 512, image);
    shr_dom_add(e, 3, 512);
    shr_dom_rescan(e, 3);
    scan_all(e, 3, 512);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    shr_engine_free(e);
}

/* The balloon gives back the top frames: their sharing is over. */
static void test_balloon_shrinks_range(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;
    struct shr_dom_stats ds;
    unsigned d;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    for (d = 0; d < 2; d++) {
        fake_dom(&f, d, 1024, image);
        shr_dom_add(e, d, 1024);
        shr_dom_rescan(e, d);
        scan_all(e, d, 1024);
    }
    /* dom0 holds the sources: shrinking it must keep dom1's savings
     * right (a client stands in), and shrinking dom1 drops its own. */
    f.npages[0] = 600;
    assert_int_equal(shr_dom_add(e, 0, 600), 0);
    f.npages[1] = 700;
    assert_int_equal(shr_dom_add(e, 1, 700), 0);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    shr_dom_stats(e, 1, &ds);
    assert_int_equal(ds.npages, 700);
    /* growing again scans the new frames on the next pass */
    f.npages[1] = 1024;
    assert_int_equal(shr_dom_add(e, 1, 1024), 0);
    shr_dom_rescan(e, 1);
    scan_all(e, 1, 1024);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    shr_engine_free(e);
}

/* One unreadable frame does not hide the rest of its chunk. */
static void test_hole(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_engine_stats es;
    struct shr_dom_stats ds;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 512, image);
    fake_dom(&f, 1, 512, image);
    shr_dom_add(e, 0, 512);
    shr_dom_add(e, 1, 512);
    shr_dom_rescan(e, 0);
    shr_dom_rescan(e, 1);
    scan_all(e, 0, 512);
    f.hole_dom = 1;
    f.hole_gfn = 5; /* an image page */
    scan_all(e, 1, 512);
    shr_dom_stats(e, 1, &ds);
    /* dom1: 128 zeros + 128 image pages, minus the hole */
    assert_int_equal(ds.saved, 128 + 128 - 1);
    shr_engine_stats(e, &es);
    assert_int_equal(fake_pages(&f) - fake_frames(&f), es.saved);
    /* readable again: the next pass shares it */
    f.hole_dom = -1;
    shr_dom_rescan(e, 1);
    scan_all(e, 1, 512);
    shr_dom_stats(e, 1, &ds);
    assert_int_equal(ds.saved, 128 + 128);
    shr_engine_free(e);
}

/*
 * Frames without a page (the MMIO hole of a large HVM guest) are read as
 * absent, never nominated or compared, not counted as scanned, and cost
 * 1/64 of the budget: a pass over 1024 pages and a 1024-frame hole fits
 * in a budget of 1100.  The pages above the hole are shared.
 */
static void test_absent_frames(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_dom_stats ds;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 2048, image);
    f.abs_dom = 0;
    f.abs_lo = 512;
    f.abs_hi = 1536;
    assert_int_equal(shr_dom_add(e, 0, 2048), 0);
    shr_dom_rescan(e, 0);
    assert_true(shr_dom_scan(e, 0, 1100) <= 1100);
    assert_int_equal(shr_dom_stats(e, 0, &ds), 0);
    assert_false(ds.scanning);
    assert_int_equal(ds.passes, 1);
    assert_int_equal(ds.scanned, 1024);
    /* the zero pages (g % 4 == 0) below and above the hole, all but
     * one shared into it: those above the hole are found too */
    assert_int_equal(ds.saved, 256 - 1);
    shr_engine_free(e);
}

/* shr_dom_stop ends a pass where it stands and drops a queued one. */
static void test_stop(void **state)
{
    static struct fake f;
    struct shr_engine *e;
    struct shr_dom_stats ds;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 2048, image);
    shr_dom_add(e, 0, 2048);
    shr_dom_rescan(e, 0);
    assert_int_equal(shr_dom_scan(e, 0, 700), 700);
    shr_dom_rescan(e, 0); /* queued behind the running pass */
    shr_dom_stop(e, 0);
    shr_dom_stats(e, 0, &ds);
    assert_false(ds.scanning);
    assert_int_equal(ds.passes, 0);
    assert_int_equal(shr_dom_scan(e, 0, 700), 0);
    /* A new pass starts from frame 0. */
    shr_dom_rescan(e, 0);
    assert_int_equal(shr_dom_scan(e, 0, 100), 100);
    shr_dom_stats(e, 0, &ds);
    assert_int_equal(ds.cursor, 100);
    shr_engine_free(e);
}

/* A domain whose sharing went away mid-scan reports it. */
static void test_gone(void **state)
{
    static struct fake f;
    struct shr_engine *e;

    fake_init(&f);
    e = shr_engine_new(&fops, &f);
    fake_dom(&f, 0, 1024, image);
    shr_dom_add(e, 0, 1024);
    shr_dom_rescan(e, 0);
    assert_int_equal(shr_dom_scan(e, 0, 512), 512);
    f.gone[0] = true;
    assert_int_equal(shr_dom_scan(e, 0, 512), SHR_EGONE);
    shr_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_saves_what_contents_allow),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_write_before_nominate),
        cmocka_unit_test(test_stale_source),
        cmocka_unit_test(test_stale_source_and_stand_in),
        cmocka_unit_test(test_cow_breaks_counted),
        cmocka_unit_test(test_remove_mid_scan),
        cmocka_unit_test(test_gone),
        cmocka_unit_test(test_source_domain_leaves),
        cmocka_unit_test(test_balloon_shrinks_range),
        cmocka_unit_test(test_hole),
        cmocka_unit_test(test_collision_refused),
        cmocka_unit_test(test_absent_frames),
        cmocka_unit_test(test_stop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
