/*
 * params.c: fuzzes the policy grammar: actor names
 * (mempolicy_actor_name_valid), params strings (mempolicy_params_valid,
 * mempolicy_params_get), the actor kit's typed getters
 * (mempolicy_actor_param_*), the shipped actors' parameter tables
 * (mempolicy_actor_params_check, what xlmem checks before storing) and
 * xl-auto's own parsing (xla_parse_params) and the memtune getter and
 * checks (mempolicy_memtune_get/_check/_range).
 * Params reach these from the store, where a guest-facing tool or a
 * hand-written xenstore-write may have put anything.
 *
 * Input: "KEY\0PARAMS" (without a NUL: key "min", the input is PARAMS);
 * PARAMS is also tried as an actor name.  Checked besides the sanitizers:
 * the documented grammar holds for everything accepted, a value found is
 * the one written after "KEY=" in an item of PARAMS, errors are one
 * bounded line without control characters, results are within the
 * documented ranges, and params an actor's table accepts give every key
 * of that table a value (no actor meets a value xlmem let through but
 * its getter refuses).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy.h>
#include <libmempolicy_actor.h>

#include "policy.h"

static unsigned n_tables;

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '-';
}

/* An error line: bounded by its buffer, printable. */
static void check_err(const char *e, size_t cap)
{
    size_t n = strnlen(e, cap);

    if (n == cap)
        abort();
    for (; *e; e++)
        if ((unsigned char)*e < 0x20 || *e == 0x7f)
            abort();
}

/* The grammar of libmempolicy.h, restated independently. */
static bool grammar_ok(const char *p)
{
    if (strlen(p) > MEMPOLICY_PARAMS_MAX)
        return false;
    if (!*p)
        return true;
    for (;;) {
        const char *k = p;

        while (key_char(*p))
            p++;
        if (p == k || *p++ != '=')
            return false;
        while (*p && *p != ',') {
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return false;
            p++;
        }
        if (!*p++)
            return true;
    }
}

/* KEY=VALUE is one item of p (p valid). */
static bool has_item(const char *p, const char *key, const char *value)
{
    size_t kl = strlen(key), vl = strlen(value);

    for (;;) {
        if (!strncmp(p, key, kl) && p[kl] == '=' &&
            !strncmp(p + kl + 1, value, vl) &&
            (p[kl + 1 + vl] == ',' || !p[kl + 1 + vl]))
            return true;
        p = strchr(p, ',');
        if (!p)
            return false;
        p++;
    }
}

static void check_actor_name(const char *s)
{
    const char *canon = NULL;
    size_t i, n = strlen(s);
    bool ok = n <= MEMPOLICY_ACTOR_MAX && s[0] != '-';

    for (i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
            s[i] == '-';
    if ((mempolicy_actor_name_valid(s, &canon) == 0) != ok)
        abort();
    if (ok && strcmp(canon, !strcmp(s, "xl") ? "xl-auto" : s))
        abort();
}

static void check_tables(const char *params)
{
    const mempolicy_param_table *t = mempolicy_actor_param_tables(&n_tables);
    const mempolicy_param_spec *d;
    char err[160];
    uint64_t u;
    bool b;
    unsigned i;
    int rc;

    for (i = 0; i < n_tables; i++) {
        err[0] = '\0';
        rc = mempolicy_actor_params_check(t[i].actor, params, err, sizeof(err));
        check_err(err, sizeof(err));
        if (rc && (rc != MEMPOLICY_ERROR_INVAL || !err[0]))
            abort();
        if (rc)
            continue;
        for (d = t[i].params; d->key; d++) {
            switch (d->type) {
            case MEMPOLICY_PARAM_SIZE:
                rc = mempolicy_actor_param_size_kb(params, d->key, 0, &u, NULL,
                                                   0);
                break;
            case MEMPOLICY_PARAM_SECONDS:
                rc = mempolicy_actor_param_seconds_ms(params, d->key, 0, &u,
                                                      NULL, 0);
                break;
            case MEMPOLICY_PARAM_BOOL:
                rc = mempolicy_actor_param_bool(params, d->key, 0, &b, NULL, 0);
                break;
            case MEMPOLICY_PARAM_UINT:
                rc = mempolicy_actor_param_uint(params, d->key, d->min, d->min,
                                                d->max, &u, NULL, 0);
                if (!rc && (u < d->min || u > d->max))
                    abort();
                break;
            case MEMPOLICY_PARAM_NAME:
                rc = 0; /* checked with the memtune getter below */
                break;
            }
            if (rc)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *key, *params, *v = NULL, err[160];
    const char *nul;
    struct xla_params xp;
    uint64_t u;
    bool b, valid;
    int rc;

    if (size > 4096)
        return -1;
    buf = malloc(size + 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';
    nul = memchr(data, 0, size);
    if (nul) {
        key = buf;
        params = buf + (nul - (const char *)data) + 1;
    } else {
        key = (char *)"min";
        params = buf;
    }

    check_actor_name(params);
    valid = mempolicy_params_valid(params) == 0;
    if (valid != grammar_ok(params))
        abort();

    rc = mempolicy_params_get(params, key, &v);
    if (rc == 0) {
        if (!valid || !v || strchr(v, ',') || !has_item(params, key, v))
            abort();
        free(v);
    } else if (rc != MEMPOLICY_ERROR_INVAL || v) {
        abort();
    }

    /* Typed getters: a default when absent, else a value in range or a
     * one-line reason. */
    err[0] = '\0';
    rc = mempolicy_actor_param_size_kb(params, key, 7, &u, err, sizeof(err));
    if (rc == 0 && !valid && u != 7)
        abort();
    if (rc && rc != MEMPOLICY_ERROR_INVAL)
        abort();
    check_err(err, sizeof(err));
    err[0] = '\0';
    rc = mempolicy_actor_param_seconds_ms(params, key, 9, &u, err, sizeof(err));
    if (rc == 0 && u > 365ull * 86400 * 1000)
        abort();
    if (rc && rc != MEMPOLICY_ERROR_INVAL)
        abort();
    check_err(err, sizeof(err));
    err[0] = '\0';
    rc = mempolicy_actor_param_bool(params, key, true, &b, err, sizeof(err));
    if (rc && rc != MEMPOLICY_ERROR_INVAL)
        abort();
    check_err(err, sizeof(err));

    /* Each shipped actor's table, on a string that passed the syntax
     * check (as xlmem and the library call it). */
    if (valid)
        check_tables(params);

    /* xl-auto: a bad value keeps that key's default, others apply. */
    err[0] = '\0';
    rc = xla_parse_params(params, &xp, err, sizeof(err));
    if (rc != 0 && rc != -1)
        abort();
    if ((rc == 0) != !err[0])
        abort();
    if (xp.delay_ms > 365ull * 86400 * 1000)
        abort();
    check_err(err, sizeof(err));

    /* memtune (docs/memtune.md): whatever was stored, the getter gives
     * values an actor can apply (soft and guarantee not above hard, a
     * valid group name or ""), the range is ordered, and the strict check
     * accepts only what the getter takes as it is. */
    {
        mempolicy_memtune m;
        uint64_t lo, hi;
        int grc, crc;

        err[0] = '\0';
        grc = mempolicy_memtune_get(params, &m, err, sizeof(err));
        if (grc != 0 && grc != MEMPOLICY_ERROR_INVAL)
            abort();
        if ((grc == 0) != !err[0])
            abort();
        check_err(err, sizeof(err));
        if (m.hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
            ((m.soft_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
              m.soft_limit_kb > m.hard_limit_kb) ||
             m.min_guarantee_kb > m.hard_limit_kb ||
             m.hard_limit_kb <= 1024))
            abort();
        if (m.group[0] && mempolicy_group_name_valid(m.group))
            abort();
        mempolicy_memtune_range(&m, 1u << 30, xp.min_kb, &lo, &hi);
        if (lo > hi || hi > (1u << 30))
            abort();
        err[0] = '\0';
        crc = mempolicy_memtune_check(params, 0, err, sizeof(err));
        check_err(err, sizeof(err));
        if (crc && !err[0])
            abort();
        if (valid && !crc && grc)
            abort();
    }

    free(buf);
    return 0;
}
