/*
 * test_paging.c: the xenpaging model and Xen's errors for paging control:
 * memory/target-tot_pages written through xenstore, paging state read
 * through the hv channel.  The pager is a simulated process (pager_*
 * verbs): it is started, runs, and exits with a status; the ring it
 * serves (paging_enable/paging_disable, XEN_DOMCTL_VM_EVENT_OP_PAGING)
 * is Xen's, and tearing it down under a pager with pages out crashes
 * the guest, as Xen does.
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

/* Start xenpaging for domid; returns its pid. */
static unsigned pager_start(struct hvt *t, unsigned domid)
{
    return (unsigned)hvt_u64(hvt_ok(t, "pager_start %u /var/lib/xen/"
                                    "xenpaging/%u.paging", domid, domid),
                             "pid");
}

/* A pager's state ("running", "stopping", "exited") into buf. */
static const char *pager_state(struct hvt *t, unsigned pid, char *buf,
                               size_t len)
{
    return hvt_str(hvt_ok(t, "pager_status %u", pid), "state", buf, len);
}

/* A pager that has exited: its status and errno name. */
static void expect_exit(struct hvt *t, unsigned pid, const char *status,
                        const char *err)
{
    const char *r = hvt_ok(t, "pager_status %u", pid);
    char st[16], s[16], e[16];

    hvt_str(r, "state", st, sizeof(st));
    hvt_str(r, "status", s, sizeof(s));
    hvt_str(r, "err", e, sizeof(e));
    if (strcmp(st, "exited") || strcmp(s, status) || strcmp(e, err))
        fail_msg("pager %u: expected exited status=%s err=%s, got '%s'", pid,
                 status, err, r);
}

/* The ring (XEN_DOMCTL_VM_EVENT_OP_PAGING), as xen/common/vm_event.c:
 * enable needs HAP (ENODEV for PV and HVM without it), EBUSY twice,
 * ESRCH for no domain; disable without a ring is EINVAL.  A pager that
 * cannot enable paging exits at once with status 1 and Xen's errno, as
 * xenpaging_init does. */
static void test_errors(void **state)
{
    struct hvt t;
    unsigned pid;

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
    expect_err(&t, "err EINVAL", "paging_disable 3");
    assert_int_equal(hvt_dom(&t, 3, "paging"), 0);
    expect_err(&t, "err EINVAL", "paging_enable x");

    expect_exit(&t, pager_start(&t, 1), "1", "ENODEV");
    expect_exit(&t, pager_start(&t, 2), "1", "ENODEV");
    expect_exit(&t, pager_start(&t, 9), "1", "ESRCH");
    /* A ring already set up (by hand here): "xenpaging is (or was)
     * active on this domain". */
    hvt_ok(&t, "paging_enable 3");
    expect_exit(&t, pager_start(&t, 3), "1", "EBUSY");
    hvt_ok(&t, "paging_disable 3");
    pid = pager_start(&t, 3);
    assert_int_equal(hvt_dom(&t, 3, "pager_pid"), pid);
    assert_int_equal(hvt_dom(&t, 3, "paging"), 1);
    /* A second pager for the same domain: EBUSY, the first runs on. */
    expect_exit(&t, pager_start(&t, 3), "1", "EBUSY");
    assert_int_equal(hvt_dom(&t, 3, "pager_pid"), pid);
    expect_err(&t, "err ESRCH", "pager_status 1");
    expect_err(&t, "err EINVAL", "pager_start 3 relative/path");
    {
        char req[48];

        snprintf(req, sizeof(req), "pager_signal %u STOP", pid);
        expect_err(&t, "err EINVAL", req);
    }
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
    expect_exit(&t, pager_start(&t, 1), "1", "ENOSYS");
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
    /* Without a pager, the node does nothing; nor with a bare ring. */
    set_paging_target(&t, d, 256 * MiB);
    hvt_ok(&t, "paging_enable %u", d);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);
    hvt_ok(&t, "paging_disable %u", d);

    /* A pager reads the target that is already there. */
    pager_start(&t, d);
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
    pager_start(&t, d);
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

/* SIGTERM, as xenpaging handles it: everything back in first, whatever
 * the target, then the ring torn down and exit 0; paging in needs free
 * host memory, and waits for it. */
static void test_stop_and_host_full(void **state)
{
    static const char *const args[] = { "--speed", "100", "--host-mem",
                                        "3G", NULL };
    struct hvt t;
    unsigned d, hog, pid;
    uint64_t tot0, out, hogkb;
    char val[32], st[16];
    const char *r;

    (void)state;
    hvt_start(&t, args);
    d = hvt_create(&t, "name=db type=hvm vga=none memory_kb=%u", GiB);
    assert_true(hvt_settle(&t, 0));
    tot0 = hvt_dom(&t, d, "tot_kb");
    pid = pager_start(&t, d);
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
    /* Told to stop, the pager pages in, but nothing can come back: it
     * waits, still serving the ring (a bounded pager_wait says so). */
    hvt_ok(&t, "pager_signal %u TERM", pid);
    r = hvt_ok(&t, "pager_wait %u 2000 paged_in", pid);
    assert_string_equal(hvt_str(r, "state", st, sizeof(st)), "stopping");
    assert_int_equal(hvt_u64(r, "paged_kb"), out);
    assert_int_equal(hvt_dom(&t, d, "paging"), 1);
    assert_int_equal(hvt_dom(&t, d, "crashed"), 0);
    /* A target no longer matters to a stopping pager. */
    set_paging_target(&t, d, 128 * MiB);
    /* The hog shrinks: the pager takes what it frees, then exits 0. */
    snprintf(val, sizeof(val), "%llu", (unsigned long long)(hogkb - out));
    hvt_write(&t, "/local/domain/2/memory/target", val);
    r = hvt_ok(&t, "pager_wait %u 600000", pid);
    assert_string_equal(hvt_str(r, "state", st, sizeof(st)), "exited");
    expect_exit(&t, pid, "0", "0");
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, hog, "tot_kb"), hogkb - out);
    assert_int_equal(hvt_dom(&t, d, "paged_kb"), 0);
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);
    /* It tore the ring down: paging is off, the target does nothing. */
    assert_int_equal(hvt_dom(&t, d, "paging"), 0);
    assert_int_equal(hvt_dom(&t, d, "pager_pid"), 0);
    set_paging_target(&t, d, 64 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), tot0);
    assert_int_equal(hvt_dom(&t, d, "crashed"), 0);
    hvt_stop(&t);
}

/*
 * The ring torn down under a live pager with pages out (a bare
 * xc_mem_paging_disable): allowed, as Xen allows it, and fatal: the
 * pager's next hypercall fails (exit 2) and the guest's next touch of a
 * page still out crashes it (p2m_mem_paging_populate).
 */
static void test_disable_under_pager_crashes(void **state)
{
    struct hvt t;
    unsigned d, pid;

    (void)state;
    hvt_start(&t, fast);
    d = hvt_create(&t, "name=db type=hvm vga=none memory_kb=%u", GiB);
    pid = pager_start(&t, d);
    set_paging_target(&t, d, 512 * MiB);
    assert_true(hvt_settle(&t, 0));
    assert_true(hvt_dom(&t, d, "paged_kb") > 0);
    hvt_ok(&t, "paging_disable %u", d);
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, d, "crashed"), 1);
    assert_int_equal(hvt_dom(&t, d, "shutdown"), 1);
    expect_exit(&t, pid, "2", "ENODEV");
    hvt_stop(&t);
}

/* A pager killed (SIGKILL) leaves the ring and the pages out: a new one
 * is refused (EBUSY); SIGHUP tears down at once with pages out (the
 * guest crashes); a domain destroyed ends its pager with status 0. */
static void test_pager_exits(void **state)
{
    struct hvt t;
    unsigned a, b, c, pid;
    char st[16];

    (void)state;
    hvt_start(&t, fast);
    a = hvt_create(&t, "name=a type=hvm vga=none memory_kb=%u", 256 * MiB);
    b = hvt_create(&t, "name=b type=hvm vga=none memory_kb=%u", 256 * MiB);
    c = hvt_create(&t, "name=c type=hvm vga=none memory_kb=%u", 256 * MiB);

    pid = pager_start(&t, a);
    assert_string_equal(pager_state(&t, pid, st, sizeof(st)), "running");
    set_paging_target(&t, a, 128 * MiB);
    assert_true(hvt_settle(&t, 0));
    hvt_ok(&t, "pager_signal %u KILL", pid);
    expect_exit(&t, pid, "-9", "0");
    assert_int_equal(hvt_dom(&t, a, "paging"), 1);
    assert_true(hvt_dom(&t, a, "paged_kb") > 0);
    expect_exit(&t, pager_start(&t, a), "1", "EBUSY");
    {
        char req[48];

        snprintf(req, sizeof(req), "pager_signal %u TERM", pid);
        expect_err(&t, "err ESRCH", req);
    }

    pid = pager_start(&t, b);
    set_paging_target(&t, b, 128 * MiB);
    assert_true(hvt_settle(&t, 0));
    hvt_ok(&t, "pager_signal %u HUP", pid);
    expect_exit(&t, pid, "0", "0");
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, b, "crashed"), 1);

    pid = pager_start(&t, c);
    hvt_ok(&t, "destroy %u", c);
    expect_exit(&t, pid, "0", "0");
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_enosys),
        cmocka_unit_test(test_page_out_and_in),
        cmocka_unit_test(test_target_clamp),
        cmocka_unit_test(test_stop_and_host_full),
        cmocka_unit_test(test_disable_under_pager_crashes),
        cmocka_unit_test(test_pager_exits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
