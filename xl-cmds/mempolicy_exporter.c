/*
 * mempolicy_exporter.c: mempolicy-exporter, the Prometheus exporter of
 * libmempolicy: serves /metrics over HTTP (libmicrohttpd), computed at
 * each scrape (exporter_metrics.c; docs/metrics.md lists the metrics).
 *
 * It is a host daemon of the actor kit, as mempolicyd (no domain of its
 * own, no claim, no policy event): the kit gives it the options every
 * daemon of the project has (-v, -d, -p, --log-file, --version), the
 * log format, the locked pid file, daemonizing, SIGTERM/SIGINT, the exit
 * when the store goes away, sd_notify READY=1 (the unit is Type=notify;
 * the socket listens before then) and its announcement in the store (a
 * second exporter refuses to start).
 *
 * HTTP runs on one thread of libmicrohttpd's own (MHD_USE_INTERNAL_
 * POLLING_THREAD), with a library context of its own that no other
 * thread touches: the kit's loop and the context it owns stay on the
 * main thread.  Between scrapes nothing runs: the kit's loop sleeps in
 * poll() (a host daemon without timers), the HTTP thread in epoll/poll
 * with no timeout while no connection is open.  SIGTERM and SIGINT are
 * blocked in the HTTP thread, so the kit's signalfd receives them.
 *
 * --listen ADDR:PORT (default 127.0.0.1:9787, loopback only; IPv6 as
 * [ADDR]:PORT; port 0 picks a free port, logged).  The metrics show
 * domain names and memory sizes of the host: exposing them beyond the
 * host is the administrator's choice, made explicitly.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include <libmempolicy_actor.h>

#include "exporter.h"

#define NAME "mempolicy-exporter"
#define DEFAULT_LISTEN "127.0.0.1:9787"

struct exporter {
    const char *listen;
    int fd;
    struct MHD_Daemon *mhd;
    mempolicy_ctx *ctx; /* the HTTP thread's */
};

static const char *const content_type =
    "text/plain; version=0.0.4; charset=utf-8";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             const char *type, char *body, size_t len,
                             enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    static const char index_page[] =
        "mempolicy-exporter: the metrics are at /metrics\n";
    static const char not_found[] = "not found: try /metrics\n";
    static const char bad_method[] = "only GET and HEAD\n";
    struct exporter *e = cls;
    char err[512], *text, *msg;
    size_t len;

    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
                     (char *)bad_method, sizeof(bad_method) - 1,
                     MHD_RESPMEM_PERSISTENT);
    if (!strcmp(url, "/"))
        return reply(c, MHD_HTTP_OK, "text/plain", (char *)index_page,
                     sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/metrics"))
        return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", (char *)not_found,
                     sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
    if (exporter_metrics(e->ctx, &text, &len, err, sizeof(err))) {
        /* Prometheus marks the target down (up 0); the reason is the
         * body, one line. */
        if (asprintf(&msg, NAME ": %s\n", err) < 0)
            return MHD_NO;
        return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", msg,
                     strlen(msg), MHD_RESPMEM_MUST_FREE);
    }
    return reply(c, MHD_HTTP_OK, content_type, text, len,
                 MHD_RESPMEM_MUST_FREE);
}

/* ADDR:PORT or [ADDR]:PORT, numeric: a listening socket, or -1 after
 * logging why. */
static int listen_on(xentoollog_logger *lg, const char *spec)
{
    char host[128], port[8], shown[160];
    const char *colon = strrchr(spec, ':');
    struct addrinfo hints = { 0 }, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    size_t hl;
    int fd, one = 1, rc;

    if (!colon || colon == spec || !colon[1] || strlen(colon + 1) > 5 ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        goto bad;
    hl = (size_t)(colon - spec);
    if (spec[0] == '[') {
        if (hl < 3 || spec[hl - 1] != ']')
            goto bad;
        spec++;
        hl -= 2;
    }
    if (hl >= sizeof(host))
        goto bad;
    memcpy(host, spec, hl);
    host[hl] = '\0';
    snprintf(port, sizeof(port), "%s", colon + 1);
    if (atoi(port) > 65535)
        goto bad;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &ai);
    if (rc) {
        xtl_log(lg, XTL_ERROR, -1, NAME, "--listen %s: %s",
                MEMPOLICY_QUOTE(host), gai_strerror(rc));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64) ||
        getsockname(fd, (struct sockaddr *)&ss, &sl)) {
        xtl_log(lg, XTL_ERROR, errno, NAME, "cannot listen on %s",
                MEMPOLICY_QUOTE(colon[-1] == ']' ? spec - 1 : spec));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV))
        snprintf(shown, sizeof(shown), "?");
    else
        snprintf(shown, sizeof(shown),
                 ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
    xtl_log(lg, XTL_INFO, -1, NAME, "listening on http://%s/metrics", shown);
    return fd;
bad:
    xtl_log(lg, XTL_ERROR, -1, NAME,
            "--listen %s: ADDR:PORT expected (numeric address, "
            "[ADDR]:PORT for IPv6, port 0 to 65535)",
            MEMPOLICY_QUOTE(spec));
    return -1;
}

/* Once connected: the socket, the HTTP thread and its context. */
static int started(mempolicy_ctx *kit_ctx, xentoollog_logger *lg, void *user)
{
    struct exporter *e = user;
    sigset_t block, old;
    int rc;

    e->fd = listen_on(lg, e->listen);
    if (e->fd < 0)
        return 1;
    rc = mempolicy_ctx_alloc(&e->ctx, 0, NULL);
    if (rc) {
        xtl_log(lg, XTL_ERROR, -1, NAME, "cannot connect to the store: %s",
                mempolicy_strerror(rc));
        return 1;
    }
    /* The HTTP thread (and libxenstore's, started by its context) must
     * leave SIGTERM and SIGINT to the kit's signalfd. */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    e->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0,
                              NULL, NULL, handle, e, MHD_OPTION_LISTEN_SOCKET,
                              e->fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                              MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!e->mhd) {
        xtl_log(lg, XTL_ERROR, -1, NAME, "cannot start the HTTP server");
        return 1;
    }
    e->fd = -1; /* MHD_stop_daemon closes it */
    (void)kit_ctx;
    return 0;
}

/* A host daemon needs domain_introduced; the metrics are read at scrape
 * time, so there is nothing to do. */
static void domain_introduced(mempolicy_actor *a, uint32_t domid, void *user)
{}

static const mempolicy_actor_option options[] = {
    { "listen", 'L', "ADDR:PORT",
      "where to serve /metrics (default " DEFAULT_LISTEN ")" },
    { NULL, 0, NULL, NULL },
};

static int option(unsigned index, const char *arg, void *user)
{
    struct exporter *e = user;

    if (!arg[0]) {
        fprintf(stderr, NAME ": empty --listen address\n");
        return -1;
    }
    e->listen = arg; /* index 0: the only one */
    return 0;
}

int main(int argc, char **argv)
{
    static const mempolicy_actor_ops ops = {
        .domain_introduced = domain_introduced,
    };
    static const mempolicy_actor_main_opts ext = {
        .description = "Serve the host's and the domains' memory as "
                       "Prometheus metrics\n(http://" DEFAULT_LISTEN
                       "/metrics by default), read at each scrape.",
        .options = options,
        .option = option,
        .started = started,
    };
    struct exporter e = { .listen = DEFAULT_LISTEN, .fd = -1 };
    int rc = mempolicy_actor_main_ext(argc, argv, NAME, &ops, &e, &ext);

    if (e.mhd)
        MHD_stop_daemon(e.mhd);
    if (e.fd >= 0)
        close(e.fd);
    mempolicy_ctx_free(e.ctx);
    return rc;
}
