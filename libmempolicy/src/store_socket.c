/*
 * store_socket.c: the store's Unix socket, found as libxenstore finds it
 * (XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /var/run/xenstored/socket: tools/libs/store/xs.c, xs_daemon_socket()),
 * for the library's plain connections next to libxenstore's own: the
 * pipelined reads (store_batch.c) and the liveness connection of the
 * event fd (event.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

int mp_store_socket_connect(mempolicy_ctx *ctx, const char *why)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *p = getenv("XENSTORED_PATH");
    const char *dir = getenv("XENSTORED_RUNDIR");
    char buf[sizeof(sa.sun_path) + 16];
    int fd, e;

    if (!p) {
        snprintf(buf, sizeof(buf), "%s/socket",
                 dir ? dir : "/var/run/xenstored");
        p = buf;
    }
    if (strlen(p) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, p);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        e = errno;
        mp_log(ctx, XTL_DEBUG, "no store socket at %.200s (%s): %s", p,
               strerror(e), why);
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}
