/*
 * balance.h: the balance actor's state, shared by its files:
 * balance.c (the kit's callbacks, options, main), watch.c (the guests'
 * reports through xenstore watches) and apply.c (a pass: refresh, plan,
 * carry out free-before-allocate, stuck balloons, status lines).
 */
#ifndef BALANCE_H
#define BALANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmempolicy_actor.h>

#include "plan.h"
#include "report.h"

#define BALANCE_ACTOR_NAME "balance"

/* Defaults (host-wide options and per-domain params). */
#define BAL_FLOOR_KB (72u * 1024) /* squeezed: 64 MiB + 8 MiB */
#define BAL_DAMP_KB (128u * 1024)
#define BAL_MIN_KB (200u * 1024) /* qmemman's vm-min-mem */
#define BAL_HEADROOM_PCT 30u     /* qmemman's cache-margin 1.3 */
#define BAL_GRACE_MS 30000u
#define BAL_TICK_MS 200u   /* while balloons move */
#define BAL_STUCK_MS 5000u /* squeezed's stuck balloon */
#define BAL_STUCK_RETRY_MAX_MS 300000u
#define BAL_SLOW_KB_S (16u * 1024)    /* below this a donor is slow */
#define BAL_WAIT_STEP_MS 200u         /* before a partial raise */
#define BAL_SHORT_PATIENCE_MS 10000u  /* a small shortfall that lasts */
#define BAL_MIN_WRITE_KB (4u * 1024)  /* ... and is worth a write */
#define BAL_STEP_MIN_KB (64u * 1024) /* partial raise of a swapping guest */
#define BAL_STEP_DIV 8u               /* ... and an eighth of the way */

struct bdom {
    uint32_t domid;
    size_t idx; /* in bal.v */

    /* params */
    char *params_str;
    uint64_t p_min_kb, p_max_kb; /* p_max_kb 0: static-max */
    unsigned weight, headroom_pct;
    uint64_t grace_ms;
    bool enforce, has_policy_target;
    uint64_t policy_target_kb;
    mempolicy_memtune mt; /* the common params: hard_limit, soft_limit,
                           * min_guarantee, group (docs/memtune.md) */
    unsigned group;       /* 0: the root group; k: bal.grp[k - 1] */

    /* the hypervisor and the store */
    uint64_t static_max_kb;
    uint64_t actual_kb, maxmem_kb;
    uint64_t target_kb;   /* balloon target as last written/read, video
                           * RAM included (as set_balloon_target takes
                           * it: memory/target + videoram) */
    uint64_t videoram_kb; /* memory/videoram (HVM), for target_cmp */
    uint64_t initial_kb;
    uint64_t born_ms; /* host ms when we took it */

    /* the guest's reports */
    bool has_used;
    uint64_t used_kb; /* as reported (clipped in planning) */
    bool used_clipped;
    unsigned psi_x100;
    struct br_guard guard;
    bool reread; /* read the nodes again at penalty end */

    /* movement */
    bool moving;
    uint64_t move_from_kb, move_ms;    /* at the last target write */
    uint64_t progress_kb, progress_ms; /* last actual seen moving */
    bool stuck, slow, capped;
    uint64_t stuck_retry_ms, stuck_backoff_ms;
    bool waiting; /* raise planned, memory not free yet */
    bool was_waiting;
    uint64_t wait_since_ms;
    bool damped;
    bool pays;  /* a small decrease written for what the host needs */
    bool partial; /* raised by part of its plan: the rest is not damped */
    bool bound; /* its target is outside its floor and cap: a change
                 * that brings it back is never damped */
    uint64_t short_since_ms; /* short of what it uses since (else now) */
    bool was_short;          /* ... at the last pass */
    bool published;
    uint64_t pub_sig;
    /* what the status line said */ /* plan within damping: target kept */
    uint64_t want_kb, plan_kb;
    struct bp_dom first; /* this pass's first plan of it, which explains
                          * a re-plan that kept it there (apply.c) */

    mempolicy_timer *timer; /* grace end / penalty end */
    bool watching;
};

struct bal {
    struct bp_host first_host; /* this pass's first plan (bdom.first) */
    mempolicy_actor *a;
    mempolicy_ctx *ctx;
    struct xs_handle *xs; /* watches and the guests' nodes */
    bool ready, failed_init;

    /* options */
    uint64_t floor_kb, reserve_kb, damp_kb;

    struct bdom **v;
    size_t n, cap;
    struct bp_dom *pd;
    struct bdom **cand; /* scratch: damping candidates */
    double *scratch;

    mempolicy_timer *timer; /* the next pass */
    uint64_t timer_due_ms;  /* host ms, when armed */
    /* reservations (reserve.c), ascending ids */
    mempolicy_reservation *resv;
    int nresv;
    mempolicy_timer *resv_timer; /* next deadline or expiry */
    uint64_t reserved_kb;        /* held back: granted + being freed */
    uint64_t granted_kb;         /* of which granted (counted once) */
    /* domains created while reservations were granted: their pages
     * already hold (part of) that memory until the hand-over */
    uint32_t newcomer[16];
    unsigned nnew;
    uint64_t free_kb; /* last seen */
    /* memory groups (groups.c), by name; bpg: the same for the plan */
    mempolicy_group *grp;
    int ngrp;
    struct bp_group bpg[BP_GROUPS_MAX];
    uint64_t grp_tgt_kb[BP_GROUPS_MAX]; /* a pass's sum of targets */

    /* figures (logged at exit with -v; bench reads the log) */
    uint64_t passes, writes, plan_ns, plan_max_ns;
};

uint64_t bal_now_ms(struct bal *b);
/* Run a pass soon (coalesces: one pass for many events). */
void bal_schedule(struct bal *b, uint64_t ms);
/* A domain's own timer (boot grace, penalty end): a pass. */
void bal_dom_timer(mempolicy_actor *a, void *arg);

/* watch.c */
int bal_watch_init(struct bal *b);
void bal_watch_fini(struct bal *b);
int bal_watch_domain(struct bal *b, struct bdom *d);
void bal_unwatch_domain(struct bal *b, struct bdom *d);
void bal_read_reports(struct bal *b, struct bdom *d);
struct bdom *bal_find(struct bal *b, uint32_t domid);

/* reserve.c: reservations.  read: the list again (a watch fired, or a
 * deadline or expiry came), then a pass.  admit (in a pass, after the
 * first plan): refuses what no plan can meet, returns and sets
 * reserved_kb.  grant (at the end of a pass): grants what is free now,
 * refuses what is past its deadline. */
void bal_resv_read(struct bal *b);
bool bal_resv_any(const struct bal *b);
uint64_t bal_resv_admit(struct bal *b, const mempolicy_physinfo *phys);
void bal_resv_grant(struct bal *b, const mempolicy_physinfo *phys,
                    uint64_t commit_kb);
void bal_resv_fini(struct bal *b);
/* A domain appeared: while reservations are granted, it may be the one
 * a toolstack is building with one (counted once). */
void bal_resv_introduced(struct bal *b, uint32_t domid);

/* groups.c: the memory groups.  read: the list again (the watch
 * fired), every domain's group index, then a pass.  group_of: d's group
 * from its params (log: say so when it names no group). */
void bal_groups_read(struct bal *b);
void bal_group_of(struct bal *b, struct bdom *d, bool log);
void bal_groups_fini(struct bal *b);

/* apply.c */
void bal_pass(mempolicy_actor *a, void *arg);
/*
 * What raises already written may still take from the host (growing
 * domains up to their target within maxmem, stuck ones included).  Host
 * free memory is worth only free - this: grant nothing (a request, a
 * reservation) on more.
 */
uint64_t bal_pending_kb(const struct bal *b);

#endif
