/*
 * guest.c: the guest in a simulated domain.
 *
 * Balloon driver, after Linux's drivers/xen/xen-balloon.c: it watches
 * memory/target (KiB, read as the guest itself; one host-wide watch in
 * hv.c stands for every guest's own, so 10,000 guests cost the store one
 * watch) and sets its target in
 * pages (kb >> 2); the balloon then moves the guest's populated pages
 * towards it.  Growing allocates from the hypervisor and stops at
 * maxmem or when the host is out of memory (Linux retries later; here the
 * domain is "stalled" and woken when memory is freed).  Shrinking gives
 * pages back at the same rate.  Modes: cooperative (256 MiB/s unless
 * told), slow (8 MiB/s unless told), stuck (reads targets, never moves)
 * and none (no driver: nothing watches the target).
 *
 * Demand is the guest's working set.  Whatever of it is not resident
 * (populated - paged) is swapped: that shortfall is the guest's pressure,
 * kept as current, maximum and integral (KiB x s).
 *
 * meminfo: written as the guest to memory/meminfo the way Qubes'
 * meminfo-writer does (the /proc/meminfo subset qmemman parses), and
 * only when used memory moved by more than its threshold, with its
 * formula, so the store sees the same write pattern.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "loop.h"
#include "sharing.h"
#include "store.h"

#define MEMINFO_THRESHOLD_KB 30000
#define GUEST_SWAP_KB (2ull << 20)

const char *balloon_mode_name(enum balloon_mode m)
{
    switch (m) {
    case BALLOON_COOPERATIVE:
        return "cooperative";
    case BALLOON_SLOW:
        return "slow";
    case BALLOON_STUCK:
        return "stuck";
    case BALLOON_NONE:
        return "none";
    }
    return "?";
}

int balloon_mode_parse(const char *s, enum balloon_mode *m)
{
    static const enum balloon_mode all[] = {
        BALLOON_COOPERATIVE, BALLOON_SLOW, BALLOON_STUCK, BALLOON_NONE,
    };
    unsigned i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (!strcmp(s, balloon_mode_name(all[i]))) {
            *m = all[i];
            return 0;
        }
    }
    return -EINVAL;
}

double guest_rate(const struct guest_config *c)
{
    if (c->rate_mib_s > 0)
        return c->rate_mib_s;
    return c->balloon == BALLOON_SLOW ? GUEST_RATE_SLOW
                                      : GUEST_RATE_COOPERATIVE;
}

static bool balloon_moves(const struct guest *g)
{
    return g->cfg.balloon == BALLOON_COOPERATIVE ||
           g->cfg.balloon == BALLOON_SLOW;
}

bool guest_balloon_wants(const struct hv_domain *d)
{
    const struct guest *g = &d->guest;

    return balloon_moves(g) && g->target_known &&
           g->target_pages != d->populated;
}

/*
 * memory/target changed (the host-wide watch in hv.c dispatches here), or
 * the driver starts: read it as the guest itself.
 */
void guest_target_event(struct hv *hv, struct hv_domain *d)
{
    unsigned long long kb;
    char *val = NULL, *end, path[64];
    unsigned len;

    if (d->dying || d->guest.cfg.balloon == BALLOON_NONE)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
             d->domid);
    /* The guest may read, not write, its memory/ directory. */
    if (store_read(hv->store, d->domid, path, &val, &len))
        return;
    errno = 0;
    kb = strtoull(val, &end, 10);
    /* Like xenbus_scanf("%llu"): garbage leaves the target alone. */
    if (end != val && !errno && val[0] != '-') {
        d->guest.target_known = true;
        d->guest.target_pages = kb / HV_PAGE_KB;
        if (guest_balloon_wants(d))
            hv_wake(hv, d);
        hv_record(hv, d, true);
    }
    free(val);
}

static void meminfo_write(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;
    long long total = (long long)(d->populated * HV_PAGE_KB);
    long long demand = (long long)g->demand_kb;
    long long used_ram = demand < total ? demand : total;
    long long swapped = demand - used_ram;
    long long swap_total = (long long)GUEST_SWAP_KB;
    long long swap_free, free_kb, used, diff;
    char buf[256], path[64];
    int n;

    if (swapped > swap_total)
        swap_total = swapped;
    swap_free = swap_total - swapped;
    free_kb = total - used_ram;
    used = total - free_kb + swap_total - swap_free;
    diff = used - g->meminfo_prev;
    if (diff < 0)
        diff = -diff;
    /* meminfo-writer's rule for when qmemman is worth telling. */
    if (!(diff > MEMINFO_THRESHOLD_KB || g->meminfo_prev == 0 ||
          (used > g->meminfo_prev && used / 10 > (total + 12) / 13 &&
           diff > MEMINFO_THRESHOLD_KB / 2)))
        return;
    g->meminfo_prev = used ? used : 1;
    n = snprintf(buf, sizeof(buf),
                 "MemTotal: %lld kB\nMemFree: %lld kB\nBuffers: 0 kB\n"
                 "Cached: 0 kB\nSwapTotal: %lld kB\nSwapFree: %lld kB\n",
                 total, free_kb, swap_total, swap_free);
    snprintf(path, sizeof(path), "/local/domain/%u/memory/meminfo",
             d->domid);
    store_write(hv->store, d->domid, path, buf, (unsigned)n);
}

void guest_update(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;
    uint64_t now = hv_now_ms(hv);
    uint64_t resident_kb = (d->populated - d->paged) * HV_PAGE_KB;

    g->shortfall_kb_s += (double)g->shortfall_kb *
                         (double)(now - g->last_ms) / 1000.0;
    g->last_ms = now;
    g->shortfall_kb = g->demand_kb > resident_kb ? g->demand_kb - resident_kb
                                                 : 0;
    if (g->shortfall_kb > g->shortfall_max_kb)
        g->shortfall_max_kb = g->shortfall_kb;
    meminfo_write(hv, d);
}

/*
 * Give back n gfns from the top.  Shared ones leave their frames; of the
 * private ones, resident pages go first (they return to the host), then
 * paged-out ones (their contents are simply dropped).
 */
static void balloon_release(struct hv *hv, struct hv_domain *d, uint64_t n)
{
    uint64_t shr = d->shr_pages, priv, resident;

    sharing_truncate(hv, d, d->populated - n);
    priv = n - (shr - d->shr_pages);
    resident = priv < d->tot_pages ? priv : d->tot_pages;
    hv_pages_free(hv, d, resident);
    d->paged -= priv - resident;
    d->populated -= n;
}

bool guest_balloon_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms)
{
    struct guest *g = &d->guest;
    uint64_t n, want, avail;

    d->stalled = false;
    if (!guest_balloon_wants(d)) {
        g->budget = 0;
        return false;
    }
    g->budget += guest_rate(&g->cfg) * 256.0 * (double)dt_ms / 1000.0;
    n = (uint64_t)g->budget;
    if (g->target_pages > d->populated) {
        want = g->target_pages - d->populated;
        avail = hv_pages_available(hv, d);
        if (want > avail && n >= avail) {
            /* maxmem or the host stops it: wait to be woken. */
            n = avail;
            d->stalled = true;
        }
        if (n > want)
            n = want;
        hv_pages_alloc(hv, d, n);
        d->populated += n;
    } else {
        want = d->populated - g->target_pages;
        if (n > want)
            n = want;
        balloon_release(hv, d, n);
    }
    if (n == want || d->stalled)
        g->budget = 0;
    else
        g->budget -= (double)n;
    if (n)
        guest_update(hv, d);
    return guest_balloon_wants(d) && !d->stalled;
}

int guest_start(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;

    g->demand_kb = g->cfg.demand_kb;
    g->last_ms = hv_now_ms(hv);
    guest_update(hv, d);
    guest_target_event(hv, d);
    return 0;
}

void guest_set_demand(struct hv *hv, struct hv_domain *d, uint64_t kb)
{
    d->guest.demand_kb = kb;
    guest_update(hv, d);
    hv_record(hv, d, true);
}

void guest_set_balloon(struct hv *hv, struct hv_domain *d,
                       enum balloon_mode m, double rate_mib_s)
{
    struct guest *g = &d->guest;
    bool had_driver = g->cfg.balloon != BALLOON_NONE;

    g->cfg.balloon = m;
    if (rate_mib_s > 0)
        g->cfg.rate_mib_s = rate_mib_s;
    if (m == BALLOON_NONE)
        g->target_known = false;
    else if (!had_driver)
        guest_target_event(hv, d);  /* a new driver reads the target */
    if (guest_balloon_wants(d))
        hv_wake(hv, d);
}
