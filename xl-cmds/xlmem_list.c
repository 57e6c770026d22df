/*
 * xlmem_list.c: mem-list, the memory view of `xl list`.
 *
 * One row per domain, sorted by id, in xl list's layout (name first,
 * fixed columns, sizes in MiB rounded down); the free-form actor
 * parameters and the status line the domain's actor publishes
 * (libmempolicy's "who serves what"; "actor not running" when its daemon
 * is down) go last so that the fixed columns stay aligned.  "-" marks
 * an unset value (no actor, no parameters, no policy target).  With -j
 * the library's JSON rendering (yajl) is printed instead, with every size
 * in KiB as stored.  Named domains are all looked up before anything is
 * printed, so a bad name gives an error and no partial table.  In a full
 * list a domain whose nodes hold garbage is shown, marked "!garbage" with
 * the reason and the repair, instead of failing the whole list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "xlmem.h"

/*
 * "Saved": memory the sharing actor freed by sharing this domain's pages
 * (its report /libxl/<domid>/memory-sharing/saved_kb, docs/actors.md),
 * "-" for a domain it does not serve.  Read-only xenstore connection,
 * opened only if some domain has a report.
 */
static bool saved_kb(const mempolicy_dominfo *d, struct xs_handle **xs,
                     unsigned long long *kb)
{
    char path[64], *v, *end;
    unsigned vlen;
    bool ok;

    if (!d->policy.actor || strcmp(d->policy.actor, "sharing"))
        return false;
    if (!*xs)
        *xs = xs_open(XS_OPEN_READONLY);
    if (!*xs)
        return false;
    snprintf(path, sizeof(path),
             "/libxl/%u/" MEMPOLICY_SHARING_REPORT "/saved_kb", d->domid);
    v = xs_read(*xs, XBT_NULL, path, &vlen);
    if (!v)
        return false;
    *kb = strtoull(v, &end, 10);
    ok = end != v && !*end && v[0] >= '0' && v[0] <= '9';
    free(v);
    return ok;
}

static void saved_column(const mempolicy_dominfo *d, struct xs_handle **xs,
                         char *buf, size_t len)
{
    unsigned long long kb;

    if (saved_kb(d, xs, &kb))
        snprintf(buf, len, "%llu", xlmem_mib(kb));
    else
        snprintf(buf, len, "-");
}

/*
 * -j: {"host": {total_kb, free_kb, shared_kb, freed_by_sharing_kb},
 * "domains": [the library's object of each domain, plus "saved_kb"
 * (null where the sharing actor reports nothing)]}.
 */
static int print_json(mempolicy_ctx *ctx, const mempolicy_dominfo *list,
                      int n, const mempolicy_physinfo *host)
{
    struct xs_handle *xs = NULL;
    int i, rc = 0;

    printf("{\n  \"host\": {\n    \"total_kb\": %llu,\n    \"free_kb\": "
           "%llu,\n    \"shared_kb\": %llu,\n    "
           "\"freed_by_sharing_kb\": %llu\n  },\n  \"domains\": [",
           (unsigned long long)host->total_kb,
           (unsigned long long)host->free_kb,
           (unsigned long long)host->shared_kb,
           (unsigned long long)host->freed_by_sharing_kb);
    for (i = 0; i < n && !rc; i++) {
        char *s = mempolicy_dominfo_to_json(ctx, &list[i]);
        unsigned long long kb;
        char *end;

        /* The library's object, closed by its last '}': saved_kb goes
         * in just before. */
        end = s ? strrchr(s, '}') : NULL;
        if (!end) {
            xlmem_err("cannot render JSON");
            rc = -1;
        } else {
            *end = '\0';
            while (end > s && (end[-1] == '\n' || end[-1] == ' '))
                *--end = '\0';
            fputs(i ? ",\n" : "\n", stdout);
            fputs(s, stdout);
            if (saved_kb(&list[i], &xs, &kb))
                printf(",\n    \"saved_kb\": %llu\n}", kb);
            else
                printf(",\n    \"saved_kb\": null\n}");
        }
        free(s);
    }
    printf("%s]\n}\n", n ? "\n  " : "");
    if (xs)
        xs_close(xs);
    return rc;
}

static int print_table(const mempolicy_dominfo *list, int n)
{
    struct xs_handle *xs = NULL;
    mempolicy_status *st = NULL;
    int i, rc;

    rc = mempolicy_list_status(xlmem_ctx(), list, n, &st);
    if (rc)
        return xlmem_lib_err(rc, "cannot read the actors' status");
    printf("%-32s %5s %-12s %7s %7s %7s %7s %6s %6s %6s  %-16s %s\n", "Name",
           "ID", "Actor", "Target", "Enforce", "Balloon", "Actual", "Paged",
           "Shared", "Saved", "Params", "Status");
    for (i = 0; i < n; i++) {
        const mempolicy_dominfo *d = &list[i];
        const mempolicy_policy *p = &d->policy;
        char target[24], saved[24], status[MEMPOLICY_STATUS_MAX + 32];

        if (p->has_target)
            snprintf(target, sizeof(target), "%llu",
                     xlmem_mib(p->target_kb));
        else
            snprintf(target, sizeof(target), "-");
        saved_column(d, &xs, saved, sizeof(saved));
        if (d->malformed) {
            /* Listed all the same, marked: the repair is a full write. */
            printf("%-32s %5u %-12s %s (repair: xlmem mem-policy-set -t "
                   "SIZE %u ACTOR)\n",
                   d->name && *d->name ? XQ(d->name) : "-", d->domid,
                   "!garbage", d->malformed, d->domid);
            continue;
        }
        xlmem_status_column(d, &st[i], status, sizeof(status));
        printf("%-32s %5u %-12s %7s %7d %7llu %7llu %6llu %6llu %6s  %-16s "
               "%s\n",
               d->name && *d->name ? XQ(d->name) : "-", d->domid,
               p->actor && *p->actor ? p->actor : "-", target,
               p->enforce ? 1 : 0, xlmem_mib(d->balloon_target_kb),
               xlmem_mib(d->actual_kb), xlmem_mib(d->paged_kb),
               xlmem_mib(d->shared_kb), saved,
               p->actor_params && *p->actor_params ? p->actor_params : "-",
               status);
    }
    if (xs)
        xs_close(xs);
    mempolicy_status_list_free(st, n);
    return 0;
}

int main_mem_list(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    mempolicy_ctx *ctx;
    mempolicy_dominfo *list = NULL;
    mempolicy_physinfo host;
    bool json = false;
    int opt, n = 0, i, rc = 0;

    while ((opt = xlmem_getopt(argc, argv, "j", opts, 0, -1)) != -1) {
        if (opt == 'j')
            json = true;
    }
    ctx = xlmem_ctx();

    if (optind >= argc) {
        rc = mempolicy_list_domains(ctx, &list, &n);
        if (rc)
            return xlmem_lib_err(rc, "cannot list domains");
    } else {
        int want = argc - optind;
        uint32_t *domids = calloc((size_t)want, sizeof(*domids));

        list = calloc((size_t)want, sizeof(*list));
        if (!domids || !list) {
            xlmem_err("out of memory");
            exit(XLMEM_EXIT_FAIL);
        }
        for (i = 0; i < want; i++)
            domids[i] = xlmem_find_domain(argv[optind + i]);
        for (n = 0; n < want; n++) {
            rc = mempolicy_domain_info(ctx, domids[n], &list[n]);
            if (rc) {
                xlmem_lib_err(rc, "cannot read %s", xlmem_dom(domids[n]));
                break;
            }
        }
        free(domids);
        if (rc) {
            mempolicy_dominfo_list_free(list, n);
            return XLMEM_EXIT_FAIL;
        }
    }

    rc = mempolicy_get_physinfo(ctx, &host);
    if (rc) {
        mempolicy_dominfo_list_free(list, n);
        return xlmem_lib_err(rc, "cannot read the host's memory");
    }
    if (json) {
        rc = print_json(ctx, list, n, &host);
    } else {
        rc = print_table(list, n);
        if (!rc)
            printf("Host: total %llu MiB, free %llu MiB\n",
                   xlmem_mib(host.total_kb), xlmem_mib(host.free_kb));
    }
    mempolicy_dominfo_list_free(list, n);
    return rc ? XLMEM_EXIT_FAIL : XLMEM_EXIT_OK;
}
