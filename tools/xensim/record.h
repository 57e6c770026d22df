/*
 * record.h: the --record time series (CSV, or JSON lines).
 */
#ifndef XENSIM_RECORD_H
#define XENSIM_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct record;

struct record_row {
    uint64_t t_ms;          /* simulated */
    unsigned domid;
    const char *name;
    const char *event;      /* "" or create, destroy, ... */
    uint64_t target_kb;     /* memory/target */
    uint64_t tot_kb;
    uint64_t max_kb;
    uint64_t paged_kb;
    uint64_t shared_kb;
    uint64_t demand_kb;
    uint64_t shortfall_kb;
    uint64_t host_free_kb;
};

/* JSON lines when path ends in .json or .jsonl, CSV otherwise. */
struct record *record_open(const char *path, char *err, size_t errlen);
void record_close(struct record *r);
void record_write(struct record *r, const struct record_row *row);
void record_flush(struct record *r);

#endif
