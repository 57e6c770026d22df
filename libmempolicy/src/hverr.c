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
 *    CONFIG_MEM_PAGING.  Paging memops (xen/arch/x86/mm/mem_paging.c)
 *    return ENODEV when no pager ring is set up.
 *  - sharing, xen/arch/x86/mm/mem_sharing.c (mem_sharing_control, also
 *    reached from the first nominate): EOPNOTSUPP for a PV guest or a host
 *    without Intel VT-x, ENODEV without HAP, EXDEV with an IOMMU; ENOSYS
 *    without CONFIG_MEM_SHARING.
 */
#include <errno.h>

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

int mp_hv_mech_err(mempolicy_ctx *ctx, uint32_t domid, bool paging, int rc)
{
    const char *name, *why = mp_hv_mech_why(paging, ctx->hv_errno, &name);

    if (!why)
        return rc;
    return mp_err(ctx, mp_errno_to_rc(ctx->hv_errno), "domain %u: %s: %s (%s)",
                  domid, paging ? "paging" : "sharing", why, name);
}
