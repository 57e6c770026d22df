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
 * meminfo: written as the guest to memory/meminfo the way Qubes' current
 * meminfo-writer does (qubes-linux-utils, qmemman/meminfo-writer.c, run
 * as `meminfo-writer 30000 100000`): used = MemTotal - Buffers - Cached
 * - MemFree + SwapTotal - SwapFree in kB, MemTotal being the balloon's
 * current_kb, written as one decimal number when it moved by more than
 * 30000 kB, or on the first report, or when it grows by more than half
 * that while above 10/13 of MemTotal (the rule for growth near the top).
 * The old /proc/meminfo subset (Qubes until 2017) only when the domain's
 * config asks for it (meminfo=legacy).  libxl does not create the node:
 * a write the store refuses (EACCES until the toolstack makes the node
 * the guest's) is kept and retried as soon as the node changes (the real
 * writer looks every 100 ms), or at the next report.
 *
 * Workload noise (noise_kb): the working set wanders around the demand,
 * moved every simulated second, so guests report on their own while they
 * work, as real writers do.  PSI (psi=1): memory/pressure holds "some
 * avg10" as /proc/pressure/memory prints it (percent, two decimals): the
 * share of the working set not resident, averaged over 10 s as the
 * kernel does (exponential, every 2 s), written when it moves by 1.00 or
 * reaches 0.  Neither timer counts as the host moving (settle).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "hv.h"
#include "loop.h"
#include "sharing.h"
#include "simclock.h"
#include "store.h"

#define MEMINFO_THRESHOLD_KB 30000
#define GUEST_SWAP_KB (2ull << 20)
#define GUEST_TICK_MS 1000u     /* noise and PSI, simulated */
#define PSI_PERIOD_MS 2000u     /* the kernel's averaging period */
#define PSI_WINDOW_MS 10000.0   /* avg10 */

const char *meminfo_format_name(enum meminfo_format f)
{
    switch (f) {
    case MEMINFO_USED:
        return "used";
    case MEMINFO_LEGACY:
        return "legacy";
    case MEMINFO_NONE:
        return "none";
    }
    return "?";
}

int meminfo_format_parse(const char *s, enum meminfo_format *f)
{
    static const enum meminfo_format all[] = {
        MEMINFO_USED, MEMINFO_LEGACY, MEMINFO_NONE,
    };
    unsigned i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (!strcmp(s, meminfo_format_name(all[i]))) {
            *f = all[i];
            return 0;
        }
    }
    return -EINVAL;
}

uint64_t guest_demand_kb(const struct guest *g)
{
    long long v = (long long)g->demand_kb + g->noise_kb;

    return v > 0 ? (uint64_t)v : 0;
}

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

/*
 * The guest's RAM as its balloon driver counts it (current_pages): the
 * backed gfns and the PoD entries, not the ballooned-out ones.
 */
static uint64_t balloon_current(const struct hv_domain *d)
{
    return d->populated + d->pod_entries;
}

bool guest_balloon_wants(const struct hv_domain *d)
{
    const struct guest *g = &d->guest;

    return balloon_moves(g) && g->target_known &&
        g->target_pages != balloon_current(d);
}

/*
 * xen-balloon.c's watch_target, at its first event: a PV guest (or
 * dom0) takes memory/target as its own RAM; an HVM or PVH guest
 * subtracts static-max - the RAM it booted with (video RAM and the
 * holes of its memory map), for good.  The static-max read is the
 * guest's own (a missing one means no difference).
 */
static void first_target(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;
    unsigned long long kb;
    char *val = NULL, *end, path[64];
    unsigned len;
    uint64_t static_max = g->boot_pages;

    g->watch_fired = true;
    if (!hv_is_hvm(d)) {
        g->target_diff = 0;
        return;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
             d->domid);
    if (!store_read(hv->store, d->domid, path, &val, &len)) {
        errno = 0;
        kb = strtoull(val, &end, 10);
        if (end != val && !errno && val[0] != '-')
            static_max = kb / HV_PAGE_KB;
        free(val);
    }
    g->target_diff = (int64_t)static_max - (int64_t)g->boot_pages;
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

    if (d->dying)
        return;
    if (d->guest.cfg.balloon == BALLOON_NONE) {
        /* Nobody in the guest reads it, but the target changed. */
        hv_record(hv, d, true);
        return;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
             d->domid);
    /* The guest may read, not write, its memory/ directory. */
    if (store_read(hv->store, d->domid, path, &val, &len))
        return;
    errno = 0;
    kb = strtoull(val, &end, 10);
    /* Like xenbus_scanf("%llu"): garbage leaves the target alone. */
    if (end != val && !errno && val[0] != '-') {
        int64_t pages;

        if (!d->guest.watch_fired)
            first_target(hv, d);
        /* Linux would wrap a negative one round; the model stops at 0. */
        pages = (int64_t)(kb / HV_PAGE_KB) - d->guest.target_diff;
        d->guest.target_known = true;
        d->guest.target_pages = pages > 0 ? (uint64_t)pages : 0;
        if (guest_balloon_wants(d))
            hv_wake(hv, d);
        hv_record(hv, d, true);
    }
    free(val);
}

static int guest_write(struct hv *hv, struct hv_domain *d, const char *node,
                       const char *val, int n)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", d->domid,
             node);
    return store_write(hv->store, d->domid, path, val, (unsigned)n);
}

static void meminfo_write(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;
    long long total = (long long)(balloon_current(d) * HV_PAGE_KB);
    long long demand = (long long)guest_demand_kb(g);
    long long used_ram = demand < total ? demand : total;
    long long swapped = demand - used_ram;
    long long swap_total = (long long)GUEST_SWAP_KB;
    long long swap_free, free_kb, used, diff;
    char buf[256];
    int n;

    if (g->cfg.meminfo == MEMINFO_NONE)
        return;
    if (swapped > swap_total)
        swap_total = swapped;
    swap_free = swap_total - swapped;
    free_kb = total - used_ram;
    used = total - free_kb + swap_total - swap_free;
    diff = used - g->meminfo_prev;
    if (diff < 0)
        diff = -diff;
    /* meminfo-writer's rule for when qmemman is worth telling. */
    if (!g->meminfo_pending &&
        !(diff > MEMINFO_THRESHOLD_KB || g->meminfo_prev == 0 ||
          (used > g->meminfo_prev && used / 10 > (total + 12) / 13 &&
           diff > MEMINFO_THRESHOLD_KB / 2)))
        return;
    if (g->cfg.meminfo == MEMINFO_LEGACY)
        n = snprintf(buf, sizeof(buf),
                     "MemTotal: %lld kB\nMemFree: %lld kB\nBuffers: 0 kB\n"
                     "Cached: 0 kB\nSwapTotal: %lld kB\nSwapFree: %lld kB\n",
                     total, free_kb, swap_total, swap_free);
    else
        n = snprintf(buf, sizeof(buf), "%lld", used);
    g->meminfo_pending = guest_write(hv, d, "meminfo", buf, n) != 0;
    if (!g->meminfo_pending)
        g->meminfo_prev = used ? used : 1;
}

/* The share of the working set that is not resident, in percent. */
static double stall_pct(const struct hv_domain *d)
{
    uint64_t demand = guest_demand_kb(&d->guest);

    if (!demand || !d->guest.shortfall_kb)
        return 0;
    return 100.0 * (double)d->guest.shortfall_kb / (double)demand;
}

static void psi_advance(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;
    uint64_t now = hv_now_ms(hv);
    double k;
    int v;
    char buf[16];

    if (!g->cfg.psi)
        return;
    if (now - g->psi_ms >= PSI_PERIOD_MS) {
        k = exp(-(double)(now - g->psi_ms) / PSI_WINDOW_MS);
        g->psi_avg10 = g->psi_avg10 * k + stall_pct(d) * (1 - k);
        g->psi_ms = now;
    }
    v = (int)(g->psi_avg10 * 100.0 + 0.5);
    if (v < 1 && g->psi_written > 0)
        v = 0;
    if (g->psi_written >= 0 && abs(v - g->psi_written) < 100 &&
        !(v == 0 && g->psi_written != 0))
        return;
    snprintf(buf, sizeof(buf), "%d.%02d", v / 100, v % 100);
    if (!guest_write(hv, d, "pressure", buf, (int)strlen(buf)))
        g->psi_written = v;
}

static bool guest_ticks(const struct hv_domain *d)
{
    const struct guest *g = &d->guest;

    if (d->dying || d->shutdown)
        return false;
    if (g->cfg.noise_kb)
        return true;
    /* PSI keeps averaging while avg10 has not met the stall share. */
    return g->cfg.psi && fabs(g->psi_avg10 - stall_pct(d)) >= 0.005;
}

static void guest_tick(struct simclock *c, struct sim_timer *t, void *arg);

static void guest_arm(struct hv *hv, struct hv_domain *d)
{
    uint64_t ms = GUEST_TICK_MS;

    if (d->guest.noise_timer || !guest_ticks(d))
        return;
    /* At least 1 ms of real time apart, as before the clock could stop. */
    if ((double)ms < hv->cfg.speed)
        ms = (uint64_t)hv->cfg.speed;
    d->guest.noise_timer = sim_timer_add(hv->clock, ms, guest_tick, d);
}

/* xorshift64: the guest's own deterministic noise. */
static uint64_t noise_next(struct guest *g)
{
    uint64_t x = g->noise_rng ? g->noise_rng : 0x9e3779b97f4a7c15ull;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return g->noise_rng = x;
}

static void guest_tick(struct simclock *c, struct sim_timer *t, void *arg)
{
    struct hv_domain *d = arg;
    struct guest *g = &d->guest;
    struct hv *hv = d->hv;
    long long amp = (long long)g->cfg.noise_kb;

    (void)c;
    (void)t;
    g->noise_timer = NULL;
    if (amp) {
        g->noise_kb += (long long)(noise_next(g) % (uint64_t)(amp + 1)) -
                       amp / 2;
        if (g->noise_kb > amp)
            g->noise_kb = amp;
        if (g->noise_kb < -amp)
            g->noise_kb = -amp;
        guest_update(hv, d);
        hv_record(hv, d, false);
    } else {
        psi_advance(hv, d);
    }
    guest_arm(hv, d);
}

void guest_meminfo_event(struct hv *hv, struct hv_domain *d)
{
    if (d->guest.meminfo_pending)
        meminfo_write(hv, d);
    if (d->guest.cfg.psi && d->guest.psi_written < 0)
        psi_advance(hv, d);
}

void guest_stop(struct hv *hv, struct hv_domain *d)
{
    sim_timer_cancel(hv->clock, d->guest.noise_timer);
    d->guest.noise_timer = NULL;
}

void guest_peek(struct hv *hv, const struct hv_domain *d,
                uint64_t *shortfall_kb, double *shortfall_kb_s)
{
    const struct guest *g = &d->guest;

    /* The shortfall is constant between updates. */
    *shortfall_kb = g->shortfall_kb;
    *shortfall_kb_s = g->shortfall_kb_s +
                      (double)g->shortfall_kb *
                          (double)(hv_now_ms(hv) - g->last_ms) / 1000.0;
}

/*
 * The guest uses its working set.  In a PoD guest a gfn it touches is
 * backed from the PoD cache (p2m_pod_demand_populate); with the cache
 * empty Xen has nothing to back it with and crashes the domain ("out of
 * PoD memory").  The zero-page sweep that may refill the cache first is
 * not modelled.  While a working balloon driver is taking memory back,
 * the kernel does not use more than its target.
 */
static void pod_touch(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;
    uint64_t want = guest_demand_kb(g) / HV_PAGE_KB, need, take;
    char why[160];

    if (!d->pod_entries || d->shutdown)
        return;
    if (want > balloon_current(d))
        want = balloon_current(d);
    if (balloon_moves(g) && g->target_known && want > g->target_pages)
        want = g->target_pages;
    if (want <= d->populated)
        return;
    need = want - d->populated;
    take = need < d->pod_cache ? need : d->pod_cache;
    d->pod_cache -= take;
    d->pod_entries -= take;
    d->populated += take;
    if (take < need) {
        snprintf(why, sizeof(why),
                 "p2m_pod_demand_populate: out of PoD "
                 "memory! (tot=%" PRIu64 " ents=%" PRIu64 ")",
                 d->tot_pages, d->pod_entries);
        hv_domain_crash(hv, d, why);
    }
}

void guest_update(struct hv *hv, struct hv_domain *d)
{
    struct guest *g = &d->guest;
    uint64_t now = hv_now_ms(hv);
    uint64_t demand = guest_demand_kb(g);
    uint64_t resident_kb;

    pod_touch(hv, d);
    resident_kb = (balloon_current(d) - d->paged) * HV_PAGE_KB;

    g->shortfall_kb_s += (double)g->shortfall_kb *
                         (double)(now - g->last_ms) / 1000.0;
    g->last_ms = now;
    g->shortfall_kb = demand > resident_kb ? demand - resident_kb : 0;
    if (g->shortfall_kb > g->shortfall_max_kb)
        g->shortfall_max_kb = g->shortfall_kb;
    meminfo_write(hv, d);
    psi_advance(hv, d);
    guest_arm(hv, d);
}

/*
 * Give back n gfns from the top.  PoD entries go first (the memory the
 * guest never touched; p2m-pod.c's decrease_reservation drops them and
 * trims the cache to what is still outstanding).  Then backed ones:
 * shared ones leave their frames; of the private ones, resident pages go
 * first (they return to the host), then paged-out ones (their contents
 * are simply dropped).
 */
static void balloon_release(struct hv *hv, struct hv_domain *d, uint64_t n)
{
    uint64_t shr = d->shr_pages, priv, resident, res0;
    uint64_t pod = n < d->pod_entries ? n : d->pod_entries;

    if (pod) {
        d->pod_entries -= pod;
        hv_pod_trim(hv, d);
        n -= pod;
    }
    if (!n)
        return;
    res0 = hv_private_resident(d);
    sharing_truncate(hv, d, d->populated - n);
    priv = n - (shr - d->shr_pages);
    resident = priv < res0 ? priv : res0;
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
    if (g->target_pages > balloon_current(d)) {
        /* increase_reservation: real pages, up to max_pages. */
        want = g->target_pages - balloon_current(d);
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
        want = balloon_current(d) - g->target_pages;
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
    g->last_ms = g->psi_ms = hv_now_ms(hv);
    g->psi_written = -1;
    g->noise_rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)d->domid << 32) ^
                   d->seed;
    /* balloon_init: a PV guest's pages, an HVM guest's E820 RAM. */
    g->boot_pages = hv_is_hvm(d) ? d->ram_pages : d->populated;
    guest_target_event(hv, d);
    guest_update(hv, d);
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
