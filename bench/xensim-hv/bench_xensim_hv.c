/*
 * bench_xensim_hv.c: how xensim's simulated host scales with domains.
 *
 *   bench-xensim-hv [N...]        (default 1 1000 10000)
 *
 * For each N: time from exec to "ready" with --domains N; CPU used over
 * 3 s with nothing moving, from 1 s after ready (must be 0: nothing
 * ticks when idle); then CPU
 * used over 3 s while all N balloon drivers move at once (every guest set
 * to the slow balloon, 8 MiB/s, and its target lowered by 256 MiB, so
 * they all move for 32 simulated seconds at --speed 1), which is the cost
 * of the tick (10 per simulated second) per moving domain.  The sleeps
 * measure over a window of time; nothing synchronises on them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "xensim_fixture.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut, st;
    FILE *f;
    int i;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f || !fgets(buf, sizeof(buf), f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    p = strrchr(buf, ')');
    for (i = 0; p && i < 12; i++)
        p = strchr(p + 1, ' ');
    if (!p || sscanf(p + 1, "%lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Send every line of req, read as many reply lines; returns errors. */
static int hv_batch(const char *path, const char *req, unsigned lines)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t len = strlen(req), off = 0;
    unsigned got = 0, errs = 0;
    char buf[65536];
    int fd;

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
        return -1;
    while (off < len) {
        ssize_t n = write(fd, req + off, len - off);

        if (n <= 0)
            return -1;
        off += (size_t)n;
        /* Drain replies as we go so neither side blocks. */
        while (got < lines) {
            struct timeval tv = { 0, 0 };
            fd_set rs;
            ssize_t r;
            ssize_t i;

            FD_ZERO(&rs);
            FD_SET(fd, &rs);
            if (select(fd + 1, &rs, NULL, NULL, off < len ? &tv : NULL) <= 0)
                break;
            r = read(fd, buf, sizeof(buf));
            if (r <= 0)
                return -1;
            for (i = 0; i < r; i++)
                got += buf[i] == '\n';
            errs += strstr(buf, "err ") != NULL;
        }
    }
    close(fd);
    return (int)errs;
}

static void run(unsigned n)
{
    struct xensim_fixture f;
    char arg[16], hv[128], *req;
    const char *args[] = { "--domains", arg, NULL };
    struct xs_handle *xs;
    double t0, t1, c0, c1;
    size_t cap = (size_t)n * 48 + 16, len = 0;
    unsigned i;

    snprintf(arg, sizeof(arg), "%u", n);
    t0 = now_s();
    if (xensim_start(&f, args))
        exit(1);
    t1 = now_s();
    printf("%6u domains: ready in %6.0f ms", n, (t1 - t0) * 1000);
    fflush(stdout);
    /* Start-up's own watch events are delivered after "ready". */
    sleep(1);
    c0 = cpu_s(f.pid);
    sleep(3);
    c1 = cpu_s(f.pid);
    printf(", idle %5.1f%% CPU", (c1 - c0) / 3 * 100);
    fflush(stdout);

    req = malloc(cap);
    for (i = 1; i <= n; i++)
        len += (size_t)snprintf(req + len, cap - len,
                                "guest_set %u balloon=slow\n", i);
    snprintf(hv, sizeof(hv), "%s.hv", f.socket);
    if (hv_batch(hv, req, n))
        printf(" (guest_set failed)");
    free(req);
    xs = xensim_open(&f);
    t0 = now_s();
    for (i = 1; i <= n; i++) {
        char path[64];

        snprintf(path, sizeof(path), "/local/domain/%u/memory/target", i);
        xs_write(xs, XBT_NULL, path, "262144", 6);
    }
    t1 = now_s();
    c0 = cpu_s(f.pid);
    sleep(3);
    c1 = cpu_s(f.pid);
    printf(", %u targets written in %.0f ms, %u balloons moving "
           "%5.1f%% CPU\n", n, (t1 - t0) * 1000, n, (c1 - c0) / 3 * 100);
    xs_close(xs);
    xensim_stop(&f);
}

int main(int argc, char **argv)
{
    static const unsigned def[] = { 1, 1000, 10000 };
    int i;

    xensim_raise_fd_limit();
    if (argc > 1)
        for (i = 1; i < argc; i++)
            run((unsigned)strtoul(argv[i], NULL, 10));
    else
        for (i = 0; i < 3; i++)
            run(def[i]);
    return 0;
}
