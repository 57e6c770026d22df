/*
 * store.h: the xenstore database of xensim, as used in-process.
 *
 * The wire-protocol server (xs_server.c) and the hypervisor/guest models
 * share one store.  In-process calls act exactly like a request from a
 * connection of domain `as` (0 = dom0, privileged): same path rules, same
 * permission checks, same watch events.  Errors are positive errno values
 * as xenstored returns them (ENOENT, EACCES, EINVAL, E2BIG, EEXIST, ...);
 * 0 is success.
 */
#ifndef XENSIM_STORE_H
#define XENSIM_STORE_H

#include <stdbool.h>
#include <xenstore.h> /* struct xs_permissions */

struct store;
struct loop;

/* A watch event delivered to an in-process watcher. */
typedef void store_watch_fn(void *arg, const char *path, const char *token);

/* Hooks the hypervisor model may set, to learn of client requests. */
struct store_domain_hooks {
    /* A client sent INTRODUCE for domid (already recorded as introduced). */
    void (*introduced)(void *arg, unsigned domid);
    /* A client sent RELEASE for domid. */
    void (*released)(void *arg, unsigned domid);
    void *arg;
};

/* Plain reads and writes, outside any transaction. */
int store_read(struct store *s, unsigned as, const char *path, char **val,
               unsigned *len); /* *val malloc'd and NUL-terminated */
int store_write(struct store *s, unsigned as, const char *path,
                const char *val, unsigned len);
int store_mkdir(struct store *s, unsigned as, const char *path);
int store_rm(struct store *s, unsigned as, const char *path);
int store_set_perms(struct store *s, unsigned as, const char *path,
                    const struct xs_permissions *perms, unsigned nperms);
/* Children names, malloc'd array of malloc'd strings. */
int store_directory(struct store *s, unsigned as, const char *path,
                    char ***names, unsigned *n);

/*
 * In-process watch: like XS_WATCH from a dom0 connection, including the
 * initial event (delivered from the loop, not from inside this call).
 */
int store_watch_add(struct store *s, const char *path, const char *token,
                    store_watch_fn *fn, void *arg);
void store_watch_remove(struct store *s, const char *path,
                        const char *token);

/*
 * Domains.  Introducing a domain makes it known to the store (quotas,
 * IS_DOMAIN_INTRODUCED), creates its unprivileged socket
 * "<socket>.dom<domid>" and fires @introduceDomain; releasing it closes
 * that socket's connections, removes the socket and fires @releaseDomain.
 */
int store_domain_introduce(struct store *s, unsigned domid);
int store_domain_release(struct store *s, unsigned domid);
bool store_domain_is_introduced(struct store *s, unsigned domid);
void store_set_domain_hooks(struct store *s,
                            const struct store_domain_hooks *hooks);

#endif
