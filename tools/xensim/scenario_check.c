/*
 * scenario_check.c: reads a JSON scenario and checks all of it before
 * anything starts (playing it is scenario_play.c).
 *
 * Every field is validated with its line, unknown keys are errors (a
 * typo must not silently change a run), names referenced by actions must
 * be domains of the scenario.  The result is plain data (scenario_int.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"
#include "scenario_json.h"

#define MAX_TIME_S 1e9

struct chk {
    const char *file;
    char *err;
    size_t errlen;
    bool failed;
};

static bool fail(struct chk *k, const struct jnode *n, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool fail(struct chk *k, const struct jnode *n, const char *field,
                 const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if (k->failed)
        return false;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(k->err, k->errlen, "%s:%u: %s: %s", k->file, n ? n->line : 1,
             field, msg);
    k->failed = true;
    return false;
}

int scenario_parse_size(const char *s, bool number_is_mib, uint64_t *kb)
{
    char *end;
    double v;
    double mult;

    if (!((*s >= '0' && *s <= '9') || *s == '.'))
        return -EINVAL;
    errno = 0;
    v = strtod(s, &end);
    if (errno || v < 0)
        return -EINVAL;
    switch (*end) {
    case 0:
        mult = number_is_mib ? 1024 : 1;
        break;
    case 'k':
    case 'K':
        mult = 1;
        end++;
        break;
    case 'm':
    case 'M':
        mult = 1024;
        end++;
        break;
    case 'g':
    case 'G':
        mult = 1024.0 * 1024;
        end++;
        break;
    case 't':
    case 'T':
        mult = 1024.0 * 1024 * 1024;
        end++;
        break;
    default:
        return -EINVAL;
    }
    if ((*end == 'b' || *end == 'B') && end[-1] != *s)
        end++;
    if (*end || v * mult > 1e15)
        return -EINVAL;
    *kb = (uint64_t)(v * mult);
    return 0;
}

/* A size: a number of MiB (as xl.cfg's memory=) or "512M", "2G", ... */
static bool get_size(struct chk *k, const struct jnode *n, const char *field,
                     uint64_t *kb)
{
    if (n->type == J_NUM && n->num >= 0 && n->num * 1024 <= 1e15) {
        *kb = (uint64_t)(n->num * 1024);
        return true;
    }
    if (n->type == J_STR && !scenario_parse_size(n->str, true, kb))
        return true;
    return fail(k, n, field,
                "must be a size: a number of MiB, or a "
                "string like \"512M\" or \"2G\"");
}

static bool get_time(struct chk *k, const struct jnode *n, const char *field,
                     double *t)
{
    if (n->type != J_NUM || !(n->num >= 0) || n->num > MAX_TIME_S)
        return fail(k, n, field, "must be a time in seconds >= 0");
    *t = n->num;
    return true;
}

static bool get_num(struct chk *k, const struct jnode *n, const char *field,
                    double lo, double hi, double *v)
{
    if (n->type != J_NUM || !(n->num >= lo) || n->num > hi)
        return fail(k, n, field, "must be a number from %g to %g", lo, hi);
    *v = n->num;
    return true;
}

static bool get_bool(struct chk *k, const struct jnode *n, const char *field,
                     bool *v)
{
    if (n->type != J_BOOL)
        return fail(k, n, field, "must be true or false");
    *v = n->b;
    return true;
}

static bool get_str(struct chk *k, const struct jnode *n, const char *field,
                    const char **v)
{
    if (n->type != J_STR)
        return fail(k, n, field, "must be a string");
    *v = n->str;
    return true;
}

static bool known_keys(struct chk *k, const struct jnode *obj,
                       const char *where, const char *const *keys)
{
    size_t i, j;

    if (obj->type != J_OBJ)
        return fail(k, obj, where, "must be an object");
    for (i = 0; i < obj->n; i++) {
        for (j = 0; keys[j]; j++)
            if (!strcmp(obj->keys[i], keys[j]))
                break;
        if (!keys[j]) {
            char f[128];

            snprintf(f, sizeof(f), "%s.%s", where, obj->keys[i]);
            return fail(k, obj->items[i], f, "unknown field");
        }
    }
    return true;
}

static char *fieldf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A field's name for messages (vsnprintf: truncation is fine here). */
static char *fieldf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return buf;
}

#define FIELD(buf, fmt, ...) fieldf(buf, sizeof(buf), fmt, __VA_ARGS__)

static bool check_host(struct chk *k, const struct jnode *h,
                       struct scenario_host *out)
{
    static const char *const keys[] = {
        "memory", "dom0", "paging", "sharing", "paging_rate_mib_s", NULL
    };
    const struct jnode *n;
    bool b = false;

    if (!known_keys(k, h, "host", keys))
        return false;
    if ((n = json_get(h, "memory")) &&
        !get_size(k, n, "host.memory", &out->memory_kb))
        return false;
    if ((n = json_get(h, "dom0")) &&
        !get_size(k, n, "host.dom0", &out->dom0_kb))
        return false;
    if ((n = json_get(h, "paging"))) {
        if (!get_bool(k, n, "host.paging", &b))
            return false;
        out->paging = b;
    }
    if ((n = json_get(h, "sharing"))) {
        if (!get_bool(k, n, "host.sharing", &b))
            return false;
        out->sharing = b;
    }
    if ((n = json_get(h, "paging_rate_mib_s")) &&
        !get_num(k, n, "host.paging_rate_mib_s", 0.001, 1e6,
                 &out->paging_rate_mib_s))
        return false;
    if (out->memory_kb && out->dom0_kb >= out->memory_kb)
        return fail(k, h, "host.dom0", "must be less than host.memory");
    return true;
}

static bool check_demand(struct chk *k, const struct jnode *n,
                         const char *where, struct sc_domain *d)
{
    char f[160];
    size_t i;

    if (n->type != J_ARR) {
        d->demand = calloc(1, sizeof(*d->demand));
        if (!d->demand)
            return fail(k, n, where, "out of memory");
        d->ndemand = 1;
        return get_size(k, n, where, &d->demand[0].kb);
    }
    if (!n->n)
        return fail(k, n, where, "must not be an empty list");
    d->demand = calloc(n->n, sizeof(*d->demand));
    if (!d->demand)
        return fail(k, n, where, "out of memory");
    d->ndemand = n->n;
    for (i = 0; i < n->n; i++) {
        const struct jnode *p = n->items[i];

        FIELD(f, "%s[%zu]", where, i);
        if (p->type != J_ARR || p->n != 2)
            return fail(k, p, f, "must be [seconds, size]");
        if (!get_time(k, p->items[0], f, &d->demand[i].t) ||
            !get_size(k, p->items[1], f, &d->demand[i].kb))
            return false;
        if (i && d->demand[i].t < d->demand[i - 1].t)
            return fail(k, p, f, "times must not go backwards");
    }
    return true;
}

static bool check_sharing(struct chk *k, const struct jnode *s,
                          const char *where, struct share_profile *p)
{
    static const char *const keys[] = { "image",     "zero",    "shared",
                                        "cow_per_s", "collide", NULL };
    const struct jnode *n;
    const char *str = NULL;
    char f[160];

    if (!known_keys(k, s, where, keys))
        return false;
    if ((n = json_get(s, "image"))) {
        if (!get_str(k, n, FIELD(f, "%s.image", where), &str))
            return false;
        if (!*str || strlen(str) >= sizeof(p->image))
            return fail(k, n, f, "must be 1 to %zu characters",
                        sizeof(p->image) - 1);
        strcpy(p->image, str);
    }
    if ((n = json_get(s, "zero")) &&
        !get_num(k, n, FIELD(f, "%s.zero", where), 0, 1, &p->zero))
        return false;
    if ((n = json_get(s, "shared")) &&
        !get_num(k, n, FIELD(f, "%s.shared", where), 0, 1, &p->shared))
        return false;
    if ((n = json_get(s, "collide")) &&
        !get_num(k, n, FIELD(f, "%s.collide", where), 0, 1, &p->collide))
        return false;
    if (p->zero + p->shared > 1)
        return fail(k, s, where, "zero + shared must not exceed 1");
    if ((n = json_get(s, "cow_per_s")) &&
        !get_num(k, n, FIELD(f, "%s.cow_per_s", where), 0, 1e9, &p->cow_per_s))
        return false;
    return true;
}

static bool check_domain(struct chk *k, struct scenario *sc, size_t idx,
                         const struct jnode *o)
{
    static const char *const keys[] = { "name",
                                        "type",
                                        "hap",
                                        "memory",
                                        "maxmem",
                                        "create_at",
                                        "destroy_at",
                                        "balloon",
                                        "rate_mib_s",
                                        "demand",
                                        "sharing",
                                        "memory_policy",
                                        "memory_policy_args",
                                        "meminfo",
                                        "psi",
                                        "noise",
                                        "vga",
                                        "videoram",
                                        NULL };
    struct sc_domain *d = &sc->doms[idx];
    struct hv_domain_config *c = &d->cfg;
    const struct jnode *n;
    const char *s = NULL;
    char w[64], f[160];
    size_t i;

    FIELD(w, "domains[%zu]", idx);
    hv_domain_config_init(c);
    d->destroy_at = -1;
    if (!known_keys(k, o, w, keys))
        return false;
    if (!(n = json_get(o, "name")))
        return fail(k, o, w, "\"name\" is required");
    if (!get_str(k, n, FIELD(f, "%s.name", w), &s))
        return false;
    if (!*s || strlen(s) > HV_NAME_MAX || strpbrk(s, " /,=\"\\%{}"))
        return fail(k, n, f,
                    "must be 1 to %d characters without spaces "
                    "or / , = \" \\ %% { }",
                    HV_NAME_MAX);
    strcpy(c->name, s);
    for (i = 0; i < idx; i++)
        if (!strcmp(sc->doms[i].cfg.name, s))
            return fail(k, n, f, "name \"%s\" is used twice", s);
    if ((n = json_get(o, "type"))) {
        if (!get_str(k, n, FIELD(f, "%s.type", w), &s))
            return false;
        if (!strcmp(s, "pv"))
            c->type = HV_PV;
        else if (!strcmp(s, "hvm"))
            c->type = HV_HVM;
        else if (!strcmp(s, "pvh"))
            c->type = HV_PVH;
        else
            return fail(k, n, f, "must be \"pv\", \"pvh\" or \"hvm\"");
    }
    if ((n = json_get(o, "vga"))) {
        if (!get_str(k, n, FIELD(f, "%s.vga", w), &s))
            return false;
        if (c->type != HV_HVM)
            return fail(k, n, f, "only for \"type\": \"hvm\"");
        if (hv_vga_parse(s, &c->vga))
            return fail(k, n, f,
                        "must be \"cirrus\", \"stdvga\", \"none\" or "
                        "\"qxl\"");
    }
    if ((n = json_get(o, "videoram"))) {
        uint64_t kb;

        if (!get_size(k, n, FIELD(f, "%s.videoram", w), &kb))
            return false;
        if (c->type != HV_HVM)
            return fail(k, n, f, "only for \"type\": \"hvm\"");
        if (kb < hv_vga_min_kb(c->vga))
            return fail(k, n, f, "must be at least %" PRIu64 " KiB for vga %s",
                        hv_vga_min_kb(c->vga), hv_vga_name(c->vga));
        c->videoram_kb = (int64_t)kb;
    }
    if ((n = json_get(o, "hap")) &&
        !get_bool(k, n, FIELD(f, "%s.hap", w), &c->hap))
        return false;
    if (!(n = json_get(o, "memory")))
        return fail(k, o, w, "\"memory\" is required");
    if (!get_size(k, n, FIELD(f, "%s.memory", w), &c->memory_kb))
        return false;
    if (c->memory_kb < 4096)
        return fail(k, n, f, "must be at least 4 MiB");
    c->maxmem_kb = c->memory_kb;
    if ((n = json_get(o, "maxmem"))) {
        if (!get_size(k, n, FIELD(f, "%s.maxmem", w), &c->maxmem_kb))
            return false;
        if (c->maxmem_kb < c->memory_kb)
            return fail(k, n, f, "must not be less than memory");
    }
    if ((n = json_get(o, "create_at")) &&
        !get_time(k, n, FIELD(f, "%s.create_at", w), &d->create_at))
        return false;
    if ((n = json_get(o, "destroy_at"))) {
        if (!get_time(k, n, FIELD(f, "%s.destroy_at", w), &d->destroy_at))
            return false;
        if (d->destroy_at < d->create_at)
            return fail(k, n, f, "must not be before create_at");
    }
    if ((n = json_get(o, "balloon"))) {
        if (!get_str(k, n, FIELD(f, "%s.balloon", w), &s))
            return false;
        if (balloon_mode_parse(s, &c->guest.balloon))
            return fail(k, n, f,
                        "must be \"cooperative\", \"slow\", "
                        "\"stuck\" or \"none\"");
    }
    if ((n = json_get(o, "rate_mib_s")) &&
        !get_num(k, n, FIELD(f, "%s.rate_mib_s", w), 0.001, 1e6,
                 &c->guest.rate_mib_s))
        return false;
    if ((n = json_get(o, "demand"))) {
        if (!check_demand(k, n, FIELD(f, "%s.demand", w), d))
            return false;
        /* The first point is the demand at creation. */
        c->guest.demand_kb = d->demand[0].kb;
        c->guest.demand_set = true;
    }
    if ((n = json_get(o, "sharing")) &&
        !check_sharing(k, n, FIELD(f, "%s.sharing", w), &c->guest.share))
        return false;
    if ((n = json_get(o, "meminfo"))) {
        if (!get_str(k, n, FIELD(f, "%s.meminfo", w), &s))
            return false;
        if (meminfo_format_parse(s, &c->guest.meminfo))
            return fail(k, n, f, "must be \"used\", \"legacy\" or \"none\"");
    }
    if ((n = json_get(o, "psi")) &&
        !get_bool(k, n, FIELD(f, "%s.psi", w), &c->guest.psi))
        return false;
    if ((n = json_get(o, "noise")) &&
        !get_size(k, n, FIELD(f, "%s.noise", w), &c->guest.noise_kb))
        return false;
    if (!c->guest.share.image[0])
        strcpy(c->guest.share.image, c->name);
    if ((n = json_get(o, "memory_policy"))) {
        if (!get_str(k, n, FIELD(f, "%s.memory_policy", w), &s))
            return false;
        if (strlen(s) > 64 ||
            strspn(s,
                   "abcdefghijklmnopqrstuvwxyz"
                   "0123456789-") != strlen(s))
            return fail(k, n, f, "must be an actor name [a-z0-9-]{0,64}");
        c->memory_policy = strdup(s);
    }
    if ((n = json_get(o, "memory_policy_args"))) {
        if (!get_str(k, n, FIELD(f, "%s.memory_policy_args", w), &s))
            return false;
        if (strlen(s) > 1024 || strpbrk(s, " \t\n"))
            return fail(k, n, f,
                        "must be key=value,... without spaces, "
                        "at most 1024 bytes");
        c->memory_policy_args = strdup(s);
    }
    return true;
}

int scenario_find_domain(const struct scenario *sc, const char *name)
{
    size_t i;

    for (i = 0; i < sc->ndoms; i++)
        if (!strcmp(sc->doms[i].cfg.name, name))
            return (int)i;
    return -1;
}

/* Every %{name} in s must name a domain of the scenario. */
static bool check_refs(struct chk *k, const struct scenario *sc,
                       const struct jnode *n, const char *field, const char *s)
{
    const char *p, *e;
    char name[HV_NAME_MAX + 1];

    for (p = strstr(s, "%{"); p; p = strstr(e, "%{")) {
        e = strchr(p, '}');
        if (!e || (size_t)(e - p - 2) > HV_NAME_MAX)
            return fail(k, n, field, "unterminated %%{name}");
        memcpy(name, p + 2, (size_t)(e - p - 2));
        name[e - p - 2] = 0;
        if (scenario_find_domain(sc, name) < 0)
            return fail(k, n, field, "no domain \"%s\" in this scenario", name);
    }
    return true;
}

static bool check_action(struct chk *k, struct scenario *sc, size_t idx,
                         const struct jnode *o)
{
    static const char *const keys[] = { "at",      "domain", "write",
                                        "value",   "rm",     "run",
                                        "destroy", "set",    NULL };
    static const char *const set_keys[] = { "balloon", "rate_mib_s", "demand",
                                            "cow_per_s", NULL };
    struct sc_action *a = &sc->acts[idx];
    const struct jnode *n, *set;
    const char *s = NULL;
    char w[64], f[160];
    int kinds = 0;

    FIELD(w, "actions[%zu]", idx);
    a->dom = -1;
    if (!known_keys(k, o, w, keys))
        return false;
    a->line = o->line;
    if (!(n = json_get(o, "at")))
        return fail(k, o, w, "\"at\" is required");
    if (!get_time(k, n, FIELD(f, "%s.at", w), &a->at))
        return false;
    if ((n = json_get(o, "domain"))) {
        if (!get_str(k, n, FIELD(f, "%s.domain", w), &s))
            return false;
        a->dom = scenario_find_domain(sc, s);
        if (a->dom < 0)
            return fail(k, n, f, "no domain \"%s\" in this scenario", s);
    }
    kinds = !!json_get(o, "write") + !!json_get(o, "rm") +
        !!json_get(o, "run") + !!json_get(o, "destroy") + !!json_get(o, "set");
    if (kinds != 1)
        return fail(k, o, w,
                    "needs exactly one of \"write\", \"rm\", "
                    "\"run\", \"destroy\", \"set\"");
    if ((n = json_get(o, "write")) || (n = json_get(o, "rm"))) {
        a->kind = json_get(o, "write") ? A_WRITE : A_RM;
        FIELD(f, "%s.%s", w, a->kind == A_WRITE ? "write" : "rm");
        if (!get_str(k, n, f, &s) || !check_refs(k, sc, n, f, s))
            return false;
        if (s[0] != '/' && a->dom < 0)
            return fail(k, n, f, "a relative path needs \"domain\"");
        a->path = strdup(s);
        if (a->kind == A_WRITE) {
            if (!(n = json_get(o, "value")))
                return fail(k, o, w, "\"write\" needs \"value\"");
            if (n->type != J_STR && n->type != J_NUM)
                return fail(k, n, FIELD(f, "%s.value", w),
                            "must be a string or a number");
            a->value = strdup(n->str);
        }
    } else if ((n = json_get(o, "run"))) {
        a->kind = A_RUN;
        if (!get_str(k, n, FIELD(f, "%s.run", w), &s) ||
            !check_refs(k, sc, n, f, s))
            return false;
        a->cmd = strdup(s);
    } else if ((n = json_get(o, "destroy"))) {
        a->kind = A_DESTROY;
        if (!get_str(k, n, FIELD(f, "%s.destroy", w), &s))
            return false;
        a->dom = scenario_find_domain(sc, s);
        if (a->dom < 0)
            return fail(k, n, f, "no domain \"%s\" in this scenario", s);
    } else {
        set = json_get(o, "set");
        a->kind = A_SET;
        FIELD(w, "actions[%zu].set", idx);
        if (a->dom < 0)
            return fail(k, set, w, "needs \"domain\"");
        if (!known_keys(k, set, w, set_keys))
            return false;
        if ((n = json_get(set, "balloon"))) {
            if (!get_str(k, n, FIELD(f, "%s.balloon", w), &s))
                return false;
            if (balloon_mode_parse(s, &a->balloon))
                return fail(k, n, f,
                            "must be \"cooperative\", \"slow\", "
                            "\"stuck\" or \"none\"");
            a->has_balloon = true;
        }
        if ((n = json_get(set, "rate_mib_s"))) {
            if (!get_num(k, n, FIELD(f, "%s.rate_mib_s", w), 0.001, 1e6,
                         &a->rate))
                return false;
            a->has_rate = true;
        }
        if ((n = json_get(set, "demand"))) {
            if (!get_size(k, n, FIELD(f, "%s.demand", w), &a->demand_kb))
                return false;
            a->has_demand = true;
        }
        if ((n = json_get(set, "cow_per_s"))) {
            if (!get_num(k, n, FIELD(f, "%s.cow_per_s", w), 0, 1e9, &a->cow))
                return false;
            a->has_cow = true;
        }
    }
    return true;
}

static bool check_top(struct chk *k, struct scenario *sc,
                      const struct jnode *root)
{
    static const char *const keys[] = { "host", "duration", "domains",
                                        "actions", NULL };
    const struct jnode *n;
    size_t i;

    if (!known_keys(k, root, "scenario", keys))
        return false;
    sc->host.paging = sc->host.sharing = -1;
    sc->duration = -1;
    if ((n = json_get(root, "host")) && !check_host(k, n, &sc->host))
        return false;
    if ((n = json_get(root, "duration")) &&
        !get_time(k, n, "duration", &sc->duration))
        return false;
    if ((n = json_get(root, "domains"))) {
        if (n->type != J_ARR)
            return fail(k, n, "domains", "must be a list");
        sc->doms = calloc(n->n + 1, sizeof(*sc->doms));
        if (!sc->doms)
            return fail(k, n, "domains", "out of memory");
        for (i = 0; i < n->n; i++) {
            sc->ndoms = i + 1;
            if (!check_domain(k, sc, i, n->items[i]))
                return false;
        }
    }
    if ((n = json_get(root, "actions"))) {
        if (n->type != J_ARR)
            return fail(k, n, "actions", "must be a list");
        sc->acts = calloc(n->n + 1, sizeof(*sc->acts));
        if (!sc->acts)
            return fail(k, n, "actions", "out of memory");
        for (i = 0; i < n->n; i++) {
            sc->nacts = i + 1;
            if (!check_action(k, sc, i, n->items[i]))
                return false;
        }
    }
    return true;
}

struct scenario *scenario_load(const char *path, char *err, size_t errlen)
{
    struct chk k = { .file = path, .err = err, .errlen = errlen };
    struct scenario *sc;
    struct jnode *root;
    char *text = NULL, perr[256];
    size_t len = 0, cap = 0;
    FILE *f = fopen(path, "r");

    if (!f) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t n;

        if (len + 4096 > cap) {
            char *t = realloc(text, cap = cap * 2 + 4096);

            if (!t) {
                fclose(f);
                free(text);
                snprintf(err, errlen, "%s: out of memory", path);
                return NULL;
            }
            text = t;
        }
        n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len > (16u << 20)) {
            fclose(f);
            free(text);
            snprintf(err, errlen, "%s: larger than 16 MiB", path);
            return NULL;
        }
    }
    fclose(f);
    root = json_parse(text, len, perr, sizeof(perr));
    free(text);
    if (!root) {
        /* perr is "line N: what": make it FILE:N: what. */
        unsigned line = 1;

        if (sscanf(perr, "line %u:", &line) == 1)
            snprintf(err, errlen, "%s:%u: JSON: %s", path, line,
                     strchr(perr, ':') + 2);
        else
            snprintf(err, errlen, "%s: %s", path, perr);
        return NULL;
    }
    sc = calloc(1, sizeof(*sc));
    if (!sc || !(sc->path = strdup(path))) {
        free(sc);
        json_free(root);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    check_top(&k, sc, root);
    json_free(root);
    if (k.failed) {
        scenario_free(sc);
        return NULL;
    }
    return sc;
}

uint64_t scenario_initial_kb(const struct scenario *sc, unsigned *n)
{
    uint64_t kb = 0;
    size_t i;

    *n = 0;
    for (i = 0; i < sc->ndoms; i++) {
        if (sc->doms[i].create_at > 0)
            continue;
        kb += sc->doms[i].cfg.memory_kb;
        (*n)++;
    }
    return kb;
}

const struct scenario_host *scenario_host(const struct scenario *sc)
{
    return &sc->host;
}

void scenario_free(struct scenario *sc)
{
    size_t i;

    if (!sc)
        return;
    scenario_play_stop(sc);
    for (i = 0; i < sc->ndoms; i++) {
        hv_domain_config_dispose(&sc->doms[i].cfg);
        free(sc->doms[i].demand);
    }
    for (i = 0; i < sc->nacts; i++) {
        free(sc->acts[i].path);
        free(sc->acts[i].value);
        free(sc->acts[i].cmd);
    }
    free(sc->doms);
    free(sc->acts);
    free(sc->path);
    free(sc);
}
