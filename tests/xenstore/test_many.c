/*
 * test_many.c: 1,000 clients on one xensim loop.  Each registers a watch
 * and receives every event, in order; then all hang up in the middle of
 * transactions and watches, and the server is left clean (a second
 * generation of 1,000 clients starts from nothing, and the guest's
 * quotas are whole again).
 */
#include <fcntl.h>

#include "xstest.h"

#define NCLIENTS 1000
#define NEVENTS 10
/* Guests 1..NGUESTS hold the 500 guest connections, 8 at most each
 * (XSQ_CONNS_PER_DOMAIN). */
#define NGUESTS 63

struct ctx {
    struct xensim_fixture f;
    struct xs_handle *h;
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));

    xensim_raise_fd_limit();
    if (!c || xensim_start(&c->f, NULL))
        return -1;
    c->h = xensim_open(&c->f);
    if (!c->h)
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    int rc;

    xs_close(c->h);
    rc = xensim_stop(&c->f);
    free(c);
    return rc;
}

/* Read one message of the given type from fd. */
static void expect_msg(int fd, uint32_t type, const char *payload,
                       unsigned len)
{
    struct xsd_sockmsg h;
    char buf[4200];

    assert_int_equal(xt_read_full(fd, &h, sizeof(h)), 0);
    assert_int_equal(h.type, type);
    assert_int_equal(h.len, len);
    assert_int_equal(xt_read_full(fd, buf, h.len), 0);
    assert_memory_equal(buf, payload, len);
}

static void one_generation(struct ctx *c, bool guests)
{
    static int fds[NCLIENTS];
    char dom[128], path[64], ev[128];
    struct xs_permissions all_read = { .id = 0, .perms = XS_PERM_READ };
    int i, k;

    /* Guests see events for nodes they can read. */
    assert_true(xs_mkdir(c->h, XBT_NULL, "/many"));
    assert_true(xs_set_permissions(c->h, XBT_NULL, "/many", &all_read, 1));
    for (i = 0; i < NCLIENTS; i++) {
        /* Half the clients are guests of domains 1..63 when asked. */
        const char *sock = guests && i % 2
            ? xensim_dom_socket(&c->f, 1 + (i / 2) % NGUESTS, dom)
            : c->f.socket;

        fds[i] = xt_connect(sock);
        assert_true(fds[i] >= 0);
        xt_send(fds[i], XS_WATCH, 1, 0, "/many\0tok", 10);
        xt_send(fds[i], XS_TRANSACTION_START, 2, 0, "", 1);
    }
    for (i = 0; i < NCLIENTS; i++) {
        struct xsd_sockmsg h;
        char buf[64];

        expect_msg(fds[i], XS_WATCH, "OK", 3);
        expect_msg(fds[i], XS_WATCH_EVENT, "/many\0tok", 10);
        assert_int_equal(xt_read_full(fds[i], &h, sizeof(h)), 0);
        assert_int_equal(h.type, XS_TRANSACTION_START);
        assert_int_equal(xt_read_full(fds[i], buf, h.len), 0);
    }
    for (k = 0; k < NEVENTS; k++) {
        snprintf(path, sizeof(path), "/many/n%d", k);
        assert_true(xs_write(c->h, XBT_NULL, path, "v", 1));
    }
    for (i = 0; i < NCLIENTS; i++)
        for (k = 0; k < NEVENTS; k++) {
            int n = snprintf(ev, sizeof(ev), "/many/n%d", k) + 1;

            memcpy(ev + n, "tok", 4);
            expect_msg(fds[i], XS_WATCH_EVENT, ev, n + 4);
        }
    /* Everyone hangs up, holding a watch and a transaction. */
    for (i = 0; i < NCLIENTS; i++) {
        shutdown(fds[i], SHUT_WR);
        assert_true(xt_closed(fds[i]));
        close(fds[i]);
    }
    assert_true(xs_rm(c->h, XBT_NULL, "/many"));
}

static void test_thousand_watchers(void **state)
{
    struct ctx *c = *state;

    one_generation(c, false);
    one_generation(c, false);
}

static void test_thousand_with_guests(void **state)
{
    struct ctx *c = *state;
    struct xs_handle *g;
    int i, d;
    char path[32];

    for (d = 1; d <= NGUESTS; d++)
        assert_true(xs_introduce_domain(c->h, d, 0x1000, 1));
    one_generation(c, true);
    one_generation(c, true);
    /*
     * 500 guest connections held up to 8 watches per domain; all gone:
     * each domain's whole watch quota (128, plus xenstored's one extra)
     * is available again.
     */
    for (d = 1; d <= 10; d++) {
        g = xensim_open_dom(&c->f, d);
        assert_non_null(g);
        for (i = 0; i <= 128; i++) {
            snprintf(path, sizeof(path), "/w%d", i);
            assert_true(xs_watch(g, path, "t"));
        }
        assert_false(xs_watch(g, "/w-one-too-many", "t"));
        assert_int_equal(errno, E2BIG);
        xs_close(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_thousand_watchers),
        T(test_thousand_with_guests),
    };

    return cmocka_run_group_tests_name("xenstore-many", tests, NULL, NULL);
}
