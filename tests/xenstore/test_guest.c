/*
 * test_guest.c: an unprivileged domain on its own socket: what it may
 * read and write under xenstored's permission rules, and each per-domain
 * quota at xenstored's default (nodes 1000, watches 128, transactions
 * 10, entry size 2048, 5 permissions per node, 20 outstanding replies).
 * xenstored compares the watch and transaction counts with ">", so it
 * allows one more than the quota; xensim does the same.
 */
#include <fcntl.h>

#include "xstest.h"

#define DOM 5

struct ctx {
    struct xensim_fixture f;
    struct xs_handle *h;   /* dom0 */
    struct xs_handle *g;   /* DOM */
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));
    struct xs_permissions home = { .id = DOM, .perms = XS_PERM_NONE };

    if (!c || xensim_start(&c->f, NULL))
        return -1;
    c->h = xensim_open(&c->f);
    if (!c->h || !xs_introduce_domain(c->h, DOM, 0x1000, 1))
        return -1;
    /* What a toolstack does: the guest owns its home. */
    if (!xs_mkdir(c->h, XBT_NULL, "/local/domain/5") ||
        !xs_set_permissions(c->h, XBT_NULL, "/local/domain/5", &home, 1))
        return -1;
    c->g = xensim_open_dom(&c->f, DOM);
    if (!c->g)
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    int rc;

    xs_close(c->g);
    xs_close(c->h);
    rc = xensim_stop(&c->f);
    free(c);
    return rc;
}

static void wr(struct xs_handle *h, const char *path, const char *v)
{
    assert_true(xs_write(h, XBT_NULL, path, v, strlen(v)));
}

static void test_read_permissions(void **state)
{
    struct ctx *c = *state;
    struct xs_permissions p[2] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = DOM, .perms = XS_PERM_READ },
    };
    char *v;

    wr(c->h, "/secret/x", "1");
    wr(c->h, "/shared", "s");
    assert_true(xs_set_permissions(c->h, XBT_NULL, "/shared", p, 2));
    assert_null(xs_read(c->g, XBT_NULL, "/secret/x", NULL));
    assert_int_equal(errno, EACCES);
    /* A missing node under an unreadable parent: EACCES, not ENOENT. */
    assert_null(xs_read(c->g, XBT_NULL, "/secret/nothere", NULL));
    assert_int_equal(errno, EACCES);
    v = xs_read(c->g, XBT_NULL, "/shared", NULL);
    assert_string_equal(v, "s");
    free(v);
    /* Under a readable parent the truth is told. */
    assert_null(xs_read(c->g, XBT_NULL, "data/none", NULL));
    assert_int_equal(errno, ENOENT);
    assert_false(xs_write(c->g, XBT_NULL, "/shared", "x", 1));
    assert_int_equal(errno, EACCES);
    assert_false(xs_write(c->g, XBT_NULL, "/shared/sub", "x", 1));
    assert_int_equal(errno, EACCES);
    assert_false(xs_rm(c->g, XBT_NULL, "/shared"));
    assert_int_equal(errno, EACCES);
    assert_null(xs_directory(c->g, XBT_NULL, "/", &(unsigned){ 0 }));
    assert_int_equal(errno, EACCES);
    v = xs_read(c->h, XBT_NULL, "/shared", NULL); /* unchanged */
    assert_string_equal(v, "s");
    free(v);
}

static void test_guest_home(void **state)
{
    struct ctx *c = *state;
    struct xs_permissions *p, np[2] = {
        { .id = DOM, .perms = XS_PERM_NONE },
        { .id = 6, .perms = XS_PERM_READ },
    };
    unsigned n;
    char *v;

    wr(c->g, "data/x", "1");   /* relative to /local/domain/5 */
    v = xs_read(c->h, XBT_NULL, "/local/domain/5/data/x", NULL);
    assert_string_equal(v, "1");
    free(v);
    p = xs_get_permissions(c->g, XBT_NULL, "data/x", &n);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].id, DOM);
    free(p);
    /* It may share its node but not give it away. */
    assert_true(xs_set_permissions(c->g, XBT_NULL, "data/x", np, 2));
    np[0].id = 6;
    assert_false(xs_set_permissions(c->g, XBT_NULL, "data/x", np, 2));
    assert_int_equal(errno, EPERM);
    /* dom0's node in the guest's home, read-only for the guest. */
    wr(c->h, "/local/domain/5/memory/target", "1024");
    np[0].id = 0;
    np[1].id = DOM;
    assert_true(xs_set_permissions(c->h, XBT_NULL,
                                   "/local/domain/5/memory/target", np, 2));
    assert_false(xs_write(c->g, XBT_NULL, "memory/target", "9", 1));
    assert_int_equal(errno, EACCES);
    assert_false(xs_set_permissions(c->g, XBT_NULL, "memory/target", np, 2));
    assert_int_equal(errno, EACCES);
    v = xs_read(c->g, XBT_NULL, "memory/target", NULL);
    assert_string_equal(v, "1024");
    free(v);
}

static void test_privileged_requests(void **state)
{
    struct ctx *c = *state;
    char *p;

    assert_false(xs_introduce_domain(c->g, 7, 0x1000, 1));
    assert_int_equal(errno, EACCES);
    assert_false(xs_release_domain(c->g, DOM));
    assert_int_equal(errno, EACCES);
    assert_false(xs_is_domain_introduced(c->g, DOM));
    assert_int_equal(errno, EACCES);
    p = xs_get_domain_path(c->g, DOM);
    assert_string_equal(p, "/local/domain/5");
    free(p);
    assert_true(xs_is_domain_introduced(c->h, DOM));
}

static void test_quota_nodes(void **state)
{
    struct ctx *c = *state;
    char path[64];
    int owned = 1, i; /* its home counts */

    for (i = 0; i < 2000; i++) {
        snprintf(path, sizeof(path), "d%02d/n%02d", i / 50, i % 50);
        if (!xs_write(c->g, XBT_NULL, path, "", 0))
            break;
        owned += i % 50 ? 1 : 2; /* first leaf also makes its dir */
    }
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(owned, 1000);
    /* The refused write left nothing behind. */
    assert_null(xs_read(c->h, XBT_NULL, "/local/domain/5/d19/n49", NULL));
    /*
     * dom0 is not limited, also in the guest's home; what it creates
     * there inherits the guest as owner and counts for the guest.
     */
    wr(c->h, "/local/domain/5/by-dom0", "1");
    assert_false(xs_write(c->g, XBT_NULL, "d00/again", "", 0));
    assert_int_equal(errno, ENOSPC);
    /* Freeing nodes gives room again. */
    assert_true(xs_rm(c->g, XBT_NULL, "d00/n01"));
    assert_false(xs_write(c->g, XBT_NULL, "d00/again", "", 0));
    assert_true(xs_rm(c->h, XBT_NULL, "/local/domain/5/by-dom0"));
    assert_true(xs_write(c->g, XBT_NULL, "d00/again", "", 0));
}

static void test_quota_entry_size(void **state)
{
    struct ctx *c = *state;
    char big[2100];

    memset(big, 'x', sizeof(big));
    /* 24-byte header + 8 per permission + value: < 2048 is fine. */
    assert_true(xs_write(c->g, XBT_NULL, "e", big, 2048 - 24 - 8 - 1));
    assert_false(xs_write(c->g, XBT_NULL, "e", big, 2048 - 24 - 8));
    assert_int_equal(errno, ENOSPC);
    assert_true(xs_write(c->h, XBT_NULL, "/local/domain/5/e", big, 2100));
}

static void test_quota_perms(void **state)
{
    struct ctx *c = *state;
    struct xs_permissions p[6];
    int i;

    wr(c->g, "pp", "");
    for (i = 0; i < 6; i++) {
        p[i].id = i ? 10 + i : DOM;
        p[i].perms = XS_PERM_READ;
    }
    assert_true(xs_set_permissions(c->g, XBT_NULL, "pp", p, 5));
    assert_false(xs_set_permissions(c->g, XBT_NULL, "pp", p, 6));
    assert_int_equal(errno, ENOSPC);
}

static void test_quota_watches_and_leftovers(void **state)
{
    struct ctx *c = *state;
    char dom[128], buf[4200], arg[64];
    int round, i, fd, ok;

    xensim_dom_socket(&c->f, DOM, dom);
    for (round = 0; round < 2; round++) {
        fd = xt_connect(dom);
        for (i = 0, ok = 0; i < 200; i++) {
            int n = snprintf(arg, sizeof(arg), "w%d", i) + 1;

            memcpy(arg + n, "t", 2);
            if (*xt_call(fd, XS_WATCH, 0, arg, n + 2, buf, sizeof(buf)))
                break;
            ok++;
        }
        assert_string_equal(buf, "E2BIG");
        assert_int_equal(ok, 129);
        for (i = 0, ok = 0; i < 20; i++) {
            if (*xt_call(fd, XS_TRANSACTION_START, 0, "", 1, buf,
                         sizeof(buf)))
                break;
            ok++;
        }
        assert_string_equal(buf, "ENOSPC");
        assert_int_equal(ok, 11);
        /*
         * Hang up and wait for the server's close: the second round
         * proves that watches and transactions left with the client.
         */
        shutdown(fd, SHUT_WR);
        assert_true(xt_closed(fd));
        close(fd);
    }
}

/*
 * A guest writes requests and never reads a reply.  Once 20 replies are
 * stuck on its socket xensim stops reading it, so its writes stall for
 * good while dom0 is still served.  "For good" is the one bounded wait
 * here: a server that kept reading would drain the socket in far less
 * than a second; the real assertions are that requests remain unhandled
 * and that all are handled, none lost, once the guest reads.
 */
#define FLOOD_MAX 20000

static void test_flood_contained(void **state)
{
    struct ctx *c = *state;
    char dom[128], msg[64], buf[4200];
    int fd, i, sent = 0;
    bool stalled = false;
    struct xsd_sockmsg h;
    char *v;

    xensim_dom_socket(&c->f, DOM, dom);
    fd = xt_connect(dom);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    while (sent < FLOOD_MAX) {
        int n = snprintf(msg + 16, sizeof(msg) - 16, "f%c%d", '\0', sent);
        struct xsd_sockmsg mh = { XS_WRITE, sent, 0, n };
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        ssize_t w;

        memcpy(msg, &mh, 16);
        w = write(fd, msg, 16 + n);
        if (w == 16 + n) {
            sent++;
            continue;
        }
        assert_int_equal(w, -1); /* small writes are never split */
        assert_int_equal(errno, EAGAIN);
        if (poll(&p, 1, 1000) == 0) {
            stalled = true;
            break;
        }
    }
    assert_true(stalled);
    /* The rest of the host still answers... */
    wr(c->h, "/alive", "2");
    v = xs_read(c->h, XBT_NULL, "/local/domain/5/f", NULL);
    assert_non_null(v);
    /* ...while the guest's requests wait in its own socket. */
    if (atoi(v) >= sent - 1)
        fail_msg("all %d flood requests were handled (f=%s)", sent, v);
    free(v);
    /* Reading the replies lets every request through, none lost. */
    fcntl(fd, F_SETFL, 0);
    for (i = 0; i < sent; i++) {
        assert_int_equal(xt_recv(fd, &h, buf, sizeof(buf)), XS_WRITE);
        assert_int_equal(h.req_id, (uint32_t)i);
    }
    v = xs_read(c->h, XBT_NULL, "/local/domain/5/f", NULL);
    assert_int_equal(atoi(v), sent - 1);
    free(v);
    close(fd);
}

static void test_quota_transaction_nodes(void **state)
{
    struct ctx *c = *state;
    xs_transaction_t t = xs_transaction_start(c->g);
    char path[32];
    int i;

    /* Reads count too, also of absent nodes: 1024 nodes per transaction. */
    for (i = 0; i < 2000; i++) {
        snprintf(path, sizeof(path), "r%d", i);
        if (xs_read(c->g, t, path, NULL) || errno != ENOENT)
            break;
    }
    assert_int_equal(errno, ENOSPC);
    /* The first read also touched the parent (to tell ENOENT from EACCES). */
    assert_int_equal(i, 1023);
    /* Such a transaction cannot commit (xenstored says ENOMEM). */
    assert_false(xs_transaction_end(c->g, t, false));
    assert_int_equal(errno, ENOMEM);
    /* dom0 has no such limit. */
    t = xs_transaction_start(c->h);
    for (i = 0; i < 1100; i++) {
        snprintf(path, sizeof(path), "/r%d", i);
        assert_null(xs_read(c->h, t, path, NULL));
        assert_int_equal(errno, ENOENT);
    }
    assert_true(xs_transaction_end(c->h, t, false));
}

static void test_quota_parent_size(void **state)
{
    struct ctx *c = *state;
    char path[64];
    int i;

    /*
     * Child names are part of the parent's record: 30-byte names fill
     * 2048 bytes after (2048 - 24 - 8) / 31 = 65 children.
     */
    for (i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "p/%030d", i);
        if (!xs_write(c->g, XBT_NULL, path, "", 0))
            break;
    }
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(i, 65);
}

static void test_special_node_permissions(void **state)
{
    struct ctx *c = *state;
    struct xs_permissions p[2] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = DOM, .perms = XS_PERM_READ },
    };

    assert_true(xs_watch(c->g, "@introduceDomain", "i"));
    xt_expect_event(c->g, "@introduceDomain", "i");
    assert_true(xs_introduce_domain(c->h, 8, 0x1000, 1));
    xt_expect_no_event(c->g);                 /* dom0 only by default */
    assert_false(xs_set_permissions(c->g, XBT_NULL, "@introduceDomain", p,
                                    2));
    assert_int_equal(errno, EACCES);
    assert_true(xs_set_permissions(c->h, XBT_NULL, "@introduceDomain", p,
                                   2));
    assert_true(xs_introduce_domain(c->h, 9, 0x1000, 1));
    xt_expect_event(c->g, "@introduceDomain", "i");
    assert_false(xs_set_permissions(c->h, XBT_NULL, "@other", p, 2));
    assert_int_equal(errno, EINVAL);
    /* Released, the domain loses its entry (xenstored's cleanup). */
    xs_close(c->g);
    assert_true(xs_release_domain(c->h, DOM));
    assert_true(xs_introduce_domain(c->h, DOM, 0x1000, 1));
    c->g = xensim_open_dom(&c->f, DOM);
    assert_non_null(c->g);
    assert_true(xs_watch(c->g, "@introduceDomain", "i"));
    xt_expect_event(c->g, "@introduceDomain", "i");
    assert_true(xs_introduce_domain(c->h, 10, 0x1000, 1));
    xt_expect_no_event(c->g);
}

/*
 * A guest cannot pile watch events up in a slow watcher's queue: as in
 * xenstored, its request stays outstanding until its events are
 * written, so after 20 such requests the guest is not read any more.
 * The guest reads its replies all along, so only the watcher's backlog
 * can stall it.
 */
#define EV_MAX 400
#define EV_NAME 1900 /* long names: the watcher's socket fills by bytes */

static void test_events_stall_guest(void **state)
{
    struct ctx *c = *state;
    char dom[128], msg[16 + 64 + EV_NAME], buf[4200], name[EV_NAME + 1];
    int g, w, sent = 0, replies = 0, events = 0;
    bool stalled = false;
    struct xsd_sockmsg h;

    memset(name, 'n', EV_NAME);
    name[EV_NAME] = '\0';
    w = xt_connect(c->f.socket);    /* a dom0 watcher that does not read */
    assert_string_equal(xt_call(w, XS_WATCH, 0, "/local/domain/5/data\0t",
                                23, buf, sizeof(buf)), "");
    g = xt_connect(xensim_dom_socket(&c->f, DOM, dom));
    fcntl(g, F_SETFL, O_NONBLOCK);
    while (sent < EV_MAX) {
        struct pollfd p = { .fd = g, .events = POLLIN | POLLOUT };

        if (poll(&p, 1, 1000) == 0) {
            stalled = true;
            break;
        }
        if (p.revents & POLLIN) {
            ssize_t r = read(g, buf, sizeof(buf));

            assert_true(r > 0); /* replies: count the whole messages */
            replies += r;
        }
        if (p.revents & POLLOUT) {
            int n = snprintf(msg + 16, sizeof(msg) - 16, "data/d%d/%d/%s",
                             sent / 20, sent % 20, name) + 1;
            struct xsd_sockmsg mh = { XS_WRITE, sent, 0, n };

            memcpy(msg, &mh, 16);
            if (write(g, msg, 16 + n) == 16 + n)
                sent++;
        }
    }
    if (!stalled)
        fail_msg("no stall after %d requests, %d replies", sent,
                 replies / 19);
    /* Replies are "OK": 19 bytes each; not all requests were answered. */
    assert_true(replies / 19 < sent);
    wr(c->h, "/alive", "1");   /* dom0 is still served */
    /* The watcher catches up: every request goes through. */
    fcntl(g, F_SETFL, 0);
    while (replies / 19 < sent || events < sent + 1) {
        struct pollfd p[2] = { { .fd = g, .events = POLLIN },
                               { .fd = w, .events = POLLIN } };

        if (poll(p, 2, XT_TIMEOUT_MS) <= 0)
            fail_msg("stuck: sent %d, replies %d bytes, events %d", sent,
                     replies, events);
        if (p[0].revents & POLLIN) {
            ssize_t r = read(g, buf, sizeof(buf));

            assert_true(r > 0);
            replies += r;
        }
        if (p[1].revents & POLLIN) {
            assert_int_equal(xt_read_full(w, &h, sizeof(h)), 0);
            assert_int_equal(xt_read_full(w, buf, h.len), 0);
            events += h.type == XS_WATCH_EVENT;
        }
    }
    assert_int_equal(replies, sent * 19);
    assert_int_equal(events, sent + 1);
    close(g);
    close(w);
}

static void test_release_closes(void **state)
{
    struct ctx *c = *state;
    char dom[128];
    int fd;

    xensim_dom_socket(&c->f, DOM, dom);
    fd = xt_connect(dom);
    assert_true(fd >= 0);
    assert_true(xs_release_domain(c->h, DOM));
    assert_true(xt_closed(fd));           /* its connections closed */
    close(fd);
    assert_int_equal(access(dom, F_OK), -1); /* its socket removed */
    assert_int_equal(xt_connect(dom), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_read_permissions),
        T(test_guest_home),
        T(test_privileged_requests),
        T(test_quota_nodes),
        T(test_quota_entry_size),
        T(test_quota_perms),
        T(test_quota_watches_and_leftovers),
        T(test_flood_contained),
        T(test_quota_transaction_nodes),
        T(test_quota_parent_size),
        T(test_special_node_permissions),
        T(test_events_stall_guest),
        T(test_release_closes),
    };

    return cmocka_run_group_tests_name("xenstore-guest", tests, NULL, NULL);
}
