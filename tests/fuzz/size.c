/*
 * size.c: fuzzes the memory-size parsers, xlmem's (xl-cmds/xlmem_size.c,
 * what mem-set and mem-max take on the command line) and the actor kit's
 * (mp_actor_parse_size_kb, what actors read from their params).
 *
 * Input: one flag byte (bit 0: a relative size is allowed), then the
 * size text (cut at the first NUL).  Besides the sanitizers, it checks
 * what the parsers promise: a refusal reports exactly one error and
 * leaves the outputs alone, an accepted size is never negative unless it was
 * "-..." with a sign allowed, and the two parsers agree wherever both
 * accept the same unsigned text and the value fits xlmem's range.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor_internal.h"
#include "xlmem.h"

static unsigned nerr;

/*
 * xlmem's error sink, replaced: count the reports.  (Escaping what they
 * quote is the real sink's job, xl-cmds/xlmem_util.c, not the parser's.)
 */
void xlmem_err(const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(buf, sizeof(buf), fmt, ap) < 0)
        abort();
    va_end(ap);
    nerr++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool sign, rel = true;
    int64_t kb = 12345;
    uint64_t ukb = 54321;
    char *s;
    int rc, lrc;

    if (size < 1 || size > 4096)
        return -1;
    sign = data[0] & 1;
    s = strndup((const char *)data + 1, size - 1);
    if (!s)
        abort();
    nerr = 0;
    rc = xlmem_parse_size_kb(s, sign, &kb, &rel);
    if (rc) {
        /* One line, nothing returned. */
        if (rc != -1 || nerr != 1 || kb != 12345)
            abort();
    } else {
        if (nerr)
            abort();
        if (rel != (s[0] == '+' || s[0] == '-'))
            abort();
        if (rel && !sign)
            abort();
        if (kb < 0 && s[0] != '-')
            abort();
    }

    lrc = mp_actor_parse_size_kb(s, &ukb);
    if (lrc && ukb != 54321)
        abort();
    if (!rc && !lrc && !rel && ukb != (uint64_t)kb)
        abort();
    if (!lrc && !rc && rel)
        abort(); /* the kit takes no sign */
    free(s);
    return 0;
}
