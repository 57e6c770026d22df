/*
 * policy.c: xl-auto's decisions as pure functions (see policy.h).
 *
 * The rules follow the proposal's '"xl" actor behaviour': the balloon
 * target always follows the policy target; paging is a backstop for a
 * balloon driver that does not get there within `delay`, and pages out
 * only the part of the gap the balloon has not closed.  Paging is wound
 * down as soon as it is no longer needed, so no stale paging survives a
 * change of target or params.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy_actor.h>

#include "policy.h"

int xla_parse_params(const char *s, struct xla_params *p, char *err,
                     size_t errlen)
{
    char e[160] = "";
    int bad = 0;

    p->delay_ms = XLA_DEFAULT_DELAY_MS;
    p->paging = false;
    p->min_kb = 0;
    if (err && errlen)
        err[0] = '\0';
    if (mempolicy_actor_param_seconds_ms(s, "delay", XLA_DEFAULT_DELAY_MS,
                                         &p->delay_ms, e, sizeof(e))) {
        p->delay_ms = XLA_DEFAULT_DELAY_MS;
        bad = 1;
    }
    if (mempolicy_actor_param_bool(s, "paging", false, &p->paging,
                                   bad ? NULL : e, bad ? 0 : sizeof(e))) {
        p->paging = false;
        bad = 1;
    }
    if (mempolicy_actor_param_size_kb(s, "min", 0, &p->min_kb,
                                      bad ? NULL : e, bad ? 0 : sizeof(e))) {
        p->min_kb = 0;
        bad = 1;
    }
    /* Always usable values, also when a key is bad (the cap wins). */
    if (mempolicy_memtune_get(s, &p->mt, bad ? NULL : e, bad ? 0 : sizeof(e)))
        bad = 1;
    if (bad && err && errlen)
        snprintf(err, errlen, "%s", e);
    return bad ? -1 : 0;
}

uint64_t xla_clamp(const struct xla_params *p, uint64_t target_kb,
                   uint64_t static_max_kb)
{
    uint64_t lo, hi;

    mempolicy_memtune_range(&p->mt, static_max_kb, p->min_kb, &lo, &hi);
    if (target_kb < lo)
        return lo;
    if (target_kb > hi)
        return hi;
    return target_kb;
}

void xla_decide(bool want_paging, uint64_t target_kb, uint64_t static_max_kb,
                uint64_t swap_max_kb, const struct xla_obs *o,
                struct xla_action *act)
{
    /* What the guest would use with nothing paged out. */
    uint64_t held = o->actual_kb + o->paged_kb;
    uint64_t pt = target_kb;

    memset(act, 0, sizeof(*act));
    if (swap_max_kb == 0)
        want_paging = false; /* swap_hard_limit=0: no paging at all */
    /* swap_hard_limit: never more than that paged out. */
    if (held > swap_max_kb && held - swap_max_kb > pt)
        pt = held - swap_max_kb;

    if (want_paging &&
        mempolicy_target_cmp(target_kb, o->videoram_kb, held) > 0) {
        /* The balloon has not got there: page out what it has not (at
         * most the swap limit). */
        act->enable_paging = !o->paging;
        act->set_paging_target = !o->paging || o->paging_target_kb != pt;
        act->paging_target_kb = pt;
        act->recheck = true;
        return;
    }
    if (!o->paging)
        return;
    if (o->paged_kb) {
        /* Caught up, target rose, or paging no longer wanted: bring
         * everything back, then end paging on a later look. */
        uint64_t up = held > target_kb ? held : target_kb;

        if (up > static_max_kb) {
            up = static_max_kb;
            /* A guest may hold more than static-max: its video RAM and
             * firmware pages are in tot_pages.  Once static-max is asked
             * for and the target is reached, or paging is no longer
             * wanted, 0 brings the rest back and ends paging (else a few
             * pages stay out for ever). */
            if (o->paging_target_kb >= up &&
                (!want_paging ||
                 mempolicy_target_cmp(target_kb, o->videoram_kb, held) == 0)) {
                act->set_paging_target = true;
                act->paging_target_kb = 0;
                act->recheck = true;
                return;
            }
        }
        act->set_paging_target = o->paging_target_kb < up;
        act->paging_target_kb = up;
        act->recheck = true;
        return;
    }
    /* Nothing out as last seen: 0 ends paging.  Look once more: the
     * pager may have paged more out towards its old target before it
     * read the 0, and then it is stopped only once those are back in
     * (pager.c); without a look the pager would run on for ever. */
    act->set_paging_target = true;
    act->paging_target_kb = 0;
    act->recheck = true;
}

uint64_t xla_next_interval(uint64_t prev_ms, uint64_t base_ms, bool moved)
{
    uint64_t next;

    if (base_ms < XLA_RECHECK_MIN_MS)
        base_ms = XLA_RECHECK_MIN_MS;
    if (base_ms > XLA_RECHECK_MAX_MS)
        base_ms = XLA_RECHECK_MAX_MS;
    if (moved || prev_ms < base_ms)
        return base_ms;
    next = prev_ms * 2;
    return next > XLA_RECHECK_MAX_MS ? XLA_RECHECK_MAX_MS : next;
}

static unsigned long long mib(uint64_t kb)
{
    return (unsigned long long)(kb / 1024);
}

void xla_status(char *buf, size_t len, uint64_t target_kb,
                const struct xla_obs *o, uint64_t paging_ms, uint64_t still_ms)
{
    uint64_t held = o->actual_kb + o->paged_kb;
    /* The library's verdict, never a bare comparison: an HVM guest at its
     * target holds the target less its video RAM (mempolicy_target_cmp). */
    bool there = !mempolicy_target_cmp(target_kb, o->videoram_kb, o->actual_kb);

    if (still_ms >= XLA_STUCK_MS && !there)
        snprintf(buf, len, "stuck: no progress for %llu s",
                 (unsigned long long)(still_ms / 1000));
    else if (o->paged_kb &&
             mempolicy_target_cmp(target_kb, o->videoram_kb, held) > 0)
        snprintf(buf, len, "paging %llu MiB since %llu s", mib(o->paged_kb),
                 (unsigned long long)(paging_ms / 1000));
    else if (o->paged_kb)
        snprintf(buf, len, "paging in: %llu MiB still out", mib(o->paged_kb));
    else if (!there)
        snprintf(buf, len, "ballooning %llu -> %llu MiB", mib(o->actual_kb),
                 mib(target_kb));
    else
        snprintf(buf, len, "at target %llu MiB", mib(target_kb));
}
