/*
 * test_domains.c: domains of the simulated host: what creating one writes
 * in xenstore and with which permissions, @introduceDomain and
 * @releaseDomain, destruction, and the errors of create/destroy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

static const char *const two_domains[] = { "--domains", "2", NULL };

static void perms_are(struct hvt *t, const char *path,
                         const struct xs_permissions *want, unsigned n)
{
    struct xs_permissions *p;
    unsigned got, i;

    p = xs_get_permissions(t->xs, XBT_NULL, path, &got);
    assert_non_null(p);
    if (got != n)
        fail_msg("%s: %u permissions, expected %u", path, got, n);
    for (i = 0; i < n; i++) {
        assert_int_equal(p[i].id, want[i].id);
        assert_int_equal(p[i].perms, want[i].perms);
    }
    free(p);
}

static void node_is(struct hvt *t, const char *path, const char *want)
{
    char *v = hvt_read(t, path);

    if (!v)
        fail_msg("%s: missing", path);
    assert_string_equal(v, want);
    free(v);
}

/* The nodes libxl writes, with libxl's values. */
static void test_nodes(void **state)
{
    struct hvt t;
    char *vm, path[128];

    (void)state;
    hvt_start(&t, two_domains);
    node_is(&t, "/local/domain/1/name", "guest1");
    node_is(&t, "/local/domain/1/domid", "1");
    node_is(&t, "/local/domain/2/name", "guest2");
    node_is(&t, "/local/domain/1/memory/static-max", "1048576");
    node_is(&t, "/local/domain/1/memory/target", "524288");
    node_is(&t, "/local/domain/1/memory/videoram", "0");
    node_is(&t, "/libxl/1/type", "pv");
    vm = hvt_read(&t, "/local/domain/1/vm");
    assert_non_null(vm);
    assert_int_equal(strncmp(vm, "/vm/", 4), 0);
    assert_int_equal(strlen(vm), 4 + 36);
    snprintf(path, sizeof(path), "%s/uuid", vm);
    node_is(&t, path, vm + 4);
    snprintf(path, sizeof(path), "%s/name", vm);
    node_is(&t, path, "guest1");
    free(vm);
    /* dom0 is described too. */
    node_is(&t, "/local/domain/0/name", "Domain-0");
    hvt_stop(&t);
}

/* libxl's roperm / rwperm / noperm. */
static void test_permissions(void **state)
{
    static const struct xs_permissions ro[] = {
        { .id = 0, .perms = XS_PERM_NONE }, { .id = 1, .perms = XS_PERM_READ },
    };
    static const struct xs_permissions rw[] = {
        { .id = 1, .perms = XS_PERM_NONE },
    };
    static const struct xs_permissions none[] = {
        { .id = 0, .perms = XS_PERM_NONE },
    };
    struct hvt t;
    char *vm;

    (void)state;
    hvt_start(&t, two_domains);
    perms_are(&t, "/local/domain/1", ro, 2);
    perms_are(&t, "/local/domain/1/memory", ro, 2);
    perms_are(&t, "/local/domain/1/memory/target", ro, 2);
    perms_are(&t, "/local/domain/1/memory/static-max", ro, 2);
    perms_are(&t, "/local/domain/1/name", ro, 2);
    perms_are(&t, "/local/domain/1/control/shutdown", rw, 1);
    perms_are(&t, "/local/domain/1/data", rw, 1);
    /* libxl does not create memory/meminfo (an actor that reads it
     * makes it the guest's). */
    assert_null(hvt_read(&t, "/local/domain/1/memory/meminfo"));
    perms_are(&t, "/libxl/1", none, 1);
    perms_are(&t, "/libxl/1/type", none, 1);
    vm = hvt_read(&t, "/local/domain/1/vm");
    assert_non_null(vm);
    perms_are(&t, vm, ro, 2);
    free(vm);
    hvt_stop(&t);
}

/* What the guest itself may do with those nodes. */
static void test_guest_view(void **state)
{
    struct hvt t;
    struct xs_handle *g;
    unsigned len;
    char *v;

    (void)state;
    hvt_start(&t, two_domains);
    g = xensim_open_dom(&t.f, 1);
    assert_non_null(g);
    v = xs_read(g, XBT_NULL, "/local/domain/1/memory/target", &len);
    assert_non_null(v);
    assert_string_equal(v, "524288");
    free(v);
    /* Guest read-only on memory/: it cannot set its own target. */
    assert_false(xs_write(g, XBT_NULL, "/local/domain/1/memory/target", "1",
                          1));
    assert_int_equal(errno, EACCES);
    assert_false(xs_write(g, XBT_NULL, "/local/domain/1/memory/static-max",
                          "1", 1));
    assert_int_equal(errno, EACCES);
    /* ... but writes its control/shutdown; not a meminfo nobody made
     * its own. */
    assert_true(xs_write(g, XBT_NULL, "/local/domain/1/control/shutdown", "",
                         0));
    assert_false(xs_write(g, XBT_NULL, "/local/domain/1/memory/meminfo", "x",
                          1));
    assert_int_equal(errno, EACCES);
    /* The toolstack's tree and another guest's are closed to it. */
    assert_null(xs_read(g, XBT_NULL, "/libxl/1/type", &len));
    assert_int_equal(errno, EACCES);
    assert_null(xs_read(g, XBT_NULL, "/local/domain/2/memory/target", &len));
    assert_int_equal(errno, EACCES);
    /* So is the hv channel's address. */
    assert_null(xs_read(g, XBT_NULL, "/tool/xensim/hv-socket", &len));
    assert_int_equal(errno, EACCES);
    xs_close(g);
    hvt_stop(&t);
}

/* create fires @introduceDomain after the nodes exist; destroy removes
 * them before @releaseDomain fires. */
static void test_introduce_release(void **state)
{
    struct hvt t;
    char *p, *vm, path[128];
    unsigned domid, len;
    uint64_t free0;

    (void)state;
    hvt_start(&t, NULL);
    free0 = hvt_phys(&t, "free_kb");
    assert_true(xs_watch(t.xs, "@introduceDomain", "intro"));
    assert_true(xs_watch(t.xs, "@releaseDomain", "rel"));
    /* The initial events of both watches. */
    p = hvt_wait_event(t.xs, "intro");
    free(p);
    p = hvt_wait_event(t.xs, "rel");
    free(p);

    domid = hvt_create(&t, "name=web type=hvm memory_kb=262144 "
                       "maxmem_kb=524288");
    assert_int_equal(domid, 1);
    p = hvt_wait_event(t.xs, "intro");
    assert_non_null(p);
    assert_string_equal(p, "@introduceDomain");
    free(p);
    node_is(&t, "/local/domain/1/name", "web");
    node_is(&t, "/libxl/1/type", "hvm");
    /* A PoD HVM guest: its PoD cache, video RAM and firmware pages. */
    assert_int_equal(hvt_phys(&t, "free_kb"),
                     free0 - hvt_dom(&t, domid, "tot_kb"));
    assert_int_equal(hvt_dom(&t, domid, "tot_kb"),
                     262144 - 128 + 444); /* VGA hole, firmware */
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=1");
    vm = hvt_read(&t, "/local/domain/1/vm");
    assert_non_null(vm);

    hvt_ok(&t, "destroy 1");
    p = hvt_wait_event(t.xs, "rel");
    assert_non_null(p);
    assert_string_equal(p, "@releaseDomain");
    free(p);
    assert_null(xs_read(t.xs, XBT_NULL, "/local/domain/1", &len));
    assert_int_equal(errno, ENOENT);
    assert_null(xs_read(t.xs, XBT_NULL, "/libxl/1", &len));
    snprintf(path, sizeof(path), "%s", vm);
    assert_null(xs_read(t.xs, XBT_NULL, path, &len));
    free(vm);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0);
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=");
    assert_int_equal(strncmp(hvt_call(&t, "dominfo 1"), "err ESRCH", 9), 0);
    hvt_stop(&t);
}

/* The config keys memory_policy/_args become the policy nodes. */
static void test_policy_nodes(void **state)
{
    static const struct xs_permissions none[] = {
        { .id = 0, .perms = XS_PERM_NONE },
    };
    struct hvt t;
    unsigned domid, len;
    char *v;

    (void)state;
    hvt_start(&t, NULL);
    domid = hvt_create(&t, "name=a memory_kb=65536 memory_policy=xl-auto "
                       "memory_policy_args=paging=1,delay=2");
    node_is(&t, "/libxl/1/memory-policy/actor", "xl-auto");
    node_is(&t, "/libxl/1/memory-policy/actor-params",
                 "paging=1,delay=2");
    /* All four nodes, as the library writes them: the build-time memory
     * is the target, not enforced. */
    node_is(&t, "/libxl/1/memory-policy/target", "65536");
    node_is(&t, "/libxl/1/memory-policy/enforce", "0");
    perms_are(&t, "/libxl/1/memory-policy/actor", none, 1);
    /* Without the keys, no policy nodes: the default is the library's. */
    domid = hvt_create(&t, "name=b memory_kb=65536");
    assert_int_equal(domid, 2);
    v = xs_read(t.xs, XBT_NULL, "/libxl/2/memory-policy/actor", &len);
    assert_null(v);
    hvt_stop(&t);
}

/* Bad creates leave the host and the store as they were. */
static void test_create_errors(void **state)
{
    static const char *const args[] = { "--host-mem", "3G", NULL };
    struct hvt t;
    unsigned len, n;
    char **dirs;
    uint64_t free0;

    (void)state;
    hvt_start(&t, args);
    free0 = hvt_phys(&t, "free_kb");
    assert_int_equal(free0, 2 * 1024 * 1024);
    hvt_create(&t, "name=a memory_kb=1048576");
    assert_int_equal(strncmp(hvt_call(&t, "create name=a memory_kb=4096"),
                             "err EEXIST", 10), 0);
    /* More memory than the host has free. */
    assert_int_equal(strncmp(hvt_call(&t, "create name=big "
                                      "memory_kb=2097152"),
                             "err ENOMEM", 10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "create name=c memory_kb=8192 "
                                      "maxmem_kb=4096"), "err EINVAL", 10),
                     0);
    assert_int_equal(strncmp(hvt_call(&t, "create name=c type=arm "
                                      "memory_kb=8192"), "err EINVAL", 10),
                     0);
    assert_int_equal(strncmp(hvt_call(&t, "create memory_kb=8192"),
                             "err EINVAL", 10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "create name=a/b memory_kb=8192"),
                             "err EINVAL", 10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "create name=c memory_kb=8192 "
                                      "colour=red"), "err EINVAL", 10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "create name=c memory_kb=8192 "
                                      "balloon=eager"), "err EINVAL", 10),
                     0);
    dirs = xs_directory(t.xs, XBT_NULL, "/local/domain", &n);
    assert_non_null(dirs);
    assert_int_equal(n, 2); /* 0 and 1 */
    free(dirs);
    dirs = xs_directory(t.xs, XBT_NULL, "/libxl", &n);
    assert_non_null(dirs);
    assert_int_equal(n, 1);
    free(dirs);
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 - 1048576);
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=1");
    assert_int_equal(strncmp(hvt_call(&t, "destroy 0"), "err EPERM", 9), 0);
    assert_int_equal(strncmp(hvt_call(&t, "destroy 7"), "err ESRCH", 9), 0);
    assert_null(xs_read(t.xs, XBT_NULL, "/local/domain/7", &len));
    hvt_stop(&t);
}

/* Xen's dominfo of dom0 and the host's accounting. */
static void test_dom0_and_physinfo(void **state)
{
    static const char *const args[] = { "--domains", "3", "--host-mem",
                                        "8G", NULL };
    struct hvt t;
    const char *r;

    (void)state;
    hvt_start(&t, args);
    r = hvt_ok(&t, "dominfo 0");
    assert_int_equal(hvt_u64(r, "tot_kb"), 1024 * 1024);
    r = hvt_ok(&t, "physinfo");
    assert_int_equal(hvt_u64(r, "total_kb"), 8u * 1024 * 1024);
    assert_int_equal(hvt_u64(r, "free_kb"),
                     8u * 1024 * 1024 - 1024 * 1024 - 3 * 512 * 1024);
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=1,2,3");
    hvt_stop(&t);
}

/* xl shutdown: the guest acknowledges, shuts down, and is destroyed. */
static void test_shutdown(void **state)
{
    struct hvt t;
    struct xs_handle *g;
    char *p;
    unsigned len;
    uint64_t free0;

    (void)state;
    hvt_start(&t, two_domains);
    free0 = hvt_phys(&t, "free_kb");
    assert_true(xs_watch(t.xs, "@releaseDomain", "rel"));
    p = hvt_wait_event(t.xs, "rel");
    free(p);
    /* Anything but poweroff/halt leaves the guest running. */
    hvt_write(&t, "/local/domain/1/control/shutdown", "dance");
    assert_true(hvt_settle(&t, 0));
    assert_int_equal(hvt_dom(&t, 1, "shutdown"), 0);
    /* The guest cannot shut another one down. */
    g = xensim_open_dom(&t.f, 2);
    assert_non_null(g);
    assert_false(xs_write(g, XBT_NULL, "/local/domain/1/control/shutdown",
                          "poweroff", 8));
    xs_close(g);
    hvt_write(&t, "/local/domain/1/control/shutdown", "poweroff");
    p = hvt_wait_event(t.xs, "rel");
    assert_non_null(p);
    free(p);
    assert_null(xs_read(t.xs, XBT_NULL, "/local/domain/1", &len));
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=2");
    assert_int_equal(hvt_phys(&t, "free_kb"), free0 + 512 * 1024);
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes),
        cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_guest_view),
        cmocka_unit_test(test_introduce_release),
        cmocka_unit_test(test_policy_nodes),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_dom0_and_physinfo),
        cmocka_unit_test(test_shutdown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
