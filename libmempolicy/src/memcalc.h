/*
 * memcalc.h: the one place where a requested memory target becomes the
 * numbers libxl would write (memcalc.c).
 *
 * Units, as in libxl: a *request* is what `xl mem-set` and the config
 * file's memory= give (libxl's b_info target_memkb), video RAM included;
 * memory/target, the balloon driver's node, holds the request less
 * memory/videoram.  The policy target (memory-policy/target) is a request.
 */
#ifndef MEMPOLICY_MEMCALC_H
#define MEMPOLICY_MEMCALC_H

#include <stdbool.h>
#include <stdint.h>

#include "libmempolicy.h"

/* LIBXL_MAXMEM_CONSTANT: libxl__arch_extra_memory() on x86 and Arm, the
 * slack libxl adds to every maxmem it sets and to every PoD target. */
#define MP_MAXMEM_SLACK_KB MEMPOLICY_MAXMEM_SLACK_KB
/* LIBXL_MIN_DOM0_MEM (libxl_internal.h): no dom0 target below it. */
#define MP_MIN_DOM0_KB MEMPOLICY_MIN_DOM0_KB
#define MP_PAGE_KB 4u

/* What libxl reads before it writes a target (libxl_set_memory_target). */
struct mp_mem_facts {
    uint32_t domid;
    bool pv;                /* the hypervisor says PV: no PoD */
    uint64_t target_kb;     /* memory/target now */
    uint64_t static_max_kb; /* memory/static-max */
    uint64_t videoram_kb;   /* memory/videoram (0 for dom0) */
};

/* What libxl writes for one request. */
struct mp_mem_plan {
    uint64_t target_kb;     /* memory/target */
    uint64_t request_kb;    /* target_kb + videoram: the request, absolute */
    uint64_t maxmem_kb;     /* target + videoram + slack: maxmem when
                               enforcing (xc_domain_setmaxmem) */
    bool pod;               /* not PV: set the PoD target */
    uint64_t pod_pages;     /* (target + slack) / 4: xc_domain_set_pod_target */
    uint64_t vm_memory_mib; /* /vm/<uuid>/memory */
};

/*
 * A checked relative step: cur + delta.  A negative delta that reaches
 * or passes 0 gives 0 when `floor` (libxl's relative target), RANGE
 * otherwise; overflow past MP_KB_MAX is RANGE.  `what` names the value
 * in the detail ("domain 3: balloon target ...").
 */
int mp_kb_relative(mempolicy_ctx *ctx, uint32_t domid, const char *what,
                   uint64_t cur, int64_t delta, bool floor, uint64_t *out);

/*
 * THE arithmetic (libxl_mem.c, libxl_set_memory_target, Xen 4.17):
 *  - absolute: memory/target = kb - videoram; relative: memory/target =
 *    current memory/target + kb, floored at 0;
 *  - refused (RANGE) when the result is above static-max (libxl's
 *    "memory_dynamic_max must be less than or equal to memory_static_max"),
 *    for dom0 below LIBXL_MIN_DOM0_MEM, and where libxl would write 0 or
 *    wrap around: a request at or below the video RAM, a relative change
 *    that leaves nothing (the guest would be left without memory);
 *  - maxmem (when enforcing) = target + videoram + LIBXL_MAXMEM_CONSTANT;
 *  - PoD target for every non-PV guest = (target + LIBXL_MAXMEM_CONSTANT)
 *    / 4 pages;
 *  - /vm/<uuid>/memory = target / 1024 (MiB, rounded down).
 * Pure: no store, no hypervisor.  0 and *out, or RANGE with the detail.
 */
int mp_mem_plan(mempolicy_ctx *ctx, const struct mp_mem_facts *f, int64_t kb,
                bool relative, struct mp_mem_plan *out);

/* The maxmem that lets a domain hold tot_kb: tot_kb + libxl's slack; also
 * the maxmem libxl enforces for a request of that size (target + videoram
 * + slack). */
uint64_t mp_mem_maxmem_for_tot(uint64_t tot_kb);

/* The PoD target libxl sets for memory/target = target_kb, in pages. */
uint64_t mp_mem_pod_pages(uint64_t target_kb);

/*
 * The band of tot_pages (KiB) in which a domain has reached the request
 * `request_kb`: from the balloon target (request - videoram) less the
 * slack, up to the maxmem libxl would enforce for it (request + slack).
 * A ballooned PV guest holds exactly memory/target; PVH and HVM guests a
 * few dozen KiB more (firmware pages), and an HVM guest's video RAM is
 * part of its tot_pages.
 */
void mp_mem_band(uint64_t request_kb, uint64_t videoram_kb, uint64_t *low_kb,
                 uint64_t *high_kb);

#endif
