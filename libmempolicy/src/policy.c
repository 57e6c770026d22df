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
#include "libmempolicy_actor.h"
#include "memwrite.h"
#include "paths.h"

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
    /* update_params: keys set (key=value,...) and removed (key,...) in
     * the params the transaction reads; params NULL then. */
    const char *merge_set, *merge_unset;
    bool merge;
    struct mp_mem_write mw;
};

static bool key_in(const char *key, size_t klen, const char *list)
{
    while (list && *list) {
        size_t n = strcspn(list, "=,");

        if (n == klen && !strncmp(list, key, klen))
            return true;
        list += strcspn(list, ",");
        if (*list)
            list++;
    }
    return false;
}

/*
 * cur with the items of `set` replacing those of the same key (in place)
 * or appended, and the keys of `unset` removed; *out malloc'd.  cur and
 * set are valid params strings.
 */
static int params_merge(const char *cur, const char *set, const char *unset,
                        char **out)
{
    size_t cap = strlen(cur) + strlen(set) + 2, n = 0;
    char *r = malloc(cap);
    const char *p;

    if (!r)
        return MEMPOLICY_ERROR_NOMEM;
    r[0] = '\0';
    for (p = cur; *p;) {
        size_t klen = strcspn(p, "="), ilen = strcspn(p, ",");

        if (!key_in(p, klen, unset)) {
            const char *q = set;
            bool replaced = false;

            /* A key of `set` takes this item's place. */
            while (*q) {
                size_t qk = strcspn(q, "="), ql = strcspn(q, ",");

                if (qk == klen && !strncmp(q, p, klen)) {
                    n += (size_t)snprintf(r + n, cap - n, "%s%.*s",
                                          n ? "," : "", (int)ql, q);
                    replaced = true;
                    break;
                }
                q += ql;
                if (*q)
                    q++;
            }
            if (!replaced)
                n += (size_t)snprintf(r + n, cap - n, "%s%.*s", n ? "," : "",
                                      (int)ilen, p);
        }
        p += ilen;
        if (*p)
            p++;
    }
    for (p = set; *p;) {
        size_t klen = strcspn(p, "="), ilen = strcspn(p, ",");

        if (!key_in(p, klen, cur) && !key_in(p, klen, unset))
            n += (size_t)snprintf(r + n, cap - n, "%s%.*s", n ? "," : "",
                                  (int)ilen, p);
        p += ilen;
        if (*p)
            p++;
    }
    *out = r;
    return 0;
}

/* A node of the policy, written as text. */
static int write_policy_node(mempolicy_ctx *ctx, xs_transaction_t t,
                             uint32_t domid, const char *node,
                             const char *val)
{
    char p[MP_PATH_MAX];

    return mp_xs_write(ctx, t, mp_path_policy(p, domid, node), val);
}

/*
 * A target asked for (mem-set, create): within the domain's memtune
 * range, or RANGE naming the limit.  Params that do not parse are the
 * actor's business (they were checked when stored).
 */
static int memtune_target_check(mempolicy_ctx *ctx, uint32_t domid,
                                const char *params, uint64_t request_kb)
{
    mempolicy_memtune m;
    uint64_t lo, hi;

    mempolicy_memtune_get(params, &m, NULL, 0);
    mempolicy_memtune_range(&m, UINT64_MAX, 0, &lo, &hi);
    if (request_kb > hi)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: target %llu KiB is above its hard_limit "
                      "%llu KiB less libxl's 1024 KiB maxmem slack (at most "
                      "%llu KiB); raise the hard limit first (mem-tune)",
                      domid, (unsigned long long)request_kb,
                      (unsigned long long)m.hard_limit_kb,
                      (unsigned long long)hi);
    if (request_kb < lo)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: target %llu KiB is below its "
                      "min_guarantee %llu KiB; lower the guarantee first "
                      "(mem-tune)", domid, (unsigned long long)request_kb,
                      (unsigned long long)lo);
    return 0;
}

/*
 * What a relative target is relative to.  libxl_set_memory_target adds a
 * relative change to memory/target; the policy target is the same number
 * plus the video RAM as long as the library wrote memory/target last.
 * Where memory/target is newer (libxl_mem.c is the rule):
 *  - no actor: memory/target is the domain's target, whoever wrote it
 *    (an xl mem-set on it leaves the policy target behind);
 *  - an actor, and memory/target changed by someone else since the
 *    library's last balloon write while the policy target did not (the
 *    xl mem-set that the actor's next write adopts, lowlevel.c adopt_tx):
 *    the change counts from what xl set, not from the older policy.
 * Then the base is memory/target + videoram, a request.  *base is left
 * as it is otherwise (the policy target).
 */
static int relative_base(mempolicy_ctx *ctx, xs_transaction_t t,
                         const struct policy_write *w,
                         const mempolicy_policy *cur, bool has_bal,
                         uint64_t *base)
{
    const struct mp_mem_facts *f = &w->mw.facts;
    uint64_t rec_bal, rec_pol;
    bool present;
    int rc;

    if (!has_bal)
        return 0;
    if (cur->actor && *cur->actor) {
        rc = mp_mem_record_read_tx(ctx, t, w->domid, &present, &rec_bal,
                                   &rec_pol);
        if (rc || !present || !cur->has_target ||
            cur->target_kb != rec_pol || f->target_kb == rec_bal)
            return rc;
    }
    *base = f->target_kb + f->videoram_kb;
    return 0;
}

static int policy_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct policy_write *w = arg;
    mempolicy_policy cur;
    char path[MP_PATH_MAX], num[24];
    char *dom = NULL;
    unsigned present;
    bool has_bal = false;
    uint64_t target = 0;
    bool has_target, enforce;
    const char *actor, *params;
    char *merged = NULL;
    /* A target to write: the caller's, or the cap a memtune change
     * brings the target down to (memtune_tx). */
    bool set_target = w->set_target, relative = w->relative;
    int64_t req_in = w->target_kb;
    bool new_enforce = w->enforce, cap_maxmem = false, want_cap = false;
    int rc;

    rc = mp_xs_read(ctx, t, mp_path_dom(path, w->domid, NULL), &dom);
    if (rc)
        return rc;
    if (!dom)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                      "domain %u does not exist (no %s)", w->domid, path);
    free(dom);

    w->skipped = false; /* this run's verdict: the transaction may rerun */
    if (w->if_unset) {
        /* Whatever the other nodes hold: someone chose a policy. */
        rc = mp_xs_read(ctx, t, mp_path_policy(path, w->domid, MP_POL_ACTOR),
                        &dom);
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

    actor = w->actor ? w->actor : cur.actor;
    params = w->params ? w->params : cur.actor_params;
    has_target = cur.has_target;
    target = cur.target_kb;
    enforce = cur.enforce;

    if (w->merge) {
        rc = params_merge(cur.actor_params, w->merge_set, w->merge_unset,
                          &merged);
        if (rc)
            goto out;
        if (mempolicy_params_valid(merged)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                        "domain %u: the params would be '%s': longer than "
                        "%d bytes", w->domid, MP_Q(merged),
                        MEMPOLICY_PARAMS_MAX);
            goto out;
        }
        params = merged;
    }
    if (w->params && !w->set_target) {
        mempolicy_memtune m;

        /* A hard limit in the params written: the cap holds at once. */
        mempolicy_memtune_get(params, &m, NULL, 0);
        want_cap = m.hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED;
    }
    if (set_target || !has_target || w->merge || want_cap) {
        /* What libxl reads: memory/target, static-max, videoram. */
        rc = mp_mem_facts_tx(ctx, t, &w->mw);
        if (rc == MEMPOLICY_ERROR_FAIL && !set_target)
            rc = 0; /* actor and params only: no target to start from */
        else if (rc)
            goto out;
        else
            has_bal = true;
    }
    if (!has_target && has_bal) {
        /* A policy set before any target starts from the balloon target,
         * as a request: video RAM included (libxl's target_memkb). */
        has_target = true;
        target = w->mw.facts.target_kb + w->mw.facts.videoram_kb;
    }
    if (w->merge) {
        char err[200];

        /* The params as the actor and memtune rules want them, against
         * this domain's static-max (docs/memtune.md). */
        if (mempolicy_actor_params_check(actor, params, err, sizeof(err)) ||
            mempolicy_memtune_check(params, has_bal ?
                                    w->mw.facts.static_max_kb : 0,
                                    err, sizeof(err))) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_INVAL, "%s", err);
            goto out;
        }
    }
    /* group=NAME: a group that exists, its guarantees within its budget
     * (group.c).  A restored or default policy is not refused for it:
     * an unknown group is the root group there. */
    if ((w->params || w->merge) && !w->if_unset) {
        rc = mp_group_admit_tx(ctx, t, w->domid, params);
        if (rc)
            goto out;
    }
    if (w->merge || want_cap) {
        mempolicy_memtune m;
        uint64_t lo, hi;

        mempolicy_memtune_get(params, &m, NULL, 0);
        if (has_bal && m.hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED) {
            mempolicy_memtune_range(&m, UINT64_MAX, 0, &lo, &hi);
            /* The cap holds at once: a target above it comes down to it,
             * and maxmem (libxl: target + video RAM + 1024 KiB) never
             * stays above the hard limit, enforcing or not. */
            if (has_target && target > hi) {
                set_target = true;
                req_in = (int64_t)hi;
                relative = false;
                new_enforce = enforce;
                cap_maxmem = true;
            } else if (w->mw.hv.max_kb > m.hard_limit_kb && has_target) {
                set_target = true;
                req_in = (int64_t)target;
                relative = false;
                new_enforce = enforce;
                cap_maxmem = true;
            }
        }
    }

    if (set_target) {
        int64_t req = req_in;

        if (relative) {
            /* Relative to the policy target, a request: the same change
             * libxl makes to memory/target, floored at 0 as libxl.  Where
             * memory/target is newer than the policy target, from
             * memory/target, as libxl (relative_base). */
            uint64_t r, base = target;

            rc = relative_base(ctx, t, w, &cur, has_bal, &base);
            if (rc)
                goto out;
            rc = mp_kb_relative(ctx, w->domid, "target", base, req, true,
                                &r);
            if (rc)
                goto out;
            if (r == 0) {
                rc = mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                            "domain %u: target %llu KiB %lld KiB leaves no "
                            "memory", w->domid, (unsigned long long)base,
                            (long long)req);
                goto out;
            }
            req = (int64_t)r; /* r <= MP_KB_MAX */
        }
        rc = mp_mem_plan(ctx, &w->mw.facts, req, false, &w->mw.plan);
        if (rc)
            goto out;
        if (w->set_target) {
            rc = memtune_target_check(ctx, w->domid, params,
                                      w->mw.plan.request_kb);
            if (rc)
                goto out;
        }
        target = w->mw.plan.request_kb;
        has_target = true;
        enforce = new_enforce;
    }

    /*
     * Write what differs (and what is missing), so that watchers see one
     * event per node that really changed.  The nodes left alone were read
     * in this transaction, so a concurrent change to them still makes it
     * conflict: the four nodes stay one writer's state.
     */
    if (!(present & MP_HAS_ACTOR) || strcmp(actor, cur.actor)) {
        rc = write_policy_node(ctx, t, w->domid, MP_POL_ACTOR, actor);
        if (rc)
            goto out;
    }
    if (!(present & MP_HAS_PARAMS) || strcmp(params, cur.actor_params)) {
        rc = write_policy_node(ctx, t, w->domid, MP_POL_PARAMS, params);
        if (rc)
            goto out;
    }
    if (has_target &&
        (!(present & MP_HAS_TARGET) || target != cur.target_kb)) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)target);
        rc = write_policy_node(ctx, t, w->domid, MP_POL_TARGET, num);
        if (rc)
            goto out;
    }
    if (!(present & MP_HAS_ENFORCE) || enforce != cur.enforce) {
        rc = write_policy_node(ctx, t, w->domid, MP_POL_ENFORCE,
                               enforce ? "1" : "0");
        if (rc)
            goto out;
    }
    if (present != MP_HAS_ALL || strcmp(actor, cur.actor) ||
        strcmp(params, cur.actor_params) || enforce != cur.enforce ||
        (has_target && target != cur.target_kb)) {
        /* Kept by uuid for the domain's next domid (xl reboot). */
        rc = mp_saved_write_tx(ctx, t, w->domid, actor, params, has_target,
                               target, enforce);
        if (rc)
            goto out;
    }

    if (set_target) {
        /*
         * No actor: what xl mem-set does (libxl_set_memory_target).  With
         * an actor, the actor moves the balloon; an enforced target still
         * sets maxmem here, so that the limit holds whatever the actor
         * does ("iff enforcing then sets maxmem"); so does a hard limit.
         */
        w->mw.write_target = !*actor;
        w->mw.maxmem = enforce || cap_maxmem ? MP_MAXMEM_SET : MP_MAXMEM_KEEP;
        w->mw.policy_target_kb = target;
        rc = mp_mem_apply_tx(ctx, t, &w->mw);
        if (rc)
            goto out;
    }
    rc = 0;

out:
    free(merged);
    mempolicy_policy_dispose(&cur);
    return rc;
}

static int policy_write(mempolicy_ctx *ctx, struct policy_write *w)
{
    struct mp_lock lk = { .fd = -1 };
    int rc;

    /* A target changes memory/target or maxmem: under libxl's lock, as
     * xl mem-set, so that the two never interleave. */
    if (w->set_target || w->merge)
        rc = mp_lock_domain(ctx, w->domid, &lk, &w->mw.hv);
    else
        rc = mp_domain_live(ctx, w->domid, &w->mw.hv);
    if (rc)
        return rc;
    w->mw.domid = w->domid;
    rc = mp_transaction(ctx, policy_tx, w);
    if (rc)
        /* The store kept the old target: so does the hypervisor. */
        mp_mem_undo(ctx, &w->mw);
    mp_unlock_domain(&lk);
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

int mp_policy_restore(mempolicy_ctx *ctx, uint32_t domid,
                      const mempolicy_policy *p, bool *restored)
{
    struct policy_write w = { .domid = domid, .if_unset = true,
                              .set_target = p->has_target,
                              .target_kb = (int64_t)p->target_kb,
                              .enforce = p->enforce };
    const char *actor = p->actor;
    int rc;

    rc = check_actor_params(ctx, &actor, p->actor_params);
    if (rc)
        return rc;
    w.actor = actor;
    w.params = p->actor_params;
    rc = policy_write(ctx, &w);
    if (!rc && restored)
        *restored = !w.skipped;
    return rc;
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

int mempolicy_domain_update_params(mempolicy_ctx *ctx, uint32_t domid,
                                   const char *set, const char *unset)
{
    struct policy_write w = { .domid = domid, .merge = true };
    const char *p;

    set = set ? set : "";
    unset = unset ? unset : "";
    if (mempolicy_params_valid(set))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "invalid actor params '%s': use key=value[,...], "
                      "keys [a-z0-9_-], no commas in values, no control "
                      "characters, at most %d bytes", MP_Q(set),
                      MEMPOLICY_PARAMS_MAX);
    for (p = unset; *p;) {
        size_t n = strcspn(p, ","), i;

        for (i = 0; i < n; i++)
            if (!((p[i] >= 'a' && p[i] <= 'z') ||
                  (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
                  p[i] == '-'))
                break;
        if (!n || i < n)
            return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                          "invalid list of keys '%s': use key[,key...], "
                          "keys [a-z0-9_-]", MP_Q(unset));
        p += n;
        if (*p)
            p++;
    }
    w.merge_set = set;
    w.merge_unset = unset;
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
    char path[MP_PATH_MAX];
    char *dom = NULL;
    unsigned any;
    int rc;

    /* A retried transaction must not leak the previous attempt's read. */
    mempolicy_policy_dispose(r->out);
    rc = mp_policy_read_tx(ctx, t, r->domid, r->out, &any);
    if (rc || any)
        return rc;
    /* No policy at all: fine for a domain that exists, an error else. */
    rc = mp_xs_read(ctx, t, mp_path_dom(path, r->domid, NULL), &dom);
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
    rc = mp_transaction(ctx, get_policy_tx, &r);
    if (rc) /* the reads may have succeeded and the commit failed */
        mempolicy_policy_dispose(out);
    return rc;
}

static int current_request_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                              void *arg)
{
    return mp_mem_facts_tx(ctx, t, arg);
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
        /* No policy target yet: the balloon target as a request (video
         * RAM included), as libxl reads it (dom0's filled if absent). */
        struct mp_mem_write mw = { .domid = domid };

        rc = mp_domain_live(ctx, domid, &mw.hv);
        if (!rc)
            rc = mp_transaction(ctx, current_request_tx, &mw);
        if (!rc) {
            p.target_kb = mw.facts.target_kb + mw.facts.videoram_kb;
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
