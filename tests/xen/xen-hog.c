/*
 * xen-hog: a guest's working set that grows into the memory it is given,
 * for check-xen's balance check (tests/xen/balance.sh).  Runs in a domU.
 *
 *   xen-hog MIB
 *
 * Takes MIB MiB of anonymous memory, in steps of 8 MiB, each touched at
 * once (so it is used memory as the guest's /proc/meminfo counts it, not
 * cache), taking a step only while MemAvailable stays above 48 MiB: like
 * a real workload it grows as fast as the guest gets memory, and the
 * guest's OOM killer never has to step in while the balancer is still
 * moving memory to it.  Between two looks at /proc/meminfo it waits
 * 200 ms (MemAvailable has no change notification).  Prints "held N MiB"
 * on stdout once it holds it all, then holds it until it is killed
 * (SIGTERM), which gives it all back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define STEP_MIB 8
#define KEEP_AVAIL_KB (48 * 1024)

/* MemAvailable in kB, or -1 */
static long long mem_available(void)
{
    char line[128];
    long long kb = -1;
    FILE *f = fopen("/proc/meminfo", "r");

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    const struct timespec nap = { 0, 200 * 1000 * 1000 };
    long mib, held = 0;
    char *end;

    if (argc != 2 || (mib = strtol(argv[1], &end, 10)) <= 0 || *end ||
        mib > 65536) {
        fprintf(stderr, "usage: xen-hog MIB (1..65536)\n");
        return 2;
    }
    while (held < mib) {
        long step = mib - held < STEP_MIB ? mib - held : STEP_MIB;
        long long avail = mem_available();
        char *p;

        if (avail >= 0 && avail < KEEP_AVAIL_KB + step * 1024) {
            nanosleep(&nap, NULL);
            continue;
        }
        p = mmap(NULL, (size_t)step << 20, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            fprintf(stderr, "xen-hog: mmap: %s\n", strerror(errno));
            return 1;
        }
        memset(p, 0x5a, (size_t)step << 20);
        held += step;
    }
    printf("held %ld MiB\n", held);
    fflush(stdout);
    for (;;)
        pause();
}
