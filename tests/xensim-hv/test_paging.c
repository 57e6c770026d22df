/*
 * test_paging.c: the xenpaging model and Xen's errors for paging control:
 * memory/target-tot_pages written through xenstore, paging state read
 * through the hv channel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

#define MiB 1024u
#define GiB (1024u * 1024u)

static const char *const fast[] = { "--speed", "100", NULL };

static void set_paging_target(struct hvt *t, unsigned domid, uint64_t kb)
{
    char path[80], val[32];

    snprintf(path, sizeof(path), "/local/domain/%u/memory/target-tot_pages",
             domid);
    snprintf(val, sizeof(val), "%llu", (unsigned long long)kb);
    hvt_write(t, path, val);
}

static void expect_err(struct hvt *t, const char *err, const char *req)
{
    const char *r = hvt_call(t, "%s", req);

    if (strncmp(r, err, strlen(err)) || r[strlen(err)] != ' ')
        fail_msg("'%s': expected %s, got '%s'", req, err, r);
}

/* Paging needs HAP: ENODEV for PV and for HVM without HAP; EBUSY twice;
 * ESRCH for no domain. */
static void test_errors(void **state)
{
    struct hvt t;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t, "name=pv memory_kb=65536");
    hvt_create(&t, "name=nohap type=hvm hap=0 memory_kb=65536");
    hvt_create(&t, "name=hvm type=hvm memory_kb=65536");
    expect_err(&t, "err ENODEV", "paging_enable 1");
    expect_err(&t, "err ENODEV", "paging_enable 2");
    expect_err(&t, "err ESRCH", "paging_enable 9");
    hvt_ok(&t, "paging_enable 3");
    expect_err(&t, "err EBUSY", "paging_enable 3");
    assert_int_equal(hvt_dom(&t, 3, "paging"), 1);
    assert_int_equal(hvt_dom(&t, 1, "paging"), 0);
    hvt_ok(&t, "paging_disable 3");
    hvt_ok(&t, "paging_disable 3");
    assert_int_equal(hvt_dom(&t, 3, "paging"), 0);
    expect_err(&t, "err EINVAL", "paging_enable x");
    hvt_stop(&t);
}

/* A hypervisor built without paging: ENOSYS, whatever the guest. */
static void test_enosys(void **state)
{
    static const char *const args[] = { "--no-paging", NULL };
    struct hvt t;

    (void)state;
    hvt_start(&t, args);
    hvt_create(&t, "name=hvm type=hvm memory_kb=65536");
    expect_err(&t, "err ENOSYS", "paging_enable 1");
    expect_err(&t, "err ENOSYS", "paging_disable 1");
    hvt_stop(&t);
}

/* Paging out to the target frees host memory and puts the guest under
 * pressure; 0 pages everything back in. */
static void test_page_out_and_in(void **state)
{
    struct hvt t;
    unsigned d;
    uint64_t free0, tot0, pop0;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=db type=hvm vga=none memory_kb=%u demand_kb=%u",
                   GiB, 512 * MiB);
    assert_true(hvt_settle(&t, 0));
    /* tot_pages holds firmware pages beside the guest's RAM. */
    tot0 = hvt_dom(&t, d, "tot_kb");
    pop0 = hvt_guest(&t, d, "populated_kb");
    assert_true(tot0 > pop0);
    free0 = hvt_phys(&t, "free_kb");
    /* Without paging enabled, the node does nothing. */
    set_paging_target(&t, d, 256 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);

    /* Enabling reads the target that is already there. */
    hvt_ok(&t, "paging_enable %u", d);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 256 * MiB);
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), tot0 - 256 * MiB);
    assert_int_equal(hvt_dom(&t, d, "paging_target_kb"), 256 * MiB);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + tot0 - 256 * MiB);
    /* 512 MiB demanded, the RAM left resident is all it has. */
    assert_int_equal(hvt_guest(&t, d, "shortfall_kb"),
                     512 * MiB - (pop0 - (tot0 - 256 * MiB)));
    /* The balloon driver knows nothing of it. */
    assert_int_equal(hvt_guest(&t, d, "populated_kb"), pop0);

    /* Above tot_pages: pages come back in, up to the target. */
    set_paging_target(&t, d, 640 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 640 * MiB);
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), tot0 - 640 * MiB);
    assert_int_equal(hvt_guest(&t, d, "shortfall_kb"), 0);

    /* 0: everything back. */
    set_paging_target(&t, d, 0);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), 0);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0);
    hvt_stop(&t);
}

/* Too large or negative targets mean max_pages, as in xenpaging. */
static void test_target_clamp(void **state)
{
    struct hvt t;
    unsigned d;

    (void)state;
    hvt_start(&t, fast);
    /* Not PoD (memory = maxmem): PoD entries and cache cannot page out. */
    d = hvt_create(&t, "name=db type=hvm memory_kb=%u", GiB);
    hvt_ok(&t, "paging_enable %u", d);
    set_paging_target(&t, d, 64 * GiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "paging_target_kb"),
                     hvt_dom(&t, d, "max_kb"));
    set_paging_target(&t, d, 128 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 128 * MiB);
    hvt_write(&t, "/local/domain/1/memory/target-tot_pages", "-4096");
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "paging_target_kb"),
                     hvt_dom(&t, d, "max_kb"));
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), 0);
    hvt_stop(&t);
}

/* Disabling pages everything back in first; paging in needs free host
 * memory, and waits for it. */
static void test_disable_and_host_full(void **state)
{
    static const char *const args[] = { "--speed", "100", "--host-mem",
                                        "3G", NULL };
    struct hvt t;
    unsigned d, hog;
    uint64_t tot0, out, hogkb;
    char val[32];

    (void)state;
    hvt_start(&t, args);
    d = hvt_create(&t, "name=db type=hvm vga=none memory_kb=%u", GiB);
    assert_true(hvt_settle(&t, 0));
    tot0 = hvt_dom(&t, d, "tot_kb");
    hvt_ok(&t, "paging_enable %u", d);
    set_paging_target(&t, d, 256 * MiB);
    assert_true(hvt_settle(&t, 0));
    out = tot0 - 256 * MiB;
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), out);
    /* 3 GiB - dom0's 1 GiB - what d holds now. */
    assert_int_equal(hvt_phys(&t, "free_kb"), 2 * GiB - 256 * MiB);
    /* Someone takes all the memory paging freed. */
    hogkb = hvt_phys(&t, "free_kb");
    hog = hvt_create(&t, "name=hog memory_kb=%llu", (unsigned long long)hogkb);
    assert_int_equal(hvt_phys(&t, "free_kb"), 0);
    /* Nothing can come back: disable refuses, and changes nothing. */
    assert_int_equal(strncmp(hvt_call(&t, "paging_disable %u", d),
                             "err ENOMEM", 10), 0);
    assert_int_equal(hvt_dom(&t, d, "paging"), 1);
    set_paging_target(&t, d, 0);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), out);
    /* The hog shrinks: the pager takes what it frees. */
    snprintf(val, sizeof(val), "%llu", (unsigned long long)(hogkb - out));
    hvt_write(&t, "/local/domain/2/memory/target", val);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, hog, "tot_kb"), hogkb - out);
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), 0);
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);
    /* Now disable works, and the target no longer matters. */
    set_paging_target(&t, d, 128 * MiB);
    assert_true(hvt_settle(&t, 0));
    hvt_ok(&t, "paging_disable %u", d);
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), 0);
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);
    set_paging_target(&t, d, 64 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_enosys),
        cmocka_unit_test(test_page_out_and_in),
        cmocka_unit_test(test_target_clamp),
        cmocka_unit_test(test_disable_and_host_full),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
