/*
 * size.c: the one grammar for memory sizes (mempolicy_parse_size_kb).
 *
 * xl's parse_mem_size_kb (tools/xl/xl_utils.c) made strict: xlmem's
 * command-line sizes, the actors' size params and memtune values all
 * come here, so a size an administrator types means the same everywhere.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int refuse(int rc, char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(int rc, char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int mempolicy_parse_size_kb(const char *s, unsigned flags, int64_t *kb,
                            bool *relative, char *why, size_t whylen)
{
    const char *p = s;
    uint64_t v = 0;
    bool neg = false, rel = false;
    int shift = 10; /* MiB when no suffix */
    static const char units[] = "bkmgt";
    const char *u;

    if (!s || !*s)
        return refuse(MEMPOLICY_ERROR_INVAL, why, whylen, "empty");
    if (*p == '+' || *p == '-') {
        if (!(flags & MEMPOLICY_SIZE_SIGNED))
            return refuse(MEMPOLICY_ERROR_INVAL, why, whylen,
                          "a relative size is not allowed here");
        neg = *p == '-';
        rel = true;
        p++;
    }
    if (!isdigit((unsigned char)*p))
        return refuse(MEMPOLICY_ERROR_INVAL, why, whylen, "no digits");
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (UINT64_MAX - d) / 10)
            return refuse(MEMPOLICY_ERROR_RANGE, why, whylen, "too large");
        v = v * 10 + d;
    }
    if (*p) {
        if (p[1])
            return refuse(MEMPOLICY_ERROR_INVAL, why, whylen,
                          "trailing characters '%s'", MEMPOLICY_QUOTE(p));
        u = strchr(units, tolower((unsigned char)*p));
        if (!u)
            return refuse(MEMPOLICY_ERROR_INVAL, why, whylen,
                          "unknown suffix '%s' (use b, k, m, g or t)",
                          MEMPOLICY_QUOTE(p));
        /* b: bytes (down to KiB), k: KiB, then 10 bits a step. */
        shift = (int)(u - units) * 10 - 10;
    }
    if (shift < 0)
        v >>= -shift;
    else if (v > ((uint64_t)INT64_MAX >> shift))
        return refuse(MEMPOLICY_ERROR_RANGE, why, whylen, "too large");
    else
        v <<= shift;
    *kb = neg ? -(int64_t)v : (int64_t)v;
    if (relative)
        *relative = rel;
    return 0;
}
