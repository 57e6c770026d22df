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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void mempolicy_dominfo_dispose(mempolicy_dominfo *info)
{
    if (!info)
        return;
    free(info->name);
    mempolicy_policy_dispose(&info->policy);
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

static int read_kb(mempolicy_ctx *ctx, uint32_t domid, const char *node,
                   uint64_t *kb)
{
    char path[80];
    bool present;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, node);
    return mp_xs_read_kb(ctx, XBT_NULL, path, &present, kb);
}

static int policy_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    mempolicy_dominfo *out = arg;
    unsigned any;

    mempolicy_policy_dispose(&out->policy);
    return mp_policy_read_tx(ctx, t, out->domid, &out->policy, &any);
}

/* Fill `out` from hv info plus the store; the domain may be vanishing. */
static int fill_info(mempolicy_ctx *ctx, const struct mp_hvinfo *hv,
                     mempolicy_dominfo *out)
{
    uint32_t d = hv->domid;
    char path[48];
    int rc;

    memset(out, 0, sizeof(*out));
    out->domid = d;
    out->type = hv->hvm ? MEMPOLICY_DOMAIN_TYPE_HVM
                        : MEMPOLICY_DOMAIN_TYPE_PV;
    out->hap = hv->hap;
    out->dying = hv->dying || hv->shutdown;
    out->actual_kb = hv->tot_kb;
    out->maxmem_kb = hv->max_kb;
    out->paged_kb = hv->paged_kb;
    out->shared_kb = hv->shared_kb;
    out->cow_breaks = hv->cow_breaks;
    out->paging = hv->paging;
    out->sharing = hv->sharing;

    snprintf(path, sizeof(path), "/local/domain/%u/name", d);
    rc = mp_xs_read(ctx, XBT_NULL, path, &out->name);
    if (rc)
        goto fail;
    if (!out->name) {
        /* As xl: a domain without a name is shown by its id. */
        char num[16];

        snprintf(num, sizeof(num), d ? "(domain %u)" : "Domain-0", d);
        out->name = strdup(num);
        if (!out->name) {
            rc = MEMPOLICY_ERROR_NOMEM;
            goto fail;
        }
    }
    if ((rc = read_kb(ctx, d, "memory/static-max", &out->static_max_kb)) ||
        (rc = read_kb(ctx, d, "memory/target", &out->balloon_target_kb)) ||
        (rc = read_kb(ctx, d, "memory/target-tot_pages",
                      &out->paging_target_kb)))
        goto fail;
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
    char path[48], *dom;
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
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    rc = mp_xs_read(ctx, XBT_NULL, path, &dom);
    if (rc)
        return rc;
    if (!dom && !hv.dying)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                      "domain %u does not exist in xenstore", domid);
    free(dom);
    return fill_info(ctx, &hv, out);
}

int mempolicy_list_domains(mempolicy_ctx *ctx, mempolicy_dominfo **list,
                           int *n)
{
    mempolicy_dominfo *out;
    uint32_t *ids;
    int nids, i, cnt = 0, rc;

    if (!list || !n)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output list");
    *list = NULL;
    *n = 0;
    rc = ctx->be->list(ctx, &ids, &nids);
    if (rc)
        return rc;
    out = calloc(nids ? (size_t)nids : 1, sizeof(*out));
    if (!out) {
        free(ids);
        return MEMPOLICY_ERROR_NOMEM;
    }
    for (i = 0; i < nids; i++) {
        struct mp_hvinfo hv;

        rc = ctx->be->dominfo(ctx, ids[i], &hv);
        if (rc == MEMPOLICY_ERROR_NO_DOMAIN)
            continue; /* destroyed since the list was taken */
        if (rc)
            goto fail;
        rc = fill_info(ctx, &hv, &out[cnt]);
        if (rc)
            goto fail;
        cnt++;
    }
    free(ids);
    *list = out;
    *n = cnt;
    return 0;

fail:
    free(ids);
    mempolicy_dominfo_list_free(out, cnt);
    return rc;
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
    char **names, path[64], *name;
    unsigned n, i;
    uint64_t v;
    int rc;

    if (!s || !*s || !domid)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "empty domain name");
    if (strspn(s, "0123456789") == strlen(s)) {
        /* All digits: a domid, as xl (which does not look it up). */
        if (!mp_parse_u64(s, MP_DOMID_LIMIT - 1, &v))
            return mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                          "'%.40s' is not a valid domain id", s);
        *domid = (uint32_t)v;
        return 0;
    }
    names = xs_directory(ctx->xsh, XBT_NULL, "/local/domain", &n);
    if (!names)
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: listing /local/domain failed");
    rc = MEMPOLICY_ERROR_NO_DOMAIN;
    for (i = 0; i < n; i++) {
        if (!mp_parse_u64(names[i], MP_DOMID_LIMIT - 1, &v))
            continue;
        snprintf(path, sizeof(path), "/local/domain/%u/name", (unsigned)v);
        if (mp_xs_read(ctx, XBT_NULL, path, &name) || !name)
            continue;
        if (!strcmp(name, s)) {
            free(name);
            *domid = (uint32_t)v;
            rc = 0;
            break;
        }
        free(name);
    }
    free(names);
    if (rc)
        return mp_err(ctx, rc, "no domain named '%.80s'", s);
    return 0;
}
