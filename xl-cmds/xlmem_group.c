/*
 * xlmem_group.c: mem-group-set, mem-group-list and mem-group-rm: the
 * library's memory groups (libmempolicy.h, "memory groups";
 * docs/groups.md), libvirt's resource partitions.
 *
 *   xlmem mem-group-set <Group> budget=SIZE [weight=N]
 *   xlmem mem-group-list [-j]
 *   xlmem mem-group-rm <Group>
 *
 * A domain joins a group with the common param group=NAME (mem-policy-
 * set).  Every check (names, budgets, weights, members) is the
 * library's, so a refusal is one line and the store is left as it was.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlmem.h"

/* The keys of mem-group-set, in the order of its usage line. */
static const char *const set_keys[] = { "budget", "weight" };
#define NKEYS (sizeof(set_keys) / sizeof(set_keys[0]))

static int parse_weight(const char *s, unsigned *w)
{
    unsigned long v;
    const char *p;
    char *end;

    for (p = s; isdigit((unsigned char)*p); p++)
        ;
    errno = 0;
    v = *s && !*p ? strtoul(s, &end, 10) : 0;
    if (!*s || *p || errno || !v || v > MEMPOLICY_GROUP_WEIGHT_MAX) {
        xlmem_err("invalid weight '%s': give a whole number from 1 to %d",
                  XQ(s), MEMPOLICY_GROUP_WEIGHT_MAX);
        return -1;
    }
    *w = (unsigned)v;
    return 0;
}

int main_mem_group_set(int argc, char **argv)
{
    const char *vals[NKEYS] = { NULL, NULL };
    const char *name;
    mempolicy_group cur;
    unsigned weight = 0;
    int64_t kb = 0;
    bool rel;
    size_t k;
    int i, rc;

    /* "budget=-5" is a value, not an option: no options but -h. */
    while (xlmem_getopt(argc, argv, "", NULL, 2, 1 + (int)NKEYS) != -1)
        ;
    name = argv[optind];
    for (i = optind + 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');

        for (k = 0; eq && k < NKEYS; k++)
            if (strlen(set_keys[k]) == (size_t)(eq - argv[i]) &&
                !strncmp(argv[i], set_keys[k], (size_t)(eq - argv[i])))
                break;
        if (!eq || k == NKEYS) {
            xlmem_err("invalid setting '%s': give budget=SIZE and "
                      "optionally weight=N",
                      XQ(argv[i]));
            return XLMEM_EXIT_FAIL;
        }
        if (vals[k]) {
            xlmem_err("%s= given twice", set_keys[k]);
            return XLMEM_EXIT_FAIL;
        }
        vals[k] = eq + 1;
    }
    if (vals[1] && parse_weight(vals[1], &weight))
        return XLMEM_EXIT_FAIL;
    if (vals[0]) {
        if (xlmem_parse_size_kb(vals[0], false, &kb, &rel))
            return XLMEM_EXIT_FAIL;
    } else {
        /* Only the weight: the group's budget stays. */
        rc = mempolicy_group_get(xlmem_ctx(), name, &cur);
        if (rc == MEMPOLICY_ERROR_NO_GROUP) {
            xlmem_err("group %s: a new group needs budget=SIZE", XQ(name));
            return XLMEM_EXIT_FAIL;
        }
        if (rc)
            return xlmem_lib_err(rc, "cannot set group %s", XQ(name));
        if (!vals[1]) {
            xlmem_err("nothing to set: give budget=SIZE and/or weight=N");
            return XLMEM_EXIT_FAIL;
        }
        kb = (int64_t)cur.budget_kb;
    }
    rc = mempolicy_group_set(xlmem_ctx(), name, (uint64_t)kb, weight);
    if (rc)
        return xlmem_lib_err(rc, "cannot set group %s", XQ(name));
    return XLMEM_EXIT_OK;
}

int main_mem_group_list(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    mempolicy_group *v;
    bool json = false;
    int opt, n, i, rc;

    while ((opt = xlmem_getopt(argc, argv, "j", opts, 0, 0)) != -1)
        json |= opt == 'j';
    rc = mempolicy_group_list(xlmem_ctx(), &v, &n);
    if (rc)
        return xlmem_lib_err(rc, "cannot list the memory groups");
    if (json)
        printf("[");
    else
        printf("%-20s %12s %6s %7s %16s\n", "Name", "Budget(MiB)", "Weight",
               "Domains", "Guaranteed(MiB)");
    for (i = 0; i < n; i++) {
        const mempolicy_group *g = &v[i];

        /* Names are [a-z0-9_-] (the library checked): no escaping. */
        if (json)
            printf("%s{\"name\": \"%s\", \"budget_kb\": %" PRIu64
                   ", \"weight\": %u, \"domains\": %u, \"guarantee_kb\": "
                   "%" PRIu64 "}",
                   i ? ", " : "", g->name, g->budget_kb, g->weight, g->members,
                   g->guarantee_kb);
        else
            printf("%-20s %12llu %6u %7u %16llu\n", g->name,
                   xlmem_mib(g->budget_kb), g->weight, g->members,
                   xlmem_mib(g->guarantee_kb));
    }
    if (json)
        printf("]\n");
    free(v);
    return XLMEM_EXIT_OK;
}

int main_mem_group_rm(int argc, char **argv)
{
    int rc;

    while (xlmem_getopt(argc, argv, "", NULL, 1, 1) != -1)
        ;
    rc = mempolicy_group_remove(xlmem_ctx(), argv[optind]);
    if (rc)
        return xlmem_lib_err(rc, "cannot remove group %s", XQ(argv[optind]));
    return XLMEM_EXIT_OK;
}
