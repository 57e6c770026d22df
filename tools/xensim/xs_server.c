/*
 * xs_server.c: xenstore wire protocol (xen/io/xs_wire.h) over Unix
 * sockets, on xensim's loop.
 *
 * Framing only lives here; what a request means is the store's business
 * (store*.c, see store_priv.h).  Each connection reads into a fixed
 * buffer large enough for one maximal message (16-byte header + 4096
 * bytes) and handles every complete message in it, so one readable
 * event costs at most one read(2) per client and a flooding client
 * cannot starve the others.  A header whose length exceeds
 * XENSTORE_PAYLOAD_MAX breaks the framing: that client alone is
 * disconnected.  Everything else malformed gets an error reply.
 *
 * Replies and watch events are queued per connection and written at
 * once when the socket allows, else on EPOLLOUT.  As in xenstored, an
 * unprivileged domain with XSQ_OUTSTANDING requests not finished (a
 * reply not yet taken off its socket, or a watch event it caused still
 * queued for some watcher) is not read from until they are, and watch
 * events for it are dropped beyond a memory bound, so a guest that
 * floods, never reads, or fires events at a slow watcher is contained
 * and costs the others nothing.  A guest has at most XSQ_CONNS_PER_DOMAIN
 * connections; a dom0 connection, which no quota stalls, is disconnected
 * once XSQ_MEMORY_HARD bytes are queued for it (docs/xensim.md).
 *
 * A connection that fails is marked dead and torn down from a 0 ms
 * timer, never in the middle of a watch-event fan-out that may still
 * hold pointers to it.
 *
 * What a client can cause at will (an oversized payload, one connection
 * too many, replies it never reads) is logged at most once a minute per
 * source, each guest and dom0's clients apart, with a count of what was
 * held back (ratelog.h), on the simulated clock once xs_server_set_clock
 * gives it.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "listen.h"
#include "loop.h"
#include "ratelog.h"
#include "store.h"
#include "store_int.h"
#include "xs_server.h"

#define HDR_LEN ((unsigned)sizeof(struct xsd_sockmsg))
#define INBUF_LEN (2 * (HDR_LEN + XENSTORE_PAYLOAD_MAX))

struct cause;

struct msg {
    struct msg *next;
    bool event;
    bool counted;     /* counts as an outstanding reply */
    struct cause *cause; /* a watch event's causing guest request */
    unsigned len;     /* header + payload */
    char data[];
};

struct domsock;

/*
 * A guest's request whose watch events still wait in some connection's
 * queue.  As in xenstored, such a request stays outstanding for its
 * domain until the last of its events is written, so a guest cannot
 * pile events up in a slow watcher's queue without stalling itself.
 */
struct cause {
    struct domsock *dom;  /* NULL once the domain is released */
    unsigned refs;        /* queued events */
    bool active;          /* the request is being handled */
};

struct conn {
    struct conn *next, *prev;
    struct xs_server *srv;
    struct domsock *dom;   /* NULL for dom0 */
    struct xs_client *c;
    int fd;
    bool dead, paused, want_out;
    unsigned inlen;
    char in[INBUF_LEN];
    struct msg *out_head, *out_tail;
    unsigned out_off;      /* bytes of out_head already written */
    size_t out_bytes;
};

struct domsock {
    struct domsock *next;
    struct xs_server *srv;
    unsigned domid;
    struct listener *ls;
    char *path;
    unsigned outstanding;
    unsigned npaused;    /* its connections not being read */
    unsigned nconns;     /* its open connections */
    struct ratelog log;  /* what it causes, at most a line a minute */
};

struct xs_server {
    struct loop *loop;
    struct store *s;
    char *path;
    struct listener *ls;
    struct conn *conns;
    struct domsock *doms;
    struct loop_timer *reap_timer;
    struct loop_timer *resume_timer;
    struct cause *cur_cause;  /* of the guest request being handled */
    struct domsock *cur_dom;
    struct ratelog dom0_log;  /* what dom0's clients cause */
    xs_server_clock_fn *clock;
    void *clock_arg;
};

/* Now on the clock the log's rate limits run on (xs_server_set_clock). */
static uint64_t srv_now(struct xs_server *srv)
{
    return srv->clock ? srv->clock(srv->clock_arg) : loop_now_ms(srv->loop);
}

/* The rate-limited log of the source of connection c (ratelog.h). */
static struct ratelog *conn_log(struct conn *c)
{
    return c->dom ? &c->dom->log : &c->srv->dom0_log;
}

static void conn_io(struct loop *l, int fd, uint32_t ev, void *arg);
static void conn_process(struct conn *c);

/* ---------------------------------------------------------------- */
/* lifetime                                                          */

static void resume(struct loop *l, struct loop_timer *t, void *arg);

static void schedule_resume(struct xs_server *srv, struct domsock *d)
{
    if (d && d->npaused && d->outstanding < XSQ_OUTSTANDING &&
        !srv->resume_timer)
        srv->resume_timer = loop_timer_add(srv->loop, 0, resume, srv);
}

static void cause_put(struct xs_server *srv, struct cause *k)
{
    assert(k->refs > 0);
    if (--k->refs)
        return;
    if (k->dom) {
        k->dom->outstanding--;
        schedule_resume(srv, k->dom);
    }
    if (!k->active)
        free(k);
}

/* Free a message taken off (or dropped from) c's queue. */
static void msg_free(struct conn *c, struct msg *m)
{
    if (m->counted && c->dom) {
        c->dom->outstanding--;
        schedule_resume(c->srv, c->dom);
    }
    if (m->cause)
        cause_put(c->srv, m->cause);
    free(m);
}

static void reap(struct loop *l, struct loop_timer *t, void *arg);

static void conn_kill(struct conn *c)
{
    struct xs_server *srv = c->srv;

    if (c->dead)
        return;
    c->dead = true;
    loop_fd_del(srv->loop, c->fd);
    if (!srv->reap_timer)
        srv->reap_timer = loop_timer_add(srv->loop, 0, reap, srv);
}

static void conn_free(struct conn *c)
{
    struct xs_server *srv = c->srv;

    if (c->paused && c->dom)
        c->dom->npaused--;
    if (c->dom)
        c->dom->nconns--;
    listener_close_conn(srv->loop, c->fd);
    while (c->out_head) {
        struct msg *m = c->out_head;

        c->out_head = m->next;
        msg_free(c, m);
    }
    xsc_free(c->c);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

static void reap(struct loop *l, struct loop_timer *t, void *arg)
{
    struct xs_server *srv = arg;
    struct conn *c, *n;

    (void)l;
    (void)t;
    srv->reap_timer = NULL;
    for (c = srv->conns; c; c = n) {
        n = c->next;
        if (c->dead)
            conn_free(c);
    }
}

/* Domains whose outstanding count dropped get their input looked at. */
static void resume(struct loop *l, struct loop_timer *t, void *arg)
{
    struct xs_server *srv = arg;
    struct conn *c;

    (void)l;
    (void)t;
    srv->resume_timer = NULL;
    for (c = srv->conns; c; c = c->next)
        if (c->paused && !c->dead && c->dom &&
            c->dom->outstanding < XSQ_OUTSTANDING) {
            c->paused = false;
            c->dom->npaused--;
            loop_fd_mod(srv->loop, c->fd,
                        EPOLLIN | (c->want_out ? EPOLLOUT : 0));
            conn_process(c);
        }
}

/* ---------------------------------------------------------------- */
/* output                                                            */

static void set_events(struct conn *c)
{
    uint32_t ev = (c->paused ? 0 : EPOLLIN) | (c->want_out ? EPOLLOUT : 0);

    loop_fd_mod(c->srv->loop, c->fd, ev);
}

static void flush(struct conn *c)
{
    while (c->out_head && !c->dead) {
        struct iovec iov[64];
        struct msg *m = c->out_head;
        unsigned n = 0;
        ssize_t w;

        iov[n].iov_base = m->data + c->out_off;
        iov[n++].iov_len = m->len - c->out_off;
        for (m = m->next; m && n < 64; m = m->next) {
            iov[n].iov_base = m->data;
            iov[n++].iov_len = m->len;
        }
        w = writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                conn_kill(c);
                return;
            }
            break;
        }
        c->out_bytes -= w;
        while (w > 0) {
            m = c->out_head;
            if ((size_t)w < m->len - c->out_off) {
                c->out_off += w;
                break;
            }
            w -= m->len - c->out_off;
            c->out_off = 0;
            c->out_head = m->next;
            if (!c->out_head)
                c->out_tail = NULL;
            msg_free(c, m);
        }
    }
    if (c->want_out != (c->out_head != NULL)) {
        c->want_out = c->out_head != NULL;
        set_events(c);
    }
}

static void queue(struct conn *c, struct msg *m)
{
    struct xs_server *srv = c->srv;
    bool was_empty = !c->out_head;

    if (c->dead) {
        free(m);
        return;
    }
    /*
     * A dom0 client has no outstanding-request quota to stall it (as in
     * xenstored), so one that does not read would grow its queue without
     * end: past the hard memory quota it is disconnected.
     */
    if (!c->dom && c->out_bytes >= XSQ_MEMORY_HARD) {
        ratelog(conn_log(c), srv_now(srv), "dom0 client does not read its "
                "replies (%zu bytes queued); disconnected", c->out_bytes);
        free(m);
        conn_kill(c);
        return;
    }

    if (m->event && srv->cur_dom) {
        if (!srv->cur_cause) {
            srv->cur_cause = calloc(1, sizeof(*srv->cur_cause));
            if (srv->cur_cause) {
                srv->cur_cause->dom = srv->cur_dom;
                srv->cur_cause->active = true;
            }
        }
        m->cause = srv->cur_cause;
        if (m->cause && m->cause->refs++ == 0)
            m->cause->dom->outstanding++;
    }
    m->next = NULL;
    if (c->out_tail)
        c->out_tail->next = m;
    else
        c->out_head = m;
    c->out_tail = m;
    c->out_bytes += m->len;
    if (m->counted && c->dom)
        c->dom->outstanding++;
    if (was_empty)
        flush(c);
}

static struct msg *msg_new(uint32_t type, uint32_t req_id, uint32_t tx_id,
                           const void *p1, unsigned l1, const void *p2,
                           unsigned l2)
{
    struct msg *m = malloc(sizeof(*m) + HDR_LEN + l1 + l2);
    struct xsd_sockmsg h = {
        .type = type, .req_id = req_id, .tx_id = tx_id, .len = l1 + l2
    };

    if (!m)
        return NULL;
    m->event = false;
    m->counted = false;
    m->cause = NULL;
    m->len = HDR_LEN + l1 + l2;
    memcpy(m->data, &h, HDR_LEN);
    if (l1)
        memcpy(m->data + HDR_LEN, p1, l1);
    if (l2)
        memcpy(m->data + HDR_LEN + l1, p2, l2);
    return m;
}

static void send_error(struct conn *c, const struct xsd_sockmsg *req,
                       int err)
{
    unsigned i;
    const char *name = "EINVAL";
    struct msg *m;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err) {
            name = xsd_errors[i].errstring;
            break;
        }
    m = msg_new(XS_ERROR, req->req_id, req->tx_id, name, strlen(name) + 1,
                NULL, 0);
    if (!m) {
        conn_kill(c);
        return;
    }
    m->counted = true;
    queue(c, m);
}

static void send_reply(struct conn *c, const struct xsd_sockmsg *req,
                       const void *data, unsigned len)
{
    struct msg *m;

    if (len > XENSTORE_PAYLOAD_MAX) {
        send_error(c, req, E2BIG);
        return;
    }
    m = msg_new(req->type, req->req_id, req->tx_id, data, len, NULL, 0);
    if (!m) {
        send_error(c, req, ENOMEM);
        return;
    }
    m->counted = true;
    queue(c, m);
}

static void send_ack(struct conn *c, const struct xsd_sockmsg *req)
{
    send_reply(c, req, "OK", 3);
}

/* Watch events: xsc_event_fn for socket connections. */
static void send_event(void *arg, const char *path, const char *token)
{
    struct conn *c = arg;
    unsigned pl = strlen(path) + 1, tl = strlen(token) + 1;
    struct msg *m, *i;

    if (c->dead || pl + tl > XENSTORE_PAYLOAD_MAX)
        return;
    if (c->dom && c->out_bytes + HDR_LEN + pl + tl > XSQ_MEMORY_HARD)
        return; /* an unprivileged reader that fell behind loses events */
    m = msg_new(XS_WATCH_EVENT, 0, 0, path, pl, token, tl);
    if (!m)
        return;
    m->event = true;
    /* As xenstored: an identical event already pending is enough. */
    if (path[0] != '@') {
        for (i = c->out_head; i; i = i->next) {
            if (i->event && i->len == m->len && i != c->out_head &&
                !memcmp(i->data, m->data, m->len)) {
                free(m);
                return;
            }
        }
    }
    queue(c, m);
}

/* ---------------------------------------------------------------- */
/* requests                                                          */

/* Number of NUL-terminated strings in the payload. */
static unsigned count_strings(const char *p, unsigned len)
{
    unsigned n = 0, i;

    for (i = 0; i < len; i++)
        n += p[i] == '\0';
    return n;
}

/* The payload is exactly one NUL-terminated string. */
static const char *onearg(const char *p, unsigned len)
{
    if (!len || memchr(p, 0, len) != p + len - 1)
        return NULL;
    return p;
}

/* xenstored uses atoi(); keep its leniency but stay defined. */
static unsigned parse_uint(const char *s)
{
    long v = strtol(s, NULL, 10);

    if (v < 0 || v > 0x7fffffffL)
        return 0x7fffffffu;
    return v;
}

static void do_directory_part(struct conn *c, const struct xsd_sockmsg *h,
                              const char *p, unsigned len, int *err)
{
    char *ch = NULL, *data, gen[24];
    unsigned clen, off, genlen, maxlen, l = 0;
    uint64_t g;

    if (count_strings(p, len) != 2) {
        *err = EINVAL;
        return;
    }
    *err = xsc_directory(c->c, h->tx_id, p, &ch, &clen, &g);
    if (*err)
        return;
    off = parse_uint(p + strlen(p) + 1);
    genlen = snprintf(gen, sizeof(gen), "%llu", (unsigned long long)g) + 1;
    if (off >= clen) {
        /* Offset behind the list: the generation, then an empty name. */
        gen[genlen] = '\0';
        send_reply(c, h, gen, genlen + 1);
        free(ch);
        return;
    }
    maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
    while (off + l < clen && l + strlen(ch + off + l) < maxlen) {
        l += strlen(ch + off + l) + 1;
    }
    data = malloc(genlen + l + 1);
    if (!data) {
        free(ch);
        *err = ENOMEM;
        return;
    }
    memcpy(data, gen, genlen);
    memcpy(data + genlen, ch + off, l);
    if (off + l == clen)
        data[genlen + l++] = '\0';
    send_reply(c, h, data, genlen + l);
    free(data);
    free(ch);
}

static void do_perms_reply(struct conn *c, const struct xsd_sockmsg *h,
                           const struct xs_permissions *perms, unsigned n)
{
    char *buf = malloc(n * 16 + 1);
    unsigned i, len = 0;
    static const char letter[] = "nrwb";

    if (!buf) {
        send_error(c, h, ENOMEM);
        return;
    }
    for (i = 0; i < n; i++)
        len += sprintf(buf + len, "%c%u",
                       letter[perms[i].perms & 3], perms[i].id) + 1;
    send_reply(c, h, buf, len);
    free(buf);
}

static int do_set_perms(struct conn *c, const struct xsd_sockmsg *h,
                        const char *p, unsigned len)
{
    unsigned nstr = count_strings(p, len), n, i;
    struct xs_permissions *perms;
    const char *s;
    int err;

    if (nstr < 2)
        return EINVAL;
    n = nstr - 1;
    if (!xsc_privileged(c->c) && n > XSQ_PERMS_PER_NODE)
        return ENOSPC;
    perms = calloc(n, sizeof(*perms));
    if (!perms)
        return ENOMEM;
    for (i = 0, s = p + strlen(p) + 1; i < n; i++, s += strlen(s) + 1)
        if (!xs_perm_parse(s, &perms[i])) {
            free(perms);
            return EINVAL;
        }
    err = xsc_set_perms(c->c, h->tx_id, p, perms, n);
    free(perms);
    if (!err)
        send_ack(c, h);
    return err;
}

static int do_watch(struct conn *c, const struct xsd_sockmsg *h,
                    const char *p, unsigned len)
{
    char *initial = NULL;
    const char *token;
    int err;

    if (count_strings(p, len) != 2)
        return EINVAL;
    token = p + strlen(p) + 1;
    if (h->type == XS_UNWATCH) {
        err = xsc_unwatch(c->c, p, token);
        if (!err)
            send_ack(c, h);
        return err;
    }
    err = xsc_watch(c->c, p, token, send_event, c, &initial);
    if (err)
        return err;
    send_ack(c, h);
    /* We fire once up front, as xenstored does. */
    send_event(c, initial, token);
    free(initial);
    return 0;
}

static int do_domain_op(struct conn *c, const struct xsd_sockmsg *h,
                        const char *p, unsigned len)
{
    struct store *s = c->srv->s;
    const char *arg = onearg(p, len);
    char buf[32];
    unsigned domid, nstr = count_strings(p, len);
    int err;

    switch (h->type) {
    case XS_INTRODUCE: {
        const char *v2;

        if (nstr < 3)
            return EINVAL;
        domid = parse_uint(p);
        v2 = p + strlen(p) + 1;
        v2 += strlen(v2) + 1;
        if ((int)parse_uint(v2) <= 0 || parse_uint(v2) == 0x7fffffffu)
            return EINVAL;
        err = store_client_introduce(s, domid);
        break;
    }
    case XS_RELEASE:
    case XS_RESUME:
        if (!arg)
            return EINVAL;
        domid = parse_uint(arg);
        if (!domid)
            return EINVAL;
        if (h->type == XS_RELEASE)
            err = store_client_release(s, domid);
        else
            err = store_domain_is_introduced(s, domid) ? 0 : ENOENT;
        break;
    case XS_SET_TARGET:
        if (nstr < 2)
            return EINVAL;
        err = store_domain_is_introduced(s, parse_uint(p)) &&
              store_domain_is_introduced(s, parse_uint(p + strlen(p) + 1))
                  ? 0 : ENOENT;
        break;
    case XS_IS_DOMAIN_INTRODUCED:
        if (!arg)
            return EINVAL;
        send_reply(c, h,
                   store_domain_is_introduced(s, parse_uint(arg)) ? "T"
                                                                 : "F",
                   2);
        return 0;
    case XS_GET_DOMAIN_PATH:
        if (!arg)
            return EINVAL;
        snprintf(buf, sizeof(buf), "/local/domain/%u",
                 (unsigned)atoi(arg));
        send_reply(c, h, buf, strlen(buf) + 1);
        return 0;
    default:
        return ENOSYS;
    }
    if (!err)
        send_ack(c, h);
    return err;
}

static void handle(struct conn *c, const struct xsd_sockmsg *h,
                   const char *p, unsigned len)
{
    bool priv = xsc_privileged(c->c);
    const char *arg = onearg(p, len);
    char *val = NULL;
    unsigned vlen, n;
    struct xs_permissions *perms;
    uint32_t id;
    int err = 0;

    switch (h->type) {
    case XS_INTRODUCE:
    case XS_RELEASE:
    case XS_IS_DOMAIN_INTRODUCED:
    case XS_RESUME:
    case XS_SET_TARGET:
    case XS_CONTROL:
        if (!priv) {
            send_error(c, h, EACCES);
            return;
        }
        break;
    case XS_WATCH_EVENT:
    case XS_ERROR:
        send_error(c, h, ENOSYS);
        return;
    default:
        if (h->type >= XS_TYPE_COUNT) {
            send_error(c, h, ENOSYS);
            return;
        }
    }
    if (h->type != XS_WATCH && h->type != XS_UNWATCH) {
        err = xsc_check_tx(c->c, h->tx_id);
        if (err) {
            send_error(c, h, err);
            return;
        }
    }

    switch (h->type) {
    case XS_READ:
        err = arg ? xsc_read(c->c, h->tx_id, arg, &val, &vlen) : EINVAL;
        if (!err)
            send_reply(c, h, val, vlen);
        free(val);
        break;
    case XS_WRITE: {
        unsigned off;

        if (!count_strings(p, len)) {
            err = EINVAL;
            break;
        }
        off = strlen(p) + 1;
        err = xsc_write(c->c, h->tx_id, p, p + off, len - off);
        if (!err)
            send_ack(c, h);
        break;
    }
    case XS_MKDIR:
        err = arg ? xsc_mkdir(c->c, h->tx_id, arg) : EINVAL;
        if (!err)
            send_ack(c, h);
        break;
    case XS_RM:
        err = arg ? xsc_rm(c->c, h->tx_id, arg) : EINVAL;
        if (!err)
            send_ack(c, h);
        break;
    case XS_DIRECTORY:
        err = arg ? xsc_directory(c->c, h->tx_id, arg, &val, &vlen, NULL)
                  : EINVAL;
        if (!err)
            send_reply(c, h, val, vlen);
        free(val);
        break;
    case XS_DIRECTORY_PART:
        do_directory_part(c, h, p, len, &err);
        break;
    case XS_GET_PERMS:
        err = arg ? xsc_get_perms(c->c, h->tx_id, arg, &perms, &n) : EINVAL;
        if (!err) {
            do_perms_reply(c, h, perms, n);
            free(perms);
        }
        break;
    case XS_SET_PERMS:
        err = do_set_perms(c, h, p, len);
        break;
    case XS_WATCH:
    case XS_UNWATCH:
        err = do_watch(c, h, p, len);
        break;
    case XS_TRANSACTION_START:
        err = xsc_tx_start(c->c, h->tx_id, &id);
        if (!err) {
            char buf[16];

            snprintf(buf, sizeof(buf), "%u", id);
            send_reply(c, h, buf, strlen(buf) + 1);
        }
        break;
    case XS_TRANSACTION_END:
        if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
            err = EINVAL;
        else
            err = xsc_tx_end(c->c, h->tx_id, arg[0] == 'T');
        if (!err)
            send_ack(c, h);
        break;
    case XS_RESET_WATCHES:
        xsc_reset(c->c);
        send_ack(c, h);
        break;
    case XS_CONTROL:
        err = ENOSYS;
        break;
    default:
        err = do_domain_op(c, h, p, len);
        break;
    }
    if (err)
        send_error(c, h, err);
}

/* Handle every complete message in the input buffer. */
static void conn_process(struct conn *c)
{
    unsigned off = 0;

    while (!c->dead) {
        struct xsd_sockmsg h;

        if (c->dom && c->dom->outstanding >= XSQ_OUTSTANDING) {
            if (!c->paused) {
                c->paused = true;
                c->dom->npaused++;
                set_events(c);
            }
            break;
        }
        if (c->inlen - off < HDR_LEN)
            break;
        memcpy(&h, c->in + off, HDR_LEN);
        if (h.len > XENSTORE_PAYLOAD_MAX) {
            ratelog(conn_log(c), srv_now(c->srv), "client (dom%u) sent a "
                    "%u-byte payload; disconnected", xsc_domid(c->c), h.len);
            conn_kill(c);
            return;
        }
        if (c->inlen - off < HDR_LEN + h.len)
            break;
        c->srv->cur_dom = c->dom;
        handle(c, &h, c->in + off + HDR_LEN, h.len);
        c->srv->cur_dom = NULL;
        if (c->srv->cur_cause) {
            c->srv->cur_cause->active = false;
            if (!c->srv->cur_cause->refs)
                free(c->srv->cur_cause);
            c->srv->cur_cause = NULL;
        }
        off += HDR_LEN + h.len;
    }
    if (off && !c->dead) {
        memmove(c->in, c->in + off, c->inlen - off);
        c->inlen -= off;
    }
}

static void conn_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
    struct conn *c = arg;

    (void)l;
    if (ev & EPOLLOUT)
        flush(c);
    if (c->dead)
        return;
    if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->paused) {
        ssize_t r = read(fd, c->in + c->inlen, INBUF_LEN - c->inlen);

        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
            conn_kill(c);
            return;
        }
        if (r > 0) {
            c->inlen += r;
            conn_process(c);
        }
    } else if (ev & (EPOLLHUP | EPOLLERR)) {
        conn_kill(c);
    }
}

/* ---------------------------------------------------------------- */
/* listening sockets                                                 */

static void new_conn(struct xs_server *srv, struct domsock *dom, int fd)
{
    struct conn *c;

    if (dom && dom->nconns >= XSQ_CONNS_PER_DOMAIN) {
        ratelog(&dom->log, srv_now(srv), "dom%u already has %u "
                "connections; refusing more until one closes", dom->domid,
                dom->nconns);
        close(fd);
        return;
    }
    c = calloc(1, sizeof(*c));
    if (c)
        c->c = xsc_new(srv->s, dom ? dom->domid : 0);
    if (!c || !c->c || loop_fd_add(srv->loop, fd, EPOLLIN, conn_io, c)) {
        if (c)
            xsc_free(c->c);
        free(c);
        close(fd);
        return;
    }
    c->srv = srv;
    c->dom = dom;
    c->fd = fd;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    if (dom)
        dom->nconns++;
}

static void accept_dom0(void *arg, int fd)
{
    new_conn(arg, NULL, fd);
}

static void accept_domu(void *arg, int fd)
{
    struct domsock *d = arg;

    new_conn(d->srv, d, fd);
}

static int domain_up(void *arg, unsigned domid)
{
    struct xs_server *srv = arg;
    struct domsock *d = calloc(1, sizeof(*d));
    char err[256];

    if (!d || asprintf(&d->path, "%s.dom%u", srv->path, domid) < 0) {
        free(d);
        return ENOMEM;
    }
    d->srv = srv;
    d->domid = domid;
    d->ls = listener_new(srv->loop, d->path, accept_domu, d, err,
                         sizeof(err));
    if (!d->ls) {
        fprintf(stderr, "xensim: %s\n", err);
        free(d->path);
        free(d);
        return EIO;
    }
    d->next = srv->doms;
    srv->doms = d;
    return 0;
}

static void domsock_close(struct xs_server *srv, struct domsock *d)
{
    struct conn *c, *n;
    char who[32];

    listener_free(d->ls);
    /* Events its requests caused stay queued, without an owner. */
    for (c = srv->conns; c; c = c->next) {
        struct msg *m;

        for (m = c->out_head; m; m = m->next)
            if (m->cause && m->cause->dom == d)
                m->cause->dom = NULL;
    }
    if (srv->cur_cause && srv->cur_cause->dom == d)
        srv->cur_cause->dom = NULL;
    if (srv->cur_dom == d)
        srv->cur_dom = NULL;
    /* Its connections go at once: nothing of theirs may remain. */
    for (c = srv->conns; c; c = n) {
        n = c->next;
        if (c->dom == d) {
            c->dom = NULL;
            conn_kill(c);
            xsc_reset(c->c);
        }
    }
    snprintf(who, sizeof(who), "dom%u", d->domid);
    ratelog_flush(&d->log, who);
    free(d->path);
    free(d);
}

static void domain_down(void *arg, unsigned domid)
{
    struct xs_server *srv = arg;
    struct domsock **pd;

    for (pd = &srv->doms; *pd; pd = &(*pd)->next)
        if ((*pd)->domid == domid) {
            struct domsock *d = *pd;

            *pd = d->next;
            domsock_close(srv, d);
            return;
        }
}

struct xs_server *xs_server_new(struct loop *l, struct store *s,
                                const char *path)
{
    struct xs_server *srv = calloc(1, sizeof(*srv));
    char err[256];
    struct store_server_ops ops = {
        .domain_up = domain_up, .domain_down = domain_down,
    };

    if (!srv)
        return NULL;
    srv->loop = l;
    srv->s = s;
    srv->path = strdup(path);
    srv->ls = srv->path ? listener_new(l, path, accept_dom0, srv, err,
                                       sizeof(err))
                        : NULL;
    if (!srv->ls) {
        fprintf(stderr, "xensim: %s\n", srv->path ? err : "out of memory");
        free(srv->path);
        free(srv);
        return NULL;
    }
    ops.arg = srv;
    store_set_server_ops(s, &ops);
    return srv;
}

void xs_server_set_clock(struct xs_server *srv, xs_server_clock_fn *fn,
                         void *arg)
{
    srv->clock = fn;
    srv->clock_arg = arg;
}

void xs_server_free(struct xs_server *srv)
{
    struct store_server_ops none = { 0 };

    if (!srv)
        return;
    store_set_server_ops(srv->s, &none);
    while (srv->doms) {
        struct domsock *d = srv->doms;

        srv->doms = d->next;
        domsock_close(srv, d);
    }
    while (srv->conns)
        conn_free(srv->conns);
    ratelog_flush(&srv->dom0_log, "dom0's clients");
    if (srv->reap_timer)
        loop_timer_cancel(srv->loop, srv->reap_timer);
    if (srv->resume_timer)
        loop_timer_cancel(srv->loop, srv->resume_timer);
    listener_free(srv->ls);
    free(srv->path);
    free(srv);
}
