/*
 * paging.c: xenpaging, as tools/xenpaging/xenpaging.c behaves.
 *
 * The pager of a domain watches memory/target-tot_pages (KiB; read as
 * dom0, the pager being a dom0 daemon; hv.c's host-wide watch calls
 * paging_target_event) and turns it into pages with
 * kb >> 2, a negative or too large value meaning max_pages, exactly as
 * xenpaging does.  Then, at the host's paging rate:
 *   target 0          page every evicted page back in;
 *   tot_pages > target  evict resident private pages;
 *   tot_pages < target  page back in, while anything is paged out.
 * Evicting frees the host page (tot_pages drops, as in Xen); paging in
 * allocates one, so it is limited by host free memory and maxmem, and a
 * pager that cannot page in waits (stalled) until memory is freed.
 * Which gfns are paged out is not tracked: only how many.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "paging.h"
#include "store.h"

void paging_target_event(struct hv *hv, struct hv_domain *d)
{
    char *val = NULL, *end, path[80];
    unsigned len;
    long long kb;

    if (d->dying || !d->paging)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target-tot_pages",
             d->domid);
    if (store_read(hv->store, 0, path, &val, &len))
        return;
    errno = 0;
    kb = strtoll(val, &end, 10);
    if (end != val && !errno) {
        long long pages = kb >> 2;

        if (pages < 0 || (uint64_t)pages > d->max_pages)
            pages = (long long)d->max_pages;
        d->paging_target = (uint64_t)pages;
        d->paging_target_set = true;
        if (paging_wants(d))
            hv_wake(hv, d);
        hv_record(hv, d, true);
    }
    free(val);
}

int paging_start(struct hv *hv, struct hv_domain *d)
{
    d->paging = true;
    d->paging_target_set = false;
    d->paging_budget = 0;
    paging_target_event(hv, d);
    return 0;
}

int paging_stop(struct hv *hv, struct hv_domain *d)
{
    if (!d->paging)
        return 0;
    if (d->paged > hv_pages_available(hv, d))
        return -ENOMEM;
    hv_pages_alloc(hv, d, d->paged);
    d->paged = 0;
    d->paging = false;
    d->paging_target_set = false;
    guest_update(hv, d);
    hv_record(hv, d, true);
    return 0;
}

/* Pages to evict (>0) or page in (<0) to reach the target. */
static int64_t paging_delta(const struct hv_domain *d)
{
    if (!d->paging || !d->paging_target_set)
        return 0;
    if (d->paging_target == 0)
        return -(int64_t)d->paged;
    if (d->tot_pages > d->paging_target) {
        /* Only the guest's own resident RAM can be evicted. */
        uint64_t n = d->tot_pages - d->paging_target;

        if (n > hv_private_resident(d))
            n = hv_private_resident(d);
        return (int64_t)n;
    }
    if (d->tot_pages < d->paging_target && d->paged) {
        uint64_t n = d->paging_target - d->tot_pages;

        return -(int64_t)(n < d->paged ? n : d->paged);
    }
    return 0;
}

bool paging_wants(const struct hv_domain *d)
{
    return paging_delta(d) != 0;
}

bool paging_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms)
{
    int64_t delta = paging_delta(d);
    uint64_t n, want, avail;
    bool stalled = false;

    if (!delta) {
        d->paging_budget = 0;
        return false;
    }
    d->paging_budget += hv->cfg.paging_rate_mib_s * 256.0 *
                        (double)dt_ms / 1000.0;
    n = (uint64_t)d->paging_budget;
    if (delta > 0) {
        want = (uint64_t)delta;
        if (n > want)
            n = want;
        hv_pages_free(hv, d, n);
        d->paged += n;
    } else {
        want = (uint64_t)-delta;
        avail = hv_pages_available(hv, d);
        if (want > avail && n >= avail) {
            n = avail;
            stalled = true;
        }
        if (n > want)
            n = want;
        hv_pages_alloc(hv, d, n);
        d->paged -= n;
    }
    if (n == want || stalled)
        d->paging_budget = 0;
    else
        d->paging_budget -= (double)n;
    if (stalled)
        d->stalled = true;
    if (n)
        guest_update(hv, d);
    return paging_wants(d) && !stalled;
}
