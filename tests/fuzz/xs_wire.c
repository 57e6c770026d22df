/*
 * xs_wire.c: fuzzes xensim's xenstore server as a client reaches it: the
 * wire framing (tools/xensim/xs_server.c) and every request's meaning in
 * the store (nodes, permissions, transactions, watches, quotas).
 *
 * Input: one flag byte, then the raw byte stream a client sends (struct
 * xsd_sockmsg headers and payloads, xen/io/xs_wire.h).  Flag bit 0: the
 * stream comes from a connection of guest domain 1 (its socket
 * "<path>.dom1", unprivileged, with quotas) instead of dom0.  Flag bit 1:
 * a dom0 connection watches "/" first, so every change fans out to a
 * second client.
 *
 * Each input gets a fresh loop, store and server (nothing carries over),
 * and the same start: domain 1 introduced with /local/domain/1 owned by
 * it, as xl creates it.  The whole stream is written before the loop
 * runs and the write side is shut, so the server sees the same bytes in
 * the same reads every time; the loop runs until the server has closed
 * the connection (it does on EOF, or on a broken frame).  A hang is
 * reported by libFuzzer's -timeout.  At the end the store's invariants
 * are checked (store_check), and the sanitizers see every leak.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xenstore.h>
#include <xen/io/xs_wire.h>

#include "loop.h"
#include "store.h"
#include "store_int.h"
#include "xs_server.h"

#define FUZZ_MAX_INPUT (64 * 1024)

static char dir[64];
static char path[128];

struct client {
    int fd;
    bool done;
    struct client *other; /* stop when both are done */
};

static void cleanup(void)
{
    char p[160];

    /* The server removes its sockets; a crash may leave them. */
    unlink(path);
    snprintf(p, sizeof(p), "%s.dom1", path);
    unlink(p);
    rmdir(dir);
}

static void setup_once(void)
{
    strcpy(dir, "/tmp/fuzz-xs-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/xs", dir);
    atexit(cleanup);
}

static int connect_to(const char *p)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        abort();
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
        abort();
    return fd;
}

/* Read and drop what the server sends; EOF ends this client. */
static void client_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
    struct client *c = arg;
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof(buf));

    (void)ev;
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
        return;
    loop_fd_del(l, fd);
    c->done = true;
    if (c->other && !c->other->done)
        shutdown(c->other->fd, SHUT_WR); /* now the watcher may go */
    else
        loop_stop(l);
}

/* One complete message: header then payload. */
static void send_msg(int fd, uint32_t type, const char *a, size_t alen,
                     const char *b, size_t blen)
{
    struct xsd_sockmsg h = { .type = type, .len = (uint32_t)(alen + blen) };
    char buf[sizeof(h) + 256];

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), a, alen);
    memcpy(buf + sizeof(h) + alen, b, blen);
    if (write(fd, buf, sizeof(h) + alen + blen) !=
        (ssize_t)(sizeof(h) + alen + blen))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct xs_permissions owned[] = {
        { .id = 1, .perms = XS_PERM_NONE },
    };
    struct client main_c = { .fd = -1 }, watcher = { .fd = -1 };
    struct loop *l;
    struct store *s;
    struct xs_server *srv;
    char p[160];
    int problems;

    if (size < 1 || size > FUZZ_MAX_INPUT)
        return -1;
    if (!dir[0])
        setup_once();

    l = loop_new();
    s = l ? store_new(l) : NULL;
    srv = s ? xs_server_new(l, s, path) : NULL;
    if (!srv)
        abort();
    if (store_domain_introduce(s, 1) || store_mkdir(s, 0, "/local/domain/1") ||
        store_set_perms(s, 0, "/local/domain/1", owned, 1))
        abort();

    if (data[0] & 2) {
        watcher.fd = connect_to(path);
        /* Sent before the stream's connection exists: seen first. */
        send_msg(watcher.fd, XS_WATCH, "/", 2, "w", 2);
        if (loop_fd_add(l, watcher.fd, EPOLLIN, client_io, &watcher))
            abort();
        /* It leaves once the stream's connection is gone. */
        main_c.other = &watcher;
    }
    if (data[0] & 1)
        snprintf(p, sizeof(p), "%s.dom1", path);
    else
        snprintf(p, sizeof(p), "%s", path);
    main_c.fd = connect_to(p);
    /* The socket buffer holds FUZZ_MAX_INPUT: one write, never short. */
    if (size > 1 && write(main_c.fd, data + 1, size - 1) != (ssize_t)(size - 1))
        abort();
    shutdown(main_c.fd, SHUT_WR);
    if (loop_fd_add(l, main_c.fd, EPOLLIN, client_io, &main_c))
        abort();
    loop_run(l);

    problems = store_check(s);
    xs_server_free(srv);
    store_free(s);
    loop_free(l);
    close(main_c.fd);
    if (watcher.fd >= 0)
        close(watcher.fd);
    if (problems)
        abort();
    return 0;
}
