/*
 * xs_server.h: the xenstore wire protocol on Unix sockets.
 *
 * One listening socket for dom0 (privileged) at the given path, and one
 * per introduced domain at "<path>.dom<N>", whose connections act as
 * unprivileged domain N.  Everything runs on the loop.
 */
#ifndef XENSIM_XS_SERVER_H
#define XENSIM_XS_SERVER_H

#include <stdint.h>

struct loop;
struct store;
struct xs_server;

/* Binds and listens; NULL (with a message on stderr) on failure. */
struct xs_server *xs_server_new(struct loop *l, struct store *s,
                                const char *path);
/*
 * The clock (ms) on which what clients cause is logged at most once a
 * minute per source (ratelog.h): xensim's simulated clock, so that a
 * test holding it decides what falls within one minute.  Until set, the
 * loop's real-time clock.
 */
typedef uint64_t xs_server_clock_fn(void *arg);
void xs_server_set_clock(struct xs_server *srv, xs_server_clock_fn *fn,
                         void *arg);
/* Closes every connection and removes every socket it created. */
void xs_server_free(struct xs_server *srv);

#endif
