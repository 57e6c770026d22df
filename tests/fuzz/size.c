/*
 * size.c: fuzzes the one memory-size grammar (libmempolicy/src/size.c,
 * mempolicy_parse_size_kb) through its two doors: xlmem's
 * (xl-cmds/xlmem_size.c, what mem-set and mem-max take on the command
 * line) and the actor kit's size params (mempolicy_actor_param_size_kb,
 * what actors read from their params).
 *
 * Input: one flag byte (bit 0: a relative size is allowed), then the
 * size text (cut at the first NUL).  Besides the sanitizers, it checks
 * what the parser promises: a refusal reports exactly one error, a
 * reason within its buffer, and leaves the outputs alone; an accepted
 * size is never negative unless it was "-..." with a sign allowed; and
 * the params door agrees with the command line wherever the text can be
 * a param value (no comma, no control character).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmempolicy.h"
#include "libmempolicy_actor.h"
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

    /* The grammar itself: a reason that fits, outputs untouched. */
    {
        char why[16];
        int64_t k2 = 777;
        bool r2 = false;
        int prc = mempolicy_parse_size_kb(s, sign ? MEMPOLICY_SIZE_SIGNED : 0,
                                          &k2, &r2, why, sizeof(why));

        if ((prc != 0) != (rc != 0) || (prc && k2 != 777) ||
            (!prc && (k2 != kb || r2 != rel)) || (prc && !memchr(why, 0, 16)))
            abort();
    }

    /* As a param value, "v=<s>", where the params grammar allows it. */
    if (strlen(s) < 512 && !strpbrk(s, ",=")) {
        char kv[520], err[256];

        snprintf(kv, sizeof(kv), "v=%s", s);
        if (mempolicy_params_valid(kv) == 0) {
            lrc = mempolicy_actor_param_size_kb(kv, "v", 54321, &ukb, err,
                                                sizeof(err));
            if (lrc && ukb != 54321)
                abort();
            if (!lrc && rel)
                abort(); /* params take no sign */
            if (!lrc && !rc && ukb != (uint64_t)kb)
                abort();
            if (!lrc && rc)
                abort(); /* accepted here, refused on the command line */
        }
    }
    free(s);
    return 0;
}
