/*
 * report.h: what a guest writes for the balance actor, taken as the
 * untrusted input it is.
 *
 * The values themselves are parsed by the library
 * (mempolicy_meminfo_parse, mempolicy_pressure_parse: digits only, one
 * '.' for pressure, bounded length and value); this is what the actor
 * does about a guest that writes garbage or too often.
 *
 * A guest that writes garbage, or more than BR_FLOOD_MAX reports in a
 * second (meminfo-writer looks every 100 ms, so at most 10), is ignored
 * for BR_PENALTY_MS, doubling for each repeat up to BR_PENALTY_MAX_MS,
 * forgiven after BR_FORGIVE_MS of good behaviour.  While ignored, its
 * watch events cost a comparison and nothing else (no read), so it never
 * slows the others.  Logs about one guest: at most one a minute.
 */
#ifndef BALANCE_REPORT_H
#define BALANCE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#define BR_VALUE_MAX 20 /* bytes of a sane report */
#define BR_FLOOD_MAX 20 /* reports per second */
#define BR_PENALTY_MS 10000u
#define BR_PENALTY_MAX_MS 300000u
#define BR_FORGIVE_MS 600000u
#define BR_LOG_EVERY_MS 60000u

struct br_guard {
    uint64_t window_ms; /* start of the current 1 s window */
    unsigned window_n;
    uint64_t ignore_until_ms;
    unsigned strikes;
    uint64_t last_strike_ms;
    uint64_t last_log_ms; /* 0: never logged */
    unsigned suppressed;  /* problems not logged since */
    const char *why;      /* the last problem (static string) */
};

/* A report event arrived: true if it may be read now (not ignored, not
 * flooding; a flood starts a penalty). */
bool br_admit(struct br_guard *g, uint64_t now_ms);
/* The report was bad: start a penalty. */
void br_strike(struct br_guard *g, uint64_t now_ms, const char *why);
/* Ignored now? */
bool br_ignored(const struct br_guard *g, uint64_t now_ms);
/* May we log about this guest now (once a minute)?  Counts the rest. */
bool br_may_log(struct br_guard *g, uint64_t now_ms);

#endif
