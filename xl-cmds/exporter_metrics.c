/*
 * exporter_metrics.c: the metrics of mempolicy-exporter, in Prometheus's
 * text exposition format (version 0.0.4), computed when asked.
 *
 * One scrape costs what `xlmem mem-list` costs: one hypervisor query and
 * a few pipelined store round trips (mempolicy_list_domains,
 * mempolicy_list_status), one read of the host's memory, and one store
 * round trip and one read of /proc per actor for mempolicy_actor_up.
 *
 * Names and units follow Prometheus's conventions: base units (bytes),
 * `_total` only for counters, `_info` for a state carried in a label.
 * Label values come from guests (a domain's name is the guest's to
 * choose in practice) and are made safe twice: first by the library's
 * quoting rule (control characters and bytes >= 0x80 as \xNN, at most
 * EXP_LABEL_MAX bytes, "..." after), so a label reads as xlmem shows the
 * name, then escaped as the exposition format asks (backslash and
 * double quote).  The result is printable ASCII: no name can break a
 * line, end a label early or be invalid UTF-8.  docs/metrics.md lists
 * every metric.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy_actor.h>

#include "exporter.h"

#define EXP_LABEL_MAX 256

/* A label value, quoted then escaped (see the top comment). */
static void label(FILE *f, const char *s)
{
    char q[4 * EXP_LABEL_MAX + 4];
    const char *p;

    mempolicy_quote_n(s ? s : "", EXP_LABEL_MAX, q);
    for (p = q; *p; p++) {
        if (*p == '\\' || *p == '"')
            fputc('\\', f);
        fputc(*p, f);
    }
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void dom_labels(FILE *f, const mempolicy_dominfo *d)
{
    fputs("{domain=\"", f);
    label(f, d->name && *d->name ? d->name : "");
    fprintf(f, "\",domid=\"%u\",actor=\"", d->domid);
    label(f, d->malformed ? "" : d->policy.actor);
    fputc('"', f);
}

/* The domain's state for mempolicy_domain_status_info. */
static const char *state(const mempolicy_dominfo *d, const mempolicy_status *st)
{
    if (d->malformed)
        return "malformed";
    if (d->dying)
        return "dying";
    if (!st->actor[0])
        return "no-actor";
    if (!st->running)
        return "actor-down";
    if (!d->policy.has_target)
        return "no-target";
    switch (mempolicy_target_cmp(d->policy.target_kb, d->videoram_kb,
                                 d->actual_kb)) {
    case -1:
        return "below-target";
    case 0:
        return "at-target";
    default:
        return "above-target";
    }
}

/* One per-domain gauge (or counter) in bytes (or a plain count). */
enum field {
    F_TARGET,
    F_ACTUAL,
    F_OVERHEAD,
    F_MAXMEM,
    F_BALLOON,
    F_PAGING,
    F_PAGED,
    F_SHARED,
    F_COW,
    NFIELDS
};

static const struct {
    const char *name, *type, *help;
} fields[NFIELDS] = {
    [F_TARGET] = { "mempolicy_domain_target_bytes", "gauge",
                   "The domain's policy target (memory-policy/target), "
                   "only where one is set." },
    [F_ACTUAL] = { "mempolicy_domain_actual_bytes", "gauge",
                   "Memory the domain holds (Xen's tot_pages)." },
    [F_OVERHEAD] = { "mempolicy_domain_overhead_bytes", "gauge",
                     "What Xen needs for the domain beyond its memory "
                     "(libxl_domain_need_memory's paging pool and extra; "
                     "0 for dom0)." },
    [F_MAXMEM] = { "mempolicy_domain_maxmem_bytes", "gauge",
                   "Xen's maxmem of the domain (max_pages)." },
    [F_BALLOON] = { "mempolicy_domain_balloon_target_bytes", "gauge",
                    "The balloon driver's target (memory/target)." },
    [F_PAGING] = { "mempolicy_domain_paging_target_bytes", "gauge",
                   "The pager's target (0: not paging)." },
    [F_PAGED] = { "mempolicy_domain_paged_bytes", "gauge",
                  "Memory of the domain paged out to dom0." },
    [F_SHARED] = { "mempolicy_domain_shared_bytes", "gauge",
                   "Memory of the domain in shared pages." },
    [F_COW] = { "mempolicy_domain_cow_breaks_total", "counter",
                "Copy-on-write breaks of the domain's shared pages." },
};

static bool value(const mempolicy_dominfo *d, enum field fld, uint64_t *v)
{
    switch (fld) {
    case F_TARGET:
        *v = d->policy.target_kb * 1024;
        return !d->malformed && d->policy.has_target;
    case F_ACTUAL:
        *v = d->actual_kb * 1024;
        return true;
    case F_OVERHEAD:
        *v = d->overhead_kb * 1024;
        return true;
    case F_MAXMEM:
        *v = d->maxmem_kb * 1024;
        return true;
    case F_BALLOON:
        *v = d->balloon_target_kb * 1024;
        return true;
    case F_PAGING:
        *v = d->paging_target_kb * 1024;
        return true;
    case F_PAGED:
        *v = d->paged_kb * 1024;
        return true;
    case F_SHARED:
        *v = d->shared_kb * 1024;
        return true;
    case F_COW:
        *v = d->cow_breaks;
        return true;
    case NFIELDS:
        break;
    }
    return false;
}

/* Actors to report: the shipped ones, then every other one a domain
 * names (each once). */
static int actor_up(mempolicy_ctx *ctx, FILE *f, const mempolicy_dominfo *l,
                    int n, char *err, size_t errlen)
{
    const mempolicy_param_table *tab;
    const char **names;
    unsigned nt, k, nn = 0, j;
    int i, rc = 0;

    tab = mempolicy_actor_param_tables(&nt);
    names = calloc(nt + (unsigned)n + 1, sizeof(*names));
    if (!names) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (k = 0; k < nt; k++)
        names[nn++] = tab[k].actor;
    for (i = 0; i < n; i++) {
        const char *a = l[i].malformed ? NULL : l[i].policy.actor;

        if (!a || !*a)
            continue;
        for (j = 0; j < nn && strcmp(names[j], a); j++)
            ;
        if (j == nn)
            names[nn++] = a;
    }
    head(f, "mempolicy_actor_up", "gauge",
         "1 if an actor of that name runs (announced and alive), else 0.");
    for (j = 0; j < nn && !rc; j++) {
        bool running = false;

        rc = mempolicy_actor_running(ctx, names[j], &running);
        if (rc == MEMPOLICY_ERROR_INVAL) {
            rc = 0; /* not a name an actor can have: nobody runs it */
            running = false;
        } else if (rc) {
            snprintf(err, errlen, "cannot tell whether actor %s runs: %s",
                     MEMPOLICY_QUOTE(names[j]), mempolicy_last_error(ctx));
            break;
        }
        fputs("mempolicy_actor_up{actor=\"", f);
        label(f, names[j]);
        fprintf(f, "\"} %d\n", running ? 1 : 0);
    }
    free(names);
    return rc ? -1 : 0;
}

int exporter_metrics(mempolicy_ctx *ctx, char **text, size_t *len, char *err,
                     size_t errlen)
{
    mempolicy_dominfo *list = NULL;
    mempolicy_status *st = NULL;
    mempolicy_physinfo host;
    FILE *f;
    int n = 0, i, rc;
    enum field fld;

    *text = NULL;
    *len = 0;
    rc = mempolicy_list_domains(ctx, &list, &n);
    if (rc) {
        snprintf(err, errlen, "cannot list domains: %s",
                 mempolicy_last_error(ctx));
        return -1;
    }
    rc = mempolicy_list_status(ctx, list, n, &st);
    if (!rc)
        rc = mempolicy_get_physinfo(ctx, &host);
    if (rc) {
        snprintf(err, errlen,
                 "cannot read the actors' status or the host's "
                 "memory: %s",
                 mempolicy_last_error(ctx));
        goto out;
    }
    f = open_memstream(text, len);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        goto out;
    }

    head(f, "mempolicy_host_total_bytes", "gauge",
         "Memory of the host (Xen's total_pages).");
    fprintf(f, "mempolicy_host_total_bytes %llu\n",
            (unsigned long long)host.total_kb * 1024);
    head(f, "mempolicy_host_free_bytes", "gauge",
         "Free memory of the host (Xen's free_pages).");
    fprintf(f, "mempolicy_host_free_bytes %llu\n",
            (unsigned long long)host.free_kb * 1024);
    head(f, "mempolicy_host_shared_bytes", "gauge",
         "Memory of the host in shared pages.");
    fprintf(f, "mempolicy_host_shared_bytes %llu\n",
            (unsigned long long)host.shared_kb * 1024);
    head(f, "mempolicy_host_sharing_freed_bytes", "gauge",
         "Memory page sharing gave back to the host.");
    fprintf(f, "mempolicy_host_sharing_freed_bytes %llu\n",
            (unsigned long long)host.freed_by_sharing_kb * 1024);

    for (fld = 0; fld < NFIELDS; fld++) {
        head(f, fields[fld].name, fields[fld].type, fields[fld].help);
        for (i = 0; i < n; i++) {
            uint64_t v;

            if (!value(&list[i], fld, &v))
                continue;
            fputs(fields[fld].name, f);
            dom_labels(f, &list[i]);
            fprintf(f, "} %llu\n", (unsigned long long)v);
        }
    }
    head(f, "mempolicy_domain_status_info", "gauge",
         "The domain's state, in the status label (no-actor, actor-down, "
         "no-target, below-target, at-target, above-target, dying, "
         "malformed); always 1.");
    for (i = 0; i < n; i++) {
        fputs("mempolicy_domain_status_info", f);
        dom_labels(f, &list[i]);
        fprintf(f, ",status=\"%s\"} 1\n", state(&list[i], &st[i]));
    }
    rc = actor_up(ctx, f, list, n, err, errlen);
    if (fclose(f) && !rc) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc) {
        free(*text);
        *text = NULL;
        *len = 0;
    }
out:
    mempolicy_status_list_free(st, n);
    mempolicy_dominfo_list_free(list, n);
    return rc ? -1 : 0;
}
