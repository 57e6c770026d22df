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
 *  - then follows DOMAIN_MEMORY_TARGET_CHANGED (filtered on the name),
 *    DOMAIN_INTRODUCE and DOMAIN_DEATH;
 *  - timers on the host's clock (scaled by mempolicy_clock_speed());
 *  - one poll loop, no thread per domain, no wake-up when idle;
 *  - SIGTERM/SIGINT end the loop cleanly; the store going away ends it
 *    with an error (exit status 1, so systemd restarts the actor);
 *  - standard options: -v (verbose), -d/--daemon, -p/--pidfile FILE.
 *
 * Ownership: the kit owns the context and the loop; callbacks must not
 * free them.  Policies passed to callbacks are valid during the call only.
 */
#ifndef LIBMEMPOLICY_ACTOR_H
#define LIBMEMPOLICY_ACTOR_H

#include "libmempolicy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mempolicy_actor mempolicy_actor;
typedef struct mempolicy_timer mempolicy_timer;

typedef struct mempolicy_actor_ops {
    /* A domain is ours (new, resynced at start-up, or its policy
     * changed).  Required. */
    void (*domain_changed)(mempolicy_actor *a, uint32_t domid,
                           const mempolicy_policy *policy, void *user);
    /* A domain stopped being ours: its actor changed, or it died
     * (`died` true).  Optional. */
    void (*domain_left)(mempolicy_actor *a, uint32_t domid, bool died,
                        void *user);
    /* Any domain appeared (host-wide actors).  Optional. */
    void (*domain_introduced)(mempolicy_actor *a, uint32_t domid,
                              void *user);
} mempolicy_actor_ops;

/*
 * Create an actor named `name` on an existing context (which it then
 * owns and frees).  Subscribes to events and queues the start-up resync.
 */
int mempolicy_actor_new(mempolicy_ctx *ctx, const char *name,
                        const mempolicy_actor_ops *ops, void *user,
                        mempolicy_actor **out);
void mempolicy_actor_free(mempolicy_actor *a);

mempolicy_ctx *mempolicy_actor_ctx(mempolicy_actor *a);
xentoollog_logger *mempolicy_actor_logger(mempolicy_actor *a);
const char *mempolicy_actor_name(mempolicy_actor *a);

/*
 * One-shot timer after `ms` milliseconds of host time (divided by the
 * clock speed in real time).  The timer is freed after its callback
 * returns or by mempolicy_timer_cancel() (NULL is fine).
 */
typedef void mempolicy_timer_fn(mempolicy_actor *a, void *arg);
mempolicy_timer *mempolicy_timer_add(mempolicy_actor *a, uint64_t ms,
                                     mempolicy_timer_fn *fn, void *arg);
void mempolicy_timer_cancel(mempolicy_actor *a, mempolicy_timer *t);

/*
 * Extra fd to watch in the actor's loop (e.g. a control socket).  fn is
 * called when fd is readable.  Optional.
 */
typedef void mempolicy_actor_fd_fn(mempolicy_actor *a, int fd, void *arg);
int mempolicy_actor_watch_fd(mempolicy_actor *a, int fd,
                             mempolicy_actor_fd_fn *fn, void *arg);

/* Run until SIGTERM/SIGINT (returns 0) or a fatal error (negative). */
int mempolicy_actor_run(mempolicy_actor *a);
void mempolicy_actor_stop(mempolicy_actor *a);

/*
 * The whole main() of a simple actor: parses the standard options
 * (-v, -d/--daemon, -p/--pidfile FILE, -h), creates logger, context and
 * actor, daemonizes if asked, runs, cleans up.  Returns the exit status.
 */
int mempolicy_actor_main(int argc, char **argv, const char *name,
                         const mempolicy_actor_ops *ops, void *user);

#ifdef __cplusplus
}
#endif

#endif
