/*
 * hv.h: xensim's hypervisor model: the host's memory, the domains and
 * their pages, and the simulated clock.
 *
 * Accounting follows Xen exactly, in 4 KiB pages:
 *   populated  the guest's RAM (gfns 0..populated-1), what its balloon
 *              driver controls;
 *   paged      pages xenpaging has evicted (no longer in tot_pages);
 *   shr_pages  gfns backed by a shared page owned by dom_cow (a
 *              nominated page leaves tot_pages, as in page_make_sharable);
 *   tot_pages  = populated - paged - shr_pages, Xen's tot_pages;
 *   host used  = sum of tot_pages + frames owned by dom_cow.
 * The guest's resident memory is populated - paged (shared pages are
 * resident, just deduplicated), and pressure is the part of its demand
 * above that.
 *
 * Time: the simulated clock (simclock.h): real ms since start * speed,
 * unless a test paused or stepped it.  Nothing ticks unless
 * something moves: a domain whose balloon, pager or copy-on-write writer
 * has work is "active", and only then runs a periodic tick that advances
 * active domains by the simulated time elapsed.  A domain that cannot
 * grow (host full, maxmem reached) is "stalled" and is woken when memory
 * is freed or maxmem raised, never polled.
 */
#ifndef XENSIM_HV_H
#define XENSIM_HV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest.h"
#include "ht.h"
#include "ratelog.h"

struct loop;
struct loop_timer;
struct sim_timer;
struct simclock;
struct store;
struct sharing;
struct share_map;
struct record;
struct hv_pager;

#define HV_PAGE_KB 4u
#define HV_MAX_DOMID 0x7fefu /* DOMID_FIRST_RESERVED - 1 */
#define HV_NAME_MAX 64

/*
 * libxl's guest types.  PVH is an HVM container to Xen (is_hvm_domain,
 * xc's dominfo says hvm) without a device model: no video RAM.
 */
enum hv_type { HV_PV, HV_HVM, HV_PVH };

/* libxl's vga kinds (xl.cfg vga=, stdvga=); they set the video RAM. */
enum hv_vga { HV_VGA_CIRRUS, HV_VGA_STDVGA, HV_VGA_NONE, HV_VGA_QXL };

/*
 * What the model adds to a guest's RAM, after libxl and measurements of
 * Linux guests on Xen 4.17 (docs/xensim.md, "Video RAM, firmware, PoD"):
 *   LIBXL_MAXMEM_CONSTANT  libxl's slack above the target in maxmem
 *   HV_VGA_HOLE_PAGES      0xA0000-0xC0000, skipped by meminit_hvm and
 *                          subtracted from the boot PoD target
 *   HV_HVM_FW_KB           populated pages an HVM guest does not count
 *                          as RAM (special pages, firmware, ACPI)
 *   HV_HVM_HOLE_KB         what of an HVM guest's memory map below
 *                          maxmem - videoram its kernel does not see as
 *                          RAM (VGA hole, BIOS and reserved ranges)
 *   HV_PVH_FW_KB           a PVH guest's special pages
 */
#define LIBXL_MAXMEM_CONSTANT 1024u
#define HV_VGA_HOLE_PAGES 32u
#define HV_HVM_FW_KB 444u
#define HV_HVM_HOLE_KB 400u
#define HV_PVH_FW_KB 64u

struct hv_config {
    uint64_t host_kb;
    uint64_t dom0_kb;
    bool paging_feature;       /* hypervisor built with paging */
    bool sharing_feature;      /* hypervisor built with sharing */
    bool no_vmx;               /* host CPU without Intel VT-x */
    bool pvh_dom0;             /* dom0 is an HVM/PVH domain */
    double speed;
    bool paused;               /* the clock held at 0 from the start */
    double paging_rate_mib_s;  /* xenpaging's speed */
    const char *socket_path;
    struct record *rec;        /* may be NULL */
};

/* What `xl create` is given; see hv_domain_config_init for defaults. */
struct hv_domain_config {
    char name[HV_NAME_MAX + 1];
    char uuid[37];             /* "": a new one (xl's default) */
    enum hv_type type;
    bool hap;
    bool iommu;                /* PCI passthrough (xl's pci=) */
    uint64_t memory_kb;        /* xl's memory= (libxl's target_memkb) */
    uint64_t maxmem_kb;        /* xl's maxmem= (libxl's max_memkb) */
    enum hv_vga vga;           /* HVM only */
    int64_t videoram_kb;       /* HVM only; -1: libxl's default for vga */
    uint64_t mmio_hole_kb;     /* HVM/PVH: xl's mmio_hole=; 0: default */
    struct guest_config guest;
    char *memory_policy;       /* NULL: not set */
    char *memory_policy_args;  /* NULL: not set */
};

struct hv_domain {
    struct hv *hv;
    unsigned domid;
    char name[HV_NAME_MAX + 1];
    char uuid[37];
    enum hv_type type;
    bool hap;
    bool iommu;                /* is_iommu_enabled: PCI passthrough */
    uint64_t seed;             /* page contents of this domain */

    /*
     * Pages.  populated: the guest RAM gfns backed by a page (what the
     * balloon driver gives and takes); vram_pages, fw_pages: video RAM
     * and firmware pages, in tot_pages, not RAM to the guest; ram_pages:
     * the RAM the guest's kernel saw at boot.
     */
    uint64_t populated;
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t paged;
    uint64_t shr_pages;
    uint64_t vram_pages;
    uint64_t fw_pages;
    uint64_t ram_pages;
    uint64_t videoram_kb;      /* as written to memory/videoram */

    /*
     * Guest frames (physmap.h): the MMIO hole below 4 GiB (0 for PV),
     * the most RAM indices the guest ever had (max_mapped_pfn), and how
     * often a foreign mapping touched a hole, a paged-out frame or a PoD
     * entry.
     */
    uint64_t mmio_hole_pages;
    uint64_t ram_hwm;
    uint64_t hole_maps, paged_maps, pod_maps;

    /*
     * Populate on demand (xen/arch/x86/mm/p2m-pod.c): pod_entries guest
     * gfns not backed yet, pod_cache pages the domain owns (in tot_pages)
     * to back them with when the guest touches them.
     */
    uint64_t pod_entries;
    uint64_t pod_cache;
    uint64_t pod_target;       /* last set_pod_target, pages */
    bool pod_target_set;

    bool paging;               /* the vm_event ring is set up */
    struct hv_pager *pager;    /* the pager serving it, NULL if none */
    bool paging_target_set;
    uint64_t paging_target;    /* pages; 0 = page everything in */
    double paging_budget;      /* pages allowed but not yet moved */

    bool sharing;
    struct share_map *smap;    /* gfn state; NULL until first used */
    uint64_t cow_breaks;       /* guest writes that unshared a page */
    uint64_t cow_failed;       /* ... that found no free host page */
    uint64_t bad_shares;       /* shares of pages with different content */

    bool dying;
    bool shutdown;
    bool crashed;              /* shut down by domain_crash */
    struct loop_timer *reaper; /* the toolstack's destroy after shutdown */
    bool active;
    bool stalled;

    struct guest guest;

    /* last values written to the recording */
    uint64_t rec_ms;
    uint64_t rec_sig;
};

struct hv {
    struct hv_config cfg;
    struct loop *loop;
    struct store *store;
    struct sharing *sharing;

    uint64_t total_pages;
    uint64_t free_pages;
    uint64_t dom0_pages;

    struct hv_domain *doms[HV_MAX_DOMID + 1];  /* [0] unused: dom0 */
    struct hv_domain dom0;
    struct ht *by_name;         /* name -> struct hv_domain * */
    bool watching;
    unsigned ndoms;             /* guests, dom0 excluded */
    unsigned next_domid;
    uint64_t uuid_seq;

    /* scheduling */
    struct simclock *clock;     /* simulated time (simclock.h) */
    uint64_t last_tick_ms;      /* simulated */
    struct sim_timer *tick;
    uint64_t nticks;            /* ticks run so far (for tests) */
    unsigned *active;           /* domids, unordered */
    unsigned nactive, active_cap;
    unsigned *stalled;
    unsigned nstalled, stalled_cap;

    /* called when the last moving domain stops (hvchan's settle) */
    void (*on_idle)(void *arg);
    void *on_idle_arg;
    /* called after a tick and when a pager exits (hvchan's pager_wait) */
    void (*on_change)(void *arg);
    void *on_change_arg;

    /* pagers, running and exited (paging.h), newest first */
    struct hv_pager *pagers;
    unsigned next_pager_pid;
    struct ratelog pager_log;   /* their exits: a client starts them */

    /* host row of the recording */
    uint64_t rec_host_ms;
    uint64_t rec_host_free;
};

/* Returns NULL on allocation failure. */
struct hv *hv_new(struct loop *l, struct store *s, const struct hv_config *c);
void hv_free(struct hv *hv);

/*
 * Publish dom0's nodes (only those not there yet) and set the host-wide
 * watch on /local/domain that stands for every guest's balloon driver
 * and every pager.
 */
int hv_init_dom0(struct hv *hv);

uint64_t hv_now_ms(struct hv *hv);

void hv_domain_config_init(struct hv_domain_config *c);
void hv_domain_config_dispose(struct hv_domain_config *c);

/*
 * Create a domain as `xl create` does; domid 0 picks the next free one.
 * Returns 0 and *domid, or a negative errno with `err` (may be NULL)
 * filled with a one-line reason: EEXIST (name or domid taken), EINVAL,
 * ENOMEM (host memory), ENOSPC (no domid left).
 */
int hv_domain_create(struct hv *hv, const struct hv_domain_config *c,
                     unsigned want_domid, unsigned *domid, char *err,
                     size_t errlen);
/* xl destroy: -ESRCH, -EPERM (dom0), or 0. */
int hv_domain_destroy(struct hv *hv, unsigned domid);

/* The domain, or NULL (dom0 included when domid is 0). */
struct hv_domain *hv_domain(struct hv *hv, unsigned domid);
struct hv_domain *hv_domain_by_name(struct hv *hv, const char *name);

/* A UUID as xl's config takes it: 8-4-4-4-12 hex digits. */
bool hv_uuid_valid(const char *s);

/* Xen's is_hvm_domain: HVM and PVH. */
static inline bool hv_is_hvm(const struct hv_domain *d)
{
    return d->type != HV_PV;
}

const char *hv_type_name(enum hv_type t);
const char *hv_vga_name(enum hv_vga v);
int hv_vga_parse(const char *s, enum hv_vga *v);
/* libxl's default and least video RAM for a vga kind (QEMU_XEN), KiB. */
uint64_t hv_vga_min_kb(enum hv_vga v);

/* Hypercalls: 0 or a negative errno, as Xen returns them. */
int hv_setmaxmem(struct hv *hv, unsigned domid, uint64_t kb);
/*
 * XENMEM_set_pod_target (xc_domain_set_pod_target): -ESRCH, -EINVAL (PV
 * guest, or pages above max_pages), -ENOMEM (the host ran out while
 * filling the cache: what was allocated stays); else 0.
 */
int hv_set_pod_target(struct hv *hv, unsigned domid, uint64_t pages);
/*
 * domain_crash: the domain is shut down with reason crash and kept (as
 * xl's on_crash="preserve") until destroyed.  why goes to the log.
 */
void hv_domain_crash(struct hv *hv, struct hv_domain *d, const char *why);
/*
 * XEN_DOMCTL_VM_EVENT_OP_PAGING, as xen/common/vm_event.c: enable sets up
 * the ring a pager serves (ENOSYS, EOPNOTSUPP, ENODEV, EMLINK, EXDEV,
 * EBUSY as Xen); disable tears it down (EINVAL when there is none),
 * leaving whatever is paged out paged out: the guest crashes when it
 * next touches such a page.  A pager (paging.h) is what calls them.
 */
int hv_paging_enable(struct hv *hv, unsigned domid);
int hv_paging_disable(struct hv *hv, unsigned domid);
int hv_sharing_control(struct hv *hv, unsigned domid, bool enable);

/* Accounting, used by guest.c, paging.c and sharing.c. */
void hv_pages_alloc(struct hv *hv, struct hv_domain *d, uint64_t n);
void hv_pages_free(struct hv *hv, struct hv_domain *d, uint64_t n);
/*
 * The guest's pages of RAM that are resident and its own (not paged
 * out, not shared): what a balloon or a pager can take.
 */
static inline uint64_t hv_private_resident(const struct hv_domain *d)
{
    return d->populated - d->paged - d->shr_pages;
}

/* Give the PoD cache back down to the outstanding entries. */
void hv_pod_trim(struct hv *hv, struct hv_domain *d);

/* How many pages d may still get: min(host free, max_pages - tot). */
uint64_t hv_pages_available(struct hv *hv, const struct hv_domain *d);
/* Memory came back to the host (or maxmem rose): wake stalled guests. */
void hv_memory_freed(struct hv *hv);

/* Something in d may move: make it active and make sure the tick runs. */
void hv_wake(struct hv *hv, struct hv_domain *d);

/* Write a record row for d now (force) or when due. */
void hv_record(struct hv *hv, struct hv_domain *d, bool force);

/*
 * Check every accounting invariant (the hv channel's `check`, for
 * tests): 0, or -1 with the broken one described in err.
 */
int hv_check(struct hv *hv, char *err, size_t errlen);

#endif
