/*
 * physmap.c: a domain's guest frames and what mapping one does
 * (physmap.h).
 *
 * Followed: tools/libs/light/libxl_x86.c (libxl__arch_domain_construct_
 * memmap: RAM below mmio_start, the rest from 4 GiB), xg_dom_x86.c
 * (meminit_hvm: the VGA hole 0xA0000-0xC0000 is never populated),
 * xen/arch/x86/mm.c (mod_l1_entry: a foreign mapping of a paged-out gfn
 * calls p2m_mem_paging_populate and fails with -ENOENT; of anything
 * without a page, fails), xen/arch/x86/mm/p2m-pod.c
 * (p2m_pod_demand_populate: a PoD entry looked up with P2M_ALLOC, as
 * every foreign mapping and getpageframeinfo3 do, takes a page from the
 * PoD cache, or crashes the domain when there is none), and
 * xen/common/memory.c (XENMEM_maximum_gpfn: p2m's max_mapped_pfn).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "guest.h"
#include "hv.h"
#include "physmap.h"
#include "sharing.h"

/* RAM indices below the MMIO hole. */
static uint64_t low_ram(const struct hv_domain *d)
{
    uint64_t low = PHYSMAP_4G_GFN - d->mmio_hole_pages;

    return d->type == HV_HVM ? low - PHYSMAP_VGA_PAGES : low;
}

uint64_t physmap_gfn(const struct hv_domain *d, uint64_t idx)
{
    if (d->type == HV_PV)
        return idx;
    if (idx >= low_ram(d))
        return PHYSMAP_4G_GFN + (idx - low_ram(d));
    if (d->type == HV_HVM && idx >= PHYSMAP_VGA_GFN)
        return idx + PHYSMAP_VGA_PAGES;
    return idx;
}

bool physmap_idx(const struct hv_domain *d, uint64_t gfn, uint64_t *idx)
{
    if (d->type == HV_PV) {
        *idx = gfn;
        return true;
    }
    if (gfn >= PHYSMAP_4G_GFN) {
        *idx = low_ram(d) + (gfn - PHYSMAP_4G_GFN);
        return true;
    }
    if (gfn >= PHYSMAP_4G_GFN - d->mmio_hole_pages)
        return false;
    if (d->type == HV_HVM && gfn >= PHYSMAP_VGA_GFN) {
        if (gfn < PHYSMAP_VGA_GFN + PHYSMAP_VGA_PAGES)
            return false;
        gfn -= PHYSMAP_VGA_PAGES;
    }
    *idx = gfn;
    return true;
}

uint64_t physmap_max_gpfn(struct hv_domain *d)
{
    uint64_t n = d->populated + d->pod_entries;

    /* max_mapped_pfn only grows (a balloon going up beyond the boot RAM
     * raises it; going down leaves it). */
    if (n > d->ram_hwm)
        d->ram_hwm = n;
    if (!d->ram_hwm)
        return 0;
    return physmap_gfn(d, d->ram_hwm - 1);
}

enum physmap_kind physmap_kind(struct hv *hv, struct hv_domain *d, uint64_t gfn,
                               uint64_t *idx)
{
    if (!physmap_idx(d, gfn, idx))
        return PHYSMAP_HOLE;
    if (*idx < d->populated) {
        /* The model's choice of which pages are out: the highest ones
         * that are not shared (only shared pages are never paged). */
        if (d->paged && *idx >= d->populated - d->paged &&
            !sharing_is_shared(hv, d, *idx))
            return PHYSMAP_PAGED;
        return PHYSMAP_RAM;
    }
    if (*idx < d->populated + d->pod_entries)
        return PHYSMAP_POD;
    return PHYSMAP_NONE;
}

/* p2m_pod_demand_populate for one entry: 0, or -ENOMEM and a crash. */
static int pod_populate(struct hv *hv, struct hv_domain *d)
{
    char why[160];

    d->pod_maps++;
    if (!d->pod_cache) {
        snprintf(why, sizeof(why),
                 "p2m_pod_demand_populate: out of PoD memory! (tot=%" PRIu64
                 " ents=%" PRIu64 ") on a foreign mapping",
                 d->tot_pages, d->pod_entries);
        hv_domain_crash(hv, d, why);
        return -ENOMEM;
    }
    /* The cache's page backs the entry: tot_pages does not change. */
    d->pod_cache--;
    d->pod_entries--;
    d->populated++;
    guest_update(hv, d);
    hv_record(hv, d, false);
    return 0;
}

int physmap_map(struct hv *hv, struct hv_domain *d, uint64_t gfn, uint64_t *idx)
{
    if (d->shutdown)
        return -ESRCH;
    if (gfn > physmap_max_gpfn(d))
        return -EINVAL;
    switch (physmap_kind(hv, d, gfn, idx)) {
    case PHYSMAP_HOLE:
        d->hole_maps++;
        return -EINVAL;
    case PHYSMAP_NONE:
        return -EINVAL;
    case PHYSMAP_PAGED:
        /* The pager is asked for it; the mapping fails meanwhile.  The
         * model pages one page in at once when the host has room. */
        d->paged_maps++;
        if (!d->paging) {
            /* p2m_mem_paging_populate: no ring, no pager to ask. */
            hv_domain_crash(hv, d,
                            "p2m_mem_paging_populate: paging gfn "
                            "yet no ring in place (foreign mapping)");
            return -ENOENT;
        }
        if (hv_pages_available(hv, d)) {
            hv_pages_alloc(hv, d, 1);
            d->paged--;
            guest_update(hv, d);
            hv_record(hv, d, false);
        }
        return -ENOENT;
    case PHYSMAP_POD:
        return pod_populate(hv, d) ? -ENOMEM : 1;
    case PHYSMAP_RAM:
        break;
    }
    return 0;
}

bool physmap_pfn_type(struct hv *hv, struct hv_domain *d, uint64_t gfn)
{
    uint64_t idx;

    switch (physmap_kind(hv, d, gfn, &idx)) {
    case PHYSMAP_RAM:
        return true;
    case PHYSMAP_POD:
        return !d->shutdown && pod_populate(hv, d) == 0;
    default:
        return false;
    }
}
