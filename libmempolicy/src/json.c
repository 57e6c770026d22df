/*
 * json.c: JSON renderings of domain information and events (yajl_gen),
 * for the commands' --json output and for logs.
 *
 * Field names are the C field names, sizes stay in KiB with the _kb
 * suffix, and 64-bit numbers are emitted from their decimal text so that
 * nothing is rounded through a double or a signed long long.  Strings come
 * partly from the store (a domain's name), so yajl validates them as
 * UTF-8; an invalid one is rendered with '?' in place of non-ASCII bytes
 * rather than producing invalid JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "internal.h"

static bool gen_str(yajl_gen g, const char *s)
{
    yajl_gen_status st;
    char *copy;
    size_t i;

    st = yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    if (st != yajl_gen_invalid_string)
        return st == yajl_gen_status_ok;
    copy = strdup(s);
    if (!copy)
        return false;
    for (i = 0; copy[i]; i++)
        if ((unsigned char)copy[i] >= 0x80)
            copy[i] = '?';
    st = yajl_gen_string(g, (const unsigned char *)copy, strlen(copy));
    free(copy);
    return st == yajl_gen_status_ok;
}

static bool gen_u64(yajl_gen g, const char *key, uint64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

    return gen_str(g, key) && yajl_gen_number(g, num, (size_t)n) ==
                                  yajl_gen_status_ok;
}

static bool gen_bool(yajl_gen g, const char *key, bool v)
{
    return gen_str(g, key) && yajl_gen_bool(g, v) == yajl_gen_status_ok;
}

static bool gen_kv(yajl_gen g, const char *key, const char *v)
{
    return gen_str(g, key) && gen_str(g, v ? v : "");
}

static bool gen_policy(yajl_gen g, const mempolicy_policy *p)
{
    if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
        !gen_kv(g, "actor", p->actor) ||
        !gen_kv(g, "actor_params", p->actor_params))
        return false;
    if (p->has_target) {
        if (!gen_u64(g, "target_kb", p->target_kb))
            return false;
    } else if (!gen_str(g, "target_kb") ||
               yajl_gen_null(g) != yajl_gen_status_ok) {
        return false;
    }
    return gen_bool(g, "enforce", p->enforce) &&
           yajl_gen_map_close(g) == yajl_gen_status_ok;
}

/* The library's verdict on the policy target (mempolicy_target_cmp with
 * tot_pages): "below", "reached", "above", or null without a target. */
static bool gen_target_state(yajl_gen g, const mempolicy_dominfo *d)
{
    static const char *const names[] = { "below", "reached", "above" };

    if (!gen_str(g, "target_state"))
        return false;
    if (!d->policy.has_target)
        return yajl_gen_null(g) == yajl_gen_status_ok;
    return gen_str(g, names[mempolicy_target_cmp(d->policy.target_kb,
                                                 d->videoram_kb,
                                                 d->actual_kb) + 1]);
}

static bool gen_dominfo(yajl_gen g, const mempolicy_dominfo *d)
{
    return yajl_gen_map_open(g) == yajl_gen_status_ok &&
           gen_u64(g, "domid", d->domid) && gen_kv(g, "name", d->name) &&
           gen_kv(g, "type",
                  d->type == MEMPOLICY_DOMAIN_TYPE_HVM ? "hvm" : "pv") &&
           gen_bool(g, "hap", d->hap) && gen_bool(g, "dying", d->dying) &&
           gen_u64(g, "static_max_kb", d->static_max_kb) &&
           gen_u64(g, "actual_kb", d->actual_kb) &&
           gen_u64(g, "maxmem_kb", d->maxmem_kb) &&
           gen_u64(g, "paged_kb", d->paged_kb) &&
           gen_u64(g, "shared_kb", d->shared_kb) &&
           gen_u64(g, "cow_breaks", d->cow_breaks) &&
           gen_u64(g, "balloon_target_kb", d->balloon_target_kb) &&
           gen_u64(g, "paging_target_kb", d->paging_target_kb) &&
           gen_u64(g, "videoram_kb", d->videoram_kb) &&
           gen_u64(g, "overhead_kb", d->overhead_kb) &&
           gen_target_state(g, d) &&
           gen_bool(g, "paging", d->paging) &&
           gen_bool(g, "sharing", d->sharing) && gen_str(g, "policy") &&
           gen_policy(g, &d->policy) &&
           (!d->malformed || gen_kv(g, "malformed", d->malformed)) &&
           yajl_gen_map_close(g) == yajl_gen_status_ok;
}

/* Take the generated text out of g as a malloc'd string. */
static char *finish(yajl_gen g, bool ok)
{
    const unsigned char *buf;
    size_t len;
    char *out = NULL;

    if (ok && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        out = strndup((const char *)buf, len);
    yajl_gen_free(g);
    return out;
}

static yajl_gen new_gen(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (g) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    }
    return g;
}

char *mempolicy_dominfo_to_json(mempolicy_ctx *ctx,
                                const mempolicy_dominfo *info)
{
    yajl_gen g;

    if (!info)
        return NULL;
    g = new_gen();
    return g ? finish(g, gen_dominfo(g, info)) : NULL;
}

char *mempolicy_dominfo_list_to_json(mempolicy_ctx *ctx,
                                     const mempolicy_dominfo *list, int n)
{
    yajl_gen g;
    bool ok;
    int i;

    if (n < 0 || (n > 0 && !list))
        return NULL;
    g = new_gen();
    if (!g)
        return NULL;
    ok = yajl_gen_array_open(g) == yajl_gen_status_ok;
    for (i = 0; ok && i < n; i++)
        ok = gen_dominfo(g, &list[i]);
    ok = ok && yajl_gen_array_close(g) == yajl_gen_status_ok;
    return finish(g, ok);
}

static const char *event_name(mempolicy_event_type t)
{
    switch (t) {
    case MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED:
        return "domain_memory_target_changed";
    case MEMPOLICY_EVENT_DOMAIN_INTRODUCE:
        return "domain_introduce";
    case MEMPOLICY_EVENT_DOMAIN_DEATH:
        return "domain_death";
    }
    return "unknown";
}

char *mempolicy_event_to_json(mempolicy_ctx *ctx, const mempolicy_event *ev)
{
    yajl_gen g;
    bool ok;

    if (!ev)
        return NULL;
    g = new_gen();
    if (!g)
        return NULL;
    ok = yajl_gen_map_open(g) == yajl_gen_status_ok &&
         gen_kv(g, "type", event_name(ev->type)) &&
         gen_u64(g, "domid", ev->domid);
    if (ok && ev->type == MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED)
        ok = gen_str(g, "policy") && gen_policy(g, &ev->policy);
    ok = ok && yajl_gen_map_close(g) == yajl_gen_status_ok;
    return finish(g, ok);
}
