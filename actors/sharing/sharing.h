/*
 * sharing.h: the sharing actor's state, shared by its source files.
 *
 * sharing.c holds the policy (what each domain's target asks for, in
 * which order the mechanisms are used), scan.c the host-wide scan
 * scheduling on top of the engine (engine.h), report.c the figures
 * written to xenstore.  One process, one loop, no threads.
 */
#ifndef SHARING_SHARING_H
#define SHARING_SHARING_H

#include <stdbool.h>
#include <stdint.h>

#include <libmempolicy_actor.h>

#include "engine.h"
#include "policy.h"   /* xl-auto's pure decisions, shared on purpose */

#define SHARING_ACTOR_NAME "sharing"

#define SHARING_DEFAULT_RATE 16384u      /* pages/s per domain: 64 MiB/s */
#define SHARING_DEFAULT_MAX_RATE 65536u  /* pages/s for the host */
#define SHARING_MAX_RATE (1u << 24)
#define SHARING_DEFAULT_COW_CHECK_MS 10000u
#define SHARING_SLICE_MS 100u            /* scan slice period, host time */
#define SHARING_REPORT_SLICES 10u        /* report at most once a second */
#define SHARING_REVISE_MIN_KB 4096u      /* balloon hysteresis floor */

struct sharing_params {
    struct xla_params base;   /* delay, paging, min: as xl-auto */
    uint64_t rate;            /* rate=PAGES_PER_SECOND */
    uint64_t cow_check_ms;    /* cow-check=SECONDS, 0: never */
};

struct sharing_actor;

struct sdom {
    struct sharing_actor *s;
    uint32_t domid;
    bool caps_known;
    bool hvm_hap;
    uint64_t static_max_kb;

    /* sharing */
    bool share_tried;         /* enabling sharing was attempted */
    bool sharing;             /* enabled by us and known to the engine */
    bool share_unavailable;   /* reason logged once */
    uint64_t cow_base;        /* hypervisor's cow_breaks when we joined */
    uint64_t cow_seen;        /* hypervisor's cow_breaks at the last look */
    uint64_t cow_scanned;     /* cow_seen when the last pass was asked for:
                               * breaks beyond it are not looked at yet */
    uint64_t shared_kb;       /* hypervisor's, at the last look */
    bool pass_pending_apply;  /* apply the balloon when the pass ends */
    bool held;                /* PoD entries or paged out: not hashed */
    uint64_t held_pod_kb, held_paged_kb;

    /* policy */
    bool has_target;
    uint64_t policy_target_kb; /* as the policy says */
    uint64_t target_kb;       /* clamped to [min, static-max] */
    bool enforce;
    struct sharing_params params;
    char *params_str;
    bool paging_unavailable;

    /* balloon and paging, as xl-auto */
    mempolicy_timer *timer;
    uint64_t interval_ms;
    uint64_t last_actual_kb, last_paged_kb;
    uint64_t paged_kb; /* at the last look, for the status line */
    bool maybe_paging;
    uint64_t balloon_kb;      /* last balloon target we set, 0: none */
    uint64_t balloon_saved_kb; /* saved_kb it was computed with */

    /* report cache */
    char report[200];
    unsigned idx;             /* position in the actor's domain array */
};

struct sharing_actor {
    mempolicy_actor *a;
    struct shr_engine *eng;
    uint64_t max_rate;            /* pages/s, host-wide */
    struct sdom **doms;
    unsigned ndoms, cap;
    unsigned rr;                  /* round-robin start of the next slice */
    mempolicy_timer *scan_timer;
    unsigned slices_since_report;
    mempolicy_timer *cow_timer;
    uint64_t cow_interval_ms;
    struct xs_handle *xs;         /* for the reports */
    char host_report[256];
};

/* sharing.c */
struct sdom *sharing_dom(struct sharing_actor *s, uint32_t domid);
/* Refresh a domain's figures, report them, and let its balloon target
 * follow its savings. */
void sharing_follow(struct sharing_actor *s, struct sdom *d);
/* A domain's pass finished (or it went away from the engine). */
void sharing_pass_done(struct sharing_actor *s, struct sdom *d);
/* Refresh hypervisor figures of a domain; false if it is gone. */
bool sharing_refresh(struct sharing_actor *s, struct sdom *d,
                     mempolicy_dominfo *info_out);
uint64_t sharing_saved_kb(struct sharing_actor *s, const struct sdom *d);
/* Ask for a pass over the domain, covering every break counted so far
 * (cow_seen must be fresh). */
void sharing_rescan(struct sharing_actor *s, struct sdom *d);
/* The domain's range, fresh; false (its pass ended) while it has PoD
 * entries or paged-out frames, which must not be hashed. */
bool sharing_may_scan(struct sharing_actor *s, struct sdom *d);

/* scan.c */
extern const struct shr_ops sharing_shr_ops;
void scan_kick(struct sharing_actor *s);
void scan_stop(struct sharing_actor *s);
void cow_check_arm(struct sharing_actor *s, bool reset);
void cow_check_stop(struct sharing_actor *s);

/* report.c */
void report_domain(struct sharing_actor *s, struct sdom *d);
void report_domain_remove(struct sharing_actor *s, uint32_t domid);
void report_host(struct sharing_actor *s);
void report_host_remove(struct sharing_actor *s);
void report_all(struct sharing_actor *s);
void report_close(struct sharing_actor *s);

#endif
