/*
 * ratelog.h: at most one log line a minute for one source of trouble.
 *
 * A client that misbehaves on purpose (a guest sending oversized
 * payloads or opening connection after connection, a dom0 client that
 * never reads) makes one event per attempt, and an attempt costs it
 * nothing: one log line per event would let a guest fill the host's
 * disk.  Each source (a guest, dom0's clients, the hv channel) has a
 * struct ratelog; the first line goes out, the others within
 * RATELOG_INTERVAL_MS are counted, and the next line let through says
 * how many were held back, as Linux's printk rate limit does ("N
 * callbacks suppressed", lib/ratelimit.c) and in the spirit of
 * xenstored's per-domain quota warnings (tools/xenstore/
 * xenstored_domain.c, mem_last_msg: one message per
 * MEM_WARN_MINTIME_SEC).  Nothing is timed: the count of a quiet source
 * comes out with its next line or when the source goes away
 * (ratelog_flush), so an idle xensim makes no wake-up for it.
 *
 * Time is the caller's: xensim passes its simulated clock, so a test
 * that holds the clock decides what falls in one interval.
 */
#ifndef XENSIM_RATELOG_H
#define XENSIM_RATELOG_H

#include <stdbool.h>
#include <stdint.h>

#define RATELOG_INTERVAL_MS 60000u

struct ratelog {
    uint64_t last_ms;   /* when the last line went out */
    unsigned long held; /* lines held back since then */
    bool started;       /* a line went out once */
};

/*
 * Log "xensim: " + the formatted line on stderr, unless a line of this
 * source went out less than RATELOG_INTERVAL_MS before now_ms; then it
 * is only counted.  A line let through after some were held back ends
 * with how many.  The line is the caller's: one line, no newline,
 * nothing from the client in it unescaped.
 */
void ratelog(struct ratelog *r, uint64_t now_ms, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The source goes away (a domain is destroyed, xensim stops): if lines
 * were held back, one line saying how many, naming the source `who`.
 * The count starts again from zero.
 */
void ratelog_flush(struct ratelog *r, const char *who);

#endif
