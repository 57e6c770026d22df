/*
 * paging.c: xenpaging, as tools/xenpaging/xenpaging.c (Xen 4.17) behaves,
 * modelled as a process of its own.
 *
 * A pager is spawned for a domain and has a pid; it lives until it exits,
 * whoever spawned it (a library context, an actor, xlmem) having long
 * gone.  Its life, after xenpaging's main():
 *   start     xenpaging_init: XEN_DOMCTL_VM_EVENT_OP_PAGING enable (the
 *             ring).  Any failure (ENOSYS, EOPNOTSUPP, ENODEV, EMLINK,
 *             EXDEV, EBUSY, no such domain) ends it with status 1.
 *   running   it watches memory/target-tot_pages (KiB, >> 2 for pages; a
 *             negative or too large value means max_pages) and, at the
 *             host's paging rate: target 0 pages every evicted page back
 *             in; tot_pages > target evicts resident private pages;
 *             tot_pages < target pages back in while anything is out.
 *   SIGTERM   (or SIGINT) pages everything back in, whatever the target,
 *             then tears the ring down (xc_mem_paging_disable) and exits
 *             0; SIGHUP tears down at once and exits 0 (xenpaging's
 *             "exit main loop on any other signal"); SIGKILL ends it with
 *             nothing torn down.
 *   @releaseDomain  the domain is gone: it exits 0.
 *   ring gone a ring torn down under it (XEN_VM_EVENT_DISABLE by someone
 *             else) fails its next hypercall: it exits 2.
 * Xen itself (xen/arch/x86/mm/mem_paging.c, p2m_mem_paging_populate): a
 * guest touching a paged-out page with no ring in place is crashed
 * ("paging gfn yet no ring in place").  Which gfns are paged out is not
 * tracked, only how many, so a running guest is taken to touch one at
 * the next tick.
 *
 * Evicting frees the host page (tot_pages drops, as in Xen); paging in
 * allocates one, so it is limited by host free memory and maxmem, and a
 * pager that cannot page in waits (stalled) until memory is freed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "paging.h"
#include "store.h"

const char *pager_state_name(enum pager_state s)
{
    switch (s) {
    case PAGER_RUNNING:
        return "running";
    case PAGER_STOPPING:
        return "stopping";
    default:
        return "exited";
    }
}

static bool pager_live(const struct hv_pager *p)
{
    return p && p->state != PAGER_EXITED;
}

void paging_target_event(struct hv *hv, struct hv_domain *d)
{
    char *val = NULL, *end, path[80];
    unsigned len;
    long long kb;

    if (d->dying || !d->paging || !pager_live(d->pager))
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

/* Forget the oldest exited pagers past PAGER_EXITED_KEEP. */
static void prune(struct hv *hv)
{
    struct hv_pager **pp, *p;
    unsigned kept = 0;

    for (pp = &hv->pagers; (p = *pp);) {
        if (p->state == PAGER_EXITED && ++kept > PAGER_EXITED_KEEP) {
            *pp = p->next;
            free(p);
            continue;
        }
        pp = &p->next;
    }
}

/* The ring is torn down (by a pager or by a bare paging_disable). */
void paging_ring_gone(struct hv *hv, struct hv_domain *d)
{
    d->paging = false;
    d->paging_target_set = false;
    d->paging_budget = 0;
    if (d->paged || pager_live(d->pager))
        hv_wake(hv, d);
    hv_record(hv, d, true);
}

static void pager_exit(struct hv *hv, struct hv_pager *p, int status, int err,
                       bool teardown)
{
    struct hv_domain *d = hv_domain(hv, p->domid);

    if (p->state == PAGER_EXITED)
        return;
    p->state = PAGER_EXITED;
    p->status = status;
    p->err = err;
    if (d && d->pager == p) {
        d->pager = NULL;
        if (teardown && d->paging && !d->dying)
            paging_ring_gone(hv, d);
    }
    /* A client may start pagers that fail at will: rate-limited. */
    ratelog(&hv->pager_log, hv_now_ms(hv),
            "pager %u of d%u exited with status %d%s%s", p->pid, p->domid,
            status, err ? ": " : "", err ? strerror(err) : "");
    prune(hv);
    if (hv->on_change)
        hv->on_change(hv->on_change_arg);
}

struct hv_pager *pager_spawn(struct hv *hv, unsigned domid,
                             const char *pagefile)
{
    struct hv_pager *p = calloc(1, sizeof(*p));
    struct hv_domain *d;
    int rc;

    if (!p)
        return NULL;
    p->pid = hv->next_pager_pid++;
    p->domid = domid;
    snprintf(p->pagefile, sizeof(p->pagefile), "%s", pagefile);
    p->state = PAGER_RUNNING;
    p->next = hv->pagers;
    hv->pagers = p;
    /* xenpaging_getopts: "Numerical <domain_id> missing!"; then
     * xs_get_domain_path / xc calls fail for a domain that is not. */
    d = domid ? hv_domain(hv, domid) : NULL;
    if (!d || d->dying) {
        pager_exit(hv, p, 1, ESRCH, false);
        return p;
    }
    rc = hv_paging_enable(hv, domid);
    if (rc) {
        pager_exit(hv, p, 1, -rc, false);
        return p;
    }
    d->pager = p;
    d->paging_target_set = false;
    d->paging_budget = 0;
    /* xs_watch fires once at once: the target as it stands. */
    paging_target_event(hv, d);
    return p;
}

struct hv_pager *pager_find(struct hv *hv, unsigned pid)
{
    struct hv_pager *p;

    for (p = hv->pagers; p; p = p->next)
        if (p->pid == pid)
            return p;
    return NULL;
}

int pager_signal(struct hv *hv, struct hv_pager *p, int sig)
{
    struct hv_domain *d = hv_domain(hv, p->domid);

    if (!pager_live(p))
        return -ESRCH;
    switch (sig) {
    case SIGTERM:
    case SIGINT:
        p->state = PAGER_STOPPING;
        if (!d || !d->paged)
            pager_exit(hv, p, 0, 0, true);
        else
            hv_wake(hv, d);
        return 0;
    case SIGHUP:
        pager_exit(hv, p, 0, 0, true);
        return 0;
    case SIGKILL:
        pager_exit(hv, p, -SIGKILL, 0, false);
        return 0;
    default:
        return -EINVAL;
    }
}

void pager_domain_gone(struct hv *hv, struct hv_domain *d)
{
    if (pager_live(d->pager))
        pager_exit(hv, d->pager, 0, 0, false);
    d->pager = NULL;
}

void pager_free_all(struct hv *hv)
{
    while (hv->pagers) {
        struct hv_pager *p = hv->pagers;

        hv->pagers = p->next;
        free(p);
    }
}

/* Pages to evict (>0) or page in (<0) to reach the target. */
static int64_t paging_delta(const struct hv_domain *d)
{
    if (!d->paging || !pager_live(d->pager))
        return 0;
    if (d->pager->state == PAGER_STOPPING)
        return -(int64_t)d->paged;
    if (!d->paging_target_set)
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
    if (!d->paging)
        return (d->paged && !d->shutdown) || pager_live(d->pager);
    if (pager_live(d->pager) && d->pager->state == PAGER_STOPPING)
        return true;
    return paging_delta(d) != 0;
}

bool paging_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms)
{
    int64_t delta;
    uint64_t n, want, avail;
    bool stalled = false;

    if (!d->paging) {
        /* No ring: a pager still running fails its next hypercall (the
         * memops answer ENODEV), and the guest's next touch of a page
         * that is out crashes it (p2m_mem_paging_populate). */
        if (pager_live(d->pager))
            pager_exit(hv, d->pager, 2, ENODEV, false);
        if (d->paged)
            hv_domain_crash(hv, d, "paging gfn yet no ring in place");
        return false;
    }
    delta = paging_delta(d);
    if (!delta) {
        d->paging_budget = 0;
        if (pager_live(d->pager) && d->pager->state == PAGER_STOPPING)
            pager_exit(hv, d->pager, 0, 0, true);
        return false;
    }
    d->paging_budget += hv->cfg.paging_rate_mib_s * 256.0 * (double)dt_ms /
        1000.0;
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
    if (!d->paged && pager_live(d->pager) &&
        d->pager->state == PAGER_STOPPING) {
        pager_exit(hv, d->pager, 0, 0, true);
        return false;
    }
    return paging_wants(d) && !stalled;
}
