/*
 * hvclient.h: a test's client of xensim's hypervisor channel
 * (docs/hv-channel.md), the one every C test and test driver uses.
 *
 * The channel's socket is named in the store, /tool/xensim/hv-socket
 * (dom0 may read it).  A request is one line, its reply one line; a
 * connection serves requests in order, so a test may keep one open
 * (hvc_connect) or make one request on a connection of its own
 * (hvc_request).  Waiting for a reply is bounded by HVC_TIMEOUT_MS,
 * which only turns a hang into a failure.
 *
 * Link: $(O)/obj/tests/support/hvclient.o and $(XENSTORE_LIBS).
 */
#ifndef MP_TESTS_HVCLIENT_H
#define MP_TESTS_HVCLIENT_H

#include <xenstore.h>

#define HVC_TIMEOUT_MS 120000

/* The channel's socket path from the store (malloc'd), or NULL. */
char *hvc_path(struct xs_handle *xs);

/* A connection to the channel at path: a file descriptor, or -1. */
int hvc_connect(const char *path);

/*
 * One request on a connection of its own: `line` (a newline is added if
 * it has none), then the reply line without its newline, malloc'd; NULL
 * if the channel cannot be reached or closes first.  Replies longer
 * than 1 MiB are cut there.
 */
char *hvc_request(const char *path, const char *line);

#endif
