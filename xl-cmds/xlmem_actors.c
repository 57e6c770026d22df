/*
 * xlmem_actors.c: what xlmem knows of the shipped actors' parameters.
 *
 * The library checks the syntax of every params string; what the keys
 * mean belongs to each actor, which reads them only when the policy event
 * arrives, long after the command returned "ok".  So that a typo
 * ("dealy=5", "paging=maybe", "min" above "max") is refused at the
 * command line instead of being logged (or ignored) by a daemon later,
 * xlmem checks the params of the actors shipped with libmempolicy against
 * their parameter tables, which live in the actor kit
 * (mempolicy_actor_params_check: the same table the actors and the shell
 * completion read).  Actors it does not know (custom ones) get the syntax
 * check only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy_actor.h>

#include "xlmem.h"

int xlmem_check_actor_params(const char *actor, const char *params)
{
    char err[256];

    if (!mempolicy_actor_params_check(actor, params, err, sizeof(err)))
        return 0;
    xlmem_err("invalid actor parameters for actor %s: %s", actor, err);
    return -1;
}

int xlmem_check_memtune(uint32_t domid, const char *params)
{
    mempolicy_dominfo info;
    mempolicy_memtune m;
    char err[256];
    int rc;

    if (!mempolicy_memtune_get(params, &m, NULL, 0) &&
        m.hard_limit_kb == MEMPOLICY_MEMTUNE_UNLIMITED &&
        m.min_guarantee_kb == 0)
        return 0; /* nothing to hold against static-max */
    if (!mempolicy_memtune_check(params, 0, err, sizeof(err))) {
        /* Only the static-max rule is left: read it. */
        rc = mempolicy_domain_info(xlmem_ctx(), domid, &info);
        if (rc) {
            xlmem_lib_err(rc, "cannot read %s", xlmem_dom(domid));
            return -1;
        }
        rc = mempolicy_memtune_check(params, info.static_max_kb, err,
                                     sizeof(err));
        mempolicy_dominfo_dispose(&info);
        if (!rc)
            return 0;
    }
    xlmem_err("invalid memory tunables for %s: %s", xlmem_dom(domid), err);
    return -1;
}

static const char *type_name(mempolicy_param_type t)
{
    switch (t) {
    case MEMPOLICY_PARAM_SIZE:
        return "SIZE";
    case MEMPOLICY_PARAM_SECONDS:
        return "SECONDS";
    case MEMPOLICY_PARAM_BOOL:
        return "1|0";
    case MEMPOLICY_PARAM_UINT:
        return "N";
    case MEMPOLICY_PARAM_NAME:
        return "NAME";
    }
    return "?";
}

static void print_specs(const mempolicy_param_spec *d)
{
    for (; d->key; d++) {
        char kv[48];

        if (d->type == MEMPOLICY_PARAM_UINT)
            snprintf(kv, sizeof(kv), "%s=%llu..%llu", d->key,
                     (unsigned long long)d->min, (unsigned long long)d->max);
        else
            snprintf(kv, sizeof(kv), "%s=%s", d->key, type_name(d->type));
        printf("%-22s %s\n", kv, d->help);
    }
}

/* mem-policy-params [ACTOR]: the shipped actors, or one actor's keys
 * (its own, then the common ones every actor takes). */
int main_mem_policy_params(int argc, char **argv)
{
    const mempolicy_param_table *t;
    unsigned n, i;

    if (xlmem_getopt(argc, argv, "", NULL, 0, 1) != -1)
        return XLMEM_EXIT_USAGE;
    if (optind == argc) {
        t = mempolicy_actor_param_tables(&n);
        for (i = 0; i < n; i++)
            printf("%s\n", t[i].actor);
        return XLMEM_EXIT_OK;
    }
    t = mempolicy_actor_param_table(argv[optind]);
    if (!t) {
        xlmem_err("actor '%s' is not shipped with libmempolicy: its "
                  "parameters are its own",
                  XQ(argv[optind]));
        return XLMEM_EXIT_FAIL;
    }
    print_specs(t->params);
    print_specs(mempolicy_common_params());
    return XLMEM_EXIT_OK;
}
