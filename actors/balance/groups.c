/*
 * groups.c: the balance actor's memory groups (libmempolicy.h, "memory
 * groups"; docs/groups.md), libvirt's resource partitions.
 *
 * The groups live in the store (MEMPOLICY_GROUPS_PATH), written by
 * `xlmem mem-group-set` through the library; a restarted actor reads
 * them again.  One watch on the directory (watch.c, token "g") reads
 * the list again on any change, then a pass.  A domain is in the group
 * its params name (group=NAME, the common param, parsed with the rest
 * of its params in balance.c); a name that is not a group (removed
 * while the domain was not ours, or a default policy naming none) puts
 * it in the root group, logged once per params change.
 *
 * The plan (plan.c) keeps each group's domains within its budget and
 * shares contention between the groups and the root group's domains by
 * weight, then within a group by the domains' own weights.
 */
#include <stdlib.h>
#include <string.h>

#include "balance.h"

_Static_assert(BP_GROUPS_MAX >= MEMPOLICY_GROUPS_MAX,
               "the plan holds every group the store may have");

static int cmp_name(const void *key, const void *g)
{
    return strcmp(key, ((const mempolicy_group *)g)->name);
}

/* The group d's params name: 0 for the root group, else its index + 1
 * in b->grp (and bp_host.groups). */
static unsigned index_of(const struct bal *b, const char *name)
{
    const mempolicy_group *g;

    if (!name[0] || !b->ngrp)
        return 0;
    g = bsearch(name, b->grp, (size_t)b->ngrp, sizeof(*b->grp), cmp_name);
    return g ? (unsigned)(g - b->grp) + 1 : 0;
}

void bal_group_of(struct bal *b, struct bdom *d, bool log)
{
    d->group = index_of(b, d->mt.group);
    if (log && d->mt.group[0] && !d->group)
        mempolicy_actor_log(b->a, XTL_WARN,
                            "domain %u: group=%s: no such memory group; "
                            "planned in the root group",
                            d->domid, d->mt.group);
}

void bal_groups_read(struct bal *b)
{
    mempolicy_group *v = NULL;
    int n = 0, i, rc;
    size_t k;

    if (!b->ctx)
        return;
    rc = mempolicy_group_list(b->ctx, &v, &n);
    if (rc) {
        /* Kept as they were: a malformed node is the admin's to fix. */
        mempolicy_actor_log(b->a, XTL_WARN, "reading the memory groups: %s",
                            mempolicy_last_error(b->ctx));
        return;
    }
    if (n > BP_GROUPS_MAX)
        n = BP_GROUPS_MAX;
    free(b->grp);
    b->grp = v; /* sorted by name: bsearch */
    b->ngrp = n;
    for (i = 0; i < n; i++)
        b->bpg[i] = (struct bp_group){ .name = v[i].name,
                                       .budget_kb = v[i].budget_kb,
                                       .weight = v[i].weight };
    for (k = 0; k < b->n; k++)
        bal_group_of(b, b->v[k], false);
    bal_schedule(b, 0);
}

void bal_groups_fini(struct bal *b)
{
    free(b->grp);
    b->grp = NULL;
    b->ngrp = 0;
}
