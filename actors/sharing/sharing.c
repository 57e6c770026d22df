/*
 * sharing.c: the "sharing" actor, one process for the host.
 *
 * For each domain whose actor is "sharing" (params rate=PAGES_PER_SECOND
 * default 16384, paging=1|0 default 0, delay=SECONDS default 5,
 * min=SIZE default 0, cow-check=SECONDS default 10, 0 = never), reach the
 * policy target with the cheapest means first:
 *
 *  1. sharing: the domain's pages are fingerprinted and every page whose
 *     contents some page of any of the actor's domains already has (zero
 *     pages included: they are simply the commonest contents) is shared
 *     into it (engine.c, scan.c).  Only an HVM guest with HAP on a
 *     hypervisor with the feature can share; otherwise the reason is
 *     logged once and the domain is served by 2 and 3 alone;
 *  2. ballooning for the rest: while a pass is under way on a shrinking
 *     domain, the balloon waits for it (at most `delay`); then the balloon
 *     target is the policy target PLUS what sharing saved, since saved
 *     pages no longer cost the host anything.  The guest keeps that much
 *     more memory than xl-auto would leave it;
 *  3. paging, when enforce and paging=1 (HVM with HAP), exactly as
 *     xl-auto decides it (actors/xl-auto/policy.c is linked in), with the
 *     paging target expressed in tot_pages: the target minus the
 *     domain's frames held as shared sources.
 *
 * Accounting: a guest's populated memory = tot_pages + paged + shared;
 * what it costs the host = tot_pages + its shared frames it is the
 * source of = populated - paged - saved.  Balloon target := target +
 * saved; paging target := target + saved - shared.
 *
 * A domain leaving the actor gets its sharing switched off (Xen unshares
 * its pages) and is forgotten: no index entry, no report node.  A domain
 * that died is only forgotten (the hypervisor dropped its pages).
 * Nothing polls: timers exist only while a pass is under way, while a
 * balloon/paging decision is pending, and while shared pages exist (the
 * copy-on-write follow-up of scan.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharing.h"

static void check(mempolicy_actor *a, void *arg);

/* ---- params ------------------------------------------------------------ */

static int parse_u64(const char *params, const char *key, uint64_t def,
                     uint64_t lo, uint64_t hi, uint64_t *out, char *err,
                     size_t errlen)
{
    char *v = NULL, *end;
    unsigned long long n;

    *out = def;
    if (!params || mempolicy_params_get(params, key, &v))
        return 0;
    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || n < lo || n > hi) {
        if (err)
            snprintf(err, errlen, "%s=%.32s: expected a whole number "
                     "%" PRIu64 "..%" PRIu64, key, v, lo, hi);
        free(v);
        return -1;
    }
    free(v);
    *out = n;
    return 0;
}

int sharing_parse_params(const char *s, struct sharing_params *p, char *err,
                         size_t errlen);
int sharing_parse_params(const char *s, struct sharing_params *p, char *err,
                         size_t errlen)
{
    char e[160] = "";
    int bad = 0;

    if (xla_parse_params(s, &p->base, e, sizeof(e)))
        bad = 1;
    if (parse_u64(s, "rate", SHARING_DEFAULT_RATE, 1, SHARING_MAX_RATE,
                  &p->rate, bad ? NULL : e, sizeof(e)))
        bad = 1;
    if (mempolicy_actor_param_seconds_ms(s, "cow-check",
                                         SHARING_DEFAULT_COW_CHECK_MS,
                                         &p->cow_check_ms, bad ? NULL : e,
                                         bad ? 0 : sizeof(e))) {
        p->cow_check_ms = SHARING_DEFAULT_COW_CHECK_MS;
        bad = 1;
    }
    if (err && errlen)
        snprintf(err, errlen, "%s", e);
    return bad ? -1 : 0;
}

/* ---- domains ----------------------------------------------------------- */

struct sdom *sharing_dom(struct sharing_actor *s, uint32_t domid)
{
    return mempolicy_actor_domain_data(s->a, domid);
}

uint64_t sharing_saved_kb(struct sharing_actor *s, const struct sdom *d)
{
    struct shr_dom_stats st;

    if (!d->sharing || shr_dom_stats(s->eng, d->domid, &st))
        return 0;
    return st.saved * 4;
}

/*
 * Whether the balloon target should follow the savings now.  Savings
 * move page by page while a pass runs and with every copy-on-write
 * break; following each page would rewrite memory/target (and move the
 * guest's balloon) once a second for nothing.  So:
 *  - down (savings shrank, the guest now costs the host more than its
 *    target): always, the target is a limit;
 *  - up (sharing freed more, the guest may keep more): only when the
 *    balloon target would grow by more than max(1% of the target, 4 MiB).
 * The clamp to static-max comes first, so a guest at its maximum is not
 * touched again however much more is saved.
 */
static bool balloon_revision_due(struct sharing_actor *s, struct sdom *d)
{
    uint64_t bt = xla_clamp(&d->params.base,
                            d->target_kb + sharing_saved_kb(s, d),
                            d->static_max_kb);
    uint64_t step = d->target_kb / 100;

    if (step < SHARING_REVISE_MIN_KB)
        step = SHARING_REVISE_MIN_KB;
    return bt < d->balloon_kb || bt - d->balloon_kb > step;
}

static void arm(mempolicy_actor *a, struct sdom *d, uint64_t ms)
{
    mempolicy_actor_timer_set(a, &d->timer, ms, check, d);
}

static void disarm(mempolicy_actor *a, struct sdom *d)
{
    mempolicy_actor_timer_clear(a, &d->timer);
}

/* A failed call: the kit classifies and logs it (once per domain for a
 * missing feature); the domain is left alone until its next change. */
static bool failed(mempolicy_actor *a, struct sdom *d, int rc,
                   const char *what)
{
    if (!mempolicy_actor_failed(a, d->domid, rc, what,
                                &d->paging_unavailable,
                                "paging unavailable, sharing and "
                                "ballooning only"))
        return false;
    disarm(a, d);
    return true;
}

bool sharing_refresh(struct sharing_actor *s, struct sdom *d,
                     mempolicy_dominfo *out)
{
    mempolicy_dominfo info;

    if (mempolicy_domain_info(mempolicy_actor_ctx(s->a), d->domid, &info))
        return false;
    d->caps_known = true;
    d->hvm_hap = info.type == MEMPOLICY_DOMAIN_TYPE_HVM && info.hap;
    d->static_max_kb = info.static_max_kb;
    d->shared_kb = info.shared_kb;
    d->cow_seen = info.cow_breaks;
    if (info.paging || info.paged_kb)
        d->maybe_paging = true;
    if (out)
        *out = info;
    else
        mempolicy_dominfo_dispose(&info);
    return true;
}

/*
 * Whether the domain's pages may be hashed now, and its frames.  The
 * scan covers frames 0..max_gpfn (xc_domain_maximum_gpfn), holes
 * included: page_hashes reads them as absent without mapping them, so an
 * HVM guest's RAM above the MMIO hole (over ~3-4 GiB) is scanned and the
 * hole is not.  A domain with populate-on-demand entries or paged-out
 * frames is not hashed at all: on Xen looking at a PoD entry populates
 * it (xen/arch/x86/mm/p2m-pod.c, p2m_pod_demand_populate, and the guest
 * crashes when its PoD cache is empty) and mapping a paged-out frame has
 * the pager bring it back in (xen/arch/x86/mm.c, p2m_mem_paging_populate)
 * -- the scan would undo the balloon and the pager.  Said once per
 * episode in the log and in the status line.
 */
static bool frames_ok(struct sharing_actor *s, struct sdom *d,
                      uint64_t *npages)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(s->a);
    mempolicy_frames f;
    bool held;

    if (mempolicy_domain_frames(ctx, d->domid, &f)) {
        mempolicy_actor_log(s->a, XTL_DEBUG, "domain %u: frames: %s",
                            d->domid, mempolicy_last_error(ctx));
        return false;
    }
    *npages = f.max_gpfn + 1;
    held = f.pod_entries_kb || f.paged_kb;
    if (held && !d->held)
        mempolicy_actor_log(s->a, XTL_INFO, "domain %u: not hashing its "
                            "pages while it has %" PRIu64 " KiB of "
                            "populate-on-demand entries (looking at one "
                            "populates it) and %" PRIu64 " KiB paged out "
                            "(mapping one pages it in); sharing resumes "
                            "at its next change once both are 0",
                            d->domid, f.pod_entries_kb, f.paged_kb);
    else if (!held && d->held)
        mempolicy_actor_log(s->a, XTL_INFO, "domain %u: no PoD entries "
                            "or paged-out pages any more: hashing resumes",
                            d->domid);
    d->held = held;
    d->held_pod_kb = f.pod_entries_kb;
    d->held_paged_kb = f.paged_kb;
    return !held;
}

/*
 * The guest's frames now (max_gpfn only grows, but a pass must know the
 * range); false, and its pass ended, while it must not be hashed.
 */
static bool sync_pages(struct sharing_actor *s, struct sdom *d)
{
    uint64_t n = 0;

    if (!d->sharing)
        return false;
    if (!frames_ok(s, d, &n)) {
        shr_dom_stop(s->eng, d->domid);
        return false;
    }
    if (shr_dom_add(s->eng, d->domid, n))
        mempolicy_actor_fatal(s->a, MEMPOLICY_ERROR_NOMEM, "scan state");
    return true;
}

bool sharing_may_scan(struct sharing_actor *s, struct sdom *d)
{
    return sync_pages(s, d);
}

void sharing_rescan(struct sharing_actor *s, struct sdom *d)
{
    d->cow_scanned = d->cow_seen;
    shr_dom_rescan(s->eng, d->domid);
}

static bool want_paging(const struct sdom *d)
{
    return d->hvm_hap && !d->paging_unavailable && d->enforce &&
           d->params.base.paging &&
           d->params.base.mt.swap_hard_limit_kb != 0;
}

/* Switch sharing on and register the domain with the engine. */
static void start_sharing(struct sharing_actor *s, struct sdom *d,
                          const mempolicy_dominfo *info)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(s->a);
    int rc;

    d->share_tried = true;
    rc = mempolicy_domain_enable_sharing(ctx, d->domid);
    if (rc) {
        if (rc == MEMPOLICY_ERROR_NO_DOMAIN || rc == MEMPOLICY_ERROR_DYING ||
            rc == MEMPOLICY_ERROR_NOT_ACTOR) {
            d->share_tried = false;
            return;
        }
        if (rc == MEMPOLICY_ERROR_STORE) {
            mempolicy_actor_fatal(s->a, rc, "enabling sharing");
            return;
        }
        /* PV, no HAP, ENOSYS, EOPNOTSUPP, or anything else: say once
         * what is missing; the domain still gets balloon and paging. */
        d->share_unavailable = true;
        mempolicy_actor_log(s->a, XTL_WARN, "domain %u: page sharing "
                            "unavailable (%s): %s; ballooning%s only",
                            d->domid, mempolicy_strerror(rc),
                            mempolicy_last_error(ctx),
                            d->params.base.paging && d->hvm_hap
                                ? " and paging" : "");
        return;
    }
    /* Its range comes with the first pass (sync_pages). */
    if (shr_dom_add(s->eng, d->domid, 0)) {
        mempolicy_actor_fatal(s->a, MEMPOLICY_ERROR_NOMEM, "scan state");
        return;
    }
    d->sharing = true;
    d->cow_base = info->cow_breaks;
    d->cow_seen = info->cow_breaks;
    d->cow_scanned = info->cow_breaks;
    mempolicy_actor_log(s->a, XTL_DEBUG, "domain %u: sharing enabled",
                        d->domid);
}

/* The balloon target now (step 2), then xl-auto's paging delay (3). */
static void apply_balloon(struct sharing_actor *s, struct sdom *d)
{
    mempolicy_actor *a = s->a;
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);
    uint64_t saved = sharing_saved_kb(s, d);
    uint64_t bt = xla_clamp(&d->params.base, d->target_kb + saved,
                            d->static_max_kb);
    bool lowered = d->balloon_kb == 0 || bt < d->balloon_kb;
    int rc;

    d->pass_pending_apply = false;
    if (bt != d->balloon_kb) {
        rc = mempolicy_domain_set_balloon_target(ctx, d->domid,
                                                 (int64_t)bt, false);
        if (failed(a, d, rc, "setting the balloon target"))
            return;
        mempolicy_actor_log(a, XTL_DEBUG, "domain %u: balloon target %"
                            PRIu64 " KiB (target %" PRIu64 " + saved %"
                            PRIu64 ")", d->domid, bt, d->target_kb, saved);
        d->balloon_kb = bt;
    }
    d->balloon_saved_kb = saved;
    d->interval_ms = 0;
    report_domain(s, d);
    /*
     * A shrinking guest may give back frames that were shared: that
     * frees nothing, so after the delay the saved figure is looked at
     * again (check) and the balloon target follows it down.
     */
    if (want_paging(d) || (lowered && saved))
        arm(a, d, d->params.base.delay_ms);
    else if (d->maybe_paging)
        arm(a, d, 0);
    else
        disarm(a, d);
}

/* Timer: the share wait ended, or xl-auto's paging decision is due. */
static void check(mempolicy_actor *a, void *arg)
{
    struct sdom *d = arg;
    struct sharing_actor *s = d->s;
    mempolicy_dominfo info;
    struct xla_obs o;
    struct xla_action act;
    uint64_t saved, cost, tot_target;
    bool moved;

    d->timer = NULL;
    if (d->pass_pending_apply) {
        /* `delay` passed and the pass is still going: balloon now with
         * what sharing saved so far. */
        apply_balloon(s, d);
        return;
    }
    if (!sharing_refresh(s, d, &info)) {
        failed(a, d, MEMPOLICY_ERROR_NO_DOMAIN, "domain info");
        return;
    }
    sync_pages(s, d);
    saved = sharing_saved_kb(s, d);
    if (balloon_revision_due(s, d)) {
        /* Sharing moved since the balloon target was set. */
        mempolicy_dominfo_dispose(&info);
        apply_balloon(s, d);
        return;
    }
    /* Frames this domain holds as shared sources count as its own. */
    cost = info.shared_kb > saved ? info.shared_kb - saved : 0;
    tot_target = d->target_kb > cost ? d->target_kb - cost : 4;
    o.actual_kb = info.actual_kb;
    o.paged_kb = info.paged_kb;
    o.paging = info.paging;
    o.paging_target_kb = info.paging_target_kb;
    o.videoram_kb = info.videoram_kb;
    mempolicy_dominfo_dispose(&info);

    xla_decide(want_paging(d), tot_target, d->static_max_kb,
               d->params.base.mt.swap_hard_limit_kb, &o, &act);
    if (act.enable_paging) {
        int rc = mempolicy_domain_enable_paging(mempolicy_actor_ctx(a),
                                                d->domid);

        if (failed(a, d, rc, "enabling paging"))
            return;
        mempolicy_actor_log(a, XTL_INFO, "domain %u: sharing and balloon "
                            "short of the target after the delay: paging "
                            "enabled", d->domid);
    }
    if (act.set_paging_target) {
        int rc = mempolicy_domain_set_paging_target(
            mempolicy_actor_ctx(a), d->domid, (int64_t)act.paging_target_kb,
            false);

        if (failed(a, d, rc, "setting the paging target"))
            return;
        /* Pages going out: mapping them would bring them back in. */
        if (d->sharing && act.paging_target_kb)
            shr_dom_stop(s->eng, d->domid);
        mempolicy_actor_log(a, XTL_DEBUG, "domain %u: paging target %"
                            PRIu64 " KiB", d->domid, act.paging_target_kb);
    }
    d->maybe_paging = act.recheck || (act.set_paging_target &&
                                      act.paging_target_kb);
    d->paged_kb = o.paged_kb;
    report_domain(s, d);
    if (!act.recheck || d->paging_unavailable) {
        d->interval_ms = 0;
        return;
    }
    moved = o.actual_kb != d->last_actual_kb ||
            o.paged_kb != d->last_paged_kb;
    d->last_actual_kb = o.actual_kb;
    d->last_paged_kb = o.paged_kb;
    d->interval_ms = xla_next_interval(d->interval_ms,
                                       d->params.base.delay_ms, moved);
    arm(a, d, d->interval_ms);
}

void sharing_pass_done(struct sharing_actor *s, struct sdom *d)
{
    mempolicy_dominfo info;

    if (sharing_refresh(s, d, &info)) {
        sync_pages(s, d);
        mempolicy_dominfo_dispose(&info);
    }
    report_domain(s, d);
    cow_check_arm(s, false);
    if (d->has_target && d->pass_pending_apply) {
        /* Step 2 with the pass's result. */
        disarm(s->a, d);
        apply_balloon(s, d);
    }
}

void sharing_follow(struct sharing_actor *s, struct sdom *d)
{
    if (d->sharing)
        sharing_refresh(s, d, NULL);
    report_domain(s, d);
    /* Before the first balloon target of a policy (pass_pending_apply)
     * the delay decides; after it, the savings do. */
    if (!d->has_target || d->pass_pending_apply || !d->balloon_kb ||
        !balloon_revision_due(s, d))
        return;
    /*
     * Savings moved (this domain's pass shares more of its pages, its
     * pages became sources for others, or broke): the balloon target
     * follows, also while the pass is still under way, since a pass over
     * a large guest takes far longer than the guest needs to balloon.
     */
    disarm(s->a, d);
    apply_balloon(s, d);
}

static int dom_track(struct sharing_actor *s, struct sdom *d)
{
    if (s->ndoms == s->cap) {
        unsigned ncap = s->cap ? s->cap * 2 : 16;
        struct sdom **n = realloc(s->doms, ncap * sizeof(*n));

        if (!n)
            return -1;
        s->doms = n;
        s->cap = ncap;
    }
    d->idx = s->ndoms;
    s->doms[s->ndoms++] = d;
    return 0;
}

static void dom_untrack(struct sharing_actor *s, struct sdom *d)
{
    unsigned i = d->idx;

    if (i >= s->ndoms || s->doms[i] != d)
        return;
    s->doms[i] = s->doms[--s->ndoms];
    s->doms[i]->idx = i;
    d->idx = UINT32_MAX;
}

static void update_params(struct sharing_actor *s, struct sdom *d,
                          const char *params)
{
    char err[160];

    params = params ? params : "";
    if (mempolicy_actor_params_changed(s->a, &d->params_str, params) &&
        sharing_parse_params(params, &d->params, err, sizeof(err)))
        mempolicy_actor_params_bad(s->a, d->domid, params, err);
}

static void domain_changed(mempolicy_actor *a, uint32_t domid,
                           const mempolicy_policy *p, void *user)
{
    struct sharing_actor *s = user;
    struct sdom *d = mempolicy_actor_domain_data(a, domid);
    mempolicy_dominfo info;
    uint64_t old_target = d ? d->target_kb : 0;
    bool shrinking, fresh;
    struct shr_dom_stats st;

    s->a = a;
    if (!d) {
        d = calloc(1, sizeof(*d));
        if (!d || dom_track(s, d) ||
            mempolicy_actor_set_domain_data(a, domid, d)) {
            if (d && d->idx < s->ndoms && s->doms[d->idx] == d)
                dom_untrack(s, d);
            free(d);
            mempolicy_actor_fatal(a, MEMPOLICY_ERROR_NOMEM, "domain state");
            return;
        }
        d->s = s;
        d->domid = domid;
    }
    /* A repeated identical policy (resync, coalesced events) must cost
     * nothing: only a real change gets a new pass. */
    fresh = !d->share_tried || d->has_target != p->has_target ||
            d->enforce != p->enforce ||
            (p->has_target && d->policy_target_kb != p->target_kb) ||
            !d->params_str ||
            strcmp(d->params_str, p->actor_params ? p->actor_params : "");
    update_params(s, d, p->actor_params);
    d->enforce = p->enforce;
    d->has_target = p->has_target;
    d->policy_target_kb = p->has_target ? p->target_kb : 0;

    if (!sharing_refresh(s, d, &info)) {
        failed(a, d, MEMPOLICY_ERROR_NO_DOMAIN, "domain info");
        return;
    }
    /* 1. sharing: switched on once; every change gets a fresh pass over
     * the pages the guest has now. */
    if (!d->share_tried && !d->share_unavailable)
        start_sharing(s, d, &info);
    if (d->sharing && fresh && sync_pages(s, d)) {
        sharing_rescan(s, d);
        scan_kick(s);
    }
    mempolicy_dominfo_dispose(&info);
    report_domain(s, d);

    if (!p->has_target) {
        disarm(a, d);
        return;
    }
    d->target_kb = xla_clamp(&d->params.base, p->target_kb,
                             d->static_max_kb);
    /* 2. balloon: a shrinking domain waits for the pass (at most
     * `delay`), so sharing frees what it can before the guest gives
     * anything up. */
    shrinking = d->balloon_kb == 0 ||
                d->target_kb + sharing_saved_kb(s, d) < d->balloon_kb;
    if (d->sharing && shrinking &&
        !shr_dom_stats(s->eng, domid, &st) && st.scanning) {
        if (!d->pass_pending_apply || d->target_kb != old_target) {
            d->pass_pending_apply = true;
            arm(a, d, d->params.base.delay_ms);
        }
        mempolicy_actor_log(a, XTL_DEBUG, "domain %u: target %" PRIu64
                            " KiB: sharing first (up to %" PRIu64 " ms)",
                            domid, d->target_kb, d->params.base.delay_ms);
        return;
    }
    apply_balloon(s, d);
}

static void dom_forget(struct sharing_actor *s, struct sdom *d)
{
    disarm(s->a, d);
    if (d->sharing)
        shr_dom_remove(s->eng, d->domid);
    d->sharing = false;
    dom_untrack(s, d);
}

/*
 * Switch sharing off for a domain that is no longer ours: undoing our own
 * mechanism is still our job, and the library allows any context to
 * disable sharing, whoever the domain's actor is now.  As in Xen
 * (mem_sharing_control) that only clears the domain's flag: its pages
 * shared so far stay shared until the guest writes them (each write
 * takes a page of its own, copy on write) or gives them back, so its
 * memory comes back as it is used, not at once.  The policy is read for
 * the log line only.
 */
static void unshare_leaving(struct sharing_actor *s, uint32_t domid)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(s->a);
    mempolicy_policy p;
    int rc;

    memset(&p, 0, sizeof(p));
    rc = mempolicy_domain_get_policy(ctx, domid, &p);
    if (rc)
        return;  /* gone: nothing is shared any more */
    rc = mempolicy_domain_disable_sharing(ctx, domid);
    if (rc && rc != MEMPOLICY_ERROR_NO_DOMAIN && rc != MEMPOLICY_ERROR_DYING)
        mempolicy_actor_log(s->a, XTL_ERROR, "domain %u: left the sharing "
                            "actor for \"%s\" but unsharing failed: %s",
                            domid, p.actor, mempolicy_last_error(ctx));
    else if (!rc)
        mempolicy_actor_log(s->a, XTL_INFO, "domain %u: left for actor "
                            "\"%s\": sharing disabled; pages shared so far "
                            "stay shared until the guest writes them",
                            domid, p.actor);
    mempolicy_policy_dispose(&p);
}

static void domain_left(mempolicy_actor *a, uint32_t domid, bool died,
                        void *user)
{
    struct sharing_actor *s = user;
    struct sdom *d = mempolicy_actor_domain_data(a, domid);
    bool was_sharing;

    if (!d)
        return;
    was_sharing = d->sharing;
    dom_forget(s, d);
    if (was_sharing && !died)
        unshare_leaving(s, domid);
    report_domain_remove(s, domid);
    /* Its pages may have been the sources of others' savings. */
    if (was_sharing)
        report_all(s);
    else
        report_host(s);
    cow_check_arm(s, false);
}

static void domain_data_free(mempolicy_actor *a, uint32_t domid, void *data,
                             void *user)
{
    struct sharing_actor *s = user;
    struct sdom *d = data;

    dom_forget(s, d);
    /* At shutdown: figures describe a running actor. */
    report_domain_remove(s, domid);
    free(d->params_str);
    free(d);
}

/*
 * Our own option, --max-rate PAGES_PER_SECOND (or -r N): the host-wide
 * scan budget, parsed by the kit with the standard ones (so --help lists
 * it).
 */
static const mempolicy_actor_option sharing_options[] = {
    { "max-rate", 'r', "N",
      "host-wide scan budget, pages/s (1..16777216, 65536)" },
    { NULL, 0, NULL, NULL },
};

static int take_max_rate(unsigned index, const char *v, void *user)
{
    struct sharing_actor *s = user;
    char *end;
    unsigned long long n;

    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || n == 0 ||
        n > SHARING_MAX_RATE) {
        fprintf(stderr,
                "sharing: --max-rate %s: expected pages per "
                "second, 1..%u\n",
                MEMPOLICY_QUOTE(v), SHARING_MAX_RATE);
        return -1;
    }
    s->max_rate = n;
    return 0;
}

int main(int argc, char **argv)
{
    static const mempolicy_actor_ops ops = {
        .domain_changed = domain_changed,
        .domain_left = domain_left,
        .domain_data_free = domain_data_free,
    };
    static const mempolicy_actor_main_opts ext = {
        .options = sharing_options,
        .option = take_max_rate,
    };
    struct sharing_actor s;
    int rc;

    memset(&s, 0, sizeof(s));
    s.max_rate = SHARING_DEFAULT_MAX_RATE;
    s.eng = shr_engine_new(&sharing_shr_ops, &s);
    if (!s.eng) {
        fprintf(stderr, "sharing: out of memory\n");
        return 1;
    }
    rc = mempolicy_actor_main_ext(argc, argv, SHARING_ACTOR_NAME, &ops, &s,
                                  &ext);
    s.a = NULL;   /* freed by the kit */
    report_host_remove(&s);
    report_close(&s);
    shr_engine_free(s.eng);
    free(s.doms);
    return rc;
}
