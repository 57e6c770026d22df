/*
 * store.c: xenstore helpers shared by the policy, mechanism and event code.
 *
 * Everything the library reads may have been written by someone else (the
 * guest writes under /local/domain/<id>), so every value is bounded and
 * parsed strictly here, in one place.  Transactions are the unit of
 * consistency: callers give a function that does its reads and writes
 * inside one transaction and the helper retries it on conflict, a bounded
 * number of times, so a writer can never leave a torn policy behind and
 * never spins forever.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "paths.h"

bool mp_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (!s || !*s || strlen(s) > 20)
        return false;
    for (; *s; s++) {
        unsigned d;

        if (*s < '0' || *s > '9')
            return false;
        d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

bool mp_parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "0") || !strcmp(s, "false")) {
        *out = false;
        return true;
    }
    return false;
}

int mp_xs_read(mempolicy_ctx *ctx, xs_transaction_t t, const char *path,
               char **val)
{
    unsigned len;
    char *v;

    *val = NULL;
    v = xs_read(ctx->xsh, t, path, &len);
    if (!v) {
        if (errno == ENOENT)
            return 0;
        if (errno == EAGAIN && t != XBT_NULL)
            return MP_TX_RETRY;
        if (errno == EACCES || errno == EPERM)
            return mp_err(ctx, MEMPOLICY_ERROR_PERM,
                          "xenstore: permission denied reading %s", path);
        return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: reading %s: %s",
                      path, strerror(errno));
    }
    if (len > MP_VALUE_MAX || strlen(v) != len) {
        free(v);
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "%s: value too long or not text", path);
    }
    *val = v;
    return 0;
}

int mp_xs_read_kb(mempolicy_ctx *ctx, xs_transaction_t t, const char *path,
                  bool *present, uint64_t *kb)
{
    char *v;
    int rc = mp_xs_read(ctx, t, path, &v);

    *present = false;
    *kb = 0;
    if (rc)
        return rc;
    if (!v)
        return 0;
    if (!mp_parse_u64(v, MP_KB_MAX, kb)) {
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                    "%s: '%s' is not a size in KiB", path, MP_Q(v));
        free(v);
        return rc;
    }
    free(v);
    *present = true;
    return 0;
}

int mp_xs_write(mempolicy_ctx *ctx, xs_transaction_t t, const char *path,
                const char *val)
{
    if (t != XBT_NULL)
        ctx->tx_wrote = true;
    if (xs_write(ctx->xsh, t, path, val, strlen(val)))
        return 0;
    if (errno == EAGAIN && t != XBT_NULL)
        return MP_TX_RETRY;
    if (errno == EACCES || errno == EPERM)
        return mp_err(ctx, MEMPOLICY_ERROR_PERM,
                      "xenstore: permission denied writing %s", path);
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: writing %s: %s",
                  path, strerror(errno));
}

bool mp_xs_rm(mempolicy_ctx *ctx, xs_transaction_t t, const char *path)
{
    if (t != XBT_NULL)
        ctx->tx_wrote = true;
    return xs_rm(ctx->xsh, t, path);
}

/* Back off a little after a conflict so that racing writers spread out. */
static void tx_backoff(unsigned attempt)
{
    struct timespec ts;
    unsigned cap = attempt < 8 ? (1u << attempt) : 256;
    unsigned us = 10 + (unsigned)rand() % (cap * 20);

    ts.tv_sec = 0;
    ts.tv_nsec = (long)us * 1000;
    nanosleep(&ts, NULL);
}

int mp_transaction(mempolicy_ctx *ctx, mp_tx_fn *fn, void *arg)
{
    unsigned attempt;

    for (attempt = 0; attempt < MP_TX_RETRIES; attempt++) {
        xs_transaction_t t = xs_transaction_start(ctx->xsh);
        int rc;

        if (t == XBT_NULL)
            return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                          "xenstore: cannot start a transaction: %s",
                          strerror(errno));
        ctx->tx_wrote = false;
        rc = fn(ctx, t, arg);
        if (rc < 0 && ctx->tx_wrote) {
            xs_transaction_end(ctx->xsh, t, true);
            return rc;
        } else if (rc < 0) {
            /* Read only: were its reads one state of the store? */
            if (xs_transaction_end(ctx->xsh, t, false) || errno != EAGAIN)
                return rc;
            mp_log(ctx, XTL_DEBUG,
                   "transaction conflicted after an error (%s): run again",
                   ctx->err);
        } else if (rc == MP_TX_RETRY) {
            xs_transaction_end(ctx->xsh, t, true);
        } else {
            assert(rc == 0);
            if (xs_transaction_end(ctx->xsh, t, false))
                return 0;
            if (errno != EAGAIN)
                return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                              "xenstore: committing a transaction: %s",
                              strerror(errno));
        }
        tx_backoff(attempt);
    }
    return mp_err(ctx, MEMPOLICY_ERROR_AGAIN,
                  "xenstore transaction still conflicting after %d attempts",
                  MP_TX_RETRIES);
}

int mp_domain_live(mempolicy_ctx *ctx, uint32_t domid, struct mp_hvinfo *hv)
{
    struct mp_hvinfo local;
    int rc;

    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    if (!hv)
        hv = &local;
    rc = ctx->be->dominfo(ctx, domid, hv);
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN)
        return mp_err(ctx, rc, "domain %u does not exist", domid);
    if (rc)
        return rc;
    if (hv->dying || hv->shutdown)
        return mp_err(ctx, MEMPOLICY_ERROR_DYING, "domain %u is %s", domid,
                      hv->dying ? "dying" : "shut down");
    return 0;
}

int mp_policy_parse(mempolicy_ctx *ctx, uint32_t domid, char *vals[4],
                    mempolicy_policy *out, unsigned *present)
{
    char path[MP_PATH_MAX];
    int rc;

    memset(out, 0, sizeof(*out));
    *present = 0;
    out->actor = vals[0];
    out->actor_params = vals[1];
    *present |= (out->actor ? MP_HAS_ACTOR : 0) |
                (out->actor_params ? MP_HAS_PARAMS : 0);
    /* Only what a writer of this library could have stored: anything
     * else (control characters, an option-like name) is garbage that
     * must not reach an actor or a terminal. */
    if (out->actor && mempolicy_actor_name_valid(out->actor, NULL)) {
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                    "%s: '%s' is not a valid actor name",
                    mp_path_policy(path, domid, MP_POL_ACTOR),
                    MP_Q(out->actor));
        goto fail;
    }
    if (out->actor_params && mempolicy_params_valid(out->actor_params)) {
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                    "%s: '%s' is not a key=value list",
                    mp_path_policy(path, domid, MP_POL_PARAMS),
                    MP_Q(out->actor_params));
        goto fail;
    }
    if (vals[2]) {
        if (!mp_parse_u64(vals[2], MP_KB_MAX, &out->target_kb)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                        "%s: '%s' is not a size in KiB",
                        mp_path_policy(path, domid, MP_POL_TARGET),
                        MP_Q(vals[2]));
            goto fail;
        }
        out->has_target = true;
        *present |= MP_HAS_TARGET;
    }
    if (vals[3]) {
        *present |= MP_HAS_ENFORCE;
        if (!mp_parse_bool(vals[3], &out->enforce)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                        "%s: '%s' is not a boolean",
                        mp_path_policy(path, domid, MP_POL_ENFORCE),
                        MP_Q(vals[3]));
            goto fail;
        }
    }
    if (!out->actor)
        out->actor = strdup("");
    if (!out->actor_params)
        out->actor_params = strdup("");
    if (!out->actor || !out->actor_params) {
        rc = MEMPOLICY_ERROR_NOMEM;
        goto fail;
    }
    return 0;

fail:
    mempolicy_policy_dispose(out);
    *present = 0;
    return rc;
}

int mp_policy_read_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                      uint32_t domid, mempolicy_policy *out,
                      unsigned *present)
{
    static const char *const nodes[4] = { MP_POL_ACTOR, MP_POL_PARAMS,
                                          MP_POL_TARGET, MP_POL_ENFORCE };
    char path[MP_PATH_MAX], *vals[4] = { NULL, NULL, NULL, NULL };
    unsigned i;
    int rc;

    memset(out, 0, sizeof(*out));
    *present = 0;
    for (i = 0; i < 4; i++) {
        rc = mp_xs_read(ctx, t, mp_path_policy(path, domid, nodes[i]),
                        &vals[i]);
        if (rc) {
            while (i--)
                free(vals[i]);
            return rc;
        }
    }
    rc = mp_policy_parse(ctx, domid, vals, out, present);
    free(vals[2]);
    free(vals[3]);
    return rc;
}
