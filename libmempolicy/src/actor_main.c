/*
 * actor_main.c: mempolicy_actor_main(), the whole main() of an actor.
 *
 * Options, logger, context, actor, daemon mode and pid file, done once
 * here so that every actor (ours and custom ones) behaves the same under
 * systemd and by hand:
 *  - foreground by default (systemd Type=simple, logs to the journal via
 *    stderr);
 *  - -d forks before any library call (libxenstore starts a thread, which
 *    would not survive fork), and the parent waits on a pipe until the
 *    child is connected and serving, so `actor -d` fails visibly when the
 *    store is unreachable (Type=forking semantics);
 *  - the pid file is held with a fcntl lock for the daemon's lifetime:
 *    a stale file left by kill -9 does not block a restart, while a live
 *    instance does;
 *  - SIGTERM/SIGINT are blocked before the context exists so that no
 *    library thread can take them: they arrive through the kit's
 *    signalfd and end the loop cleanly (exit 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actor_internal.h"

struct main_opts {
    bool verbose;
    bool daemon;
    const char *pidfile;
};

/* The actor's own options (mempolicy_actor_main_help), or NULL. */
static const char *extra_help;

void mempolicy_actor_main_help(const char *options)
{
    extra_help = options;
}

/* Complete help: the standard options, the actor's own, and the
 * memory_policy_args keys from its parameter table when it has one. */
static void usage(FILE *f, const char *prog, const char *name)
{
    const mempolicy_param_table *t = mempolicy_actor_param_table(name);
    const mempolicy_param_spec *d;

    fprintf(f,
            "Usage: %s [options]\n"
            "Memory-policy actor '%s': serves every domain whose\n"
            "/libxl/<domid>/memory-policy/actor is '%s'.\n"
            "\n"
            "  -v, --verbose        debug logging\n"
            "  -d, --daemon         run in the background\n"
            "  -p, --pidfile FILE   write (and lock) a pid file\n"
            "  -h, --help           this help\n",
            prog, name, name);
    if (extra_help)
        fputs(extra_help, f);
    if (t && t->params[0].key) {
        fprintf(f, "\nPer-domain parameters (memory_policy_args, "
                   "xlmem mem-policy-set):\n");
        for (d = t->params; d->key; d++)
            fprintf(f, "  %-20s %s\n", d->key, d->help ? d->help : "");
    }
    fprintf(f,
            "\n"
            "The store is found through XENSTORED_PATH or the standard\n"
            "socket.  Exit status: 0 on SIGTERM/SIGINT, 1 on a fatal error\n"
            "(store unreachable or gone), 2 on bad usage.\n");
}

/* 1: run, 0: exit 0 (help), -1: usage error. */
static int parse_opts(int argc, char **argv, const char *name,
                      struct main_opts *o)
{
    static const struct option longopts[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "daemon", no_argument, NULL, 'd' },
        { "pidfile", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "vdp:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'v':
            o->verbose = true;
            break;
        case 'd':
            o->daemon = true;
            break;
        case 'p':
            o->pidfile = optarg;
            break;
        case 'h':
            usage(stdout, argv[0], name);
            return 0;
        default:
            usage(stderr, argv[0], name);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
                MEMPOLICY_QUOTE(argv[optind]));
        return -1;
    }
    if (o->pidfile && !o->pidfile[0]) {
        fprintf(stderr, "%s: empty pid file name\n", argv[0]);
        return -1;
    }
    return 1;
}

/* Returns the locked fd, or -1 after logging why. */
static int pidfile_take(xentoollog_logger *lg, const char *name,
                        const char *path)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char buf[32];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int len;

    if (fd < 0) {
        xtl_log(lg, XTL_ERROR, errno, name, "pid file %s", path);
        return -1;
    }
    if (fcntl(fd, F_SETLK, &fl)) {
        int e = errno;

        if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
            xtl_log(lg, XTL_ERROR, -1, name,
                    "pid file %s: already running as pid %ld", path,
                    (long)fl.l_pid);
        else
            xtl_log(lg, XTL_ERROR, e, name, "pid file %s: cannot lock",
                    path);
        close(fd);
        return -1;
    }
    len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) || write(fd, buf, (size_t)len) != len) {
        xtl_log(lg, XTL_ERROR, errno, name, "pid file %s: cannot write",
                path);
        close(fd);
        return -1;
    }
    return fd;
}

static void pidfile_release(const char *path, int fd)
{
    if (fd < 0)
        return;
    unlink(path);
    close(fd);
}

/*
 * Fork; the parent waits for the child's verdict byte and returns the
 * exit status (>= 0); the child returns -1 with *notify_fd set.
 */
static int daemonize(xentoollog_logger *lg, const char *name, int *notify_fd)
{
    int p[2], devnull;
    pid_t pid;
    char verdict;
    ssize_t r;

    if (pipe2(p, O_CLOEXEC)) {
        xtl_log(lg, XTL_ERROR, errno, name, "pipe");
        return 1;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        xtl_log(lg, XTL_ERROR, errno, name, "fork");
        close(p[0]);
        close(p[1]);
        return 1;
    }
    if (pid > 0) {
        close(p[1]);
        do {
            r = read(p[0], &verdict, 1);
        } while (r < 0 && errno == EINTR);
        close(p[0]);
        /* EOF without a verdict: the child died before serving. */
        return r == 1 && verdict == 0 ? 0 : 1;
    }
    close(p[0]);
    setsid();
    if (chdir("/"))
        _exit(1);
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        close(devnull);
    }
    *notify_fd = p[1];
    return -1;
}

static void notify(int *fd, char verdict)
{
    if (*fd < 0)
        return;
    if (write(*fd, &verdict, 1) != 1) {
        /* The parent is gone; nothing to tell. */
    }
    close(*fd);
    *fd = -1;
}

int mempolicy_actor_main(int argc, char **argv, const char *name,
                         const mempolicy_actor_ops *ops, void *user)
{
    struct main_opts o = { 0 };
    xentoollog_logger_stdiostream *lgs;
    xentoollog_logger *lg;
    mempolicy_ctx *ctx = NULL;
    mempolicy_actor *a = NULL;
    int notify_fd = -1, pidfd = -1, rc, status = 1;
    sigset_t set;

    rc = parse_opts(argc, argv, name, &o);
    if (rc <= 0)
        return rc ? 2 : 0;

    /* Before any thread exists; see the comment at the top. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* A store that vanishes must give EPIPE, not kill us silently. */
    signal(SIGPIPE, SIG_IGN);

    lgs = xtl_createlogger_stdiostream(stderr,
                                       o.verbose ? XTL_DEBUG : XTL_INFO,
                                       XTL_STDIOSTREAM_HIDE_PROGRESS |
                                       (o.daemon ? XTL_STDIOSTREAM_SHOW_DATE |
                                                   XTL_STDIOSTREAM_SHOW_PID
                                                 : 0));
    if (!lgs) {
        fprintf(stderr, "%s: cannot create logger\n", name);
        return 1;
    }
    lg = (xentoollog_logger *)lgs;

    if (o.daemon) {
        rc = daemonize(lg, name, &notify_fd);
        if (rc >= 0) {
            xtl_logger_destroy(lg);
            return rc;
        }
    }
    if (o.pidfile) {
        pidfd = pidfile_take(lg, name, o.pidfile);
        if (pidfd < 0)
            goto out;
    }

    rc = mempolicy_ctx_alloc(&ctx, 0, lg);
    if (rc) {
        xtl_log(lg, XTL_ERROR, -1, name,
                "cannot connect to xenstore (XENSTORED_PATH=%s): %s",
                getenv("XENSTORED_PATH") ? getenv("XENSTORED_PATH")
                                         : "unset", mempolicy_strerror(rc));
        goto out;
    }
    rc = mp_actor_new_logged(ctx, name, ops, user, lg, &a);
    ctx = NULL; /* owned by the actor now, even on failure */
    if (rc)
        goto out;
    notify(&notify_fd, 0);
    rc = mempolicy_actor_run(a);
    status = rc ? 1 : 0;

out:
    notify(&notify_fd, 1);
    mempolicy_actor_free(a);
    if (o.pidfile)
        pidfile_release(o.pidfile, pidfd);
    xtl_logger_destroy(lg);
    return status;
}
