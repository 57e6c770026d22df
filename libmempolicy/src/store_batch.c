/*
 * store_batch.c: many store reads for the price of a few round trips.
 *
 * libxenstore is synchronous: one request, then wait for its reply.  A
 * listing of N domains needs about 8N reads, and at tens of microseconds
 * a round trip that is most of a second for 1,000 domains.  The wire
 * protocol (xen/io/xs_wire.h) lets a client send requests without waiting:
 * xenstored (and xensim) read them in order and answer in order on the
 * connection.  So this file keeps a second, plain connection to the same
 * store socket (XENSTORED_PATH, or xenstored's socket as libxenstore finds
 * it) and pipelines reads on it, a window of requests in flight, checking
 * every reply's type and request id.  It only ever reads, and runs its own
 * transactions (start, reads, end) with xenstored's usual conflict rule.
 *
 * It is not a second xenstore client library: no watches, no writes, one
 * caller at a time.  Where no socket is reachable (a dom0 that only has
 * /dev/xen/xenbus) the same calls fall back to libxenstore, one round
 * trip per read, so callers never care which path was taken.
 *
 * Replies come from another process: lengths are bounded
 * (XENSTORE_PAYLOAD_MAX), values must be text of at most MP_VALUE_MAX
 * bytes, and any framing surprise drops the connection (the next batch
 * falls back to libxenstore).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "internal.h"

/*
 * Requests in flight at once, sent in bulk whenever half of them came
 * back: the store then finds hundreds of requests per wake-up and answers
 * them without waiting for us (one request per reply would make both
 * sides switch for every read).  dom0's connections have no quota on
 * requests in flight in xenstored or xensim; a window's worth of requests
 * (about 60 KiB) fits in the socket buffer, so sending never blocks on a
 * store that is itself writing replies.
 */
#define MP_XSB_WINDOW 1024
#define MP_XSB_PATH 256   /* longest path we send (ours are < 64) */
#define MP_XSB_OUT (MP_XSB_WINDOW * (sizeof(struct xsd_sockmsg) + \
                                     MP_XSB_PATH))

struct mp_xsb {
    int fd;                 /* -1: not connected (fallback) */
    bool tried;
    uint32_t next_id;
    char *in;               /* reply bytes received, not parsed yet */
    size_t inlen;
    char *out;              /* MP_XSB_OUT bytes of requests to send */
};

#define MP_XSB_IN (64 * 1024)

static void xsb_drop(struct mp_xsb *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
    b->inlen = 0;
}

void mp_xsb_free(mempolicy_ctx *ctx)
{
    struct mp_xsb *b = ctx->xsb;

    if (!b)
        return;
    xsb_drop(b);
    free(b->in);
    free(b->out);
    free(b);
    ctx->xsb = NULL;
}

/* The pipelining connection, opened on first use; NULL: use libxenstore. */
static struct mp_xsb *xsb(mempolicy_ctx *ctx)
{
    struct mp_xsb *b = ctx->xsb;

    if (!b) {
        b = calloc(1, sizeof(*b));
        if (!b)
            return NULL;
        b->fd = -1;
        ctx->xsb = b;
    }
    if (b->fd >= 0)
        return b;
    if (b->tried)
        return NULL;
    b->tried = true;
    if ((!b->in && !(b->in = malloc(MP_XSB_IN))) ||
        (!b->out && !(b->out = malloc(MP_XSB_OUT))))
        return NULL;
    b->fd = mp_store_socket_connect(ctx, "reading one node per round trip");
    if (b->fd < 0)
        return NULL;
    return b;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Queue one request into out (big enough: checked by the caller). */
static size_t put_req(char *out, uint32_t type, uint32_t id, uint32_t tx,
                      const char *arg)
{
    struct xsd_sockmsg h;
    size_t l = strlen(arg) + 1;

    h.type = type;
    h.req_id = id;
    h.tx_id = tx;
    h.len = (uint32_t)l;
    memcpy(out, &h, sizeof(h));
    memcpy(out + sizeof(h), arg, l);
    return sizeof(h) + l;
}

/*
 * Take the next complete reply out of b->in, reading more if needed.
 * 0 and *h, *payload (valid until the next call); -1 on a broken
 * connection or framing.
 */
static int next_reply(struct mp_xsb *b, size_t *consumed,
                      struct xsd_sockmsg *h, const char **payload)
{
    for (;;) {
        size_t avail = b->inlen - *consumed;
        ssize_t r;

        if (avail >= sizeof(*h)) {
            memcpy(h, b->in + *consumed, sizeof(*h));
            if (h->len > XENSTORE_PAYLOAD_MAX)
                return -1;
            if (avail >= sizeof(*h) + h->len) {
                *payload = b->in + *consumed + sizeof(*h);
                *consumed += sizeof(*h) + h->len;
                return 0;
            }
        }
        /* Keep only the unparsed tail, then read more after it. */
        memmove(b->in, b->in + *consumed, avail);
        b->inlen = avail;
        *consumed = 0;
        r = read(b->fd, b->in + b->inlen, MP_XSB_IN - b->inlen);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b->inlen += (size_t)r;
    }
}

/* An XS_ERROR payload ("ENOENT") as an errno. */
static int error_payload(const char *p, uint32_t len)
{
    static const struct { const char *n; int e; } names[] = {
        { "ENOENT", ENOENT }, { "EACCES", EACCES }, { "EPERM", EPERM },
        { "EAGAIN", EAGAIN }, { "EINVAL", EINVAL }, { "ENOMEM", ENOMEM },
        { "E2BIG", E2BIG }, { "EBUSY", EBUSY }, { "ENOSPC", ENOSPC },
        { "EQUOTA", EDQUOT },
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (len == strlen(names[i].n) + 1 &&
            !memcmp(p, names[i].n, len))
            return names[i].e;
    return EIO;
}

/* Value from a reply: text, at most MP_VALUE_MAX bytes. */
static int take_value(mempolicy_ctx *ctx, struct mp_xs_req *q,
                      const char *p, uint32_t len)
{
    if (len > MP_VALUE_MAX || memchr(p, '\0', len)) {
        q->err = EINVAL;
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "%s: value too long or not text", q->path);
    }
    q->val = malloc(len + 1);
    if (!q->val)
        return MEMPOLICY_ERROR_NOMEM;
    memcpy(q->val, p, len);
    q->val[len] = '\0';
    q->err = 0;
    return 0;
}

/* Pipelined: reads of reqs[0..n) in transaction tx (0: none). */
static int batch_wire(mempolicy_ctx *ctx, struct mp_xsb *b, uint32_t tx,
                      struct mp_xs_req *reqs, unsigned n)
{
    char *out = b->out;
    uint32_t first = b->next_id;
    unsigned sent = 0, got = 0;
    size_t consumed = 0;
    int rc = 0;

    b->inlen = 0;
    while (got < n) {
        size_t o = 0;

        /* Refill in bulk, once half the window came back: the store then
         * finds many requests per wake-up, instead of one per reply. */
        while (sent < n && sent - got < MP_XSB_WINDOW &&
               (o || sent - got <= MP_XSB_WINDOW / 2)) {
            if (strlen(reqs[sent].path) >= MP_XSB_PATH) {
                xsb_drop(b);
                return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                              "store path too long: %.60s...",
                              reqs[sent].path);
            }
            o += put_req(out + o, XS_READ, first + sent, tx,
                         reqs[sent].path);
            sent++;
        }
        if (o && send_all(b->fd, out, o))
            goto broken;
        /* Take every reply already here, at least one. */
        do {
            struct xsd_sockmsg h;
            const char *p;
            struct mp_xs_req *q = &reqs[got];

            if (next_reply(b, &consumed, &h, &p) ||
                h.req_id != first + got ||
                (h.type != XS_READ && h.type != XS_ERROR))
                goto broken;
            q->val = NULL;
            if (h.type == XS_ERROR) {
                q->err = error_payload(p, h.len);
            } else {
                int r = take_value(ctx, q, p, h.len);

                if (r && !rc)
                    rc = r;
            }
            got++;
        } while (got < sent && b->inlen - consumed >=
                 sizeof(struct xsd_sockmsg));
    }
    b->next_id = first + n;
    /* Nothing may be left over: replies come one per request. */
    if (b->inlen != consumed)
        goto broken;
    b->inlen = 0;
    return rc;

broken:
    xsb_drop(b);
    return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                  "xenstore: pipelined read connection broke");
}

/* One request and its reply on the pipelining connection. */
static int wire_call(mempolicy_ctx *ctx, struct mp_xsb *b, uint32_t type,
                     uint32_t tx, const char *arg, char *reply, size_t rlen,
                     int *err)
{
    char out[sizeof(struct xsd_sockmsg) + 32];
    struct xsd_sockmsg h;
    size_t consumed = 0;
    const char *p;

    b->inlen = 0;
    if (send_all(b->fd, out, put_req(out, type, b->next_id, tx, arg)) ||
        next_reply(b, &consumed, &h, &p) || h.req_id != b->next_id ||
        (h.type != type && h.type != XS_ERROR) || consumed != b->inlen) {
        xsb_drop(b);
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: pipelined read connection broke");
    }
    b->next_id++;
    if (h.type == XS_ERROR) {
        *err = error_payload(p, h.len);
        return 0;
    }
    *err = 0;
    if (h.len >= rlen || h.len == 0)
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: malformed transaction reply");
    memcpy(reply, p, h.len);
    reply[h.len] = '\0';
    return 0;
}

int mp_xsb_read(mempolicy_ctx *ctx, uint32_t tx, struct mp_xs_req *reqs,
                unsigned n)
{
    struct mp_xsb *b = xsb(ctx);
    unsigned i;
    int rc;

    if (tx && !ctx->xsb_tx_fallback) {
        /* A transaction of the pipelining connection: only there. */
        if (!b)
            return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                          "xenstore: pipelined read connection lost");
        return batch_wire(ctx, b, tx, reqs, n);
    }
    if (!tx && b)
        return batch_wire(ctx, b, tx, reqs, n);
    /* Fallback: libxenstore, one round trip each. */
    for (i = 0; i < n; i++) {
        unsigned len;
        char *v = xs_read(ctx->xsh, tx, reqs[i].path, &len);

        reqs[i].val = NULL;
        if (!v) {
            reqs[i].err = errno;
            continue;
        }
        rc = take_value(ctx, &reqs[i], v, len);
        free(v);
        if (rc)
            return rc;
    }
    return 0;
}

int mp_xsb_tx_start(mempolicy_ctx *ctx, uint32_t *tx)
{
    struct mp_xsb *b = xsb(ctx);
    char reply[32];
    uint64_t v;
    int err, rc;

    ctx->xsb_tx_fallback = !b;
    if (!b) {
        *tx = xs_transaction_start(ctx->xsh);
        if (*tx == XBT_NULL)
            return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                          "xenstore: cannot start a transaction: %s",
                          strerror(errno));
        return 0;
    }
    rc = wire_call(ctx, b, XS_TRANSACTION_START, 0, "", reply,
                   sizeof(reply), &err);
    if (rc)
        return rc;
    if (err || !mp_parse_u64(reply, UINT32_MAX, &v) || v == 0)
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: cannot start a transaction: %s",
                      err ? strerror(err) : "bad id");
    *tx = (uint32_t)v;
    return 0;
}

int mp_xsb_tx_end(mempolicy_ctx *ctx, uint32_t tx)
{
    struct mp_xsb *b = ctx->xsb;
    char reply[32];
    int err = 0, rc;

    if (ctx->xsb_tx_fallback) {
        if (xs_transaction_end(ctx->xsh, tx, false))
            return 0;
        err = errno;
    } else if (!b || b->fd < 0) {
        /* The connection broke: the store dropped the transaction. */
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: pipelined read connection lost");
    } else {
        rc = wire_call(ctx, b, XS_TRANSACTION_END, tx, "T", reply,
                       sizeof(reply), &err);
        if (rc)
            return rc;
    }
    if (err == EAGAIN)
        return MP_TX_RETRY;
    if (err)
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: committing a transaction: %s",
                      strerror(err));
    return 0;
}
