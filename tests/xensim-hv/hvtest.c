/*
 * hvtest.c: helpers for the tests of xensim's simulated host (hvtest.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvtest.h"

void hvt_start(struct hvt *t, const char *const *args)
{
    memset(t, 0, sizeof(*t));
    t->hv = -1;
    assert_int_equal(xensim_start(&t->f, args), 0);
    t->xs = xensim_open(&t->f);
    assert_non_null(t->xs);
    t->hv = hvt_channel(t);
}

int hvt_channel(struct hvt *t)
{
    char *path = hvc_path(t->xs);
    int fd;

    assert_non_null(path);
    fd = hvc_connect(path);
    free(path);
    assert_true(fd >= 0);
    return fd;
}

void hvt_stop(struct hvt *t)
{
    if (t->hv >= 0) {
        /* Whatever the test did, the books must balance. */
        hvt_ok(t, "check");
        close(t->hv);
    }
    if (t->xs)
        xs_close(t->xs);
    assert_int_equal(xensim_stop(&t->f), 0);
}

static const char *vcall(struct hvt *t, const char *fmt, va_list ap)
{
    char req[8192];
    size_t len = 0;
    int n = vsnprintf(req, sizeof(req) - 1, fmt, ap);
    struct pollfd p = { .fd = t->hv, .events = POLLIN };

    assert_true(n >= 0 && (size_t)n < sizeof(req) - 1);
    req[n++] = '\n';
    assert_int_equal(write(t->hv, req, (size_t)n), n);
    for (;;) {
        ssize_t r;
        char *nl;

        assert_int_equal(poll(&p, 1, HT_TIMEOUT_MS), 1);
        r = read(t->hv, t->reply + len, sizeof(t->reply) - 1 - len);
        assert_true(r > 0);
        len += (size_t)r;
        t->reply[len] = 0;
        nl = strchr(t->reply, '\n');
        if (nl) {
            /* One request, one reply: nothing may follow it. */
            assert_true(nl[1] == 0);
            *nl = 0;
            return t->reply;
        }
        assert_true(len < sizeof(t->reply) - 1);
    }
}

const char *hvt_call(struct hvt *t, const char *fmt, ...)
{
    const char *r;
    va_list ap;

    va_start(ap, fmt);
    r = vcall(t, fmt, ap);
    va_end(ap);
    return r;
}

const char *hvt_ok(struct hvt *t, const char *fmt, ...)
{
    const char *r;
    va_list ap;

    va_start(ap, fmt);
    r = vcall(t, fmt, ap);
    va_end(ap);
    if (strncmp(r, "ok", 2) || (r[2] && r[2] != ' '))
        fail_msg("hv channel: expected ok, got '%s'", r);
    return r;
}

const char *hvt_str(const char *reply, const char *key, char *buf,
                    size_t len)
{
    size_t klen = strlen(key), n;
    const char *p = reply;

    while ((p = strchr(p, ' '))) {
        p++;
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            p += klen + 1;
            n = strcspn(p, " ");
            assert_true(n < len);
            memcpy(buf, p, n);
            buf[n] = 0;
            return buf;
        }
    }
    fail_msg("no key '%s' in reply '%s'", key, reply);
    return NULL;
}

uint64_t hvt_u64(const char *reply, const char *key)
{
    char buf[64], *end;
    uint64_t v;

    hvt_str(reply, key, buf, sizeof(buf));
    v = strtoull(buf, &end, 10);
    assert_true(*end == 0 && end != buf);
    return v;
}

uint64_t hvt_dom(struct hvt *t, unsigned domid, const char *key)
{
    return hvt_u64(hvt_ok(t, "dominfo %u", domid), key);
}

uint64_t hvt_guest(struct hvt *t, unsigned domid, const char *key)
{
    return hvt_u64(hvt_ok(t, "guestinfo %u", domid), key);
}

uint64_t hvt_phys(struct hvt *t, const char *key)
{
    return hvt_u64(hvt_ok(t, "physinfo"), key);
}

bool hvt_settle(struct hvt *t, unsigned max_ms)
{
    const char *r = max_ms ? hvt_ok(t, "settle %u", max_ms)
                           : hvt_ok(t, "settle");

    return hvt_u64(r, "idle") == 1;
}

unsigned hvt_create(struct hvt *t, const char *fmt, ...)
{
    char args[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return (unsigned)hvt_u64(hvt_ok(t, "create %s", args), "domid");
}

void hvt_write(struct hvt *t, const char *path, const char *val)
{
    assert_true(xs_write(t->xs, XBT_NULL, path, val, strlen(val)));
}

void hvt_set_target(struct hvt *t, unsigned domid, uint64_t kb)
{
    char path[64], val[32];

    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
    snprintf(val, sizeof(val), "%llu", (unsigned long long)kb);
    hvt_write(t, path, val);
}

char *hvt_read(struct hvt *t, const char *path)
{
    unsigned len;

    return xs_read(t->xs, XBT_NULL, path, &len);
}

uint64_t hvt_read_u64(struct hvt *t, const char *path)
{
    char *v = hvt_read(t, path), *end;
    uint64_t n;

    assert_non_null(v);
    n = strtoull(v, &end, 10);
    assert_true(*end == 0 && end != v);
    free(v);
    return n;
}

char *hvt_wait_event(struct xs_handle *h, const char *token)
{
    struct pollfd p = { .fd = xs_fileno(h), .events = POLLIN };
    unsigned n;
    char **v, *path;

    for (;;) {
        v = xs_check_watch(h);
        if (!v) {
            if (poll(&p, 1, HT_TIMEOUT_MS) != 1)
                return NULL;
            v = xs_read_watch(h, &n);
            if (!v)
                return NULL;
        }
        if (!token || !strcmp(v[XS_WATCH_TOKEN], token)) {
            path = strdup(v[XS_WATCH_PATH]);
            free(v);
            return path;
        }
        free(v);
    }
}
