/*
 * scan.c: when the sharing actor scans, and how the engine reaches the
 * hypervisor.
 *
 * Scanning runs in slices on one host-wide timer (SHARING_SLICE_MS of
 * host time): each slice gives every domain with a pass under way its
 * share of the budget (its rate=, within the host's --max-rate, handed
 * out round-robin so no domain starves), then re-arms itself only if some
 * pass is still under way.  When every pass has ended the timer is gone:
 * an actor with nothing left to scan never wakes up.
 *
 * Copy-on-write breaks: Xen tells nobody when a guest writes to a shared
 * page.  While shared pages exist (and only then), a second timer looks at
 * the hypervisor's per-domain cow_breaks counters, starting at cow-check=
 * seconds and doubling up to 5 minutes while nothing breaks (xl-auto's
 * backoff); a domain whose counter moved gets a new pass, which finds the
 * broken pages, un-counts them and shares what became identical.
 *
 * The engine's stale-handle cases come straight from the library, which
 * says which handle Xen refused (MEMPOLICY_ERROR_STALE_SOURCE_HANDLE and
 * _CLIENT_HANDLE, Xen's XENMEM_SHARING_OP_S/C_HANDLE_INVALID): no extra
 * hypervisor call is needed to tell them apart.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "sharing.h"

static mempolicy_ctx *ctx_of(void *user)
{
    struct sharing_actor *s = user;

    return mempolicy_actor_ctx(s->a);
}

static int map_rc(int rc)
{
    switch (rc) {
    case 0:
        return SHR_OK;
    case MEMPOLICY_ERROR_NO_DOMAIN:
    case MEMPOLICY_ERROR_DYING:
        return SHR_EGONE;
    case MEMPOLICY_ERROR_STALE_SOURCE_HANDLE:
        return SHR_ESTALE_SOURCE;
    case MEMPOLICY_ERROR_STALE_CLIENT_HANDLE:
        return SHR_ESTALE_CLIENT;
    default:
        return SHR_EFAIL;
    }
}

static int op_hashes(void *user, uint32_t domid, uint64_t first,
                     unsigned count, uint64_t *hashes)
{
    return map_rc(mempolicy_domain_page_hashes(ctx_of(user), domid, first,
                                               count, hashes));
}

static int op_nominate(void *user, uint32_t domid, uint64_t gfn,
                       uint64_t *handle)
{
    return map_rc(mempolicy_domain_nominate_gfn(ctx_of(user), domid, gfn,
                                                handle));
}

static int op_compare(void *user, uint32_t d1, uint64_t g1, uint32_t d2,
                      uint64_t g2, bool *same)
{
    return map_rc(
        mempolicy_domain_page_compare(ctx_of(user), d1, g1, d2, g2, same));
}

static int op_share(void *user, uint32_t sd, uint64_t sgfn, uint64_t sh,
                    uint32_t cd, uint64_t cgfn, uint64_t ch)
{
    return map_rc(mempolicy_domain_share_gfns(ctx_of(user), sd, sgfn, sh,
                                              cd, cgfn, ch));
}

const struct shr_ops sharing_shr_ops = {
    .page_hashes = op_hashes,
    .nominate = op_nominate,
    .page_compare = op_compare,
    .share = op_share,
};

static void slice(mempolicy_actor *a, void *arg);

static bool any_scanning(struct sharing_actor *s)
{
    struct shr_dom_stats st;
    unsigned i;

    for (i = 0; i < s->ndoms; i++)
        if (s->doms[i]->sharing &&
            !shr_dom_stats(s->eng, s->doms[i]->domid, &st) && st.scanning)
            return true;
    return false;
}

void scan_kick(struct sharing_actor *s)
{
    if (s->scan_timer)
        return;
    s->scan_timer = mempolicy_timer_add(s->a, SHARING_SLICE_MS, slice, s);
    if (!s->scan_timer)
        mempolicy_actor_fatal(s->a, MEMPOLICY_ERROR_NOMEM, "scan timer");
}

void scan_stop(struct sharing_actor *s)
{
    mempolicy_timer_cancel(s->a, s->scan_timer);
    s->scan_timer = NULL;
}

/*
 * Every domain's figures: sharing one domain's pages changes the others'
 * (their pages are sources, or stand in as sources), so all are looked
 * at, once a second while scanning and when a pass ends.
 */
void report_all(struct sharing_actor *s)
{
    unsigned i;

    for (i = 0; i < s->ndoms; i++)
        sharing_follow(s, s->doms[i]);
    report_host(s);
}

static void slice(mempolicy_actor *a, void *arg)
{
    struct sharing_actor *s = arg;
    uint64_t budget = s->max_rate * SHARING_SLICE_MS / 1000;
    unsigned n = s->ndoms, k;
    bool report, ended = false;

    s->scan_timer = NULL;
    report = ++s->slices_since_report >= SHARING_REPORT_SLICES;
    for (k = 0; k < n && budget && k < s->ndoms; k++) {
        unsigned i = (s->rr + k) % s->ndoms;
        struct sdom *d = s->doms[i];
        struct shr_dom_stats st;
        uint64_t mine;
        int64_t done;

        if (!d->sharing || shr_dom_stats(s->eng, d->domid, &st) ||
            !st.scanning)
            continue;
        /* At a pass's start and once a second: PoD entries or paged-out
         * frames may have appeared (sharing.c, frames_ok). */
        if ((st.cursor == 0 || report) && !sharing_may_scan(s, d)) {
            sharing_pass_done(s, d);
            ended = true;
            continue;
        }
        mine = d->params.rate * SHARING_SLICE_MS / 1000;
        if (!mine)
            mine = 1;
        if (mine > budget)
            mine = budget;
        done = shr_dom_scan(s->eng, d->domid, mine);
        if (done == SHR_EGONE) {
            /* Dying, or its sharing was switched off under us: its
             * event follows; stop spending budget on it. */
            mempolicy_actor_log(a, XTL_DEBUG, "domain %u: gone while "
                                "scanning: %s", d->domid,
                                mempolicy_last_error(mempolicy_actor_ctx(a)));
            shr_dom_remove(s->eng, d->domid);
            d->sharing = false;
            ended = true;
            continue;
        }
        budget -= (uint64_t)done;
        if (!shr_dom_stats(s->eng, d->domid, &st) && !st.scanning) {
            sharing_pass_done(s, d);
            ended = true;
        }
    }
    if (s->ndoms)
        s->rr = (s->rr + 1) % s->ndoms;
    if (report || ended || !any_scanning(s)) {
        s->slices_since_report = 0;
        report_all(s);
    }
    if (any_scanning(s))
        scan_kick(s);
}

/* ---- copy-on-write follow-up ---------------------------------------- */

static void cow_check(mempolicy_actor *a, void *arg);

static bool any_shared(struct sharing_actor *s)
{
    unsigned i;

    for (i = 0; i < s->ndoms; i++)
        if (s->doms[i]->sharing && s->doms[i]->shared_kb)
            return true;
    return false;
}

void cow_check_arm(struct sharing_actor *s, bool reset)
{
    uint64_t base = UINT64_MAX, ms;
    unsigned i;

    /* The shortest cow-check= of the domains sharing anything. */
    for (i = 0; i < s->ndoms; i++) {
        struct sdom *d = s->doms[i];

        if (d->sharing && d->shared_kb && d->params.cow_check_ms &&
            d->params.cow_check_ms < base)
            base = d->params.cow_check_ms;
    }
    if (base == UINT64_MAX || !any_shared(s)) {
        cow_check_stop(s);
        return;
    }
    if (reset || !s->cow_interval_ms)
        s->cow_interval_ms = base;
    if (s->cow_timer && !reset)
        return;
    ms = s->cow_interval_ms;
    mempolicy_timer_cancel(s->a, s->cow_timer);
    s->cow_timer = mempolicy_timer_add(s->a, ms, cow_check, s);
    if (!s->cow_timer)
        mempolicy_actor_fatal(s->a, MEMPOLICY_ERROR_NOMEM, "cow timer");
}

void cow_check_stop(struct sharing_actor *s)
{
    mempolicy_timer_cancel(s->a, s->cow_timer);
    s->cow_timer = NULL;
    s->cow_interval_ms = 0;
}

static void cow_check(mempolicy_actor *a, void *arg)
{
    struct sharing_actor *s = arg;
    bool moved = false;
    unsigned i;

    s->cow_timer = NULL;
    for (i = 0; i < s->ndoms; i++) {
        struct sdom *d = s->doms[i];
        if (!d->sharing || !d->shared_kb || d->params.cow_check_ms == 0)
            continue;
        if (!sharing_refresh(s, d, NULL))
            continue;
        /*
         * Against the count the last pass was asked for at, not the last
         * look: reports refresh cow_seen too (once a second while
         * scanning), and a break they saw after the pass had gone by its
         * page would otherwise never get a pass of its own.
         */
        if (d->cow_seen != d->cow_scanned) {
            mempolicy_actor_log(a, XTL_DEBUG, "domain %u: %" PRIu64
                                " copy-on-write breaks since the last pass"
                                " began: rescanning", d->domid,
                                d->cow_seen - d->cow_scanned);
            sharing_rescan(s, d);
            moved = true;
        }
    }
    if (moved) {
        scan_kick(s);
        cow_check_arm(s, true);
        return;
    }
    s->cow_interval_ms = xla_next_interval(s->cow_interval_ms,
                                           s->cow_interval_ms, false);
    cow_check_arm(s, false);
}
