/*
 * xlmem_target.c: mem-set, and its --wait that follows the domain.
 *
 * mem-set sets the memory target with enforce, as `xl mem-set` does; the
 * domain's actor then moves the memory (or, with no actor, the library
 * does what xl does: balloon target and maxmem).
 *
 * --wait follows the domain until it has reached its target, as the
 * library judges it (mempolicy_target_cmp: tot_pages within the band a
 * real guest sits in once ballooned, video RAM and libxl's slack
 * included; on a real HVM guest tot_pages never equals the target), or
 * the time runs out.  The policy target is followed through the library's
 * DOMAIN_MEMORY_TARGET_CHANGED events, so another mem-set while waiting
 * moves the goal, and DOMAIN_DEATH ends the wait; events about other
 * domains cost nothing more than being taken.  A domain's page count is
 * hypervisor state that no xenstore watch reports, so it is re-read on a
 * timer (and at once after an event about the domain): every 500 ms of
 * host time (the host's clock speed makes that faster on an accelerated
 * simulated host), never more often than every 20 ms nor less often than
 * every 500 ms of real time.  SECONDS is host
 * time too.  On a terminal a progress bar is redrawn in place; otherwise
 * one plain line is printed each time the actual size changes.  When the
 * time runs out, the line says why (xlmem_verdict: actor down, host out
 * of memory, balloon stuck, or the actor's own status).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xlmem.h"

#define WAIT_DEFAULT_S 60
#define WAIT_MAX_S (7 * 24 * 3600)
#define TICK_HOST_MS 500.0
#define TICK_MIN_MS 20
#define TICK_MAX_MS 500
#define BAR_WIDTH 30

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct progress {
    uint32_t domid;
    bool tty;
    uint64_t start_kb;   /* actual size when the wait began */
    uint64_t last_kb;    /* last size shown */
    bool shown;
};

static void progress_show(struct progress *pg, uint64_t actual,
                          uint64_t target, bool reached)
{
    if (pg->tty) {
        uint64_t total = pg->start_kb > target ? pg->start_kb - target
                         : target - pg->start_kb;
        uint64_t left = actual > target ? actual - target : target - actual;
        unsigned done = total && left < total
                        ? (unsigned)((total - left) * BAR_WIDTH / total)
                        : total ? 0 : BAR_WIDTH;
        char bar[BAR_WIDTH + 1];

        if (reached)
            done = BAR_WIDTH;
        memset(bar, '#', done);
        memset(bar + done, '.', BAR_WIDTH - done);
        bar[BAR_WIDTH] = '\0';
        printf("\r%s: [%s] %llu MiB -> %llu MiB ", xlmem_dom(pg->domid), bar,
               xlmem_mib(actual), xlmem_mib(target));
    } else if (!pg->shown || actual != pg->last_kb) {
        printf("%s: actual %llu MiB, target %llu MiB\n", xlmem_dom(pg->domid),
               xlmem_mib(actual), xlmem_mib(target));
    }
    pg->shown = true;
    pg->last_kb = actual;
    fflush(stdout);
}

static void progress_end(struct progress *pg)
{
    if (pg->tty && pg->shown)
        putchar('\n');
    fflush(stdout);
}

#define EV_MINE 1   /* an event about the domain followed */
#define EV_DIED 2   /* ... which died */

/*
 * Take the pending events, the first one given: a new policy target of
 * the domain, or its death.  Returns EV_* flags.
 */
static int take_events(mempolicy_ctx *ctx, uint32_t domid, uint64_t *target,
                       mempolicy_event *ev)
{
    int r = 0;

    while (ev) {
        if (ev->domid == domid) {
            r |= EV_MINE;
            if (ev->type == MEMPOLICY_EVENT_DOMAIN_DEATH)
                r |= EV_DIED;
            else if (ev->type == MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED
                     && ev->policy.has_target)
                *target = ev->policy.target_kb;
        }
        mempolicy_event_free(ctx, ev);
        ev = NULL;
        if (mempolicy_event_get(ctx, &ev))
            ev = NULL;
    }
    return r;
}

/*
 * Why the wait ran out (xlmem_explain.c's verdict): the actor is down,
 * the host is out of memory, the balloon is stuck (the actual size stood
 * still for at least STUCK_S host seconds, or the whole wait if shorter),
 * or what the actor says.
 */
#define STUCK_S 5
static void timeout_reason(uint32_t domid, uint64_t target, unsigned long secs,
                           unsigned long still_s, char *buf, size_t len)
{
    struct xlmem_facts f;
    unsigned long stuck = secs < STUCK_S ? secs : STUCK_S;

    if (xlmem_facts_read(domid, &f)) {
        snprintf(buf, len, "cannot tell why");
        return;
    }
    xlmem_verdict(&f, target, still_s >= stuck ? still_s : 0, buf, len);
    xlmem_facts_dispose(&f);
}

static int wait_for_target(uint32_t domid, unsigned long secs)
{
    mempolicy_ctx *ctx = xlmem_ctx();
    mempolicy_evgen *eg_target = NULL, *eg_death = NULL;
    struct progress pg = { .domid = domid, .tty = isatty(STDOUT_FILENO) };
    double speed = mempolicy_clock_speed(ctx);
    uint64_t target, deadline, tick, moved_ms = now_ms(), last_actual = 0;
    bool enforce;
    int rc, ret = XLMEM_EXIT_FAIL;

    if (!(speed > 0))
        speed = 1.0;
    tick = (uint64_t)(TICK_HOST_MS / speed);
    if (tick < TICK_MIN_MS)
        tick = TICK_MIN_MS;
    if (tick > TICK_MAX_MS)
        tick = TICK_MAX_MS;
    deadline = now_ms() + (uint64_t)((double)secs * 1000.0 / speed);

    /* Subscribe before reading the target: no change can fall between. */
    rc = mempolicy_evenable_target_changed(ctx, NULL, &eg_target);
    if (!rc)
        rc = mempolicy_evenable_domain_death(ctx, &eg_death);
    if (!rc)
        rc = mempolicy_domain_get_target(ctx, domid, &target, &enforce);
    if (rc) {
        xlmem_lib_err(rc, "cannot follow %s", xlmem_dom(domid));
        goto out;
    }

    for (;;) {
        mempolicy_dominfo info;
        mempolicy_event *ev;
        uint64_t actual, videoram, now, wake;
        bool dying, reached;

        rc = mempolicy_domain_info(ctx, domid, &info);
        if (rc == MEMPOLICY_ERROR_NO_DOMAIN) {
            progress_end(&pg);
            xlmem_err("%s disappeared while waiting", xlmem_dom(domid));
            goto out;
        }
        if (rc) {
            progress_end(&pg);
            xlmem_lib_err(rc, "cannot read %s", xlmem_dom(domid));
            goto out;
        }
        actual = info.actual_kb;
        videoram = info.videoram_kb;
        dying = info.dying;
        mempolicy_dominfo_dispose(&info);
        if (dying) {
            progress_end(&pg);
            xlmem_err("%s is dying", xlmem_dom(domid));
            goto out;
        }
        if (!pg.shown)
            pg.start_kb = actual;
        if (pg.shown && actual != last_actual)
            moved_ms = now_ms();
        last_actual = actual;
        reached = mempolicy_target_cmp(target, videoram, actual) == 0;
        progress_show(&pg, actual, target, reached);

        if (reached) {
            progress_end(&pg);
            printf("%s: reached target %llu MiB\n", xlmem_dom(domid),
                   xlmem_mib(target));
            ret = XLMEM_EXIT_OK;
            goto out;
        }
        now = now_ms();
        if (now >= deadline) {
            char why[512];

            progress_end(&pg);
            timeout_reason(
                domid, target, secs,
                (unsigned long)((double)(now - moved_ms) * speed / 1000.0 +
                                0.5),
                why, sizeof(why));
            xlmem_err("%s did not reach its target within %lu s: "
                      "actual %llu MiB, target %llu MiB: %s",
                      xlmem_dom(domid), secs, xlmem_mib(actual),
                      xlmem_mib(target), why);
            ret = XLMEM_EXIT_TIMEOUT;
            goto out;
        }

        /* Sleep until the next tick, the deadline, or an event about
         * this domain; other domains' events cost no re-read. */
        wake = deadline < now + tick ? deadline : now + tick;
        for (;;) {
            int r;

            ev = NULL;
            rc = mempolicy_event_wait(ctx, &ev, (int)(wake - now));
            if (rc && rc != MEMPOLICY_ERROR_NOT_READY) {
                progress_end(&pg);
                xlmem_lib_err(rc, "cannot follow %s", xlmem_dom(domid));
                goto out;
            }
            r = rc ? 0 : take_events(ctx, domid, &target, ev);
            if (r & EV_DIED) {
                progress_end(&pg);
                xlmem_err("%s died while waiting", xlmem_dom(domid));
                goto out;
            }
            now = now_ms();
            if ((r & EV_MINE) || now >= wake)
                break;
        }
    }

out:
    if (eg_death)
        mempolicy_evdisable(ctx, eg_death);
    if (eg_target)
        mempolicy_evdisable(ctx, eg_target);
    return ret;
}

static int parse_seconds(const char *s, unsigned long *secs)
{
    char *end;

    errno = 0;
    if (*s < '0' || *s > '9') {
        xlmem_err("invalid --wait time '%s': not a number of seconds",
                  XQ(s));
        return -1;
    }
    *secs = strtoul(s, &end, 10);
    if (*end || errno || *secs == 0 || *secs > WAIT_MAX_S) {
        xlmem_err("invalid --wait time '%s': give whole seconds from 1 "
                  "to %d", XQ(s), WAIT_MAX_S);
        return -1;
    }
    return 0;
}

/*
 * A target no guest can run in: below XLMEM_MIN_TARGET_KB (16 MiB) a
 * kernel has no room left (the Linux balloon driver's own floor,
 * minimum_target() in the classic drivers/xen/balloon.c, is 16 MiB at
 * its smallest), so "mem-set guest4 4096b" is almost surely a typo.  It
 * is refused unless forced (-f, --force).  1 after saying so.
 */
int xlmem_target_too_small(uint32_t domid, int64_t kb, bool relative)
{
    uint64_t cur = 0;
    int64_t result = kb;
    int rc;

    if (relative) {
        rc = mempolicy_domain_get_target(xlmem_ctx(), domid, &cur, NULL);
        if (rc)
            return xlmem_lib_err(rc, "cannot read the target of %s",
                                 xlmem_dom(domid));
        /* An overflow here is the library's to report (RANGE). */
        if (__builtin_add_overflow((int64_t)cur, kb, &result))
            return 0;
    }
    if (result <= 0 || result >= XLMEM_MIN_TARGET_KB)
        return 0; /* the library refuses <= 0 with its own words */
    xlmem_err("a target of %lld KiB is below %d MiB, too small for any "
              "guest to run in (use --force to set it anyway)",
              (long long)result, XLMEM_MIN_TARGET_KB / 1024);
    return 1;
}

int main_mem_set(int argc, char **argv)
{
    /*
     * The wait time, unambiguously (docs/xlmem.md): -w takes a value
     * (-w 30, -w30); --wait takes one only attached (--wait=30), bare it
     * means 60 s.  So "-w 3 400" waits 3 s and then misses its size, and
     * "--wait 3 400" -- which getopt reads as domain 3 -- is refused as
     * ambiguous rather than guessed (write --wait=3, or --wait -- 3).
     */
    static const struct option opts[] = {
        { "wait", optional_argument, NULL, 'W' },
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    unsigned long secs = 0;
    uint32_t domid;
    int64_t kb;
    bool relative, force = false;
    int opt, rc, bare_wait_next = -1;

    while ((opt = xlmem_getopt(argc, argv, "w:f", opts, 2, 2)) != -1) {
        if (opt == 'w' || opt == 'W') {
            secs = WAIT_DEFAULT_S;
            if (optarg && parse_seconds(optarg, &secs))
                return XLMEM_EXIT_USAGE;
            bare_wait_next = opt == 'W' && !optarg ? optind : -1;
        } else if (opt == 'f') {
            force = true;
        }
    }
    if (bare_wait_next == optind &&
        !argv[optind][strspn(argv[optind], "0123456789")]) {
        xlmem_err("ambiguous '--wait %s': write --wait=%s to wait %s s, or "
                  "--wait -- %s for domain %s", XQ(argv[optind]),
                  XQ(argv[optind]), XQ(argv[optind]), XQ(argv[optind]),
                  XQ(argv[optind]));
        return XLMEM_EXIT_USAGE;
    }
    if (xlmem_parse_size_kb(argv[optind + 1], true, &kb, &relative))
        return XLMEM_EXIT_FAIL;
    domid = xlmem_find_domain(argv[optind]);
    if (!force && xlmem_target_too_small(domid, kb, relative))
        return XLMEM_EXIT_FAIL;

    rc = mempolicy_domain_set_target(xlmem_ctx(), domid, kb, relative, true);
    if (rc)
        return xlmem_write_err(rc, domid, "set the memory target");

    return secs ? wait_for_target(domid, secs) : XLMEM_EXIT_OK;
}
