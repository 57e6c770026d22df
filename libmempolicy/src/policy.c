/*
 * policy.c: the high-level calls: a domain's memory policy and target.
 *
 * Every writer goes through policy_tx(): one xenstore transaction that
 * reads the current four nodes, computes the new ones and writes all four
 * back, so the nodes always exist together and any two racing writers end
 * in the state of one of them (xenstore serialises the transactions).
 * All checks happen before or inside the transaction and abort it, so a
 * failed call leaves the store exactly as it was.  When the resulting
 * actor is "" (none) a target change also does what xl mem-set does
 * (balloon target, and maxmem when enforcing); with an actor only the
 * policy changes and the actor reacts to the event.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void mempolicy_policy_dispose(mempolicy_policy *p)
{
    if (!p)
        return;
    free(p->actor);
    free(p->actor_params);
    memset(p, 0, sizeof(*p));
}

struct policy_write {
    uint32_t domid;
    const char *actor;   /* NULL: keep */
    const char *params;  /* NULL: keep */
    bool set_target;
    int64_t target_kb;
    bool relative;
    bool enforce;
    bool if_unset;       /* write only if there is no actor node */
    bool skipped;        /* if_unset: there was one, nothing written */
    uint64_t old_maxmem_kb;
    bool maxmem_changed;
};

/* Apply a signed change to a size, refusing anything outside (0, max]. */
static int apply_target(mempolicy_ctx *ctx, uint32_t domid, uint64_t cur,
                        int64_t delta, bool relative, uint64_t static_max,
                        uint64_t *out)
{
    uint64_t v;

    if (!relative) {
        if (delta <= 0)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: target %lld KiB must be positive",
                          domid, (long long)delta);
        v = (uint64_t)delta;
    } else if (delta < 0) {
        uint64_t d = (uint64_t)(-(delta + 1)) + 1; /* no INT64_MIN overflow */

        if (d >= cur)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: target %llu KiB %lld KiB would be "
                          "%s", domid, (unsigned long long)cur,
                          (long long)delta, d == cur ? "zero" : "negative");
        v = cur - d;
    } else {
        if ((uint64_t)delta > MP_KB_MAX - cur)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: target %llu KiB +%lld KiB overflows",
                          domid, (unsigned long long)cur, (long long)delta);
        v = cur + (uint64_t)delta;
        if (v == 0)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: target would be zero", domid);
    }
    if (v > static_max)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: target %llu KiB is above static-max "
                      "%llu KiB", domid, (unsigned long long)v,
                      (unsigned long long)static_max);
    *out = v;
    return 0;
}

static int policy_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct policy_write *w = arg;
    mempolicy_policy cur;
    char path[80], num[24];
    char *dom = NULL;
    unsigned present;
    bool has_bal = false, has_max = false;
    uint64_t bal = 0, static_max = 0, target = 0;
    bool has_target, enforce;
    const char *actor, *params;
    int rc;

    snprintf(path, sizeof(path), "/local/domain/%u", w->domid);
    rc = mp_xs_read(ctx, t, path, &dom);
    if (rc)
        return rc;
    if (!dom)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                      "domain %u does not exist (no %s)", w->domid, path);
    free(dom);

    w->skipped = false; /* this run's verdict: the transaction may rerun */
    if (w->if_unset) {
        /* Whatever the other nodes hold: someone chose a policy. */
        snprintf(path, sizeof(path), "/libxl/%u/memory-policy/actor",
                 w->domid);
        rc = mp_xs_read(ctx, t, path, &dom);
        if (rc)
            return rc;
        if (dom) {
            free(dom);
            w->skipped = true;
            return 0; /* commits a transaction that wrote nothing */
        }
    }

    rc = mp_policy_read_tx(ctx, t, w->domid, &cur, &present);
    if (rc == MEMPOLICY_ERROR_FAIL && w->actor && w->params &&
        w->set_target && !w->relative) {
        /* Malformed nodes, but this write replaces all four: repair. */
        memset(&cur, 0, sizeof(cur));
        present = 0; /* so that all four are written */
        cur.actor = strdup("");
        cur.actor_params = strdup("");
        rc = cur.actor && cur.actor_params ? 0 : MEMPOLICY_ERROR_NOMEM;
        if (rc)
            mempolicy_policy_dispose(&cur);
    }
    if (rc)
        return rc;

    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", w->domid);
    rc = mp_xs_read_kb(ctx, t, path, &has_bal, &bal);
    if (rc)
        goto out;
    snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
             w->domid);
    rc = mp_xs_read_kb(ctx, t, path, &has_max, &static_max);
    if (rc)
        goto out;

    actor = w->actor ? w->actor : cur.actor;
    params = w->params ? w->params : cur.actor_params;
    has_target = cur.has_target;
    target = cur.target_kb;
    enforce = cur.enforce;
    if (!has_target && has_bal) {
        /* A policy set before any target starts from the balloon target. */
        has_target = true;
        target = bal;
    }

    if (w->set_target) {
        if (!has_max) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                        "domain %u: no memory/static-max in xenstore",
                        w->domid);
            goto out;
        }
        if (w->relative && !has_target) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                        "domain %u: no current target to change relatively",
                        w->domid);
            goto out;
        }
        rc = apply_target(ctx, w->domid, target, w->target_kb, w->relative,
                          static_max, &target);
        if (rc)
            goto out;
        has_target = true;
        enforce = w->enforce;
    }

    /*
     * Write what differs (and what is missing), so that watchers see one
     * event per node that really changed.  The nodes left alone were read
     * in this transaction, so a concurrent change to them still makes it
     * conflict: the four nodes stay one writer's state.
     */
    if (!(present & MP_HAS_ACTOR) || strcmp(actor, cur.actor)) {
        snprintf(path, sizeof(path), "/libxl/%u/memory-policy/actor",
                 w->domid);
        rc = mp_xs_write(ctx, t, path, actor);
        if (rc)
            goto out;
    }
    if (!(present & MP_HAS_PARAMS) || strcmp(params, cur.actor_params)) {
        snprintf(path, sizeof(path), "/libxl/%u/memory-policy/actor-params",
                 w->domid);
        rc = mp_xs_write(ctx, t, path, params);
        if (rc)
            goto out;
    }
    if (has_target &&
        (!(present & MP_HAS_TARGET) || target != cur.target_kb)) {
        snprintf(path, sizeof(path), "/libxl/%u/memory-policy/target",
                 w->domid);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)target);
        rc = mp_xs_write(ctx, t, path, num);
        if (rc)
            goto out;
    }
    if (!(present & MP_HAS_ENFORCE) || enforce != cur.enforce) {
        snprintf(path, sizeof(path), "/libxl/%u/memory-policy/enforce",
                 w->domid);
        rc = mp_xs_write(ctx, t, path, enforce ? "1" : "0");
        if (rc)
            goto out;
    }

    if (w->set_target && !*actor) {
        /* No actor: behave as xl mem-set. */
        snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
                 w->domid);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)target);
        rc = mp_xs_write(ctx, t, path, num);
        if (rc)
            goto out;
        if (enforce) {
            rc = ctx->be->setmaxmem(ctx, w->domid, target);
            if (rc)
                goto out;
            w->maxmem_changed = true;
        }
    }
    rc = 0;

out:
    mempolicy_policy_dispose(&cur);
    return rc;
}

static int policy_write(mempolicy_ctx *ctx, struct policy_write *w)
{
    struct mp_hvinfo hv;
    int rc;

    rc = mp_domain_live(ctx, w->domid, &hv);
    if (rc)
        return rc;
    w->old_maxmem_kb = hv.max_kb;
    rc = mp_transaction(ctx, policy_tx, w);
    if (rc && w->maxmem_changed) {
        /* The store kept the old target: put maxmem back to match it. */
        char saved[sizeof(ctx->err)];

        memcpy(saved, ctx->err, sizeof(saved));
        ctx->be->setmaxmem(ctx, w->domid, w->old_maxmem_kb);
        memcpy(ctx->err, saved, sizeof(saved));
    }
    return rc;
}

static int check_actor_params(mempolicy_ctx *ctx, const char **actor,
                              const char *params)
{
    if (!*actor || mempolicy_actor_name_valid(*actor, actor))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "invalid actor name '%s': use [a-z0-9-], not "
                      "starting with '-', at most %d characters, or \"\" "
                      "for none", MP_Q(*actor), MEMPOLICY_ACTOR_MAX);
    if (!params || mempolicy_params_valid(params))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "invalid actor params '%s': use key=value[,...], "
                      "keys [a-z0-9_-], no commas in values, no control "
                      "characters, at most %d bytes", MP_Q(params),
                      MEMPOLICY_PARAMS_MAX);
    return 0;
}

int mempolicy_domain_set_policy(mempolicy_ctx *ctx, uint32_t domid,
                                const char *actor, const char *params)
{
    struct policy_write w = { .domid = domid };
    int rc;

    rc = check_actor_params(ctx, &actor, params);
    if (rc)
        return rc;
    w.actor = actor;
    w.params = params;
    return policy_write(ctx, &w);
}

int mempolicy_domain_set_policy_if_unset(mempolicy_ctx *ctx, uint32_t domid,
                                         const char *actor,
                                         const char *params, bool *written)
{
    struct policy_write w = { .domid = domid, .if_unset = true };
    int rc;

    if (written)
        *written = false;
    rc = check_actor_params(ctx, &actor, params);
    if (rc)
        return rc;
    w.actor = actor;
    w.params = params;
    rc = policy_write(ctx, &w);
    if (!rc && written)
        *written = !w.skipped;
    return rc;
}

int mempolicy_domain_set_policy_target(mempolicy_ctx *ctx, uint32_t domid,
                                       const char *actor, const char *params,
                                       int64_t target_kb, bool relative,
                                       bool enforce)
{
    struct policy_write w = { .domid = domid, .set_target = true,
                              .target_kb = target_kb, .relative = relative,
                              .enforce = enforce };
    int rc;

    rc = check_actor_params(ctx, &actor, params);
    if (rc)
        return rc;
    w.actor = actor;
    w.params = params;
    return policy_write(ctx, &w);
}

int mempolicy_domain_set_target(mempolicy_ctx *ctx, uint32_t domid,
                                int64_t target_kb, bool relative,
                                bool enforce)
{
    struct policy_write w = { .domid = domid, .set_target = true,
                              .target_kb = target_kb, .relative = relative,
                              .enforce = enforce };

    if (!relative && target_kb <= 0)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: target %lld KiB must be positive", domid,
                      (long long)target_kb);
    return policy_write(ctx, &w);
}

struct policy_read {
    uint32_t domid;
    mempolicy_policy *out;
};

static int get_policy_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct policy_read *r = arg;
    char path[48];
    char *dom = NULL;
    unsigned any;
    int rc;

    /* A retried transaction must not leak the previous attempt's read. */
    mempolicy_policy_dispose(r->out);
    rc = mp_policy_read_tx(ctx, t, r->domid, r->out, &any);
    if (rc || any)
        return rc;
    /* No policy at all: fine for a domain that exists, an error else. */
    snprintf(path, sizeof(path), "/local/domain/%u", r->domid);
    rc = mp_xs_read(ctx, t, path, &dom);
    if (!rc && !dom)
        rc = mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                    "domain %u does not exist", r->domid);
    free(dom);
    if (rc)
        mempolicy_policy_dispose(r->out);
    return rc;
}

int mempolicy_domain_get_policy(mempolicy_ctx *ctx, uint32_t domid,
                                mempolicy_policy *out)
{
    struct policy_read r = { .domid = domid, .out = out };
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output policy");
    memset(out, 0, sizeof(*out));
    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    /* Read-only transactions never conflict in a harmful way; retrying
     * still gives a consistent snapshot if the store says EAGAIN. */
    return mp_transaction(ctx, get_policy_tx, &r);
}

int mempolicy_domain_get_target(mempolicy_ctx *ctx, uint32_t domid,
                                uint64_t *target_kb, bool *enforce)
{
    mempolicy_policy p;
    int rc;

    rc = mempolicy_domain_get_policy(ctx, domid, &p);
    if (rc)
        return rc;
    if (!p.has_target) {
        /* No policy target yet: the balloon target is the target. */
        char path[64];
        bool present;
        uint64_t kb;

        snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
        rc = mp_xs_read_kb(ctx, XBT_NULL, path, &present, &kb);
        if (!rc && !present)
            rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                        "domain %u has no target (no policy target, no "
                        "memory/target)", domid);
        if (!rc) {
            p.target_kb = kb;
            p.enforce = false;
        }
    }
    if (!rc) {
        if (target_kb)
            *target_kb = p.target_kb;
        if (enforce)
            *enforce = p.enforce;
    }
    mempolicy_policy_dispose(&p);
    return rc;
}
