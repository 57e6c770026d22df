/*
 * xen-podinfo: what the hypervisor holds for a domain's memory, for
 * check-xen's parity table (tests/xen/parity.sh).  Runs in dom0.
 *
 *   xen-podinfo DOMID
 *
 * Prints one line, all in KiB:
 *   max_kb=N tot_kb=N pod_cache_kb=N pod_entries_kb=N
 * max_kb is the domain's maxmem (max_pages, as `xl list -l` shows
 * max_memkb), tot_kb its tot_pages.  The PoD fields come from
 * xc_domain_get_pod_target (XENMEM_get_pod_target, which only reads:
 * xen/arch/x86/mm.c); Xen refuses it for PV domains, which then show
 * "pod_cache_kb=- pod_entries_kb=-".  Exit status 1 with one line on
 * stderr when the domain does not exist or a call fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

int main(int argc, char **argv)
{
    xc_interface *xch;
    xc_domaininfo_t info;
    uint64_t tot, cache, entries;
    unsigned long domid;
    char *end;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: xen-podinfo DOMID\n");
        return 2;
    }
    errno = 0;
    domid = strtoul(argv[1], &end, 10);
    if (errno || end == argv[1] || *end || domid >= 0x7ff0) {
        fprintf(stderr, "xen-podinfo: '%.32s' is not a domain id\n", argv[1]);
        return 2;
    }
    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch) {
        fprintf(stderr, "xen-podinfo: cannot open libxenctrl: %s\n",
                strerror(errno));
        return 1;
    }
    if (xc_domain_getinfolist(xch, domid, 1, &info) != 1 ||
        info.domain != domid) {
        fprintf(stderr, "xen-podinfo: no domain %lu\n", domid);
        goto out;
    }
    printf("max_kb=%" PRIu64 " tot_kb=%" PRIu64, (uint64_t)info.max_pages * 4,
           (uint64_t)info.tot_pages * 4);
    if (xc_domain_get_pod_target(xch, domid, &tot, &cache, &entries) == 0)
        printf(" pod_cache_kb=%" PRIu64 " pod_entries_kb=%" PRIu64 "\n",
               cache * 4, entries * 4);
    else if (errno == EINVAL && !(info.flags & XEN_DOMINF_hvm_guest))
        printf(" pod_cache_kb=- pod_entries_kb=-\n");
    else {
        printf("\n");
        fprintf(stderr, "xen-podinfo: xc_domain_get_pod_target(%lu): %s\n",
                domid, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    xc_interface_close(xch);
    return rc;
}
