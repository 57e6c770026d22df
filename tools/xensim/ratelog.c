/*
 * ratelog.c: at most one log line a minute per source (ratelog.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "ratelog.h"

void ratelog(struct ratelog *r, uint64_t now_ms, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (r->started && now_ms - r->last_ms < RATELOG_INTERVAL_MS) {
        r->held++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (r->held)
        fprintf(stderr,
                "xensim: %s (and %lu more lines of this source in "
                "the last %" PRIu64 " s, not logged: one a minute)\n",
                line, r->held, (now_ms - r->last_ms) / 1000);
    else
        fprintf(stderr, "xensim: %s\n", line);
    r->started = true;
    r->last_ms = now_ms;
    r->held = 0;
}

void ratelog_flush(struct ratelog *r, const char *who)
{
    if (r->held)
        fprintf(stderr,
                "xensim: %s: %lu more lines not logged (one a "
                "minute) before it went away\n",
                who, r->held);
    r->held = 0;
}
