/*
 * test_sharing.c: the page-sharing model against Xen's memshr rules,
 * through the hv channel: errors, page fingerprints, nominate/share and
 * their accounting, stale handles, copy on write, disable, what
 * ballooning does to shared pages, guest frames (the MMIO hole, RAM
 * above 4 GiB) and what mapping PoD or paged-out frames does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

#define MiB 1024u

static const char *const fast[] = { "--speed", "100", NULL };

static void expect_err(struct hvt *t, const char *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void expect_err(struct hvt *t, const char *err, const char *fmt, ...)
{
    char req[512];
    const char *r;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(req, sizeof(req), fmt, ap);
    va_end(ap);
    r = hvt_call(t, "%s", req);
    if (strncmp(r, err, strlen(err)) || r[strlen(err)] != ' ')
        fail_msg("'%s': expected %s, got '%s'", req, err, r);
}

static uint64_t nominate(struct hvt *t, unsigned domid, uint64_t gfn)
{
    return hvt_u64(hvt_ok(t, "nominate %u %llu", domid,
                          (unsigned long long)gfn), "handle");
}

/* Hashes of count pages from gfn, into out. */
static void hashes(struct hvt *t, unsigned domid, unsigned gfn,
                   unsigned count, uint64_t *out)
{
    const char *r = hvt_ok(t, "page_hashes %u %u %u", domid, gfn, count);
    const char *p = strstr(r, " hashes=");
    unsigned i;

    assert_non_null(p);
    p += 8;
    for (i = 0; i < count; i++) {
        char *end;

        out[i] = strtoull(p, &end, 16);
        assert_int_equal(end - p, 16);
        p = end + (*end == ',');
    }
    assert_true(*p == 0);
}

/* Sharing needs an HVM guest with HAP and a hypervisor with the feature. */
static void test_errors(void **state)
{
    static const char *const nosh[] = { "--no-sharing", NULL };
    struct hvt t;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t, "name=pv memory_kb=65536");
    hvt_create(&t, "name=nohap type=hvm hap=0 memory_kb=65536");
    hvt_create(&t, "name=hvm type=hvm vga=none memory_kb=65536");
    expect_err(&t, "err EOPNOTSUPP", "sharing_enable 1");
    expect_err(&t, "err ENODEV", "sharing_enable 2");
    /* The memops enable sharing on first use, and fail the same way. */
    expect_err(&t, "err EOPNOTSUPP", "nominate 1 0");
    expect_err(&t, "err ENODEV", "nominate 2 0");
    expect_err(&t, "err ESRCH", "nominate 9 0");
    assert_int_equal(hvt_dom(&t, 3, "sharing"), 0);
    nominate(&t, 3, 0);
    assert_int_equal(hvt_dom(&t, 3, "sharing"), 1);
    /* Enabling is idempotent, as mem_sharing_control is. */
    hvt_ok(&t, "sharing_enable 3");
    hvt_ok(&t, "sharing_enable 3");
    /* Bad gfns and ranges. */
    expect_err(&t, "err EINVAL", "nominate 3 16384");
    expect_err(&t, "err EINVAL", "page_hashes 3 0 0");
    expect_err(&t, "err EINVAL", "page_hashes 3 0 513");
    expect_err(&t, "err EINVAL", "page_hashes 3 16380 8");
    expect_err(&t, "err EINVAL", "share 3 0 1 3");
    hvt_stop(&t);

    hvt_start(&t, nosh);
    hvt_create(&t, "name=hvm type=hvm vga=none memory_kb=65536");
    expect_err(&t, "err ENOSYS", "sharing_enable 1");
    expect_err(&t, "err ENOSYS", "nominate 1 0");
    expect_err(&t, "err ENOSYS", "share 1 0 1 1 1 2");
    hvt_stop(&t);
}

/* Fingerprints follow the profile: zero pages alike everywhere, image
 * pages alike across the image, the rest unique. */
static void test_fingerprints(void **state)
{
    uint64_t a[64], b[64], c[64], z[64];
    struct hvt t;
    unsigned i, zeros = 0, same_ab = 0, same_ac = 0;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t,
               "name=a type=hvm vga=none memory_kb=65536 share_image=deb "
               "share_shared=1");
    hvt_create(&t,
               "name=b type=hvm vga=none memory_kb=65536 share_image=deb "
               "share_shared=1");
    hvt_create(&t, "name=c type=hvm vga=none memory_kb=65536");
    hvt_create(&t, "name=z type=hvm vga=none memory_kb=65536 share_zero=1");
    /* gfns 256.. (above the VGA hole 0xA0-0xBF of an HVM guest) */
    hashes(&t, 1, 256, 64, a);
    hashes(&t, 2, 256, 64, b);
    hashes(&t, 3, 256, 64, c);
    hashes(&t, 4, 256, 64, z);
    for (i = 0; i < 64; i++) {
        same_ab += a[i] == b[i];
        same_ac += a[i] == c[i];
        zeros += z[i] == z[0];
    }
    assert_int_equal(same_ab, 64);
    assert_int_equal(same_ac, 0);
    assert_int_equal(zeros, 64);
    /* Distinct pages within one domain differ. */
    assert_true(a[0] != a[1] && c[0] != c[1]);
    /* The same question gets the same answer. */
    hashes(&t, 3, 256, 64, b);
    assert_memory_equal(b, c, sizeof(c));
    hvt_stop(&t);
}

/* nominate/share accounting as in mem_sharing.c. */
static void test_nominate_share(void **state)
{
    struct hvt t;
    uint64_t h1, h2, free0, tot0;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t,
               "name=a type=hvm vga=none memory_kb=65536 share_image=deb "
               "share_shared=1");
    hvt_create(&t,
               "name=b type=hvm vga=none memory_kb=65536 share_image=deb "
               "share_shared=1");
    free0 = hvt_phys(&t, "free_kb");
    tot0 = hvt_dom(&t, 1, "tot_kb");
    h1 = nominate(&t, 1, 7);
    /* Nominating again gives the same handle. */
    assert_int_equal(nominate(&t, 1, 7), h1);
    /* The page went to dom_cow: out of tot_pages, still host memory. */
    assert_int_equal(hvt_dom(&t, 1, "tot_kb"), tot0 - 4);
    assert_int_equal(hvt_dom(&t, 1, "shared_kb"), 4);
    assert_int_equal(hvt_phys(&t, "shared_kb"), 4);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0);
    h2 = nominate(&t, 2, 7);
    assert_true(h2 != h1);
    assert_int_equal(hvt_phys(&t, "shared_kb"), 8);
    hvt_ok(&t, "share 1 7 %llu 2 7 %llu", (unsigned long long)h1,
           (unsigned long long)h2);
    /* One frame for both: a page saved, back to the host. */
    assert_int_equal(hvt_phys(&t, "shared_kb"), 4);
    assert_int_equal(hvt_phys(&t, "freed_by_sharing_kb"), 4);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + 4);
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 4);
    /* Both gfns now name the source frame. */
    assert_int_equal(nominate(&t, 2, 7), h1);
    /* Sharing again is a no-op; the client's old handle is dead. */
    hvt_ok(&t, "share 1 7 %llu 2 7 %llu", (unsigned long long)h1,
           (unsigned long long)h1);
    expect_err(&t, "err EBADF", "share 1 7 %llu 2 8 %llu",
               (unsigned long long)h1, (unsigned long long)h2);
    assert_int_equal(hvt_guest(&t, 2, "bad_shares"), 0);
    /* The sharer's resident memory did not change: no pressure. */
    assert_int_equal(hvt_guest(&t, 2, "shortfall_kb"), 0);
    hvt_stop(&t);
}

/* A write invalidates handles: the last user's page becomes private. */
static void test_stale_handles(void **state)
{
    struct hvt t;
    uint64_t h1, h2, h3;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t, "name=a type=hvm vga=none memory_kb=65536");
    hvt_create(&t, "name=b type=hvm vga=none memory_kb=65536");
    h1 = nominate(&t, 1, 3);
    h2 = nominate(&t, 2, 3);
    hvt_ok(&t, "guest_write 2 3");
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 0);
    expect_err(&t, "err EBADF", "share 1 3 %llu 2 3 %llu",
               (unsigned long long)h1, (unsigned long long)h2);
    /* Nominating again gives a new handle. */
    h3 = nominate(&t, 2, 3);
    assert_true(h3 != h2);
    hvt_ok(&t, "guest_write 1 3");
    expect_err(&t, "err ECHILD", "share 1 3 %llu 2 3 %llu",
               (unsigned long long)h1, (unsigned long long)h3);
    /* A page nobody nominated is not shared. */
    expect_err(&t, "err ECHILD", "share 1 4 1 2 3 %llu",
               (unsigned long long)h3);
    /* Xen shares whatever it is told; xensim counts different contents. */
    h1 = nominate(&t, 1, 9);
    hvt_ok(&t, "share 1 9 %llu 2 3 %llu", (unsigned long long)h1,
           (unsigned long long)h3);
    assert_int_equal(hvt_guest(&t, 2, "bad_shares"), 1);
    hvt_stop(&t);
}

/* Copy on write: a write to a page with other users gets a copy. */
static void test_copy_on_write(void **state)
{
    static const char *const args[] = { "--speed", "100", "--host-mem",
                                        "2G", NULL };
    struct hvt t;
    uint64_t h1, h2, free0, tot0;

    (void)state;
    hvt_start(&t, args);
    hvt_create(&t, "name=a type=hvm vga=none memory_kb=65536 share_zero=1");
    hvt_create(&t, "name=b type=hvm vga=none memory_kb=65536 share_zero=1");
    h1 = nominate(&t, 1, 5);
    h2 = nominate(&t, 2, 5);
    hvt_ok(&t, "share 1 5 %llu 2 5 %llu", (unsigned long long)h1,
           (unsigned long long)h2);
    free0 = hvt_phys(&t, "free_kb");
    tot0 = hvt_dom(&t, 2, "tot_kb");
    hvt_ok(&t, "guest_write 2 5");
    assert_int_equal(hvt_dom(&t, 2, "cow_breaks"), 1);
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 0);
    assert_int_equal(hvt_dom(&t, 2, "tot_kb"), tot0 + 4);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 - 4);
    assert_int_equal(hvt_phys(&t, "freed_by_sharing_kb"), 0);
    /* a keeps the frame and its handle. */
    assert_int_equal(hvt_dom(&t, 1, "shared_kb"), 4);
    assert_int_equal(nominate(&t, 1, 5), h1);
    /* The written page has new content. */
    {
        uint64_t ha, hb;

        hashes(&t, 1, 5, 1, &ha);
        hashes(&t, 2, 5, 1, &hb);
        assert_true(ha != hb);
    }
    /* No free page for a copy: the write fails and is counted. */
    h2 = nominate(&t, 2, 6);
    hvt_ok(&t, "share 1 5 %llu 2 6 %llu", (unsigned long long)h1,
           (unsigned long long)h2);
    hvt_create(&t, "name=hog memory_kb=%llu",
               (unsigned long long)hvt_phys(&t, "free_kb"));
    assert_int_equal(hvt_phys(&t, "free_kb"), 0);
    expect_err(&t, "err ENOMEM", "guest_write 2 6");
    assert_int_equal(hvt_guest(&t, 2, "cow_failed"), 1);
    hvt_stop(&t);
}

/* Guests write to shared pages at their rate until none are left. */
static void test_cow_rate(void **state)
{
    struct hvt t;
    uint64_t h, hc;
    unsigned g;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t, "name=a type=hvm vga=none memory_kb=65536 share_zero=1");
    hvt_create(&t,
               "name=b type=hvm vga=none memory_kb=65536 share_zero=1 "
               "cow_per_s=10");
    /* Held while the pages are shared: b's writer, on the running clock,
     * could write a page between its nominate and its share (a stale
     * handle, failed once at load). */
    hvt_ok(&t, "clock pause");
    h = nominate(&t, 1, 0);
    for (g = 0; g < 20; g++) {
        hc = nominate(&t, 2, g);
        hvt_ok(&t, "share 1 0 %llu 2 %u %llu", (unsigned long long)h, g,
               (unsigned long long)hc);
    }
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 80);
    /* 20 pages at 10 writes/s: about 2 simulated seconds. */
    hvt_ok(&t, "clock resume");
    assert_true(hvt_settle(&t, 60000));
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 0);
    assert_int_equal(hvt_dom(&t, 2, "cow_breaks"), 20);
    assert_int_equal(hvt_dom(&t, 1, "shared_kb"), 4);
    hvt_stop(&t);
}

/*
 * sharing_disable does what Xen's mem_sharing_control does: it clears
 * the domain's flag and nothing else.  Shared pages stay shared (and the
 * memory they saved stays free) until the guest writes them; a domain
 * with sharing off cannot be a share's client (EINVAL), and its next
 * nominate enables sharing again (mem_sharing_memop).
 */
static void test_disable(void **state)
{
    struct hvt t;
    uint64_t h1, h2, free0, tot0;
    unsigned g;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t, "name=a type=hvm vga=none memory_kb=65536 share_zero=1");
    hvt_create(&t, "name=b type=hvm vga=none memory_kb=65536 share_zero=1");
    free0 = hvt_phys(&t, "free_kb");
    tot0 = hvt_dom(&t, 2, "tot_kb");
    for (g = 0; g < 8; g++) {
        h1 = nominate(&t, 1, g);
        h2 = nominate(&t, 2, g);
        hvt_ok(&t, "share 1 %u %llu 2 %u %llu", g, (unsigned long long)h1, g,
               (unsigned long long)h2);
    }
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + 32);
    hvt_ok(&t, "sharing_disable 2");
    assert_int_equal(hvt_dom(&t, 2, "sharing"), 0);
    /* Still shared, still saving. */
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 32);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + 32);
    assert_int_equal(hvt_dom(&t, 2, "tot_kb"), tot0 - 32);
    /* Off is off for a client: Xen's share refuses it. */
    h1 = nominate(&t, 1, 20);
    expect_err(&t, "err EINVAL", "share 1 20 %llu 2 20 1",
               (unsigned long long)h1);
    assert_int_equal(hvt_dom(&t, 2, "sharing"), 0);
    hvt_ok(&t, "check");
    /* A write still unshares (copy on write), one page at a time. */
    hvt_ok(&t, "guest_write 2 3");
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 28);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + 28);
    /* Its next nominate switches sharing on again. */
    nominate(&t, 2, 20);
    assert_int_equal(hvt_dom(&t, 2, "sharing"), 1);
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/* One reply's hashes field, "!ERRNO" entries kept as text. */
static void hash_tokens(struct hvt *t, unsigned domid, unsigned long long gfn,
                        unsigned count, char tok[][20])
{
    const char *r = hvt_ok(t, "page_hashes %u %llu %u", domid, gfn, count);
    const char *p = strstr(r, " hashes=");
    unsigned i;

    assert_non_null(p);
    p += 8;
    for (i = 0; i < count; i++) {
        size_t n = strcspn(p, ",");

        assert_true(n > 0 && n < 20);
        memcpy(tok[i], p, n);
        tok[i][n] = 0;
        p += n + (p[n] == ',');
    }
    assert_true(*p == 0);
}

/*
 * Guest frames as libxl lays them out: an HVM guest bigger than the room
 * below its MMIO hole has the rest of its RAM from 4 GiB; max_gpfn is the
 * last frame there; pfn_types shows the hole as XTAB; mapping a hole
 * frame fails and is counted (hole_maps), a RAM frame above 4 GiB reads.
 */
static void test_physmap(void **state)
{
    static const char *const big[] = { "--speed", "100", "--host-mem", "8G",
                                       NULL };
    char tok[4][20];
    const char *r;
    struct hvt t;

    (void)state;
    hvt_start(&t, big);
    /* 4 GiB of RAM, a 1 GiB hole (xl's mmio_hole=1024): 3 GiB below it
     * (less the VGA hole's 32 pages), the rest from 4 GiB. */
    hvt_create(&t, "name=big type=hvm vga=none memory_kb=4194304 "
               "mmio_hole_kb=1048576");
    hvt_create(&t, "name=pv memory_kb=65536");
    r = hvt_ok(&t, "maximum_gpfn 1");
    /* RAM pages: 1048576 - 100 (firmware map holes); below the hole:
     * 0xC0000 - 32; above: the rest, from 0x100000. */
    assert_int_equal(hvt_u64(r, "max_gpfn"),
                     0x100000 + (1048576 - 100) - (0xC0000 - 32) - 1);
    r = hvt_ok(&t, "maximum_gpfn 2");
    assert_int_equal(hvt_u64(r, "max_gpfn"), 16383);
    r = hvt_ok(&t, "pfn_types 1 %u 4", 0xBFFFE);
    assert_string_equal(strstr(r, "types="), "types=rrxx");
    r = hvt_ok(&t, "pfn_types 1 %u 3", 0x9F);
    assert_string_equal(strstr(r, "types="), "types=rxx");
    r = hvt_ok(&t, "pfn_types 1 %u 2", 0xFFFFF);
    assert_string_equal(strstr(r, "types="), "types=xr");
    expect_err(&t, "err E2BIG", "pfn_types 1 0 1025");
    assert_int_equal(hvt_guest(&t, 1, "hole_maps"), 0);
    hash_tokens(&t, 1, 0xBFFFF, 2, tok);
    assert_int_equal(strlen(tok[0]), 16);
    assert_string_equal(tok[1], "!EINVAL");
    assert_int_equal(hvt_guest(&t, 1, "hole_maps"), 1);
    hash_tokens(&t, 1, 0x100000, 1, tok);
    assert_int_equal(strlen(tok[0]), 16);
    /* Beyond max_gpfn: the range is refused. */
    expect_err(&t, "err EINVAL", "page_hashes 1 %u 1",
               0x100000 + (1048576 - 100) - (0xC0000 - 32));
    /* nominate and share take guest frames: the hole is not RAM. */
    expect_err(&t, "err EINVAL", "nominate 1 %u", 0xC0000);
    nominate(&t, 1, 0x100010);
    assert_int_equal(hvt_dom(&t, 1, "shared_kb"), 4);
    hvt_ok(&t, "check");
    expect_err(&t, "err EINVAL", "create name=x memory_kb=65536 "
               "mmio_hole_kb=1048576");
    expect_err(&t, "err EINVAL", "create name=x type=hvm memory_kb=65536 "
               "mmio_hole_kb=4096");
    hvt_stop(&t);
}

/*
 * Xen's side effects of looking at frames: a PoD entry is populated from
 * the cache (by pfn_types or a mapping, both P2M_ALLOC), a paged-out
 * frame fails to map (ENOENT) and is paged back in.
 */
static void test_map_side_effects(void **state)
{
    char tok[4][20];
    uint64_t ents, cache, paged, pop;
    const char *r;
    struct hvt t;
    unsigned i;

    (void)state;
    hvt_start(&t, fast);
    /* PoD: memory < maxmem; every RAM frame starts as an entry. */
    hvt_create(&t, "name=pod type=pvh memory_kb=65536 maxmem_kb=131072 "
               "demand_kb=16384");
    assert_true(hvt_settle(&t, 0));
    ents = hvt_dom(&t, 1, "pod_entries_kb");
    cache = hvt_dom(&t, 1, "pod_cache_kb");
    assert_true(ents > 0 && cache > 0);
    /* The entries follow the backed RAM (a PVH guest has no VGA hole);
     * the highest frames were ballooned out at boot (nothing there). */
    pop = hvt_guest(&t, 1, "populated_kb") / 4;
    r = hvt_ok(&t, "maximum_gpfn 1");
    hash_tokens(&t, 1, hvt_u64(r, "max_gpfn"), 1, tok);
    assert_string_equal(tok[0], "!EINVAL");
    assert_int_equal(hvt_guest(&t, 1, "pod_maps"), 0);
    hash_tokens(&t, 1, pop + 1, 1, tok);
    assert_string_equal(tok[0], "5a45524f50414745"); /* a zeroed page */
    assert_int_equal(hvt_dom(&t, 1, "pod_entries_kb"), ents - 4);
    assert_int_equal(hvt_dom(&t, 1, "pod_cache_kb"), cache - 4);
    assert_int_equal(hvt_guest(&t, 1, "pod_maps"), 1);
    r = hvt_ok(&t, "pfn_types 1 %llu 1", (unsigned long long)pop + 2);
    assert_string_equal(strstr(r, "types="), "types=r");
    assert_int_equal(hvt_dom(&t, 1, "pod_entries_kb"), ents - 8);
    hvt_ok(&t, "check");

    /* Paging: the highest private pages are the ones out. */
    hvt_create(&t, "name=pg type=hvm vga=none memory_kb=65536");
    hvt_ok(&t, "pager_start 2 /var/lib/xen/xenpaging/2.paging");
    hvt_write(&t, "/local/domain/2/memory/target-tot_pages", "32768");
    assert_true(hvt_settle(&t, 0));
    paged = hvt_dom(&t, 2, "paged_kb");
    assert_true(paged > 0);
    r = hvt_ok(&t, "maximum_gpfn 2");
    hash_tokens(&t, 2, hvt_u64(r, "max_gpfn") - 3, 4, tok);
    for (i = 0; i < 4; i++)
        assert_string_equal(tok[i], "!ENOENT");
    assert_int_equal(hvt_guest(&t, 2, "paged_maps"), 4);
    /* The pager brought them back in (the pager then evicts others to
     * hold its target: not waited for here). */
    assert_int_equal(hvt_dom(&t, 2, "paged_kb"), paged - 16);
    r = hvt_ok(&t, "pfn_types 2 0 2");
    assert_string_equal(strstr(r, "types="), "types=rr");
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/* Ballooning out shared gfns drops their sharing; destroying a sharer
 * leaves the other's pages intact. */
static void test_balloon_and_destroy(void **state)
{
    struct hvt t;
    uint64_t h1, h2, free0, tot0;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t, "name=a type=hvm vga=none memory_kb=65536 share_zero=1");
    hvt_create(&t, "name=b type=hvm vga=none memory_kb=65536 share_zero=1");
    /* gfn 16000 is near the top of b's 16384 pages. */
    h1 = nominate(&t, 1, 100);
    h2 = nominate(&t, 2, 16000);
    hvt_ok(&t, "share 1 100 %llu 2 16000 %llu", (unsigned long long)h1,
           (unsigned long long)h2);
    free0 = hvt_phys(&t, "free_kb");
    tot0 = hvt_dom(&t, 2, "tot_kb") + 4; /* + the gfn that is shared */
    hvt_write(&t, "/local/domain/2/memory/target", "32768");
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 0);
    /* An HVM guest holds 44 KiB of firmware beyond its target. */
    assert_int_equal(hvt_dom(&t, 2, "tot_kb"), 32768 + 44);
    /* What b gave back came back; the shared frame stays for a. */
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + tot0 - (32768 + 44) - 4);
    assert_int_equal(hvt_phys(&t, "shared_kb"), 4);
    h2 = nominate(&t, 2, 10);
    hvt_ok(&t, "share 1 100 %llu 2 10 %llu", (unsigned long long)h1,
           (unsigned long long)h2);
    hvt_ok(&t, "destroy 1");
    assert_int_equal(hvt_dom(&t, 2, "shared_kb"), 4);
    assert_int_equal(hvt_phys(&t, "shared_kb"), 4);
    hvt_ok(&t, "guest_write 2 10");
    assert_int_equal(hvt_phys(&t, "shared_kb"), 0);
    assert_int_equal(hvt_dom(&t, 2, "tot_kb"), 32768 + 44);
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_fingerprints),
        cmocka_unit_test(test_nominate_share),
        cmocka_unit_test(test_stale_handles),
        cmocka_unit_test(test_copy_on_write),
        cmocka_unit_test(test_cow_rate),
        cmocka_unit_test(test_disable),
        cmocka_unit_test(test_balloon_and_destroy),
        cmocka_unit_test(test_physmap),
        cmocka_unit_test(test_map_side_effects),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
