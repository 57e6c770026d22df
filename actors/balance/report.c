/*
 * report.c: the guest's reports, untrusted (see report.h).
 */
#include <string.h>

#include "report.h"

int br_parse_used(const char *v, unsigned len, uint64_t *kb, const char **why)
{
    uint64_t n = 0;
    unsigned i;

    if (!v || !len) {
        *why = "empty report";
        return -1;
    }
    if (len > BR_VALUE_MAX) {
        *why = "report too long";
        return -1;
    }
    for (i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9') {
            *why = "report is not a number";
            return -1;
        }
        if (n > (UINT64_MAX - 9) / 10) {
            *why = "report out of range";
            return -1;
        }
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    *kb = n;
    return 0;
}

int br_parse_psi(const char *v, unsigned len, unsigned *x100, const char **why)
{
    unsigned i, n = 0, frac = 0, fdigits = 0;
    bool dot = false;

    if (!v || !len || len > 6) {
        *why = "pressure not of the form 12.34";
        return -1;
    }
    for (i = 0; i < len; i++) {
        if (v[i] == '.' && !dot && i > 0) {
            dot = true;
            continue;
        }
        if (v[i] < '0' || v[i] > '9' || (dot && fdigits == 2)) {
            *why = "pressure not of the form 12.34";
            return -1;
        }
        if (dot) {
            frac = frac * 10 + (unsigned)(v[i] - '0');
            fdigits++;
        } else {
            n = n * 10 + (unsigned)(v[i] - '0');
        }
    }
    if (dot && !fdigits) {
        *why = "pressure not of the form 12.34";
        return -1;
    }
    if (fdigits == 1)
        frac *= 10;
    if (n > 100 || (n == 100 && frac)) {
        *why = "pressure above 100%";
        return -1;
    }
    *x100 = n * 100 + frac;
    return 0;
}

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
