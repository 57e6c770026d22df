/*
 * hvchan.h: the hypervisor channel (docs/hv-channel.md), the simulated
 * host's stand-in for hypercalls.
 */
#ifndef XENSIM_HVCHAN_H
#define XENSIM_HVCHAN_H

#include <stddef.h>

struct hv;
struct hvchan;

/*
 * Listen on `path` (mode 0600) and publish it as /tool/xensim/hv-socket.
 * Returns NULL with a one-line reason in err.
 */
struct hvchan *hvchan_open(struct hv *hv, const char *path, char *err,
                           size_t errlen);
void hvchan_close(struct hvchan *ch);

/*
 * Handle one request line (no newline); returns the malloc'd reply line
 * (no newline).  Exposed for unit tests.
 */
char *hvchan_request(struct hv *hv, const char *line);

#endif
