/*
 * libmempolicy.h: policy-driven guest memory management for Xen hosts.
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
 *  - a context is not thread-safe: use one per thread.
 *
 * The data model lives in xenstore (see docs/design.md):
 *   /libxl/<domid>/memory-policy/{actor,actor-params,target,enforce}
 * written together in one transaction, and the mechanism nodes
 *   /local/domain/<domid>/memory/{target,static-max,target-tot_pages}.
 *
 * Feature macros: each capability is announced by a MEMPOLICY_HAVE_*
 * macro so that callers can #ifdef on it as they do with LIBXL_HAVE_*.
 */
#ifndef LIBMEMPOLICY_H
#define LIBMEMPOLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <xentoollog.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMPOLICY_VERSION_MAJOR 0
#define MEMPOLICY_VERSION_MINOR 1

#define MEMPOLICY_HAVE_POLICY 1
#define MEMPOLICY_HAVE_TARGET 1
#define MEMPOLICY_HAVE_LOWLEVEL 1
#define MEMPOLICY_HAVE_DOMAIN_INFO 1
#define MEMPOLICY_HAVE_EVENTS 1
#define MEMPOLICY_HAVE_CONFIG 1
#define MEMPOLICY_HAVE_JSON 1
#define MEMPOLICY_HAVE_ACTOR_KIT 1

/* ---- errors ------------------------------------------------------------ */

#define MEMPOLICY_OK 0
#define MEMPOLICY_ERROR_FAIL -1        /* unspecified failure */
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
#define MEMPOLICY_ERROR_NOTSUP -11     /* hardware cannot do it
                                          (EOPNOTSUPP from Xen) */
#define MEMPOLICY_ERROR_BUSY -12       /* resource busy */
#define MEMPOLICY_ERROR_PERM -13       /* permission denied */
#define MEMPOLICY_ERROR_STORE -14      /* xenstore unreachable or failed */
#define MEMPOLICY_ERROR_AGAIN -15      /* transaction kept conflicting */
#define MEMPOLICY_ERROR_CONFIG -16     /* malformed configuration file */
#define MEMPOLICY_ERROR_NO_HYPERVISOR -17 /* no hypervisor interface */
#define MEMPOLICY_ERROR_NOT_READY -18  /* no event pending */

/* Static name of an error code, e.g. "no such domain". */
const char *mempolicy_strerror(int rc);

/* ---- context ----------------------------------------------------------- */

typedef struct mempolicy_ctx mempolicy_ctx;

/*
 * Connect to xenstore (XENSTORED_PATH or the standard socket) and pick
 * the hypervisor backend: "sim" when the store is xensim
 * (/tool/xensim/hv-socket exists), "xen" otherwise.  `lg` receives the
 * library's log messages and must outlive the context; flags must be 0.
 */
int mempolicy_ctx_alloc(mempolicy_ctx **pctx, unsigned flags,
                        xentoollog_logger *lg);
void mempolicy_ctx_free(mempolicy_ctx *ctx);

/* "sim" or "xen". */
const char *mempolicy_backend_name(mempolicy_ctx *ctx);

/* One-line description of the last error on ctx ("" if none). */
const char *mempolicy_last_error(mempolicy_ctx *ctx);

/*
 * Declare that this context acts for `actor`: its low-level setters are
 * then also allowed on domains whose actor is `actor`.  NULL clears it.
 */
int mempolicy_ctx_set_actor(mempolicy_ctx *ctx, const char *actor);

/* ---- validators (pure; usable without a context) ----------------------- */

/* Actor names: "" (none) or [a-z0-9-]{1,64}; "xl" is returned as
 * "xl-auto" in *canonical (static string or the input). */
int mempolicy_actor_name_valid(const char *actor, const char **canonical);
/* Params: "" or key=value[,key=value...], keys [a-z0-9_-]+, no commas in
 * values, at most MEMPOLICY_PARAMS_MAX bytes. */
#define MEMPOLICY_PARAMS_MAX 1024
#define MEMPOLICY_ACTOR_MAX 64
int mempolicy_params_valid(const char *params);
/* Look up `key` in a params string; *value malloc'd.  NO_DOMAIN-free:
 * returns MEMPOLICY_ERROR_INVAL when absent. */
int mempolicy_params_get(const char *params, const char *key, char **value);

/* ---- high level: policy and target ------------------------------------- */

typedef struct mempolicy_policy {
    char *actor;          /* "" = no actor */
    char *actor_params;   /* "" = none */
    uint64_t target_kb;   /* 0 when has_target is false */
    bool has_target;
    bool enforce;
} mempolicy_policy;

void mempolicy_policy_dispose(mempolicy_policy *p);

/* Set actor and params (one transaction, other nodes kept). */
int mempolicy_domain_set_policy(mempolicy_ctx *ctx, uint32_t domid,
                                const char *actor, const char *params);
/* The whole policy, read in one transaction. */
int mempolicy_domain_get_policy(mempolicy_ctx *ctx, uint32_t domid,
                                mempolicy_policy *out);

/*
 * Set the memory target.  relative: target_kb is added to the current
 * target (the policy target, or memory/target when none was set yet) and
 * may be negative.  The result must be > 0 and <= static-max.  With an
 * actor, only the policy nodes change and the actor acts on the event.
 * With no actor (""), it also behaves as xl mem-set does: writes the
 * balloon target and, if enforce, sets maxmem to the target.
 */
int mempolicy_domain_set_target(mempolicy_ctx *ctx, uint32_t domid,
                                int64_t target_kb, bool relative,
                                bool enforce);
int mempolicy_domain_get_target(mempolicy_ctx *ctx, uint32_t domid,
                                uint64_t *target_kb, bool *enforce);

/*
 * Actor, params and target together, in one transaction (what a toolstack
 * does when it builds a domain: configured policy plus initial target).
 * Same rules as set_policy and set_target.
 */
#define MEMPOLICY_HAVE_SET_POLICY_TARGET 1
int mempolicy_domain_set_policy_target(mempolicy_ctx *ctx, uint32_t domid,
                                       const char *actor, const char *params,
                                       int64_t target_kb, bool relative,
                                       bool enforce);

/* ---- low level: mechanisms --------------------------------------------- */

/* Setters refused with MEMPOLICY_ERROR_NOT_ACTOR unless the domain's
 * actor is xl-manual or the context's own actor; getters always work. */
int mempolicy_domain_set_balloon_target(mempolicy_ctx *ctx, uint32_t domid,
                                        int64_t target_kb, bool relative);
int mempolicy_domain_get_balloon_target(mempolicy_ctx *ctx, uint32_t domid,
                                        uint64_t *target_kb);
/* 0 pages everything back in (and disables paging for the caller's
 * bookkeeping); needs paging enabled otherwise. */
int mempolicy_domain_set_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       int64_t target_kb, bool relative);
int mempolicy_domain_get_paging_target(mempolicy_ctx *ctx, uint32_t domid,
                                       uint64_t *target_kb);
/* Idempotent. */
int mempolicy_domain_enable_paging(mempolicy_ctx *ctx, uint32_t domid);
int mempolicy_domain_disable_paging(mempolicy_ctx *ctx, uint32_t domid);
int mempolicy_domain_enable_sharing(mempolicy_ctx *ctx, uint32_t domid);
int mempolicy_domain_disable_sharing(mempolicy_ctx *ctx, uint32_t domid);
/* Directory where pagers keep their pagefiles (real host). */
int mempolicy_set_paging_dir(mempolicy_ctx *ctx, const char *dir);

/*
 * Page sharing primitives, for sharing actors (Xen's memshr API).  Guest
 * pages are 4 KiB frames (gfn).  page_hashes reads the content
 * fingerprints of `count` (<= 512) pages from first_gfn (on a real host by
 * mapping them with xenforeignmemory and hashing them).
 */
int mempolicy_domain_page_hashes(mempolicy_ctx *ctx, uint32_t domid,
                                 uint64_t first_gfn, unsigned count,
                                 uint64_t *hashes);
int mempolicy_domain_nominate_gfn(mempolicy_ctx *ctx, uint32_t domid,
                                  uint64_t gfn, uint64_t *handle);
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
    char *name;
    mempolicy_domain_type type;
    bool hap;
    bool dying;
    uint64_t static_max_kb;
    uint64_t actual_kb;          /* tot_pages */
    uint64_t maxmem_kb;
    uint64_t paged_kb;
    uint64_t shared_kb;
    uint64_t cow_breaks;         /* copy-on-write breaks of shared pages */
    uint64_t balloon_target_kb;
    uint64_t paging_target_kb;
    bool paging;
    bool sharing;
    mempolicy_policy policy;
} mempolicy_dominfo;

void mempolicy_dominfo_dispose(mempolicy_dominfo *info);
void mempolicy_dominfo_list_free(mempolicy_dominfo *list, int n);

int mempolicy_domain_info(mempolicy_ctx *ctx, uint32_t domid,
                          mempolicy_dominfo *out);
/* All domains, sorted by domid. */
int mempolicy_list_domains(mempolicy_ctx *ctx, mempolicy_dominfo **list,
                           int *n);

typedef struct mempolicy_physinfo {
    uint64_t total_kb;
    uint64_t free_kb;
    uint64_t shared_kb;
    uint64_t freed_by_sharing_kb;
} mempolicy_physinfo;
int mempolicy_get_physinfo(mempolicy_ctx *ctx, mempolicy_physinfo *out);

/* A domain named by name or numeric id, as xl does it. */
int mempolicy_domain_qualifier_to_domid(mempolicy_ctx *ctx, const char *s,
                                        uint32_t *domid);

/* ---- events ------------------------------------------------------------ */

/*
 * Events are generated from xenstore watches and delivered through one
 * file descriptor (mempolicy_event_fd) that becomes readable when events
 * may be pending; mempolicy_event_get() then returns them one by one.
 * Several changes to one domain between two gets may be coalesced into
 * one event, whose snapshot is always the latest.  Events queue in the
 * context until collected.  Enabling DOMAIN_INTRODUCE/DEATH costs one
 * xenstore directory read per introduce/release.
 */
typedef enum {
    MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED = 1,
    MEMPOLICY_EVENT_DOMAIN_INTRODUCE = 2,
    MEMPOLICY_EVENT_DOMAIN_DEATH = 3,
} mempolicy_event_type;

typedef struct mempolicy_event {
    mempolicy_event_type type;
    uint32_t domid;
    /* TARGET_CHANGED: the policy as read in one transaction. */
    mempolicy_policy policy;
} mempolicy_event;

typedef struct mempolicy_evgen mempolicy_evgen;

/*
 * actor NULL: every change.  Otherwise: changes while `actor` is the
 * domain's actor, including the change that makes it so and the change
 * that makes it something else (the snapshot then names the new actor,
 * so the old actor learns that it lost the domain).
 */
int mempolicy_evenable_target_changed(mempolicy_ctx *ctx, const char *actor,
                                      mempolicy_evgen **evgen_out);
int mempolicy_evenable_domain_introduce(mempolicy_ctx *ctx,
                                        mempolicy_evgen **evgen_out);
int mempolicy_evenable_domain_death(mempolicy_ctx *ctx,
                                    mempolicy_evgen **evgen_out);
void mempolicy_evdisable(mempolicy_ctx *ctx, mempolicy_evgen *evgen);

int mempolicy_event_fd(mempolicy_ctx *ctx);
/* 0 and *ev_out, or MEMPOLICY_ERROR_NOT_READY when nothing is pending. */
int mempolicy_event_get(mempolicy_ctx *ctx, mempolicy_event **ev_out);
/* Block up to timeout_ms (-1: forever); NOT_READY on timeout. */
int mempolicy_event_wait(mempolicy_ctx *ctx, mempolicy_event **ev_out,
                         int timeout_ms);
void mempolicy_event_free(mempolicy_ctx *ctx, mempolicy_event *ev);

/* ---- configuration (xl.conf and domain config files, via libxlutil) ---- */

/* Default global config file, as xl: /etc/xen/xl.conf; overridden by the
 * MEMPOLICY_XL_CONF environment variable. */
const char *mempolicy_default_global_config(void);

/*
 * Effective policy from the config files: memory_policy and
 * memory_policy_args of `domain_cfg` (may be NULL) override those of
 * `global_cfg` (NULL: the default file; a missing default file is not an
 * error); absent everywhere: "xl-auto" with "".  The values are
 * validated; MEMPOLICY_ERROR_CONFIG names file and problem.
 */
int mempolicy_config_policy(mempolicy_ctx *ctx, const char *global_cfg,
                            const char *domain_cfg, char **actor,
                            char **params);

/* ---- JSON (yajl) ------------------------------------------------------- */

/* malloc'd JSON texts, NULL on allocation failure. */
char *mempolicy_dominfo_to_json(mempolicy_ctx *ctx,
                                const mempolicy_dominfo *info);
char *mempolicy_dominfo_list_to_json(mempolicy_ctx *ctx,
                                     const mempolicy_dominfo *list, int n);
char *mempolicy_event_to_json(mempolicy_ctx *ctx, const mempolicy_event *ev);

/* ---- time -------------------------------------------------------------- */

/*
 * The host's clock speed: 1.0 on real Xen; xensim's --speed on the
 * simulated host.  Actors divide their delays by it, so a 5 s delay takes
 * 50 ms of real time at --speed 100.
 */
double mempolicy_clock_speed(mempolicy_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
