/*
 * test_balloon.c: the guests' balloon drivers, demand, pressure and
 * meminfo, driven through xenstore (memory/target) and observed through
 * the hv channel.  xensim runs fast (--speed 100) and `settle` tells when
 * the host stopped moving.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

#define MiB 1024u
#define GiB (1024u * 1024u)

static const char *const fast[] = { "--speed", "100", NULL };

/* A cooperative guest follows its target down and up; the host gets
 * the pages back and gives them out again. */
static void test_cooperative(void **state)
{
    struct hvt t;
    unsigned d;
    uint64_t free0;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u maxmem_kb=%u", 512 * MiB, GiB);
    /* libxl builds it with maxmem = memory + 1 MiB: `xl mem-max`. */
    hvt_ok(&t, "setmaxmem %u %u", d, GiB);
    free0 = hvt_phys(&t, "free_kb");
    hvt_set_target(&t, d, 256 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 256 * MiB);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + 256 * MiB);
    hvt_set_target(&t, d, 768 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 768 * MiB);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 - 256 * MiB);
    assert_int_equal(hvt_guest(&t, d, "balloon_target_kb"), 768 * MiB);
    hvt_stop(&t);
}

/* The balloon moves at its rate: 64 MiB at 8 MiB/s takes 8 simulated s. */
static void test_rate(void **state)
{
    struct hvt t;
    unsigned d;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u balloon=slow", 512 * MiB);
    assert_int_equal(hvt_guest(&t, d, "rate_mib_s"), 8);
    /* The clock held, so the time taken is the simulated time stepped,
     * whatever the machine's load (docs/determinism.md). */
    hvt_ok(&t, "clock pause");
    hvt_set_target(&t, d, 448 * MiB);
    /* 64 MiB at 8 MiB/s: 8 s, give or take a tick (100 ms) each side. */
    hvt_ok(&t, "clock step 7800");
    assert_true(hvt_dom(&t, d, "tot_kb") > 448 * MiB);
    hvt_ok(&t, "clock step 400");
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 448 * MiB);
    /* A rate given explicitly wins: 64 MiB at 64 MiB/s, 1 s. */
    hvt_ok(&t, "guest_set %u rate_mib_s=64", d);
    hvt_set_target(&t, d, 384 * MiB);
    hvt_ok(&t, "clock step 800");
    assert_true(hvt_dom(&t, d, "tot_kb") > 384 * MiB);
    hvt_ok(&t, "clock step 400");
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 384 * MiB);
    hvt_stop(&t);
}

/* stuck reads the target but never moves; none has no driver at all. */
static void test_stuck_and_none(void **state)
{
    struct hvt t;
    unsigned s, n;

    (void)state;
    hvt_start(&t, fast);
    s = hvt_create(&t, "name=s memory_kb=%u balloon=stuck", 512 * MiB);
    n = hvt_create(&t, "name=n memory_kb=%u balloon=none", 512 * MiB);
    hvt_set_target(&t, s, 128 * MiB);
    hvt_set_target(&t, n, 128 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, s, "tot_kb"), 512 * MiB);
    assert_int_equal(hvt_dom(&t, n, "tot_kb"), 512 * MiB);
    assert_int_equal(hvt_guest(&t, s, "balloon_target_kb"), 128 * MiB);
    assert_int_equal(hvt_guest(&t, n, "balloon_target_kb"), 0);
    /* Unstuck, the driver acts on the target it already read. */
    hvt_ok(&t, "guest_set %u balloon=cooperative", s);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, s, "tot_kb"), 128 * MiB);
    /* A driver loaded later reads the current target. */
    hvt_ok(&t, "guest_set %u balloon=cooperative", n);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, n, "tot_kb"), 128 * MiB);
    hvt_stop(&t);
}

/* A target that is not a number is ignored, as xenbus_scanf does. */
static void test_garbage_target(void **state)
{
    struct hvt t;
    unsigned d;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u", 512 * MiB);
    hvt_write(&t, "/local/domain/1/memory/target", "lots");
    hvt_write(&t, "/local/domain/1/memory/target", "-5");
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 512 * MiB);
    assert_int_equal(hvt_guest(&t, d, "balloon_target_kb"), 512 * MiB);
    hvt_stop(&t);
}

/* tot_pages never passes maxmem; raising maxmem lets the guest go on. */
static void test_maxmem(void **state)
{
    struct hvt t;
    unsigned d;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u maxmem_kb=%u", 512 * MiB,
                   640 * MiB);
    /* Built with memory + LIBXL_MAXMEM_CONSTANT, as libxl__build_pre. */
    assert_int_equal(hvt_dom(&t, d, "max_kb"), 512 * MiB + 1024);
    hvt_ok(&t, "setmaxmem %u %u", d, 640 * MiB);
    hvt_set_target(&t, d, GiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 640 * MiB);
    assert_int_equal(hvt_guest(&t, d, "stalled"), 1);
    hvt_ok(&t, "setmaxmem %u %u", d, 768 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 768 * MiB);
    /* Below tot_pages is allowed (Xen >= 4.x): nothing is taken away. */
    hvt_ok(&t, "setmaxmem %u %u", d, 256 * MiB);
    assert_int_equal(hvt_dom(&t, d, "max_kb"), 256 * MiB);
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 768 * MiB);
    /* Shrinking still works, growing does not go past the new max. */
    hvt_set_target(&t, d, 128 * MiB);
    assert_true(hvt_settle(&t, 0));
    hvt_set_target(&t, d, 512 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 256 * MiB);
    assert_int_equal(strncmp(hvt_call(&t, "setmaxmem 9 1024"), "err ESRCH",
                             9), 0);
    hvt_stop(&t);
}

/* Host memory never goes below zero: a growing guest stalls, and is
 * woken when another gives memory back. */
static void test_host_full(void **state)
{
    static const char *const args[] = { "--speed", "100", "--host-mem",
                                        "3G", NULL };
    struct hvt t;
    unsigned a, b;

    (void)state;
    hvt_start(&t, args);
    a = hvt_create(&t, "name=a memory_kb=%u maxmem_kb=%u", 512 * MiB,
                   4 * GiB);
    b = hvt_create(&t, "name=b memory_kb=%u maxmem_kb=%u", 512 * MiB,
                   4 * GiB);
    hvt_ok(&t, "setmaxmem %u %u", a, 4 * GiB);
    hvt_ok(&t, "setmaxmem %u %u", b, 4 * GiB);
    assert_int_equal(hvt_phys(&t, "free_kb"), GiB);
    hvt_set_target(&t, a, 2 * GiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_phys(&t, "free_kb"), 0);
    assert_int_equal(hvt_dom(&t, a, "tot_kb"), 1536 * MiB);
    assert_int_equal(hvt_guest(&t, a, "stalled"), 1);
    /* b gives 256 MiB back: a takes it. */
    hvt_set_target(&t, b, 256 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, b, "tot_kb"), 256 * MiB);
    assert_int_equal(hvt_dom(&t, a, "tot_kb"), 1792 * MiB);
    assert_int_equal(hvt_phys(&t, "free_kb"), 0);
    /* A domain that does not fit cannot be created. */
    assert_int_equal(strncmp(hvt_call(&t, "create name=c memory_kb=65536"),
                             "err ENOMEM", 10), 0);
    /* Destroying b frees its memory, and a grows to its target. */
    hvt_ok(&t, "destroy %u", b);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, a, "tot_kb"), 2 * GiB);
    assert_int_equal(hvt_guest(&t, a, "stalled"), 0);
    hvt_stop(&t);
}

/* As Qubes' toolstack (and the balance actor) does: the guest's node. */
static void give_node(struct hvt *t, unsigned domid, const char *node)
{
    struct xs_permissions p = { .id = domid, .perms = XS_PERM_NONE };
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", domid, node);
    hvt_write(t, path, "");
    assert_true(xs_set_permissions(t->xs, XBT_NULL, path, &p, 1));
}

static char *node(struct hvt *t, unsigned domid, const char *name)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", domid, name);
    return hvt_read(t, path);
}

static uint64_t meminfo(struct hvt *t, unsigned domid)
{
    char *v = node(t, domid, "meminfo"), *end;
    uint64_t n;

    assert_non_null(v);
    n = strtoull(v, &end, 10);
    if (!*v || *end)
        fail_msg("meminfo '%s' is not one number", v);
    free(v);
    return n;
}

static uint64_t meminfo_field(struct hvt *t, unsigned domid,
                              const char *field)
{
    char *v = node(t, domid, "meminfo"), *p;
    uint64_t n;

    assert_non_null(v);
    p = strstr(v, field);
    if (!p)
        fail_msg("no %s in meminfo '%s'", field, v);
    n = strtoull(p + strlen(field) + 1, NULL, 10);
    free(v);
    return n;
}

/*
 * libxl does not create memory/meminfo: the guest's writer is refused
 * until the toolstack makes the node the guest's, then reports at once.
 */
static void test_meminfo_node(void **state)
{
    struct hvt t;
    unsigned d;
    char *v;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u demand_kb=%u", 512 * MiB,
                   300 * MiB);
    assert_null(node(&t, d, "meminfo"));
    give_node(&t, d, "meminfo");
    assert_int_equal(meminfo(&t, d), 300 * MiB);
    /* No writer in the guest: nothing is written. */
    d = hvt_create(&t, "name=b memory_kb=%u meminfo=none", 512 * MiB);
    give_node(&t, d, "meminfo");
    v = node(&t, d, "meminfo");
    assert_string_equal(v, "");
    free(v);
    hvt_stop(&t);
}

/* Demand above resident memory is pressure; used memory counts swap. */
static void test_demand_pressure_meminfo(void **state)
{
    struct hvt t;
    unsigned d;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u maxmem_kb=%u demand_kb=%u",
                   512 * MiB, GiB, 300 * MiB);
    give_node(&t, d, "meminfo");
    assert_int_equal(meminfo(&t, d), 300 * MiB);
    assert_int_equal(hvt_guest(&t, d, "shortfall_kb"), 0);

    hvt_set_target(&t, d, 256 * MiB);
    assert_true(hvt_settle(&t, 0));
    /* 300 MiB wanted, 256 MiB resident: 44 MiB short, swapped. */
    assert_int_equal(hvt_guest(&t, d, "shortfall_kb"), 44 * MiB);
    assert_int_equal(hvt_guest(&t, d, "shortfall_max_kb"), 44 * MiB);
    /* Used memory (RAM + swap) did not change. */
    assert_int_equal(meminfo(&t, d), 300 * MiB);
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 400 * MiB);
    assert_int_equal(hvt_guest(&t, d, "shortfall_kb"), 144 * MiB);
    assert_int_equal(hvt_guest(&t, d, "shortfall_max_kb"), 144 * MiB);
    assert_int_equal(meminfo(&t, d), 400 * MiB);

    /* One simulated second of 144 MiB short. */
    hvt_ok(&t, "wait 1000");
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 100 * MiB);
    assert_int_equal(hvt_guest(&t, d, "shortfall_kb"), 0);
    assert_int_equal(hvt_guest(&t, d, "shortfall_max_kb"), 144 * MiB);
    assert_true(hvt_guest(&t, d, "shortfall_kb_s") >= 144 * MiB);
    assert_int_equal(meminfo(&t, d), 100 * MiB);
    assert_int_equal(strncmp(hvt_call(&t, "guest_set %u demand_kb=x", d),
                             "err EINVAL", 10), 0);
    hvt_stop(&t);
}

/* The old /proc/meminfo subset, only when asked for. */
static void test_meminfo_legacy(void **state)
{
    struct hvt t;
    unsigned d;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u demand_kb=%u meminfo=legacy",
                   512 * MiB, 300 * MiB);
    give_node(&t, d, "meminfo");
    assert_int_equal(meminfo_field(&t, d, "MemTotal:"), 512 * MiB);
    assert_int_equal(meminfo_field(&t, d, "MemFree:"), 212 * MiB);
    hvt_set_target(&t, d, 256 * MiB);
    assert_true(hvt_settle(&t, 0));
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 400 * MiB);
    assert_int_equal(meminfo_field(&t, d, "MemTotal:"), 256 * MiB);
    assert_int_equal(meminfo_field(&t, d, "MemFree:"), 0);
    assert_int_equal(meminfo_field(&t, d, "SwapTotal:") -
                     meminfo_field(&t, d, "SwapFree:"), 144 * MiB);
    hvt_stop(&t);
}

/*
 * meminfo-writer's rule: a change of more than 30000 kB; near the top
 * (used above 10/13 of MemTotal) growth of more than half that.
 */
static void test_meminfo_threshold(void **state)
{
    struct hvt t;
    unsigned d;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u demand_kb=%u", 512 * MiB,
                   200 * MiB);
    give_node(&t, d, "meminfo");
    assert_int_equal(meminfo(&t, d), 200 * MiB);
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 200 * MiB + 20000);
    assert_int_equal(meminfo(&t, d), 200 * MiB);
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 200 * MiB + 30001);
    assert_int_equal(meminfo(&t, d), 200 * MiB + 30001);
    /* Falling by 20000 kB: quiet. */
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 200 * MiB + 10001);
    assert_int_equal(meminfo(&t, d), 200 * MiB + 30001);
    /* Near the top (> 10/13 of 512 MiB = 394 MiB), growth of 20000 kB
     * is told, a fall of 20000 kB is not. */
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 420 * MiB);
    assert_int_equal(meminfo(&t, d), 420 * MiB);
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 420 * MiB + 20000);
    assert_int_equal(meminfo(&t, d), 420 * MiB + 20000);
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 420 * MiB);
    assert_int_equal(meminfo(&t, d), 420 * MiB + 20000);
    /* Growth of 14000 kB (under half the threshold): quiet. */
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 420 * MiB + 34000);
    assert_int_equal(meminfo(&t, d), 420 * MiB + 20000);
    hvt_stop(&t);
}

/*
 * Workload noise: the guest reports on its own while it works, with
 * no demand step; and guestinfo only reads.
 */
static void test_meminfo_noise(void **state)
{
    struct hvt t;
    unsigned d;
    uint64_t first, demand;
    char *v;
    int i;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u demand_kb=%u noise_kb=%u",
                   512 * MiB, 200 * MiB, 100 * MiB);
    give_node(&t, d, "meminfo");
    first = meminfo(&t, d);
    for (i = 0; i < 60 && meminfo(&t, d) == first; i++)
        hvt_ok(&t, "wait 1000");
    assert_true(meminfo(&t, d) != first);
    demand = hvt_guest(&t, d, "demand_kb");
    assert_true(demand >= 100 * MiB && demand <= 300 * MiB);
    assert_int_equal(hvt_guest(&t, d, "noise_kb"), 100 * MiB);
    /* No noise: the last report stays. */
    hvt_ok(&t, "guest_set %u noise_kb=0 demand_kb=%u", d, 200 * MiB);
    v = node(&t, d, "meminfo");
    hvt_ok(&t, "wait 5000");
    first = strtoull(v, NULL, 10);
    assert_int_equal(meminfo(&t, d), first);
    free(v);
    /* guestinfo changes nothing: with meminfo pending behind a refused
     * node, asking does not write it. */
    d = hvt_create(&t, "name=b memory_kb=%u demand_kb=%u", 512 * MiB,
                   100 * MiB);
    hvt_call(&t, "guestinfo %u", d);
    hvt_call(&t, "guestinfo %u", d);
    assert_null(node(&t, d, "meminfo"));
    hvt_stop(&t);
}

/* PSI: memory/pressure follows the share of the working set swapped. */
static void test_psi(void **state)
{
    struct hvt t;
    unsigned d;
    char *v;
    int i;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=a memory_kb=%u demand_kb=%u psi=1", 512 * MiB,
                   200 * MiB);
    give_node(&t, d, "pressure");
    v = node(&t, d, "pressure");
    assert_string_equal(v, "0.00");
    free(v);
    /* Half the working set swapped: avg10 climbs towards 50. */
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 1024 * MiB);
    hvt_set_target(&t, d, 512 * MiB);
    for (i = 0; i < 30; i++)
        hvt_ok(&t, "wait 1000");
    v = node(&t, d, "pressure");
    if (strtod(v, NULL) < 40 || strtod(v, NULL) > 50)
        fail_msg("pressure '%s' after 30 s at 50%% swapped", v);
    free(v);
    /* No pressure: back to 0.00 eventually. */
    hvt_ok(&t, "guest_set %u demand_kb=%u", d, 100 * MiB);
    for (i = 0; i < 200; i++)
        hvt_ok(&t, "wait 1000");
    v = node(&t, d, "pressure");
    assert_string_equal(v, "0.00");
    free(v);
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cooperative),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_stuck_and_none),
        cmocka_unit_test(test_garbage_target),
        cmocka_unit_test(test_maxmem),
        cmocka_unit_test(test_host_full),
        cmocka_unit_test(test_meminfo_node),
        cmocka_unit_test(test_demand_pressure_meminfo),
        cmocka_unit_test(test_meminfo_legacy),
        cmocka_unit_test(test_meminfo_threshold),
        cmocka_unit_test(test_meminfo_noise),
        cmocka_unit_test(test_psi),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
