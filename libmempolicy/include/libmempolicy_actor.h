/*
 * libmempolicy_actor.h: the kit for writing memory-policy actors.
 *
 * An actor is a daemon that owns every domain whose memory-policy/actor
 * names it, and turns that domain's policy into memory moving.  The kit
 * does what every actor needs, so that a custom actor is the two
 * callbacks below plus a main():
 *
 *  - claims the actor name (mempolicy_ctx_set_actor), so its low-level
 *    setters work on its own domains;
 *  - at start-up resyncs from xenstore: every domain that already has the
 *    actor gets a domain_changed call, so a restarted actor loses nothing;
 *  - then follows DOMAIN_MEMORY_TARGET_CHANGED (filtered on the name by
 *    the kit itself, so that a domain it claimed from the start-up
 *    listing is released even when its arrival and departure were
 *    coalesced into one change), DOMAIN_INTRODUCE and DOMAIN_DEATH;
 *  - timers on the host's clock (CLOCK_MONOTONIC on Xen; on xensim its
 *    simulated clock, --speed times faster, which a test may hold);
 *  - one poll loop, no thread per domain, no wake-up when idle;
 *  - SIGTERM/SIGINT end the loop cleanly; the store going away ends it
 *    with an error (exit status 1, so systemd restarts the actor);
 *  - standard options: -v (verbose), -d/--daemon, -p/--pidfile FILE;
 *  - announces the actor in the store while it runs, so that tools can
 *    tell whether a domain's actor is running (mempolicy_actor_running),
 *    and keeps the per-domain status lines it publishes
 *    (mempolicy_actor_set_status): see "who serves what" in
 *    libmempolicy.h.
 *
 * Ownership: the kit owns the context and the loop; callbacks must not
 * free them.  Policies passed to callbacks are valid during the call only.
 *
 * Threads: none.  Every callback runs on the thread that called
 * mempolicy_actor_run(), one at a time, so actors need no locking.  The
 * kit blocks SIGTERM and SIGINT in that thread (and in threads created
 * after mempolicy_actor_new(), such as libxenstore's reader) and receives
 * them through a signalfd.
 *
 * Order of calls for one domain: domain_changed (any number of times,
 * each with the latest policy; an actor must treat a repeated identical
 * policy as harmless, since resync and coalescing may repeat one), then
 * at most one domain_left.  After domain_left the kit forgets the domain
 * (and hands its data to domain_data_free); if the domain comes back to
 * the actor, it starts again with domain_changed.
 *
 * Cost: each event is O(1) in the number of domains (a hash-table
 * lookup); each timer add/cancel is O(log n); the idle loop sleeps in
 * poll() with no timeout when no timer is pending.
 */
#ifndef LIBMEMPOLICY_ACTOR_H
#define LIBMEMPOLICY_ACTOR_H

#include <stddef.h>

#include "libmempolicy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Additions since the first version of this header. */
#define MEMPOLICY_HAVE_ACTOR_DOMAIN_DATA 1
#define MEMPOLICY_HAVE_ACTOR_PARAMS 1
#define MEMPOLICY_HAVE_ACTOR_LOG 1
#define MEMPOLICY_HAVE_ACTOR_RESYNC_INFO 1
#define MEMPOLICY_HAVE_ACTOR_STATUS 1
#define MEMPOLICY_HAVE_ACTOR_PARAM_TABLE 1
#define MEMPOLICY_HAVE_ACTOR_FAILED 1
#define MEMPOLICY_HAVE_ACTOR_TIMER_SLOT 1

typedef struct mempolicy_actor mempolicy_actor;
typedef struct mempolicy_timer mempolicy_timer;

typedef struct mempolicy_actor_ops {
    /* A domain is ours (new, resynced at start-up, or its policy
     * changed).  Required for an actor.  NULL makes a host daemon (e.g.
     * mempolicyd): it serves no domain by name, claims nothing and gets
     * no policy events; domain_introduced is then required, and is also
     * called at start-up for every domain that exists (the resync). */
    void (*domain_changed)(mempolicy_actor *a, uint32_t domid,
                           const mempolicy_policy *policy, void *user);
    /* A domain stopped being ours: its actor changed, or it died
     * (`died` true).  Not called at shutdown.  The domain's timers must
     * be cancelled by here or in domain_data_free.  `died` is best
     * effort: a destroyed domain whose policy nodes vanish before its
     * death is seen reports false.  Optional. */
    void (*domain_left)(mempolicy_actor *a, uint32_t domid, bool died,
                        void *user);
    /* Any domain appeared (host-wide actors).  Optional. */
    void (*domain_introduced)(mempolicy_actor *a, uint32_t domid,
                              void *user);
    /* Frees a domain's data (mempolicy_actor_set_domain_data) whenever
     * the kit forgets a domain whose data is not NULL: right after
     * domain_left returns, and for every remaining domain in
     * mempolicy_actor_free().  Optional; without it the actor frees its
     * data itself in domain_left (and leaks it at shutdown). */
    void (*domain_data_free)(mempolicy_actor *a, uint32_t domid, void *data,
                             void *user);
} mempolicy_actor_ops;

/*
 * Create an actor named `name` on an existing context (which it then
 * owns and frees, also on failure).  `name` is canonicalised as the
 * library does ("xl" is "xl-auto"); "" is refused.  Claims the name,
 * subscribes to events, announces the actor in the store
 * (/tool/mempolicy/actors/<name>/{pid,start}, removing the status lines
 * a dead predecessor left) and queues the start-up resync, which runs at
 * the start of mempolicy_actor_run().  MEMPOLICY_ERROR_BUSY (logged with
 * the pid) while another live process runs an actor of the same name:
 * two daemons never serve the same domains.  Opens a second, silent
 * connection to the xenstore socket only to notice at once when the
 * store goes away (libxenstore's watch pipe does not report that).
 */
int mempolicy_actor_new(mempolicy_ctx *ctx, const char *name,
                        const mempolicy_actor_ops *ops, void *user,
                        mempolicy_actor **out);
/* Withdraws the announcement and every status line (when they are
 * still this process's), frees the domains' data, the context, and the
 * actor.  NULL is fine. */
void mempolicy_actor_free(mempolicy_actor *a);

mempolicy_ctx *mempolicy_actor_ctx(mempolicy_actor *a);
xentoollog_logger *mempolicy_actor_logger(mempolicy_actor *a);
const char *mempolicy_actor_name(mempolicy_actor *a);

/*
 * One-shot timer after `ms` milliseconds of host time: real time on Xen;
 * on xensim its simulated clock (ms / --speed of real time, and held
 * while a test holds that clock: docs/hv-channel.md, `clock`).  The
 * deadline is a point on that clock, so equal delays fire in the order
 * they were added.  Cost: O(log n).  The timer is freed after its
 * callback returns or by mempolicy_timer_cancel() (NULL is fine); the
 * handle is invalid from then on, so a callback should clear its stored
 * handle first.  Cancelling the running timer from its own callback is
 * allowed.  Returns NULL on allocation failure.
 */
typedef void mempolicy_timer_fn(mempolicy_actor *a, void *arg);
/*
 * The host's clock the timers run on, in ms: CLOCK_MONOTONIC on Xen; on
 * xensim its simulated clock (held while a test holds it).  Inside a
 * timer callback fired by a `clock step`, the timer's own deadline, as
 * if the time had passed one timer at a time.  An actor that measures
 * durations (a balloon's progress, a grace) reads this, never
 * CLOCK_MONOTONIC, so it agrees with its timers and with a held clock.
 * Cost: no system call beyond clock_gettime.
 */
#define MEMPOLICY_HAVE_ACTOR_NOW 1
uint64_t mempolicy_actor_now_ms(mempolicy_actor *a);
mempolicy_timer *mempolicy_timer_add(mempolicy_actor *a, uint64_t ms,
                                     mempolicy_timer_fn *fn, void *arg);
void mempolicy_timer_cancel(mempolicy_actor *a, mempolicy_timer *t);

/*
 * An actor with a store connection of its own (watched through
 * mempolicy_actor_watch_fd) gets that connection's watch events apart
 * from the kit's.  While a test holds xensim's clock, the kit writes
 * /tool/mempolicy/actors/<name>/clock once the actor has done what a
 * step made due (docs/determinism.md); the events the step caused on
 * the actor's own connection may still be on their way then.  Such an
 * actor watches the node mempolicy_actor_clock_node() returns on its
 * connection as well (NULL on a real host: nothing to watch, and the
 * kit never waits) and hands every value it reads there to
 * mempolicy_actor_clock_seen(): the kit then writes the barrier only
 * once that connection has seen the held time, that is after the
 * events that came before it.  No cost on a real host.
 */
#define MEMPOLICY_HAVE_ACTOR_CLOCK_SEEN 1
const char *mempolicy_actor_clock_node(mempolicy_actor *a);
void mempolicy_actor_clock_seen(mempolicy_actor *a, const char *value);

/*
 * Extra fd to watch in the actor's loop (e.g. a control socket).  fn is
 * called when fd is readable (or at hangup/error: the callback reads and
 * sees it).  Watching the same fd again replaces fn/arg; fn NULL stops
 * watching it.  The kit never closes it.  Optional.
 */
typedef void mempolicy_actor_fd_fn(mempolicy_actor *a, int fd, void *arg);
int mempolicy_actor_watch_fd(mempolicy_actor *a, int fd,
                             mempolicy_actor_fd_fn *fn, void *arg);

/*
 * Per-domain pointer for the actor's own state, found in O(1).  Only for
 * domains that are currently ours (inside or after domain_changed and
 * before domain_left returns); set_domain_data returns
 * MEMPOLICY_ERROR_NO_DOMAIN otherwise.  The kit frees it only through
 * ops->domain_data_free.
 */
int mempolicy_actor_set_domain_data(mempolicy_actor *a, uint32_t domid,
                                    void *data);
void *mempolicy_actor_domain_data(mempolicy_actor *a, uint32_t domid);
/*
 * During the start-up resync, domain_changed is called with the domain's
 * information already read by the listing: this returns it (valid during
 * that call only), so an actor need not ask again for each of thousands
 * of domains.  NULL outside the resync.
 */
const mempolicy_dominfo *mempolicy_actor_resync_info(mempolicy_actor *a,
                                                     uint32_t domid);

/*
 * Publish the domain's status line: what the actor is doing with it, for
 * the administrator (xlmem mem-list, mem-explain), e.g.
 *   "ballooning 812 -> 512 MiB", "stuck: no progress for 47 s".
 * One line: printf-formatted, cut at MEMPOLICY_STATUS_MAX bytes, control
 * characters replaced by '?'.  "" (or fmt NULL) removes the line.  The
 * node (/tool/mempolicy/actors/<name>/status/<domid>) is dom0-only and
 * outside memory-policy/, so writing it fires no TARGET_CHANGED.  Written
 * only when the line changes (the kit remembers the last one), so an
 * actor may call this on every pass at no cost; the kit removes it when
 * the domain leaves the actor (after domain_left) and at
 * mempolicy_actor_free().  Only for domains that are currently ours:
 * MEMPOLICY_ERROR_NO_DOMAIN otherwise.  Errors: NOMEM, PERM (line kept
 * as it was), STORE (the store went away: the kit ends the loop as
 * mempolicy_actor_fatal() does, so actors may ignore the result).  Cost: one
 * store round trip when the line changed, none otherwise.
 */
int mempolicy_actor_set_status(mempolicy_actor *a, uint32_t domid,
                               const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Number of domains that are currently ours. */
unsigned mempolicy_actor_domain_count(mempolicy_actor *a);

/* Log through the actor's xentoollog logger, context = the actor name. */
void mempolicy_actor_log(mempolicy_actor *a, xentoollog_level level,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Typed params, e.g. from policy->actor_params "delay=5,min=512m".  An
 * absent key (or empty/NULL params) gives the default; a malformed value
 * gives MEMPOLICY_ERROR_INVAL and a one-line reason in errbuf (may be
 * NULL).  Sizes follow xl: a bare number is MiB, suffixes k/m/g/t, b for
 * bytes.  Seconds are plain decimal, maybe fractional ("5", "0.5"; no
 * sign, hex or exponent), 0..31536000.  Booleans: 1/0 or true/false
 * (Xen's convention in the store; not yes/on).
 */
int mempolicy_actor_param_size_kb(const char *params, const char *key,
                                  uint64_t def, uint64_t *out,
                                  char *errbuf, size_t errlen);
int mempolicy_actor_param_seconds_ms(const char *params, const char *key,
                                     uint64_t def_ms, uint64_t *out_ms,
                                     char *errbuf, size_t errlen);
int mempolicy_actor_param_bool(const char *params, const char *key,
                               bool def, bool *out, char *errbuf,
                               size_t errlen);

/*
 * An unsigned integer param within [min, max] (decimal digits only).
 * Same conventions as the typed params above.
 */
int mempolicy_actor_param_uint(const char *params, const char *key,
                               uint64_t def, uint64_t min, uint64_t max,
                               uint64_t *out, char *errbuf, size_t errlen);

/*
 * The parameter tables of the actors shipped with libmempolicy: one home
 * for what each actor's params mean, read by the actors, by xlmem's
 * validation at mem-policy-set / create and by its shell completion.
 *
 * A table lists every key an actor reads, its type and bounds; `check`
 * (optional) validates what involves several keys (e.g. min <= max).
 */
typedef enum {
    MEMPOLICY_PARAM_SIZE,     /* xl size: MiB without suffix, k/m/g/t, b */
    MEMPOLICY_PARAM_SECONDS,  /* seconds, fractions allowed, 0..1 year */
    MEMPOLICY_PARAM_BOOL,     /* 1/0 or true/false */
    MEMPOLICY_PARAM_UINT,     /* decimal integer in [min, max] */
    MEMPOLICY_PARAM_NAME,     /* a name: mempolicy_group_name_valid()
                                 (MEMPOLICY_HAVE_MEMTUNE) */
} mempolicy_param_type;

typedef struct mempolicy_param_spec {
    const char *key;
    mempolicy_param_type type;
    uint64_t min, max;        /* MEMPOLICY_PARAM_UINT only */
    const char *help;         /* one line: default and meaning */
} mempolicy_param_spec;

typedef struct mempolicy_param_table {
    const char *actor;
    const mempolicy_param_spec *params;  /* terminated by a NULL key */
    /* Rules across keys, after each key checked; 0 or INVAL with a
     * one-line reason in err.  May be NULL. */
    int (*check)(const char *params, char *err, size_t errlen);
} mempolicy_param_table;

/* The table of a shipped actor ("xl" is "xl-auto"), or NULL for an actor
 * the library does not know (a custom one). */
const mempolicy_param_table *mempolicy_actor_param_table(const char *actor);
/* Every shipped actor's table; *n set to their number. */
const mempolicy_param_table *mempolicy_actor_param_tables(unsigned *n);
/*
 * Check `params` against the actor's table: every key known, every value
 * of its type and within bounds, the cross-key rules.  0 (also for an
 * actor without a table: only the syntax is the library's), or
 * MEMPOLICY_ERROR_INVAL with one line in err naming the key and the
 * problem (unknown keys list the known ones).
 */
int mempolicy_actor_params_check(const char *actor, const char *params,
                                 char *err, size_t errlen);

/*
 * Common params: libvirt's memtune vocabulary (<memtune> of the domain
 * XML, `virsh memtune`), valid under EVERY actor, shipped or custom, and
 * honoured by each actor where it applies (docs/memtune.md):
 *
 *   hard_limit=SIZE       the cap: Xen's maxmem for the domain never goes
 *                         above it, so no target (video RAM included)
 *                         above hard_limit - 1024 KiB (libxl's maxmem
 *                         slack, LIBXL_MAXMEM_CONSTANT) is applied
 *   soft_limit=SIZE       under contention a balancer takes the domain
 *                         down to this first; nobody goes below its soft
 *                         limit while another domain is above its own
 *   min_guarantee=SIZE    the floor: no target below it; admission
 *                         (reservations, starts) never breaks it
 *   swap_hard_limit=SIZE  the most an actor may page out of the domain
 *                         (xenpaging); 0 forbids paging
 *   group=NAME            the domain's memory group (the balance actor's
 *                         budgets and weights); absent: the root group
 *
 * SIZE is the kit's size grammar (MiB without a suffix, k/m/g/t, b);
 * absent means unlimited (hard, soft, swap) or none (guarantee, group).
 * Rules across keys: soft_limit <= hard_limit, min_guarantee <=
 * hard_limit, hard_limit > 0; with the domain's static-max known,
 * hard_limit <= static-max.  mempolicy_actor_params_check() accepts these
 * keys for every actor and applies the rules without static-max.
 */
#define MEMPOLICY_HAVE_MEMTUNE 1
#define MEMPOLICY_MEMTUNE_UNLIMITED UINT64_MAX
/* MEMPOLICY_GROUP_MAX: libmempolicy.h (memory groups). */

typedef struct mempolicy_memtune {
    uint64_t hard_limit_kb;      /* MEMPOLICY_MEMTUNE_UNLIMITED if absent */
    uint64_t soft_limit_kb;      /* MEMPOLICY_MEMTUNE_UNLIMITED if absent */
    uint64_t min_guarantee_kb;   /* 0 if absent */
    uint64_t swap_hard_limit_kb; /* MEMPOLICY_MEMTUNE_UNLIMITED if absent */
    char group[MEMPOLICY_GROUP_MAX + 1]; /* "" if absent: the root group */
} mempolicy_memtune;

/* The common keys above, as a table terminated by a NULL key (static). */
const mempolicy_param_spec *mempolicy_common_params(void);

/*
 * A group name: 1 to MEMPOLICY_GROUP_MAX characters of a-z, 0-9, _ and -,
 * starting with a letter or digit.  0 or INVAL.  Pure.
 */
int mempolicy_group_name_valid(const char *name);

/*
 * The memtune values of a params string (policy->actor_params), for
 * actors.  Always fills *out with something an actor can apply: a
 * malformed key keeps its default (unlimited / none), and values that
 * contradict each other (stored by hand, bypassing the checks) are made
 * consistent, the cap winning: soft_limit and min_guarantee at most
 * hard_limit.  Returns 0, or MEMPOLICY_ERROR_INVAL with the first problem
 * as one line in err (may be NULL), for the actor to log once.  Pure, no
 * allocation.
 */
int mempolicy_memtune_get(const char *params, mempolicy_memtune *out,
                          char *err, size_t errlen);

/*
 * The memtune rules for a params string: each key's syntax and the rules
 * across keys; static_max_kb (memory/static-max) adds hard_limit <=
 * static-max, 0 meaning unknown.  0, or INVAL with one line in err naming
 * the keys and values.  What xlmem mem-tune and mem-policy-set check
 * before anything is stored.  Pure.
 */
int mempolicy_memtune_check(const char *params, uint64_t static_max_kb,
                            char *err, size_t errlen);

/*
 * The range an actor may give the domain's target (a request as
 * mempolicy_domain_set_target takes it, video RAM included), from the
 * memtune values, the domain's static-max and the actor's own floor
 * (e.g. xl-auto's min=; 0 for none):
 *   *hi = min(static-max, hard_limit - 1024 KiB)   (maxmem <= hard_limit)
 *   *lo = min(max(min_guarantee, floor), *hi)      (the cap wins)
 * Pure.
 */
void mempolicy_memtune_range(const mempolicy_memtune *m,
                             uint64_t static_max_kb, uint64_t floor_kb,
                             uint64_t *lo, uint64_t *hi);

/*
 * A failed call of an actor on a domain, classified once for every
 * actor.  Returns false when rc is 0.  Otherwise logs and returns true
 * (the caller leaves the domain alone until its next change):
 *  - NO_DOMAIN, DYING, NOT_ACTOR: going away or no longer ours (its event
 *    follows): debug log only;
 *  - PV, NO_HAP, NOSYS, NOTSUP: a feature this domain lacks: one warning
 *    per domain ("domain N: <unavailable_msg>: <detail>"), *unavailable
 *    set (may be NULL: then logged each time at debug);
 *  - STORE (and STORE_GONE): mempolicy_actor_fatal();
 *  - anything else: an error line "domain N: <what>: <error>: <detail>",
 *    unless the store went away meanwhile (a simulated host's hypervisor
 *    goes with it): then mempolicy_actor_fatal() with STORE_GONE, the one
 *    clear reason.
 */
bool mempolicy_actor_failed(mempolicy_actor *a, uint32_t domid, int rc,
                            const char *what, bool *unavailable,
                            const char *unavailable_msg);

/*
 * A per-domain timer kept in one slot: (re)arm cancels what the slot
 * held; on allocation failure the actor ends (mempolicy_actor_fatal).
 * The callback must clear its slot (*slot = NULL) before anything else.
 * clear cancels and empties the slot (an empty slot is fine).
 */
void mempolicy_actor_timer_set(mempolicy_actor *a, mempolicy_timer **slot,
                               uint64_t ms, mempolicy_timer_fn *fn,
                               void *arg);
void mempolicy_actor_timer_clear(mempolicy_actor *a, mempolicy_timer **slot);

/*
 * A domain's params as the actor last parsed them, so that it parses
 * and complains once per change: *seen (malloc'd, the caller's; free()
 * it with the domain) becomes params (NULL counts as "").  Returns true
 * when they differ from *seen (parse them now), false when they are the
 * same.  Out of memory ends the actor (mempolicy_actor_fatal).  O(length).
 */
#define MEMPOLICY_HAVE_ACTOR_PARAMS_CHANGED 1
bool mempolicy_actor_params_changed(mempolicy_actor *a, char **seen,
                                    const char *params);
/* The one warning for params an actor could not take in full:
 * "domain D: bad actor-params 'P': ERR (using the default for it)",
 * P quoted (mempolicy_quote). */
void mempolicy_actor_params_bad(mempolicy_actor *a, uint32_t domid,
                                const char *params, const char *err);

/* Use `lg` (which must outlive the actor) instead of the default logger,
 * a stderr stdiostream at INFO; NULL restores the default. */
void mempolicy_actor_set_logger(mempolicy_actor *a, xentoollog_logger *lg);

/*
 * End the loop with a fatal error, as the kit does itself when the store
 * goes away: a callback whose setter failed with MEMPOLICY_ERROR_STORE
 * calls this, and mempolicy_actor_run() returns `rc` after logging
 * "<what>: <error>: <detail>; exiting".
 */
void mempolicy_actor_fatal(mempolicy_actor *a, int rc, const char *what);

/*
 * Run until SIGTERM/SIGINT or mempolicy_actor_stop() (returns 0) or a
 * fatal error (negative: MEMPOLICY_ERROR_STORE when the store went away,
 * logged as one line naming the cause).  Called after
 * mempolicy_actor_stop(), it does one pass without blocking (the
 * start-up resync if still due, pending events, due timers) and returns:
 * a way to embed the actor in another loop through
 * mempolicy_event_fd().  It may be called again after it returned 0.
 */
int mempolicy_actor_run(mempolicy_actor *a);
void mempolicy_actor_stop(mempolicy_actor *a);

/*
 * The whole main() of a daemon (an actor, or a host daemon such as
 * mempolicyd): parses the standard options (-v/--verbose,
 * -d/--daemon, -p/--pidfile FILE, -l/--log-file FILE, -V/--version,
 * -h/--help), creates logger, context and actor, daemonizes if asked,
 * runs, cleans up.  Returns the exit status: 0 after SIGTERM/SIGINT (and
 * for --help, --version), 1 on a fatal error (store unreachable or gone,
 * another instance running), 2 on bad usage.
 *
 * Logs: one format, "<name>: <level>: <message>", at INFO (DEBUG with
 * -v); to stderr in the foreground (with the syslog priority as a "<N>"
 * prefix when stderr is the journal), to syslog (LOG_DAEMON, ident the
 * name) with -d, to FILE (appended, with time and pid) with --log-file.
 *
 * Readiness: once the start-up resync is done, systemd is told READY=1
 * (sd_notify; units use Type=notify) and, with -d, the parent returns 0
 * (1 if the daemon failed before; until then its log lines reach the
 * caller's stderr too).  STOPPING=1 is sent when the loop ends.  The
 * pid file is locked while the daemon runs, so a second instance with
 * the same pid file refuses to start, and removed on exit.
 */
/*
 * Options of the actor's own that it takes out of argv before calling
 * mempolicy_actor_main(), for -h to list after the standard ones: lines
 * of the same shape ("  -r, --max-rate=N     what it does\n").  The
 * string must outlive the call; NULL for none.  -h also lists the
 * actor's parameters from its table (mempolicy_actor_param_table).
 */
#define MEMPOLICY_HAVE_ACTOR_MAIN_HELP 1
void mempolicy_actor_main_help(const char *options);
int mempolicy_actor_main(int argc, char **argv, const char *name,
                         const mempolicy_actor_ops *ops, void *user);

/*
 * mempolicy_actor_main() with the daemon's own options and a check
 * before starting (MEMPOLICY_HAVE_ACTOR_MAIN_EXT).  Options are listed in
 * `options` (ended by long_name NULL, at most 32), shown by --help after
 * the standard ones, and handed to option() as they are parsed (index in
 * the table, argument or NULL); option() returns 0, or non-zero after
 * printing one line on stderr (bad usage: exit 2).  started(), if set,
 * runs once the context is connected, before the actor is created
 * (nothing is written to the store yet), with the daemon's logger: 0 to
 * go on, or the exit status to end with (e.g. 1 for a broken
 * configuration, after logging why; with -d that line also reaches the
 * caller's terminal, and the parent exits 1).
 * `description` replaces the actor's line in --help.  ext may be NULL.
 */
#define MEMPOLICY_HAVE_ACTOR_MAIN_EXT 1
typedef struct mempolicy_actor_option {
    const char *long_name; /* "config" */
    char short_name;       /* 'c', or 0 */
    const char *arg;       /* "FILE", or NULL for a flag */
    const char *help;      /* one line for --help */
} mempolicy_actor_option;

typedef struct mempolicy_actor_main_opts {
    const char *description;
    const mempolicy_actor_option *options;
    int (*option)(unsigned index, const char *arg, void *user);
    int (*started)(mempolicy_ctx *ctx, xentoollog_logger *lg, void *user);
    /* Called once the actor runs and its start-up resync is done, before
     * systemd is told it is ready: for a host-wide actor's own set-up
     * that must not wait for a domain of its own (the balance actor's
     * reservations).  May be NULL (MEMPOLICY_HAVE_ACTOR_MAIN_READY). */
    void (*ready)(mempolicy_actor *a, void *user);
} mempolicy_actor_main_opts;
#define MEMPOLICY_HAVE_ACTOR_MAIN_READY 1

int mempolicy_actor_main_ext(int argc, char **argv, const char *name,
                             const mempolicy_actor_ops *ops, void *user,
                             const mempolicy_actor_main_opts *ext);

/*
 * The side of reservations (libmempolicy.h) that the actor answering them
 * uses (the balance actor: actors/balance/reserve.c).  grant: a pending
 * reservation becomes granted (granted-ms now); refuse: it becomes
 * refused with `reason` (one line, control characters replaced, at most
 * 400 bytes), which the waiting caller gets as its error detail.  Each is
 * one transaction that checks the reservation is still pending: INVAL if
 * it is not (released meanwhile: NO_RESERVATION).  An expired
 * reservation is removed with mempolicy_reservation_release.
 */
#define MEMPOLICY_HAVE_ACTOR_RESERVATIONS 1
int mempolicy_reservation_grant(mempolicy_ctx *ctx, uint32_t id);
int mempolicy_reservation_refuse(mempolicy_ctx *ctx, uint32_t id,
                                 const char *reason);

#ifdef __cplusplus
}
#endif

#endif
