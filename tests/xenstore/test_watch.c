/*
 * test_watch.c: xenstored's watch rules in xensim: the initial event,
 * events for the node and its descendants only, one event per node
 * removed by a recursive rm, duplicates (EEXIST), unwatch (ENOENT),
 * relative watch paths, @introduceDomain/@releaseDomain, RESET_WATCHES,
 * and permission filtering of events for guests.
 */
#include "xstest.h"

struct ctx {
    struct xensim_fixture f;
    struct xs_handle *h;   /* writer */
    struct xs_handle *w;   /* watcher */
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));

    if (!c || xensim_start(&c->f, NULL))
        return -1;
    c->h = xensim_open(&c->f);
    c->w = xensim_open(&c->f);
    if (!c->h || !c->w)
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    int rc;

    xs_close(c->h);
    xs_close(c->w);
    rc = xensim_stop(&c->f);
    free(c);
    return rc;
}

static void wr(struct xs_handle *h, const char *path, const char *v)
{
    assert_true(xs_write(h, XBT_NULL, path, v, strlen(v)));
}

static void test_initial_and_descendants(void **state)
{
    struct ctx *c = *state;

    assert_true(xs_watch(c->w, "/a/b", "tok"));
    xt_expect_event(c->w, "/a/b", "tok"); /* initial, node absent */
    wr(c->h, "/a/b", "1");
    xt_expect_event(c->w, "/a/b", "tok");
    wr(c->h, "/a/b/c/d", "1");
    xt_expect_event(c->w, "/a/b/c/d", "tok");
    wr(c->h, "/a", "x");          /* parent: no event */
    wr(c->h, "/a/bb", "x");       /* sibling with common prefix: none */
    xt_expect_no_event(c->w);
    assert_true(xs_mkdir(c->h, XBT_NULL, "/a/b/m"));
    xt_expect_event(c->w, "/a/b/m", "tok");
    assert_true(xs_mkdir(c->h, XBT_NULL, "/a/b/m")); /* exists: none */
    xt_expect_no_event(c->w);
}

static void test_root_watch(void **state)
{
    struct ctx *c = *state;

    assert_true(xs_watch(c->w, "/", "all"));
    xt_expect_event(c->w, "/", "all");
    wr(c->h, "/x/y", "1");
    xt_expect_event(c->w, "/x/y", "all");
}

static void test_rm_fires_per_node(void **state)
{
    struct ctx *c = *state;
    char **v;
    int seen[3] = { 0 };
    int i;

    wr(c->h, "/t/a/b", "1");
    wr(c->h, "/t/a/c/d", "1");
    assert_true(xs_watch(c->w, "/t", "p"));          /* ancestor */
    assert_true(xs_watch(c->w, "/t/a/c", "leaf"));   /* removed node */
    assert_true(xs_watch(c->w, "/t/a/c/d", "leaf2")); /* removed node */
    xt_expect_event(c->w, "/t", "p");
    xt_expect_event(c->w, "/t/a/c", "leaf");
    xt_expect_event(c->w, "/t/a/c/d", "leaf2");
    assert_true(xs_rm(c->h, XBT_NULL, "/t/a"));
    /*
     * As xenstored: the removed subtree's root fires like a write (for
     * it and its ancestors), every other removed node fires for the
     * watches on exactly that node.
     */
    for (i = 0; i < 3; i++) {
        v = xt_wait_event(c->w);
        assert_non_null(v);
        if (!strcmp(v[1], "p") && !strcmp(v[0], "/t/a"))
            seen[0]++;
        else if (!strcmp(v[1], "leaf") && !strcmp(v[0], "/t/a/c"))
            seen[1]++;
        else if (!strcmp(v[1], "leaf2") && !strcmp(v[0], "/t/a/c/d"))
            seen[2]++;
        else
            fail_msg("unexpected event %s %s", v[0], v[1]);
        free(v);
    }
    for (i = 0; i < 3; i++)
        assert_int_equal(seen[i], 1);
    xt_expect_no_event(c->w);
    /* rm of a missing node fires nothing. */
    assert_true(xs_rm(c->h, XBT_NULL, "/t/gone"));
    xt_expect_no_event(c->w);
}

static void test_duplicate_and_unwatch(void **state)
{
    struct ctx *c = *state;

    assert_true(xs_watch(c->w, "/d", "t1"));
    xt_expect_event(c->w, "/d", "t1");
    assert_false(xs_watch(c->w, "/d", "t1"));
    assert_int_equal(errno, EEXIST);
    assert_true(xs_watch(c->w, "/d", "t2")); /* other token: fine */
    xt_expect_event(c->w, "/d", "t2");
    wr(c->h, "/d", "1");
    xt_expect_event(c->w, "/d", "t1"); /* oldest first, as xenstored */
    xt_expect_event(c->w, "/d", "t2");
    assert_true(xs_unwatch(c->w, "/d", "t2"));
    assert_false(xs_unwatch(c->w, "/d", "t2"));
    assert_int_equal(errno, ENOENT);
    wr(c->h, "/d", "2");
    xt_expect_event(c->w, "/d", "t1");
    xt_expect_no_event(c->w);
    assert_false(xs_watch(c->w, "/bad//path", "t"));
    assert_int_equal(errno, EINVAL);
}

static void test_relative_watch(void **state)
{
    struct ctx *c = *state;

    assert_true(xs_watch(c->w, "rel", "r"));
    xt_expect_event(c->w, "rel", "r");
    wr(c->h, "/local/domain/0/rel/x", "1");
    xt_expect_event(c->w, "rel/x", "r"); /* reported relative */
    assert_true(xs_unwatch(c->w, "rel", "r"));
}

static void test_special_watches(void **state)
{
    struct ctx *c = *state;

    assert_true(xs_watch(c->w, "@introduceDomain", "i"));
    assert_true(xs_watch(c->w, "@releaseDomain", "r"));
    assert_true(xs_watch(c->w, "/", "root"));
    xt_expect_event(c->w, "@introduceDomain", "i");
    xt_expect_event(c->w, "@releaseDomain", "r");
    xt_expect_event(c->w, "/", "root");
    assert_true(xs_introduce_domain(c->h, 9, 0x1000, 1));
    xt_expect_event(c->w, "@introduceDomain", "i");
    xt_expect_no_event(c->w); /* "/" does not see special events */
    assert_true(xs_introduce_domain(c->h, 9, 0x1000, 1)); /* known: none */
    xt_expect_no_event(c->w);
    assert_true(xs_release_domain(c->h, 9));
    xt_expect_event(c->w, "@releaseDomain", "r");
    xt_expect_no_event(c->w);
}

static void test_reset_watches(void **state)
{
    struct ctx *c = *state;
    char buf[4200];
    int fd = xt_connect(c->f.socket);
    xs_transaction_t t;

    assert_string_equal(xt_call(fd, XS_WATCH, 0, "/rw\0tk", 7, buf,
                                sizeof(buf)), "");
    assert_string_equal(xt_call(fd, XS_TRANSACTION_START, 0, "", 1, buf,
                                sizeof(buf)), "");
    t = strtoul(buf, NULL, 10);
    assert_string_equal(xt_call(fd, XS_RESET_WATCHES, 0, "", 1, buf,
                                sizeof(buf)), "");
    /* The watch is gone: unwatch says ENOENT, a re-watch is no EEXIST. */
    assert_string_equal(xt_call(fd, XS_UNWATCH, 0, "/rw\0tk", 7, buf,
                                sizeof(buf)), "ENOENT");
    /* And so is the transaction. */
    assert_string_equal(xt_call(fd, XS_READ, t, "/", 2, buf, sizeof(buf)),
                        "ENOENT");
    close(fd);
}

static void test_guest_event_permissions(void **state)
{
    struct ctx *c = *state;
    struct xs_permissions pr[2] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = 5, .perms = XS_PERM_READ },
    };
    struct xs_handle *g;

    assert_true(xs_introduce_domain(c->h, 5, 0x1000, 1));
    g = xensim_open_dom(&c->f, 5);
    assert_non_null(g);
    wr(c->h, "/s/open", "1");
    wr(c->h, "/s/secret", "1");
    assert_true(xs_set_permissions(c->h, XBT_NULL, "/s/open", pr, 2));
    assert_true(xs_watch(g, "/s", "g"));
    xt_expect_event(g, "/s", "g");
    wr(c->h, "/s/secret", "2");   /* unreadable, parent unreadable */
    xt_expect_no_event(g);
    wr(c->h, "/s/open", "2");
    xt_expect_event(g, "/s/open", "g");
    /* Losing access still tells the watcher once (old permissions). */
    pr[1].perms = XS_PERM_NONE;
    assert_true(xs_set_permissions(c->h, XBT_NULL, "/s/open", pr, 2));
    xt_expect_event(g, "/s/open", "g");
    wr(c->h, "/s/open", "3");
    xt_expect_no_event(g);
    /* Special watches need read access to the special node. */
    assert_true(xs_watch(g, "@releaseDomain", "rel"));
    xt_expect_event(g, "@releaseDomain", "rel"); /* initial is always sent */
    assert_true(xs_introduce_domain(c->h, 6, 0x1000, 1));
    assert_true(xs_release_domain(c->h, 6));
    xt_expect_no_event(g);
    xs_close(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_initial_and_descendants),
        T(test_root_watch),
        T(test_rm_fires_per_node),
        T(test_duplicate_and_unwatch),
        T(test_relative_watch),
        T(test_special_watches),
        T(test_reset_watches),
        T(test_guest_event_permissions),
    };

    return cmocka_run_group_tests_name("xenstore-watch", tests, NULL, NULL);
}
