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
