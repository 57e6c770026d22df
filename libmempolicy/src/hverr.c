/*
 * hverr.c: what Xen's errno from a paging or sharing hypercall means, in
 * one table, for both backends (libxenctrl's errno, or the errno name of
 * an xensim reply).
 *
 * Read from Xen 4.17:
 *  - paging enable, xen/common/vm_event.c (XEN_DOMCTL_VM_EVENT_OP_PAGING):
 *    EOPNOTSUPP when dom0 is an HVM/PVH domain, ENODEV without HAP (so a
 *    PV guest too), EMLINK with an IOMMU (PCI passthrough), EXDEV for a
 *    populate-on-demand guest; ENOSYS from a hypervisor built without
 *    CONFIG_MEM_PAGING; and from vm_event_enable, EBUSY (a ring is set up
 *    already), ENOMEM (no memory for it); EINVAL for the calling domain
 *    itself or one without vCPUs; EPERM from XSM.  Paging memops
 *    (xen/arch/x86/mm/mem_paging.c) return ENODEV when no pager ring is
 *    set up.
 *  - sharing, xen/arch/x86/mm/mem_sharing.c (mem_sharing_control, also
 *    reached from the first nominate): EOPNOTSUPP for a PV guest or a host
 *    without Intel VT-x, ENODEV without HAP, EXDEV with an IOMMU; ENOSYS
 *    without CONFIG_MEM_SHARING.
 *  - the memshr memops (mem_sharing_memop, nominate_page,
 *    page_make_sharable, share_pages; tools/libs/ctrl/xc_memshr.c):
 *    ESRCH/EPERM from rcu_lock_live_remote_domain_by_id and XSM, EINVAL
 *    for a gfn without a sharable page (nominate_page: no valid mfn, a
 *    special page) or a share whose client has sharing off, EEXIST for a
 *    page already typed otherwise, E2BIG for a page with extra references
 *    (someone maps it), EBUSY for a dying domain, ENOMEM when Xen's heap
 *    is out.  The stale-handle codes of share are the backends' own.
 */
#include <errno.h>
#include <stdio.h>

#include "internal.h"

struct hv_errmsg {
    int e;
    const char *name;
    const char *why; /* the cause, then what the admin can do */
};

static const struct hv_errmsg paging_msgs[] = {
    { ENOSYS, "ENOSYS",
      "the hypervisor is built without memory paging; use a Xen built "
      "with CONFIG_MEM_PAGING" },
    { ENODEV, "ENODEV",
      "the guest has no hardware-assisted paging (a PV guest, or hap=0); "
      "paging needs an HVM or PVH guest with hap=1 on EPT/NPT hardware" },
    { EXDEV, "EXDEV",
      "the guest is populate-on-demand (memory < maxmem); Xen does not "
      "page PoD guests: start it with memory = maxmem" },
    { EMLINK, "EMLINK",
      "the guest has an IOMMU (PCI passthrough); Xen does not page such "
      "guests: remove its pci= devices (passthrough=\"disabled\")" },
    { EOPNOTSUPP, "EOPNOTSUPP",
      "dom0 is an HVM/PVH domain; Xen 4.17 pages guests only from a PV "
      "dom0" },
    { EBUSY, "EBUSY",
      "a paging ring is set up already (another xenpaging serves the "
      "domain, or one died without tearing it down); stop that pager "
      "first" },
    { ENOMEM, "ENOMEM",
      "Xen had no memory for the paging ring; free host memory (balloon "
      "a guest down) and enable again" },
    { EPERM, "EPERM",
      "Xen's security policy (XSM/Flask) does not let this domain control "
      "the guest's paging; run it from dom0, or allow mem_paging in the "
      "policy" },
    { EINVAL, "EINVAL",
      "the guest is the calling domain itself, or has no vCPUs yet (still "
      "being built); enable paging once it runs" },
};

static const struct hv_errmsg sharing_msgs[] = {
    { ENOSYS, "ENOSYS",
      "the hypervisor is built without memory sharing; use a Xen built "
      "with CONFIG_MEM_SHARING" },
    { ENODEV, "ENODEV",
      "the guest has no hardware-assisted paging (hap=0); sharing needs "
      "hap=1 on EPT hardware" },
    { EXDEV, "EXDEV",
      "the guest has an IOMMU (PCI passthrough); Xen does not share its "
      "pages: remove its pci= devices (passthrough=\"disabled\")" },
    { EOPNOTSUPP, "EOPNOTSUPP",
      "a PV guest, or a host CPU without Intel VT-x; Xen shares pages "
      "only of HVM/PVH guests on Intel VT-x hosts" },
};

const char *mp_hv_mech_why(bool paging, int e, const char **name)
{
    const struct hv_errmsg *t = paging ? paging_msgs : sharing_msgs;
    size_t n = paging ? sizeof(paging_msgs) / sizeof(paging_msgs[0]) :
                        sizeof(sharing_msgs) / sizeof(sharing_msgs[0]);
    size_t i;

    for (i = 0; i < n; i++) {
        if (t[i].e == e) {
            *name = t[i].name;
            return t[i].why;
        }
    }
    return NULL;
}

/* What nominate or share (after the control checks above) refused. */
static const struct hv_errmsg nominate_msgs[] = {
    { EINVAL, "EINVAL",
      "no sharable page there (a hole, a populate-on-demand entry, a "
      "paged-out or special page); nothing to do, it is skipped" },
    { EEXIST, "EEXIST",
      "the page is in use with another type (a page table, a writable "
      "grant); it can be shared once the guest stops using it so" },
    { E2BIG, "E2BIG",
      "the page has extra references (mapped by QEMU, a backend or a dom0 "
      "process); it can be shared once nobody maps it" },
    { EBUSY, "EBUSY", "the domain is dying" },
    { ENOMEM, "ENOMEM",
      "Xen's own heap is out of memory for sharing metadata; free host "
      "memory (e.g. lower dom0's or a guest's target) and retry" },
    { EPERM, "EPERM",
      "not permitted: the caller is not privileged over this domain (XSM "
      "policy, or its own domain); run it in dom0 as root" },
};

static const struct hv_errmsg share_msgs[] = {
    { EINVAL, "EINVAL",
      "the client domain has sharing disabled, or a gfn is not a "
      "nominated page; nominate both pages again (that enables sharing)" },
    { ENOMEM, "ENOMEM",
      "Xen's own heap is out of memory for sharing metadata; free host "
      "memory (e.g. lower dom0's or a guest's target) and retry" },
    { EPERM, "EPERM",
      "not permitted: the caller is not privileged over these domains "
      "(XSM policy); run it in dom0 as root" },
};

static int lookup(mempolicy_ctx *ctx, const struct hv_errmsg *t, size_t n,
                  const char *where, int rc)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (t[i].e == ctx->hv_errno)
            return mp_err(ctx, mp_errno_to_rc(t[i].e), "%s: %s (%s)", where,
                          t[i].why, t[i].name);
    return rc;
}

#define N(t) (sizeof(t) / sizeof((t)[0]))

int mp_hv_share_err(mempolicy_ctx *ctx, uint32_t domid, uint64_t gfn,
                    bool share, int rc)
{
    char where[96];

    if (ctx->hv_errno == ENOSYS || ctx->hv_errno == EOPNOTSUPP ||
        ctx->hv_errno == ENODEV || ctx->hv_errno == EXDEV)
        return mp_hv_mech_err(ctx, domid, false, rc);
    snprintf(where, sizeof(where), "domain %u gfn %llu: %s", domid,
             (unsigned long long)gfn, share ? "sharing" : "nominating");
    return share ? lookup(ctx, share_msgs, N(share_msgs), where, rc)
                 : lookup(ctx, nominate_msgs, N(nominate_msgs), where, rc);
}

int mp_hv_mech_err(mempolicy_ctx *ctx, uint32_t domid, bool paging, int rc)
{
    const char *name, *why = mp_hv_mech_why(paging, ctx->hv_errno, &name);

    if (!why)
        return rc;
    return mp_err(ctx, mp_errno_to_rc(ctx->hv_errno), "domain %u: %s: %s (%s)",
                  domid, paging ? "paging" : "sharing", why, name);
}
