/*
 * group.c: memory groups, libvirt's resource partitions (libmempolicy.h,
 * "memory groups"; docs/groups.md).  The one home of their nodes
 * (paths.h: /tool/mempolicy/groups, dom0-only) for the toolstack's side
 * (set, get, list, remove), for the params writes that put a domain in
 * a group (policy.c: mp_group_admit_tx) and for the balance actor that
 * reads them.
 *
 * No list of members is kept: a domain is in group NAME while its
 * policy params say group=NAME (a common param, actor_paramtab.c).  Every
 * check that needs the members reads every domain's params in the same
 * transaction as its write, so a domain joining and the group going
 * away (or its budget shrinking) conflict, and one of them retries.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "libmempolicy_actor.h"
#include "paths.h"

#define MIB(kb) ((unsigned long long)(kb) / 1024)
/* Domains named in a message, at most. */
#define NAMED_MAX 8

/* One domain that is in a group. */
struct member {
    uint32_t domid;
    char group[MEMPOLICY_GROUP_MAX + 1];
    uint64_t guarantee_kb;
};

static int bad_name(mempolicy_ctx *ctx, const char *name)
{
    return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                  "invalid group name '%s': use 1 to %d characters of a-z, "
                  "0-9, _ and -, starting with a letter or a digit",
                  MP_Q(name), MEMPOLICY_GROUP_MAX);
}

static int no_group(mempolicy_ctx *ctx, const char *name)
{
    return mp_err(ctx, MEMPOLICY_ERROR_NO_GROUP,
                  "no memory group '%s' (create it with mem-group-set %s "
                  "budget=SIZE)",
                  MP_Q(name), MP_Q(name));
}

/*
 * Every domain whose params name a group, with its guarantee (*out
 * malloc'd).  Domains whose params do not parse count with what parses
 * (mempolicy_memtune_get always fills).  MP_TX_RETRY on EAGAIN.
 */
static int scan_members(mempolicy_ctx *ctx, xs_transaction_t t,
                        struct member **out, int *n)
{
    char path[MP_PATH_MAX], **names;
    unsigned num, i;
    struct member *v;
    int k = 0, rc = 0;

    *out = NULL;
    *n = 0;
    names = xs_directory(ctx->xsh, t, MP_LIBXL_DIR, &num);
    if (!names) {
        if (errno == ENOENT)
            return 0;
        if (errno == EAGAIN)
            return MP_TX_RETRY;
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: listing /libxl: %s", strerror(errno));
    }
    v = calloc(num ? num : 1, sizeof(*v));
    if (!v) {
        free(names);
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "out of memory");
    }
    for (i = 0; i < num; i++) {
        mempolicy_memtune m;
        uint64_t domid;
        char *params = NULL;

        if (!mp_parse_u64(names[i], UINT32_MAX, &domid))
            continue;
        rc = mp_xs_read(ctx, t,
                        mp_path_policy(path, (uint32_t)domid, MP_POL_PARAMS),
                        &params);
        if (rc)
            break;
        if (!params)
            continue;
        mempolicy_memtune_get(params, &m, NULL, 0);
        free(params);
        if (!m.group[0])
            continue;
        v[k].domid = (uint32_t)domid;
        memcpy(v[k].group, m.group, sizeof(v[k].group));
        v[k].guarantee_kb = m.min_guarantee_kb;
        k++;
    }
    free(names);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

/* The members of group name (but domain skip) in v: how many, their
 * guarantees, and the first NAMED_MAX domids as "3, 5, ..." in list. */
static unsigned members_of(const struct member *v, int n, const char *name,
                           uint32_t skip, uint64_t *guarantee_kb, char *list,
                           size_t len)
{
    unsigned count = 0;
    size_t used = 0;
    int i;

    *guarantee_kb = 0;
    if (len)
        list[0] = '\0';
    for (i = 0; i < n; i++) {
        if (v[i].domid == skip || strcmp(v[i].group, name))
            continue;
        *guarantee_kb += v[i].guarantee_kb;
        if (count < NAMED_MAX && used < len)
            used += (size_t)snprintf(list + used, len - used, "%s%u",
                                     count ? ", " : "", v[i].domid);
        else if (count == NAMED_MAX && used < len)
            used += (size_t)snprintf(list + used, len - used, ", ...");
        count++;
    }
    return count;
}

/* Group name's own nodes inside t: 0, NO_GROUP, FAIL (malformed),
 * MP_TX_RETRY. */
static int read_group(mempolicy_ctx *ctx, xs_transaction_t t, const char *name,
                      mempolicy_group *g)
{
    char path[MP_PATH_MAX], *w = NULL;
    uint64_t weight;
    bool present;
    int rc;

    memset(g, 0, sizeof(*g));
    snprintf(g->name, sizeof(g->name), "%s", name);
    rc = mp_xs_read_kb(ctx, t, mp_path_group(path, name, MP_GROUP_BUDGET),
                       &present, &g->budget_kb);
    if (rc)
        return rc;
    if (!present)
        return no_group(ctx, name);
    rc = mp_xs_read(ctx, t, mp_path_group(path, name, MP_GROUP_WEIGHT), &w);
    if (rc)
        return rc;
    if (!w) {
        g->weight = MEMPOLICY_GROUP_WEIGHT_DEFAULT;
        return 0;
    }
    if (!mp_parse_u64(w, MEMPOLICY_GROUP_WEIGHT_MAX, &weight) || !weight)
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                    "%s: '%s' is not a weight (1..%d)", path, MP_Q(w),
                    MEMPOLICY_GROUP_WEIGHT_MAX);
    else
        g->weight = (unsigned)weight;
    free(w);
    return rc;
}

/* The group names under the directory (*names from xs_directory, free
 * it); none when it does not exist.  MP_TX_RETRY on EAGAIN. */
static int list_names(mempolicy_ctx *ctx, xs_transaction_t t, char ***names,
                      unsigned *n)
{
    char path[MP_PATH_MAX];

    *n = 0;
    *names = xs_directory(ctx->xsh, t, mp_path_group(path, NULL, NULL), n);
    if (*names)
        return 0;
    *n = 0;
    if (errno == ENOENT)
        return 0;
    if (errno == EAGAIN)
        return MP_TX_RETRY;
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: listing %s: %s", path,
                  strerror(errno));
}

/* ---- set ------------------------------------------------------------- */

struct set_arg {
    const char *name;
    uint64_t budget_kb;
    unsigned weight;
};

static int set_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct set_arg *a = arg;
    mempolicy_group cur;
    struct member *v = NULL;
    char path[MP_PATH_MAX], val[24], list[96], **names = NULL;
    unsigned weight = a->weight, count, num;
    uint64_t guar;
    int n = 0, rc;

    rc = read_group(ctx, t, a->name, &cur);
    if (rc == MEMPOLICY_ERROR_NO_GROUP) {
        /* A new group: within the most there may be. */
        rc = list_names(ctx, t, &names, &num);
        if (rc)
            return rc;
        free(names);
        if (num >= MEMPOLICY_GROUPS_MAX)
            return mp_err(ctx, MEMPOLICY_ERROR_BUSY,
                          "%u memory groups exist already (the most there "
                          "may be); remove one first",
                          num);
        cur.weight = MEMPOLICY_GROUP_WEIGHT_DEFAULT;
    } else if (rc) {
        return rc;
    }
    if (!weight)
        weight = cur.weight;
    rc = scan_members(ctx, t, &v, &n);
    if (rc)
        return rc;
    count = members_of(v, n, a->name, UINT32_MAX, &guar, list, sizeof(list));
    free(v);
    if (a->budget_kb < guar)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "budget %llu KiB is below the min_guarantee of group "
                      "%s's %u domain%s (%s): %llu KiB",
                      (unsigned long long)a->budget_kb, MP_Q(a->name), count,
                      count == 1 ? "" : "s", list, (unsigned long long)guar);
    snprintf(val, sizeof(val), "%" PRIu64, a->budget_kb);
    rc = mp_xs_write(ctx, t, mp_path_group(path, a->name, MP_GROUP_BUDGET),
                     val);
    if (rc)
        return rc;
    snprintf(val, sizeof(val), "%u", weight);
    return mp_xs_write(ctx, t, mp_path_group(path, a->name, MP_GROUP_WEIGHT),
                       val);
}

int mempolicy_group_set(mempolicy_ctx *ctx, const char *name,
                        uint64_t budget_kb, unsigned weight)
{
    struct set_arg a = { .name = name,
                         .budget_kb = budget_kb,
                         .weight = weight };
    mempolicy_physinfo phys;
    int rc;

    if (mempolicy_group_name_valid(name))
        return bad_name(ctx, name);
    if (weight > MEMPOLICY_GROUP_WEIGHT_MAX)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "weight %u is out of range (1..%d)", weight,
                      MEMPOLICY_GROUP_WEIGHT_MAX);
    if (!budget_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "a budget of 0: a group's domains need some memory");
    rc = mempolicy_get_physinfo(ctx, &phys);
    if (rc)
        return rc;
    if (budget_kb > phys.total_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "budget %llu KiB is more than the host has (%llu KiB)",
                      (unsigned long long)budget_kb,
                      (unsigned long long)phys.total_kb);
    return mp_transaction(ctx, set_tx, &a);
}

/* ---- get, list ------------------------------------------------------- */

struct list_arg {
    const char *name; /* get: this one; list: NULL */
    mempolicy_group *v;
    int n;
};

static int list_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct list_arg *a = arg;
    struct member *m = NULL;
    char **names = NULL;
    unsigned num = 0, i;
    int nm = 0, rc;

    free(a->v);
    a->v = NULL;
    a->n = 0;
    if (a->name) {
        num = 1;
    } else {
        rc = list_names(ctx, t, &names, &num);
        if (rc)
            return rc;
    }
    a->v = calloc(num ? num : 1, sizeof(*a->v));
    if (!a->v) {
        free(names);
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "out of memory");
    }
    rc = scan_members(ctx, t, &m, &nm);
    for (i = 0; !rc && i < num; i++) {
        const char *name = a->name ? a->name : names[i];
        mempolicy_group *g = &a->v[a->n];

        if (!a->name && mempolicy_group_name_valid(name))
            continue; /* not ours: nothing else may be there */
        rc = read_group(ctx, t, name, g);
        if (rc == MEMPOLICY_ERROR_NO_GROUP && !a->name) {
            rc = 0; /* a directory without a budget: not a group */
            continue;
        }
        if (!rc) {
            g->members = members_of(m, nm, name, UINT32_MAX, &g->guarantee_kb,
                                    NULL, 0);
            a->n++;
        }
    }
    free(m);
    free(names);
    return rc;
}

static int cmp_name(const void *x, const void *y)
{
    return strcmp(((const mempolicy_group *)x)->name,
                  ((const mempolicy_group *)y)->name);
}

int mempolicy_group_get(mempolicy_ctx *ctx, const char *name,
                        mempolicy_group *out)
{
    struct list_arg a = { .name = name };
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output");
    memset(out, 0, sizeof(*out));
    if (mempolicy_group_name_valid(name))
        return bad_name(ctx, name);
    rc = mp_transaction(ctx, list_tx, &a);
    if (!rc)
        *out = a.v[0];
    free(a.v);
    return rc;
}

int mempolicy_group_list(mempolicy_ctx *ctx, mempolicy_group **list, int *n)
{
    struct list_arg a = { 0 };
    int rc;

    if (!list || !n)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output");
    *list = NULL;
    *n = 0;
    rc = mp_transaction(ctx, list_tx, &a);
    if (rc) {
        free(a.v);
        return rc;
    }
    if (!a.n) {
        free(a.v);
        return 0;
    }
    qsort(a.v, (size_t)a.n, sizeof(*a.v), cmp_name);
    *list = a.v;
    *n = a.n;
    return 0;
}

/* ---- remove ---------------------------------------------------------- */

static int remove_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    const char *name = arg;
    mempolicy_group g;
    struct member *v = NULL;
    char path[MP_PATH_MAX], list[96];
    uint64_t guar;
    unsigned count;
    int n = 0, rc;

    rc = read_group(ctx, t, name, &g);
    if (rc)
        return rc;
    rc = scan_members(ctx, t, &v, &n);
    if (rc)
        return rc;
    count = members_of(v, n, name, UINT32_MAX, &guar, list, sizeof(list));
    free(v);
    if (count)
        return mp_err(ctx, MEMPOLICY_ERROR_BUSY,
                      "group %s still has %u domain%s (%s): take them out "
                      "first (params without group=)",
                      MP_Q(name), count, count == 1 ? "" : "s", list);
    if (mp_xs_rm(ctx, t, mp_path_group(path, name, NULL)) || errno == ENOENT)
        return 0;
    if (errno == EAGAIN)
        return MP_TX_RETRY;
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: removing %s: %s", path,
                  strerror(errno));
}

int mempolicy_group_remove(mempolicy_ctx *ctx, const char *name)
{
    if (mempolicy_group_name_valid(name))
        return bad_name(ctx, name);
    return mp_transaction(ctx, remove_tx, (void *)(uintptr_t)name);
}

/* ---- a domain joining ------------------------------------------------- */

int mp_group_admit_tx(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t domid,
                      const char *params)
{
    mempolicy_memtune m;
    mempolicy_group g;
    struct member *v = NULL;
    char list[96];
    uint64_t guar;
    unsigned count;
    int n = 0, rc;

    mempolicy_memtune_get(params, &m, NULL, 0);
    if (!m.group[0])
        return 0;
    rc = read_group(ctx, t, m.group, &g);
    if (rc == MEMPOLICY_ERROR_NO_GROUP)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "group=%s: no such memory group (create it with "
                      "mem-group-set %s budget=SIZE)",
                      m.group, m.group);
    if (rc)
        return rc;
    if (!m.min_guarantee_kb)
        return 0;
    rc = scan_members(ctx, t, &v, &n);
    if (rc)
        return rc;
    count = members_of(v, n, m.group, domid, &guar, list, sizeof(list));
    free(v);
    if (guar + m.min_guarantee_kb > g.budget_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "group=%s: min_guarantee=%llu KiB with the %llu KiB "
                      "guaranteed to its %u other domain%s is above its "
                      "budget %llu KiB",
                      m.group, (unsigned long long)m.min_guarantee_kb,
                      (unsigned long long)guar, count, count == 1 ? "" : "s",
                      (unsigned long long)g.budget_kb);
    return 0;
}
