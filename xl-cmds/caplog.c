/*
 * caplog.c: the logger of caplog.h.
 *
 * A thin xentoollog consumer that remembers the last error and hands
 * messages on to a stdiostream logger (xentoollog's own formatting) only
 * at the level asked for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "caplog.h"

struct caplog {
    xentoollog_logger vtable;  /* first: what the library is given */
    xentoollog_logger_stdiostream *fwd; /* NULL: nothing forwarded */
    char last[512];
};

static void caplog_vmessage(xentoollog_logger *lg, xentoollog_level level,
                            int errnoval, const char *context,
                            const char *fmt, va_list al)
    __attribute__((format(printf, 5, 0)));
static void caplog_vmessage(xentoollog_logger *lg, xentoollog_level level,
                            int errnoval, const char *context,
                            const char *fmt, va_list al)
{
    caplog *c = (caplog *)lg;

    if (c->fwd) {
        xentoollog_logger *f = (xentoollog_logger *)c->fwd;
        va_list ap;

        va_copy(ap, al);
        f->vmessage(f, level, errnoval, context, fmt, ap);
        va_end(ap);
    }
    if (level >= XTL_ERROR)
        vsnprintf(c->last, sizeof(c->last), fmt, al);
}

static void caplog_destroy(xentoollog_logger *lg)
{
}

caplog *caplog_new(xentoollog_level fwd_level)
{
    caplog *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->vtable.vmessage = caplog_vmessage;
    c->vtable.destroy = caplog_destroy;
    if (fwd_level < XTL_NUM_LEVELS) {
        c->fwd = xtl_createlogger_stdiostream(stderr, fwd_level, 0);
        if (!c->fwd) {
            free(c);
            return NULL;
        }
    }
    return c;
}

xentoollog_logger *caplog_logger(caplog *c)
{
    return &c->vtable;
}

const char *caplog_last_error(caplog *c)
{
    return c->last;
}

void caplog_free(caplog *c)
{
    if (!c)
        return;
    if (c->fwd)
        xtl_logger_destroy((xentoollog_logger *)c->fwd);
    free(c);
}
