/*
 * meminfo.h: what the guest agent reports, computed as Qubes'
 * meminfo-writer computes it (qubes-linux-utils, qmemman/meminfo-writer.c),
 * so that the agent and Qubes' writer are interchangeable:
 *   used = MemTotal - Buffers - Cached - MemFree + SwapTotal - SwapFree
 * in kB, MemTotal replaced by the balloon driver's current_kb when it is
 * known, reported when it moved by more than the threshold (30000 kB), on
 * the first report, or when it grew by more than half the threshold while
 * above 10/13 of MemTotal.  Pure functions: no file, no store.
 */
#ifndef GUEST_MEMINFO_H
#define GUEST_MEMINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GA_THRESHOLD_KB 30000

struct ga_meminfo {
    long long mem_total, mem_free, buffers, cached, swap_total, swap_free;
    unsigned found; /* bit per field found */
};

/* Parse /proc/meminfo text (bounded by len).  0, or -1 if a field is
 * missing. */
int ga_parse_meminfo(const char *text, size_t len, struct ga_meminfo *m);
/* Used memory, kB; current_kb 0: unknown (MemTotal is used). */
long long ga_used_kb(const struct ga_meminfo *m, long long current_kb);
/* Should `used` be reported after `prev` (0: never reported)? */
bool ga_should_report(long long used, long long prev, long long total,
                      long long threshold);
/*
 * "some avg10=1.23 avg60=..." (/proc/pressure/memory): avg10 in
 * hundredths of a percent.  0, or -1 if absent or malformed.
 */
int ga_parse_psi(const char *text, size_t len, unsigned *x100);
/* Should pressure `v` be reported after `prev` (-1: never)?  A move of
 * 1.00 or more, or a return to 0. */
bool ga_psi_should_report(int v, int prev);

#endif
