/*
 * record.c: writes xensim's --record file.
 *
 * One row per domain and change, at most one a simulated second while a
 * domain moves, plus a row whenever something happens to it (created,
 * target changed, destroyed, stopped moving), so that a step plot of the
 * file is exact at every event.  Host-wide figures ride on every row
 * (host_free_kb), and dom0's rows (domid 0) carry host changes that no
 * guest row shows.  Rows are buffered by stdio and flushed after each
 * tick, so a reader sees whole lines.
 *
 * CSV columns (header line first):
 *   time_s,domid,name,target_kb,tot_kb,max_kb,paged_kb,shared_kb,
 *   demand_kb,shortfall_kb,host_free_kb,event
 * JSON lines: one object per row with the same keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

struct record {
    FILE *f;
    bool json;
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

struct record *record_open(const char *path, char *err, size_t errlen)
{
    struct record *r = calloc(1, sizeof(*r));

    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->json = ends_with(path, ".json") || ends_with(path, ".jsonl");
    r->f = fopen(path, "w");
    if (!r->f) {
        snprintf(err, errlen, "cannot write record file %s: %s", path,
                 strerror(errno));
        free(r);
        return NULL;
    }
    if (!r->json)
        fputs("time_s,domid,name,target_kb,tot_kb,max_kb,paged_kb,"
              "shared_kb,demand_kb,shortfall_kb,host_free_kb,event\n", r->f);
    return r;
}

void record_close(struct record *r)
{
    if (!r)
        return;
    fclose(r->f);
    free(r);
}

void record_write(struct record *r, const struct record_row *w)
{
    /* Names are checked at creation: no quotes, commas or controls. */
    if (r->json)
        fprintf(r->f,
                "{\"time_s\":%" PRIu64 ".%03u,\"domid\":%u,\"name\":\"%s\","
                "\"target_kb\":%" PRIu64 ",\"tot_kb\":%" PRIu64
                ",\"max_kb\":%" PRIu64 ",\"paged_kb\":%" PRIu64
                ",\"shared_kb\":%" PRIu64 ",\"demand_kb\":%" PRIu64
                ",\"shortfall_kb\":%" PRIu64 ",\"host_free_kb\":%" PRIu64
                ",\"event\":\"%s\"}\n",
                w->t_ms / 1000, (unsigned)(w->t_ms % 1000), w->domid,
                w->name, w->target_kb, w->tot_kb, w->max_kb, w->paged_kb,
                w->shared_kb, w->demand_kb, w->shortfall_kb,
                w->host_free_kb, w->event);
    else
        fprintf(r->f,
                "%" PRIu64 ".%03u,%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%s\n",
                w->t_ms / 1000, (unsigned)(w->t_ms % 1000), w->domid,
                w->name, w->target_kb, w->tot_kb, w->max_kb, w->paged_kb,
                w->shared_kb, w->demand_kb, w->shortfall_kb,
                w->host_free_kb, w->event);
}

void record_flush(struct record *r)
{
    if (r)
        fflush(r->f);
}
