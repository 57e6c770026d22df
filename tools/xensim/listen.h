/*
 * listen.h: xensim's listening Unix sockets (the xenstore sockets, the
 * per-domain sockets and the hypervisor channel), with one rule for
 * running out of file descriptors.
 *
 * When accept(2) fails for lack of resources (EMFILE, ENFILE, ENOBUFS,
 * ENOMEM), the pending connection stays in the backlog and the listening
 * socket stays readable; accepting again at once would spin.  Instead
 * the listener leaves the loop and comes back when a connection of
 * xensim closes (listener_fd_released) or after a back-off timer (0.1 s,
 * doubling to 3.2 s), whichever is first.  The first failure of an
 * episode is logged on stderr, and the recovery, nothing in between.
 */
#ifndef XENSIM_LISTEN_H
#define XENSIM_LISTEN_H

#include <stddef.h>

struct loop;
struct listener;

/* A new connection: fd is non-blocking and close-on-exec, and the
 * callee's to keep or close. */
typedef void listener_fn(void *arg, int fd);

/*
 * Listen on the Unix socket `path` (mode 0600; a stale socket file is
 * replaced).  NULL on failure, with the reason in err.
 */
struct listener *listener_new(struct loop *l, const char *path, listener_fn *fn,
                              void *arg, char *err, size_t errlen);
/* Stop listening and remove the socket file. */
void listener_free(struct listener *ls);

/*
 * Close a connection's fd (also removing it from the loop); listeners
 * waiting for a free descriptor try again at once.
 */
void listener_close_conn(struct loop *l, int fd);

#endif
