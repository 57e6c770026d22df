/*
 * actor_probe.c: the test and benchmark driver for the actors.
 *
 * Shell tests and the benchmark need a few things no shipped tool does
 * in one step: talk to xensim's hv channel (create or destroy a domain,
 * change a guest's balloon), read a domain's hypervisor state, set
 * policies and targets through the library as an administrator would,
 * and above all wait for many balloon targets at once and time how long
 * each took, on xenstore watches (never by sleeping or polling).
 *
 *   actor-probe hv VERB [ARGS...]          one hv-channel request
 *   actor-probe wait-exit PID TIMEOUT_MS   until process PID has ended
 *       (any process: a pidfd becomes readable when it ends; one already
 *       gone has ended)
 *   actor-probe info DOMID                 key=value hypervisor state
 *   actor-probe policy FIRST LAST ACTOR PARAMS
 *   actor-probe target DOMID KB [ENFORCE]  (enforce default 1)
 *   actor-probe maxmem DOMID KB            mempolicy_domain_set_maxmem
 *   actor-probe burst FIRST LAST KB TIMEOUT_MS
 *       set every target in FIRST..LAST at once, wait until every
 *       memory/target shows it; prints n, p50, p99, max (ms)
 *   actor-probe set FIRST LAST KB          set targets, do not wait
 *   actor-probe converge FIRST LAST KB TIMEOUT_MS
 *       wait until every memory/target in FIRST..LAST shows KB
 *   actor-probe seq FIRST LAST KB SAMPLES TIMEOUT_MS
 *       one change at a time over SAMPLES domains of the range, each
 *       waited for; prints n, p50, p99, max (ms)
 *
 * Exit status 0 on success, 1 on failure or timeout (with a message).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include <libmempolicy.h>

#include "hvclient.h"

static xentoollog_logger *lg;
static mempolicy_ctx *ctx;

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static int die(const char *fmt, const char *arg)
{
    fprintf(stderr, "actor-probe: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return 1;
}

static int lib_fail(const char *what, int rc)
{
    fprintf(stderr, "actor-probe: %s: %s: %s\n", what,
            mempolicy_strerror(rc), mempolicy_last_error(ctx));
    return 1;
}

static int cmd_hv(int argc, char **argv)
{
    struct xs_handle *xs = xs_open(0);
    char line[4200] = "", *path, *reply;
    int i, rc;

    if (!xs)
        return die("cannot open xenstore%s", "");
    path = hvc_path(xs);
    xs_close(xs);
    if (!path)
        return die("no hv channel in /tool/xensim/hv-socket%s", "");
    for (i = 0; i < argc; i++) {
        strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
        if (i + 1 < argc)
            strcat(line, " ");
    }
    reply = hvc_request(path, line);
    free(path);
    if (!reply)
        return die("no reply from the hv channel%s", "");
    puts(reply);
    rc = strncmp(reply, "ok", 2) ? 1 : 0;
    free(reply);
    return rc;
}

static int cmd_wait_exit(const char *pid_s, const char *ms_s)
{
    char *pend, *mend;
    long pid = strtol(pid_s, &pend, 10);
    long ms = strtol(ms_s, &mend, 10);
    struct pollfd p = { .events = POLLIN };
    int n;

    if (*pend || *mend || pid <= 0 || ms < 0 || ms > INT32_MAX)
        return die("wait-exit: expected PID TIMEOUT_MS, got pid %s", pid_s);
    p.fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    if (p.fd < 0)
        return errno == ESRCH ? 0 : die("pidfd_open: %s", strerror(errno));
    do
        n = poll(&p, 1, (int)ms);
    while (n < 0 && errno == EINTR);
    close(p.fd);
    if (n <= 0)
        return die("process %s has not ended", pid_s);
    return 0;
}

static int cmd_info(uint32_t domid)
{
    mempolicy_dominfo i;
    int rc = mempolicy_domain_info(ctx, domid, &i);

    if (rc)
        return lib_fail("domain info", rc);
    printf("type=%s hap=%d actual=%" PRIu64 " paged=%" PRIu64 " paging=%d "
           "ptarget=%" PRIu64 " btarget=%" PRIu64 " static_max=%" PRIu64
           " maxmem=%" PRIu64 "\n",
           i.type == MEMPOLICY_DOMAIN_TYPE_HVM ? "hvm" : "pv", i.hap,
           i.actual_kb, i.paged_kb, i.paging, i.paging_target_kb,
           i.balloon_target_kb, i.static_max_kb, i.maxmem_kb);
    mempolicy_dominfo_dispose(&i);
    return 0;
}

/* ---- waiting for many memory/target values ----------------------------- */

struct waiter {
    struct xs_handle *xs;
    uint32_t first, n;
    uint64_t want_kb;
    uint64_t *t_set;     /* us; 0: not set yet */
    uint64_t *lat;       /* us; 0: not seen yet */
    uint32_t seen;
};

static int waiter_open(struct waiter *w, uint32_t first, uint32_t last)
{
    char path[64], token[16];
    uint32_t i;

    memset(w, 0, sizeof(*w));
    w->first = first;
    w->n = last - first + 1;
    w->xs = xs_open(0);
    w->t_set = calloc(w->n, sizeof(*w->t_set));
    w->lat = calloc(w->n, sizeof(*w->lat));
    if (!w->xs || !w->t_set || !w->lat)
        return die("cannot set up the watches%s", "");
    for (i = 0; i < w->n; i++) {
        snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
                 first + i);
        snprintf(token, sizeof(token), "%u", first + i);
        if (!xs_watch(w->xs, path, token))
            return die("xs_watch %s failed", path);
    }
    return 0;
}

static void waiter_close(struct waiter *w)
{
    if (w->xs)
        xs_close(w->xs);
    free(w->t_set);
    free(w->lat);
}

/* Handle every queued watch event; record first sightings of want_kb. */
static void waiter_drain(struct waiter *w)
{
    char **ev;

    while ((ev = xs_check_watch(w->xs))) {
        uint32_t d = (uint32_t)strtoul(ev[XS_WATCH_TOKEN], NULL, 10);
        uint32_t i = d - w->first;
        unsigned len;
        char *v;

        if (i < w->n && w->t_set[i] && !w->lat[i]) {
            v = xs_read(w->xs, XBT_NULL, ev[XS_WATCH_PATH], &len);
            if (v && strtoull(v, NULL, 10) == w->want_kb) {
                w->lat[i] = now_us() - w->t_set[i];
                if (!w->lat[i])
                    w->lat[i] = 1;
                w->seen++;
            }
            free(v);
        }
        free(ev);
    }
}

/* Wait until `count` sightings or the deadline; 0 or -1. */
static int waiter_wait(struct waiter *w, uint32_t count, uint64_t deadline)
{
    struct pollfd pf = { .fd = xs_fileno(w->xs), .events = POLLIN };

    waiter_drain(w);
    while (w->seen < count) {
        uint64_t now = now_us();
        int r;

        if (now >= deadline)
            return -1;
        r = poll(&pf, 1, (int)((deadline - now) / 1000) + 1);
        if (r < 0 && errno != EINTR)
            return -1;
        waiter_drain(w);
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void report(const uint64_t *lat, uint32_t n)
{
    uint64_t *s = malloc(n * sizeof(*s));
    uint32_t i, k = 0;

    for (i = 0; i < n; i++)
        if (lat[i])
            s[k++] = lat[i];
    qsort(s, k, sizeof(*s), cmp_u64);
    if (k)
        printf("n=%u p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", k,
               (double)s[k / 2] / 1000.0,
               (double)s[(k * 99) / 100 < k ? (k * 99) / 100 : k - 1] /
                   1000.0,
               (double)s[k - 1] / 1000.0);
    free(s);
}

static int cmd_burst(uint32_t first, uint32_t last, uint64_t kb,
                     uint64_t timeout_ms)
{
    struct waiter w;
    uint32_t i;
    int rc = 1;

    if (waiter_open(&w, first, last))
        goto out;
    w.want_kb = kb;
    for (i = 0; i < w.n; i++) {
        int r;

        w.t_set[i] = now_us();
        r = mempolicy_domain_set_target(ctx, first + i, (int64_t)kb, false,
                                        true);
        if (r) {
            rc = lib_fail("set target", r);
            goto out;
        }
        waiter_drain(&w);
    }
    if (waiter_wait(&w, w.n, now_us() + timeout_ms * 1000)) {
        fprintf(stderr, "actor-probe: timeout: %u of %u balloon targets "
                "reached %" PRIu64 " KiB\n", w.seen, w.n, kb);
        goto out;
    }
    report(w.lat, w.n);
    rc = 0;
out:
    waiter_close(&w);
    return rc;
}

static int cmd_set(uint32_t first, uint32_t last, uint64_t kb)
{
    uint32_t d;

    for (d = first; d <= last; d++) {
        int rc = mempolicy_domain_set_target(ctx, d, (int64_t)kb, false,
                                             true);

        if (rc)
            return lib_fail("set target", rc);
    }
    return 0;
}

static int cmd_converge(uint32_t first, uint32_t last, uint64_t kb,
                        uint64_t timeout_ms)
{
    struct waiter w;
    uint32_t i;
    int rc = 1;

    if (waiter_open(&w, first, last))
        goto out;
    w.want_kb = kb;
    /* The initial event of each watch reports the current value. */
    for (i = 0; i < w.n; i++)
        w.t_set[i] = now_us();
    if (waiter_wait(&w, w.n, now_us() + timeout_ms * 1000)) {
        fprintf(stderr, "actor-probe: timeout: %u of %u balloon targets "
                "at %" PRIu64 " KiB\n", w.seen, w.n, kb);
        goto out;
    }
    rc = 0;
out:
    waiter_close(&w);
    return rc;
}

static int cmd_seq(uint32_t first, uint32_t last, uint64_t kb,
                   uint32_t samples, uint64_t timeout_ms)
{
    struct waiter w;
    uint32_t k, step;
    int rc = 1;

    if (waiter_open(&w, first, last))
        goto out;
    w.want_kb = kb;
    if (samples > w.n)
        samples = w.n;
    step = samples ? w.n / samples : 1;
    for (k = 0; k < samples; k++) {
        uint32_t i = k * step;
        int r;

        w.t_set[i] = now_us();
        r = mempolicy_domain_set_target(ctx, first + i, (int64_t)kb, false,
                                        true);
        if (r) {
            rc = lib_fail("set target", r);
            goto out;
        }
        if (waiter_wait(&w, k + 1, now_us() + timeout_ms * 1000)) {
            fprintf(stderr, "actor-probe: timeout waiting for domain %u\n",
                    first + i);
            goto out;
        }
    }
    report(w.lat, w.n);
    rc = 0;
out:
    waiter_close(&w);
    return rc;
}

static int cmd_policy(uint32_t first, uint32_t last, const char *actor,
                      const char *params)
{
    uint32_t d;

    for (d = first; d <= last; d++) {
        int rc = mempolicy_domain_set_policy(ctx, d, actor, params);

        if (rc)
            return lib_fail("set policy", rc);
    }
    return 0;
}

static uint64_t num(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);

    if (*end) {
        fprintf(stderr, "actor-probe: not a number: %s\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    int rc = 2;

    if (!strcmp(cmd, "hv") && argc > 2)
        return cmd_hv(argc - 2, argv + 2);
    if (!strcmp(cmd, "wait-exit") && argc == 4)
        return cmd_wait_exit(argv[2], argv[3]);

    lg = (xentoollog_logger *)xtl_createlogger_stdiostream(stderr, XTL_ERROR,
                                                           0);
    if (mempolicy_ctx_alloc(&ctx, 0, lg)) {
        fprintf(stderr, "actor-probe: cannot connect to the store\n");
        return 1;
    }
    if (!strcmp(cmd, "info") && argc == 3)
        rc = cmd_info((uint32_t)num(argv[2]));
    else if (!strcmp(cmd, "policy") && argc == 6)
        rc = cmd_policy((uint32_t)num(argv[2]), (uint32_t)num(argv[3]),
                        argv[4], argv[5]);
    else if (!strcmp(cmd, "target") && (argc == 4 || argc == 5)) {
        rc = mempolicy_domain_set_target(ctx, (uint32_t)num(argv[2]),
                                         (int64_t)num(argv[3]), false,
                                         argc == 5 ? num(argv[4]) != 0
                                                   : true);
        rc = rc ? lib_fail("set target", rc) : 0;
    } else if (!strcmp(cmd, "maxmem") && argc == 4) {
        rc = mempolicy_domain_set_maxmem(ctx, (uint32_t)num(argv[2]),
                                         num(argv[3]));
        rc = rc ? lib_fail("set maxmem", rc) : 0;
    } else if (!strcmp(cmd, "burst") && argc == 6)
        rc = cmd_burst((uint32_t)num(argv[2]), (uint32_t)num(argv[3]),
                       num(argv[4]), num(argv[5]));
    else if (!strcmp(cmd, "set") && argc == 5)
        rc = cmd_set((uint32_t)num(argv[2]), (uint32_t)num(argv[3]),
                     num(argv[4]));
    else if (!strcmp(cmd, "converge") && argc == 6)
        rc = cmd_converge((uint32_t)num(argv[2]), (uint32_t)num(argv[3]),
                          num(argv[4]), num(argv[5]));
    else if (!strcmp(cmd, "seq") && argc == 7)
        rc = cmd_seq((uint32_t)num(argv[2]), (uint32_t)num(argv[3]),
                     num(argv[4]), (uint32_t)num(argv[5]), num(argv[6]));
    else
        fprintf(stderr, "usage: see the comment at the top of "
                "tests/actors/actor_probe.c\n");
    mempolicy_ctx_free(ctx);
    xtl_logger_destroy(lg);
    return rc;
}
