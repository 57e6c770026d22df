/*
 * xl-manual.c: the "xl-manual" memory-policy actor.
 *
 * The proposal's alternative to xl-auto: on every policy change of a
 * domain whose actor is xl-manual, set both the balloon target and the
 * paging target to the policy target, immediately, with no delay and no
 * judgement.  It is the actor for administrators who drive the
 * mechanisms themselves (the low-level setters are open to anyone on an
 * xl-manual domain) but still want "xl mem-set" to do the obvious thing.
 *
 * Paging needs an HVM guest with hardware-assisted paging and a
 * hypervisor built with paging; where the domain lacks it, one log line
 * per domain says which, and the balloon target is still set.  What the
 * domain can do is read once per domain (its type does not change), so
 * each later change costs the two setters only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <libmempolicy_actor.h>

#define ACTOR_NAME "xl-manual"

struct dom {
    bool can_page;        /* HVM with HAP, paging not refused so far */
    const char *no_paging; /* why not, for the status line */
    uint64_t static_max_kb;
};

static void report(mempolicy_actor *a, uint32_t domid, int rc,
                   const char *what)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);

    if (rc == MEMPOLICY_ERROR_STORE) {
        mempolicy_actor_fatal(a, rc, what);
        return;
    }
    mempolicy_actor_set_status(a, domid, "failed %s: %s", what,
                               mempolicy_strerror(rc));
    /* Gone or no longer ours: its own event follows; not an error. */
    mempolicy_actor_log(a, rc == MEMPOLICY_ERROR_NO_DOMAIN ||
                               rc == MEMPOLICY_ERROR_DYING ||
                               rc == MEMPOLICY_ERROR_NOT_ACTOR
                           ? XTL_DEBUG : XTL_ERROR,
                        "domain %u: %s: %s", domid, what,
                        mempolicy_last_error(ctx));
}

static struct dom *get_dom(mempolicy_actor *a, uint32_t domid)
{
    struct dom *d = mempolicy_actor_domain_data(a, domid);
    /* At start-up the listing already read it. */
    const mempolicy_dominfo *listed = mempolicy_actor_resync_info(a, domid);
    mempolicy_dominfo info;
    int rc;

    if (d)
        return d;
    if (!listed) {
        rc = mempolicy_domain_info(mempolicy_actor_ctx(a), domid, &info);
        if (rc) {
            report(a, domid, rc, "domain info");
            return NULL;
        }
        listed = &info;
    }
    d = calloc(1, sizeof(*d));
    if (d && !mempolicy_actor_set_domain_data(a, domid, d)) {
        d->static_max_kb = listed->static_max_kb;
        d->can_page = listed->type == MEMPOLICY_DOMAIN_TYPE_HVM &&
                      listed->hap;
        d->no_paging = listed->type == MEMPOLICY_DOMAIN_TYPE_HVM ?
            "no hardware-assisted paging" :
            "PV guest";
        if (!d->can_page)
            mempolicy_actor_log(a, XTL_INFO, "domain %u: %s guest: balloon "
                                "target only, no paging", domid,
                                listed->type == MEMPOLICY_DOMAIN_TYPE_HVM
                                    ? "HVM without hardware-assisted paging"
                                    : "PV");
    } else {
        free(d);
        d = NULL;
        mempolicy_actor_fatal(a, MEMPOLICY_ERROR_NOMEM, "domain state");
    }
    if (listed == &info)
        mempolicy_dominfo_dispose(&info);
    return d;
}

static void domain_changed(mempolicy_actor *a, uint32_t domid,
                           const mempolicy_policy *p, void *user)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);
    struct dom *d;
    uint64_t kb;
    int rc;

    if (!p->has_target) {
        mempolicy_actor_set_status(a, domid, "no target yet");
        return;
    }
    d = get_dom(a, domid);
    if (!d)
        return;
    kb = p->target_kb > d->static_max_kb ? d->static_max_kb : p->target_kb;
    rc = mempolicy_domain_set_balloon_target(ctx, domid, (int64_t)kb, false);
    if (rc) {
        report(a, domid, rc, "setting the balloon target");
        return;
    }
    if (!d->can_page) {
        mempolicy_actor_set_status(
            a, domid, "balloon target %llu MiB; no paging (%s)",
            (unsigned long long)(kb / 1024), d->no_paging);
        return;
    }
    rc = mempolicy_domain_enable_paging(ctx, domid);
    if (!rc)
        rc = mempolicy_domain_set_paging_target(ctx, domid, (int64_t)kb,
                                                false);
    if (rc == MEMPOLICY_ERROR_NOSYS || rc == MEMPOLICY_ERROR_NOTSUP ||
        rc == MEMPOLICY_ERROR_PV || rc == MEMPOLICY_ERROR_NO_HAP) {
        mempolicy_actor_log(a, XTL_WARN, "domain %u: paging unavailable, "
                            "balloon target only: %s", domid,
                            mempolicy_last_error(ctx));
        d->can_page = false;
        d->no_paging = mempolicy_strerror(rc);
        mempolicy_actor_set_status(
            a, domid, "balloon target %llu MiB; no paging (%s)",
            (unsigned long long)(kb / 1024), d->no_paging);
        return;
    }
    if (rc) {
        report(a, domid, rc, "setting the paging target");
        return;
    }
    mempolicy_actor_log(a, XTL_DEBUG, "domain %u: balloon and paging "
                        "target %" PRIu64 " KiB", domid, kb);
    mempolicy_actor_set_status(a, domid, "balloon and paging target %llu MiB",
                               (unsigned long long)(kb / 1024));
}

static void domain_data_free(mempolicy_actor *a, uint32_t domid, void *data,
                             void *user)
{
    free(data);
}

int main(int argc, char **argv)
{
    static const mempolicy_actor_ops ops = {
        .domain_changed = domain_changed,
        .domain_data_free = domain_data_free,
    };

    return mempolicy_actor_main(argc, argv, ACTOR_NAME, &ops, NULL);
}
