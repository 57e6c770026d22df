/*
 * xs_server.h: the xenstore wire protocol on Unix sockets.
 *
 * One listening socket for dom0 (privileged) at the given path, and one
 * per introduced domain at "<path>.dom<N>", whose connections act as
 * unprivileged domain N.  Everything runs on the loop.
 */
#ifndef XENSIM_XS_SERVER_H
#define XENSIM_XS_SERVER_H

struct loop;
struct store;
struct xs_server;

/* Binds and listens; NULL (with a message on stderr) on failure. */
struct xs_server *xs_server_new(struct loop *l, struct store *s,
                                const char *path);
/* Closes every connection and removes every socket it created. */
void xs_server_free(struct xs_server *srv);

#endif
