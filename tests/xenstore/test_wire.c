/*
 * test_wire.c: bad input on the wire.  Truncated and split headers,
 * oversized lengths (that client alone is disconnected), missing NULs
 * (EINVAL), unknown types (ENOSYS), every request type with degenerate
 * payloads, and a seeded random fuzz; after each, the server still
 * answers everyone and the store is unchanged.  Run under the sanitizer
 * build, crashes and leaks show up as a failed stop.
 */
#include "xstest.h"

struct ctx {
    struct xensim_fixture f;
    struct xs_handle *h;
    char *before;
};

/* The whole store as text (dom0 view), to prove it unchanged. */
static void dump(struct xs_handle *h, const char *path, FILE *f)
{
    unsigned n, i, vl, np;
    char **d, *v, child[4096];
    struct xs_permissions *p;

    v = xs_read(h, XBT_NULL, path, &vl);
    p = xs_get_permissions(h, XBT_NULL, path, &np);
    fprintf(f, "%s=%.*s perms=%u:%u\n", path, (int)vl, v ? v : "", np,
            p ? p[0].id : 99);
    free(v);
    free(p);
    d = xs_directory(h, XBT_NULL, path, &n);
    for (i = 0; d && i < n; i++) {
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "",
                 d[i]);
        dump(h, child, f);
    }
    free(d);
}

static char *snapshot(struct xs_handle *h)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    dump(h, "/", f);
    fclose(f);
    return out;
}

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));
    struct xs_permissions p = { .id = 0, .perms = XS_PERM_READ };

    if (!c || xensim_start(&c->f, NULL))
        return -1;
    c->h = xensim_open(&c->f);
    if (!c->h || !xs_write(c->h, XBT_NULL, "/data/a", "1", 1) ||
        !xs_set_permissions(c->h, XBT_NULL, "/data", &p, 1) ||
        !xs_introduce_domain(c->h, 5, 0x1000, 1))
        return -1;
    c->before = snapshot(c->h);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    char *after = snapshot(c->h);
    int rc;

    /* Every test leaves the store exactly as it found it. */
    if (strcmp(after, c->before)) {
        fprintf(stderr, "store changed:\n%s---\n%s", c->before, after);
        rc = -1;
    } else {
        rc = 0;
    }
    free(after);
    free(c->before);
    xs_close(c->h);
    if (xensim_stop(&c->f))
        rc = -1;
    free(c);
    return rc;
}

static void expect_alive(struct ctx *c)
{
    char *v = xs_read(c->h, XBT_NULL, "/data/a", NULL);

    assert_non_null(v);
    assert_string_equal(v, "1");
    free(v);
}

static void test_split_header(void **state)
{
    struct ctx *c = *state;
    struct xsd_sockmsg h = { XS_READ, 7, 0, 8 };
    char buf[4200];
    int fd = xt_connect(c->f.socket);

    /* A message in five pieces is still one message. */
    xt_send_raw(fd, &h, 5);
    expect_alive(c);
    xt_send_raw(fd, (char *)&h + 5, 11);
    expect_alive(c);
    xt_send_raw(fd, "/dat", 4);
    xt_send_raw(fd, "a/a", 3);
    xt_send_raw(fd, "", 1);
    assert_int_equal(xt_recv(fd, &h, buf, sizeof(buf)), XS_READ);
    assert_int_equal(h.req_id, 7);
    assert_string_equal(buf, "1");
    /* A truncated header, then hang up. */
    xt_send_raw(fd, &h, 9);
    close(fd);
    expect_alive(c);
}

static void test_oversized(void **state)
{
    struct ctx *c = *state;
    struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
    int bad = xt_connect(c->f.socket), good = xt_connect(c->f.socket);
    char buf[4200];

    assert_string_equal(xt_call(good, XS_READ, 0, "/data/a", 8, buf,
                                sizeof(buf)), "");
    xt_send_raw(bad, &h, sizeof(h));
    assert_true(xt_closed(bad));
    close(bad);
    /* Others are not affected. */
    assert_string_equal(xt_call(good, XS_READ, 0, "/data/a", 8, buf,
                                sizeof(buf)), "");
    h.len = 0xffffffff;
    bad = xt_connect(c->f.socket);
    xt_send_raw(bad, &h, sizeof(h));
    assert_true(xt_closed(bad));
    close(bad);
    /* A guest likewise. */
    {
        char dom[128];

        bad = xt_connect(xensim_dom_socket(&c->f, 5, dom));
        xt_send_raw(bad, &h, sizeof(h));
        assert_true(xt_closed(bad));
        close(bad);
    }
    close(good);
    expect_alive(c);
}

static void test_missing_nuls(void **state)
{
    struct ctx *c = *state;
    char buf[4200];
    int fd = xt_connect(c->f.socket);
    static const struct {
        uint32_t type;
        const char *p;
        unsigned len;
    } cases[] = {
        { XS_READ, "/data/a", 7 },
        { XS_READ, "/data/a\0\0", 9 },
        { XS_READ, "", 0 },
        { XS_WRITE, "/data/a", 7 },
        { XS_WRITE, "", 0 },
        { XS_MKDIR, "/data/x", 7 },
        { XS_RM, "/data/a", 7 },
        { XS_DIRECTORY, "/data", 5 },
        { XS_DIRECTORY_PART, "/data\0" "0", 7 },
        { XS_GET_PERMS, "/data", 5 },
        { XS_SET_PERMS, "/data\0r0", 8 },
        { XS_WATCH, "/data\0tok", 9 },
        { XS_WATCH, "/data", 6 },
        { XS_UNWATCH, "/data", 6 },
        { XS_TRANSACTION_END, "T", 1 },
        { XS_INTRODUCE, "5\0" "0", 3 },
        { XS_RELEASE, "5", 1 },
        { XS_IS_DOMAIN_INTRODUCED, "5", 1 },
        { XS_GET_DOMAIN_PATH, "5", 1 },
    };
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *r = xt_call(fd, cases[i].type, 0, cases[i].p,
                                cases[i].len, buf, sizeof(buf));

        if (strcmp(r, "EINVAL"))
            fail_msg("case %u (type %u): got '%s', want EINVAL", i,
                     cases[i].type, r);
    }
    close(fd);
    expect_alive(c);
}

static void test_unknown_types(void **state)
{
    struct ctx *c = *state;
    char buf[4200];
    int fd = xt_connect(c->f.socket);
    uint32_t types[] = { XS_WATCH_EVENT, XS_ERROR, XS_TYPE_COUNT, 99,
                         XS_INVALID, 0x80000000u, 0xffffffffu, 20 };
    unsigned i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        assert_string_equal(xt_call(fd, types[i], 0, "/data\0", 6, buf,
                                    sizeof(buf)), "ENOSYS");
    close(fd);
    expect_alive(c);
}

/* Every type, degenerate payloads, dom0 and guest: always one reply. */
static void test_degenerate_payloads(void **state)
{
    struct ctx *c = *state;
    static const struct {
        const char *p;
        unsigned len;
    } pl[] = {
        { "", 0 }, { "", 1 }, { "\0\0\0", 3 }, { "@", 2 },
        { "@introduceDomain\0", 17 }, { "a\0b\0c\0d", 7 }, { "/\0/\0", 4 },
        { "99999999999999999999\0", 21 }, { "-1\0-1\0-1\0", 9 },
        { "x", 1 },
    };
    char buf[4200], dom[128];
    unsigned t, i, who;

    for (who = 0; who < 2; who++) {
        int fd = xt_connect(who ? xensim_dom_socket(&c->f, 5, dom)
                                : c->f.socket);

        for (t = 0; t < XS_TYPE_COUNT + 2; t++) {
            for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++) {
                /* Leave the store and the guest alone. */
                if (t == XS_WRITE || t == XS_MKDIR || t == XS_RM ||
                    t == XS_SET_PERMS || t == XS_RELEASE ||
                    t == XS_INTRODUCE)
                    continue;
                xt_call(fd, t, 0, pl[i].p, pl[i].len, buf, sizeof(buf));
                xt_call(fd, t, 12345, pl[i].p, pl[i].len, buf, sizeof(buf));
            }
        }
        close(fd);
    }
    expect_alive(c);
}

/* Seeded random messages from a guest: one reply each, store intact. */
static void test_fuzz(void **state)
{
    struct ctx *c = *state;
    char buf[4200], msg[4096], dom[128];
    unsigned seed = 20261122, i, j;
    int fd = xt_connect(xensim_dom_socket(&c->f, 5, dom));

    for (i = 0; i < 3000; i++) {
        uint32_t type = rand_r(&seed) % (XS_TYPE_COUNT + 3);
        uint32_t tx = rand_r(&seed) % 4 ? 0 : rand_r(&seed);
        uint32_t len = rand_r(&seed) % 64;

        if (rand_r(&seed) % 50 == 0)
            len = rand_r(&seed) % sizeof(msg);
        for (j = 0; j < len; j++) {
            static const char alpha[] = "/\0\0ab@-_T/0123456789";

            msg[j] = rand_r(&seed) % 3 ? alpha[rand_r(&seed) % 20]
                                       : (char)rand_r(&seed);
        }
        xt_call(fd, type, tx, msg, len, buf, sizeof(buf));
    }
    /* Raw garbage last: may break framing, must not break the server. */
    for (i = 0; i < sizeof(msg); i++)
        msg[i] = rand_r(&seed);
    xt_send_raw(fd, msg, sizeof(msg));
    close(fd);
    expect_alive(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_split_header),
        T(test_oversized),
        T(test_missing_nuls),
        T(test_unknown_types),
        T(test_degenerate_payloads),
        T(test_fuzz),
    };

    return cmocka_run_group_tests_name("xenstore-wire", tests, NULL, NULL);
}
