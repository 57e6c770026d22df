/*
 * actor_main.c: mempolicy_actor_main(), the whole main() of an actor.
 *
 * Options, logger, context, actor, daemon mode and pid file, done once
 * here so that every daemon (our actors, custom ones, and mempolicyd,
 * which is a host daemon of the kit) behaves the same under systemd and
 * by hand:
 *  - foreground by default (systemd Type=notify: READY=1 is sent once
 *    the start-up resync is done, STOPPING=1 at the end; logs go to the
 *    journal through stderr, with their priority);
 *  - one log format with levels, to stderr, syslog (-d) or a file
 *    (--log-file), in actor_log.c;
 *  - -d forks before any library call (libxenstore starts a thread, which
 *    would not survive fork), and the parent waits on a pipe until the
 *    child has done its start-up resync, so `actor -d` fails visibly when
 *    the store is unreachable (Type=forking semantics); until then the
 *    child's log lines also reach the caller's stderr, then stderr is
 *    closed and syslog alone is used;
 *  - --version prints the one version string (mempolicy_version());
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

#include <systemd/sd-daemon.h>

#include "actor_internal.h"

struct main_opts {
    bool verbose;
    bool daemon;
    const char *pidfile;
    const char *logfile;
};

/* The actor's own options (mempolicy_actor_main_help), or NULL. */
static const char *extra_help;

void mempolicy_actor_main_help(const char *options)
{
    extra_help = options;
}

/*
 * Complete help: the standard options, the daemon's own (from its
 * mempolicy_actor_main_ext table, then mempolicy_actor_main_help's text),
 * and the memory_policy_args keys from its parameter table when it has
 * one.
 */
static void usage(FILE *f, const char *prog, const char *name,
                  const mempolicy_actor_main_opts *ext)
{
    const mempolicy_param_table *t = mempolicy_actor_param_table(name);
    const mempolicy_param_spec *d;
    const mempolicy_actor_option *o;

    fprintf(f, "Usage: %s [options]\n", prog);
    if (ext && ext->description)
        fprintf(f, "%s\n", ext->description);
    else
        fprintf(f,
                "Memory-policy actor '%s': serves every domain whose\n"
                "/libxl/<domid>/memory-policy/actor is '%s'.\n",
                name, name);
    fprintf(f,
            "\n"
            "  -v, --verbose         debug logging\n"
            "  -d, --daemon          run in the background (logs to "
            "syslog)\n"
            "  -p, --pidfile FILE    write (and lock) a pid file\n"
            "  -l, --log-file FILE   log to FILE instead of stderr or "
            "syslog\n"
            "  -V, --version         print the version and exit\n"
            "  -h, --help            this help\n");
    for (o = ext && ext->options ? ext->options : NULL; o && o->long_name;
         o++) {
        char left[64];

        snprintf(left, sizeof(left), "%c%c%s--%s%s%s",
                 o->short_name ? '-' : ' ', o->short_name ? o->short_name : ' ',
                 o->short_name ? ", " : "  ", o->long_name, o->arg ? "=" : "",
                 o->arg ? o->arg : "");
        fprintf(f, "  %-21s %s\n", left, o->help ? o->help : "");
    }
    if (extra_help)
        fputs(extra_help, f);
    if (t && t->params[0].key) {
        fprintf(f, "\nPer-domain parameters (memory_policy_args, "
                   "xlmem mem-policy-set):\n");
        for (d = t->params; d->key; d++)
            fprintf(f, "  %-20s %s\n", d->key, d->help ? d->help : "");
    }
    if (t) {
        fprintf(f, "\nCommon parameters (libvirt's memtune, every actor; "
                   "xlmem mem-tune):\n");
        for (d = mempolicy_common_params(); d->key; d++)
            fprintf(f, "  %-20s %s\n", d->key, d->help ? d->help : "");
    }
    fprintf(f,
            "\n"
            "The store is found through XENSTORED_PATH or the standard\n"
            "socket.  Exit status: 0 on SIGTERM/SIGINT, 1 on a fatal error\n"
            "(store unreachable or gone), 2 on bad usage.\n");
}

#define MAX_OPTS 32

/* 1: run, 0: exit 0 (help, version), -1: usage error. */
static int parse_opts(int argc, char **argv, const char *name,
                      const mempolicy_actor_main_opts *ext, void *user,
                      struct main_opts *o)
{
    static const struct option std[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "daemon", no_argument, NULL, 'd' },
        { "pidfile", required_argument, NULL, 'p' },
        { "log-file", required_argument, NULL, 'l' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
    };
    struct option longopts[MAX_OPTS + 8];
    char shortopts[3 * MAX_OPTS + 16] = "vdp:l:Vh";
    size_t nstd = sizeof(std) / sizeof(std[0]), nl = nstd, k;
    const mempolicy_actor_option *x = ext ? ext->options : NULL;
    int c, idx;

    memcpy(longopts, std, sizeof(std));
    for (k = 0; x && x[k].long_name && k < MAX_OPTS; k++) {
        /* Extra options come back from getopt as 256 + their index. */
        longopts[nl++] = (struct option){ x[k].long_name,
                                          x[k].arg ? required_argument :
                                                     no_argument,
                                          NULL, 256 + (int)k };
        if (x[k].short_name) {
            size_t n = strlen(shortopts);

            shortopts[n++] = x[k].short_name;
            if (x[k].arg)
                shortopts[n++] = ':';
            shortopts[n] = '\0';
        }
    }
    longopts[nl] = (struct option){ NULL, 0, NULL, 0 };

    optind = 1;
    opterr = 0; /* one line of our own instead of getopt's and a usage */
    while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
        switch (c) {
        case 'v':
            o->verbose = true;
            continue;
        case 'd':
            o->daemon = true;
            continue;
        case 'p':
            o->pidfile = optarg;
            continue;
        case 'l':
            o->logfile = optarg;
            continue;
        case 'V':
            printf("%s (libmempolicy) %s\n", name, mempolicy_version());
            return 0;
        case 'h':
            usage(stdout, argv[0], name, ext);
            return 0;
        case '?':
        case ':':
            fprintf(stderr,
                    "%s: unknown option or missing value '%s' "
                    "(try --help)\n",
                    name, MEMPOLICY_QUOTE(argv[optind - 1]));
            return -1;
        }
        /* An extra option, by its long form (256 + index) or its short
         * letter. */
        for (k = 0; x && x[k].long_name; k++)
            if (c == 256 + (int)k || (x[k].short_name && c == x[k].short_name))
                break;
        if (!x || !x[k].long_name || !ext->option ||
            ext->option(k, optarg, user))
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", name,
                MEMPOLICY_QUOTE(argv[optind]));
        return -1;
    }
    if (o->pidfile && !o->pidfile[0]) {
        fprintf(stderr, "%s: empty pid file name\n", name);
        return -1;
    }
    if (o->logfile && !o->logfile[0]) {
        fprintf(stderr, "%s: empty log file name\n", name);
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

/* What the daemon tells the world once the start-up resync is done. */
struct ready {
    int *notify_fd;
    xentoollog_logger *lg;
    const mempolicy_actor_main_opts *ext;
    void *user;
    const char *logfile;
};

static void on_ready(mempolicy_actor *a, void *arg)
{
    struct ready *r = arg;
    int devnull;

    if (r->ext && r->ext->ready)
        r->ext->ready(a, r->user);
    /* systemd (Type=notify): serving.  A no-op without NOTIFY_SOCKET. */
    sd_notify(0, "READY=1");
    if (*r->notify_fd < 0)
        return;
    /* -d: from now on the logs go to syslog only, and the caller's
     * terminal is let go. */
    mp_dlog_tee_stderr(r->lg, false);
    devnull = r->logfile ? open(r->logfile, O_WRONLY | O_APPEND | O_CLOEXEC) :
                           -1;
    if (devnull < 0)
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDERR_FILENO);
        close(devnull);
    }
    notify(r->notify_fd, 0);
}

int mempolicy_actor_main(int argc, char **argv, const char *name,
                         const mempolicy_actor_ops *ops, void *user)
{
    return mempolicy_actor_main_ext(argc, argv, name, ops, user, NULL);
}

int mempolicy_actor_main_ext(int argc, char **argv, const char *name,
                             const mempolicy_actor_ops *ops, void *user,
                             const mempolicy_actor_main_opts *ext)
{
    struct main_opts o = { 0 };
    xentoollog_logger *lg;
    mempolicy_ctx *ctx = NULL;
    mempolicy_actor *a = NULL;
    int notify_fd = -1, pidfd = -1, rc, status = 1;
    struct ready ready = { .notify_fd = &notify_fd, .ext = ext, .user = user };
    xentoollog_level min;
    sigset_t set;

    rc = parse_opts(argc, argv, name, ext, user, &o);
    if (rc <= 0)
        return rc ? 2 : 0;

    /* Before any thread exists; see the comment at the top. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* A store that vanishes must give EPIPE, not kill us silently. */
    signal(SIGPIPE, SIG_IGN);

    min = o.verbose ? XTL_DEBUG : XTL_INFO;
    lg = mp_dlog_new(name, min,
                     o.logfile    ? MP_LOG_FILE :
                         o.daemon ? MP_LOG_SYSLOG :
                                    MP_LOG_STDERR,
                     o.logfile);
    if (!lg) {
        fprintf(stderr, "%s: error: cannot open the log%s%s: %s\n", name,
                o.logfile ? " file " : "", o.logfile ? o.logfile : "",
                strerror(errno));
        return 1;
    }
    ready.lg = lg;
    ready.logfile = o.logfile;
    if (o.daemon && !o.logfile)
        mp_dlog_tee_stderr(lg, true);

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

    /* The library logs why it cannot connect: folded into our line. */
    mp_dlog_capture(lg, true);
    rc = mempolicy_ctx_alloc(&ctx, 0, lg);
    mp_dlog_capture(lg, false);
    if (rc) {
        xtl_log(lg, XTL_ERROR, -1, name,
                "cannot connect to xenstore (XENSTORED_PATH=%s): %s%s%s",
                getenv("XENSTORED_PATH") ? getenv("XENSTORED_PATH") : "unset",
                mempolicy_strerror(rc), mp_dlog_captured(lg)[0] ? ": " : "",
                mp_dlog_captured(lg));
        goto out;
    }
    if (ext && ext->started) {
        status = ext->started(ctx, lg, user);
        if (status) {
            mempolicy_ctx_free(ctx);
            goto out;
        }
        status = 1;
    }
    rc = mp_actor_new_logged(ctx, name, ops, user, lg, &a);
    ctx = NULL; /* owned by the actor now, even on failure */
    if (rc)
        goto out;
    mp_actor_on_ready(a, on_ready, &ready);
    rc = mempolicy_actor_run(a);
    status = rc ? 1 : 0;
    sd_notify(0, "STOPPING=1");

out:
    notify(&notify_fd, 1);
    mempolicy_actor_free(a);
    if (o.pidfile)
        pidfile_release(o.pidfile, pidfd);
    xtl_logger_destroy(lg);
    return status;
}
