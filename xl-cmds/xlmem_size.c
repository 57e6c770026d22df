/*
 * xlmem_size.c: memory sizes on the command line, as xl reads them.
 *
 * xl's parse_mem_size_kb: decimal digits, MiB when there is no suffix,
 * suffixes b k m g t in any case, bytes rounded down to KiB.  It is lax
 * where this is strict: xl takes "", "-" and "+" as 0, ignores a sign it
 * was not asked for and wraps on overflow; here each of those is an
 * error naming the problem.  Kept apart from the rest so that the unit
 * test (tests/xlmem/test_size.c) links it alone.
 */
#include <ctype.h>
#include <stdint.h>

#include "xlmem.h"

int xlmem_parse_size_kb(const char *s, bool allow_sign, int64_t *kb,
                        bool *relative)
{
    const char *p = s;
    uint64_t v = 0;
    bool neg = false;
    int shift = 10; /* MiB when no suffix */

    *relative = false;
    if (!*s) {
        xlmem_err("invalid memory size '': empty");
        return -1;
    }
    if (*p == '+' || *p == '-') {
        if (!allow_sign) {
            xlmem_err("invalid memory size '%s': a relative size is not "
                      "allowed here", XQ(s));
            return -1;
        }
        neg = *p == '-';
        *relative = true;
        p++;
    }
    if (!isdigit((unsigned char)*p)) {
        xlmem_err("invalid memory size '%s': no digits", XQ(s));
        return -1;
    }
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (UINT64_MAX - d) / 10) {
            xlmem_err("invalid memory size '%s': too large", XQ(s));
            return -1;
        }
        v = v * 10 + d;
    }
    if (*p) {
        if (p[1]) {
            xlmem_err("invalid memory size '%s': trailing characters "
                      "'%s'", XQ(s), XQ(p));
            return -1;
        }
        switch (tolower((unsigned char)*p)) {
        case 'b': shift = -10; break;
        case 'k': shift = 0; break;
        case 'm': shift = 10; break;
        case 'g': shift = 20; break;
        case 't': shift = 30; break;
        default:
            xlmem_err("invalid memory size '%s': unknown suffix '%s' "
                      "(use b, k, m, g or t)", XQ(s), XQ(p));
            return -1;
        }
    }
    if (shift < 0) {
        v >>= -shift;
    } else {
        if (v > ((uint64_t)INT64_MAX >> shift)) {
            xlmem_err("invalid memory size '%s': too large", XQ(s));
            return -1;
        }
        v <<= shift;
    }
    if (v > (uint64_t)INT64_MAX) {
        xlmem_err("invalid memory size '%s': too large", XQ(s));
        return -1;
    }
    *kb = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}
