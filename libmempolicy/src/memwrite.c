/*
 * memwrite.c: a target plan carried out as libxl_set_memory_target does
 * (tools/libs/light/libxl_mem.c, Xen 4.17): inside the transaction that
 * writes memory/target, first xc_domain_setmaxmem (when enforcing), then
 * xc_domain_set_pod_target for every non-PV guest, then memory/target
 * and /vm/<uuid>/memory.  Unlike libxl, a failed transaction also puts
 * the hypervisor back (mp_mem_undo), so a failed call leaves the host as
 * it found it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memwrite.h"
#include "paths.h"

/* One node of /local/domain/<id>/memory as KiB; *present false if absent. */
static int read_mem(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t domid,
                    const char *node, bool *present, uint64_t *kb)
{
    char p[MP_PATH_MAX];

    return mp_xs_read_kb(ctx, t, mp_path_mem(p, domid, node), present, kb);
}

/* dom0's absent node, filled as libxl__fill_dom0_memory_info does. */
static int fill_dom0(mempolicy_ctx *ctx, xs_transaction_t t, const char *node,
                     uint64_t kb)
{
    char p[MP_PATH_MAX], num[24];

    snprintf(num, sizeof(num), "%llu", (unsigned long long)kb);
    return mp_xs_write(ctx, t, mp_path_mem(p, 0, node), num);
}

int mp_mem_facts_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                    struct mp_mem_write *w)
{
    struct mp_mem_facts *f = &w->facts;
    bool has_target, has_max, has_video;
    char p[MP_PATH_MAX];
    int rc;

    memset(f, 0, sizeof(*f));
    f->domid = w->domid;
    f->pv = !w->hv.hvm;
    if ((rc = read_mem(ctx, t, w->domid, MP_MEM_TARGET, &has_target,
                       &f->target_kb)) ||
        (rc = read_mem(ctx, t, w->domid, MP_MEM_STATIC_MAX, &has_max,
                       &f->static_max_kb)) ||
        (rc = read_mem(ctx, t, w->domid, MP_MEM_VIDEORAM, &has_video,
                       &f->videoram_kb)))
        return rc;
    if (w->domid == 0) {
        if (!has_target) {
            f->target_kb = w->hv.tot_kb;
            rc = fill_dom0(ctx, t, MP_MEM_TARGET, f->target_kb);
            if (rc)
                return rc;
        }
        if (!has_max) {
            f->static_max_kb = w->hv.max_kb;
            rc = fill_dom0(ctx, t, MP_MEM_STATIC_MAX, f->static_max_kb);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (!has_target || !has_max || !has_video)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "domain %u: no %s in xenstore (libxl writes it when "
                      "it builds a domain)",
                      w->domid,
                      mp_path_mem(p, w->domid,
                                  !has_max        ? MP_MEM_STATIC_MAX :
                                      !has_target ? MP_MEM_TARGET :
                                                    MP_MEM_VIDEORAM));
    return 0;
}

int mp_mem_apply_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                    struct mp_mem_write *w)
{
    const struct mp_mem_plan *pl = &w->plan;
    char p[MP_PATH_MAX], num[24], uuid[MP_UUID_LEN + 1];
    int rc;

    if (w->maxmem == MP_MAXMEM_SET ||
        (w->maxmem == MP_MAXMEM_RAISE && pl->maxmem_kb > w->hv.max_kb)) {
        rc = ctx->be->setmaxmem(ctx, w->domid, pl->maxmem_kb);
        if (rc)
            return rc;
        w->maxmem_changed = true;
    } else if (w->maxmem == MP_MAXMEM_RAISE && w->enforced_maxmem_kb &&
               pl->maxmem_kb <= w->enforced_maxmem_kb &&
               w->hv.max_kb > w->enforced_maxmem_kb) {
        /*
         * An enforced policy target sets maxmem (policy.c); a balloon
         * write of an older, higher target landing after it (an actor's
         * event read before the change) raised maxmem above it, and
         * nothing else would lower it again.  A write within the
         * enforced target brings maxmem back to its limit.  Writes above
         * it (sharing's target + saved, xl-manual by hand) only raise,
         * as before.
         */
        rc = ctx->be->setmaxmem(ctx, w->domid, w->enforced_maxmem_kb);
        if (rc)
            return rc;
        w->maxmem_changed = true;
    }
    if (!w->write_target)
        return 0;
    if (pl->pod) {
        w->pod_changed = true; /* a failed call may have done part */
        rc = ctx->be->set_pod_target(ctx, w->domid, pl->pod_pages);
        if (rc)
            return rc;
    }
    snprintf(num, sizeof(num), "%llu", (unsigned long long)pl->target_kb);
    rc = mp_xs_write(ctx, t, mp_path_mem(p, w->domid, MP_MEM_TARGET), num);
    if (!rc)
        rc = mp_mem_record_write_tx(ctx, t, w->domid, pl->target_kb,
                                    w->policy_target_kb);
    if (rc)
        return rc;
    rc = mp_domain_uuid_tx(ctx, t, w->domid, uuid);
    if (rc || !uuid[0])
        return rc; /* no /vm/<uuid> recorded: nothing to update */
    snprintf(num, sizeof(num), "%llu", (unsigned long long)pl->vm_memory_mib);
    return mp_xs_write(ctx, t, mp_path_vm_memory(p, uuid), num);
}

int mp_mem_record_read_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                          uint32_t domid, bool *present, uint64_t *balloon_kb,
                          uint64_t *policy_kb)
{
    char p[MP_PATH_MAX], *v, *sp;
    int rc = mp_xs_read(ctx, t, mp_path_libxl(p, domid, "memory-balloon"), &v);

    *present = false;
    if (rc || !v)
        return rc;
    sp = strchr(v, ' ');
    if (sp) {
        *sp = '\0';
        *present = mp_parse_u64(v, MP_KB_MAX, balloon_kb) &&
            mp_parse_u64(sp + 1, MP_KB_MAX, policy_kb);
    }
    free(v);
    return 0;
}

int mp_mem_record_write_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                           uint32_t domid, uint64_t balloon_kb,
                           uint64_t policy_kb)
{
    char p[MP_PATH_MAX], v[48];

    snprintf(v, sizeof(v), "%llu %llu", (unsigned long long)balloon_kb,
             (unsigned long long)policy_kb);
    return mp_xs_write(ctx, t, mp_path_libxl(p, domid, "memory-balloon"), v);
}

void mp_mem_undo(mempolicy_ctx *ctx, struct mp_mem_write *w)
{
    char saved[sizeof(ctx->err)];
    bool present;
    uint64_t kb;

    if (!w->maxmem_changed && !w->pod_changed)
        return;
    memcpy(saved, ctx->err, sizeof(saved));
    if (w->maxmem_changed)
        ctx->be->setmaxmem(ctx, w->domid, w->hv.max_kb);
    if (w->pod_changed &&
        !read_mem(ctx, XBT_NULL, w->domid, MP_MEM_TARGET, &present, &kb) &&
        present)
        ctx->be->set_pod_target(ctx, w->domid, mp_mem_pod_pages(kb));
    memcpy(ctx->err, saved, sizeof(saved));
}
