/*
 * common.c: xensim lifecycle, hv channel and store dumps for the
 * library's tests.  See common.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "hvclient.h"

int xsim_start(struct xsim *x, const char *const *args)
{
    return xensim_start(&x->f, args);
}

void xsim_stop(struct xsim *x)
{
    xensim_stop(&x->f);
}

int test_host_start(struct xsim *sim, const char *const *args,
                    struct xs_handle **xsh, mempolicy_ctx **ctx)
{
    *xsh = NULL;
    if (ctx)
        *ctx = NULL;
    if (xsim_start(sim, args))
        return -1;
    *xsh = xs_open(0);
    if (ctx)
        *ctx = test_ctx();
    return *xsh && (!ctx || *ctx) ? 0 : -1;
}

void test_host_stop(struct xsim *sim, struct xs_handle **xsh,
                    mempolicy_ctx **ctx)
{
    if (ctx) {
        test_ctx_free(*ctx);
        *ctx = NULL;
    }
    if (*xsh)
        xs_close(*xsh);
    *xsh = NULL;
    xsim_stop(sim);
}

char *xsim_hv(struct xsim *x, const char *fmt, ...)
{
    char req[1024], path[sizeof(x->f.socket) + 4];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(req, sizeof(req), fmt, ap);
    va_end(ap);
    /* The channel is "<xenstore socket>.hv" (docs/hv-channel.md). */
    snprintf(path, sizeof(path), "%s.hv", x->f.socket);
    return hvc_request(path, req);
}

bool reply_u64(const char *line, const char *key, uint64_t *v)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), " %s=", key);
    p = strstr(line, pat);
    if (!p)
        return false;
    *v = strtoull(p + strlen(pat), NULL, 10);
    return true;
}

uint64_t xsim_dominfo(struct xsim *x, unsigned domid, const char *key)
{
    char *r = xsim_hv(x, "dominfo %u", domid);
    uint64_t v;

    if (!r || strncmp(r, "ok", 2) || !reply_u64(r, key, &v))
        v = XSIM_NONE;
    free(r);
    return v;
}

int xsim_create(struct xsim *x, const char *spec)
{
    char *r = xsim_hv(x, "create %s", spec);
    uint64_t d;
    int rc = -1;

    if (r && !strncmp(r, "ok", 2) && reply_u64(r, "domid", &d))
        rc = (int)d;
    else
        fprintf(stderr, "# create %s: %s\n", spec, r ? r : "(no reply)");
    free(r);
    return rc;
}

struct dump {
    char *buf;
    size_t len, cap;
};

static void dump_add(struct dump *d, const char *s, size_t n)
{
    if (d->len + n + 1 > d->cap) {
        d->cap = (d->len + n + 1) * 2;
        d->buf = realloc(d->buf, d->cap);
        if (!d->buf)
            abort();
    }
    memcpy(d->buf + d->len, s, n);
    d->len += n;
    d->buf[d->len] = '\0';
}

static bool volatile_node(const char *path)
{
    size_t n = strlen(path);

    /* Written by the simulated guests and the scenario clock. */
    return (n > 15 && !strcmp(path + n - 15, "/memory/meminfo")) ||
           !strcmp(path, "/tool/xensim/time");
}

static void dump_node(struct xs_handle *h, const char *path, struct dump *d)
{
    unsigned len, n, i, np;
    char *v, **kids, line[64];
    struct xs_permissions *perms;

    if (volatile_node(path))
        return;
    dump_add(d, path, strlen(path));
    dump_add(d, " = ", 3);
    v = xs_read(h, XBT_NULL, path, &len);
    if (v) {
        dump_add(d, v, len);
        free(v);
    }
    perms = xs_get_permissions(h, XBT_NULL, path, &np);
    for (i = 0; perms && i < np; i++) {
        n = (unsigned)snprintf(line, sizeof(line), " [%u:%d]", perms[i].id,
                               perms[i].perms);
        dump_add(d, line, n);
    }
    free(perms);
    dump_add(d, "\n", 1);
    kids = xs_directory(h, XBT_NULL, path, &n);
    for (i = 0; kids && i < n; i++) {
        char child[1024];

        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "",
                 kids[i]);
        dump_node(h, child, d);
    }
    free(kids);
}

char *store_dump(struct xs_handle *h)
{
    struct dump d = { NULL, 0, 0 };

    dump_add(&d, "", 0);
    dump_node(h, "/", &d);
    return d.buf;
}

static xentoollog_logger_stdiostream *test_logger;

static void logger_free(void)
{
    xtl_logger_destroy((xentoollog_logger *)test_logger);
}

mempolicy_ctx *test_ctx(void)
{
    mempolicy_ctx *ctx = NULL;

    if (!test_logger) {
        test_logger = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
        atexit(logger_free);
    }
    if (mempolicy_ctx_alloc(&ctx, 0, (xentoollog_logger *)test_logger))
        return NULL;
    return ctx;
}

void test_ctx_free(mempolicy_ctx *ctx)
{
    mempolicy_ctx_free(ctx);
}

char *xs_get(struct xs_handle *h, const char *fmt, ...)
{
    char path[512];
    unsigned len;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xs_read(h, XBT_NULL, path, &len);
}

bool xs_put(struct xs_handle *h, const char *val, const char *fmt, ...)
{
    char path[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xs_write(h, XBT_NULL, path, val, strlen(val));
}

uint64_t xs_get_u64(struct xs_handle *h, const char *fmt, ...)
{
    char path[512], *v;
    unsigned len;
    uint64_t r;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    v = xs_read(h, XBT_NULL, path, &len);
    if (!v)
        return XSIM_NONE;
    r = strtoull(v, NULL, 10);
    free(v);
    return r;
}
