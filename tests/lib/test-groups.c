/*
 * test-groups.c: the library's memory groups (group.c; docs/groups.md)
 * against xensim: set, get, list and remove with the errors the header
 * promises, members found from the domains' params (written by hand
 * here, as any toolstack may), and group=NAME checked at the params
 * writes, not at a restored or default policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;

#define G "/tool/mempolicy/groups"
#define P1 "/libxl/1/memory-policy/actor-params"

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "2", "--host-mem", "4G",
                                        NULL };

    (void)state;
    return test_host_start(&sim, args, &xsh, &ctx) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

static bool exists(const char *path)
{
    unsigned len;
    char *v = xs_read(xsh, XBT_NULL, path, &len);

    free(v);
    return v != NULL;
}

static void test_set_get_list_remove(void **state)
{
    mempolicy_group g, *v;
    int n;

    (void)state;
    assert_int_equal(mempolicy_group_get(ctx, "web", &g),
                     MEMPOLICY_ERROR_NO_GROUP);
    assert_string_equal(mempolicy_strerror(MEMPOLICY_ERROR_NO_GROUP),
                        "no such memory group");
    assert_int_equal(mempolicy_group_list(ctx, &v, &n), 0);
    assert_null(v);
    assert_int_equal(n, 0);

    /* weight 0: the default for a new group, kept for an old one */
    assert_int_equal(mempolicy_group_set(ctx, "web", 1024 * 1024, 0), 0);
    assert_int_equal(mempolicy_group_get(ctx, "web", &g), 0);
    assert_string_equal(g.name, "web");
    assert_int_equal(g.budget_kb, 1024 * 1024);
    assert_int_equal(g.weight, MEMPOLICY_GROUP_WEIGHT_DEFAULT);
    assert_int_equal(mempolicy_group_set(ctx, "web", 1024 * 1024, 5), 0);
    assert_int_equal(mempolicy_group_set(ctx, "web", 2048 * 1024, 0), 0);
    assert_int_equal(mempolicy_group_get(ctx, "web", &g), 0);
    assert_int_equal(g.weight, 5);
    assert_int_equal(g.budget_kb, 2048 * 1024);

    assert_int_equal(mempolicy_group_set(ctx, "db", 512 * 1024, 2), 0);
    assert_int_equal(mempolicy_group_list(ctx, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "db"); /* by name */
    assert_string_equal(v[1].name, "web");
    free(v);

    assert_int_equal(mempolicy_group_remove(ctx, "db"), 0);
    assert_false(exists(G "/db"));
    assert_int_equal(mempolicy_group_remove(ctx, "db"),
                     MEMPOLICY_ERROR_NO_GROUP);
    assert_int_equal(mempolicy_group_remove(ctx, "web"), 0);
}

static void test_bad_input_writes_nothing(void **state)
{
    mempolicy_group g;

    (void)state;
    assert_int_equal(mempolicy_group_set(ctx, "Web", 1024, 1),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_set(ctx, "", 1024, 1),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_set(ctx, NULL, 1024, 1),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_set(ctx, "web", 0, 1),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(
        mempolicy_group_set(ctx, "web", 1024, MEMPOLICY_GROUP_WEIGHT_MAX + 1),
        MEMPOLICY_ERROR_INVAL);
    /* more than the host's 4 GiB */
    assert_int_equal(mempolicy_group_set(ctx, "web", 5ull << 20, 1),
                     MEMPOLICY_ERROR_INVAL);
    assert_false(exists(G "/web"));
    assert_int_equal(mempolicy_group_get(ctx, "Web", &g),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_remove(ctx, "-x"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_get(ctx, "web", NULL),
                     MEMPOLICY_ERROR_INVAL);
}

/* Members are the domains whose params say group=NAME. */
static void test_members(void **state)
{
    mempolicy_group g;

    (void)state;
    assert_int_equal(mempolicy_group_set(ctx, "web", 1024 * 1024, 1), 0);
    assert_true(xs_put(xsh, "group=web,min_guarantee=100m", P1));
    assert_int_equal(mempolicy_group_get(ctx, "web", &g), 0);
    assert_int_equal(g.members, 1);
    assert_int_equal(g.guarantee_kb, 100 * 1024);
    /* below the guarantee: refused, the budget kept */
    assert_int_equal(mempolicy_group_set(ctx, "web", 50 * 1024, 0),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(mempolicy_last_error(ctx),
                           "group web's 1 domain (1): 102400 KiB"));
    assert_int_equal(mempolicy_group_get(ctx, "web", &g), 0);
    assert_int_equal(g.budget_kb, 1024 * 1024);
    assert_int_equal(mempolicy_group_remove(ctx, "web"), MEMPOLICY_ERROR_BUSY);
    assert_true(exists(G "/web/budget-kb"));
    assert_true(xs_put(xsh, "min_guarantee=100m", P1));
    assert_int_equal(mempolicy_group_remove(ctx, "web"), 0);
}

/* group= at the params writes: an administrator's write is refused for
 * an unknown group or a guarantee past the budget; a default policy is
 * not. */
static void test_params_writes(void **state)
{
    bool written = false;

    (void)state;
    assert_int_equal(
        mempolicy_domain_set_policy(ctx, 1, "balance", "group=nosuch"),
        MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(mempolicy_last_error(ctx),
                           "group=nosuch: no such memory group"));
    assert_int_equal(mempolicy_group_set(ctx, "db", 300 * 1024, 1), 0);
    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "balance",
                                                 "group=db,min_guarantee=200m"),
                     0);
    /* 200 + 200 MiB guaranteed: above db's 300 */
    assert_int_equal(mempolicy_domain_set_policy(ctx, 2, "balance",
                                                 "group=db,min_guarantee=200m"),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(
        mempolicy_domain_update_params(ctx, 1, "min_guarantee=400m", NULL),
        MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "balance", ""), 0);
    assert_int_equal(mempolicy_group_remove(ctx, "db"), 0);
    /* a default policy naming no group is not refused */
    assert_int_equal(mempolicy_domain_set_policy(ctx, 2, "", ""), 0);
    xs_rm(xsh, XBT_NULL, "/libxl/2/memory-policy");
    assert_int_equal(mempolicy_domain_set_policy_if_unset(
                         ctx, 2, "balance", "group=gone", &written),
                     0);
    assert_true(written);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get_list_remove),
        cmocka_unit_test(test_bad_input_writes_nothing),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_params_writes),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
