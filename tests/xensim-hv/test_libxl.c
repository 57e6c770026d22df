/*
 * test_libxl.c: domains as libxl builds them and Linux guests then show
 * them, on the simulated host: maxmem = memory + LIBXL_MAXMEM_CONSTANT
 * at creation, memory/target net of video RAM (and of the PoD fudge),
 * video RAM by vga kind, tot_pages - memory/target once ballooned (0 KiB
 * PV, +64 KiB PVH, +44 KiB HVM, as measured on Xen 4.17), and an HVM
 * guest's balloon driver that sees static-max - boot RAM less than
 * memory/target (about 16.4 MiB with stdvga).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

#define MiB 1024u
#define GiB (1024u * 1024u)
#define SLACK 1024u /* LIBXL_MAXMEM_CONSTANT */

static const char *const fast[] = { "--speed", "100", NULL };

static uint64_t node(struct hvt *t, unsigned domid, const char *rel)
{
    char path[96];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, rel);
    return hvt_read_u64(t, path);
}

/* tot_pages - memory/target, in KiB (signed). */
static long long excess(struct hvt *t, unsigned domid)
{
    return (long long)hvt_dom(t, domid, "tot_kb") -
        (long long)node(t, domid, "memory/target");
}

/* What libxl__build_pre and libxl__build_post leave. */
static void test_build(void **state)
{
    struct hvt t;
    unsigned pv, hvm, std, pod, pvh;

    (void)state;
    hvt_start(&t, fast);
    pv = hvt_create(&t, "name=pv memory_kb=%u maxmem_kb=%u", 512 * MiB, GiB);
    assert_int_equal(hvt_dom(&t, pv, "max_kb"), 512 * MiB + SLACK);
    assert_int_equal(node(&t, pv, "memory/static-max"), GiB);
    assert_int_equal(node(&t, pv, "memory/target"), 512 * MiB);
    assert_int_equal(node(&t, pv, "memory/videoram"), 0);
    assert_int_equal(hvt_dom(&t, pv, "tot_kb"), 512 * MiB);
    assert_int_equal(hvt_dom(&t, pv, "pod_entries_kb"), 0);

    /* libxl's default vga is cirrus: 8 MiB of video RAM. */
    hvm = hvt_create(&t, "name=hvm type=hvm memory_kb=%u", 512 * MiB);
    assert_int_equal(hvt_dom(&t, hvm, "videoram_kb"), 8 * MiB);
    assert_int_equal(node(&t, hvm, "memory/videoram"), 8 * MiB);
    assert_int_equal(node(&t, hvm, "memory/target"), 504 * MiB);
    assert_int_equal(hvt_dom(&t, hvm, "max_kb"), 512 * MiB + SLACK);

    std = hvt_create(&t, "name=std type=hvm vga=stdvga memory_kb=%u",
                     512 * MiB);
    assert_int_equal(hvt_dom(&t, std, "videoram_kb"), 16 * MiB);
    assert_int_equal(node(&t, std, "memory/target"), 496 * MiB);
    /* Video RAM is the domain's own pages: in tot_pages at boot. */
    assert_true(hvt_dom(&t, std, "tot_kb") >
                hvt_guest(&t, std, "populated_kb") + 16 * MiB);

    /* PoD HVM: libxl__get_targetmem_fudge adds the slack. */
    pod = hvt_create(&t,
                     "name=pod type=hvm vga=stdvga memory_kb=%u "
                     "maxmem_kb=%u",
                     512 * MiB, GiB);
    assert_int_equal(node(&t, pod, "memory/target"),
                     512 * MiB - 16 * MiB - SLACK);
    assert_int_equal(node(&t, pod, "memory/static-max"), GiB);
    assert_int_equal(hvt_dom(&t, pod, "max_kb"), 512 * MiB + SLACK);
    assert_true(hvt_dom(&t, pod, "pod_entries_kb") > 0);
    /* The boot PoD target: memory - video RAM - the VGA hole. */
    assert_int_equal(hvt_dom(&t, pod, "pod_target_kb"),
                     512 * MiB - 16 * MiB - 128);

    /* PVH: no video RAM, no fudge even as PoD (libxl: HVM only). */
    pvh = hvt_create(&t, "name=pvh type=pvh memory_kb=%u maxmem_kb=%u",
                     256 * MiB, 512 * MiB);
    assert_int_equal(node(&t, pvh, "memory/target"), 256 * MiB);
    assert_int_equal(hvt_dom(&t, pvh, "videoram_kb"), 0);
    assert_int_equal(hvt_dom(&t, pvh, "pod_target_kb"), 256 * MiB);
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/*
 * Once ballooned, tot_pages - memory/target is what Linux guests show on
 * Xen 4.17: 0 for PV, +64 KiB for PVH, +44 KiB for HVM, PoD or not; an
 * HVM guest's balloon driver aims 16 MiB + 400 KiB below memory/target
 * with stdvga.
 */
static void test_ballooned(void **state)
{
    struct hvt t;
    unsigned pv, pvh, hvm, pod, i;
    uint64_t diff;

    (void)state;
    hvt_start(&t, fast);
    pv = hvt_create(&t, "name=pv memory_kb=%u", 512 * MiB);
    pvh = hvt_create(&t, "name=pvh type=pvh memory_kb=%u maxmem_kb=%u",
                     512 * MiB, GiB);
    hvm = hvt_create(&t, "name=hvm type=hvm vga=stdvga memory_kb=%u",
                     512 * MiB);
    pod = hvt_create(&t,
                     "name=pod type=hvm vga=stdvga memory_kb=%u "
                     "maxmem_kb=%u",
                     512 * MiB, GiB);
    assert_true(hvt_settle(&t, 0));
    for (i = 0; i < 2; i++) {
        assert_int_equal(excess(&t, pv), 0);
        assert_int_equal(excess(&t, pvh), 64);
        assert_int_equal(excess(&t, hvm), 44);
        assert_int_equal(excess(&t, pod), 44);
        diff = hvt_guest(&t, hvm, "target_diff_kb");
        assert_int_equal(diff, 16 * MiB + 400);
        assert_int_equal(hvt_guest(&t, hvm, "balloon_target_kb"),
                         node(&t, hvm, "memory/target") - diff);
        assert_int_equal(hvt_guest(&t, pod, "target_diff_kb"), diff);
        assert_int_equal(hvt_guest(&t, pv, "target_diff_kb"), 0);
        assert_int_equal(hvt_guest(&t, pvh, "target_diff_kb"), 0);
        assert_int_equal(hvt_dom(&t, pod, "crashed"), 0);
        /* What `xl mem-set D 384m` writes, then the same again. */
        hvt_set_target(&t, pv, 384 * MiB);
        hvt_set_target(&t, pvh, 384 * MiB);
        hvt_set_target(&t, hvm, 384 * MiB - 16 * MiB);
        hvt_ok(&t, "set_pod_target %u %u", pod,
               (384 * MiB - 16 * MiB + SLACK) / 4);
        hvt_set_target(&t, pod, 384 * MiB - 16 * MiB);
        assert_true(hvt_settle(&t, 0));
    }
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/*
 * maxmem as Xen enforces it: a guest created with memory < maxmem cannot
 * balloon above memory + 1 MiB until maxmem is raised (xl mem-set's
 * enforce); then it grows to its target.
 */
static void test_maxmem(void **state)
{
    struct hvt t;
    unsigned pv;

    (void)state;
    hvt_start(&t, fast);
    pv = hvt_create(&t, "name=pv memory_kb=%u maxmem_kb=%u", 512 * MiB, GiB);
    hvt_set_target(&t, pv, 768 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, pv, "tot_kb"), 512 * MiB + SLACK);
    assert_int_equal(hvt_guest(&t, pv, "stalled"), 1);
    hvt_ok(&t, "setmaxmem %u %u", pv, 768 * MiB + SLACK);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, pv, "tot_kb"), 768 * MiB);
    assert_int_equal(hvt_guest(&t, pv, "stalled"), 0);
    hvt_ok(&t, "check");
    hvt_stop(&t);
}

/*
 * xl reboot: the same config (and UUID) again, a new domid; a UUID in
 * use by a running domain, or malformed, is refused and nothing is made.
 */
static void test_uuid(void **state)
{
    static const char *const u = "0b5d3c1e-7a2f-4c3b-9d1e-0123456789ab";
    struct hvt t;
    unsigned a, b;
    char buf[40], path[64], *s;
    const char *r;

    (void)state;
    hvt_start(&t, fast);
    a = hvt_create(&t, "name=a uuid=%s memory_kb=%u", u, 128 * MiB);
    assert_string_equal(
        hvt_str(hvt_ok(&t, "dominfo %u", a), "uuid", buf, sizeof(buf)), u);
    snprintf(path, sizeof(path), "/vm/%s/name", u);
    s = hvt_read(&t, path);
    assert_string_equal(s, "a");
    free(s);
    r = hvt_call(&t, "create name=b uuid=%s memory_kb=%u", u, 128 * MiB);
    assert_int_equal(strncmp(r, "err EEXIST ", 11), 0);
    r = hvt_call(&t, "create name=b uuid=0b5d3c1e-7a2f memory_kb=%u",
                 128 * MiB);
    assert_int_equal(strncmp(r, "err EINVAL ", 11), 0);
    r = hvt_call(&t,
                 "create name=b uuid=0b5d3c1e-7a2f-4c3b-9d1e-0123456789ag "
                 "memory_kb=%u",
                 128 * MiB);
    assert_int_equal(strncmp(r, "err EINVAL ", 11), 0);
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=1");
    hvt_ok(&t, "destroy %u", a);
    b = hvt_create(&t, "name=a uuid=%s memory_kb=%u", u, 128 * MiB);
    assert_true(b != a);
    assert_string_equal(
        hvt_str(hvt_ok(&t, "dominfo %u", b), "uuid", buf, sizeof(buf)), u);
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_ballooned),
        cmocka_unit_test(test_maxmem),
        cmocka_unit_test(test_uuid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
