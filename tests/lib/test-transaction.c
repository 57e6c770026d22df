/*
 * test-transaction.c: mp_transaction (libmempolicy/src/store.c) against
 * xenstored's transaction rules, as xensim keeps them.
 *
 * A xenstored transaction reads no snapshot: each node is copied when the
 * transaction first touches it, so a transaction can see half of a change
 * another client committed meanwhile, and only its commit says so
 * (EAGAIN).  The balance actor once logged "reading the reservations:
 * .../lifetime-ms: missing" that way while xlmem created one (a CI run
 * under ASan).  Here the "other client" commits its change from inside
 * the transaction function, between two reads, so the half view happens
 * by construction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"
#include "internal.h"

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "1", NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

/* A record of two nodes that exist together, or not at all. */
#define A "/tool/t/rec/a"
#define B "/tool/t/rec/b"

struct arg {
    unsigned runs;
    bool remove_between; /* first run: another client removes the record */
    bool write_first;    /* write a node before failing */
};

/* Another client (the test's own connection) removes the record. */
static void remove_record(void)
{
    xs_transaction_t t = xs_transaction_start(xsh);

    assert_true(t != XBT_NULL);
    assert_true(xs_rm(xsh, t, "/tool/t/rec"));
    assert_true(xs_transaction_end(xsh, t, false));
}

/* Reads a, then b: a without b is a broken record (FAIL). */
static int read_record(mempolicy_ctx *c, xs_transaction_t t, void *p)
{
    struct arg *arg = p;
    char *a = NULL, *b = NULL;
    int rc;

    arg->runs++;
    if (arg->write_first && (rc = mp_xs_write(c, t, "/tool/t/other", "1")))
        return rc;
    if ((rc = mp_xs_read(c, t, A, &a)))
        return rc;
    if (arg->remove_between && arg->runs == 1)
        remove_record();
    if ((rc = mp_xs_read(c, t, B, &b))) {
        free(a);
        return rc;
    }
    rc = a && !b ? mp_err(c, MEMPOLICY_ERROR_FAIL, B ": missing") : 0;
    free(a);
    free(b);
    return rc;
}

static void put_record(bool with_b)
{
    assert_true(xs_put(xsh, "1", A));
    if (with_b)
        assert_true(xs_put(xsh, "1", B));
}

/* The half view is not believed: the commit conflicts, the function runs
 * again and sees the record gone as a whole. */
static void half_seen_change_runs_again(void **state)
{
    struct arg arg = { .remove_between = true };

    put_record(true);
    assert_int_equal(mp_transaction(ctx, read_record, &arg), 0);
    assert_int_equal(arg.runs, 2);
    assert_null(xs_get(xsh, A));
}

/* An error on reads that were one state of the store is the answer. */
static void consistent_error_is_returned(void **state)
{
    struct arg arg = { 0 };

    put_record(false);
    assert_int_equal(mp_transaction(ctx, read_record, &arg),
                     MEMPOLICY_ERROR_FAIL);
    assert_int_equal(arg.runs, 1);
    assert_non_null(strstr(mempolicy_last_error(ctx), B ": missing"));
    assert_true(xs_rm(xsh, XBT_NULL, "/tool/t/rec"));
}

/* A function that wrote and then failed is aborted, never committed. */
static void error_after_a_write_aborts(void **state)
{
    struct arg arg = { .write_first = true };
    char *v;

    put_record(false);
    assert_int_equal(mp_transaction(ctx, read_record, &arg),
                     MEMPOLICY_ERROR_FAIL);
    assert_int_equal(arg.runs, 1);
    v = xs_get(xsh, "/tool/t/other");
    assert_null(v);
    assert_true(xs_rm(xsh, XBT_NULL, "/tool/t/rec"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(half_seen_change_runs_again),
        cmocka_unit_test(consistent_error_is_returned),
        cmocka_unit_test(error_after_a_write_aborts),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
