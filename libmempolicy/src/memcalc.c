/*
 * memcalc.c: a requested target turned into what libxl writes.
 *
 * Followed: tools/libs/light/libxl_mem.c (libxl_set_memory_target,
 * libxl_domain_setmaxmem), libxl_internal.h (LIBXL_MAXMEM_CONSTANT,
 * LIBXL_MIN_DOM0_MEM, libxl__get_targetmem_fudge) and libxl_x86.c
 * (libxl__arch_extra_memory), Xen stable-4.17.  Every writer of
 * memory/target and maxmem in the library takes its numbers from
 * mp_mem_plan(); nothing else computes them.  See memcalc.h for the
 * rules; docs/design.md, "Exactly what libxl writes", for the decisions
 * where libxl would write nonsense (0, or a wrapped-around value).
 */
#include "internal.h"
#include "memcalc.h"

int mp_kb_relative(mempolicy_ctx *ctx, uint32_t domid, const char *what,
                   uint64_t cur, int64_t delta, bool floor, uint64_t *out)
{
    if (delta < 0) {
        /* -(delta + 1) + 1: no overflow on INT64_MIN. */
        uint64_t d = (uint64_t)(-(delta + 1)) + 1;

        if (d > cur) {
            if (!floor)
                return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                              "domain %u: %s %llu KiB %lld KiB underflows",
                              domid, what, (unsigned long long)cur,
                              (long long)delta);
            *out = 0;
            return 0;
        }
        *out = cur - d;
        return 0;
    }
    if ((uint64_t)delta > MP_KB_MAX - cur)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: %s %llu KiB +%lld KiB overflows", domid, what,
                      (unsigned long long)cur, (long long)delta);
    *out = cur + (uint64_t)delta;
    return 0;
}

int mp_mem_plan(mempolicy_ctx *ctx, const struct mp_mem_facts *f, int64_t kb,
                bool relative, struct mp_mem_plan *out)
{
    uint64_t t;
    int rc;

    if (relative) {
        /* libxl: relative to memory/target, video RAM not involved. */
        rc = mp_kb_relative(ctx, f->domid, "target", f->target_kb, kb, true,
                            &t);
        if (rc)
            return rc;
        if (t == 0)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: target %llu KiB %lld KiB leaves no "
                          "memory (libxl would write 0)",
                          f->domid, (unsigned long long)f->target_kb,
                          (long long)kb);
    } else {
        if (kb <= 0)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: target %lld KiB must be positive",
                          f->domid, (long long)kb);
        /* libxl: target_memkb - videoram, unchecked; it would wrap. */
        if ((uint64_t)kb <= f->videoram_kb)
            return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                          "domain %u: target %lld KiB is not above its "
                          "video RAM (memory/videoram %llu KiB): nothing "
                          "would be left for the guest",
                          f->domid, (long long)kb,
                          (unsigned long long)f->videoram_kb);
        t = (uint64_t)kb - f->videoram_kb;
    }
    if (t > f->static_max_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain %u: target %llu KiB is above static-max "
                      "%llu KiB",
                      f->domid,
                      (unsigned long long)(relative ? t : (uint64_t)kb),
                      (unsigned long long)f->static_max_kb);
    if (f->domid == 0 && t < MP_MIN_DOM0_KB)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "domain 0: target %llu KiB is below dom0's minimum "
                      "of %u KiB (LIBXL_MIN_DOM0_MEM)",
                      (unsigned long long)t, MP_MIN_DOM0_KB);
    /* t <= static-max <= MP_KB_MAX and videoram <= MP_KB_MAX: the sums
     * below fit in 64 bits. */
    out->target_kb = t;
    out->request_kb = t + f->videoram_kb;
    out->maxmem_kb = t + f->videoram_kb + MP_MAXMEM_SLACK_KB;
    out->pod = !f->pv;
    out->pod_pages = mp_mem_pod_pages(t);
    out->vm_memory_mib = t / 1024;
    return 0;
}

uint64_t mp_mem_maxmem_for_tot(uint64_t tot_kb)
{
    return tot_kb <= MP_KB_MAX - MP_MAXMEM_SLACK_KB ?
        tot_kb + MP_MAXMEM_SLACK_KB :
        MP_KB_MAX;
}

uint64_t mp_mem_pod_pages(uint64_t target_kb)
{
    /* libxl: (new_target_memkb + size) / 4, size = LIBXL_MAXMEM_CONSTANT */
    return (target_kb + MP_MAXMEM_SLACK_KB) / MP_PAGE_KB;
}

void mp_mem_band(uint64_t request_kb, uint64_t videoram_kb, uint64_t *low_kb,
                 uint64_t *high_kb)
{
    uint64_t target = request_kb > videoram_kb ? request_kb - videoram_kb : 0;

    *low_kb = target > MP_MAXMEM_SLACK_KB ? target - MP_MAXMEM_SLACK_KB : 0;
    *high_kb = request_kb <= MP_KB_MAX - MP_MAXMEM_SLACK_KB ?
        request_kb + MP_MAXMEM_SLACK_KB :
        MP_KB_MAX;
}

int mempolicy_target_cmp(uint64_t target_kb, uint64_t videoram_kb,
                         uint64_t held_kb)
{
    uint64_t lo, hi;

    mp_mem_band(target_kb, videoram_kb, &lo, &hi);
    return held_kb < lo ? -1 : held_kb > hi ? 1 : 0;
}

/*
 * libxl_domain_need_memory (libxl_mem.c, Xen 4.17:
 * libxl__domain_need_memory_calculate) with the defaults
 * libxl__domain_config_setdefault gives (libxl_create.c:
 * libxl__get_required_paging_memory for shadow_memkb, iommu_memkb 0
 * without sync_pt passthrough).
 */
int mempolicy_need_memory(const mempolicy_build_mem *b, uint64_t *overhead_kb,
                          uint64_t *need_kb)
{
    uint64_t maxmem, per_mib, paging, extra, need;
    bool pv;

    if (!b || !b->memory_kb || !b->vcpus || b->vcpus > 4096 ||
        (b->type != MEMPOLICY_DOMAIN_TYPE_PV &&
         b->type != MEMPOLICY_DOMAIN_TYPE_HVM) ||
        b->memory_kb > ((uint64_t)1 << 50))
        return MEMPOLICY_ERROR_INVAL;
    maxmem = b->maxmem_kb ? b->maxmem_kb : b->memory_kb;
    if (maxmem < b->memory_kb || maxmem > ((uint64_t)1 << 50))
        return MEMPOLICY_ERROR_INVAL;
    pv = b->type == MEMPOLICY_DOMAIN_TYPE_PV;
    /* One page per MiB for the p2m of a non-PV guest, one more to shadow
     * a guest without HAP (a PV guest counts as without HAP). */
    per_mib = (uint64_t)!pv + (uint64_t)(pv || !b->hap);
    paging = MP_PAGE_KB * (256u * (uint64_t)b->vcpus + per_mib * (maxmem / 1024));
    extra = pv ? MEMPOLICY_PV_EXTRA_KB : MEMPOLICY_HVM_EXTRA_KB;
    need = b->memory_kb + paging + extra;
    if (need % 2048)
        need += 2048 - need % 2048;
    if (overhead_kb)
        *overhead_kb = need - b->memory_kb;
    if (need_kb)
        *need_kb = need;
    return 0;
}
