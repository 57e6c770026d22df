/*
 * actor_params.c: typed access to an actor's params string.
 *
 * Every actor reads numbers, booleans and memory sizes out of its
 * key=value params; doing it here once gives every actor the same rules
 * and the same one-line errors.  Sizes are the library's one grammar
 * (mempolicy_parse_size_kb, size.c: xl's, made strict), unsigned here.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor_internal.h"

static void param_error(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void param_error(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!errbuf || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

/*
 * Common front: absent key -> default (rc 1 tells the caller to use it);
 * present -> *val malloc'd.
 */
static int param_lookup(const char *params, const char *key, char **val)
{
    int rc;

    *val = NULL;
    if (!params || !params[0])
        return 1;
    /* The library validated the string when it was stored, so INVAL
     * here means the key is absent. */
    rc = mempolicy_params_get(params, key, val);
    if (rc == MEMPOLICY_ERROR_INVAL) {
        free(*val);
        *val = NULL;
        return 1;
    }
    return rc;
}

int mempolicy_actor_param_size_kb(const char *params, const char *key,
                                  uint64_t def, uint64_t *out,
                                  char *errbuf, size_t errlen)
{
    char *v, why[MEMPOLICY_QUOTE_BUF + 64];
    int64_t kb;
    int rc = param_lookup(params, key, &v);

    if (rc == 1) {
        *out = def;
        return 0;
    }
    if (rc)
        return rc;
    rc = mempolicy_parse_size_kb(v, 0, &kb, NULL, why, sizeof(why));
    if (rc)
        param_error(errbuf, errlen, "%s=%s: not a size: %s",
                    MEMPOLICY_QUOTE(key), MEMPOLICY_QUOTE(v), why);
    else
        *out = (uint64_t)kb;
    free(v);
    return rc ? MEMPOLICY_ERROR_INVAL : 0;
}

int mempolicy_actor_param_seconds_ms(const char *params, const char *key,
                                     uint64_t def_ms, uint64_t *out_ms,
                                     char *errbuf, size_t errlen)
{
    char *v, *end;
    double d;
    int rc = param_lookup(params, key, &v);

    if (rc == 1) {
        *out_ms = def_ms;
        return 0;
    }
    if (rc)
        return rc;
    /* Plain decimal only ("5", "0.25"): strtod would also take hex
     * ("0x10"), exponents and "inf", which no admin means by seconds. */
    end = v + strspn(v, "0123456789");
    if (end > v && *end == '.' && isdigit((unsigned char)end[1]))
        end += 1 + strspn(end + 1, "0123456789");
    errno = 0;
    d = *end || end == v ? -1 : strtod(v, NULL);
    /* A year is far more than any sensible delay and keeps ms in range. */
    if (errno || !isfinite(d) || d < 0 || d > 365.0 * 86400) {
        param_error(errbuf, errlen,
                    "%s=%s: not a number of seconds between 0 and 31536000",
                    MEMPOLICY_QUOTE(key), MEMPOLICY_QUOTE(v));
        free(v);
        return MEMPOLICY_ERROR_INVAL;
    }
    *out_ms = (uint64_t)llround(d * 1000.0);
    free(v);
    return 0;
}

int mempolicy_actor_param_bool(const char *params, const char *key,
                               bool def, bool *out, char *errbuf,
                               size_t errlen)
{
    char *v;
    int rc = param_lookup(params, key, &v);

    if (rc == 1) {
        *out = def;
        return 0;
    }
    if (rc)
        return rc;
    /* Xen's boolean convention in the store: "1"/"0", readers also
     * accepting "true"/"false" (as for memory-policy/enforce). */
    if (!strcmp(v, "1") || !strcmp(v, "true")) {
        *out = true;
    } else if (!strcmp(v, "0") || !strcmp(v, "false")) {
        *out = false;
    } else {
        param_error(errbuf, errlen, "%s=%s: not a boolean (1 or 0)",
                    MEMPOLICY_QUOTE(key), MEMPOLICY_QUOTE(v));
        free(v);
        return MEMPOLICY_ERROR_INVAL;
    }
    free(v);
    return 0;
}

int mempolicy_actor_param_uint(const char *params, const char *key,
                               uint64_t def, uint64_t min, uint64_t max,
                               uint64_t *out, char *errbuf, size_t errlen)
{
    char *v, *end;
    unsigned long long u;
    int rc = param_lookup(params, key, &v);

    if (rc == 1) {
        *out = def;
        return 0;
    }
    if (rc)
        return rc;
    errno = 0;
    u = strtoull(v, &end, 10);
    if (!isdigit((unsigned char)v[0]) || *end || errno || u < min ||
        u > max) {
        param_error(errbuf, errlen, "%s=%s: not a whole number between "
                    "%llu and %llu", MEMPOLICY_QUOTE(key), MEMPOLICY_QUOTE(v),
                    (unsigned long long)min,
                    (unsigned long long)max);
        free(v);
        return MEMPOLICY_ERROR_INVAL;
    }
    *out = u;
    free(v);
    return 0;
}
