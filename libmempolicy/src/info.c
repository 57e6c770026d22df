/*
 * info.c: domain and host information, and xl-style domain lookup.
 *
 * What a domain is made of comes from two places: the hypervisor (type,
 * HAP, pages, maxmem, paging and sharing state) through the backend, and
 * the store (name, static-max, balloon and paging targets, policy).  A
 * domain the hypervisor lists but whose store nodes are already gone (it
 * is being destroyed) is reported with what is left, not as an error, so
 * that listing a busy host never fails because of one domain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "paths.h"

void mempolicy_dominfo_dispose(mempolicy_dominfo *info)
{
    if (!info)
        return;
    free(info->name);
    mempolicy_policy_dispose(&info->policy);
    free(info->malformed);
    memset(info, 0, sizeof(*info));
}

void mempolicy_dominfo_list_free(mempolicy_dominfo *list, int n)
{
    int i;

    if (!list)
        return;
    for (i = 0; i < n; i++)
        mempolicy_dominfo_dispose(&list[i]);
    free(list);
}

static int mark_malformed(mempolicy_ctx *ctx, mempolicy_dominfo *out);

static int read_kb(mempolicy_ctx *ctx, uint32_t domid, const char *node,
                   uint64_t *kb)
{
    char path[MP_PATH_MAX];
    bool present;

    return mp_xs_read_kb(ctx, XBT_NULL, mp_path_mem(path, domid, node),
                         &present, kb);
}

static int policy_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    mempolicy_dominfo *out = arg;
    unsigned any;

    mempolicy_policy_dispose(&out->policy);
    return mp_policy_read_tx(ctx, t, out->domid, &out->policy, &any);
}

/* The hypervisor's part of a dominfo. */
static void fill_hv(const struct mp_hvinfo *hv, mempolicy_dominfo *out)
{
    memset(out, 0, sizeof(*out));
    out->domid = hv->domid;
    out->type = hv->hvm ? MEMPOLICY_DOMAIN_TYPE_HVM
                        : MEMPOLICY_DOMAIN_TYPE_PV;
    out->hap = hv->hap;
    out->dying = hv->dying || hv->shutdown;
    out->actual_kb = hv->tot_kb;
    out->maxmem_kb = hv->max_kb;
    out->paged_kb = hv->paged_kb;
    out->shared_kb = hv->shared_kb;
    out->cow_breaks = hv->cow_breaks;
    /* Paging is on while a pager is recorded (pager.c), not when the
     * hypervisor has pages out: set by the callers from the record. */
    out->paging = false;
    out->sharing = hv->sharing;
}

/* What Xen needs for the domain beyond its memory (libxl's
 * need_memory arithmetic, from static-max; none for dom0, which libxl
 * does not build). */
static void fill_overhead(const struct mp_hvinfo *hv, mempolicy_dominfo *out)
{
    mempolicy_build_mem b = {
        .type = out->type,
        .hap = out->hap,
        .memory_kb = out->static_max_kb,
        .vcpus = hv->vcpus ? hv->vcpus : 1,
    };

    if (!out->domid || mempolicy_need_memory(&b, &out->overhead_kb, NULL))
        out->overhead_kb = 0;
}

/* As xl: a domain without a name is shown by its id. */
static int default_name(mempolicy_dominfo *out)
{
    char num[24];

    snprintf(num, sizeof(num), out->domid ? "(domain %u)" : "Domain-0",
             out->domid);
    out->name = strdup(num);
    return out->name ? 0 : MEMPOLICY_ERROR_NOMEM;
}

/* Fill `out` from hv info plus the store; the domain may be vanishing. */
static int fill_info(mempolicy_ctx *ctx, const struct mp_hvinfo *hv,
                     mempolicy_dominfo *out)
{
    uint32_t d = hv->domid;
    char path[MP_PATH_MAX];
    int rc;

    fill_hv(hv, out);
    rc = mp_xs_read(ctx, XBT_NULL, mp_path_dom(path, d, "name"), &out->name);
    if (rc)
        goto fail;
    if (!out->name && (rc = default_name(out)))
        goto fail;
    {
        struct mp_pager_rec rec;

        rc = mp_pager_read(ctx, d, &rec, &out->paging);
        if (rc == MEMPOLICY_ERROR_FAIL)
            rc = mark_malformed(ctx, out);
        if (rc)
            goto fail;
    }
    if ((rc = read_kb(ctx, d, MP_MEM_STATIC_MAX, &out->static_max_kb)) ||
        (rc = read_kb(ctx, d, MP_MEM_TARGET, &out->balloon_target_kb)) ||
        (rc = read_kb(ctx, d, MP_MEM_PAGING_TARGET,
                      &out->paging_target_kb)) ||
        (rc = read_kb(ctx, d, MP_MEM_VIDEORAM, &out->videoram_kb)))
        goto fail;
    fill_overhead(hv, out);
    rc = mp_transaction(ctx, policy_tx, out);
    if (rc)
        goto fail;
    return 0;

fail:
    mempolicy_dominfo_dispose(out);
    return rc;
}

int mempolicy_domain_info(mempolicy_ctx *ctx, uint32_t domid,
                          mempolicy_dominfo *out)
{
    struct mp_hvinfo hv;
    char path[MP_PATH_MAX], *dom;
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output info");
    memset(out, 0, sizeof(*out));
    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    rc = ctx->be->dominfo(ctx, domid, &hv);
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN)
        return mp_err(ctx, rc, "domain %u does not exist", domid);
    if (rc)
        return rc;
    rc = mp_xs_read(ctx, XBT_NULL, mp_path_dom(path, domid, NULL), &dom);
    if (rc)
        return rc;
    if (!dom && !hv.dying)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                      "domain %u does not exist in xenstore", domid);
    free(dom);
    return fill_info(ctx, &hv, out);
}

/*
 * The listing reads, per domain, 4 plain nodes and the 4 policy nodes;
 * the policy nodes of a chunk of domains are read in one transaction (a
 * snapshot per domain is all the API promises; one per chunk is more and
 * costs two round trips a chunk, not two a domain).  All reads are
 * pipelined (store_batch.c): the listing costs a few round trips per
 * chunk, not ten per domain.
 */
#define LIST_PLAIN 6
#define LIST_POLICY 4
#define LIST_CHUNK 128

/* /local/domain/<domid>/name, then these under its memory/, then the
 * pager's record (/libxl/<domid>/xenpaging); paths.c builds each. */
static const char *const mem_nodes[LIST_PLAIN - 2] = {
    MP_MEM_STATIC_MAX, MP_MEM_TARGET, MP_MEM_PAGING_TARGET, MP_MEM_VIDEORAM,
};
static const char *const policy_nodes[LIST_POLICY] = {
    MP_POL_ACTOR, MP_POL_PARAMS, MP_POL_TARGET, MP_POL_ENFORCE,
};

static void free_reqs(struct mp_xs_req *r, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(r[i].val);
        r[i].val = NULL;
    }
}

/* A request's answer as a value: 0 with *v (NULL if absent), or error. */
static int req_value(mempolicy_ctx *ctx, struct mp_xs_req *q, char **v)
{
    *v = NULL;
    switch (q->err) {
    case 0:
        *v = q->val;
        q->val = NULL;
        return 0;
    case ENOENT:
        return 0;
    case EACCES:
    case EPERM:
        return mp_err(ctx, MEMPOLICY_ERROR_PERM,
                      "xenstore: permission denied reading %s", q->path);
    default:
        return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: reading %s: %s",
                      q->path, strerror(q->err));
    }
}

static int req_kb(mempolicy_ctx *ctx, struct mp_xs_req *q, uint64_t *kb)
{
    char *v;
    int rc = req_value(ctx, q, &v);

    *kb = 0;
    if (rc || !v)
        return rc;
    if (!mp_parse_u64(v, MP_KB_MAX, kb))
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                    "%s: '%s' is not a size in KiB", q->path, MP_Q(v));
    free(v);
    return rc;
}

/*
 * A value that is garbage (FAIL from the parsers): keep the domain in
 * the list, marked, rather than failing the whole list.  The first
 * reason is kept; 0, or NOMEM.
 */
static int mark_malformed(mempolicy_ctx *ctx, mempolicy_dominfo *out)
{
    if (!out->malformed)
        out->malformed = strdup(ctx->err);
    mp_log(ctx, XTL_WARN, "domain %u listed with garbage: %s", out->domid,
           ctx->err);
    return out->malformed ? 0 : MEMPOLICY_ERROR_NOMEM;
}

static int fill_kb(mempolicy_ctx *ctx, struct mp_xs_req *q, uint64_t *kb,
                   mempolicy_dominfo *out)
{
    int rc = req_kb(ctx, q, kb);

    return rc == MEMPOLICY_ERROR_FAIL ? mark_malformed(ctx, out) : rc;
}

/* Fill out from hv and the answers of its plain and policy reads. */
static int fill_from(mempolicy_ctx *ctx, const struct mp_hvinfo *hv,
                     struct mp_xs_req *plain, struct mp_xs_req *pol,
                     mempolicy_dominfo *out)
{
    char *vals[LIST_POLICY];
    unsigned present, i;
    int rc;

    fill_hv(hv, out);
    if ((rc = req_value(ctx, &plain[0], &out->name)) ||
        (rc = fill_kb(ctx, &plain[1], &out->static_max_kb, out)) ||
        (rc = fill_kb(ctx, &plain[2], &out->balloon_target_kb, out)) ||
        (rc = fill_kb(ctx, &plain[3], &out->paging_target_kb, out)) ||
        (rc = fill_kb(ctx, &plain[4], &out->videoram_kb, out)))
        goto fail;
    fill_overhead(hv, out);
    {
        struct mp_pager_rec rec;
        char *v;

        rc = req_value(ctx, &plain[5], &v);
        if (rc)
            goto fail;
        if (v && mp_pager_parse(v, &rec)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL, "%s: not \"<pid> "
                        "<pagefile>\"", plain[5].path);
            rc = mark_malformed(ctx, out);
        } else {
            out->paging = v != NULL;
        }
        free(v);
        if (rc)
            goto fail;
    }
    if (!out->name && (rc = default_name(out)))
        goto fail;
    for (i = 0; i < LIST_POLICY; i++) {
        rc = req_value(ctx, &pol[i], &vals[i]);
        if (rc) {
            while (i--)
                free(vals[i]);
            goto fail;
        }
    }
    rc = mp_policy_parse(ctx, hv->domid, vals, &out->policy, &present);
    free(vals[2]);
    free(vals[3]);
    if (rc == MEMPOLICY_ERROR_FAIL) {
        /* Garbage policy: shown as no actor, no target, marked. */
        memset(&out->policy, 0, sizeof(out->policy));
        out->policy.actor = strdup("");
        out->policy.actor_params = strdup("");
        rc = out->policy.actor && out->policy.actor_params
                 ? mark_malformed(ctx, out)
                 : MEMPOLICY_ERROR_NOMEM;
    }
    if (rc)
        goto fail;
    return 0;

fail:
    mempolicy_dominfo_dispose(out);
    return rc;
}

/* The policy nodes of domains [first, first + k): one transaction. */
static int read_policies(mempolicy_ctx *ctx, struct mp_xs_req *pol,
                         size_t n)
{
    unsigned attempt;
    int rc;

    for (attempt = 0; attempt < MP_TX_RETRIES; attempt++) {
        uint32_t tx;

        rc = mp_xsb_tx_start(ctx, &tx);
        if (rc)
            return rc;
        rc = mp_xsb_read(ctx, tx, pol, (unsigned)n);
        if (rc) {
            /* Best effort (a broken connection takes it along), keeping
             * the detail of what failed. */
            char saved[sizeof(ctx->err)];

            memcpy(saved, ctx->err, sizeof(saved));
            mp_xsb_tx_end(ctx, tx);
            memcpy(ctx->err, saved, sizeof(saved));
            return rc;
        }
        rc = mp_xsb_tx_end(ctx, tx);
        if (rc != MP_TX_RETRY)
            return rc;
        free_reqs(pol, n);
    }
    return mp_err(ctx, MEMPOLICY_ERROR_AGAIN,
                  "xenstore transaction still conflicting after %d attempts",
                  MP_TX_RETRIES);
}

int mempolicy_list_domains(mempolicy_ctx *ctx, mempolicy_dominfo **list,
                           int *n)
{
    mempolicy_dominfo *out = NULL;
    struct mp_hvinfo *hv = NULL;
    struct mp_xs_req *plain = NULL, *pol = NULL;
    char (*paths)[MP_PATH_MAX] = NULL;
    int nhv, i, cnt = 0, rc;
    size_t k;

    if (!list || !n)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output list");
    *list = NULL;
    *n = 0;
    rc = ctx->be->list_info(ctx, &hv, &nhv);
    if (rc)
        return rc;
    out = calloc(nhv ? (size_t)nhv : 1, sizeof(*out));
    plain = calloc((size_t)nhv * LIST_PLAIN + 1, sizeof(*plain));
    pol = calloc((size_t)nhv * LIST_POLICY + 1, sizeof(*pol));
    paths = calloc((size_t)nhv * (LIST_PLAIN + LIST_POLICY) + 1,
                   sizeof(*paths));
    if (!out || !plain || !pol || !paths) {
        rc = MEMPOLICY_ERROR_NOMEM;
        goto done;
    }
    for (i = 0; i < nhv; i++) {
        char (*p)[MP_PATH_MAX] =
            paths + (size_t)i * (LIST_PLAIN + LIST_POLICY);

        mp_path_dom(p[0], hv[i].domid, "name");
        for (k = 1; k < LIST_PLAIN - 1; k++)
            mp_path_mem(p[k], hv[i].domid, mem_nodes[k - 1]);
        mp_path_libxl(p[LIST_PLAIN - 1], hv[i].domid, MP_LIBXL_PAGER);
        for (k = 0; k < LIST_PLAIN; k++)
            plain[(size_t)i * LIST_PLAIN + k].path = p[k];
        for (k = 0; k < LIST_POLICY; k++) {
            mp_path_policy(p[LIST_PLAIN + k], hv[i].domid, policy_nodes[k]);
            pol[(size_t)i * LIST_POLICY + k].path = p[LIST_PLAIN + k];
        }
    }
    rc = mp_xsb_read(ctx, 0, plain, (unsigned)nhv * LIST_PLAIN);
    for (i = 0; !rc && i < nhv; i += LIST_CHUNK) {
        size_t m = (size_t)(nhv - i < LIST_CHUNK ? nhv - i : LIST_CHUNK);

        rc = read_policies(ctx, pol + (size_t)i * LIST_POLICY,
                           m * LIST_POLICY);
    }
    for (i = 0; !rc && i < nhv; i++) {
        rc = fill_from(ctx, &hv[i], plain + (size_t)i * LIST_PLAIN,
                       pol + (size_t)i * LIST_POLICY, &out[cnt]);
        if (!rc)
            cnt++;
    }

done:
    if (plain)
        free_reqs(plain, (size_t)nhv * LIST_PLAIN);
    if (pol)
        free_reqs(pol, (size_t)nhv * LIST_POLICY);
    free(plain);
    free(pol);
    free(paths);
    free(hv);
    if (rc) {
        mempolicy_dominfo_list_free(out, cnt);
        return rc;
    }
    *list = out;
    *n = cnt;
    return 0;
}

int mempolicy_get_physinfo(mempolicy_ctx *ctx, mempolicy_physinfo *out)
{
    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output physinfo");
    return ctx->be->physinfo(ctx, out);
}

int mempolicy_domain_qualifier_to_domid(mempolicy_ctx *ctx, const char *s,
                                        uint32_t *domid)
{
    char path[MP_PATH_MAX], *name;
    uint32_t *ids;
    uint64_t v;
    int n, i, rc;

    if (!s || !*s || !domid)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "empty domain name");
    if (strspn(s, "0123456789") == strlen(s)) {
        /* All digits: a domid, as xl (which does not look it up). */
        if (!mp_parse_u64(s, MP_DOMID_LIMIT - 1, &v))
            return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                          "'%s' is not a valid domain id", MP_Q(s));
        *domid = (uint32_t)v;
        return 0;
    }
    /*
     * As libxl_name_to_domid: the hypervisor's domains, each one's name
     * from the store, so a /local/domain/<id> left behind by a dead
     * domain never resolves.
     */
    rc = ctx->be->list(ctx, &ids, &n);
    if (rc)
        return rc;
    rc = MEMPOLICY_ERROR_NO_DOMAIN;
    for (i = 0; i < n; i++) {
        if (mp_xs_read(ctx, XBT_NULL, mp_path_dom(path, ids[i], "name"),
                       &name) || !name)
            continue;
        if (!strcmp(name, s)) {
            free(name);
            *domid = ids[i];
            rc = 0;
            break;
        }
        free(name);
    }
    free(ids);
    if (rc)
        return mp_err(ctx, rc, "no domain named '%s'", MP_Q(s));
    return 0;
}
