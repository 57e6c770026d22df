/*
 * hvclient.c: a test's client of xensim's hypervisor channel
 * (hvclient.h).
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvclient.h"

#define REPLY_MAX (1024 * 1024)

char *hvc_path(struct xs_handle *xs)
{
    unsigned len;

    return xs_read(xs, XBT_NULL, "/tool/xensim/hv-socket", &len);
}

int hvc_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (!path || strlen(path) >= sizeof(sa.sun_path))
        return -1;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);

        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

char *hvc_request(const char *path, const char *line)
{
    struct pollfd p = { .events = POLLIN };
    size_t n = strlen(line), len = 0, cap = 4096;
    char *reply = NULL, *nl = NULL;
    int fd = hvc_connect(path);

    if (fd < 0)
        return NULL;
    p.fd = fd;
    if (write_all(fd, line, n) ||
        ((!n || line[n - 1] != '\n') && write_all(fd, "\n", 1)))
        goto fail;
    reply = malloc(cap);
    while (reply && !nl && len < REPLY_MAX) {
        ssize_t r;

        if (len + 1 == cap) {
            char *b = realloc(reply, cap * 2);

            if (!b)
                goto fail;
            reply = b;
            cap *= 2;
        }
        if (poll(&p, 1, HVC_TIMEOUT_MS) != 1)
            goto fail;
        r = read(fd, reply + len, cap - 1 - len);
        if (r <= 0)
            goto fail;
        nl = memchr(reply + len, '\n', (size_t)r);
        len += (size_t)r;
    }
    if (!reply)
        goto fail;
    close(fd);
    reply[nl ? (size_t)(nl - reply) : len] = '\0';
    return reply;
fail:
    free(reply);
    close(fd);
    return NULL;
}
