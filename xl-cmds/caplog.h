/*
 * caplog.h: a xentoollog logger that keeps the library's last error.
 *
 * xlmem and mempolicyd report every failure themselves, on one line,
 * with the library's detail (mempolicy_last_error()).  The library's own
 * log would say the same thing a second time, so it is only passed on to
 * stderr when asked (-v).  A failure that leaves no context to ask
 * (mempolicy_ctx_alloc) still has its detail: the last error logged.
 */
#ifndef XLCMDS_CAPLOG_H
#define XLCMDS_CAPLOG_H

#include <xentoollog.h>

typedef struct caplog caplog;

/*
 * fwd_level: messages at or above it go to stderr (XTL_NUM_LEVELS: none).
 * NULL on allocation failure.
 */
caplog *caplog_new(xentoollog_level fwd_level);
xentoollog_logger *caplog_logger(caplog *c);
/* The last message at XTL_ERROR or above, "" if none. */
const char *caplog_last_error(caplog *c);
void caplog_free(caplog *c);

#endif
