/*
 * pager_proc.c: a pager process as a daemon: started detached from its
 * caller, watched, signalled and waited for by any process.  The xen
 * backend runs xenpaging with it (pager.c has the lifecycle).
 *
 * docs/misc/xenpaging.txt (Xen 4.17) runs `xenpaging -f <file> -d <domid>
 * &` from a shell; a library must do what a daemon does instead, or the
 * pager dies with (or keeps hold of) whoever started it: a double fork,
 * its own session (setsid), stdin on /dev/null and stdout/stderr on its
 * log, no descriptor of the caller's (a caller's xenstore connection
 * would live on in it), default signal dispositions and an empty mask
 * (actors block SIGTERM for their signalfd; xenpaging's SIGTERM handler
 * must see it, tools/xenpaging/xenpaging.c).  Between the caller and the
 * pager stays a supervisor in the pager's session that waits for it and
 * writes how it exited to <pagefile>.exit ("exited N" or "killed N"), so
 * that any process can read the exit status of a process that is not its
 * child.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void mp_pager_exit_file(const char *pagefile, char *out, size_t len)
{
    snprintf(out, len, "%s.exit", pagefile);
}

/* Async-signal-safe decimal, for the supervisor after fork. */
static size_t put_num(char *p, long v)
{
    char tmp[24];
    size_t n = 0, i;
    bool neg = v < 0;

    if (neg)
        v = -v;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    for (i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static void close_from(int first, int keep)
{
    long max = sysconf(_SC_OPEN_MAX);
    int fd;

    if (max < 0 || max > 65536)
        max = 65536;
    for (fd = first; fd < max; fd++)
        if (fd != keep)
            close(fd);
}

/*
 * Replace the exit file with buf in one step (a temporary file renamed
 * over it): a reader never sees it truncated and not yet written.
 * Async-signal-safe.
 */
static int put_exit_file(const char *exitfile, const char *buf, size_t n)
{
    char tmp[MP_PAGEFILE_MAX + 16];
    size_t len = strlen(exitfile);
    int fd;

    if (len + 5 > sizeof(tmp))
        return -1;
    memcpy(tmp, exitfile, len);
    memcpy(tmp + len, ".new", 5);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    if (write(fd, buf, n) != (ssize_t)n) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    return rename(tmp, exitfile);
}

/*
 * The supervisor, in the pager's session: starts it, tells the caller
 * its pid through wfd, waits for it and records how it exited.  Only
 * async-signal-safe calls (the caller may have threads).
 */
static void supervise(const char *prog, char *const argv[], const char *logfile,
                      const char *exitfile, int wfd)
{
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    char buf[48];
    sigset_t none;
    size_t n;
    long v;
    int fd, st = 0, sig;
    pid_t p;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    close_from(3, wfd);
    if (chdir("/"))
        _exit(1);
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0640);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    /* "running <supervisor pid>" until the exit replaces it: who to wait
     * for, to read the exit. */
    memcpy(buf, "running ", 8);
    n = 8 + put_num(buf + 8, (long)getpid());
    buf[n++] = '\n';
    if (put_exit_file(exitfile, buf, n))
        _exit(1);
    p = fork();
    if (p == 0) {
        close(wfd);
        execv(prog, argv);
        _exit(127);
    }
    v = p;
    if (write(wfd, &v, sizeof(v)) != (ssize_t)sizeof(v) || p < 0)
        _exit(1);
    close(wfd);
    while (waitpid(p, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(st)) {
        memcpy(buf, "killed ", 7);
        n = 7 + put_num(buf + 7, WTERMSIG(st));
    } else {
        memcpy(buf, "exited ", 7);
        n = 7 + put_num(buf + 7, WEXITSTATUS(st));
    }
    buf[n++] = '\n';
    _exit(put_exit_file(exitfile, buf, n) ? 1 : 0);
}

int mp_pager_spawn(mempolicy_ctx *ctx, const char *prog, char *const argv[],
                   const char *pagefile, const char *logfile, long *pid)
{
    char exitfile[MP_PAGEFILE_MAX + 8];
    int pfd[2], st;
    long v = 0;
    ssize_t got;
    pid_t a;

    mp_pager_exit_file(pagefile, exitfile, sizeof(exitfile));
    if (unlink(exitfile) && errno != ENOENT)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL, "cannot remove %s: %s",
                      exitfile, strerror(errno));
    if (pipe2(pfd, O_CLOEXEC))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL, "pipe: %s", strerror(errno));
    a = fork();
    if (a == 0) {
        pid_t sv;

        close(pfd[0]);
        if (setsid() < 0)
            _exit(1);
        sv = fork();
        if (sv)
            _exit(sv < 0);
        supervise(prog, argv, logfile, exitfile, pfd[1]);
    }
    close(pfd[1]);
    if (a < 0) {
        close(pfd[0]);
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL, "fork: %s", strerror(errno));
    }
    while (waitpid(a, &st, 0) < 0 && errno == EINTR)
        ;
    do
        got = read(pfd[0], &v, sizeof(v));
    while (got < 0 && errno == EINTR);
    close(pfd[0]);
    if (got != (ssize_t)sizeof(v) || v <= 0)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL, "cannot start %s", prog);
    *pid = v;
    return 0;
}

/* The exit file: 1 and how it exited, 0 and *sup while the supervisor
 * waits, -1 without one. */
static int read_exit(const char *pagefile, struct mp_pager_state *st, long *sup)
{
    char path[MP_PAGEFILE_MAX + 8], buf[48], *end;
    ssize_t n;
    long v;
    int fd;

    *sup = 0;
    mp_pager_exit_file(pagefile, path, sizeof(path));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    if (!strncmp(buf, "running ", 8)) {
        v = strtol(buf + 8, &end, 10);
        *sup = *end == '\n' && v > 1 ? v : 0;
        return 0;
    }
    v = strtol(buf + 7, &end, 10);
    if (n > 7 && *end == '\n' && v >= 0 && v < 256 &&
        (!strncmp(buf, "killed ", 7) || !strncmp(buf, "exited ", 7)))
        st->status = buf[0] == 'k' ? (int)-v : (int)v;
    return 1;
}

/* Wait (at most ms) for process pid to end, on a pidfd. */
static void wait_gone(long pid, uint64_t ms)
{
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0), r;
    uint64_t start = mono_ms();

    if (fd < 0)
        return; /* gone already */
    do {
        uint64_t spent = mono_ms() - start;
        struct pollfd pf = { .fd = fd, .events = POLLIN };

        r = spent >= ms ? 0 : poll(&pf, 1, (int)(ms - spent));
    } while (r < 0 && errno == EINTR);
    close(fd);
}

/* The parent of a live process, from /proc/<pid>/stat, or 0. */
static long parent_of(long pid)
{
    char path[40], buf[512], *p;
    ssize_t n;
    long pp;
    int fd;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    /* "pid (comm) state ppid ...": comm may hold anything but ends the
     * last ')'. */
    p = strrchr(buf, ')');
    if (!p || sscanf(p + 1, " %*c %ld", &pp) != 1)
        return 0;
    return pp;
}

/*
 * Whether pid is this pager: alive, and either the child of its
 * supervisor sup (its only child; also between fork and exec) or a
 * process started with "-f <pagefile>" (xenpaging's command line as
 * spawned; a supervisor killed with -9 leaves the pager to init).  A pid
 * reused by another process after the pager and its supervisor died is
 * not it: it must never be taken for a running pager (paging left
 * recorded as on) nor be sent SIGTERM.  A command line that cannot be
 * read (hidepid) counts as the pager's: the safe side, since a pager
 * taken for dead would have its ring torn down.
 */
static bool pager_alive(long pid, const char *pagefile, long sup)
{
    char path[40], buf[MP_PAGEFILE_MAX + 64];
    size_t len = strlen(pagefile), i;
    ssize_t n;
    int fd;

    if (kill((pid_t)pid, 0) && errno != EPERM)
        return false;
    if (sup && parent_of(pid) == sup)
        return true;
    snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno != ENOENT && errno != ESRCH;
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n < 0)
        return errno != ESRCH;
    /* "-f\0<pagefile>\0" among the NUL-separated arguments (a zombie
     * has none: it has exited). */
    for (i = 0; i + 4 + len <= (size_t)n; i++)
        if ((i == 0 || buf[i - 1] == '\0') && !memcmp(buf + i, "-f", 3) &&
            !memcmp(buf + i + 3, pagefile, len) && buf[i + 3 + len] == '\0')
            return true;
    return false;
}

/* The pager died just now: its supervisor records it at once. */
#define RECORD_MS 5000u

void mp_pager_proc_status(long pid, const char *pagefile,
                          struct mp_pager_state *st)
{
    long sup;
    int r;

    memset(st, 0, sizeof(*st));
    st->status = MP_PAGER_STATUS_UNKNOWN;
    r = read_exit(pagefile, st, &sup);
    if (r > 0)
        return;
    /* No exit recorded: alive while the pid is the pager's. */
    st->running = pager_alive(pid, pagefile, sup);
    if (st->running || r < 0 || !sup)
        return;
    wait_gone(sup, RECORD_MS);
    read_exit(pagefile, st, &sup);
}

int mp_pager_proc_signal(mempolicy_ctx *ctx, uint32_t domid, long pid, int sig)
{
    if (kill((pid_t)pid, sig) && errno != ESRCH)
        return mp_err(ctx, MEMPOLICY_ERROR_PERM,
                      "domain %u: cannot signal its pager (pid %ld): %s", domid,
                      pid, strerror(errno));
    return 0;
}

/*
 * Until the pager has exited and its exit is recorded: its supervisor
 * exits right after writing the exit, so that is what is waited for, on
 * a pidfd (neither is our child).  At most max_ms.
 */
void mp_pager_proc_wait_exit(long pid, const char *pagefile, uint64_t max_ms,
                             struct mp_pager_state *st)
{
    struct mp_pager_state tmp;
    long sup;

    memset(&tmp, 0, sizeof(tmp));
    if (read_exit(pagefile, &tmp, &sup) == 0)
        wait_gone(sup ? sup : pid, max_ms);
    else if (pager_alive(pid, pagefile, 0))
        wait_gone(pid, max_ms);
    mp_pager_proc_status(pid, pagefile, st);
}
