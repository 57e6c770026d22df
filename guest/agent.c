/*
 * agent.c: mempolicy-guest-agent, what runs inside a Linux guest for the
 * balance actor: writes the guest's used memory to memory/meminfo exactly
 * as Qubes' meminfo-writer does (one decimal number, kB, its 30000 kB
 * threshold and its rule for growth near the top; see meminfo.h), and,
 * where the kernel has PSI, the memory pressure ("some avg10" of
 * /proc/pressure/memory, e.g. "1.23") to memory/pressure, written when
 * it moves by 1.00 or returns to 0.
 *
 *   mempolicy-guest-agent [--interval MS] [--threshold KB] [--proc DIR]
 *                         [--sysfs FILE] [--once]
 *
 * It looks every --interval ms (default 100, as meminfo-writer; never
 * less than 100): neither /proc/meminfo nor current_kb can be waited on.
 * Writes are bounded: at most one per node and look, only on a
 * significant change.  The toolstack makes the nodes the guest's (the
 * balance actor does when it takes the domain); until then a write is
 * refused and tried again at the next look, logged once.  The store is
 * libxenstore's (XENSTORED_PATH, else /dev/xen/xenbus in a guest); paths
 * are relative to the guest's own /local/domain/<id>.  --proc and
 * --sysfs (tests) replace /proc and the balloon driver's current_kb
 * file.  Exit: 0 on SIGTERM/SIGINT, 1 if the store cannot be opened, 2
 * on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <xenstore.h>

#include "meminfo.h"

#define SYSFS_CURRENT \
    "/sys/devices/system/xen_memory/xen_memory0/info/current_kb"

static size_t read_file(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = pread(fd, buf, len - 1, 0);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    return (size_t)n;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: mempolicy-guest-agent [--interval MS] "
            "[--threshold KB] [--proc DIR] [--sysfs FILE] [--once]\n");
}

static bool put(struct xs_handle *xs, const char *node, const char *v,
                bool *warned)
{
    if (xs_write(xs, XBT_NULL, node, v, strlen(v))) {
        *warned = false;
        return true;
    }
    if (!*warned)
        fprintf(stderr,
                "mempolicy-guest-agent: cannot write %s (%s); "
                "trying again at each look\n",
                node, strerror(errno));
    *warned = true;
    return false;
}

int main(int argc, char **argv)
{
    const char *proc = "/proc", *sysfs = SYSFS_CURRENT;
    long interval = 100, threshold = GA_THRESHOLD_KB;
    bool once = false, warned_m = false, warned_p = false;
    long long prev = 0;
    int prev_psi = -1, i, sfd;
    char path[512], buf[8192], cur[32], v[32];
    struct xs_handle *xs;
    sigset_t set;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--once")) {
            once = true;
        } else if (i + 1 < argc && !strcmp(argv[i], "--interval")) {
            interval = strtol(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(argv[i], "--threshold")) {
            threshold = strtol(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(argv[i], "--proc")) {
            proc = argv[++i];
        } else if (i + 1 < argc && !strcmp(argv[i], "--sysfs")) {
            sysfs = argv[++i];
        } else {
            usage();
            return 2;
        }
    }
    if (interval < 100 || interval > 3600000 || threshold <= 0 ||
        strlen(proc) > 400) {
        fprintf(stderr,
                "mempolicy-guest-agent: --interval is 100..3600000 "
                "ms, --threshold a positive number of kB\n");
        return 2;
    }
    xs = xs_open(0);
    if (!xs) {
        fprintf(stderr, "mempolicy-guest-agent: cannot open xenstore: %s\n",
                strerror(errno));
        return 1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sfd = signalfd(-1, &set, SFD_CLOEXEC);
    for (;;) {
        struct ga_meminfo m;
        struct pollfd pfd = { .fd = sfd, .events = POLLIN };
        unsigned x100;
        size_t n;
        long long current = 0, used;

        snprintf(path, sizeof(path), "%s/meminfo", proc);
        n = read_file(path, buf, sizeof(buf));
        if (read_file(sysfs, cur, sizeof(cur)))
            current = atoll(cur);
        if (n && !ga_parse_meminfo(buf, n, &m)) {
            used = ga_used_kb(&m, current);
            if (ga_should_report(used, prev, current ? current : m.mem_total,
                                 threshold)) {
                snprintf(v, sizeof(v), "%lld", used);
                if (put(xs, "memory/meminfo", v, &warned_m))
                    prev = used ? used : 1;
            }
        }
        snprintf(path, sizeof(path), "%s/pressure/memory", proc);
        n = read_file(path, buf, sizeof(buf));
        if (n && !ga_parse_psi(buf, n, &x100) &&
            ga_psi_should_report((int)x100, prev_psi)) {
            snprintf(v, sizeof(v), "%u.%02u", x100 / 100, x100 % 100);
            if (put(xs, "memory/pressure", v, &warned_p))
                prev_psi = (int)x100;
        }
        if (once)
            break;
        if (poll(&pfd, 1, (int)interval) > 0)
            break;
    }
    xs_close(xs);
    return 0;
}
