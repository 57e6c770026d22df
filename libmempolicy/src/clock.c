/*
 * clock.c: the host's clock as the library sees it, in milliseconds.
 *
 * On a real host it is CLOCK_MONOTONIC: an actor's delay is real time.
 * On xensim it is the simulated clock, which runs --speed times faster
 * and which a test may pause, step and resume (docs/hv-channel.md,
 * `clock`).  xensim publishes it as /tool/xensim/clock = "BASE ANCHOR
 * RATE": host time = BASE + (CLOCK_MONOTONIC ms - ANCHOR) x RATE, RATE
 * 0 while the clock is held.  CLOCK_MONOTONIC is one clock for every
 * process of the machine, so reading the node once is enough while the
 * clock runs; a context that follows the clock (the actor kit) watches
 * the node, and the event code re-reads it on every change.
 *
 * An xensim from before the node existed only had --speed: then host
 * time is the real time since this context opened, times the speed.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static double mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Parse "BASE ANCHOR RATE"; false if malformed. */
bool mp_clock_parse(const char *v, struct mp_clock *c)
{
    unsigned long long base, anchor;
    double rate;
    int n = -1;

    if (sscanf(v, "%llu %llu %lf%n", &base, &anchor, &rate, &n) != 3 ||
        v[n] || !(rate >= 0) || rate > 1e6)
        return false;
    c->base_ms = base;
    c->anchor_ms = anchor;
    c->rate = rate;
    return true;
}

void mp_clock_reread(mempolicy_ctx *ctx)
{
    const char *node = ctx->be->clock_node;
    unsigned len;
    char *v;

    if (!node)
        return;
    v = xs_read(ctx->xsh, XBT_NULL, node, &len);
    if (v && !mp_clock_parse(v, &ctx->clock))
        mp_log(ctx, XTL_WARN, "%s: malformed value '%.40s'; the clock "
               "keeps its last state", node, v);
    free(v);
}

void mp_clock_init(mempolicy_ctx *ctx)
{
    double speed = ctx->be->clock_speed(ctx);

    /* Real time (Xen), or real time since now x speed (an old xensim). */
    ctx->clock.base_ms = 0;
    ctx->clock.anchor_ms = ctx->be->clock_node ? (uint64_t)mono_ms() : 0;
    ctx->clock.rate = speed > 0 && isfinite(speed) ? speed : 1.0;
    mp_clock_reread(ctx);
}

int mp_clock_follow(mempolicy_ctx *ctx)
{
    const char *node = ctx->be->clock_node;

    if (!node || ctx->clock.watched)
        return 0;
    /* Watch first, then read: no change can fall between the two. */
    if (!xs_watch(ctx->xsh, node, MP_CLOCK_TOKEN))
        return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: watching %s: %s",
                      node, strerror(errno));
    ctx->clock.watched = true;
    mp_clock_reread(ctx);
    return 0;
}

uint64_t mp_clock_now_ms(mempolicy_ctx *ctx)
{
    const struct mp_clock *c = &ctx->clock;
    double real = mono_ms() - (double)c->anchor_ms;

    if (real <= 0 || c->rate == 0)
        return c->base_ms;
    return c->base_ms + (uint64_t)(real * c->rate);
}

int mp_clock_poll_ms(mempolicy_ctx *ctx, uint64_t at_ms)
{
    const struct mp_clock *c = &ctx->clock;
    uint64_t now = mp_clock_now_ms(ctx);
    double real;

    if (at_ms <= now)
        return 0;
    if (c->rate == 0)
        return -1; /* held: only a change of the clock can make it due */
    real = ceil((double)(at_ms - now) / c->rate);
    return real > INT32_MAX ? INT32_MAX : (int)real;
}
