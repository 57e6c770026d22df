/*
 * internal.h: what the library's source files share and callers never see.
 *
 * The context, the error/log helpers, the xenstore helpers (strict number
 * parsing, bounded transactions) and the ONE hypervisor backend interface.
 * Policy code only ever calls ctx->be->...; the backend (sim or xen) is
 * chosen once in mempolicy_ctx_alloc(), so no file but backend_*.c knows
 * which hypervisor is underneath.
 */
#ifndef MEMPOLICY_INTERNAL_H
#define MEMPOLICY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

#include "libmempolicy.h"

/* Domain ids at and above this are reserved by Xen (DOMID_FIRST_RESERVED). */
#define MP_DOMID_LIMIT 0x7FF0u

/* Largest decimal KiB value accepted from the store (2^63 - 1). */
#define MP_KB_MAX ((uint64_t)INT64_MAX)

/* Bounded retries of a conflicting transaction, then ERROR_AGAIN. */
#define MP_TX_RETRIES 64

/* Longest store value the library reads and trusts (guest data included). */
#define MP_VALUE_MAX 4096

/* What the hypervisor says about a domain. */
struct mp_hvinfo {
    uint32_t domid;
    bool hvm;
    bool hap;
    bool dying;
    bool shutdown;
    bool paging;
    bool sharing;
    uint64_t tot_kb;
    uint64_t max_kb;
    uint64_t paged_kb;
    uint64_t paging_target_kb;
    uint64_t shared_kb;
    uint64_t cow_breaks;
    unsigned vcpus;           /* max_vcpu_id + 1; 0 where unknown (sim) */
};

/* A pager as its record says (pager.c): "<pid> <pagefile>". */
#define MP_PAGEFILE_MAX 256
struct mp_pager_rec {
    long pid;
    char pagefile[MP_PAGEFILE_MAX];
};

/* A pager as the backend sees it. */
#define MP_PAGER_STATUS_UNKNOWN (-1000)
struct mp_pager_state {
    bool running;       /* alive (also while paging in to stop) */
    int status;         /* exited: exit status, -signal if killed, or
                         * MP_PAGER_STATUS_UNKNOWN */
    int err;            /* exited: errno of the call it failed on, or 0 */
    uint64_t paged_kb;  /* pager_wait: the domain's paged-out KiB */
};

/*
 * The backend interface.  Every call returns 0 or a negative
 * MEMPOLICY_ERROR_* code and, on failure, has set the context's error
 * detail with mp_err().  Errors from Xen map as: ESRCH -> NO_DOMAIN,
 * ENOSYS -> NOSYS, EOPNOTSUPP -> NOTSUP, ENODEV -> NO_HAP, EBUSY -> BUSY,
 * EPERM/EACCES -> PERM, ENOMEM -> NOMEM, EINVAL -> INVAL; and for share
 * only, Xen's S_HANDLE_INVALID / C_HANDLE_INVALID (errno 10, ECHILD, and
 * 9, EBADF) -> STALE_SOURCE_HANDLE / STALE_CLIENT_HANDLE.
 */
struct mp_backend_ops {
    const char *name;
    void (*close)(mempolicy_ctx *ctx);
    /* Live (not dying) domains, ascending; *domids malloc'd. */
    int (*list)(mempolicy_ctx *ctx, uint32_t **domids, int *n);
    int (*dominfo)(mempolicy_ctx *ctx, uint32_t domid, struct mp_hvinfo *out);
    /* Every live domain's info (dom0 included), ascending, in one call;
     * *out malloc'd. */
    int (*list_info)(mempolicy_ctx *ctx, struct mp_hvinfo **out, int *n);
    int (*physinfo)(mempolicy_ctx *ctx, mempolicy_physinfo *out);
    int (*setmaxmem)(mempolicy_ctx *ctx, uint32_t domid, uint64_t kb);
    /* xc_domain_set_pod_target: the populate-on-demand target of a
     * non-PV guest, in 4 KiB pages. */
    int (*set_pod_target)(mempolicy_ctx *ctx, uint32_t domid,
                          uint64_t pages);
    /*
     * The pager (xenpaging), a process of its own that outlives the
     * context (pager.c has the lifecycle).  pager_start spawns it for
     * domid with its pagefile and gives its pid; pager_status says
     * whether it runs, or how it exited; pager_stop sends it SIGTERM
     * (it pages everything in, tears the ring down and exits);
     * pager_wait waits, at most max_ms of host time, until it has
     * exited or, with paged_in, until nothing of domid is paged out,
     * and fills *st (paged_kb too) as it stands then.
     */
    int (*pager_start)(mempolicy_ctx *ctx, uint32_t domid,
                       const char *pagefile, long *pid);
    /* What the hypervisor would refuse, asked without changing anything
     * (NULL: the pager's own start says it). */
    int (*pager_precheck)(mempolicy_ctx *ctx, uint32_t domid);
    int (*pager_status)(mempolicy_ctx *ctx, uint32_t domid, long pid,
                        const char *pagefile, struct mp_pager_state *st);
    int (*pager_stop)(mempolicy_ctx *ctx, uint32_t domid, long pid);
    int (*pager_wait)(mempolicy_ctx *ctx, uint32_t domid, long pid,
                      const char *pagefile, bool paged_in, uint64_t max_ms,
                      struct mp_pager_state *st);
    /* XEN_VM_EVENT_DISABLE of the paging ring: only for a ring whose
     * pager has exited with nothing paged out (never under a live one:
     * the guest would crash). */
    int (*paging_disable)(mempolicy_ctx *ctx, uint32_t domid);
    int (*sharing_control)(mempolicy_ctx *ctx, uint32_t domid, bool enable);
    /* Frames without a page get MEMPOLICY_PAGE_ABSENT; holes are not
     * mapped. */
    int (*page_hashes)(mempolicy_ctx *ctx, uint32_t domid, uint64_t first_gfn,
                       unsigned count, uint64_t *hashes);
    /* xc_domain_maximum_gpfn and xc_domain_get_pod_target's entries. */
    int (*frames)(mempolicy_ctx *ctx, uint32_t domid, uint64_t *max_gpfn,
                  uint64_t *pod_entries);
    /* *same: the two pages hold the same bytes. */
    int (*page_compare)(mempolicy_ctx *ctx, uint32_t dom1, uint64_t gfn1,
                        uint32_t dom2, uint64_t gfn2, bool *same);
    int (*nominate)(mempolicy_ctx *ctx, uint32_t domid, uint64_t gfn,
                    uint64_t *handle);
    int (*share)(mempolicy_ctx *ctx, uint32_t sdom, uint64_t sgfn,
                 uint64_t shandle, uint32_t cdom, uint64_t cgfn,
                 uint64_t chandle);
    double (*clock_speed)(mempolicy_ctx *ctx);
    /* Where a simulated host publishes its clock (clock.c); NULL: the
     * host's clock is CLOCK_MONOTONIC. */
    const char *clock_node;
};

/* Backend constructors: 0 and ctx->be/be_priv set, or an error. */
int mp_backend_sim_open(mempolicy_ctx *ctx, const char *socket_path);
int mp_backend_xen_open(mempolicy_ctx *ctx);

struct mp_events;
struct mp_xsb;

/*
 * A call failed with MEMPOLICY_ERROR_STORE: if that is because the store
 * went away (the events' liveness connection is closed), STORE_GONE with
 * that one clear reason in the context's error; else rc, the error left
 * as it was (event.c).  Needs events enabled; rc unchanged otherwise.
 */
int mp_store_gone_or(mempolicy_ctx *ctx, int rc);

/*
 * The host's clock (clock.c): host ms = base_ms + (CLOCK_MONOTONIC ms -
 * anchor_ms) x rate; rate 0 while a test holds xensim's clock.
 */
struct mp_clock {
    uint64_t base_ms;
    uint64_t anchor_ms;
    double rate;
    bool watched;             /* mp_clock_follow() set its watch */
};

struct mempolicy_ctx {
    xentoollog_logger *lg;
    struct xs_handle *xsh;
    const struct mp_backend_ops *be;
    void *be_priv;
    char *actor;              /* mempolicy_ctx_set_actor(), NULL if none */
    char *paging_dir;
    char *lock_dir;           /* libxl's XEN_LIB_DIR (lock.c), or NULL */
    struct mp_events *ev;     /* NULL until an event is first enabled */
    struct mp_xsb *xsb;       /* store_batch.c's connection, or NULL */
    bool xsb_tx_fallback;     /* its transaction runs on ctx->xsh */
    struct mp_clock clock;
    int hv_errno;             /* errno of the backend's last failed call */
    bool tx_wrote;            /* mp_transaction's fn wrote (mp_xs_write/rm) */
    char err[512];
};

/* ---- the host's clock (clock.c) ---- */

#define MP_CLOCK_TOKEN "mp-clock"
/* Parse the clock node's "BASE ANCHOR RATE" into c; false if malformed. */
bool mp_clock_parse(const char *v, struct mp_clock *c);
/* Once the backend is chosen: the clock's state as the host says. */
void mp_clock_init(mempolicy_ctx *ctx);
/* Host time, ms: CLOCK_MONOTONIC on Xen, the simulated clock on xensim. */
uint64_t mp_clock_now_ms(mempolicy_ctx *ctx);
/*
 * Real milliseconds to wait (poll) until host time at_ms: 0 if due, -1
 * while a test holds the simulated clock (a change of it wakes the
 * event fd of a context that follows it).
 */
int mp_clock_poll_ms(mempolicy_ctx *ctx, uint64_t at_ms);
/* Keep the clock current with a watch (a no-op on a real host); the
 * watch's events arrive through the event code (needs events enabled). */
int mp_clock_follow(mempolicy_ctx *ctx);
/* The watch fired: read the clock's state again. */
void mp_clock_reread(mempolicy_ctx *ctx);

/* Record the one-line detail of a failure, log it (debug) and return rc. */
int mp_err(mempolicy_ctx *ctx, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mp_log(mempolicy_ctx *ctx, xentoollog_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Map an errno from Xen (or the sim channel) to an error code. */
int mp_errno_to_rc(int e);
const char *mp_errno_name(int e);

/* ---- Xen's paging and sharing errors (hverr.c) ---- */

/*
 * The one table of what Xen's errno from a paging (paging true) or
 * sharing hypercall means for the administrator: sets the context's
 * one-line message for domain domid and returns the error code.  An errno
 * the table does not know keeps the backend's own message (rc returned).
 */
int mp_hv_mech_err(mempolicy_ctx *ctx, uint32_t domid, bool paging, int rc);
/* The same table: the cause and what to do for errno e, and e's name;
 * NULL when the table does not know e. */
const char *mp_hv_mech_why(bool paging, int e, const char **name);

/* ---- a pager process, detached (pager_proc.c) ---- */

/* <pagefile>.exit: where the pager's supervisor records its exit. */
void mp_pager_exit_file(const char *pagefile, char *out, size_t len);
/* Start prog with argv as a daemon (own session, stdio on /dev/null and
 * logfile, no inherited fds, default signals, empty mask), its exit to
 * be recorded beside pagefile: 0 and *pid, or FAIL. */
int mp_pager_spawn(mempolicy_ctx *ctx, const char *prog, char *const argv[],
                   const char *pagefile, const char *logfile, long *pid);
/* Running, or how it exited (from the exit file). */
void mp_pager_proc_status(long pid, const char *pagefile,
                          struct mp_pager_state *st);
/* kill(pid, sig); an already gone pid is fine. */
int mp_pager_proc_signal(mempolicy_ctx *ctx, uint32_t domid, long pid,
                         int sig);
/* Wait (at most max_ms of real time) until it has exited and its exit
 * is recorded; *st as mp_pager_proc_status then. */
void mp_pager_proc_wait_exit(long pid, const char *pagefile, uint64_t max_ms,
                             struct mp_pager_state *st);

/* ---- the pager's lifecycle (pager.c) ---- */

/* Parse a record's value: 0, or -1 if it is not "<pid> <pagefile>". */
int mp_pager_parse(const char *v, struct mp_pager_rec *rec);
/* Read domid's record: 0 and *present (rec filled), or an error. */
int mp_pager_read(mempolicy_ctx *ctx, uint32_t domid,
                  struct mp_pager_rec *rec, bool *present);
/* Start a pager for domid and record it (0 if one runs already). */
int mp_pager_start(mempolicy_ctx *ctx, uint32_t domid);
/* *on: a pager is recorded and runs; one recorded that has exited is
 * an error saying how it exited. */
int mp_pager_check(mempolicy_ctx *ctx, uint32_t domid, bool *on);
/* Stop domid's pager once nothing is paged out (its target must be 0
 * already): with wait_in, wait (bounded) for the pages to come in;
 * without, return 0 leaving the pager running while pages are out. */
int mp_pager_stop(mempolicy_ctx *ctx, uint32_t domid, bool wait_in);

/*
 * The same for a nominate (share false) or share memop, which Xen first
 * lets enable sharing (those errnos as mp_hv_mech_err), then checks the
 * page: gfn names it.
 */
int mp_hv_share_err(mempolicy_ctx *ctx, uint32_t domid, uint64_t gfn,
                    bool share, int rc);

/* MEMPOLICY_QUOTE(s), for detail strings. */
#define MP_Q(s) MEMPOLICY_QUOTE(s)

/* Strict decimal parse: digits only, no sign, no overflow, <= max. */
bool mp_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Guard a domid from the caller; NO_DOMAIN with a detail if reserved. */
int mp_check_domid(mempolicy_ctx *ctx, uint32_t domid);

/*
 * Read a node inside transaction t.  0 and *val (malloc'd, NUL
 * terminated, at most MP_VALUE_MAX bytes) or *val NULL when absent;
 * STORE on other failures; MP_TX_RETRY when the store said EAGAIN.
 */
#define MP_TX_RETRY 1
int mp_xs_read(mempolicy_ctx *ctx, xs_transaction_t t, const char *path,
               char **val);
/* Same, parsed as KiB: 0 and *present, *kb; FAIL naming the node if the
 * value is not a decimal number. */
int mp_xs_read_kb(mempolicy_ctx *ctx, xs_transaction_t t, const char *path,
                  bool *present, uint64_t *kb);
int mp_xs_write(mempolicy_ctx *ctx, xs_transaction_t t, const char *path,
                const char *val);
/* xs_rm, noting a write in a transaction (mp_transaction needs to know):
 * same return and errno. */
bool mp_xs_rm(mempolicy_ctx *ctx, xs_transaction_t t, const char *path);

/*
 * Run fn inside a transaction: fn returns 0 (commit), MP_TX_RETRY (abort
 * and start over) or a negative error (abort, returned).  fn may run
 * several times (even after returning 0, if the commit conflicts), so it
 * must release what an earlier run left in its arg.  Commits that
 * conflict (EAGAIN) are retried up to MP_TX_RETRIES times with a short
 * randomised back-off, then MEMPOLICY_ERROR_AGAIN.
 *
 * xenstored's transactions read no snapshot: each node is copied when
 * the transaction first touches it (xenstored_transaction.c), so fn may
 * see half of a change another client committed meanwhile (a reservation
 * whose state is there but not its size), and only the commit tells
 * (EAGAIN).  So an error from an fn that wrote nothing (through
 * mp_xs_write / mp_xs_rm) is believed only once committing its reads
 * succeeds; a conflict runs fn again.  All of fn's writes must go through
 * those two.
 */
typedef int mp_tx_fn(mempolicy_ctx *ctx, xs_transaction_t t, void *arg);
int mp_transaction(mempolicy_ctx *ctx, mp_tx_fn *fn, void *arg);

/*
 * group.c: params about to be written for domid inside t may name a
 * group (group=NAME) only if it exists and the domain's min_guarantee
 * with the other members' stays within its budget: 0, INVAL naming the
 * problem, MP_TX_RETRY, STORE.  Cost: reads every domain's params.
 */
int mp_group_admit_tx(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t domid,
                      const char *params);

/*
 * The domain exists for the hypervisor and is not dying: 0 and *hv
 * (may be NULL), or NO_DOMAIN / DYING with a detail.
 */
int mp_domain_live(mempolicy_ctx *ctx, uint32_t domid, struct mp_hvinfo *hv);

/*
 * Read the policy of domid inside t (absent nodes: "" / no target /
 * false).  *present gets the MP_HAS_* bits of the nodes that exist.
 */
#define MP_HAS_ACTOR 1u
#define MP_HAS_PARAMS 2u
#define MP_HAS_TARGET 4u
#define MP_HAS_ENFORCE 8u
#define MP_HAS_ALL 15u
int mp_policy_read_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                      uint32_t domid, mempolicy_policy *out,
                      unsigned *present);

/* Parse an enforce value: "1"/"true" or "0"/"false". */
bool mp_parse_bool(const char *s, bool *out);

void mp_events_free(mempolicy_ctx *ctx);

/*
 * libxl's per-domain lock (libxl__lock_domain_userdata, libxl_internal.c):
 * flock on XEN_LIB_DIR/userdata-l.<domid>.<uuid>.domain-userdata-lock,
 * which xl takes around every change of a domain's memory (mem-set,
 * mem-max) and configuration, so that xl and the library never
 * interleave.  MEMPOLICY_XEN_LIB_DIR overrides the directory
 * (/var/lib/xen; xensim's socket directory on the simulated host).
 */
#define MP_XEN_LIB_DIR "/var/lib/xen"
struct mp_lock {
    int fd;                   /* -1: not held */
    char path[256];
};
/* Take it (blocking), then check the domain is still there, as libxl,
 * filling *hv (may be NULL) as mp_domain_live.  0 (lk->fd -1 when the
 * directory does not exist: no toolstack to interleave with),
 * NO_DOMAIN/DYING, or FAIL naming the file. */
int mp_lock_domain(mempolicy_ctx *ctx, uint32_t domid, struct mp_lock *lk,
                   struct mp_hvinfo *hv);
void mp_unlock_domain(struct mp_lock *lk);

/* Characters of a uuid as libxl prints it (LIBXL_UUID_FMT). */
#define MP_UUID_LEN 36
/* The domain's uuid from its vm node ("/vm/<uuid>", as libxl writes it),
 * read in t: 0 with uuid "" when there is none or it is not one. */
int mp_domain_uuid_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                      uint32_t domid, char uuid[MP_UUID_LEN + 1]);
/* Keep a copy of the domain's policy under its uuid (saved.c), in t. */
int mp_saved_write_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                      uint32_t domid, const char *actor, const char *params,
                      bool has_target, uint64_t target_kb, bool enforce);
/* Write a saved policy to a domain that has none (policy.c): the four
 * nodes, the target through the target arithmetic; *restored says
 * whether it was written (false: the domain had a policy by then). */
int mp_policy_restore(mempolicy_ctx *ctx, uint32_t domid,
                      const mempolicy_policy *p, bool *restored);

/*
 * Actor announcements and status lines (status.c, the one home of their
 * nodes under /tool/mempolicy/actors).  announce: BUSY (detail names the
 * pid) while another live process announces the same name; otherwise
 * clears what a dead predecessor left and writes this process's
 * identity.  withdraw: removes the actor's subtree if it is still ours
 * (best effort).  status_write: "" removes the domain's line.
 * status_clean: copies src into dst (len bytes with the NUL) with
 * control characters replaced by '?'; returns the length.
 * clock_ack: on a simulated host whose clock a test holds, the held
 * time up to which the actor has run its timers (clock.c).
 */
int mp_actor_announce(mempolicy_ctx *ctx, const char *actor);
/* Field 22 (starttime) of /proc/<pid>/stat: false if the process does
 * not exist for us or is a zombie (status.c). */
bool mp_proc_start(int pid, uint64_t *start);
void mp_actor_withdraw(mempolicy_ctx *ctx, const char *actor);
int mp_status_write(mempolicy_ctx *ctx, const char *actor, uint32_t domid,
                    const char *text);
size_t mp_status_clean(char *dst, size_t len, const char *src);
int mp_actor_clock_ack(mempolicy_ctx *ctx, const char *actor, uint64_t ms);

/*
 * Parse the four policy values (actor, actor-params, target, enforce as
 * read, NULL when absent) of domid into *out, as mp_policy_read_tx does;
 * paths name the nodes in errors.  Takes ownership of vals[0] and
 * vals[1] on success and failure alike; vals[2], vals[3] stay the
 * caller's.
 */
int mp_policy_parse(mempolicy_ctx *ctx, uint32_t domid, char *vals[4],
                    mempolicy_policy *out, unsigned *present);

/*
 * Pipelined store reads (store_batch.c): many reads for a few round
 * trips, on a connection of their own, falling back to libxenstore where
 * no store socket is reachable.  Each request gets val (malloc'd, or
 * NULL) and err (0, or the errno of the store's answer, ENOENT when
 * absent).  Returns 0, or an error for the batch as a whole (connection
 * broken, a value that is not bounded text).  tx 0: no transaction; else
 * an id from mp_xsb_tx_start, ended with mp_xsb_tx_end (0, MP_TX_RETRY
 * on conflict, or an error).
 */
struct mp_xs_req {
    const char *path;
    char *val;
    int err;
};
int mp_xsb_read(mempolicy_ctx *ctx, uint32_t tx, struct mp_xs_req *reqs,
                unsigned n);
int mp_xsb_tx_start(mempolicy_ctx *ctx, uint32_t *tx);
int mp_xsb_tx_end(mempolicy_ctx *ctx, uint32_t tx);
void mp_xsb_free(mempolicy_ctx *ctx);

/*
 * A plain connection to the store's Unix socket, found as libxenstore
 * finds it (store_socket.c): the fd (close-on-exec), or -1 with errno set
 * where there is none (e.g. a dom0 with only /dev/xen/xenbus); `why` ends
 * the debug line logged then ("what the caller does without it").
 */
int mp_store_socket_connect(mempolicy_ctx *ctx, const char *why);

#endif
