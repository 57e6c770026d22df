/*
 * test-store-gone.c: the library notices that the store went away, so
 * that every long-running user (the actor kit, mempolicyd, mem-watch)
 * ends instead of sleeping in poll for ever.
 *
 * An idle context with event generators (nothing pending) loses its
 * store: its event fd must become readable by itself and
 * mempolicy_event_get()/event_wait() must say STORE_GONE, every time.
 * The poll has a generous guard only so that a broken library fails the
 * test instead of hanging it; nothing waits on time.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

#define GUARD_MS 20000

static struct xsim sim;

/*
 * Make the context idle: the watches' first firings are read (they come
 * before the marker's on the same connection), so nothing is pending.
 */
static int settle(mempolicy_ctx *ctx)
{
    mempolicy_ctx *w = test_ctx();
    mempolicy_event *ev = NULL;
    int rc;

    if (!w || mempolicy_domain_set_policy(w, 1, "marker", ""))
        return -1;
    test_ctx_free(w);
    do {
        mempolicy_event_free(ctx, ev);
        ev = NULL;
        rc = mempolicy_event_wait(ctx, &ev, GUARD_MS);
    } while (!rc && ev->type != MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED);
    mempolicy_event_free(ctx, ev);
    if (rc)
        return -1;
    return mempolicy_event_get(ctx, &ev) == MEMPOLICY_ERROR_NOT_READY ? 0 : -1;
}

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "2", NULL };
    mempolicy_ctx *ctx;
    mempolicy_evgen *eg;

    if (xsim_start(&sim, args))
        return -1;
    ctx = test_ctx();
    if (!ctx)
        return -1;
    if (mempolicy_evenable_target_changed(ctx, NULL, &eg) ||
        mempolicy_evenable_domain_death(ctx, &eg))
        return -1;
    *state = ctx;
    return settle(ctx);
}

static int teardown(void **state)
{
    test_ctx_free(*state);
    xsim_stop(&sim);
    return 0;
}

static void kill_store(int sig)
{
    kill(sim.f.pid, sig);
    waitpid(sim.f.pid, NULL, 0);
    sim.f.pid = 0;
}

static void assert_gone(mempolicy_ctx *ctx)
{
    mempolicy_event *ev = NULL;
    int fd = mempolicy_event_fd(ctx);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    assert_true(fd >= 0);
    /* Nothing else can wake it: only the loss of the store. */
    assert_int_equal(poll(&pfd, 1, GUARD_MS), 1);
    assert_int_equal(mempolicy_event_get(ctx, &ev), MEMPOLICY_ERROR_STORE_GONE);
    assert_null(ev);
    assert_non_null(
        strstr(mempolicy_last_error(ctx), "xenstore closed the connection"));
    assert_null(strchr(mempolicy_last_error(ctx), '\n'));
    /* Sticky: a loop that tries again learns it again, and the fd stays
     * readable, so no caller sleeps on it. */
    assert_int_equal(mempolicy_event_get(ctx, &ev), MEMPOLICY_ERROR_STORE_GONE);
    assert_int_equal(poll(&pfd, 1, 0), 1);
    assert_int_equal(mempolicy_event_wait(ctx, &ev, -1),
                     MEMPOLICY_ERROR_STORE_GONE);
    assert_string_equal(mempolicy_strerror(MEMPOLICY_ERROR_STORE_GONE),
                        "the store went away");
}

static void idle_ctx_sees_sigterm(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_event *ev = NULL;

    assert_int_equal(mempolicy_event_get(ctx, &ev), MEMPOLICY_ERROR_NOT_READY);
    kill_store(SIGTERM);
    assert_gone(ctx);
}

static void idle_ctx_sees_sigkill(void **state)
{
    kill_store(SIGKILL);
    assert_gone(*state);
}

/* A wait already blocked when the store dies returns, with STORE_GONE. */
static void blocked_wait_returns(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_event *ev = NULL;
    pid_t killer = fork();

    assert_true(killer >= 0);
    if (killer == 0) {
        kill(sim.f.pid, SIGKILL);
        _exit(0);
    }
    assert_int_equal(mempolicy_event_wait(ctx, &ev, GUARD_MS),
                     MEMPOLICY_ERROR_STORE_GONE);
    waitpid(killer, NULL, 0);
    waitpid(sim.f.pid, NULL, 0);
    sim.f.pid = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(idle_ctx_sees_sigterm, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_ctx_sees_sigkill, setup, teardown),
        cmocka_unit_test_setup_teardown(blocked_wait_returns, setup, teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
