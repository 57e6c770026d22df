/*
 * loop.h: xensim's single-threaded event loop (epoll + timers).
 *
 * Every part of the simulated host (xenstore connections, the hypervisor
 * channel, guest models, scenario events) runs as callbacks on one loop,
 * so no locking is needed anywhere in xensim.  Timers use the real
 * monotonic clock in milliseconds; the simulation clock (which may run
 * faster, --speed) is kept by the hypervisor model on top of it.
 */
#ifndef XENSIM_LOOP_H
#define XENSIM_LOOP_H

#include <stdint.h>

struct loop;
struct loop_timer;

/* events: EPOLLIN/EPOLLOUT/... as in <sys/epoll.h>. */
typedef void loop_fd_fn(struct loop *l, int fd, uint32_t events, void *arg);
typedef void loop_timer_fn(struct loop *l, struct loop_timer *t, void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Register, change or remove interest in fd.  Return 0 or -errno. */
int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_fn *fn,
                void *arg);
int loop_fd_mod(struct loop *l, int fd, uint32_t events);
void loop_fd_del(struct loop *l, int fd);

/*
 * One-shot timer firing after `ms` milliseconds.  The timer is freed after
 * its callback returns, or by loop_timer_cancel(); the callback may add
 * new timers (a periodic tick re-arms itself).
 */
struct loop_timer *loop_timer_add(struct loop *l, uint64_t ms,
                                  loop_timer_fn *fn, void *arg);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

/* Monotonic real time in milliseconds. */
uint64_t loop_now_ms(struct loop *l);

/* Run until loop_stop() (or SIGTERM/SIGINT, handled with a signalfd). */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
