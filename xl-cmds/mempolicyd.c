/*
 * mempolicyd.c: gives every new domain the host's default memory policy.
 *
 * The proposal has xl set a domain's policy while building it, from
 * xl.conf's memory_policy / memory_policy_args unless the domain's config
 * file says otherwise.  Stock xl does not, so this small daemon does it
 * for xl: it follows DOMAIN_INTRODUCE and, for a new domain that has no
 * /libxl/<domid>/memory-policy/actor node (nobody chose a policy for it),
 * applies the xl.conf default through the library, exactly what
 * `xlmem mem-policy-apply <domid>` does.  At start-up it does the same
 * for every existing domain, so domains born while it was down are not
 * left without a policy.  A domain that already has an actor node (set
 * by `xlmem create`, by the simulated host at creation, or by hand, ""
 * included) is never touched.  Dom0 is skipped: no toolstack builds it;
 * so are stub domains (a /local/domain/<id>/target node, as libxl writes
 * for a device-model stub domain).  A domain whose uuid had a policy
 * before (`xl reboot`: same uuid, new domid, /libxl/<domid> wiped) gets
 * that policy back instead of the default
 * (mempolicy_domain_restore_policy); copies of domains gone for good are
 * pruned at start-up.
 *
 * xl.conf is read for each new domain, so an edited default applies from
 * the next domain on without a reload; a malformed file is reported and
 * that domain left alone (the daemon refuses to start with one).
 *
 * The write is mempolicy_domain_set_policy_if_unset(): the check for the
 * actor node and the write are one transaction, so a policy written by
 * someone else meanwhile (xlmem create on a Xen host writes right after
 * `xl create` returns) is never overwritten by the default.  The cheap
 * read before it only spares reading xl.conf for domains that have one.
 *
 * Event-driven: one poll() on the library's event fd and a signalfd;
 * SIGTERM/SIGINT stop it (status 0), losing the store stops it with
 * status 1 so that systemd restarts it (mempolicyd.service).
 *
 *   mempolicyd [-v] [-c FILE] [-d] [-p PIDFILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <libmempolicy.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "caplog.h"

struct daemon {
    mempolicy_ctx *ctx;
    struct xs_handle *xsh;
    const char *config;      /* NULL: the library's default */
    int verbose;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;

    fputs("mempolicyd: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const char *detail(struct daemon *d, int rc)
{
    const char *e = mempolicy_last_error(d->ctx);

    return e && *e ? e : mempolicy_strerror(rc);
}

/* 1 if the domain has an actor node, 0 if not, -1 if it is gone. */
static int has_policy(struct daemon *d, uint32_t domid)
{
    char path[64];
    unsigned len;
    void *v;

    snprintf(path, sizeof(path), "/libxl/%u/memory-policy/actor", domid);
    v = xs_read(d->xsh, XBT_NULL, path, &len);
    if (v) {
        free(v);
        return 1;
    }
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    v = xs_read(d->xsh, XBT_NULL, path, &len);
    if (!v)
        return -1;
    free(v);
    return 0;
}

/*
 * A stub domain (libxl writes /local/domain/<stubdom>/target = the domid
 * it serves, libxl_dm.c): a service domain of the toolstack, sized by it;
 * no default policy.
 */
static bool is_stubdom(struct daemon *d, uint32_t domid)
{
    char path[64];
    unsigned len;
    void *v;

    snprintf(path, sizeof(path), "/local/domain/%u/target", domid);
    v = xs_read(d->xsh, XBT_NULL, path, &len);
    free(v);
    return v != NULL;
}

/* Give domid its saved policy (xl reboot) or the default if it has none. */
static void apply_default(struct daemon *d, uint32_t domid)
{
    char *actor = NULL, *params = NULL;
    bool written = false;
    int rc;

    if (domid == 0)
        return;
    switch (has_policy(d, domid)) {
    case 1:
        if (d->verbose)
            say("domain %u: has a policy, left alone", domid);
        return;
    case -1:
        if (d->verbose)
            say("domain %u went away before getting a policy", domid);
        return;
    }
    /* Same uuid as a domain that had a policy: rebooted, keep it. */
    rc = mempolicy_domain_restore_policy(d->ctx, domid, &written);
    if (!rc && written) {
        if (d->verbose)
            say("domain %u: its policy restored (saved by uuid)", domid);
        return;
    }
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN || rc == MEMPOLICY_ERROR_DYING) {
        if (d->verbose)
            say("domain %u went away before getting a policy", domid);
        return;
    }
    if (rc)
        say("domain %u: cannot restore its saved policy: %s", domid,
            detail(d, rc));
    if (is_stubdom(d, domid)) {
        if (d->verbose)
            say("domain %u: a stub domain (has a target node), left alone",
                domid);
        return;
    }
    rc = mempolicy_config_policy(d->ctx, d->config, NULL, &actor, &params);
    if (rc) {
        say("domain %u left without a policy: %s", domid, detail(d, rc));
        return;
    }
    rc = mempolicy_domain_set_policy_if_unset(d->ctx, domid, actor, params,
                                              &written);
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN || rc == MEMPOLICY_ERROR_DYING) {
        if (d->verbose)
            say("domain %u went away before getting a policy", domid);
    } else if (rc) {
        say("domain %u: cannot set the default policy: %s", domid,
            detail(d, rc));
    } else if (!written) {
        /* Someone chose a policy since the look above: theirs stays. */
        if (d->verbose)
            say("domain %u: has a policy, left alone", domid);
    } else if (d->verbose) {
        say("domain %u: default policy actor '%s' params '%s'", domid,
            actor, params);
    }
    free(actor);
    free(params);
}

/* Every existing domain without a policy gets the default; copies kept
 * for domains gone for good are dropped first. */
static int scan_existing(struct daemon *d)
{
    unsigned n, i, pruned = 0;
    char **names;
    int rc = mempolicy_saved_policies_prune(d->ctx, &pruned);

    if (rc)
        say("cannot prune saved policies: %s", detail(d, rc));
    else if (pruned && d->verbose)
        say("dropped %u saved policies of domains gone for good", pruned);
    names = xs_directory(d->xsh, XBT_NULL, "/local/domain", &n);

    if (!names) {
        say("cannot list /local/domain: %s", strerror(errno));
        return -1;
    }
    for (i = 0; i < n; i++) {
        char *end;
        unsigned long id = strtoul(names[i], &end, 10);

        if (*names[i] && !*end && id < 0x7ff0)
            apply_default(d, (uint32_t)id);
    }
    free(names);
    return 0;
}

/*
 * The stop signals are blocked and taken through a signalfd from the very
 * start: a SIGTERM or SIGINT that arrives while mempolicyd is still
 * setting up (a shell starts background jobs with SIGINT ignored) must
 * neither be lost nor kill it half-way; it is seen by run()'s first poll.
 */
static int stop_signals_fd(void)
{
    sigset_t sigs;
    int sfd;

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &sigs, NULL) ||
        (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
        say("cannot set up signals: %s", strerror(errno));
        return -1;
    }
    return sfd;
}

static int run(struct daemon *d, int sfd)
{
    struct pollfd pfd[2];
    int rc;

    pfd[0].fd = mempolicy_event_fd(d->ctx);
    pfd[0].events = POLLIN;
    pfd[1].fd = sfd;
    pfd[1].events = POLLIN;
    for (;;) {
        mempolicy_event *ev;

        while ((rc = mempolicy_event_get(d->ctx, &ev)) == 0) {
            if (ev->type == MEMPOLICY_EVENT_DOMAIN_INTRODUCE)
                apply_default(d, ev->domid);
            mempolicy_event_free(d->ctx, ev);
        }
        if (rc != MEMPOLICY_ERROR_NOT_READY) {
            say("lost the event stream: %s", detail(d, rc));
            return 1;
        }
        if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
            say("poll: %s", strerror(errno));
            return 1;
        }
        if (pfd[1].revents & POLLIN) {
            struct signalfd_siginfo si;

            if (read(sfd, &si, sizeof(si)) == sizeof(si) &&
                si.ssi_signo == SIGHUP) {
                /* xl.conf is read per domain: nothing to reload. */
                continue;
            }
            return 0;
        }
        if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            say("lost the connection to xenstore");
            return 1;
        }
    }
}

/*
 * -d: fork before anything else, because libxenstore's watch thread
 * would not survive a fork made later.  The parent waits on a pipe for
 * the child's verdict, so start-up errors still reach the terminal and
 * the exit status: the child writes 0 once it is ready (and only then
 * lets go of the terminal), or exits after saying why it cannot start.
 */
static int detach_start(void)
{
    int p[2];
    pid_t pid;
    char c;

    if (pipe(p)) {
        say("cannot detach: %s", strerror(errno));
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        say("cannot detach: %s", strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        close(p[1]);
        exit(read(p[0], &c, 1) == 1 && c == 0 ? 0 : 1);
    }
    close(p[0]);
    setsid();
    return p[1];
}

static void detach_ready(int fd)
{
    char c = 0;
    int null = open("/dev/null", O_RDWR);

    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    if (write(fd, &c, 1) != 1)
        exit(1);
    close(fd);
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: mempolicyd [-v] [-c FILE] [-d] [-p PIDFILE]\n\n"
            "Give new domains without a memory policy the default from "
            "xl.conf.\n\n"
            " -c, --config FILE   xl.conf to read (default "
            "$MEMPOLICY_XL_CONF,\n"
            "                     else /etc/xen/xl.conf)\n"
            " -d, --daemon        detach from the terminal\n"
            " -p, --pidfile FILE  write the process id to FILE\n"
            " -v, --verbose       say what is done to each domain\n"
            " -h, --help          this help\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "daemon", no_argument, NULL, 'd' },
        { "pidfile", required_argument, NULL, 'p' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct daemon d = { 0 };
    caplog *lg;
    mempolicy_evgen *eg = NULL;
    const char *pidfile = NULL;
    char *actor = NULL, *params = NULL;
    bool detach = false;
    int opt, rc, ret = 1, ready_fd = -1, sfd;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "c:dp:vh", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': d.config = optarg; break;
        case 'd': detach = true; break;
        case 'p': pidfile = optarg; break;
        case 'v': d.verbose++; break;
        case 'h': usage(stdout); return 0;
        default:
            say("unknown option or missing value '%s' (try -h)",
                argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        say("unexpected argument '%s' (try -h)", argv[optind]);
        return 2;
    }

    if (detach)
        ready_fd = detach_start();
    sfd = stop_signals_fd();
    if (sfd < 0)
        return 1;

    /* Failures are reported here, once, with the library's detail; its
     * own log only with -vv. */
    lg = caplog_new(d.verbose > 1 ? XTL_DEBUG : XTL_NUM_LEVELS);
    if (!lg) {
        say("cannot create a logger");
        return 1;
    }
    rc = mempolicy_ctx_alloc(&d.ctx, 0, caplog_logger(lg));
    if (rc) {
        say("%s", *caplog_last_error(lg) ? caplog_last_error(lg)
            : mempolicy_strerror(rc));
        d.ctx = NULL;
        goto out;
    }
    d.xsh = xs_open(0);
    if (!d.xsh) {
        say("cannot connect to xenstore: %s", strerror(errno));
        goto out;
    }
    /* Refuse to start with a broken default, rather than fail later. */
    rc = mempolicy_config_policy(d.ctx, d.config, NULL, &actor, &params);
    if (rc) {
        say("%s", detail(&d, rc));
        goto out;
    }
    if (d.verbose)
        say("default policy: actor '%s' params '%s'", actor, params);
    free(actor);
    free(params);

    /* Subscribe first, then scan: a domain born in between is seen at
     * least once, and applying twice is harmless. */
    rc = mempolicy_evenable_domain_introduce(d.ctx, &eg);
    if (rc) {
        say("cannot follow new domains: %s", detail(&d, rc));
        goto out;
    }
    if (scan_existing(&d))
        goto out;

    if (pidfile) {
        FILE *f = fopen(pidfile, "w");

        if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
            say("cannot write %s: %s", pidfile, strerror(errno));
            goto out;
        }
    }
    if (d.verbose)
        say("ready");
    if (ready_fd >= 0)
        detach_ready(ready_fd);
    ret = run(&d, sfd);
    if (pidfile)
        unlink(pidfile);

out:
    close(sfd);
    if (eg)
        mempolicy_evdisable(d.ctx, eg);
    if (d.xsh)
        xs_close(d.xsh);
    if (d.ctx)
        mempolicy_ctx_free(d.ctx);
    caplog_free(lg);
    return ret;
}
