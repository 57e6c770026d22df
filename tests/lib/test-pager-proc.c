/*
 * test-pager-proc.c: the pager process as the xen backend runs xenpaging
 * (pager_proc.c), with a stand-in script for xenpaging: it is detached
 * from its caller (its own session, not the caller's child, stdin on
 * /dev/null, none of the caller's descriptors, output in its log), it
 * sees SIGTERM even when the caller blocks it (the actors do, for their
 * signalfd), and how it exited (status, signal, exec failure) is
 * readable by any process after it has gone.
 *
 * The stand-in reports on a fifo the test reads (an event, not a
 * sleep); waiting for exits is the library's own pidfd wait.  Also: a
 * message for every errno Xen's paging enable returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"
#include "internal.h"

#define WAIT_MS 120000

static struct xsim sim;
static mempolicy_ctx *ctx;
static char dir[64], prog[96];

/*
 * xenpaging's command line: -d DOMID -f PAGEFILE.  It reports its
 * session id, its descriptors and its stdin on PAGEFILE.ready (a fifo),
 * then: domid 3 exits 3; otherwise it waits for SIGTERM, which it
 * notes in PAGEFILE.term before exiting 0.
 */
static const char script[] =
    "#!/bin/sh\n"
    "f=$4\n"
    "trap 'echo term >\"$f.term\"; kill $s 2>/dev/null; exit 0' TERM\n"
    /* its sleep started before it says it is ready: a signal after that
     * finds $s set (no sleep left behind) */
    "[ \"$2\" = 3 ] || { sleep 100000 & s=$!; }\n"
    "echo hello from the pager >&2\n"
    "sid=$(cut -d' ' -f6 /proc/$$/stat)\n"
    "ppid=$(cut -d' ' -f4 /proc/$$/stat)\n"
    "fds=$(ls /proc/$$/fd | tr '\\n' ,)\n"
    "in=$(readlink /proc/$$/fd/0)\n"
    "echo \"sid=$sid ppid=$ppid in=$in fds=,$fds\" >\"$f.ready\"\n"
    "[ \"$2\" = 3 ] && exit 3\n"
    "wait $s\n";

static int setup(void **state)
{
    static const char *const args[] = { NULL };
    FILE *f;

    if (xsim_start(&sim, args))
        return -1;
    ctx = test_ctx();
    snprintf(dir, sizeof(dir), "/tmp/pager-proc.XXXXXX");
    if (!ctx || !mkdtemp(dir))
        return -1;
    snprintf(prog, sizeof(prog), "%s/xenpaging", dir);
    f = fopen(prog, "w");
    if (!f || fputs(script, f) == EOF || fclose(f) || chmod(prog, 0755))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    test_ctx_free(ctx);
    xsim_stop(&sim);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) ? -1 : 0;
}

/* Spawn the stand-in for domid; its pagefile name in file. */
static long spawn(unsigned domid, char *file, size_t len)
{
    char dom[16], log[96], fifo[128];
    char *argv[] = { "xenpaging", "-d", dom, "-f", file, NULL };
    long pid = 0;

    snprintf(dom, sizeof(dom), "%u", domid);
    snprintf(file, len, "%s/%u.paging", dir, domid);
    snprintf(log, sizeof(log), "%s/xenpaging-%u.log", dir, domid);
    snprintf(fifo, sizeof(fifo), "%s.ready", file);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(mp_pager_spawn(ctx, prog, argv, file, log, &pid), 0);
    assert_true(pid > 1);
    return pid;
}

/* What the stand-in reported (blocks until it has). */
static char *report(const char *file)
{
    char fifo[128], *line = NULL;
    size_t cap = 0;
    FILE *f;

    snprintf(fifo, sizeof(fifo), "%s.ready", file);
    f = fopen(fifo, "r");
    assert_non_null(f);
    assert_true(getline(&line, &cap, f) > 0);
    fclose(f);
    return line;
}

static void detached_and_stopped_by_sigterm(void **state)
{
    char file[128], want[64], path[160], *r, *p;
    struct mp_pager_state st;
    sigset_t term, old;
    long pid;
    int extra;

    /* The caller blocks SIGTERM and holds a descriptor without CLOEXEC. */
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    extra = open("/dev/null", O_RDONLY);
    assert_true(extra >= 3);
    pid = spawn(1, file, sizeof(file));
    r = report(file);
    close(extra);
    sigprocmask(SIG_SETMASK, &old, NULL);

    p = strstr(r, "sid=");
    assert_non_null(p);
    assert_true(strtol(p + 4, NULL, 10) != (long)getsid(0));
    p = strstr(r, "ppid=");
    assert_non_null(p);
    assert_true(strtol(p + 5, NULL, 10) != (long)getpid());
    assert_non_null(strstr(r, "in=/dev/null"));
    snprintf(want, sizeof(want), ",%d,", extra);
    if (strstr(r, want))
        fail_msg("the caller's fd %d is open in the pager: %s", extra, r);
    free(r);

    mp_pager_proc_status(pid, file, &st);
    assert_true(st.running);
    assert_int_equal(mp_pager_proc_signal(ctx, 1, pid, SIGTERM), 0);
    mp_pager_proc_wait_exit(pid, file, WAIT_MS, &st);
    assert_false(st.running);
    assert_int_equal(st.status, 0);
    /* Its own SIGTERM handler ran: the signal reached it. */
    snprintf(path, sizeof(path), "%s.term", file);
    assert_int_equal(access(path, F_OK), 0);
    /* Its output went to its log. */
    snprintf(path, sizeof(path), "%s/xenpaging-1.log", dir);
    {
        char buf[128] = "";
        FILE *f = fopen(path, "r");

        assert_non_null(f);
        assert_non_null(fgets(buf, sizeof(buf), f));
        fclose(f);
        assert_string_equal(buf, "hello from the pager\n");
    }
    /* Signalling one that has gone is not an error. */
    assert_int_equal(mp_pager_proc_signal(ctx, 1, pid, SIGTERM), 0);
}

static void exit_status_recorded(void **state)
{
    struct mp_pager_state st;
    char file[128], *r;
    pid_t pgid;
    long pid;

    pid = spawn(3, file, sizeof(file));
    r = report(file);
    free(r);
    mp_pager_proc_wait_exit(pid, file, WAIT_MS, &st);
    assert_false(st.running);
    assert_int_equal(st.status, 3);
    /* Read again later, by anyone: the same. */
    mp_pager_proc_status(pid, file, &st);
    assert_false(st.running);
    assert_int_equal(st.status, 3);

    pid = spawn(4, file, sizeof(file));
    r = report(file);
    free(r);
    /* Its process group (its supervisor's session): the stand-in's
     * sleep outlives a SIGKILL of the shell, and must not be left. */
    pgid = getpgid((pid_t)pid);
    assert_true(pgid > 1 && pgid != getpgid(0));
    assert_int_equal(mp_pager_proc_signal(ctx, 4, pid, SIGKILL), 0);
    mp_pager_proc_wait_exit(pid, file, WAIT_MS, &st);
    assert_false(st.running);
    assert_int_equal(st.status, -SIGKILL);
    kill(-pgid, SIGKILL);
}

/* The supervisor's pid, from the exit file ("running <pid>"). */
static long supervisor_of(const char *file)
{
    char path[160], buf[48] = "";
    FILE *f;

    snprintf(path, sizeof(path), "%s.exit", file);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_true(!strncmp(buf, "running ", 8));
    return strtol(buf + 8, NULL, 10);
}

/* sig to pid (not our child), and wait on a pidfd until it is gone. */
static void kill_and_wait(long pid, int sig)
{
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    struct pollfd pf = { .fd = fd, .events = POLLIN };

    assert_true(fd >= 0);
    assert_int_equal(kill((pid_t)pid, sig), 0);
    assert_int_equal(poll(&pf, 1, WAIT_MS), 1);
    close(fd);
}

/*
 * A pager is known by its supervisor (its parent), or, once that is gone
 * (kill -9), by its command line: a pid reused by another process after
 * both died is not a running pager (it would be left recorded as on, and
 * sent SIGTERM by the next disable).
 */
static void reused_pid_is_not_the_pager(void **state)
{
    struct mp_pager_state st;
    char file[128], *r;
    long pid, sup;
    pid_t other;

    pid = spawn(5, file, sizeof(file));
    /* At once (before or after its exec): its supervisor's child. */
    mp_pager_proc_status(pid, file, &st);
    assert_true(st.running);
    r = report(file);
    free(r);
    sup = supervisor_of(file);
    kill_and_wait(sup, SIGKILL);
    /* Orphaned, it still runs: known by its -f <pagefile>. */
    mp_pager_proc_status(pid, file, &st);
    assert_true(st.running);
    kill_and_wait(pid, SIGTERM); /* its trap ends its sleep too */
    mp_pager_proc_status(pid, file, &st);
    assert_false(st.running);
    assert_int_equal(st.status, MP_PAGER_STATUS_UNKNOWN);

    /* Its pid now another process's (any live process of ours stands in
     * for the reuse; the exit file still says "running"). */
    other = fork();
    assert_true(other >= 0);
    if (other == 0) {
        for (;;)
            pause();
    }
    mp_pager_proc_status((long)other, file, &st);
    assert_false(st.running);
    assert_int_equal(st.status, MP_PAGER_STATUS_UNKNOWN);
    mp_pager_proc_wait_exit((long)other, file, WAIT_MS, &st);
    assert_false(st.running);
    kill((pid_t)other, SIGKILL);
    waitpid(other, NULL, 0);
}

static void exec_failure_recorded(void **state)
{
    char file[128], *argv[] = { "xenpaging", NULL };
    struct mp_pager_state st;
    long pid = 0;

    snprintf(file, sizeof(file), "%s/9.paging", dir);
    assert_int_equal(mp_pager_spawn(ctx, "/nonexistent/xenpaging", argv, file,
                                    "/dev/null", &pid),
                     0);
    mp_pager_proc_wait_exit(pid, file, WAIT_MS, &st);
    assert_false(st.running);
    assert_int_equal(st.status, 127);
}

/*
 * Every errno Xen 4.17's paging enable can return (xen/common/vm_event.c,
 * vm_event_domctl and vm_event_enable; XSM) has its own one-line message
 * (hverr.c): the cause and what the administrator can do.
 */
static void paging_errnos_explained(void **state)
{
    static const int errs[] = { ENOSYS, EOPNOTSUPP, ENODEV, EMLINK, EXDEV,
                                EBUSY,  ENOMEM,     EPERM,  EINVAL };
    const char *why[sizeof(errs) / sizeof(errs[0])], *name;
    unsigned i, j;

    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        why[i] = mp_hv_mech_why(true, errs[i], &name);
        if (!why[i])
            fail_msg("no message for %s", strerror(errs[i]));
        assert_string_equal(name, mp_errno_name(errs[i]));
        assert_null(strchr(why[i], '\n'));
        assert_true(strlen(why[i]) < 200);
        /* a cause, then what to do */
        assert_true(strchr(why[i], ';') || strchr(why[i], ':'));
        for (j = 0; j < i; j++)
            assert_string_not_equal(why[i], why[j]);
    }
    assert_null(mp_hv_mech_why(true, E2BIG, &name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detached_and_stopped_by_sigterm),
        cmocka_unit_test(exit_status_recorded),
        cmocka_unit_test(exec_failure_recorded),
        cmocka_unit_test(reused_pid_is_not_the_pager),
        cmocka_unit_test(paging_errnos_explained),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
