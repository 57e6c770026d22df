/*
 * guest.h: the guest inside each simulated domain: its balloon driver,
 * its memory demand (working set) and the meminfo it reports.
 */
#ifndef XENSIM_GUEST_H
#define XENSIM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

struct hv;
struct hv_domain;

enum balloon_mode {
    BALLOON_COOPERATIVE,  /* follows memory/target at its rate */
    BALLOON_SLOW,         /* the same, at a slow default rate */
    BALLOON_STUCK,        /* a driver that reads targets, never moves */
    BALLOON_NONE,         /* no balloon driver at all */
};

#define GUEST_RATE_COOPERATIVE 256.0 /* MiB/s of simulated time */
#define GUEST_RATE_SLOW 8.0

/* Page contents, for sharing (see sharing.c). */
struct share_profile {
    char image[65];       /* domains of one image share content */
    double zero;          /* fraction of zero pages */
    double shared;        /* fraction of pages identical across the image */
    double collide;       /* fraction of crafted pages: the zero page's
                           * 64-bit hash, other content (docs/xensim.md) */
    double cow_per_s;     /* guest writes to shared pages per second */
};

/* What the guest's meminfo writer reports in memory/meminfo. */
enum meminfo_format {
    MEMINFO_USED,    /* today's meminfo-writer: one number, used kB */
    MEMINFO_LEGACY,  /* the /proc/meminfo subset Qubes wrote until 2017 */
    MEMINFO_NONE,    /* no writer in the guest */
};

struct guest_config {
    enum balloon_mode balloon;
    double rate_mib_s;    /* 0: the mode's default */
    uint64_t demand_kb;   /* initial working set */
    bool demand_set;      /* false: half of memory */
    struct share_profile share;
    enum meminfo_format meminfo;
    bool psi;             /* kernel with PSI: memory/pressure reported */
    uint64_t noise_kb;    /* workload noise: the working set wanders by up
                             to this much around the demand, moved every
                             simulated second (0: none) */
};

struct guest {
    struct guest_config cfg;
    bool target_known;
    uint64_t target_pages;   /* the balloon's target, from memory/target */
    /*
     * Linux's xen-balloon.c watch_target: at the first event an HVM or
     * PVH guest takes static-max - the RAM it booted with as the part of
     * memory/target that is not its own RAM, and subtracts it from every
     * target after.  boot_pages is balloon_stats.current_pages at init.
     */
    bool watch_fired;
    int64_t target_diff;     /* pages */
    uint64_t boot_pages;
    double budget;           /* pages allowed but not yet moved */
    uint64_t demand_kb;
    uint64_t shortfall_kb;   /* current */
    uint64_t shortfall_max_kb;
    double shortfall_kb_s;   /* integral: KiB x simulated seconds */
    uint64_t last_ms;        /* when the integral was last advanced */
    long long meminfo_prev;  /* meminfo-writer's prev_used_mem */
    bool meminfo_pending;    /* a report the store refused (no node yet) */
    double cow_budget;

    long long noise_kb;      /* current offset of the working set */
    uint64_t noise_rng;
    struct sim_timer *noise_timer;  /* on the simulated clock */

    double psi_avg10;        /* some avg10, percent */
    uint64_t psi_ms;         /* when psi_avg10 was last advanced */
    int psi_written;         /* hundredths last written, -1: none */
};

const char *balloon_mode_name(enum balloon_mode m);
const char *meminfo_format_name(enum meminfo_format f);
int meminfo_format_parse(const char *s, enum meminfo_format *f);
int balloon_mode_parse(const char *s, enum balloon_mode *m);
double guest_rate(const struct guest_config *c);

/* Start the guest of d (its driver reads the target). */
int guest_start(struct hv *hv, struct hv_domain *d);
/* memory/target of d changed. */
void guest_target_event(struct hv *hv, struct hv_domain *d);

/*
 * Advance d's balloon by dt_ms of simulated time.  Returns true while the
 * balloon still has work it can do.  Sets d->stalled when it wants to grow
 * but no page is available.
 */
bool guest_balloon_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms);
/* Does the balloon have work (ignoring stalls)? */
bool guest_balloon_wants(const struct hv_domain *d);

void guest_set_demand(struct hv *hv, struct hv_domain *d, uint64_t kb);
void guest_set_balloon(struct hv *hv, struct hv_domain *d,
                       enum balloon_mode m, double rate_mib_s);

/* Recompute pressure and meminfo after pages changed. */
void guest_update(struct hv *hv, struct hv_domain *d);
/* The working set now: demand plus workload noise. */
uint64_t guest_demand_kb(const struct guest *g);
/*
 * The pressure figures as of now without changing anything (guestinfo):
 * shortfall now and its integral up to now.
 */
void guest_peek(struct hv *hv, const struct hv_domain *d,
                uint64_t *shortfall_kb, double *shortfall_kb_s);
/* memory/meminfo or memory/pressure changed (created, permissions): a
 * report the store refused is retried. */
void guest_meminfo_event(struct hv *hv, struct hv_domain *d);
/* The domain goes away: stop the guest's own timers. */
void guest_stop(struct hv *hv, struct hv_domain *d);

#endif
