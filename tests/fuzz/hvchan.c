/*
 * hvchan.c: fuzzes the hypervisor channel's requests
 * (tools/xensim/hvchan.c: splitting a line into fields, every verb's
 * arguments) against an in-process hypervisor model, store and guests,
 * as a dom0 client of "<socket>.hv" reaches them.
 *
 * Input: request lines separated by '\n' (a NUL ends a line early, as
 * the channel refuses such lines before parsing).  A line "@w PATH
 * VALUE" is not sent to the channel but written to the store as dom0
 * (memory/target, control/shutdown...), so that the guests and pagers
 * the model runs on store watches react between requests.  After every
 * line, one turn of the loop delivers the watch events it caused.
 *
 * Each input gets a fresh loop, store and host (16 GiB, dom0 1 GiB,
 * paging and sharing built in) with two guests: domain 1, PV, and
 * domain 2, HVM with HAP.  The simulated clock (simclock.h) starts
 * paused, so time moves only when the input says `clock step MS`: the
 * guests' balloons, pagers and copy-on-write writers then run their
 * ticks, and the outcome depends on the input alone.  Hence two lines are
 * not passed on: `clock resume` (real time would count again), and a
 * step beyond STEP_BUDGET_MS of simulated time in all (an hour's step is
 * 36,000 ticks; the budget keeps one input within milliseconds).
 * Checked besides the sanitizers: every reply is
 * one line starting "ok" or "err ", and at the end the host's accounting
 * (hv_check, the channel's `check`) and the store's invariants
 * (store_check) hold.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "hvchan.h"
#include "loop.h"
#include "simclock.h"
#include "store.h"
#include "store_int.h"

#define FUZZ_MAX_INPUT (16 * 1024)
#define STEP_BUDGET_MS 300000u

static void stop(struct loop *l, struct loop_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    loop_stop(l);
}

/*
 * Fire what is due now (the store's watch deliveries are 0 ms timers
 * queued before this one), then return.
 */
static void one_turn(struct loop *l)
{
    if (!loop_timer_add(l, 0, stop, NULL))
        abort();
    loop_run(l);
}

static void create(struct hv *hv, const char *name, enum hv_type type,
                   unsigned want)
{
    struct hv_domain_config c;
    unsigned domid;
    char err[256];

    hv_domain_config_init(&c);
    snprintf(c.name, sizeof(c.name), "%s", name);
    c.type = type;
    c.memory_kb = 512 * 1024;
    c.maxmem_kb = 1024 * 1024;
    if (hv_domain_create(hv, &c, want, &domid, err, sizeof(err)))
        abort();
    hv_domain_config_dispose(&c);
}

static void store_line(struct store *s, char *line)
{
    char *path = line + 3, *val = strchr(path, ' ');

    if (!val)
        return;
    *val++ = '\0';
    store_write(s, 0, path, val, (unsigned)strlen(val));
}

/* A `clock step MS` the channel would take: within the budget? */
static bool within_budget(const char *line, uint64_t *stepped)
{
    const char *p;
    uint64_t ms = 0;

    if (strncmp(line, "clock step ", 11))
        return true;
    for (p = line + 11; *p >= '0' && *p <= '9'; p++) {
        ms = ms * 10 + (uint64_t)(*p - '0');
        if (ms > STEP_BUDGET_MS)
            return false;
    }
    if (*p || p == line + 11)
        return true; /* refused by the channel anyway */
    if (*stepped + ms > STEP_BUDGET_MS)
        return false;
    *stepped += ms;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hv_config hc = {
        .host_kb = 16ull << 20,
        .dom0_kb = 1ull << 20,
        .paging_feature = true,
        .sharing_feature = true,
        .speed = 1,
        .paging_rate_mib_s = 32,
        .socket_path = "/nonexistent/fuzz-hvchan",
    };
    struct loop *l;
    struct store *s;
    struct hv *hv;
    char *buf, *line, *next, err[256];
    uint64_t stepped = 0;
    int problems;

    if (size > FUZZ_MAX_INPUT)
        return -1;
    buf = malloc(size + 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';

    l = loop_new();
    s = l ? store_new(l) : NULL;
    hv = s ? hv_new(l, s, &hc) : NULL;
    if (!hv || hv_init_dom0(hv))
        abort();
    simclock_pause(hv->clock);
    create(hv, "guest1", HV_PV, 1);
    create(hv, "guest2", HV_HVM, 2);
    one_turn(l);

    for (line = buf; line; line = next) {
        char *r;

        next = memchr(line, '\n', (size_t)(buf + size - line));
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "@w ", 3)) {
            store_line(s, line);
        } else if (!strcmp(line, "clock resume") ||
                   !within_budget(line, &stepped)) {
            /* left out: see above */
        } else {
            r = hvchan_request(hv, line);
            if (!r || strchr(r, '\n') ||
                (strncmp(r, "ok", 2) && strncmp(r, "err ", 4)))
                abort();
            free(r);
        }
        one_turn(l);
    }

    problems = hv_check(hv, err, sizeof(err));
    if (problems)
        fprintf(stderr, "fuzz-hvchan: %s\n", err);
    hv_free(hv);
    problems += store_check(s);
    store_free(s);
    loop_free(l);
    free(buf);
    if (problems)
        abort();
    return 0;
}
