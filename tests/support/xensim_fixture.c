/*
 * xensim_fixture.c: see xensim_fixture.h.
 *
 * Readiness is a pipe whose write end xensim gets as --ready-fd; the
 * parent polls the read end for "ready" with a 120 s bound, so a test
 * never guesses with a sleep.  Shutdown is observed through a pidfd,
 * again with poll() and a bound, so a hung xensim fails the test instead
 * of hanging it.  xensim gets SIGTERM if the test process dies first,
 * so a crashed test leaves no server behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xensim_fixture.h"

#define TIMEOUT_MS 120000 /* only turns a hang into a failure */

static const char *binary(char *buf, size_t len)
{
    const char *x = getenv("XENSIM"), *b = getenv("MP_BUILD");

    if (x && *x)
        return x;
    snprintf(buf, len, "%s/bin/xensim", b && *b ? b : "build");
    return buf;
}

void xensim_raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int xensim_start(struct xensim_fixture *f, const char *const *extra)
{
    char bin[4096], fdarg[16], buf[16];
    const char *argv[64];
    int p[2], n = 0, i;
    struct pollfd pfd;
    ssize_t r;

    memset(f, 0, sizeof(*f));
    strcpy(f->dir, "/tmp/xensim-test.XXXXXX");
    if (!mkdtemp(f->dir)) {
        perror("xensim_start: mkdtemp");
        return -1;
    }
    snprintf(f->socket, sizeof(f->socket), "%s/xs.sock", f->dir);
    if (pipe2(p, O_CLOEXEC) < 0) {
        perror("xensim_start: pipe");
        return -1;
    }
    argv[n++] = binary(bin, sizeof(bin));
    argv[n++] = "--socket";
    argv[n++] = f->socket;
    argv[n++] = "--ready-fd";
    argv[n++] = fdarg;
    for (i = 0; extra && extra[i] && n < 62; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    f->pid = fork();
    if (f->pid < 0) {
        perror("xensim_start: fork");
        return -1;
    }
    if (f->pid == 0) {
        int wfd = fcntl(p[1], F_DUPFD, 10); /* without O_CLOEXEC */

        /* A test that dies without stopping it takes xensim along. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);

        snprintf(fdarg, sizeof(fdarg), "%d", wfd);
        execv(argv[0], (char **)argv);
        fprintf(stderr, "xensim_start: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    close(p[1]);
    pfd.fd = p[0];
    pfd.events = POLLIN;
    r = -1;
    if (poll(&pfd, 1, TIMEOUT_MS) == 1)
        r = read(p[0], buf, sizeof(buf) - 1);
    close(p[0]);
    if (r < 6 || memcmp(buf, "ready\n", 6)) {
        fprintf(stderr, "xensim_start: %s did not become ready\n", bin);
        kill(f->pid, SIGKILL);
        waitpid(f->pid, NULL, 0);
        f->pid = 0;
        return -1;
    }
    setenv("XENSTORED_PATH", f->socket, 1);
    return 0;
}

static void rm_dir(const char *dir)
{
    char cmd[128];

    /* Only our own mkdtemp directory. */
    if (strncmp(dir, "/tmp/xensim-test.", 17))
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "xensim_stop: cannot remove %s\n", dir);
}

int xensim_stop(struct xensim_fixture *f)
{
    int status = -1, pidfd, rc = 0;
    struct pollfd pfd;
    struct stat st;

    if (f->pid <= 0) { /* gone already (a test killed it) */
        rm_dir(f->dir);
        unsetenv("XENSTORED_PATH");
        return -1;
    }
    pidfd = syscall(SYS_pidfd_open, f->pid, 0);
    kill(f->pid, SIGTERM);
    if (pidfd >= 0) {
        pfd.fd = pidfd;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, TIMEOUT_MS) != 1) {
            fprintf(stderr, "xensim_stop: no exit after SIGTERM\n");
            kill(f->pid, SIGKILL);
            rc = -1;
        }
        close(pidfd);
    }
    waitpid(f->pid, &status, 0);
    f->pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "xensim_stop: xensim ended with status %#x\n",
                status);
        rc = -1;
    }
    if (stat(f->socket, &st) == 0) {
        fprintf(stderr, "xensim_stop: socket %s left behind\n", f->socket);
        rc = -1;
    }
    rm_dir(f->dir);
    unsetenv("XENSTORED_PATH");
    return rc;
}

const char *xensim_dom_socket(const struct xensim_fixture *f,
                              unsigned domid, char *buf)
{
    snprintf(buf, 128, "%s.dom%u", f->socket, domid);
    return buf;
}

static struct xs_handle *open_at(const char *path)
{
    const char *old = getenv("XENSTORED_PATH");
    char *saved = old ? strdup(old) : NULL;
    struct xs_handle *h;

    setenv("XENSTORED_PATH", path, 1);
    h = xs_open(0);
    if (saved) {
        setenv("XENSTORED_PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("XENSTORED_PATH");
    }
    return h;
}

struct xs_handle *xensim_open(const struct xensim_fixture *f)
{
    return open_at(f->socket);
}

struct xs_handle *xensim_open_dom(const struct xensim_fixture *f,
                                  unsigned domid)
{
    char buf[128];

    return open_at(xensim_dom_socket(f, domid, buf));
}
