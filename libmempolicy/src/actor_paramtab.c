/*
 * actor_paramtab.c: the parameter tables of the actors shipped with
 * libmempolicy, and the check of a params string against them.
 *
 * One home for what each actor's params mean: the actors parse their
 * params with the kit's typed getters on the keys listed here, xlmem
 * refuses a params string that does not fit (mem-policy-set, create) with
 * one line before anything is stored, and its shell completion lists the
 * keys from here (`xlmem mem-policy-params`).  A new key is added here
 * and in the actor, nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor_internal.h"

static const mempolicy_param_spec xl_auto_params[] = {
    { "delay", MEMPOLICY_PARAM_SECONDS, 0, 0,
      "seconds the balloon gets before paging steps in (5)" },
    { "paging", MEMPOLICY_PARAM_BOOL, 0, 0, "allow paging as a backstop (0)" },
    { "min", MEMPOLICY_PARAM_SIZE, 0, 0, "no target below this (0)" },
    { NULL, 0, 0, 0, NULL },
};

static const mempolicy_param_spec xl_manual_params[] = {
    { NULL, 0, 0, 0, NULL },
};

static const mempolicy_param_spec sharing_params[] = {
    { "rate", MEMPOLICY_PARAM_UINT, 1, 1u << 24,
      "pages scanned per second (16384)" },
    { "paging", MEMPOLICY_PARAM_BOOL, 0, 0, "allow paging as a backstop (0)" },
    { "delay", MEMPOLICY_PARAM_SECONDS, 0, 0,
      "seconds a shrinking domain waits for its pass (5)" },
    { "min", MEMPOLICY_PARAM_SIZE, 0, 0, "no target below this (0)" },
    { "cow-check", MEMPOLICY_PARAM_SECONDS, 0, 0,
      "first interval of the copy-on-write follow-up (10)" },
    { NULL, 0, 0, 0, NULL },
};

static const mempolicy_param_spec balance_params[] = {
    { "min", MEMPOLICY_PARAM_SIZE, 0, 0,
      "never below this (200 MiB, at most static-max)" },
    { "max", MEMPOLICY_PARAM_SIZE, 0, 0, "never above this (static-max)" },
    { "weight", MEMPOLICY_PARAM_UINT, 1, 100,
      "share of contended memory and surplus, 1..100 (1)" },
    { "grace", MEMPOLICY_PARAM_SECONDS, 0, 0,
      "boot grace: initial memory held this long (30)" },
    { "headroom", MEMPOLICY_PARAM_UINT, 0, 300,
      "percent above used memory when there is enough (30)" },
    { NULL, 0, 0, 0, NULL },
};

static int balance_check(const char *params, char *err, size_t errlen)
{
    uint64_t min, max;

    if (mempolicy_actor_param_size_kb(params, "min", 0, &min, NULL, 0) ||
        mempolicy_actor_param_size_kb(params, "max", UINT64_MAX, &max, NULL, 0))
        return 0; /* reported by the key's own check */
    if (min > max) {
        snprintf(err, errlen, "min=%llu KiB is above max=%llu KiB",
                 (unsigned long long)min, (unsigned long long)max);
        return MEMPOLICY_ERROR_INVAL;
    }
    if (max == 0) {
        snprintf(err, errlen, "max=0: a domain needs some memory");
        return MEMPOLICY_ERROR_INVAL;
    }
    return 0;
}

static const mempolicy_param_table tables[] = {
    { "xl-auto", xl_auto_params, NULL },
    { "xl-manual", xl_manual_params, NULL },
    { "sharing", sharing_params, NULL },
    { "balance", balance_params, balance_check },
};

const mempolicy_param_table *mempolicy_actor_param_tables(unsigned *n)
{
    *n = sizeof(tables) / sizeof(tables[0]);
    return tables;
}

const mempolicy_param_table *mempolicy_actor_param_table(const char *actor)
{
    const char *canon;
    size_t i;

    if (!actor || mempolicy_actor_name_valid(actor, &canon))
        return NULL;
    for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        if (!strcmp(tables[i].actor, canon))
            return &tables[i];
    return NULL;
}

static int check_value(const mempolicy_param_spec *d, const char *params,
                       char *err, size_t errlen)
{
    uint64_t u;
    bool b;

    switch (d->type) {
    case MEMPOLICY_PARAM_SECONDS:
        return mempolicy_actor_param_seconds_ms(params, d->key, 0, &u, err,
                                                errlen);
    case MEMPOLICY_PARAM_BOOL:
        return mempolicy_actor_param_bool(params, d->key, false, &b, err,
                                          errlen);
    case MEMPOLICY_PARAM_SIZE:
        return mempolicy_actor_param_size_kb(params, d->key, 0, &u, err,
                                             errlen);
    case MEMPOLICY_PARAM_UINT:
        return mempolicy_actor_param_uint(params, d->key, d->min, d->min,
                                          d->max, &u, err, errlen);
    }
    return 0;
}

int mempolicy_actor_params_check(const char *actor, const char *params,
                                 char *err, size_t errlen)
{
    const mempolicy_param_table *t = mempolicy_actor_param_table(actor);
    const mempolicy_param_spec *d;
    const char *p = params ? params : "";
    char known[160];
    int rc;

    if (!t)
        return 0;
    /* Every key must be one the actor reads. */
    while (*p) {
        size_t klen = strcspn(p, "=,");

        for (d = t->params; d->key; d++)
            if (strlen(d->key) == klen && !strncmp(d->key, p, klen))
                break;
        if (!d->key) {
            known[0] = '\0';
            for (d = t->params; d->key; d++) {
                size_t n = strlen(known);

                snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "",
                         d->key);
            }
            char key[MEMPOLICY_QUOTE_CHARS + 2];

            snprintf(key, sizeof(key), "%.*s",
                     (int)(klen > sizeof(key) - 1 ? sizeof(key) - 1 : klen),
                     p);
            snprintf(err, errlen, "actor %s has no parameter '%s' (%s%s)",
                     t->actor, MEMPOLICY_QUOTE(key),
                     known[0] ? "it takes " : "it takes none", known);
            return MEMPOLICY_ERROR_INVAL;
        }
        p += strcspn(p, ",");
        if (*p)
            p++;
    }
    for (d = t->params; d->key; d++) {
        rc = check_value(d, params, err, errlen);
        if (rc)
            return rc;
    }
    return t->check ? t->check(params, err, errlen) : 0;
}
