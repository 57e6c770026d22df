/*
 * physmap.h: where a domain's RAM sits among its guest frames, and what
 * reading a frame does (the model of a foreign mapping).
 *
 * The rest of the model counts a guest's RAM as indices 0..N-1 (the
 * backed pages 0..populated-1, then the PoD entries, as guest.c and
 * sharing.c keep them); this file places those indices at guest frame
 * numbers as libxl and hvmloader build an HVM/PVH guest
 * (tools/libs/light/libxl_x86.c libxl__arch_domain_construct_memmap,
 * tools/libs/guest/xg_dom_x86.c meminit_hvm):
 *   - RAM from gfn 0 up to the MMIO hole below 4 GiB, whose size is xl's
 *     mmio_hole= (default 256 MiB, HVM_BELOW_4G_MMIO_LENGTH), the rest
 *     from gfn 0x100000 (4 GiB) up;
 *   - an HVM guest (not PVH) also has the VGA hole, gfns 0xA0..0xBF;
 *   - a PV guest's pseudo-physical frames are contiguous.
 * xc_domain_maximum_gpfn is the highest RAM frame the guest ever had
 * (Xen's p2m max_mapped_pfn only grows): frames ballooned out below it
 * hold nothing.
 *
 * Which RAM indices are paged out is not tracked elsewhere (only how
 * many), so this file decides it: the highest `paged` backed indices
 * that are not shared.  Reading a frame follows Xen: a hole or a frame
 * without a page fails (EINVAL), a paged-out frame fails with ENOENT and
 * asks the pager to bring a page in (p2m_mem_paging_populate, from
 * xen/arch/x86/mm.c's foreign mapping), a PoD entry is populated from
 * the PoD cache first (p2m_pod_demand_populate; an empty cache crashes
 * the domain, "out of PoD memory").
 */
#ifndef XENSIM_PHYSMAP_H
#define XENSIM_PHYSMAP_H

#include <stdbool.h>
#include <stdint.h>

struct hv;
struct hv_domain;

#define PHYSMAP_4G_GFN 0x100000ull /* 4 GiB */
#define PHYSMAP_VGA_GFN 0xA0ull    /* 0xA0000 */
#define PHYSMAP_VGA_PAGES 32ull    /* to 0xC0000 */
/* xl.cfg mmio_hole=: default HVM_BELOW_4G_MMIO_LENGTH, 256..3840 MiB. */
#define PHYSMAP_MMIO_HOLE_DEFAULT_KB (256ull << 10)
#define PHYSMAP_MMIO_HOLE_MIN_KB (256ull << 10)
#define PHYSMAP_MMIO_HOLE_MAX_KB (3840ull << 10)

/* What a guest frame is now. */
enum physmap_kind {
    PHYSMAP_HOLE,  /* MMIO or VGA hole: never RAM */
    PHYSMAP_NONE,  /* RAM frame without a page (ballooned out) */
    PHYSMAP_RAM,   /* a page of the guest (private or shared) */
    PHYSMAP_PAGED, /* paged out */
    PHYSMAP_POD,   /* populate-on-demand entry, not backed yet */
};

/* The gfn of RAM index idx. */
uint64_t physmap_gfn(const struct hv_domain *d, uint64_t idx);
/* The RAM index of gfn; false for a hole. */
bool physmap_idx(const struct hv_domain *d, uint64_t gfn, uint64_t *idx);
/* XENMEM_maximum_gpfn. */
uint64_t physmap_max_gpfn(struct hv_domain *d);
/* What gfn is now (*idx: its RAM index, unless a hole). */
enum physmap_kind physmap_kind(struct hv *hv, struct hv_domain *d, uint64_t gfn,
                               uint64_t *idx);
/*
 * A privileged mapper reads frame gfn of d (xenforeignmemory_map):
 * 0 and *idx (the RAM index of a page), 1 (a PoD entry just populated:
 * a zeroed page), or -EINVAL (hole, nothing
 * there, beyond max_gpfn), -ENOENT (paged out: one page is paged back
 * in, if the host has room), -ENOMEM (a PoD entry and an empty PoD
 * cache: the domain was crashed), -ESRCH (d is shut down).  Counts what
 * it touched in d's hole_maps / paged_maps / pod_maps.
 */
int physmap_map(struct hv *hv, struct hv_domain *d, uint64_t gfn,
                uint64_t *idx);
/*
 * XEN_DOMCTL_getpageframeinfo3 for one frame: true when it holds a page
 * (XEN_DOMCTL_PFINFO_NOTAB), false for XTAB.  Like Xen
 * (get_page_from_gfn with P2M_ALLOC) a PoD entry is populated first.
 */
bool physmap_pfn_type(struct hv *hv, struct hv_domain *d, uint64_t gfn);

#endif
