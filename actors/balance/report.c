/*
 * report.c: the guest's reports, untrusted (see report.h).
 */
#include <string.h>

#include "report.h"

bool br_ignored(const struct br_guard *g, uint64_t now_ms)
{
    return now_ms < g->ignore_until_ms;
}

void br_strike(struct br_guard *g, uint64_t now_ms, const char *why)
{
    uint64_t pen = BR_PENALTY_MS;
    unsigned i;

    if (g->strikes && now_ms - g->last_strike_ms > BR_FORGIVE_MS)
        g->strikes = 0;
    for (i = 0; i < g->strikes && pen < BR_PENALTY_MAX_MS; i++)
        pen *= 2;
    if (pen > BR_PENALTY_MAX_MS)
        pen = BR_PENALTY_MAX_MS;
    g->strikes++;
    g->last_strike_ms = now_ms;
    g->ignore_until_ms = now_ms + pen;
    g->why = why;
}

bool br_admit(struct br_guard *g, uint64_t now_ms)
{
    if (br_ignored(g, now_ms))
        return false;
    if (now_ms - g->window_ms >= 1000 || now_ms < g->window_ms) {
        g->window_ms = now_ms;
        g->window_n = 0;
    }
    if (++g->window_n > BR_FLOOD_MAX) {
        br_strike(g, now_ms, "more than 20 reports a second");
        return false;
    }
    return true;
}

bool br_may_log(struct br_guard *g, uint64_t now_ms)
{
    if (g->last_log_ms && now_ms - g->last_log_ms < BR_LOG_EVERY_MS) {
        g->suppressed++;
        return false;
    }
    g->last_log_ms = now_ms ? now_ms : 1;
    return true;
}
