/*
 * exporter.h: what the files of mempolicy-exporter share.
 */
#ifndef EXPORTER_H
#define EXPORTER_H

#include <stddef.h>

#include <libmempolicy.h>

/*
 * The whole /metrics page, read now: 0 and *text (malloc'd, *len bytes,
 * free()), or -1 with one line in err.  Cost: see exporter_metrics.c.
 */
int exporter_metrics(mempolicy_ctx *ctx, char **text, size_t *len, char *err,
                     size_t errlen);

#endif
