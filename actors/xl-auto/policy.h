/*
 * policy.h: xl-auto's decisions, as pure functions.
 *
 * Everything xl-auto decides (its params, the clamped target, what to do
 * with paging after the delay, how long to wait before looking again) is
 * computed here from plain values, with no store and no clock, so that
 * each rule is unit-tested on its own (tests/actors/test_xl_auto_policy.c)
 * and xl-auto.c only carries decisions out.
 */
#ifndef XL_AUTO_POLICY_H
#define XL_AUTO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLA_DEFAULT_DELAY_MS 5000u

/* Re-check interval while paging is in effect: from the delay (at least
 * XLA_RECHECK_MIN_MS) doubling while nothing moves, up to the cap. */
#define XLA_RECHECK_MIN_MS 1000u
#define XLA_RECHECK_MAX_MS 300000u

#include <libmempolicy_actor.h>

struct xla_params {
    uint64_t delay_ms;   /* delay=SECONDS, default 5 */
    bool paging;         /* paging=1|0, default 0 */
    uint64_t min_kb;     /* min=SIZE, default 0 */
    mempolicy_memtune mt; /* the common params (docs/memtune.md) */
};

/*
 * Parse "delay=..,paging=..,min=.." and the common memtune keys
 * (mempolicy_memtune_get).  Unknown keys are ignored (another version's
 * params must not stop the actor).  On a malformed value the default is
 * kept for that key, the others still apply, and the return is -1 with
 * the reason in err.
 */
int xla_parse_params(const char *s, struct xla_params *p, char *err,
                     size_t errlen);

/*
 * The target an actor gives the domain: within
 * mempolicy_memtune_range(), i.e. at least max(min, min_guarantee), at
 * most min(static-max, hard_limit - 1024 KiB) (so that maxmem, target +
 * 1024 KiB, never passes the hard limit); where floor and cap cross, the
 * cap wins.
 */
uint64_t xla_clamp(const struct xla_params *p, uint64_t target_kb,
                   uint64_t static_max_kb);

/* What the hypervisor says about the domain when we look. */
struct xla_obs {
    uint64_t actual_kb;        /* tot_pages: paged-out pages NOT included,
                                  as in Xen */
    uint64_t paged_kb;
    bool paging;               /* paging enabled */
    uint64_t paging_target_kb; /* memory/target-tot_pages, 0 = none */
    uint64_t videoram_kb;      /* memory/videoram */
};

struct xla_action {
    bool enable_paging;
    bool set_paging_target;
    uint64_t paging_target_kb; /* 0 pages all in and ends paging */
    bool recheck;              /* look again later (paging in effect) */
};

/*
 * After the delay, or on a re-check: `want_paging` says whether the
 * policy allows paging (HVM with HAP, enforce, paging=1, feature
 * present); `target_kb` is already clamped.  What the balloon holds is
 * actual + paged: Xen's tot_pages leaves paged-out pages out, and the
 * paging target (xenpaging's target-tot_pages) is a tot_pages goal.
 * Whether that is more than the target is the library's verdict
 * (mempolicy_target_cmp: the band a real guest sits in once ballooned,
 * video RAM and libxl's slack included), never a bare comparison.
 *  - wanted and the balloon still holds more than the target: page out
 *    the rest of the gap (paging target = target), look again later;
 *  - otherwise, with pages still paged out: page them back in (paging
 *    target raised to max(actual + paged, target), never above
 *    static-max), look again later;
 *  - nothing paged out but paging on: paging target 0 (ends paging);
 *  - nothing to do: no action, no re-check.
 * `swap_max_kb` (swap_hard_limit; MEMPOLICY_MEMTUNE_UNLIMITED for none)
 * bounds what is paged out: the paging target is never below
 * actual + paged - swap_max_kb, so at most that much stays out (more
 * out, after the limit was lowered, pages back in); 0 means no paging.
 */
void xla_decide(bool want_paging, uint64_t target_kb, uint64_t static_max_kb,
                uint64_t swap_max_kb, const struct xla_obs *o,
                struct xla_action *act);

/*
 * Next re-check interval: back to `base` when the domain's memory moved
 * since the last look (ballooning or paging in progress), else doubled,
 * within [XLA_RECHECK_MIN_MS, XLA_RECHECK_MAX_MS].
 */
uint64_t xla_next_interval(uint64_t prev_ms, uint64_t base_ms, bool moved);

/*
 * The status line for a domain under paging watch (what `xlmem mem-list`
 * shows), from the last look: `paging_ms` is how long (host ms) pages
 * have been out, `still_ms` how long nothing moved.  In order:
 *  - "stuck: no progress for N s" once nothing moved for XLA_STUCK_MS
 *    while the actual size is not the target (neither the balloon nor
 *    the pager got there);
 *  - "paging P MiB since N s" while pages are out and the balloon is
 *    still above the target;
 *  - "paging in: P MiB still out" while pages come back;
 *  - "ballooning A -> T MiB" while the actual size is not the target;
 *  - "at target T MiB".
 * At target is the library's verdict (mempolicy_target_cmp with the
 * domain's video RAM), as `mem-set --wait` and mem-explain judge it: a
 * real HVM guest at its target holds the target less its video RAM.
 */
#define XLA_STUCK_MS 30000u
void xla_status(char *buf, size_t len, uint64_t target_kb,
                const struct xla_obs *o, uint64_t paging_ms, uint64_t still_ms);

#endif
