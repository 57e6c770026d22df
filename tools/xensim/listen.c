/*
 * listen.c: listening sockets that back off when descriptors run out
 * (see listen.h).
 *
 * Xen's xenstored (tools/xenstore/xenstored_core.c, accept_connection)
 * simply returns when accept fails and is called again on the next
 * poll: with the descriptor table full it would spin the same way.  The
 * back-off here is xensim's own; what it guarantees is that a host out
 * of descriptors costs no CPU and writes one log line, and that the
 * clients waiting in the backlog are served as soon as a descriptor is
 * free.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"
#include "loop.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 3200
#define ACCEPT_BATCH 64
#define BACKLOG 1024

struct listener {
    struct loop *loop;
    int fd;
    char *path;
    listener_fn *fn;
    void *arg;
    bool paused;
    unsigned backoff_ms;
    struct loop_timer *timer;
    struct listener *next_paused;
};

/*
 * Descriptors are a resource of the process, so the listeners waiting
 * for one are a list of the process too.
 */
static struct listener *paused_list;

static void on_readable(struct loop *l, int fd, uint32_t ev, void *arg);

static void unlink_paused(struct listener *ls)
{
    struct listener **p;

    for (p = &paused_list; *p; p = &(*p)->next_paused)
        if (*p == ls) {
            *p = ls->next_paused;
            break;
        }
    ls->next_paused = NULL;
}

static void resume(struct listener *ls)
{
    if (!ls->paused)
        return;
    ls->paused = false;
    unlink_paused(ls);
    if (ls->timer)
        loop_timer_cancel(ls->loop, ls->timer);
    ls->timer = NULL;
    loop_fd_mod(ls->loop, ls->fd, EPOLLIN);
}

static void backoff_timer(struct loop *l, struct loop_timer *t, void *arg)
{
    struct listener *ls = arg;

    (void)l;
    (void)t;
    ls->timer = NULL;
    resume(ls);
}

static void pause_accepting(struct listener *ls, int err)
{
    if (!ls->backoff_ms) {
        /* The first failure of an episode: say so, once. */
        fprintf(stderr,
                "xensim: accept on %s: %s; not accepting until "
                "a descriptor is free\n",
                ls->path, strerror(err));
        ls->backoff_ms = BACKOFF_FIRST_MS;
    } else if (ls->backoff_ms < BACKOFF_MAX_MS) {
        ls->backoff_ms *= 2;
    }
    ls->paused = true;
    ls->next_paused = paused_list;
    paused_list = ls;
    loop_fd_mod(ls->loop, ls->fd, 0);
    ls->timer = loop_timer_add(ls->loop, ls->backoff_ms, backoff_timer, ls);
}

static void on_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
    struct listener *ls = arg;
    int i;

    (void)l;
    (void)ev;
    for (i = 0; i < ACCEPT_BATCH && !ls->paused; i++) {
        int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (c < 0) {
            switch (errno) {
            case EAGAIN:
                return;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                pause_accepting(ls, errno);
                return;
            default:
                /* The peer's trouble (ECONNABORTED, ...): next one. */
                continue;
            }
        }
        if (ls->backoff_ms) {
            fprintf(stderr, "xensim: accepting on %s again\n", ls->path);
            ls->backoff_ms = 0;
        }
        ls->fn(ls->arg, c);
    }
}

struct listener *listener_new(struct loop *l, const char *path, listener_fn *fn,
                              void *arg, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct listener *ls;
    int r;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "socket path too long: %s", path);
        return NULL;
    }
    ls = calloc(1, sizeof(*ls));
    if (!ls || !(ls->path = strdup(path))) {
        free(ls);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    strcpy(sa.sun_path, path);
    ls->loop = l;
    ls->fn = fn;
    ls->arg = arg;
    ls->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ls->fd < 0)
        goto fail;
    unlink(path); /* a stale socket of an earlier run */
    if (bind(ls->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        chmod(path, 0600) < 0 || listen(ls->fd, BACKLOG) < 0)
        goto fail;
    r = loop_fd_add(l, ls->fd, EPOLLIN, on_readable, ls);
    if (r) {
        errno = -r;
        goto fail;
    }
    return ls;

fail:
    snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
    if (ls->fd >= 0) {
        close(ls->fd);
        unlink(path);
    }
    free(ls->path);
    free(ls);
    return NULL;
}

void listener_free(struct listener *ls)
{
    if (!ls)
        return;
    if (ls->paused)
        unlink_paused(ls);
    if (ls->timer)
        loop_timer_cancel(ls->loop, ls->timer);
    loop_fd_del(ls->loop, ls->fd);
    close(ls->fd);
    unlink(ls->path);
    free(ls->path);
    free(ls);
}

void listener_close_conn(struct loop *l, int fd)
{
    loop_fd_del(l, fd);
    close(fd);
    while (paused_list)
        resume(paused_list);
}
