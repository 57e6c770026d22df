/*
 * xstest.h: helpers shared by the xenstore server tests.
 *
 * Watch events are awaited with poll() on xs_fileno() and a generous
 * bound; "no event" is proven without waiting, by a round trip on the
 * watching connection itself (xensim answers in order, and libxenstore
 * files every event that precedes a reply before returning the reply),
 * followed by xs_check_watch().  The raw helpers speak the wire protocol
 * directly, for what libxenstore cannot send (malformed messages,
 * RESET_WATCHES, arbitrary transaction ids).
 */
#ifndef MP_TESTS_XSTEST_H
#define MP_TESTS_XSTEST_H

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <xenstore.h>
#include <xen/io/xs_wire.h>

#include "xensim_fixture.h"

#define XT_TIMEOUT_MS 120000

/* Wait for one watch event; returns its vector (free it) or NULL. */
static inline char **xt_wait_event(struct xs_handle *h)
{
    struct pollfd p = { .fd = xs_fileno(h), .events = POLLIN };
    char **v = xs_check_watch(h);
    unsigned n;

    if (v)
        return v;
    if (poll(&p, 1, XT_TIMEOUT_MS) != 1)
        return NULL;
    return xs_read_watch(h, &n);
}

/* Expect the next event to be (path, token). */
static inline void xt_expect_event(struct xs_handle *h, const char *path,
                                   const char *token)
{
    char **v = xt_wait_event(h);

    assert_non_null(v);
    assert_string_equal(v[XS_WATCH_PATH], path);
    assert_string_equal(v[XS_WATCH_TOKEN], token);
    free(v);
}

/* Prove that no event is pending on h (after a round trip on h). */
static inline void xt_expect_no_event(struct xs_handle *h)
{
    char **v;

    free(xs_read(h, XBT_NULL, "/", NULL)); /* round trip */
    v = xs_check_watch(h);
    if (v)
        fail_msg("unexpected event %s %s", v[0], v[1]);
    assert_int_equal(errno, EAGAIN);
}

/* ---- raw wire ---- */

static inline int xt_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    assert_true(strlen(path) < sizeof(sa.sun_path));
    strcpy(sa.sun_path, path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline void xt_send_raw(int fd, const void *buf, size_t len)
{
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
}

static inline void xt_send(int fd, uint32_t type, uint32_t req, uint32_t tx,
                           const void *payload, uint32_t len)
{
    struct xsd_sockmsg h = { type, req, tx, len };

    xt_send_raw(fd, &h, sizeof(h));
    if (len)
        xt_send_raw(fd, payload, len);
}

/* Read exactly len bytes within the bound; -1 on EOF/timeout. */
static inline int xt_read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t r;

        if (poll(&p, 1, XT_TIMEOUT_MS) != 1)
            return -1;
        r = read(fd, (char *)buf + got, len - got);
        if (r <= 0)
            return -1;
        got += r;
    }
    return 0;
}

/*
 * Read the next message that is not a watch event (events are skipped);
 * payload into buf (NUL-terminated), returns the header type or -1.
 */
static inline int xt_recv(int fd, struct xsd_sockmsg *h, char *buf,
                          size_t cap)
{
    for (;;) {
        if (xt_read_full(fd, h, sizeof(*h)))
            return -1;
        assert_true(h->len <= XENSTORE_PAYLOAD_MAX && h->len < cap);
        if (xt_read_full(fd, buf, h->len))
            return -1;
        buf[h->len] = '\0';
        if (h->type != XS_WATCH_EVENT)
            return h->type;
    }
}

/* Round trip; returns the error name for XS_ERROR, else "" (OK). */
static inline const char *xt_call(int fd, uint32_t type, uint32_t tx,
                                  const void *payload, uint32_t len,
                                  char *buf, size_t cap)
{
    struct xsd_sockmsg h;
    static uint32_t req = 100;
    uint32_t r = req++;
    int t;

    xt_send(fd, type, r, tx, payload, len);
    t = xt_recv(fd, &h, buf, cap);
    assert_int_not_equal(t, -1);
    assert_int_equal(h.req_id, r);
    if (t == XS_ERROR)
        return buf;
    assert_int_equal(t, (int)type);
    return "";
}

/* True if the peer closed the connection (EOF or reset, within the bound). */
static inline int xt_closed(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char c;

    if (poll(&p, 1, XT_TIMEOUT_MS) != 1)
        return 0;
    return read(fd, &c, 1) <= 0;
}

#endif
