/*
 * store_int.h: the store as seen by the wire-protocol server.
 *
 * xs_server.c owns sockets and framing; store*.c own xenstored's
 * semantics (split as xenstored is, see store_priv.h).  A "client" is
 * one requesting identity: a socket connection of some domain, with its
 * own transactions and watches.  Every call
 * mirrors one xenstored request and returns 0 or a positive errno with
 * the value xenstored would send (EINVAL, EACCES, ENOENT, ...).  `tx` is
 * the transaction id from the message header (0: none).
 */
#ifndef XENSIM_STORE_INT_H
#define XENSIM_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

#include "store.h"

/* xenstored's default quotas (tools/xenstore/xenstored_core.c, 4.17). */
#define XSQ_NODES_PER_DOMAIN 1000
#define XSQ_WATCHES_PER_DOMAIN 128
#define XSQ_ENTRY_SIZE 2048
#define XSQ_TRANSACTIONS 10
#define XSQ_PERMS_PER_NODE 5
#define XSQ_TRANS_NODES 1024
#define XSQ_PATH_LEN 2048
#define XSQ_OUTSTANDING 20
#define XSQ_MEMORY_HARD (2 * 1024 * 1024 + 512 * 1024)
/*
 * xensim's own: a guest has one xenstore ring in Xen, multiplexed by its
 * xenbus driver among its processes; xensim gives each guest process its
 * own socket connection, up to this many at once (docs/xensim.md).
 */
#define XSQ_CONNS_PER_DOMAIN 8

#define XS_DOMID_SELF 0x7ff0u /* DOMID_SELF, also DOMID_FIRST_RESERVED */

struct xs_client;

/* Deliver one watch event (path as the watcher registered it). */
typedef void xsc_event_fn(void *arg, const char *path, const char *token);

/*
 * Server side of the per-domain sockets: called by the store when a
 * domain is introduced (create "<socket>.dom<N>") or released (close its
 * connections, remove the socket).
 */
struct store_server_ops {
    int (*domain_up)(void *arg, unsigned domid);
    void (*domain_down)(void *arg, unsigned domid);
    void *arg;
};

struct store *store_new(struct loop *l);
void store_free(struct store *s);
void store_set_server_ops(struct store *s, const struct store_server_ops *o);
/* Hooks are only called for INTRODUCE/RELEASE sent by clients. */
int store_client_introduce(struct store *s, unsigned domid);
int store_client_release(struct store *s, unsigned domid);

struct xs_client *xsc_new(struct store *s, unsigned domid);
/* Drops the client's watches and transactions. */
void xsc_free(struct xs_client *c);
unsigned xsc_domid(const struct xs_client *c);
bool xsc_privileged(const struct xs_client *c);

int xsc_check_tx(struct xs_client *c, uint32_t tx);
int xsc_read(struct xs_client *c, uint32_t tx, const char *path,
             char **val, unsigned *len);
int xsc_write(struct xs_client *c, uint32_t tx, const char *path,
              const char *val, unsigned len);
int xsc_mkdir(struct xs_client *c, uint32_t tx, const char *path);
int xsc_rm(struct xs_client *c, uint32_t tx, const char *path);
/* children: NUL-terminated names back to back (malloc'd). */
int xsc_directory(struct xs_client *c, uint32_t tx, const char *path,
                  char **children, unsigned *len, uint64_t *gen);
int xsc_get_perms(struct xs_client *c, uint32_t tx, const char *path,
                  struct xs_permissions **perms, unsigned *n);
int xsc_set_perms(struct xs_client *c, uint32_t tx, const char *path,
                  const struct xs_permissions *perms, unsigned n);

/*
 * Register a watch; on success *initial is the path to report in the
 * initial event (malloc'd), which the caller sends after its reply.
 */
int xsc_watch(struct xs_client *c, const char *path, const char *token,
              xsc_event_fn *fn, void *arg, char **initial);
int xsc_unwatch(struct xs_client *c, const char *path, const char *token);
/* RESET_WATCHES: drop all watches and transactions. */
void xsc_reset(struct xs_client *c);

int xsc_tx_start(struct xs_client *c, uint32_t tx, uint32_t *id);
int xsc_tx_end(struct xs_client *c, uint32_t tx, bool commit);

/*
 * Check the database's invariants (every node listed once by its parent,
 * every listed child present, per-domain node counts right); prints each
 * problem on stderr and returns how many there were.
 */
int store_check(struct store *s);

/* Parse "r5", "b0"...; false on malformed input. */
bool xs_perm_parse(const char *s, struct xs_permissions *p);

#endif
