/*
 * test_tx.c: xensim transactions: isolation (a transaction sees its own
 * writes, nobody else does before commit), abort, xenstored's conflict
 * rule (EAGAIN when a node read inside changed, appeared or vanished
 * outside), events at commit only, bad transaction ids, nesting (EBUSY).
 */
#include "xstest.h"

struct ctx {
    struct xensim_fixture f;
    struct xs_handle *a, *b, *w;
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));

    if (!c || xensim_start(&c->f, NULL))
        return -1;
    c->a = xensim_open(&c->f);
    c->b = xensim_open(&c->f);
    c->w = xensim_open(&c->f);
    if (!c->a || !c->b || !c->w)
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    int rc;

    xs_close(c->a);
    xs_close(c->b);
    xs_close(c->w);
    rc = xensim_stop(&c->f);
    free(c);
    return rc;
}

static void wr(struct xs_handle *h, xs_transaction_t t, const char *path,
               const char *v)
{
    assert_true(xs_write(h, t, path, v, strlen(v)));
}

static void expect(struct xs_handle *h, xs_transaction_t t,
                   const char *path, const char *v)
{
    char *r = xs_read(h, t, path, NULL);

    if (!v) {
        assert_null(r);
        assert_int_equal(errno, ENOENT);
        return;
    }
    assert_non_null(r);
    assert_string_equal(r, v);
    free(r);
}

static void test_isolation_commit(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t;

    wr(c->a, XBT_NULL, "/x", "0");
    t = xs_transaction_start(c->a);
    assert_int_not_equal(t, XBT_NULL);
    wr(c->a, t, "/x", "1");
    wr(c->a, t, "/new/deep", "n");
    expect(c->a, t, "/x", "1");          /* own writes */
    expect(c->a, t, "/new/deep", "n");
    expect(c->b, XBT_NULL, "/x", "0");   /* others: old state */
    expect(c->b, XBT_NULL, "/new/deep", NULL);
    expect(c->a, XBT_NULL, "/x", "0");   /* same handle, outside */
    assert_true(xs_transaction_end(c->a, t, false));
    expect(c->b, XBT_NULL, "/x", "1");
    expect(c->b, XBT_NULL, "/new/deep", "n");
}

static void test_abort(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t;
    unsigned n;
    char **d;

    wr(c->a, XBT_NULL, "/ab/keep", "k");
    t = xs_transaction_start(c->a);
    wr(c->a, t, "/ab/gone", "g");
    assert_true(xs_rm(c->a, t, "/ab/keep"));
    expect(c->a, t, "/ab/keep", NULL);
    assert_true(xs_transaction_end(c->a, t, true)); /* abort */
    expect(c->a, XBT_NULL, "/ab/keep", "k");
    expect(c->a, XBT_NULL, "/ab/gone", NULL);
    d = xs_directory(c->a, XBT_NULL, "/ab", &n);
    assert_int_equal(n, 1);
    free(d);
    /* The id is gone after the end. */
    assert_false(xs_transaction_end(c->a, t, false));
    assert_int_equal(errno, ENOENT);
}

static void test_conflict_changed(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t;

    wr(c->a, XBT_NULL, "/c/v", "1");
    t = xs_transaction_start(c->a);
    expect(c->a, t, "/c/v", "1");
    wr(c->a, t, "/c/out", "x");
    wr(c->b, XBT_NULL, "/c/v", "2");       /* outside change of a read */
    assert_false(xs_transaction_end(c->a, t, false));
    assert_int_equal(errno, EAGAIN);
    expect(c->a, XBT_NULL, "/c/out", NULL); /* nothing applied */
    expect(c->a, XBT_NULL, "/c/v", "2");
}

static void test_conflict_appeared_vanished(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t;

    /* Read as absent, created outside. */
    t = xs_transaction_start(c->a);
    expect(c->a, t, "/ap", NULL);
    wr(c->a, t, "/other", "1");
    wr(c->b, XBT_NULL, "/ap", "1");
    assert_false(xs_transaction_end(c->a, t, false));
    assert_int_equal(errno, EAGAIN);
    /* Read, removed outside. */
    t = xs_transaction_start(c->a);
    expect(c->a, t, "/ap", "1");
    assert_true(xs_rm(c->b, XBT_NULL, "/ap"));
    assert_false(xs_transaction_end(c->a, t, false));
    assert_int_equal(errno, EAGAIN);
}

static void test_no_conflict(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t;

    wr(c->a, XBT_NULL, "/nc/a", "1");
    wr(c->a, XBT_NULL, "/nc/b", "1");
    t = xs_transaction_start(c->a);
    expect(c->a, t, "/nc/a", "1");
    wr(c->b, XBT_NULL, "/nc/b", "2");   /* not touched by t */
    wr(c->a, t, "/nc/a", "3");
    assert_true(xs_transaction_end(c->a, t, false));
    expect(c->b, XBT_NULL, "/nc/a", "3");
    expect(c->b, XBT_NULL, "/nc/b", "2");
}

static void test_two_transactions(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t1, t2;

    /* Both create children of one parent: the parent conflicts. */
    wr(c->a, XBT_NULL, "/tt", "");
    t1 = xs_transaction_start(c->a);
    t2 = xs_transaction_start(c->b);
    wr(c->a, t1, "/tt/one", "1");
    wr(c->b, t2, "/tt/two", "2");
    assert_true(xs_transaction_end(c->a, t1, false));
    assert_false(xs_transaction_end(c->b, t2, false));
    assert_int_equal(errno, EAGAIN);
    expect(c->a, XBT_NULL, "/tt/one", "1");
    expect(c->a, XBT_NULL, "/tt/two", NULL);
}

static void test_events_at_commit(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t;

    assert_true(xs_watch(c->w, "/ev", "e"));
    xt_expect_event(c->w, "/ev", "e");
    t = xs_transaction_start(c->a);
    wr(c->a, t, "/ev/a", "1");
    wr(c->a, t, "/ev/a", "2");   /* twice: one event */
    wr(c->a, t, "/ev/b", "1");
    xt_expect_no_event(c->w);
    assert_true(xs_transaction_end(c->a, t, false));
    xt_expect_event(c->w, "/ev/a", "e");
    xt_expect_event(c->w, "/ev/b", "e");
    xt_expect_no_event(c->w);
    /* Aborted or failed transactions fire nothing. */
    t = xs_transaction_start(c->a);
    wr(c->a, t, "/ev/c", "1");
    assert_true(xs_transaction_end(c->a, t, true));
    t = xs_transaction_start(c->a);
    expect(c->a, t, "/ev/a", "2");
    wr(c->a, t, "/ev/d", "1");
    wr(c->b, XBT_NULL, "/ev/a", "3");
    xt_expect_event(c->w, "/ev/a", "e");
    assert_false(xs_transaction_end(c->a, t, false));
    xt_expect_no_event(c->w);
}

static void test_bad_ids(void **state)
{
    struct ctx *c = *state;
    char buf[4200];
    int fd = xt_connect(c->f.socket);
    uint32_t t;

    assert_string_equal(xt_call(fd, XS_READ, 77, "/", 2, buf, sizeof(buf)),
                        "ENOENT");
    assert_string_equal(xt_call(fd, XS_WRITE, 0xffffffff, "/q\0v", 4, buf,
                                sizeof(buf)), "ENOENT");
    assert_string_equal(xt_call(fd, XS_TRANSACTION_END, 0, "T", 2, buf,
                                sizeof(buf)), "ENOENT");
    assert_string_equal(xt_call(fd, XS_TRANSACTION_START, 0, "", 1, buf,
                                sizeof(buf)), "");
    t = strtoul(buf, NULL, 10);
    assert_int_not_equal(t, 0);
    /* Nested: EBUSY; unknown id on start: ENOENT. */
    assert_string_equal(xt_call(fd, XS_TRANSACTION_START, t, "", 1, buf,
                                sizeof(buf)), "EBUSY");
    assert_string_equal(xt_call(fd, XS_TRANSACTION_START, t + 1, "", 1, buf,
                                sizeof(buf)), "ENOENT");
    assert_string_equal(xt_call(fd, XS_TRANSACTION_END, t, "X", 2, buf,
                                sizeof(buf)), "EINVAL");
    assert_string_equal(xt_call(fd, XS_TRANSACTION_END, t, "T", 1, buf,
                                sizeof(buf)), "EINVAL"); /* no NUL */
    /* Still alive after the bad ends; another connection can't use it. */
    assert_string_equal(xt_call(fd, XS_WRITE, t, "/q\0v", 4, buf,
                                sizeof(buf)), "");
    {
        int fd2 = xt_connect(c->f.socket);

        assert_string_equal(xt_call(fd2, XS_READ, t, "/q", 3, buf,
                                    sizeof(buf)), "ENOENT");
        close(fd2);
    }
    assert_string_equal(xt_call(fd, XS_TRANSACTION_END, t, "T", 2, buf,
                                sizeof(buf)), "");
    assert_string_equal(xt_call(fd, XS_READ, 0, "/q", 3, buf, sizeof(buf)),
                        "");
    assert_string_equal(buf, "v");
    close(fd);
}

static void test_disconnect_mid_transaction(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t;
    struct xs_handle *h = xensim_open(&c->f);

    t = xs_transaction_start(h);
    wr(h, t, "/dm/x", "1");
    xs_close(h);
    expect(c->a, XBT_NULL, "/dm/x", NULL);
    expect(c->a, XBT_NULL, "/dm", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_isolation_commit),
        T(test_abort),
        T(test_conflict_changed),
        T(test_conflict_appeared_vanished),
        T(test_no_conflict),
        T(test_two_transactions),
        T(test_events_at_commit),
        T(test_bad_ids),
        T(test_disconnect_mid_transaction),
    };

    return cmocka_run_group_tests_name("xenstore-tx", tests, NULL, NULL);
}
