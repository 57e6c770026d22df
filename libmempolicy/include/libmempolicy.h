/*
 * libmempolicy.h: policy-driven guest memory management for Xen hosts.
 *
 * Each domain has a memory policy in xenstore: which actor (a daemon)
 * manages its memory, with what parameters, towards what target.  This
 * library reads and writes that policy, drives the mechanisms actors use
 * (balloon target, xenpaging, page sharing), tells about domains and the
 * host, and delivers the events actors follow.  The design decisions are
 * in docs/design.md; docs/libmempolicy.md is the user's guide.
 *
 * Conventions (those of libxl):
 *  - every call takes a context first, then a domid;
 *  - sizes are KiB and say so in their names (_kb);
 *  - results come back through out-parameters; the return value is 0 or a
 *    negative MEMPOLICY_ERROR_* code (mempolicy_strerror() names it, and
 *    mempolicy_last_error() gives the one-line detail of the last failure
 *    on this context, e.g. "domain 3: actor is xl-auto, not xl-manual");
 *  - strings and arrays handed out are malloc'd and owned by the caller,
 *    freed with the matching *_dispose()/free() documented at each call;
 *    out-parameters are only valid when the call returned 0;
 *  - a context is not thread-safe: use one per thread.  Contexts are
 *    independent (no global state), so threads with a context each may
 *    run concurrently;
 *  - the library never prints: it logs to the caller's xentoollog logger
 *    (failures at XTL_DEBUG, since the caller reports them; problems the
 *    caller cannot see, such as a malformed node skipped, at XTL_WARN).
 *
 * The data model lives in xenstore (see docs/design.md):
 *   /libxl/<domid>/memory-policy/{actor,actor-params,target,enforce}
 * written together in one transaction (dom0 only: guests cannot read it),
 * and the mechanism nodes
 *   /local/domain/<domid>/memory/{target,static-max,target-tot_pages}.
 *
 * Failed calls leave the store exactly as it was: every check is done
 * before or inside the one transaction a call writes in.
 *
 * Feature macros: each capability is announced by a MEMPOLICY_HAVE_*
 * macro so that callers can #ifdef on it as they do with LIBXL_HAVE_*.
 * Existing signatures never change within a major version.
 */
#ifndef LIBMEMPOLICY_H
#define LIBMEMPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xentoollog.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMPOLICY_VERSION_MAJOR 0
#define MEMPOLICY_VERSION_MINOR 1
/* The version of the library and of every program of the project, as
 * "MAJOR.MINOR": its one home (the build's pkg-config file and every
 * --version read it from here). */
#define MEMPOLICY_VERSION_STR_(x) #x
#define MEMPOLICY_VERSION_STR(x) MEMPOLICY_VERSION_STR_(x)
#define MEMPOLICY_VERSION                          \
    MEMPOLICY_VERSION_STR(MEMPOLICY_VERSION_MAJOR) \
    "." MEMPOLICY_VERSION_STR(MEMPOLICY_VERSION_MINOR)

#define MEMPOLICY_HAVE_POLICY 1
#define MEMPOLICY_HAVE_TARGET 1
#define MEMPOLICY_HAVE_LOWLEVEL 1
#define MEMPOLICY_HAVE_DOMAIN_INFO 1
#define MEMPOLICY_HAVE_EVENTS 1
#define MEMPOLICY_HAVE_CONFIG 1
#define MEMPOLICY_HAVE_JSON 1
#define MEMPOLICY_HAVE_ACTOR_KIT 1
#define MEMPOLICY_HAVE_DISABLE_ANYONE 1
#define MEMPOLICY_HAVE_DOMINFO_MALFORMED 1
#define MEMPOLICY_HAVE_DISABLE_NOOP 1
#define MEMPOLICY_HAVE_DOMINFO_OVERHEAD 1
/* Paging keeps a detached, recorded pager per domain (enable/disable). */
#define MEMPOLICY_HAVE_PAGER_LIFECYCLE 1

/* ---- errors ------------------------------------------------------------ */

#define MEMPOLICY_OK 0
#define MEMPOLICY_ERROR_FAIL -1        /* unspecified failure (also: a
                                          malformed value in the store) */
#define MEMPOLICY_ERROR_INVAL -2       /* invalid argument */
#define MEMPOLICY_ERROR_NOMEM -3       /* out of memory */
#define MEMPOLICY_ERROR_NO_DOMAIN -4   /* no such domain */
#define MEMPOLICY_ERROR_DYING -5       /* domain is dying or shut down */
#define MEMPOLICY_ERROR_RANGE -6       /* size out of range (0, > static-max,
                                          under/overflow) */
#define MEMPOLICY_ERROR_NOT_ACTOR -7   /* low-level setter refused: the
                                          domain's actor is not xl-manual
                                          (nor the caller's own actor) */
#define MEMPOLICY_ERROR_PV -8          /* not possible for a PV guest */
#define MEMPOLICY_ERROR_NO_HAP -9      /* guest lacks hardware-assisted
                                          paging */
#define MEMPOLICY_ERROR_NOSYS -10      /* hypervisor built without the
                                          feature (ENOSYS from Xen) */
#define MEMPOLICY_ERROR_NOTSUP -11     /* hardware or guest setup cannot
                                          do it (EOPNOTSUPP, EXDEV,
                                          EMLINK from Xen: the detail
                                          says which, and what to do) */
#define MEMPOLICY_ERROR_BUSY -12       /* resource busy */
#define MEMPOLICY_ERROR_PERM -13       /* permission denied */
#define MEMPOLICY_ERROR_STORE -14      /* xenstore unreachable or failed */
#define MEMPOLICY_ERROR_AGAIN -15      /* transaction kept conflicting */
#define MEMPOLICY_ERROR_CONFIG -16     /* malformed configuration file */
#define MEMPOLICY_ERROR_NO_HYPERVISOR -17 /* no hypervisor interface */
#define MEMPOLICY_ERROR_NOT_READY -18  /* no event pending */
/* mempolicy_domain_share_gfns: a handle no longer names the page's
 * content (the page changed, or was unshared, since it was nominated):
 * Xen's XENMEM_SHARING_OP_S_HANDLE_INVALID / C_HANDLE_INVALID.  Nominate
 * again and re-check the content before sharing. */
#define MEMPOLICY_HAVE_STALE_HANDLE_ERRORS 1
#define MEMPOLICY_ERROR_STALE_SOURCE_HANDLE -19
#define MEMPOLICY_ERROR_STALE_CLIENT_HANDLE -20
/* The store closed this context's connection (xenstored or xensim
 * stopped, or dropped us): nothing on this context can work again.
 * Event users see it from mempolicy_event_get (see there); daemons exit
 * non-zero on it so that their supervisor restarts them once the store is
 * back. */
#define MEMPOLICY_HAVE_STORE_GONE 1
#define MEMPOLICY_ERROR_STORE_GONE -21
/* Reservations (MEMPOLICY_HAVE_RESERVATIONS): NO_MEMORY, the host cannot
 * free this much memory (squeezed's Cannot_free_this_much_memory and
 * Domains_refused_to_cooperate: the detail says how much could be freed
 * and what held the rest); NO_RESERVATION, the id names no reservation
 * (never made, released, handed over, or expired). */
#define MEMPOLICY_ERROR_NO_MEMORY -22
#define MEMPOLICY_ERROR_NO_RESERVATION -23
/* Memory groups (MEMPOLICY_HAVE_GROUPS): the name names no group. */
#define MEMPOLICY_ERROR_NO_GROUP -24

/* The version of the library actually linked, e.g. "0.1" (static
 * string; compare with MEMPOLICY_VERSION, the one compiled against). */
#define MEMPOLICY_HAVE_VERSION 1
const char *mempolicy_version(void);

/* Static name of an error code, e.g. "no such domain". */
const char *mempolicy_strerror(int rc);

/* ---- context ----------------------------------------------------------- */

typedef struct mempolicy_ctx mempolicy_ctx;

/*
 * Connect to xenstore (xs_open(0): XENSTORED_PATH or the standard socket)
 * and pick the hypervisor backend, once: "sim" when the store is xensim
 * (/tool/xensim/hv-socket exists; one connection to its hypervisor channel
 * per context), "xen" when the node is absent (libxenctrl, opened on
 * first use, so a context on a host without Xen still does everything that
 * needs only xenstore; hypervisor calls there fail with NO_HYPERVISOR).
 *
 * `lg` receives the library's log messages and must outlive the context
 * (NULL: no logging).  flags must be 0.  Errors (the detail is logged at
 * XTL_ERROR, since there is no context to hold it): INVAL, NOMEM, STORE
 * (no store), PERM (the connection is an unprivileged domain's, e.g.
 * XENSTORED_PATH=<socket>.dom<N>: it may not read the node, and memory
 * policies are dom0's; the detail names the node), NO_HYPERVISOR
 * (xensim's channel unreachable).
 */
int mempolicy_ctx_alloc(mempolicy_ctx **pctx, unsigned flags,
                        xentoollog_logger *lg);
/*
 * Frees the context and everything it owns: its event generators, queued
 * events, the store connection and the backend.  Events already handed
 * out must be freed (mempolicy_event_free) before.  NULL is fine.
 */
void mempolicy_ctx_free(mempolicy_ctx *ctx);

/* "sim" or "xen"; static string. */
const char *mempolicy_backend_name(mempolicy_ctx *ctx);

/*
 * One-line description of the last failure on ctx ("" if none yet).
 * Valid until the next call on ctx; not cleared by successful calls, so
 * only meaningful right after a call returned an error.
 */
const char *mempolicy_last_error(mempolicy_ctx *ctx);

/*
 * Declare that this context acts for `actor`: its low-level setters are
 * then also allowed on domains whose actor is `actor` ("xl" means
 * xl-auto).  NULL clears it.  INVAL for an invalid or empty name.
 */
int mempolicy_ctx_set_actor(mempolicy_ctx *ctx, const char *actor);

/* ---- validators (pure; usable without a context) ----------------------- */

/* Actor names: "" (none) or [a-z0-9-]{1,64} not starting with '-' (so
 * that no name reads as an option); "xl" is returned as
 * "xl-auto" in *canonical (static string or the input; may be NULL).
 * 0 or INVAL. */
int mempolicy_actor_name_valid(const char *actor, const char **canonical);
/* Params: "" or key=value[,key=value...], keys [a-z0-9_-]+, values
 * without commas or control characters (may be empty), at most
 * MEMPOLICY_PARAMS_MAX bytes in all.  0 or INVAL. */
#define MEMPOLICY_PARAMS_MAX 1024
#define MEMPOLICY_ACTOR_MAX 64
int mempolicy_params_valid(const char *params);
/* Look up `key` in a params string; *value malloc'd (free()).  Returns
 * MEMPOLICY_ERROR_INVAL when absent or when params is invalid. */
int mempolicy_params_get(const char *params, const char *key, char **value);

/*
 * Untrusted text (an argument, a config value, a store node) made safe to
 * quote in a one-line message: control characters (below 0x20 and 0x7f)
 * and bytes from 0x80 become \n, \t, \r, \e or \xNN, a backslash becomes
 * \\, and at most MEMPOLICY_QUOTE_CHARS bytes of s are shown, followed by
 * "..." when there were more.  So no message can be split, colour the
 * terminal or grow with its input.  Writes into buf, which must hold
 * MEMPOLICY_QUOTE_BUF bytes, and returns buf; NULL s gives "(null)".
 * Every message of the library and of xlmem that quotes input uses it;
 * MEMPOLICY_QUOTE(s) gives a buffer of its own to each use (C only: it
 * lives until the end of the enclosing block).
 */
#define MEMPOLICY_HAVE_QUOTE 1
#define MEMPOLICY_QUOTE_CHARS 64
#define MEMPOLICY_QUOTE_BUF (MEMPOLICY_QUOTE_CHARS * 4 + 4)
const char *mempolicy_quote(const char *s, char *buf);
/* The same with a bound of max bytes of s; buf holds 4 * max + 4 bytes.
 * For text that quotes input itself (libxlutil's parse errors: 200). */
const char *mempolicy_quote_n(const char *s, size_t max, char *buf);
#ifndef __cplusplus
#define MEMPOLICY_QUOTE(s) \
    mempolicy_quote((s), (char[MEMPOLICY_QUOTE_BUF]){ 0 })
#endif

/*
 * A memory size as xl reads one (tools/xl/xl_utils.c, parse_mem_size_kb):
 * decimal digits, MiB when there is no suffix, one suffix of b k m g t in
 * either case, bytes rounded down to KiB.  Stricter than xl, which takes
 * "", "-" and "+" as 0, ignores a sign it was not asked for and wraps on
 * overflow: each of those is refused here.  With MEMPOLICY_SIZE_SIGNED a
 * leading + or - makes the size relative (*relative true, *kb negative
 * for -); without it a sign is refused.  relative may be NULL when the
 * flag is not given.
 *
 * Returns 0 with *kb set, or MEMPOLICY_ERROR_INVAL (malformed) or
 * MEMPOLICY_ERROR_RANGE (above INT64_MAX KiB) leaving *kb alone and
 * writing the problem to why (at most whylen bytes, may be NULL), e.g.
 * "unknown suffix 'x' (use b, k, m, g or t)", any input quoted with
 * mempolicy_quote(); callers add what the size was for.  Pure: no
 * context, O(length of s).  The one size grammar of the project: xlmem's
 * options, actors' params and memtune values all read sizes through it.
 */
#define MEMPOLICY_HAVE_PARSE_SIZE 1
#define MEMPOLICY_SIZE_SIGNED 1u
int mempolicy_parse_size_kb(const char *s, unsigned flags, int64_t *kb,
                            bool *relative, char *why, size_t whylen);

/* ---- high level: policy and target ------------------------------------- */

typedef struct mempolicy_policy {
    char *actor;          /* "" = no actor */
    char *actor_params;   /* "" = none */
    uint64_t target_kb;   /* 0 when has_target is false */
    bool has_target;
    bool enforce;
} mempolicy_policy;

/* Frees the strings and zeroes *p; NULL or a zeroed policy is fine. */
void mempolicy_policy_dispose(mempolicy_policy *p);

/*
 * All writers below work alike: the domain must exist (/local/domain/<id>
 * in the store, and the hypervisor knows it and says it is not dying:
 * else NO_DOMAIN or DYING); one transaction reads the four policy nodes,
 * computes the new four and writes those that differ or are missing (a
 * policy set before any target takes memory/target as its target, enforce
 * "0"; a write that changes nothing writes nothing, so it wakes no
 * watcher); a conflicting transaction is
 * retried with a short random back-off, at most 64 times, then AGAIN.  So
 * racing writers always end in the complete state of one of them.
 * Cost: one hypervisor query, then about 10 store round trips.
 */

/* Set actor and params (target and enforce kept).  INVAL names the bad
 * actor or params. */
int mempolicy_domain_set_policy(mempolicy_ctx *ctx, uint32_t domid,
                                const char *actor, const char *params);
/*
 * Set actor and params only if nobody chose a policy yet: the domain has
 * no /libxl/<domid>/memory-policy/actor node ("" counts as chosen).  The
 * check and the write are one transaction, so a policy written
 * concurrently (a toolstack building the domain) is never overwritten:
 * either it lands first and this call writes nothing, or it lands after
 * and replaces ours.  0 with *written (may be NULL) saying whether this
 * call wrote; otherwise as set_policy.  What mempolicyd gives new
 * domains.
 */
#define MEMPOLICY_HAVE_SET_POLICY_IF_UNSET 1
int mempolicy_domain_set_policy_if_unset(mempolicy_ctx *ctx, uint32_t domid,
                                         const char *actor,
                                         const char *params, bool *written);

/*
 * Change some keys of the domain's params, keeping the others, actor,
 * target and enforce: `set` ("key=value,...", may be NULL or "") replaces
 * the items of those keys in place or appends them, `unset` ("key,...",
 * may be NULL or "") removes keys.  Read, merged, checked and written in
 * one transaction, so a concurrent change of other keys is never lost.
 * The merged params must pass the actor's table
 * (mempolicy_actor_params_check) and the memtune rules against the
 * domain's memory/static-max (mempolicy_memtune_check): else INVAL with
 * the one-line reason, nothing written.  A hard_limit (libmempolicy_actor.h,
 * docs/memtune.md) holds at once: a policy target above hard_limit - 1024
 * KiB is brought down to it, and maxmem above the hard limit is set as
 * libxl sets it for the target (target + video RAM + 1024 KiB), enforce
 * or not.  What `xlmem mem-tune` calls.  Errors as set_policy and
 * set_target.  Cost: as set_target.
 */
#define MEMPOLICY_HAVE_UPDATE_PARAMS 1
int mempolicy_domain_update_params(mempolicy_ctx *ctx, uint32_t domid,
                                   const char *set, const char *unset);

/* The whole policy, read in one transaction.  A domain without any
 * policy node gives actor "", params "", no target.  NO_DOMAIN; FAIL
 * (detail names the node) if a node holds garbage. */
int mempolicy_domain_get_policy(mempolicy_ctx *ctx, uint32_t domid,
                                mempolicy_policy *out);

/*
 * Set the memory target.  A target is what `xl mem-set` and memory= take
 * (libxl's target_memkb): video RAM included.  relative: target_kb is
 * added to the current target (the policy target, or memory/target plus
 * memory/videoram when none was set yet) and may be negative.  The
 * numbers are libxl_set_memory_target's (Xen 4.17), from one function of
 * the library:
 *  - memory/target = target - memory/videoram, at most memory/static-max
 *    (RANGE above), for dom0 at least 128 MiB (LIBXL_MIN_DOM0_MEM, RANGE);
 *  - refused (RANGE) where libxl would write 0 or wrap around: a target
 *    not above the video RAM, a relative change that leaves nothing,
 *    64-bit overflow;
 *  - enforce: maxmem = memory/target + videoram + 1024 KiB
 *    (LIBXL_MAXMEM_CONSTANT), with or without an actor;
 *  - a missing or malformed memory/target, static-max or videoram is
 *    FAIL naming the node (dom0's target and static-max are first filled
 *    from the hypervisor, as libxl does).
 * A target outside the domain's memtune range (above hard_limit - 1024
 * KiB, below min_guarantee: docs/memtune.md) is RANGE naming the limit.
 * The policy target written is the (absolute) target.  With an actor,
 * the actor moves the balloon on the event.  With no actor (""), it also
 * does what xl mem-set does: for a non-PV guest the PoD target
 * ((memory/target + 1024) / 4 pages, xc_domain_set_pod_target), then
 * memory/target and /vm/<uuid>/memory (MiB).  Hypervisor changes are
 * undone if the transaction then fails.  Like xl mem-set, it runs under
 * libxl's per-domain lock (XEN_LIB_DIR/userdata-l.<domid>.<uuid>.
 * domain-userdata-lock; MEMPOLICY_XEN_LIB_DIR overrides the directory),
 * so it waits while xl changes the domain.  Cost: one hypervisor query, up
 * to three hypervisor calls, about 15 store round trips.
 */
int mempolicy_domain_set_target(mempolicy_ctx *ctx, uint32_t domid,
                                int64_t target_kb, bool relative,
                                bool enforce);
/* The policy target and enforce flag; when no policy target was set yet,
 * memory/target and false.  Either pointer may be NULL. */
int mempolicy_domain_get_target(mempolicy_ctx *ctx, uint32_t domid,
                                uint64_t *target_kb, bool *enforce);

/*
 * Actor, params and target together, in one transaction (what a toolstack
 * does when it builds a domain: configured policy plus initial target).
 * Same rules as set_policy and set_target.  Being a complete write, it
 * also replaces policy nodes that hold garbage.
 */
#define MEMPOLICY_HAVE_SET_POLICY_TARGET 1
int mempolicy_domain_set_policy_target(mempolicy_ctx *ctx, uint32_t domid,
                                       const char *actor, const char *params,
                                       int64_t target_kb, bool relative,
                                       bool enforce);

/*
 * Policies survive `xl reboot` (same uuid, new domid; libxl wipes
 * /libxl/<domid> when it builds the domain again): every policy write
 * above also keeps a copy of the four nodes under the domain's uuid (the
 * one in /local/domain/<domid>/vm), in the dom0-only
 * /tool/mempolicy/saved/<uuid>/, in the same transaction.
 *
 * restore_policy: if the domain has no policy (no actor node) and a copy
 * is kept for its uuid, write it, as set_policy_target would (the target
 * through the target arithmetic: with no actor, memory/target and maxmem
 * as xl mem-set).  0 with *restored (may be NULL) saying whether it
 * wrote; false when nothing is kept or the domain had a policy by then
 * (the check and the write are one transaction).  NO_DOMAIN, DYING; FAIL
 * naming the node if the copy holds garbage.  What mempolicyd does for a
 * new domain before it gives the default.  Cost: one hypervisor query,
 * about 20 store round trips.
 *
 * saved_policies_prune: remove the copies whose uuid no domain has (gone
 * for good); *removed (may be NULL) counts them.  A domain being rebooted
 * at that very moment (between destroy and create) loses its copy and
 * gets the default.  Cost: one hypervisor query, a store read per domain
 * and per copy.
 */
#define MEMPOLICY_HAVE_SAVED_POLICY 1
int mempolicy_domain_restore_policy(mempolicy_ctx *ctx, uint32_t domid,
                                    bool *restored);
int mempolicy_saved_policies_prune(mempolicy_ctx *ctx, unsigned *removed);

/* ---- low level: mechanisms --------------------------------------------- */

/*
 * Setters (balloon and paging targets, enable paging and sharing) are
 * refused with MEMPOLICY_ERROR_NOT_ACTOR unless the domain's actor is
 * xl-manual or the context's own actor (mempolicy_ctx_set_actor); the
 * detail names the domain's actor and says how to switch ("use
 * mem-policy-set <dom> xl-manual").  The actor is checked in the same
 * transaction that writes.  Getters always work.
 *
 * Calls that only give memory back to the guest, or stop taking it, are
 * allowed to any context, whatever the domain's actor
 * (MEMPOLICY_HAVE_DISABLE_ANYONE): disable_paging, disable_sharing and an
 * absolute paging target of 0.  So an actor that lost a domain to another
 * actor can still undo its own mechanisms (page everything back in, share
 * nothing more); the new actor sees the result in domain_info and may
 * enable them again.  Sizes follow the set_target rules (relative,
 * 0 < result <= static-max, no overflow).
 */
/*
 * memory/target, read by the guest's balloon driver.  target_kb is a
 * target as for mempolicy_domain_set_target (video RAM included; relative
 * changes apply to memory/target, as libxl's): the same function computes
 * memory/target, the PoD target (non-PV) and /vm/<uuid>/memory, with the
 * same errors.  When the guest could not reach it under its maxmem,
 * maxmem is raised first to memory/target + videoram + 1024 KiB (libxl's
 * slack); every hypervisor change is undone if the transaction fails.
 * Under libxl's per-domain lock, as set_target.
 * With a hard_limit in the domain's params (docs/memtune.md), a target
 * whose maxmem would pass it is RANGE (naming the limit), and a maxmem
 * above it (set before the limit) is brought down to the target's.
 * When memory/target was changed outside the library (xl mem-set) since
 * the library last wrote it, and the policy target was not, that change is
 * adopted as the policy target (memory/target + videoram, enforce "1")
 * and nothing else is written (0; logged at XTL_INFO): an actor then gets
 * the policy event and follows the adopted target.  See docs/design.md,
 * "Living beside xl".
 */
int mempolicy_domain_set_balloon_target(mempolicy_ctx *ctx, uint32_t domid,
                                        int64_t target_kb, bool relative);
int mempolicy_domain_get_balloon_target(mempolicy_ctx *ctx, uint32_t domid,
                                        uint64_t *target_kb);
/*
 * memory/target-tot_pages, the pager's target.  HVM with HAP only (PV,
 * NO_HAP).  A non-zero target needs paging enabled (INVAL otherwise),
 * by any process: it works as soon as enable_paging has returned; a
 * pager that has exited since is reported (FAIL, or the code of the
 * Xen error it exited on, with its exit status in the detail).  0 is
 * allowed to anyone: the pager pages everything back in, and once
 * nothing is paged out it is stopped and paging is off; while pages are
 * still out the call returns at once and the pager keeps running (a
 * later 0, or disable_paging, stops it).  The getter gives 0 when unset.
 */
int mempolicy_domain_set_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       int64_t target_kb, bool relative);
int mempolicy_domain_get_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       uint64_t *target_kb);
/*
 * Idempotent.  Paging and sharing need an HVM guest (PV) with HAP
 * (NO_HAP) and a hypervisor built with the feature (NOSYS: Debian's stock
 * Xen 4.17 has neither).  Disabling on a guest where the mechanism cannot
 * be on (PV, no HAP) is a successful no-op (MEMPOLICY_HAVE_DISABLE_NOOP).
 *
 * Enabling paging starts the domain's pager (xenpaging), detached: it
 * outlives this context and process, and is recorded (pid and pagefile,
 * in /libxl/<domid>/xenpaging, dom0 only) so that every process sees
 * paging on (mempolicy_dominfo.paging).  A pager that exits at once is
 * reported with its exit status and, when it is one, Xen's reason (PoD
 * guest, passthrough, ...).  Disabling (anyone may) sets the paging
 * target to 0, waits until nothing is paged out (at least 60 s, longer
 * for much paged out; BUSY naming what is still out when it does not
 * happen, paging left on), then stops the pager, which tears paging
 * down itself; the ring is never torn down under a live pager
 * (MEMPOLICY_HAVE_PAGER_LIFECYCLE).  Cost: disabling blocks while pages
 * come back in.  docs/paging.md.
 *
 * Disabling sharing does what Xen's XEN_DOMCTL_MEM_SHARING_CONTROL does
 * (mem_sharing.c, mem_sharing_control): it clears the domain's sharing
 * flag, so no new page of it is shared (a share with it as client is
 * refused); pages shared so far stay shared until the guest writes them
 * (each write gives it a private copy, allocated then).  Xen 4.17 has no
 * "unshare all".  Cost: one hypercall.  docs/actors.md, "sharing".
 */
int mempolicy_domain_enable_paging(mempolicy_ctx *ctx, uint32_t domid);
int mempolicy_domain_disable_paging(mempolicy_ctx *ctx, uint32_t domid);
int mempolicy_domain_enable_sharing(mempolicy_ctx *ctx, uint32_t domid);
int mempolicy_domain_disable_sharing(mempolicy_ctx *ctx, uint32_t domid);
/* Directory where pagers keep their pagefiles (default
 * XEN_LIB_DIR/xenpaging: /var/lib/xen/xenpaging on Xen); created mode
 * 0700 when paging is enabled.  Absolute path, else INVAL. */
int mempolicy_set_paging_dir(mempolicy_ctx *ctx, const char *dir);

/*
 * Page sharing primitives, for sharing actors (Xen's memshr API).  Guest
 * pages are 4 KiB frames (gfn).  page_hashes reads the content
 * fingerprints of `count` (1..MEMPOLICY_PAGE_HASHES_MAX, else INVAL)
 * frames from first_gfn: on a real host it asks Xen which of them hold a
 * page (getpageframeinfo3, as migration does) and maps only those, in
 * one xenforeignmemory_map call, then hashes them.  A frame without a
 * page (a hole such as the MMIO hole below 4 GiB, a frame ballooned out,
 * a paged-out frame) gets MEMPOLICY_PAGE_ABSENT and is never mapped; the
 * range must lie within 0..max_gpfn (mempolicy_domain_frames).  Beware:
 * on Xen looking at a populate-on-demand entry populates it, and mapping
 * a paged-out frame asks the pager for it (see mempolicy_domain_frames).
 * A fingerprint finds candidates, it does not prove equality.  Sharing must
 * be enabled on both domains.  No actor check: the sharing actor works
 * across the domains whose sharing it was allowed to enable.  Errors from
 * the hypervisor come back mapped (ESRCH -> NO_DOMAIN, ...) with the
 * errno name in the detail; share_gfns says which handle was stale with
 * STALE_SOURCE_HANDLE or STALE_CLIENT_HANDLE (Xen checks the source
 * first, so both stale gives STALE_SOURCE_HANDLE).
 */
#define MEMPOLICY_PAGE_HASHES_MAX 512
#define MEMPOLICY_PAGE_ABSENT UINT64_MAX
#define MEMPOLICY_HAVE_PAGE_ABSENT 1
int mempolicy_domain_page_hashes(mempolicy_ctx *ctx, uint32_t domid,
                                 uint64_t first_gfn, unsigned count,
                                 uint64_t *hashes);
/*
 * What a page scan must know of a domain's guest frames:
 *   max_gpfn        xc_domain_maximum_gpfn: frames 0..max_gpfn may hold
 *                   pages (an HVM guest over ~3-4 GiB has RAM above 4 GiB,
 *                   past the MMIO hole);
 *   pod_entries_kb  populate-on-demand entries not backed yet
 *                   (xc_domain_get_pod_target): Xen populates an entry
 *                   that is looked at or mapped, from the PoD cache, and
 *                   crashes the guest when the cache is empty;
 *   paged_kb        paged out: mapping such a frame makes the pager bring
 *                   it back in.
 * A scanner leaves a domain alone while either of the last two is not 0.
 * Cost: three hypercalls.  Errors: NO_DOMAIN, DYING, as dominfo.
 */
#define MEMPOLICY_HAVE_DOMAIN_FRAMES 1
typedef struct mempolicy_frames {
    uint64_t max_gpfn;
    uint64_t pod_entries_kb;
    uint64_t paged_kb;
} mempolicy_frames;
int mempolicy_domain_frames(mempolicy_ctx *ctx, uint32_t domid,
                            mempolicy_frames *out);
int mempolicy_domain_nominate_gfn(mempolicy_ctx *ctx, uint32_t domid,
                                  uint64_t gfn, uint64_t *handle);
/*
 * Whether page gfn1 of dom1 and page gfn2 of dom2 hold the same bytes
 * (*same), read by mapping both (xenforeignmemory, read-only) and
 * comparing them; changes nothing.  Xen's share_gfns compares nothing,
 * so a sharing actor calls this after nominating both pages and before
 * sharing them: a 64-bit hash match alone could be a crafted collision.
 * Cost: two page mappings.  Errors: NO_DOMAIN, INVAL (gfn not a page of
 * the domain), as page_hashes.
 */
#define MEMPOLICY_HAVE_PAGE_COMPARE 1
int mempolicy_domain_page_compare(mempolicy_ctx *ctx, uint32_t dom1,
                                  uint64_t gfn1, uint32_t dom2,
                                  uint64_t gfn2, bool *same);
int mempolicy_domain_share_gfns(mempolicy_ctx *ctx, uint32_t source_domid,
                                uint64_t source_gfn, uint64_t source_handle,
                                uint32_t client_domid, uint64_t client_gfn,
                                uint64_t client_handle);

/* ---- information ------------------------------------------------------- */

typedef enum {
    MEMPOLICY_DOMAIN_TYPE_PV = 1,
    MEMPOLICY_DOMAIN_TYPE_HVM = 2, /* HVM and PVH */
} mempolicy_domain_type;

typedef struct mempolicy_dominfo {
    uint32_t domid;
    char *name;                  /* "Domain-0" for dom0 */
    mempolicy_domain_type type;
    bool hap;
    bool dying;                  /* dying or shut down */
    uint64_t static_max_kb;      /* store; 0 if absent */
    uint64_t actual_kb;          /* tot_pages */
    uint64_t maxmem_kb;
    uint64_t paged_kb;
    uint64_t shared_kb;
    uint64_t cow_breaks;         /* copy-on-write breaks of shared pages */
    uint64_t balloon_target_kb;  /* store; 0 if absent */
    uint64_t paging_target_kb;   /* store; 0 if absent */
    bool paging;
    bool sharing;
    mempolicy_policy policy;
    /* list_domains only: NULL, or the one-line reason (malloc'd, freed
     * by dispose) why a node of this domain held garbage, e.g.
     * "/libxl/3/memory-policy/target: 'x' is not a size in KiB".  The
     * fields from such a node are 0, and a garbage policy reads as
     * actor "" (see MEMPOLICY_HAVE_DOMINFO_MALFORMED). */
    char *malformed;
    uint64_t videoram_kb;        /* store memory/videoram; 0 if absent
                                    (MEMPOLICY_HAVE_TARGET_CMP) */
    /* What Xen needs for the domain beyond its memory, as
     * mempolicy_need_memory computes it from its type, HAP, static-max
     * and vcpus (MEMPOLICY_HAVE_DOMINFO_OVERHEAD). */
    uint64_t overhead_kb;
} mempolicy_dominfo;

/* Frees what *info holds and zeroes it. */
void mempolicy_dominfo_dispose(mempolicy_dominfo *info);

/*
 * Has a domain reached a target?  Compare what it holds with what a Xen
 * host shows once the guest got there; never compare actual_kb with the
 * target (or memory/target) by hand: on a real host they are never equal.
 * target_kb is a target as set_target takes it (video RAM included),
 * videoram_kb the domain's (mempolicy_dominfo.videoram_kb), held_kb what
 * the caller counts as held: actual_kb (tot_pages), plus paged_kb for
 * "where would the balloon be without paging".  The domain has reached
 * the target while
 *     target - videoram - 1024 <= held <= target + 1024   (KiB)
 * that is from the balloon target less libxl's slack
 * (LIBXL_MAXMEM_CONSTANT) up to the maxmem libxl enforces for the target:
 * a ballooned PV guest holds exactly memory/target, PVH and HVM guests a
 * few dozen KiB more (firmware), and an HVM guest's tot_pages includes its
 * video RAM while its balloon driver does not count it.
 * Returns -1 below the band, 0 inside it, 1 above it.  Pure: no context,
 * no cost.
 */
#define MEMPOLICY_HAVE_TARGET_CMP 1
int mempolicy_target_cmp(uint64_t target_kb, uint64_t videoram_kb,
                         uint64_t held_kb);
/*
 * libxl's maxmem slack, KiB (LIBXL_MAXMEM_CONSTANT, libxl__arch_extra_memory
 * on x86 and Arm): every maxmem libxl sets is the size it is meant for
 * plus this, and so is every maxmem the library sets.  An actor that sets
 * maxmem itself (mempolicy_domain_set_maxmem: the balance actor's cap on a
 * stuck balloon, actual + slack) adds the same.
 */
#define MEMPOLICY_HAVE_MAXMEM_SLACK 1
#define MEMPOLICY_MAXMEM_SLACK_KB 1024u
/* LIBXL_MIN_DOM0_MEM (libxl_internal.h), KiB: no dom0 target below it
 * (set_target refuses one with RANGE); an actor planning dom0 keeps it. */
#define MEMPOLICY_MIN_DOM0_KB (128u * 1024u)
/* Disposes each entry and frees the array; NULL is fine. */
void mempolicy_dominfo_list_free(mempolicy_dominfo *list, int n);

/* One domain: hypervisor facts plus store nodes.  Cost: one hypervisor
 * query and about 10 store round trips. */
int mempolicy_domain_info(mempolicy_ctx *ctx, uint32_t domid,
                          mempolicy_dominfo *out);
/* All domains (dom0 included), sorted by domid; free with
 * mempolicy_dominfo_list_free(*list, *n).  Domains that vanish while the
 * list is taken are left out.  A domain whose nodes hold garbage is
 * listed all the same, marked with `malformed` (one bad domain never
 * hides the others; MEMPOLICY_HAVE_DOMINFO_MALFORMED); a complete
 * write (mempolicy_domain_set_policy_target) repairs its policy.  Each
 * domain's policy is a consistent snapshot (read in a transaction with
 * those of up to 127 other domains).  Cost: one hypervisor query for all
 * domains, and about 8 store reads per domain pipelined on a connection
 * of the context's own (a few round trips per 128 domains; one round trip
 * per read where no store socket is reachable). */
int mempolicy_list_domains(mempolicy_ctx *ctx, mempolicy_dominfo **list,
                           int *n);

/*
 * The hypervisor's facts only, for host-wide actors that follow many
 * domains (the balance actor): no store read at all.  `actual_kb` is
 * tot_pages, `maxmem_kb` Xen's max_pages.
 */
#define MEMPOLICY_HAVE_DOMAIN_PAGES 1
typedef struct mempolicy_domain_pages {
    uint32_t domid;
    bool dying;            /* dying or shut down */
    uint64_t actual_kb;
    uint64_t maxmem_kb;
    uint64_t paged_kb;
    uint64_t shared_kb;
} mempolicy_domain_pages;
/* One domain.  Cost: one hypervisor query. */
int mempolicy_domain_get_pages(mempolicy_ctx *ctx, uint32_t domid,
                               mempolicy_domain_pages *out);
/* Every domain (dom0 included), ascending domids; free(*list).  Cost: one
 * hypervisor query (xc_domain_getinfolist). */
int mempolicy_list_domain_pages(mempolicy_ctx *ctx,
                                mempolicy_domain_pages **list, int *n);
/*
 * Xen's maxmem for the domain (xc_domain_setmaxmem), KiB: how far its
 * balloon may grow.  Below tot_pages is allowed (the domain keeps its
 * pages and cannot grow: what squeezed does to a balloon that stopped
 * answering).  Refused like the other setters (NOT_ACTOR) unless the
 * domain's actor is xl-manual or the context's own.  Taken under libxl's
 * per-domain lock, as libxl_domain_setmaxmem (xl mem-max) takes it: it
 * waits while an xl command holds it.  Cost: the lock, two hypervisor
 * queries (the domain live before and after the lock), a few store
 * reads and one hypervisor call.
 */
int mempolicy_domain_set_maxmem(mempolicy_ctx *ctx, uint32_t domid,
                                uint64_t maxmem_kb);

/*
 * A guest's own memory reports, untrusted, parsed one way for every
 * reader (the balance actor, xlmem mem-top):
 *  - memory/meminfo in the format of Qubes' current meminfo-writer
 *    (qubes-linux-utils, qmemman/meminfo-writer.c): one decimal number,
 *    the guest's used memory in kB.  Digits only, 1 to 20 of them, no
 *    overflow; no upper bound here (the caller compares it with what the
 *    domain can hold);
 *  - memory/pressure, as the guest agent writes it: PSI's "some avg10"
 *    of /proc/pressure/memory, percent with at most two decimals
 *    ("12.34"), 0..100, returned in hundredths.
 * `value` need not be NUL-terminated; `len` bytes are read.  0, or
 * MEMPOLICY_ERROR_INVAL with a static one-line reason in *why (may be
 * NULL).  No allocation, no store access.
 */
#define MEMPOLICY_HAVE_MEMINFO_PARSE 1
/* The two nodes, under /local/domain/<domid> (the guest's own tree). */
#define MEMPOLICY_MEMINFO_NODE "memory/meminfo"
#define MEMPOLICY_PRESSURE_NODE "memory/pressure"
/* The sharing actor's per-domain report (shared_kb, saved_kb, ...:
 * docs/actors.md), dom0-only, under /libxl/<domid>. */
#define MEMPOLICY_SHARING_REPORT "memory-sharing"
int mempolicy_meminfo_parse(const char *value, size_t len,
                            uint64_t *used_kb, const char **why);
int mempolicy_pressure_parse(const char *value, size_t len,
                             unsigned *avg10_x100, const char **why);

typedef struct mempolicy_physinfo {
    uint64_t total_kb;
    uint64_t free_kb;
    uint64_t shared_kb;
    uint64_t freed_by_sharing_kb;
} mempolicy_physinfo;
int mempolicy_get_physinfo(mempolicy_ctx *ctx, mempolicy_physinfo *out);

/*
 * A domain named by name or numeric id, as xl does it: all digits is a
 * domid (not looked up; NO_DOMAIN if out of range), anything else is
 * searched, as libxl_name_to_domid does, among the names
 * (/local/domain/<id>/name) of the domains the hypervisor lists, so a
 * directory left behind by a dead domain never resolves (NO_DOMAIN naming
 * it if absent; NO_HYPERVISOR where there is none).
 * Cost of a name: one hypervisor query, then one store read per domain
 * until found.
 */
int mempolicy_domain_qualifier_to_domid(mempolicy_ctx *ctx, const char *s,
                                        uint32_t *domid);

/* ---- who serves what: actors and their status lines ------------------ */

/*
 * Every actor built on the actor kit announces itself in the store while
 * it runs, and publishes one short status line for each domain it serves
 * ("ballooning 812 -> 512 MiB", "stuck: no progress for 47 s").  The
 * nodes (dom0-only; none is under memory-policy/, so they never fire
 * DOMAIN_MEMORY_TARGET_CHANGED) are documented in docs/libmempolicy.md:
 *   /tool/mempolicy/actors/<name>/{pid,start}
 *   /tool/mempolicy/actors/<name>/status/<domid>
 * An announcement names a process by pid and start time (field 22 of
 * /proc/<pid>/stat), so one left behind by an actor that crashed (or a
 * pid reused since) reads as not running.  The check reads /proc: the
 * caller must run in the actor's pid namespace (dom0's), as xl does.
 */
#define MEMPOLICY_HAVE_STATUS 1

/* Longest status line, in bytes (longer lines are cut). */
#define MEMPOLICY_STATUS_MAX 128

typedef struct mempolicy_status {
    char *actor;     /* the domain's actor (canonical); "" = none */
    bool running;    /* that actor announced itself and is alive */
    int32_t pid;     /* the announced pid, also when the announcement is
                        stale (running false, pid != 0: the actor died
                        without cleaning up); 0 = never announced */
    char *text;      /* the line the actor publishes for the domain, with
                        control characters shown as '?'; "" when it
                        published none, or is not running (a dead actor's
                        line describes the past) */
} mempolicy_status;

/* Frees what *s holds and zeroes it; NULL or a zeroed status is fine. */
void mempolicy_status_dispose(mempolicy_status *s);
/* Disposes each entry and frees the array; NULL is fine. */
void mempolicy_status_list_free(mempolicy_status *list, int n);

/*
 * Whether an actor named `actor` ("xl" means xl-auto) runs: it announced
 * itself and the announcing process is alive.  0 and *running; INVAL for
 * an invalid or empty name; STORE.  Cost: one store round trip and one
 * read of /proc.
 */
int mempolicy_actor_running(mempolicy_ctx *ctx, const char *actor,
                            bool *running);

/*
 * The domain's actor, whether it runs, and its status line for the
 * domain.  Works for dying domains too.  0 and *out (dispose with
 * mempolicy_status_dispose); NO_DOMAIN if /local/domain/<domid> does not
 * exist; FAIL if the actor node holds garbage (detail names it); STORE.
 * Cost: two store round trips and one read of /proc.
 */
int mempolicy_domain_get_status(mempolicy_ctx *ctx, uint32_t domid,
                                mempolicy_status *out);

/*
 * The same for each of the n domains of a list from
 * mempolicy_list_domains() (their actor as listed there): *out is an
 * array of n entries in the list's order, freed with
 * mempolicy_status_list_free(*out, n).  Cost: one pipelined batch of 3
 * store reads per domain with an actor (a few round trips in all), one
 * read of /proc per such domain.
 */
int mempolicy_list_status(mempolicy_ctx *ctx, const mempolicy_dominfo *list,
                          int n, mempolicy_status **out);

/* ---- events ------------------------------------------------------------ */

/*
 * Events are generated from xenstore watches and delivered through one
 * file descriptor (mempolicy_event_fd) that any poll loop can watch: it is
 * readable, level-triggered, exactly while mempolicy_event_get() may have
 * something to return.  Never read from it or close it; it belongs to the
 * context and stays the same for the context's life.
 *
 * Queueing: changes queue in the context until collected (libxenstore
 * reads watch events on a thread of its own, so nothing is lost while the
 * caller is busy).  Several changes to one domain between two gets are
 * coalesced into one event, whose snapshot is read when it is handed out,
 * so it is always the latest; a snapshot equal to the last one delivered
 * for that domain is not delivered again.  Order: per domain, events come
 * in the order things happened; INTRODUCE comes before the domain's
 * policy events only if the policy was written after the introduction.
 *
 * Cost: a policy change costs O(1) when it arrives (one watch on /libxl
 * covers every domain; no per-domain watch, no scan) and one read
 * transaction when it is handed out.  Introduce/release carry no domid in
 * Xen, so each burst of them costs one domain list from the hypervisor
 * and a diff against the domains the context knows; enabling the first
 * INTRODUCE/DEATH generator costs one list.  Enabling the first
 * TARGET_CHANGED generator reads every domain's actor once (pipelined).
 *
 * Generators: disabling one drops its pending events once no remaining
 * generator wants them; an evgen is invalid after mempolicy_evdisable()
 * or mempolicy_ctx_free().
 */
typedef enum {
    MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED = 1,
    MEMPOLICY_EVENT_DOMAIN_INTRODUCE = 2,
    MEMPOLICY_EVENT_DOMAIN_DEATH = 3,
} mempolicy_event_type;

typedef struct mempolicy_event {
    mempolicy_event_type type;
    uint32_t domid;
    /* TARGET_CHANGED: the policy as read in one transaction.  Other
     * types: zeroed. */
    mempolicy_policy policy;
} mempolicy_event;

typedef struct mempolicy_evgen mempolicy_evgen;

/*
 * DOMAIN_MEMORY_TARGET_CHANGED: a node under
 * /libxl/<domid>/memory-policy/ changed, or /libxl/<domid> was removed
 * while the domain had policy nodes.  Nothing else under /libxl/<domid>
 * counts: a new domain without a policy gets no event.
 * actor NULL: every change.  Otherwise: changes while `actor` is the
 * domain's actor, including the change that makes it so and the change
 * that makes it something else (the snapshot then names the new actor,
 * so the old actor learns that it lost the domain).  "xl" means xl-auto.
 * A domain whose policy nodes hold garbage gets no event for that change
 * (a warning is logged) until a valid change.  A domain that is gone
 * gets no TARGET_CHANGED (DEATH tells of that).
 */
int mempolicy_evenable_target_changed(mempolicy_ctx *ctx, const char *actor,
                                      mempolicy_evgen **evgen_out);
/* DOMAIN_INTRODUCE: a domain appeared (created and introduced to the
 * store).  DOMAIN_DEATH: a domain known to this context is gone or dying.
 * A domain that comes and goes between two looks is not reported. */
int mempolicy_evenable_domain_introduce(mempolicy_ctx *ctx,
                                        mempolicy_evgen **evgen_out);
int mempolicy_evenable_domain_death(mempolicy_ctx *ctx,
                                    mempolicy_evgen **evgen_out);
void mempolicy_evdisable(mempolicy_ctx *ctx, mempolicy_evgen *evgen);

/*
 * The context's event fd (created on first use); -1 on NOMEM.  It also
 * becomes readable when the store goes away: the context keeps a silent
 * second connection to the store's socket (one fd, no traffic, no
 * wake-up while idle) because libxenstore never signals the loss of its
 * own.  Where the store is no Unix socket (/dev/xen/xenbus), the loss is
 * seen at the next call that fails instead.
 */
int mempolicy_event_fd(mempolicy_ctx *ctx);
/* 0 and *ev_out (free with mempolicy_event_free), or
 * MEMPOLICY_ERROR_NOT_READY when nothing is pending; STORE_GONE once the
 * store closed the connection (then on every later call: end the loop,
 * the detail is one line saying so); STORE if a store read failed.
 * Never blocks on anything but store round trips. */
int mempolicy_event_get(mempolicy_ctx *ctx, mempolicy_event **ev_out);
/* Block up to timeout_ms (-1: forever); NOT_READY on timeout, STORE_GONE
 * as event_get (a wait never outlives the store). */
int mempolicy_event_wait(mempolicy_ctx *ctx, mempolicy_event **ev_out,
                         int timeout_ms);
/* NULL is fine. */
void mempolicy_event_free(mempolicy_ctx *ctx, mempolicy_event *ev);

/* ---- configuration (xl.conf and domain config files, via libxlutil) ---- */

/* Default global config file, as xl: /etc/xen/xl.conf; overridden by the
 * MEMPOLICY_XL_CONF environment variable. */
const char *mempolicy_default_global_config(void);

/*
 * Read a configuration file whole, as every call below reads one: any
 * readable file, pipes included (/dev/stdin), of at most
 * MEMPOLICY_CONFIG_MAX bytes and no NUL byte; a bigger one (or an
 * endless one such as /dev/zero) is CONFIG ("larger than 1024 KiB, not a
 * configuration file") after reading one byte past the limit.  0 and
 * *data (malloc'd, NUL-terminated; free()) and *len; CONFIG naming the
 * file when it cannot be read.  Cost: the file's size in memory.
 */
#define MEMPOLICY_HAVE_CONFIG_DATA 1
#define MEMPOLICY_CONFIG_MAX (1024 * 1024)
int mempolicy_config_read(mempolicy_ctx *ctx, const char *file, char **data,
                          size_t *len);

/*
 * Effective policy from the config files: memory_policy and
 * memory_policy_args of `domain_cfg` (may be NULL) override those of
 * `global_cfg` (NULL: $MEMPOLICY_XL_CONF, else /etc/xen/xl.conf; only
 * the built-in /etc/xen/xl.conf may be missing, a file named by the
 * caller or the variable must exist: CONFIG); absent everywhere:
 * "xl-auto" with "".  memory_policy="" means no actor; "xl" gives
 * "xl-auto".  A domain file that names an actor does
 * not inherit the global file's args.  The values are validated;
 * MEMPOLICY_ERROR_CONFIG names file (and line, from libxlutil) and
 * problem.  *actor and *params are malloc'd (free()).  ctx may be NULL
 * (then no detail is kept).
 */
int mempolicy_config_policy(mempolicy_ctx *ctx, const char *global_cfg,
                            const char *domain_cfg, char **actor,
                            char **params);
/*
 * The same, with the domain's config given as its contents (read once
 * with mempolicy_config_read, e.g. from a pipe that cannot be read
 * twice); domain_name names it in errors.  Contents that
 * mempolicy_config_read would refuse (a NUL byte, more than
 * MEMPOLICY_CONFIG_MAX bytes) are CONFIG here too.
 */
int mempolicy_config_policy_data(mempolicy_ctx *ctx, const char *global_cfg,
                                 const char *domain_name,
                                 const char *domain_data, size_t domain_len,
                                 char **actor, char **params);

/* ---- JSON (yajl) ------------------------------------------------------- */

/*
 * malloc'd JSON texts (free()), NULL on allocation failure.  Keys are the
 * C field names; 64-bit numbers are exact; a missing policy target is
 * null; event types are "domain_memory_target_changed",
 * "domain_introduce", "domain_death".  ctx may be NULL.
 */
char *mempolicy_dominfo_to_json(mempolicy_ctx *ctx,
                                const mempolicy_dominfo *info);
char *mempolicy_dominfo_list_to_json(mempolicy_ctx *ctx,
                                     const mempolicy_dominfo *list, int n);
char *mempolicy_event_to_json(mempolicy_ctx *ctx, const mempolicy_event *ev);

/* ---- memory Xen needs for a domain, and reservations ------------------ */

/*
 * What libxl_domain_need_memory (tools/libs/light/libxl_mem.c, Xen 4.17,
 * with libxl__domain_config_setdefault's defaults from libxl_create.c)
 * says a domain built from these facts needs from the host, in KiB:
 *   memory (the config's memory=, video RAM included)
 *   + the paging pool, shadow_memory's default
 *     (libxl__get_required_paging_memory): 4 KiB x (256 per vcpu + one
 *     per MiB of maxmem for the p2m of a non-PV guest + one per MiB of
 *     maxmem to shadow a guest without HAP; a PV guest always counts the
 *     second: Xen may need to shadow it for migration)
 *   + LIBXL_HVM_EXTRA_MEMORY (2 MiB) for HVM and PVH,
 *     LIBXL_PV_EXTRA_MEMORY (1 MiB) for PV,
 * rounded up to 2 MiB.  Not counted (0 unless configured): iommu_memkb
 * (passthrough="sync_pt" only), a stub domain's memory (device model
 * stub domains), an explicit shadow_memory=.
 * *overhead_kb (may be NULL) is need - memory: what the domain costs
 * the host beyond its memory; *need_kb (may be NULL) the total.
 * INVAL: memory 0, maxmem below memory (maxmem 0 means memory), vcpus 0,
 * a type other than PV/HVM, sizes that overflow.  Pure: no context, no
 * cost.
 */
#define MEMPOLICY_HAVE_NEED_MEMORY 1
/* LIBXL_PV_EXTRA_MEMORY and LIBXL_HVM_EXTRA_MEMORY (libxl_internal.h). */
#define MEMPOLICY_PV_EXTRA_KB 1024u
#define MEMPOLICY_HVM_EXTRA_KB 2048u
typedef struct mempolicy_build_mem {
    mempolicy_domain_type type; /* PV, or HVM (HVM and PVH alike) */
    bool hap;                   /* non-PV only: HAP (libxl's default) */
    uint64_t memory_kb;         /* memory= (target_memkb) */
    uint64_t maxmem_kb;         /* maxmem= (max_memkb); 0: memory_kb */
    unsigned vcpus;             /* maxvcpus=, else vcpus= (default 1) */
} mempolicy_build_mem;
int mempolicy_need_memory(const mempolicy_build_mem *b, uint64_t *overhead_kb,
                          uint64_t *need_kb);

/*
 * Reservations: ask the host for memory before creating a domain, as a
 * toolstack asks squeezed (reserve_memory) or qmemman (its request
 * socket).  The host-wide balance actor (actors/balance, docs/
 * reservations.md) frees the memory free-before-allocate from the
 * domains it manages (never below any domain's floor or guarantee,
 * never dom0 below its minimum), keeps it back from balancing, and
 * grants or refuses the request; the caller then creates the domain and
 * hands the reservation over to it (transfer), after which the domain's
 * own pages account for that memory (it is counted once).  Until the
 * hand-over the domain being built counts twice: the safe side, the
 * actor may hold others down for the time of the build.
 *
 * Reservations live in the store, dom0-only:
 *   /tool/mempolicy/reservations/next-id    ids are never reused
 *   /tool/mempolicy/reservations/<id>/size-kb, state (pending, granted,
 *       refused), owner ("PID START": the creating process, START field
 *       22 of /proc/PID/stat), created-ms, deadline-ms, lifetime-ms,
 *       granted-ms (host ms: xensim's simulated clock on the simulated
 *       host), reason (why it was refused)
 * so they survive a restart of the actor.  A reservation ends when it
 * is handed over, released, or when its lifetime has passed since it
 * was granted and its creator is gone (a process that dies holding one
 * does not hold memory for ever; one whose creator lives is kept, and
 * looked at again a lifetime later).  Concurrent requests never share
 * free memory: the actor grants one at a time, in id order, counting
 * the memory of those it granted before, and every state change is a
 * store transaction.
 *
 * With no balance actor running, request grants at once what is free
 * now beyond the memory other reservations hold (nothing can be freed),
 * or refuses (NO_MEMORY, the detail naming the shortfall).
 */
#define MEMPOLICY_HAVE_RESERVATIONS 1
/* Their directory, for a watch (the actor answering them). */
#define MEMPOLICY_RESERVATIONS_PATH "/tool/mempolicy/reservations"
/* At most this many reservations at once (pending, granted or refused). */
#define MEMPOLICY_RESERVATIONS_MAX 64
/* Defaults for a timeout and lifetime of 0. */
#define MEMPOLICY_RESERVE_TIMEOUT_MS 30000u
#define MEMPOLICY_RESERVE_LIFETIME_MS 300000u

typedef enum {
    MEMPOLICY_RESERVATION_PENDING = 1,
    MEMPOLICY_RESERVATION_GRANTED = 2,
    MEMPOLICY_RESERVATION_REFUSED = 3,
} mempolicy_reservation_state;

typedef struct mempolicy_reservation {
    uint32_t id;
    mempolicy_reservation_state state;
    uint64_t size_kb;
    int32_t owner_pid;      /* 0 when unknown */
    bool owner_alive;       /* the creating process still runs */
    uint64_t created_ms;    /* host ms */
    uint64_t deadline_ms;   /* granted or refused by then */
    uint64_t lifetime_ms;
    uint64_t granted_ms;    /* 0 unless granted */
    char *reason;           /* refused: one line (malloc'd); else NULL */
} mempolicy_reservation;

/* Frees what *r holds and zeroes it; NULL is fine. */
void mempolicy_reservation_dispose(mempolicy_reservation *r);
/* Disposes each entry and frees the array; NULL is fine. */
void mempolicy_reservation_list_free(mempolicy_reservation *list, int n);

/*
 * Ask for size_kb (1 .. the host's total memory, else RANGE) to be kept
 * free for this process, granted within timeout_ms of host time (0:
 * MEMPOLICY_RESERVE_TIMEOUT_MS), kept lifetime_ms after the grant should
 * this process die (0: MEMPOLICY_RESERVE_LIFETIME_MS).  Does not wait:
 * 0 and *id with the reservation pending (or already granted or refused
 * when no actor runs, see above); BUSY with MEMPOLICY_RESERVATIONS_MAX
 * reservations already; STORE, AGAIN.  Cost: one hypervisor query, one
 * transaction reading every reservation (a few round trips each).
 */
int mempolicy_reservation_request(mempolicy_ctx *ctx, uint64_t size_kb,
                                  uint32_t timeout_ms, uint32_t lifetime_ms,
                                  uint32_t *id);
/*
 * Wait until reservation id is granted (0, *out filled if out is not
 * NULL) or refused (NO_MEMORY; the detail is the actor's line saying how
 * much could be freed and what held the rest; the refused reservation is
 * removed).  Waits on a store watch (no polling), bounded by the
 * deadline plus 5 s of host time: a request no actor answered by then is
 * removed and refused.  NO_RESERVATION if it does not exist.  On the
 * simulated host a held clock holds the wait too.  Cost: a store
 * connection of its own for the wait, a few reads per change.
 */
int mempolicy_reservation_wait(mempolicy_ctx *ctx, uint32_t id,
                               mempolicy_reservation *out);
/* request, then wait: 0 and *id granted, or the errors of both (a
 * refused request leaves nothing behind). */
int mempolicy_reserve(mempolicy_ctx *ctx, uint64_t size_kb,
                      uint32_t timeout_ms, uint32_t lifetime_ms,
                      uint32_t *id);
/*
 * Hand granted reservation id over to domain domid, just created for it
 * (xl create -p has returned: its memory is allocated): the reservation
 * ends and the domain's pages count from now on.  NO_RESERVATION; INVAL
 * if it is not granted (pending or refused); NO_DOMAIN/DYING (the
 * reservation is kept: release it).  Cost: one hypervisor query, one
 * transaction.
 */
int mempolicy_reservation_transfer(mempolicy_ctx *ctx, uint32_t id,
                                   uint32_t domid);
/* End reservation id, whatever its state: NO_RESERVATION when there is
 * none (unknown, released already, handed over, expired).  Any process
 * may release any reservation (dom0 only).  Cost: one transaction. */
int mempolicy_reservation_release(mempolicy_ctx *ctx, uint32_t id);
/* One reservation (NO_RESERVATION), or all of them in id order
 * (*list free with mempolicy_reservation_list_free(*list, *n)).  A
 * malformed node is FAIL naming it.  Cost: a few store reads each and a
 * read of /proc per owner. */
int mempolicy_reservation_get(mempolicy_ctx *ctx, uint32_t id,
                              mempolicy_reservation *out);
int mempolicy_reservation_list(mempolicy_ctx *ctx,
                               mempolicy_reservation **list, int *n);

/* ---- memory groups ------------------------------------------------------ */

/*
 * Memory groups, libvirt's resource partitions (docs/groups.md): a named
 * budget shared by the domains whose policy params say group=NAME (a
 * common param, libmempolicy_actor.h).  The balance actor keeps the sum
 * of a group's domains within its budget, and under contention shares
 * memory between the groups and the domains of no group (the root
 * group: the host) by weight, then within a group by each domain's own
 * weight, as cgroups share between siblings.
 *
 * Groups live in the store, dom0-only, so they outlive any actor:
 *   /tool/mempolicy/groups/<name>/budget-kb   KiB
 *   /tool/mempolicy/groups/<name>/weight      1..MEMPOLICY_GROUP_WEIGHT_MAX
 * Names: 1 to MEMPOLICY_GROUP_MAX characters of a-z, 0-9, _ and -,
 * starting with a letter or a digit (mempolicy_group_name_valid).
 * A group's members are found from the domains' params (no list is
 * kept): each call that needs them reads every domain's
 * /libxl/<domid>/memory-policy/actor-params in its transaction, so a
 * member cannot join or leave unseen.
 *
 * The params writes (mempolicy_domain_set_policy, _set_policy_target,
 * _update_params) refuse group=NAME when there is no such group, or when
 * the domain's min_guarantee would take the guarantees of the group's
 * domains above its budget (INVAL).  (A restored or default policy,
 * _set_policy_if_unset, is not refused: an unknown group counts as the
 * root group there.)
 */
#define MEMPOLICY_HAVE_GROUPS 1
#define MEMPOLICY_GROUPS_PATH "/tool/mempolicy/groups"
#define MEMPOLICY_GROUPS_MAX 64
#define MEMPOLICY_GROUP_MAX 64 /* characters of a name */
#define MEMPOLICY_GROUP_WEIGHT_MAX 100
#define MEMPOLICY_GROUP_WEIGHT_DEFAULT 1

typedef struct mempolicy_group {
    char name[MEMPOLICY_GROUP_MAX + 1];
    uint64_t budget_kb;
    unsigned weight;
    /* Its domains, as their params say at the time of the call. */
    unsigned members;
    uint64_t guarantee_kb; /* the sum of their min_guarantee */
} mempolicy_group;

/*
 * Create group name, or change it: budget_kb (1 KiB .. the host's total
 * memory, and at least the sum of its domains' min_guarantee) and weight
 * (1 .. MEMPOLICY_GROUP_WEIGHT_MAX; 0 keeps the group's weight, or
 * MEMPOLICY_GROUP_WEIGHT_DEFAULT for a new group).  INVAL (bad name,
 * budget or weight: the detail names it, nothing written); BUSY with
 * MEMPOLICY_GROUPS_MAX groups already; STORE, AGAIN.  Cost: one
 * hypervisor query, one transaction reading every domain's params.
 */
int mempolicy_group_set(mempolicy_ctx *ctx, const char *name,
                        uint64_t budget_kb, unsigned weight);
/* Group name into *out (the caller's): NO_GROUP, INVAL (bad name),
 * FAIL naming a malformed node.  Cost: one transaction reading every
 * domain's params. */
int mempolicy_group_get(mempolicy_ctx *ctx, const char *name,
                        mempolicy_group *out);
/* Every group, by name (*list malloc'd, free() it; NULL and 0 when
 * there is none).  Cost: as _get, once for all. */
int mempolicy_group_list(mempolicy_ctx *ctx, mempolicy_group **list, int *n);
/* Remove group name: NO_GROUP; BUSY while a domain's params still say
 * group=name (the detail names the domains; nothing removed).  Cost:
 * one transaction reading every domain's params. */
int mempolicy_group_remove(mempolicy_ctx *ctx, const char *name);

/* ---- time -------------------------------------------------------------- */

/*
 * The host's clock speed: 1.0 on real Xen; xensim's --speed on the
 * simulated host (read once, when the context is made): a 5 s delay of
 * host time takes 50 ms of real time at --speed 100.  The actor kit's
 * timers follow the simulated clock itself (which a test may also pause
 * and step), not this figure.
 */
double mempolicy_clock_speed(mempolicy_ctx *ctx);


#ifdef __cplusplus
}
#endif

#endif
