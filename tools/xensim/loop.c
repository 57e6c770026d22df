/*
 * loop.c: xensim's single-threaded event loop.
 *
 * One epoll instance carries every fd; each registration is a small
 * record found again through a table indexed by fd (fds are small dense
 * integers, so a growable array beats a hash).  Timers live in a binary
 * min-heap keyed by deadline; epoll_wait's timeout is the earliest
 * deadline, so nothing ever polls.  SIGTERM and SIGINT are blocked and
 * read from a signalfd, which turns a signal into an ordinary event and
 * lets loop_run() return cleanly (exit status 0, sockets removed by the
 * caller).
 *
 * Callbacks may add or remove any registration, including their own: a
 * record removed during dispatch is unlinked from the fd table at once
 * and freed only after the current batch of events, so a stale epoll
 * event never reaches freed memory or the wrong callback.
 */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

struct fd_rec {
    int fd;
    bool dead;
    loop_fd_fn *fn;
    void *arg;
    struct fd_rec *next_dead;
};

struct loop_timer {
    uint64_t deadline;
    uint64_t seq;           /* FIFO order among equal deadlines */
    unsigned idx;           /* position in the heap */
    loop_timer_fn *fn;
    void *arg;
};

struct loop {
    int epfd;
    int sigfd;
    bool stop;
    struct fd_rec **fds;    /* indexed by fd */
    unsigned nfds;
    struct fd_rec *dead;    /* freed after the current dispatch batch */
    struct loop_timer **heap;
    unsigned nheap, heap_cap;
    struct loop_timer *firing;  /* the timer whose callback runs */
    uint64_t timer_seq;
    sigset_t oldmask;
};

uint64_t loop_now_ms(struct loop *l)
{
    struct timespec ts;

    (void)l;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
    struct loop *l = calloc(1, sizeof(*l));
    sigset_t mask;
    struct epoll_event ev = { .events = EPOLLIN };

    if (!l)
        return NULL;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, &l->oldmask);
    l->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (l->epfd < 0 || l->sigfd < 0)
        goto fail;
    /* The signalfd is tagged with a NULL record pointer. */
    ev.data.ptr = NULL;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0)
        goto fail;
    /* A peer closing a socket must not kill the whole simulated host. */
    signal(SIGPIPE, SIG_IGN);
    return l;

fail:
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->sigfd >= 0)
        close(l->sigfd);
    sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
    free(l);
    return NULL;
}

static void free_dead(struct loop *l)
{
    while (l->dead) {
        struct fd_rec *r = l->dead;

        l->dead = r->next_dead;
        free(r);
    }
}

void loop_free(struct loop *l)
{
    unsigned i;

    if (!l)
        return;
    for (i = 0; i < l->nfds; i++)
        free(l->fds[i]);
    free(l->fds);
    free_dead(l);
    for (i = 0; i < l->nheap; i++)
        free(l->heap[i]);
    free(l->heap);
    close(l->epfd);
    close(l->sigfd);
    sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
    free(l);
}

int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_fn *fn,
                void *arg)
{
    struct epoll_event ev;
    struct fd_rec *r;

    if (fd < 0 || !fn)
        return -EINVAL;
    if ((unsigned)fd >= l->nfds) {
        unsigned n = l->nfds ? l->nfds : 64;
        struct fd_rec **nf;

        while (n <= (unsigned)fd)
            n *= 2;
        nf = realloc(l->fds, n * sizeof(*nf));
        if (!nf)
            return -ENOMEM;
        memset(nf + l->nfds, 0, (n - l->nfds) * sizeof(*nf));
        l->fds = nf;
        l->nfds = n;
    }
    if (l->fds[fd])
        return -EEXIST;
    r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->fd = fd;
    r->fn = fn;
    r->arg = arg;
    ev.events = events;
    ev.data.ptr = r;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int e = errno;

        free(r);
        return -e;
    }
    l->fds[fd] = r;
    return 0;
}

int loop_fd_mod(struct loop *l, int fd, uint32_t events)
{
    struct epoll_event ev;

    if (fd < 0 || (unsigned)fd >= l->nfds || !l->fds[fd])
        return -ENOENT;
    ev.events = events;
    ev.data.ptr = l->fds[fd];
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
        return -errno;
    return 0;
}

void loop_fd_del(struct loop *l, int fd)
{
    struct fd_rec *r;

    if (fd < 0 || (unsigned)fd >= l->nfds || !l->fds[fd])
        return;
    r = l->fds[fd];
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    l->fds[fd] = NULL;
    r->dead = true;
    r->next_dead = l->dead;
    l->dead = r;
}

/* ---- timers: a binary min-heap on (deadline, seq) ---- */

static bool timer_before(const struct loop_timer *a,
                         const struct loop_timer *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

static void heap_set(struct loop *l, unsigned i, struct loop_timer *t)
{
    l->heap[i] = t;
    t->idx = i;
}

static void heap_up(struct loop *l, unsigned i)
{
    struct loop_timer *t = l->heap[i];

    while (i > 0) {
        unsigned p = (i - 1) / 2;

        if (!timer_before(t, l->heap[p]))
            break;
        heap_set(l, i, l->heap[p]);
        i = p;
    }
    heap_set(l, i, t);
}

static void heap_down(struct loop *l, unsigned i)
{
    struct loop_timer *t = l->heap[i];

    for (;;) {
        unsigned c = 2 * i + 1;

        if (c >= l->nheap)
            break;
        if (c + 1 < l->nheap && timer_before(l->heap[c + 1], l->heap[c]))
            c++;
        if (!timer_before(l->heap[c], t))
            break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, t);
}

static void heap_remove(struct loop *l, struct loop_timer *t)
{
    unsigned i = t->idx;

    assert(i < l->nheap && l->heap[i] == t);
    l->nheap--;
    if (i == l->nheap)
        return;
    heap_set(l, i, l->heap[l->nheap]);
    if (i > 0 && timer_before(l->heap[i], l->heap[(i - 1) / 2]))
        heap_up(l, i);
    else
        heap_down(l, i);
}

struct loop_timer *loop_timer_add(struct loop *l, uint64_t ms,
                                  loop_timer_fn *fn, void *arg)
{
    struct loop_timer *t;

    if (l->nheap == l->heap_cap) {
        unsigned n = l->heap_cap ? l->heap_cap * 2 : 16;
        struct loop_timer **nh = realloc(l->heap, n * sizeof(*nh));

        if (!nh)
            return NULL;
        l->heap = nh;
        l->heap_cap = n;
    }
    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->deadline = loop_now_ms(l) + ms;
    t->seq = l->timer_seq++;
    t->fn = fn;
    t->arg = arg;
    heap_set(l, l->nheap++, t);
    heap_up(l, t->idx);
    return t;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
    if (!t || t == l->firing)
        return; /* a firing timer is freed when its callback returns */
    heap_remove(l, t);
    free(t);
}

/* Fire every timer that is due; callbacks may add or cancel timers. */
static void run_timers(struct loop *l)
{
    uint64_t now = loop_now_ms(l);
    uint64_t limit = l->timer_seq; /* timers added now wait a round */

    while (l->nheap && l->heap[0]->deadline <= now &&
           l->heap[0]->seq < limit) {
        struct loop_timer *t = l->heap[0];

        heap_remove(l, t);
        l->firing = t;
        t->fn(l, t, t->arg);
        l->firing = NULL;
        free(t);
    }
}

static int next_timeout(struct loop *l)
{
    uint64_t now, d;

    if (!l->nheap)
        return -1;
    now = loop_now_ms(l);
    d = l->heap[0]->deadline;
    if (d <= now)
        return 0;
    return d - now > 60000 ? 60000 : (int)(d - now);
}

int loop_run(struct loop *l)
{
    struct epoll_event evs[64];

    l->stop = false;
    while (!l->stop) {
        int n = epoll_wait(l->epfd, evs, 64, next_timeout(l));
        int i;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        for (i = 0; i < n && !l->stop; i++) {
            struct fd_rec *r = evs[i].data.ptr;

            if (!r) {
                struct signalfd_siginfo si;

                while (read(l->sigfd, &si, sizeof(si)) == sizeof(si))
                    l->stop = true;
                continue;
            }
            if (r->dead)
                continue;
            r->fn(l, r->fd, evs[i].events, r->arg);
        }
        free_dead(l);
        run_timers(l);
    }
    return 0;
}

void loop_stop(struct loop *l)
{
    l->stop = true;
}
