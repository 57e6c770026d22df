/*
 * meminfo.c: the guest agent's figures (see meminfo.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meminfo.h"

static const struct {
    const char *key;
    size_t off;
} fields[] = {
    { "MemTotal:", offsetof(struct ga_meminfo, mem_total) },
    { "MemFree:", offsetof(struct ga_meminfo, mem_free) },
    { "Buffers:", offsetof(struct ga_meminfo, buffers) },
    { "Cached:", offsetof(struct ga_meminfo, cached) },
    { "SwapTotal:", offsetof(struct ga_meminfo, swap_total) },
    { "SwapFree:", offsetof(struct ga_meminfo, swap_free) },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

int ga_parse_meminfo(const char *text, size_t len, struct ga_meminfo *m)
{
    const char *p = text, *end = text + len;
    size_t i;

    memset(m, 0, sizeof(*m));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

        for (i = 0; i < NFIELDS; i++) {
            size_t kl = strlen(fields[i].key);
            char num[32];
            size_t j = kl, n = 0;

            if (ll <= kl || memcmp(p, fields[i].key, kl))
                continue;
            while (j < ll && p[j] == ' ')
                j++;
            while (j < ll && p[j] >= '0' && p[j] <= '9' && n < sizeof(num) - 1)
                num[n++] = p[j++];
            num[n] = '\0';
            if (!n)
                continue;
            *(long long *)((char *)m + fields[i].off) = atoll(num);
            m->found |= 1u << i;
        }
        p += ll + 1;
    }
    return m->found == (1u << NFIELDS) - 1 ? 0 : -1;
}

long long ga_used_kb(const struct ga_meminfo *m, long long current_kb)
{
    long long total = current_kb > 0 ? current_kb : m->mem_total;

    return total - m->buffers - m->cached - m->mem_free + m->swap_total -
        m->swap_free;
}

bool ga_should_report(long long used, long long prev, long long total,
                      long long threshold)
{
    long long diff = used > prev ? used - prev : prev - used;

    if (used < 0)
        return false;
    return diff > threshold || prev == 0 ||
        (used > prev && used / 10 > (total + 12) / 13 && diff > threshold / 2);
}

int ga_parse_psi(const char *text, size_t len, unsigned *x100)
{
    const char *p, *end = text + len;
    unsigned n = 0, frac = 0, fd = 0;

    if (len < 12 || strncmp(text, "some avg10=", 11))
        return -1;
    p = text + 11;
    while (p < end && *p >= '0' && *p <= '9' && n <= 100)
        n = n * 10 + (unsigned)(*p++ - '0');
    if (p >= end || *p != '.')
        return -1;
    p++;
    while (p < end && *p >= '0' && *p <= '9' && fd < 2) {
        frac = frac * 10 + (unsigned)(*p++ - '0');
        fd++;
    }
    if (fd != 2 || n > 100)
        return -1;
    *x100 = n * 100 + frac;
    return 0;
}

bool ga_psi_should_report(int v, int prev)
{
    if (prev < 0)
        return true;
    if (v == 0)
        return prev != 0;
    return abs(v - prev) >= 100;
}
