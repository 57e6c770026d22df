/*
 * xlmem_actors.c: what xlmem knows of the shipped actors' parameters.
 *
 * The library checks the syntax of every params string; what the keys
 * mean belongs to each actor, which reads them only when the policy event
 * arrives, long after the command returned "ok".  So that a typo
 * ("dealy=5", "paging=maybe") is refused at the command line instead of
 * being logged (or ignored) by a daemon later, xlmem checks the params
 * of the actors shipped with libmempolicy against the keys they document
 * (the comment at the top of each actor), with the actor kit's own typed
 * parsers, the ones the actors themselves use.  Actors it does not know
 * (custom ones) get the syntax check only.  Keep this table in step with
 * the actors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy_actor.h>

#include "xlmem.h"

enum ptype { P_SECONDS, P_BOOL, P_SIZE, P_RATE };

struct pdef {
    const char *key;
    enum ptype type;
};

struct adef {
    const char *actor;
    const struct pdef *params; /* terminated by a NULL key */
};

static const struct pdef xl_auto_params[] = {
    { "delay", P_SECONDS }, { "paging", P_BOOL }, { "min", P_SIZE },
    { NULL, 0 },
};
static const struct pdef xl_manual_params[] = {
    { NULL, 0 },
};
static const struct pdef sharing_params[] = {
    { "rate", P_RATE }, { "paging", P_BOOL }, { "delay", P_SECONDS },
    { "min", P_SIZE }, { "cow-check", P_SECONDS },
    { NULL, 0 },
};

static const struct adef actors[] = {
    { "xl-auto", xl_auto_params },
    { "xl-manual", xl_manual_params },
    { "sharing", sharing_params },
};

/* The sharing actor's bounds on rate (pages per second). */
#define RATE_MAX (1u << 24)

static int check_value(const struct pdef *d, const char *params,
                       char *err, size_t errlen)
{
    uint64_t u;
    bool b;
    char *v = NULL, *end;
    int rc;

    switch (d->type) {
    case P_SECONDS:
        return mempolicy_actor_param_seconds_ms(params, d->key, 0, &u, err,
                                                errlen);
    case P_BOOL:
        return mempolicy_actor_param_bool(params, d->key, false, &b, err,
                                          errlen);
    case P_SIZE:
        return mempolicy_actor_param_size_kb(params, d->key, 0, &u, err,
                                             errlen);
    case P_RATE:
        if (mempolicy_params_get(params, d->key, &v))
            return 0;
        u = strtoull(v, &end, 10);
        rc = v[0] < '0' || v[0] > '9' || *end || u < 1 || u > RATE_MAX;
        if (rc)
            snprintf(err, errlen, "%s=%s: expected pages per second, "
                     "1..%u", d->key, v, RATE_MAX);
        free(v);
        return rc ? MEMPOLICY_ERROR_INVAL : 0;
    }
    return 0;
}

int xlmem_check_actor_params(const char *actor, const char *params)
{
    const struct adef *a = NULL;
    const char *p = params;
    char err[256];
    size_t i;

    for (i = 0; i < sizeof(actors) / sizeof(actors[0]); i++) {
        if (!strcmp(actors[i].actor, actor))
            a = &actors[i];
    }
    if (!a)
        return 0;

    /* Every key must be one the actor reads. */
    while (*p) {
        size_t klen = strcspn(p, "=");
        const struct pdef *d;

        for (d = a->params; d->key; d++) {
            if (strlen(d->key) == klen && !strncmp(d->key, p, klen))
                break;
        }
        if (!d->key) {
            char known[128] = "";

            for (d = a->params; d->key; d++) {
                strncat(known, *known ? ", " : "", sizeof(known) -
                        strlen(known) - 1);
                strncat(known, d->key, sizeof(known) - strlen(known) - 1);
            }
            xlmem_err("invalid actor parameters '%s': actor %s has no "
                      "parameter '%.*s' (%s%s)", params, actor, (int)klen,
                      p, *known ? "it takes " : "it takes none",
                      known);
            return -1;
        }
        p += strcspn(p, ",");
        if (*p)
            p++;
    }
    for (i = 0; a->params[i].key; i++) {
        if (check_value(&a->params[i], params, err, sizeof(err))) {
            xlmem_err("invalid actor parameters '%s' for actor %s: %s",
                      params, actor, err);
            return -1;
        }
    }
    return 0;
}
