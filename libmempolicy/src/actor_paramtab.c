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
 *
 * The common params (libvirt's memtune vocabulary, valid under every
 * actor: common_params below) live here too, with their rules across
 * keys and the getter actors read them with (docs/memtune.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor_internal.h"
#include "memcalc.h"

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

/* ---- common params: libvirt's memtune vocabulary ------------------------ */

static const mempolicy_param_spec common_params[] = {
    { "hard_limit", MEMPOLICY_PARAM_SIZE, 0, 0,
      "the cap: maxmem never above it (unlimited)" },
    { "soft_limit", MEMPOLICY_PARAM_SIZE, 0, 0,
      "taken down to this first under contention (unlimited)" },
    { "min_guarantee", MEMPOLICY_PARAM_SIZE, 0, 0,
      "the floor, also at admission (none)" },
    { "swap_hard_limit", MEMPOLICY_PARAM_SIZE, 0, 0,
      "most an actor may page out (unlimited)" },
    { "group", MEMPOLICY_PARAM_NAME, 0, 0,
      "memory group of the balance actor (the root group)" },
    { NULL, 0, 0, 0, NULL },
};

const mempolicy_param_spec *mempolicy_common_params(void)
{
    return common_params;
}

int mempolicy_group_name_valid(const char *name)
{
    size_t i, n;

    if (!name)
        return MEMPOLICY_ERROR_INVAL;
    n = strlen(name);
    if (n < 1 || n > MEMPOLICY_GROUP_MAX || name[0] == '-' || name[0] == '_')
        return MEMPOLICY_ERROR_INVAL;
    for (i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
              name[i] == '-'))
            return MEMPOLICY_ERROR_INVAL;
    return 0;
}

static int param_name(const char *params, const char *key, char *out,
                      size_t outlen, char *err, size_t errlen)
{
    char *v = NULL;
    int rc;

    out[0] = '\0';
    if (!params || !params[0])
        return 0;
    rc = mempolicy_params_get(params, key, &v);
    if (rc) {
        free(v);
        return rc == MEMPOLICY_ERROR_INVAL ? 0 : rc; /* absent */
    }
    if (mempolicy_group_name_valid(v) || strlen(v) >= outlen) {
        if (err && errlen)
            snprintf(err, errlen,
                     "%s=%s: not a name (1 to %d characters of a-z, 0-9, _ "
                     "and -, starting with a letter or digit)",
                     MEMPOLICY_QUOTE(key), MEMPOLICY_QUOTE(v),
                     MEMPOLICY_GROUP_MAX);
        free(v);
        return MEMPOLICY_ERROR_INVAL;
    }
    snprintf(out, outlen, "%s", v);
    free(v);
    return 0;
}

static unsigned long long ull(uint64_t v)
{
    return (unsigned long long)v;
}

/* The rules across keys; 0 or INVAL with the line. */
static int memtune_rules(const mempolicy_memtune *m, uint64_t static_max_kb,
                         char *err, size_t errlen)
{
    const char *e = NULL;
    char line[200];

    if (m->hard_limit_kb <= MP_MAXMEM_SLACK_KB) {
        snprintf(line, sizeof(line),
                 "hard_limit=%llu KiB leaves nothing: "
                 "Xen's maxmem is the target plus libxl's %u KiB, so the "
                 "hard limit must be above %u KiB",
                 ull(m->hard_limit_kb), MP_MAXMEM_SLACK_KB, MP_MAXMEM_SLACK_KB);
        e = line;
    } else if (m->hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
               m->soft_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
               m->soft_limit_kb > m->hard_limit_kb) {
        snprintf(line, sizeof(line),
                 "soft_limit=%llu KiB is above hard_limit=%llu KiB",
                 ull(m->soft_limit_kb), ull(m->hard_limit_kb));
        e = line;
    } else if (m->hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
               m->min_guarantee_kb > m->hard_limit_kb) {
        snprintf(line, sizeof(line),
                 "min_guarantee=%llu KiB is above hard_limit=%llu KiB",
                 ull(m->min_guarantee_kb), ull(m->hard_limit_kb));
        e = line;
    } else if (static_max_kb &&
               m->hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
               m->hard_limit_kb > static_max_kb) {
        snprintf(line, sizeof(line),
                 "hard_limit=%llu KiB is above the "
                 "domain's static-max %llu KiB",
                 ull(m->hard_limit_kb), ull(static_max_kb));
        e = line;
    } else if (static_max_kb && m->min_guarantee_kb > static_max_kb) {
        snprintf(line, sizeof(line),
                 "min_guarantee=%llu KiB is above the "
                 "domain's static-max %llu KiB",
                 ull(m->min_guarantee_kb), ull(static_max_kb));
        e = line;
    }
    if (!e)
        return 0;
    if (err && errlen)
        snprintf(err, errlen, "%s", e);
    return MEMPOLICY_ERROR_INVAL;
}

/* Each key on its own; absent keys get their defaults.  0, or INVAL
 * (the first bad key's line in err, its default kept). */
static int memtune_parse(const char *params, mempolicy_memtune *m, char *err,
                         size_t errlen)
{
    static const struct {
        const char *key;
        size_t off;
        uint64_t def;
    } sizes[] = {
        { "hard_limit", offsetof(mempolicy_memtune, hard_limit_kb),
          MEMPOLICY_MEMTUNE_UNLIMITED },
        { "soft_limit", offsetof(mempolicy_memtune, soft_limit_kb),
          MEMPOLICY_MEMTUNE_UNLIMITED },
        { "min_guarantee", offsetof(mempolicy_memtune, min_guarantee_kb), 0 },
        { "swap_hard_limit", offsetof(mempolicy_memtune, swap_hard_limit_kb),
          MEMPOLICY_MEMTUNE_UNLIMITED },
    };
    int bad = 0;
    size_t i;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t *f = (uint64_t *)((char *)m + sizes[i].off);

        if (mempolicy_actor_param_size_kb(params, sizes[i].key, sizes[i].def, f,
                                          bad ? NULL : err, bad ? 0 : errlen)) {
            *f = sizes[i].def;
            bad = 1;
        }
    }
    if (param_name(params, "group", m->group, sizeof(m->group),
                   bad ? NULL : err, bad ? 0 : errlen)) {
        m->group[0] = '\0';
        bad = 1;
    }
    return bad ? MEMPOLICY_ERROR_INVAL : 0;
}

int mempolicy_memtune_get(const char *params, mempolicy_memtune *out, char *err,
                          size_t errlen)
{
    int rc;

    if (err && errlen)
        err[0] = '\0';
    rc = memtune_parse(params, out, err, errlen);
    if (memtune_rules(out, 0, rc ? NULL : err, rc ? 0 : errlen))
        rc = MEMPOLICY_ERROR_INVAL;
    /* Whatever was stored, something consistent: the cap wins. */
    if (out->hard_limit_kb <= MP_MAXMEM_SLACK_KB)
        out->hard_limit_kb = MEMPOLICY_MEMTUNE_UNLIMITED;
    if (out->soft_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
        out->soft_limit_kb > out->hard_limit_kb)
        out->soft_limit_kb = out->hard_limit_kb;
    if (out->min_guarantee_kb > out->hard_limit_kb)
        out->min_guarantee_kb = out->hard_limit_kb;
    return rc;
}

int mempolicy_memtune_check(const char *params, uint64_t static_max_kb,
                            char *err, size_t errlen)
{
    mempolicy_memtune m;
    int rc;

    if (err && errlen)
        err[0] = '\0';
    rc = memtune_parse(params, &m, err, errlen);
    if (rc)
        return rc;
    return memtune_rules(&m, static_max_kb, err, errlen);
}

void mempolicy_memtune_range(const mempolicy_memtune *m, uint64_t static_max_kb,
                             uint64_t floor_kb, uint64_t *lo, uint64_t *hi)
{
    uint64_t h = static_max_kb, l;

    /* libxl_set_memory_target: maxmem = target + videoram +
     * LIBXL_MAXMEM_CONSTANT (tools/libs/light/libxl_mem.c), so maxmem <=
     * hard_limit means a request (video RAM included) at most
     * hard_limit - 1024 KiB. */
    if (m->hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED &&
        m->hard_limit_kb > MP_MAXMEM_SLACK_KB &&
        m->hard_limit_kb - MP_MAXMEM_SLACK_KB < h)
        h = m->hard_limit_kb - MP_MAXMEM_SLACK_KB;
    l = m->min_guarantee_kb > floor_kb ? m->min_guarantee_kb : floor_kb;
    *hi = h;
    *lo = l < h ? l : h;
}

static int common_check(const char *params, char *err, size_t errlen)
{
    return mempolicy_memtune_check(params, 0, err, errlen);
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
    case MEMPOLICY_PARAM_NAME: {
        char name[MEMPOLICY_GROUP_MAX + 1];

        return param_name(params, d->key, name, sizeof(name), err, errlen);
    }
    }
    return 0;
}

static const mempolicy_param_spec *find_key(const mempolicy_param_spec *d,
                                            const char *p, size_t klen)
{
    for (; d->key; d++)
        if (strlen(d->key) == klen && !strncmp(d->key, p, klen))
            return d;
    return NULL;
}

int mempolicy_actor_params_check(const char *actor, const char *params,
                                 char *err, size_t errlen)
{
    const mempolicy_param_table *t = mempolicy_actor_param_table(actor);
    const mempolicy_param_spec *d;
    const char *p = params ? params : "";
    char known[240];
    int rc;

    /* Every key must be one the actor reads, or a common one; an actor
     * without a table (a custom one) reads keys of its own. */
    while (t && *p) {
        size_t klen = strcspn(p, "=,");

        if (!find_key(t->params, p, klen) &&
            !find_key(common_params, p, klen)) {
            known[0] = '\0';
            for (d = t->params; d->key; d++) {
                size_t n = strlen(known);

                snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "",
                         d->key);
            }
            char key[MEMPOLICY_QUOTE_CHARS + 2];

            snprintf(key, sizeof(key), "%.*s",
                     (int)(klen > sizeof(key) - 1 ? sizeof(key) - 1 : klen), p);
            snprintf(err, errlen,
                     "actor %s has no parameter '%s' (%s%s%s"
                     "the common hard_limit, soft_limit, min_guarantee, "
                     "swap_hard_limit, group)",
                     t->actor, MEMPOLICY_QUOTE(key),
                     known[0] ? "it takes " : "", known,
                     known[0] ? ", and " : "it takes only ");
            return MEMPOLICY_ERROR_INVAL;
        }
        p += strcspn(p, ",");
        if (*p)
            p++;
    }
    for (d = t ? t->params : NULL; d && d->key; d++) {
        rc = check_value(d, params, err, errlen);
        if (rc)
            return rc;
    }
    for (d = common_params; d->key; d++) {
        rc = check_value(d, params, err, errlen);
        if (rc)
            return rc;
    }
    rc = common_check(params, err, errlen);
    if (rc)
        return rc;
    return t && t->check ? t->check(params, err, errlen) : 0;
}
