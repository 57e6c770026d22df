/*
 * hostmem.c: the hypervisor's facts about domains without the store
 * (mempolicy_domain_get_pages, mempolicy_list_domain_pages), for actors
 * that follow every domain of a host and must not pay ~10 store round
 * trips per domain for a page count.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void from_hv(mempolicy_domain_pages *o, const struct mp_hvinfo *h)
{
    memset(o, 0, sizeof(*o));
    o->domid = h->domid;
    o->dying = h->dying || h->shutdown;
    o->actual_kb = h->tot_kb;
    o->maxmem_kb = h->max_kb;
    o->paged_kb = h->paged_kb;
    o->shared_kb = h->shared_kb;
}

int mempolicy_domain_get_pages(mempolicy_ctx *ctx, uint32_t domid,
                               mempolicy_domain_pages *out)
{
    struct mp_hvinfo h;
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output");
    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    rc = ctx->be->dominfo(ctx, domid, &h);
    if (rc)
        return rc;
    from_hv(out, &h);
    return 0;
}

int mempolicy_list_domain_pages(mempolicy_ctx *ctx,
                                mempolicy_domain_pages **list, int *n)
{
    struct mp_hvinfo *h = NULL;
    mempolicy_domain_pages *v;
    int rc, k, i;

    if (!list || !n)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output");
    *list = NULL;
    *n = 0;
    rc = ctx->be->list_info(ctx, &h, &k);
    if (rc)
        return rc;
    v = calloc(k ? (size_t)k : 1, sizeof(*v));
    if (!v) {
        free(h);
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "out of memory");
    }
    for (i = 0; i < k; i++)
        from_hv(&v[i], &h[i]);
    free(h);
    *list = v;
    *n = k;
    return 0;
}
