/*
 * meminfo.c: a guest's own memory reports (memory/meminfo as Qubes'
 * meminfo-writer writes it, memory/pressure as the guest agent writes
 * it), parsed as the untrusted input they are: one parser for every
 * reader (see libmempolicy.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

#define REPORT_MAX 20 /* digits of a sane used-memory report */

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return MEMPOLICY_ERROR_INVAL;
}

int mempolicy_meminfo_parse(const char *v, size_t len, uint64_t *kb,
                            const char **why)
{
    uint64_t n = 0;
    size_t i;

    if (!v || !len)
        return fail(why, "empty report");
    if (len > REPORT_MAX)
        return fail(why, "report too long");
    for (i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return fail(why, "report is not a number");
        if (n > (UINT64_MAX - 9) / 10)
            return fail(why, "report out of range");
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    if (kb)
        *kb = n;
    return 0;
}

int mempolicy_pressure_parse(const char *v, size_t len, unsigned *x100,
                             const char **why)
{
    static const char form[] = "pressure not of the form 12.34";
    unsigned n = 0, frac = 0, fdigits = 0;
    bool dot = false;
    size_t i;

    if (!v || !len || len > 6)
        return fail(why, form);
    for (i = 0; i < len; i++) {
        if (v[i] == '.' && !dot && i > 0) {
            dot = true;
            continue;
        }
        if (v[i] < '0' || v[i] > '9' || (dot && fdigits == 2))
            return fail(why, form);
        if (dot) {
            frac = frac * 10 + (unsigned)(v[i] - '0');
            fdigits++;
        } else {
            n = n * 10 + (unsigned)(v[i] - '0');
        }
    }
    if (dot && !fdigits)
        return fail(why, form);
    if (fdigits == 1)
        frac *= 10;
    if (n > 100 || (n == 100 && frac))
        return fail(why, "pressure above 100%");
    if (x100)
        *x100 = n * 100 + frac;
    return 0;
}
