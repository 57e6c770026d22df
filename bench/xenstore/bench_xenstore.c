/*
 * bench_xenstore.c: xensim's xenstore server under load.
 *
 *   bench-xenstore [seconds-per-case]      (default 2)
 *
 * Starts a private xensim (tests/support/xensim_fixture) and drives it
 * over the raw wire protocol from one epoll loop, each client keeping
 * exactly one request in flight, as a libxenstore caller does:
 *   - read, write, and a 4-node transaction (START, 4 WRITEs, END "T")
 *     with 1 client; with 1,000 connected clients (each holding a watch)
 *     of which 1 works; and with all 1,000 working at once: round-trip
 *     latency p50 and p99 per request (per whole transaction for the
 *     transaction case) and requests (transactions) per second.  With
 *     1,000 at work each request waits behind the 999 others, so its
 *     latency is about 1,000 / throughput;
 *   - watch-event delivery with 1,000 watches on one node: time from
 *     sending the write to each watcher reading its event, p50 and p99,
 *     and until the last of the 1,000 events.
 * The benchmark runs the client in the same machine, so its own cost is
 * included; the server is single-threaded, the client too.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "xensim_fixture.h"

#define NMAX 1000

enum kind { K_READ, K_WRITE, K_TX };

struct client {
    int fd;
    unsigned id;
    int step;          /* transaction step: 0 start, 1..4 writes, 5 end */
    uint32_t tx;
    uint64_t t0;
    char in[8192];
    unsigned inlen;
};

static struct client cl[NMAX];
static uint64_t *lat;
static size_t nlat, caplat;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "bench-xenstore: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void record(uint64_t ns)
{
    if (nlat == caplat) {
        caplat = caplat ? caplat * 2 : 1 << 16;
        lat = realloc(lat, caplat * sizeof(*lat));
        if (!lat)
            die("realloc");
    }
    lat[nlat++] = ns;
}

static int cmp64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static double pct(double p)
{
    size_t i = (size_t)(p * (nlat - 1));

    return lat[i] / 1000.0;
}

static int conn(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    strcpy(sa.sun_path, path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die("connect");
    return fd;
}

static void sendmsg_(int fd, uint32_t type, uint32_t tx, const char *p,
                     unsigned len)
{
    char buf[256];
    struct xsd_sockmsg h = { type, 0, tx, len };

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), p, len);
    if (write(fd, buf, sizeof(h) + len) != (ssize_t)(sizeof(h) + len))
        die("write");
}

/* Send the next request of client c for the given kind. */
static void issue(struct client *c, enum kind k)
{
    char p[96];
    int n;

    switch (k) {
    case K_READ:
        n = snprintf(p, sizeof(p), "/bench/c%u", c->id) + 1;
        sendmsg_(c->fd, XS_READ, 0, p, n);
        break;
    case K_WRITE:
        n = snprintf(p, sizeof(p), "/bench/c%u", c->id) + 1;
        memcpy(p + n, "value", 5);
        sendmsg_(c->fd, XS_WRITE, 0, p, n + 5);
        break;
    case K_TX:
        if (c->step == 0) {
            sendmsg_(c->fd, XS_TRANSACTION_START, 0, "", 1);
        } else if (c->step <= 4) {
            n = snprintf(p, sizeof(p), "/bench/c%u/t%d", c->id, c->step) + 1;
            memcpy(p + n, "v", 1);
            sendmsg_(c->fd, XS_WRITE, c->tx, p, n + 1);
        } else {
            sendmsg_(c->fd, XS_TRANSACTION_END, c->tx, "T", 2);
        }
        break;
    }
}

static void read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t r = read(fd, (char *)buf + got, len - got);

        if (r <= 0)
            die("read");
        got += r;
    }
}

static void read_msg(int fd, struct xsd_sockmsg *h, char *payload)
{
    read_full(fd, h, sizeof(*h));
    read_full(fd, payload, h->len);
}

/* Take complete messages off c; returns replies (not events) seen. */
static int take(struct client *c, struct xsd_sockmsg *last, char *payload)
{
    ssize_t r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
    int replies = 0;
    unsigned off = 0;

    if (r <= 0)
        die("read");
    c->inlen += r;
    while (c->inlen - off >= sizeof(*last)) {
        struct xsd_sockmsg h;

        memcpy(&h, c->in + off, sizeof(h));
        if (c->inlen - off < sizeof(h) + h.len)
            break;
        if (h.type != XS_WATCH_EVENT) {
            *last = h;
            memcpy(payload, c->in + off + sizeof(h), h.len);
            payload[h.len] = '\0';
            replies++;
        }
        off += sizeof(h) + h.len;
    }
    memmove(c->in, c->in + off, c->inlen - off);
    c->inlen -= off;
    return replies;
}

/*
 * nclients connect (each with a watch on a node nobody writes, so the
 * server carries their watches too); the first nactive of them work.
 */
static void run_case(const struct xensim_fixture *f, int nclients,
                     int nactive, enum kind k, double secs,
                     const char *name)
{
    int ep = epoll_create1(0), i;
    uint64_t start, end, done = 0;
    struct epoll_event ev[64];

    nlat = 0;
    for (i = 0; i < nclients; i++) {
        struct epoll_event e = { .events = EPOLLIN, .data.ptr = &cl[i] };

        struct xsd_sockmsg h;
        char buf[256];

        cl[i].fd = conn(f->socket);
        cl[i].id = i;
        cl[i].step = 0;
        cl[i].inlen = 0;
        sendmsg_(cl[i].fd, XS_WATCH, 0, "/idle\0tok", 10);
        read_msg(cl[i].fd, &h, buf);
        read_msg(cl[i].fd, &h, buf);
        epoll_ctl(ep, EPOLL_CTL_ADD, cl[i].fd, &e);
    }
    start = now_ns();
    end = start + (uint64_t)(secs * 1e9);
    for (i = 0; i < nactive; i++) {
        cl[i].t0 = now_ns();
        issue(&cl[i], k);
    }
    while (now_ns() < end) {
        int n = epoll_wait(ep, ev, 64, 1000), j;

        for (j = 0; j < n; j++) {
            struct client *c = ev[j].data.ptr;
            struct xsd_sockmsg h;
            char payload[4200];

            if (!take(c, &h, payload))
                continue;
            if (h.type == XS_ERROR) {
                fprintf(stderr, "bench-xenstore: error %s\n", payload);
                exit(1);
            }
            if (k == K_TX) {
                if (c->step == 0)
                    c->tx = strtoul(payload, NULL, 10);
                if (++c->step <= 5) {
                    issue(c, k);
                    continue;
                }
                c->step = 0;
            }
            record(now_ns() - c->t0);
            done++;
            c->t0 = now_ns();
            issue(c, k);
        }
    }
    end = now_ns();
    for (i = 0; i < nclients; i++)
        close(cl[i].fd);
    close(ep);
    qsort(lat, nlat, sizeof(*lat), cmp64);
    printf("%-10s %4d connected %4d active  p50 %8.1f us  p99 %8.1f us"
           "  %7.0f %s/s\n", name, nclients, nactive, pct(0.5), pct(0.99),
           done / ((end - start) / 1e9), k == K_TX ? "tx" : "req");
}

static void run_watch(const struct xensim_fixture *f, int rounds)
{
    int ep = epoll_create1(0), i, r, w = conn(f->socket);
    uint64_t last_sum = 0, last_max = 0;
    struct epoll_event ev[64];
    char buf[8192];

    nlat = 0;
    for (i = 0; i < NMAX; i++) {
        struct epoll_event e = { .events = EPOLLIN, .data.ptr = &cl[i] };
        struct xsd_sockmsg h;

        cl[i].fd = conn(f->socket);
        cl[i].inlen = 0;
        sendmsg_(cl[i].fd, XS_WATCH, 0, "/bench/w\0tok", 13);
        /* The ack and the initial event. */
        read_msg(cl[i].fd, &h, buf);
        read_msg(cl[i].fd, &h, buf);
        epoll_ctl(ep, EPOLL_CTL_ADD, cl[i].fd, &e);
    }
    for (r = 0; r < rounds; r++) {
        uint64_t t0 = now_ns(), tl = 0;
        int got = 0;
        struct xsd_sockmsg h;

        sendmsg_(w, XS_WRITE, 0, "/bench/w\0x", 10);
        while (got < NMAX) {
            int n = epoll_wait(ep, ev, 64, 10000), j;

            if (n <= 0)
                die("watch events missing");
            for (j = 0; j < n; j++) {
                struct client *c = ev[j].data.ptr;
                ssize_t k = read(c->fd, c->in, sizeof(c->in));
                unsigned off = 0;

                if (k <= 0)
                    die("read");
                tl = now_ns();
                while (off + sizeof(h) <= (size_t)k) {
                    memcpy(&h, c->in + off, sizeof(h));
                    off += sizeof(h) + h.len;
                    if (h.type == XS_WATCH_EVENT) {
                        record(tl - t0);
                        got++;
                    }
                }
            }
        }
        /* The writer's ack. */
        if (read(w, buf, sizeof(buf)) <= 0)
            die("read ack");
        last_sum += tl - t0;
        if (tl - t0 > last_max)
            last_max = tl - t0;
    }
    for (i = 0; i < NMAX; i++)
        close(cl[i].fd);
    close(w);
    close(ep);
    qsort(lat, nlat, sizeof(*lat), cmp64);
    printf("%-10s %4d watches  p50 %8.1f us  p99 %8.1f us  last of "
           "1000: mean %.1f us, max %.1f us (%d writes)\n",
           "watch-event", NMAX, pct(0.5), pct(0.99),
           last_sum / 1000.0 / rounds, last_max / 1000.0, rounds);
}

int main(int argc, char **argv)
{
    struct xensim_fixture f;
    double secs = argc > 1 ? atof(argv[1]) : 2;
    static const struct {
        enum kind k;
        const char *name;
    } kinds[] = {
        { K_READ, "read" }, { K_WRITE, "write" }, { K_TX, "tx-4-nodes" },
    };
    unsigned i;

    if (secs <= 0) {
        fprintf(stderr, "usage: bench-xenstore [seconds-per-case]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    xensim_raise_fd_limit();
    if (xensim_start(&f, NULL))
        return 1;
    {
        int fd = conn(f.socket);
        struct client c = { .fd = fd };
        struct xsd_sockmsg h;
        char p[64], buf[4200];

        /* The nodes the read case reads. */
        for (i = 0; i < NMAX; i++) {
            int n = snprintf(p, sizeof(p), "/bench/c%u", i) + 1;

            memcpy(p + n, "value", 5);
            sendmsg_(fd, XS_WRITE, 0, p, n + 5);
            while (!take(&c, &h, buf))
                ;
        }
        close(fd);
    }
    for (i = 0; i < 3; i++) {
        run_case(&f, 1, 1, kinds[i].k, secs, kinds[i].name);
        run_case(&f, NMAX, 1, kinds[i].k, secs, kinds[i].name);
        run_case(&f, NMAX, NMAX, kinds[i].k, secs, kinds[i].name);
    }
    run_watch(&f, 200);
    free(lat);
    return xensim_stop(&f) ? 1 : 0;
}
