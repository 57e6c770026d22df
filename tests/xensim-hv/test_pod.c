/*
 * test_pod.c: populate on demand, video RAM and PVH on the simulated
 * host, against Xen's p2m-pod.c and libxl: a non-PV guest created with
 * memory < maxmem is PoD; `set_pod_target` behaves as
 * xc_domain_set_pod_target (errors, the cache it grows, what it leaves
 * alone); a guest that touches more than its PoD cache can back crashes
 * the way Xen crashes it; a PoD guest asked for more than its maxmem
 * stops there; video RAM and the guest types are what libxl makes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

#define MiB 1024u
#define GiB (1024u * 1024u)

static const char *const fast[] = { "--speed", "100", NULL };

/* The reply must start with "err NAME ". */
static void assert_err(struct hvt *t, const char *name, const char *req)
{
    const char *r = hvt_call(t, "%s", req);
    char want[32];

    snprintf(want, sizeof(want), "err %s ", name);
    if (strncmp(r, want, strlen(want)))
        fail_msg("'%s' answered '%s', not %s", req, r, name);
    assert_null(strchr(r, '\n'));
}

/* Xen's errors, and bad requests: nothing changes. */
static void test_set_pod_target_errors(void **state)
{
    struct hvt t;
    unsigned pv, h;
    char before[1024], req[96];

    (void)state;
    hvt_start(&t, fast);
    pv = hvt_create(&t, "name=p memory_kb=%u maxmem_kb=%u", 256 * MiB,
                    512 * MiB);
    h = hvt_create(&t,
                   "name=h type=hvm vga=none balloon=stuck "
                   "demand_kb=%u memory_kb=%u maxmem_kb=%u",
                   64 * MiB, 256 * MiB, 512 * MiB);
    snprintf(before, sizeof(before), "%s", hvt_ok(&t, "dominfo %u", h));

    assert_err(&t, "ESRCH", "set_pod_target 77 1000");
    snprintf(req, sizeof(req), "set_pod_target %u 1000", pv);
    assert_err(&t, "EINVAL", req);
    assert_int_equal(hvt_dom(&t, pv, "pod_target_kb"), 0);
    snprintf(req, sizeof(req), "set_pod_target %u %llu", h,
             (unsigned long long)hvt_dom(&t, h, "max_kb") / 4 + 1);
    assert_err(&t, "EINVAL", req);
    assert_err(&t, "EINVAL", "set_pod_target");
    snprintf(req, sizeof(req), "set_pod_target %u", h);
    assert_err(&t, "EINVAL", req);
    snprintf(req, sizeof(req), "set_pod_target %u -5", h);
    assert_err(&t, "EINVAL", req);
    snprintf(req, sizeof(req), "set_pod_target %u 12x", h);
    assert_err(&t, "EINVAL", req);
    snprintf(req, sizeof(req), "set_pod_target %u 5 6", h);
    assert_err(&t, "EINVAL", req);
    assert_err(&t, "EINVAL", "set_pod_target h 5");
    assert_err(&t, "EINVAL", "set_pod_target 99999999999 5");
    assert_string_equal(hvt_ok(&t, "dominfo %u", h), before);
    hvt_stop(&t);
}

/*
 * A PoD guest: every RAM gfn is an entry, the cache backs what it
 * touches; set_pod_target grows the cache to cover the entries (never
 * more), and never shrinks it (the balloon driver does that).
 */
static void test_set_pod_target(void **state)
{
    struct hvt t;
    unsigned h, n;
    uint64_t tot, cache, ents, max, populated, want;
    const char *r;

    (void)state;
    hvt_start(&t, fast);
    n = hvt_create(&t, "name=full type=hvm vga=none memory_kb=%u", 256 * MiB);
    assert_int_equal(hvt_dom(&t, n, "pod_entries_kb"), 0);
    assert_int_equal(hvt_dom(&t, n, "pod_cache_kb"), 0);
    h = hvt_create(&t,
                   "name=h type=hvm vga=none balloon=stuck "
                   "demand_kb=%u memory_kb=%u maxmem_kb=%u",
                   64 * MiB, 256 * MiB, 512 * MiB);
    /* The guest touched its 64 MiB: backed from the cache. */
    assert_int_equal(hvt_guest(&t, h, "populated_kb"), 64 * MiB);
    tot = hvt_dom(&t, h, "tot_kb") / 4;
    cache = hvt_dom(&t, h, "pod_cache_kb") / 4;
    ents = hvt_dom(&t, h, "pod_entries_kb") / 4;
    max = hvt_dom(&t, h, "max_kb") / 4;
    assert_true(cache > 0 && ents > cache);
    assert_true(tot <= max);
    /* The boot PoD target covers memory, the guest's RAM maxmem. */
    assert_true(hvt_dom(&t, h, "pod_target_kb") <= 256 * MiB);
    assert_int_equal(ents * 4 + 64 * MiB, hvt_guest(&t, h, "boot_ram_kb"));

    /* T' < tot: nothing (the balloon driver's job). */
    r = hvt_ok(&t, "set_pod_target %u %llu", h, (unsigned long long)tot - 100);
    assert_int_equal(hvt_u64(r, "tot_pages"), tot);
    assert_int_equal(hvt_u64(r, "pod_cache_pages"), cache);
    assert_int_equal(hvt_u64(r, "pod_entries"), ents);
    assert_int_equal(hvt_dom(&t, h, "pod_target_kb"), (tot - 100) * 4);

    /* Up by 1000 pages (maxmem raised first, as libxl does): the cache
     * grows by as much. */
    hvt_ok(&t, "setmaxmem %u %u", h, 512 * MiB + 1024);
    r = hvt_ok(&t, "set_pod_target %u %llu", h, (unsigned long long)tot + 1000);
    assert_int_equal(hvt_u64(r, "tot_pages"), tot + 1000);
    assert_int_equal(hvt_u64(r, "pod_cache_pages"), cache + 1000);
    assert_int_equal(hvt_u64(r, "pod_entries"), ents);
    assert_int_equal(hvt_dom(&t, h, "tot_kb"), (tot + 1000) * 4);

    /* To maxmem: never more cache than outstanding entries. */
    populated = tot + 1000 - (cache + 1000);
    max = hvt_dom(&t, h, "max_kb") / 4;
    r = hvt_ok(&t, "set_pod_target %u %llu", h, (unsigned long long)max);
    want = max - populated < ents ? max - populated : ents;
    assert_int_equal(hvt_u64(r, "pod_cache_pages"), want);
    assert_int_equal(hvt_u64(r, "tot_pages"), populated + want);
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/*
 * A guest that touches more than its cache can back is crashed as Xen's
 * p2m_pod_demand_populate does ("out of PoD memory"): shut down, crashed,
 * still listed until destroyed.  With the cache raised first it lives.
 */
static void test_out_of_pod_memory(void **state)
{
    struct hvt t;
    unsigned a, b;
    char req[96];

    (void)state;
    hvt_start(&t, fast);
    a = hvt_create(&t,
                   "name=a type=hvm vga=none balloon=stuck "
                   "demand_kb=%u memory_kb=%u maxmem_kb=%u",
                   64 * MiB, 256 * MiB, GiB);
    b = hvt_create(&t,
                   "name=b type=hvm vga=none balloon=stuck "
                   "demand_kb=%u memory_kb=%u maxmem_kb=%u",
                   64 * MiB, 256 * MiB, GiB);
    assert_int_equal(hvt_dom(&t, a, "crashed"), 0);
    /* b: what libxl does before a target above memory. */
    hvt_ok(&t, "setmaxmem %u %u", b, 512 * MiB + 1024);
    hvt_ok(&t, "set_pod_target %u %u", b, (512 * MiB + 1024) / 4);

    hvt_ok(&t, "guest_set %u demand_kb=%u", a, 384 * MiB);
    hvt_ok(&t, "guest_set %u demand_kb=%u", b, 384 * MiB);
    assert_int_equal(hvt_dom(&t, a, "crashed"), 1);
    assert_int_equal(hvt_dom(&t, a, "shutdown"), 1);
    assert_int_equal(hvt_dom(&t, b, "crashed"), 0);
    assert_int_equal(hvt_dom(&t, b, "shutdown"), 0);
    assert_int_equal(hvt_guest(&t, b, "populated_kb"), 384 * MiB);
    assert_int_equal(hvt_guest(&t, b, "shortfall_kb"), 0);
    assert_non_null(strstr(hvt_ok(&t, "list"), "1,2"));
    snprintf(req, sizeof(req), "guest_set %u demand_kb=1", a);
    assert_err(&t, "EINVAL", req);
    hvt_ok(&t, "check");
    hvt_ok(&t, "destroy %u", a);
    hvt_stop(&t);
}

/*
 * The bug libxl's PoD target call prevents: a target raised while the
 * balloon driver is still giving back the boot RAM, without
 * set_pod_target, lets the guest touch more than the cache.
 */
static void test_raise_without_pod_target(void **state)
{
    struct hvt t;
    unsigned a, b, i, d[2];

    (void)state;
    hvt_start(&t, fast);
    for (i = 0; i < 2; i++)
        d[i] = hvt_create(&t,
                          "name=g%u type=hvm vga=none balloon=stuck "
                          "demand_kb=%u memory_kb=%u maxmem_kb=%u",
                          i, 64 * MiB, 256 * MiB, GiB);
    a = d[0];
    b = d[1];
    for (i = 0; i < 2; i++) {
        hvt_ok(&t, "setmaxmem %u %u", d[i], 900 * MiB + 1024);
        hvt_set_target(&t, d[i], 900 * MiB);
    }
    hvt_ok(&t, "set_pod_target %u %u", b, (900 * MiB + 1024) / 4);
    for (i = 0; i < 2; i++)
        hvt_ok(&t, "guest_set %u balloon=cooperative demand_kb=%u", d[i],
               600 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, a, "crashed"), 1);
    assert_int_equal(hvt_dom(&t, b, "crashed"), 0);
    /* b ballooned down to its target; the cache covers its entries. */
    assert_int_equal(hvt_dom(&t, b, "pod_cache_kb"),
                     hvt_dom(&t, b, "pod_entries_kb"));
    assert_int_equal(hvt_guest(&t, b, "shortfall_kb"), 0);
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/*
 * A PoD guest deflates at boot to its target, its cache trimmed to the
 * entries left; a target above its maxmem leaves it stuck at maxmem.
 */
static void test_above_maxmem(void **state)
{
    struct hvt t;
    unsigned h;

    (void)state;
    hvt_start(&t, fast);
    h = hvt_create(&t,
                   "name=h type=hvm vga=none memory_kb=%u "
                   "maxmem_kb=%u",
                   256 * MiB, 512 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, h, "pod_cache_kb"),
                     hvt_dom(&t, h, "pod_entries_kb"));
    assert_true(hvt_dom(&t, h, "tot_kb") <= hvt_dom(&t, h, "max_kb"));
    hvt_set_target(&t, h, 2 * GiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, h, "tot_kb"), hvt_dom(&t, h, "max_kb"));
    assert_int_equal(hvt_guest(&t, h, "stalled"), 1);
    assert_int_equal(hvt_dom(&t, h, "crashed"), 0);
    /* Raising maxmem to static-max: it grows to that and stops. */
    hvt_ok(&t, "setmaxmem %u %u", h, 512 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, h, "tot_kb"), 512 * MiB);
    assert_int_equal(hvt_guest(&t, h, "stalled"), 1);
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/* Video RAM and guest types as libxl makes them; bad ones refused. */
static void test_videoram_and_types(void **state)
{
    struct hvt t;
    unsigned h, v;
    char path[64], *s;
    uint64_t free0;

    (void)state;
    hvt_start(&t, fast);
    free0 = hvt_phys(&t, "free_kb");
    assert_err(&t, "EINVAL",
               "create name=x type=hvm vga=stdvga "
               "videoram_kb=8192 memory_kb=262144");
    assert_err(&t, "EINVAL",
               "create name=x type=hvm vga=cirrus "
               "videoram_kb=4096 memory_kb=262144");
    assert_err(&t, "EINVAL",
               "create name=x type=hvm vga=vesa "
               "memory_kb=262144");
    assert_err(&t, "EINVAL",
               "create name=x videoram_kb=8192 "
               "memory_kb=262144");
    assert_err(&t, "EINVAL",
               "create name=x type=pvh videoram_kb=8192 "
               "memory_kb=262144");
    assert_err(&t, "EINVAL",
               "create name=x type=hvm videoram_kb=12x "
               "memory_kb=262144");
    assert_err(&t, "EINVAL",
               "create name=x type=hvm vga=qxl "
               "videoram_kb=65536 memory_kb=262144");
    assert_err(&t, "EINVAL",
               "create name=x type=hvm vga=stdvga "
               "videoram_kb=16384 memory_kb=16384");
    assert_err(&t, "EINVAL", "create name=x type=pvhx memory_kb=65536");
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=");
    assert_int_equal(hvt_phys(&t, "free_kb"), free0);

    h = hvt_create(&t,
                   "name=h type=hvm vga=stdvga videoram_kb=%u "
                   "memory_kb=%u",
                   16 * MiB, 256 * MiB);
    assert_int_equal(hvt_dom(&t, h, "videoram_kb"), 16 * MiB);
    snprintf(path, sizeof(path), "/local/domain/%u/memory/videoram", h);
    assert_int_equal(hvt_read_u64(&t, path), 16 * MiB);
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", h);
    assert_int_equal(hvt_read_u64(&t, path), 240 * MiB);
    /* tot_pages counts the video RAM beside the guest's RAM. */
    assert_true(hvt_dom(&t, h, "tot_kb") >=
                hvt_guest(&t, h, "populated_kb") + 16 * MiB);

    v = hvt_create(&t, "name=v type=pvh memory_kb=%u maxmem_kb=%u", 128 * MiB,
                   256 * MiB);
    assert_int_equal(hvt_dom(&t, v, "videoram_kb"), 0);
    assert_true(hvt_dom(&t, v, "pod_entries_kb") > 0);
    {
        char buf[16];

        assert_string_equal(
            hvt_str(hvt_ok(&t, "dominfo %u", v), "type", buf, sizeof(buf)),
            "hvm");
        assert_string_equal(hvt_str(hvt_ok(&t, "dominfo %u", v), "guest_type",
                                    buf, sizeof(buf)),
                            "pvh");
    }
    snprintf(path, sizeof(path), "/libxl/%u/type", v);
    s = hvt_read(&t, path);
    assert_string_equal(s, "pvh");
    free(s);
    hvt_ok(&t, "set_pod_target %u %u", v, 100 * MiB / 4);
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_pod_target_errors),
        cmocka_unit_test(test_set_pod_target),
        cmocka_unit_test(test_out_of_pod_memory),
        cmocka_unit_test(test_raise_without_pod_target),
        cmocka_unit_test(test_above_maxmem),
        cmocka_unit_test(test_videoram_and_types),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
