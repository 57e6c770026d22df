/*
 * store_priv.h: what the files of xensim's store share, and nothing
 * else includes.
 *
 * The store is split as xenstored (tools/xenstore, Xen 4.17) splits
 * itself, one job per file:
 *
 *   store.c         nodes, paths and permissions; the requests on them;
 *                   the store object and its clients   (xenstored_core.c)
 *   store_tx.c      transactions                (xenstored_transaction.c)
 *   store_watch.c   watches and their events          (xenstored_watch.c)
 *   store_domain.c  domains and their quota accounting (xenstored_domain.c)
 *
 * All functions here follow store_int.h's convention: 0 or a positive
 * errno as xenstored would send it.
 */
#ifndef XENSIM_STORE_PRIV_H
#define XENSIM_STORE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>

#include "store.h"
#include "store_int.h"

struct ht;
struct loop;
struct loop_timer;

#define NO_GEN (~(uint64_t)0)
/* Size of xenstored's TDB record header, counted by the entry quota. */
#define REC_HDR_SIZE 24

struct rec {
    char *val;
    unsigned len;
    struct xs_permissions *perms;
    unsigned nperms;
    char *children; /* names, each NUL-terminated, back to back */
    unsigned childlen;
    uint64_t gen;
};

struct watch {
    struct watch *inext, *iprev; /* same watched path (index) */
    struct watch *cnext, *cprev; /* same client */
    struct xs_client *c;
    char *path;      /* canonical */
    char *token;
    bool relative;   /* report paths relative to the domain path */
    xsc_event_fn *fn;
    void *arg;
};

/* The watches on one path, oldest first (xenstored's order). */
struct wlist {
    struct watch *head, *tail;
};

struct acc {
    struct acc *next;
    char *path;
    struct rec *ta;  /* the node as the transaction sees it; NULL: absent */
    uint64_t gen;    /* database generation at first read */
    bool check_gen, modified, fire, exact;
    struct xs_permissions *oldperms; /* database perms at first access */
    unsigned noldperms;
};

struct tx {
    struct tx *next;
    uint32_t id;
    struct ht *acc;
    struct acc *first, *last;
    unsigned nodes;
    bool node_created, fail;
};

struct xs_client {
    struct store *s;
    unsigned domid;
    char dompath[32];     /* "/local/domain/<domid>" */
    struct watch *watches;
    struct tx *txs;
    unsigned ntx;
    uint32_t next_tx;
};

/* An in-process watch event waiting for the loop. */
struct pending {
    struct pending *next;
    struct watch *w;
    char *path;
};

struct store {
    struct loop *loop;
    struct ht *db;
    uint64_t gen;
    struct ht *windex;   /* path -> struct wlist */
    struct ht *domains;  /* "<domid>" -> struct domain */
    struct xs_permissions *special_perms[2];
    unsigned special_n[2];
    struct store_domain_hooks hooks;
    struct store_server_ops srv;
    struct xs_client *internal; /* dom0, for the in-process API */
    struct pending *pend_head, *pend_tail;
    struct pending *flushing;   /* the batch being delivered */
    struct loop_timer *pend_timer;
};

/* The context of one request. */
struct op {
    struct store *s;
    struct xs_client *c; /* NULL for in-process one-shot requests */
    struct tx *t;
    unsigned domid;
    bool priv;
};

/* ---- store.c: records, permissions, paths, nodes ---- */

void rec_free(void *p);
void *memdup(const void *p, size_t n);
struct rec *rec_dup(const struct rec *o);
/* Bytes the entry-size quota counts for r. */
unsigned rec_size(const struct rec *r);
bool domid_unprivileged(unsigned domid);
/* xenstored's perm_for_conn(): the permissions domid has on a node. */
unsigned perm_for(unsigned domid, const struct xs_permissions *p,
                  unsigned n);
/* 0 or 1 for "@introduceDomain" or "@releaseDomain", else -1. */
int special_idx(const char *name);
bool valid_path(const char *p);
char *canonical(const struct op *o, const char *path);
char *parent_of(const char *path);
const char *base_of(const char *path);
void op_init(struct op *o, struct store *s, struct xs_client *c,
             unsigned domid);
/* Node access, through o's transaction if it has one. */
int node_get(struct op *o, const char *path, const struct rec **r);
int node_put(struct op *o, const char *path, struct rec *r);
int node_del(struct op *o, const char *path);

/* ---- store_tx.c: transactions ---- */

/* Set o->t to the client's transaction tx (0: none); ENOENT if unknown. */
int op_tx(struct op *o, uint32_t tx);
/* The transaction's copy of path, made on first access. */
struct acc *acc_get(struct op *o, const char *path, bool read, int *err);
/* Note that path's watches fire at commit (see fire()). */
void tx_note_fire(struct tx *t, const char *path, bool exact);
void tx_unlink(struct xs_client *c, struct tx *t);
void tx_free(struct tx *t);

/* ---- store_watch.c: watches ---- */

/* Fire path's watches (see store_watch.c). */
void fire(struct op *o, const char *path, const struct rec *node,
          bool exact, const struct xs_permissions *oldp, unsigned oldn);
void fire_special(struct store *s, const char *name);
void watch_unlink(struct store *s, struct watch *w);
/* Drop the in-process events not yet delivered (store_free). */
void watch_pending_free(struct store *s);

/* ---- store_domain.c: domains and quota accounting ---- */

/* The domains table knows dom0, always introduced. */
int domain_init(struct store *s);
/* A node owned by r's owner appeared (+1) or went (-1). */
void domain_account(struct store *s, const struct rec *r, int delta);
/* Nodes owned by domid. */
int domain_nbentry(struct store *s, unsigned domid);
/* May domid add a watch?  0, E2BIG (over quota) or ENOMEM. */
int domain_watch_check(struct store *s, unsigned domid);
void domain_watch_add(struct store *s, unsigned domid, int delta);
/*
 * Compare each domain's node count with `count` ("<domid>" -> int
 * counted in the database); prints and returns the mismatches.
 */
int domain_check(struct store *s, struct ht *count);

#endif
