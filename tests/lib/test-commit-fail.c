/*
 * test-commit-fail.c: a read-only transaction whose reads succeed and
 * whose commit fails (the store went away in between) returns the error,
 * hands nothing back and leaks nothing.
 *
 * The store going away between the last read and the commit is a window
 * of microseconds: a loaded `make check` under ASan once found mem-watch
 * leaking the actor and params it had read for an event
 * (tests/xlmem/store-gone.t.sh, "9 bytes in 2 objects").  Here the
 * window is opened by construction: this program defines
 * xs_transaction_end itself, so the library's calls reach this one
 * (it preempts libxenstore's), which fails a commit when told to and
 * otherwise passes the call on.  The leak itself is what LeakSanitizer
 * reports in the sanitizer build; the assertions check what the caller
 * gets back.
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"

#define WAIT_MS 20000

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;
static mempolicy_ctx *writer;

/* Commits still to fail (aborts always pass), and commits failed. */
static unsigned fail_commits, failed;

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort_tx)
{
    static bool (*real)(struct xs_handle *, xs_transaction_t, bool);

    if (!real) {
        real = (bool (*)(struct xs_handle *, xs_transaction_t, bool))dlsym(
            RTLD_NEXT, "xs_transaction_end");
        if (!real)
            abort();
    }
    if (abort_tx || !fail_commits)
        return real(h, t, abort_tx);
    fail_commits--;
    failed++;
    real(h, t, true);
    errno = EIO;
    return false;
}

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "2", NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    writer = test_ctx();
    if (!writer || mempolicy_domain_set_policy(writer, 1, "xl-auto", "delay=1"))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    test_ctx_free(writer);
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

static void get_policy(void **state)
{
    mempolicy_policy p;

    fail_commits = 1;
    failed = 0;
    assert_int_equal(mempolicy_domain_get_policy(ctx, 1, &p),
                     MEMPOLICY_ERROR_STORE);
    assert_int_equal(failed, 1);
    assert_null(p.actor);
    assert_null(p.actor_params);
    /* And with the store answering again, the policy is there. */
    assert_int_equal(mempolicy_domain_get_policy(ctx, 1, &p), 0);
    assert_string_equal(p.actor, "xl-auto");
    mempolicy_policy_dispose(&p);
}

static void target_changed_event(void **state)
{
    mempolicy_evgen *g;
    mempolicy_event *ev = NULL;
    struct pollfd pfd;
    int rc;

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    /* The change is queued (the fd says so) before any commit fails. */
    assert_int_equal(
        mempolicy_domain_set_policy(writer, 2, "xl-auto", "delay=2"), 0);
    pfd.fd = mempolicy_event_fd(ctx);
    pfd.events = POLLIN;
    fail_commits = ~0u;
    failed = 0;
    do {
        assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
        rc = mempolicy_event_get(ctx, &ev);
        if (!rc)
            mempolicy_event_free(ctx, ev);
    } while (!failed);
    fail_commits = 0;
    assert_int_equal(rc, MEMPOLICY_ERROR_STORE);
    assert_null(ev);
    mempolicy_evdisable(ctx, g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_policy),
        cmocka_unit_test(target_changed_event),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
