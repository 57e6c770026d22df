/*
 * test-events.c: DOMAIN_MEMORY_TARGET_CHANGED (snapshots, coalescing,
 * actor filter including "left the actor"), only memory-policy nodes
 * counting (not the toolstack's other /libxl nodes; the removal of
 * /libxl/<domid> does), DOMAIN_INTRODUCE, DOMAIN_DEATH,
 * the pollable fd, and evdisable, against xensim.
 *
 * Absence of an event is proven with a marker, never with a sleep: after
 * the change that must not produce an event, a change that must is made,
 * and the next event delivered has to be the marker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"

#define WAIT_MS 20000

static struct xsim sim;
static struct xs_handle *xsh;

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "4", NULL };

    if (test_host_start(&sim, args, &xsh, NULL))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, NULL);
    return 0;
}

/* A writer context separate from the listening one. */
static mempolicy_ctx *writer;

static int test_setup(void **state)
{
    mempolicy_ctx *ctx = test_ctx();

    writer = test_ctx();
    *state = ctx;
    return ctx && writer ? 0 : -1;
}

static int test_teardown(void **state)
{
    test_ctx_free(*state);
    test_ctx_free(writer);
    return 0;
}

/* Next event, of any type; fails the test on timeout. */
static mempolicy_event *next(mempolicy_ctx *ctx)
{
    mempolicy_event *ev = NULL;
    int rc = mempolicy_event_wait(ctx, &ev, WAIT_MS);

    if (rc)
        fail_msg("no event: %s (%s)", mempolicy_strerror(rc),
                 mempolicy_last_error(ctx));
    return ev;
}

/* Next TARGET_CHANGED event for domid, skipping others' events. */
static mempolicy_event *next_for(mempolicy_ctx *ctx, uint32_t domid)
{
    for (;;) {
        mempolicy_event *ev = next(ctx);

        if (ev->type == MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED &&
            ev->domid == domid)
            return ev;
        mempolicy_event_free(ctx, ev);
    }
}

/*
 * A round trip on the listening context's own connection: xenstore sends
 * watch events in order before later replies, so when it returns, every
 * watch event of writes committed before is queued in the context.
 */
static void sync_store(mempolicy_ctx *ctx)
{
    mempolicy_policy p;

    assert_int_equal(mempolicy_domain_get_policy(ctx, 0, &p), 0);
    mempolicy_policy_dispose(&p);
}

static void target_changed_snapshot(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    assert_int_equal(mempolicy_domain_set_policy_target(writer, 1, "xl-auto",
                                                        "delay=1", 200000,
                                                        false, true), 0);
    ev = next_for(ctx, 1);
    assert_string_equal(ev->policy.actor, "xl-auto");
    assert_string_equal(ev->policy.actor_params, "delay=1");
    assert_true(ev->policy.has_target);
    assert_int_equal(ev->policy.target_kb, 200000);
    assert_true(ev->policy.enforce);
    mempolicy_event_free(ctx, ev);
    mempolicy_evdisable(ctx, g);
}

static void fd_readiness(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev = NULL;
    struct pollfd pfd;
    int fd, rc, i;

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    fd = mempolicy_event_fd(ctx);
    assert_true(fd >= 0);
    /* Drain whatever the watch registration produced. */
    sync_store(ctx);
    while ((rc = mempolicy_event_get(ctx, &ev)) == 0)
        mempolicy_event_free(ctx, ev);
    assert_int_equal(rc, MEMPOLICY_ERROR_NOT_READY);
    pfd.fd = fd;
    pfd.events = POLLIN;
    assert_int_equal(poll(&pfd, 1, 0), 0);

    assert_int_equal(mempolicy_domain_set_target(writer, 1, 210000, false,
                                                 true), 0);
    /* Readable means "may have something": a late watch event of the
     * registration itself can wake us first, so poll and get until the
     * event comes, as any caller's loop does. */
    for (i = 0; i < 100; i++) {
        assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
        rc = mempolicy_event_get(ctx, &ev);
        if (rc != MEMPOLICY_ERROR_NOT_READY)
            break;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(ev->domid, 1);
    assert_int_equal(ev->policy.target_kb, 210000);
    mempolicy_event_free(ctx, ev);
    /* Nothing left: get says so and the fd is quiet again. */
    sync_store(ctx);
    assert_int_equal(mempolicy_event_get(ctx, &ev), MEMPOLICY_ERROR_NOT_READY);
    assert_null(ev);
    assert_int_equal(poll(&pfd, 1, 0), 0);
    mempolicy_evdisable(ctx, g);
}

static void coalescing_latest(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev = NULL;
    int i, n = 0, rc;
    uint64_t last = 0;

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    for (i = 1; i <= 30; i++)
        assert_int_equal(mempolicy_domain_set_target(writer, 2, 100000 + i,
                                                     false, false), 0);
    /* Events keep coming until the latest value is delivered. */
    while (last != 100030) {
        ev = next_for(ctx, 2);
        assert_true(ev->policy.target_kb > last);
        last = ev->policy.target_kb;
        n++;
        mempolicy_event_free(ctx, ev);
    }
    assert_true(n <= 30);
    /* And nothing more for domain 2 after the latest one. */
    sync_store(ctx);
    while ((rc = mempolicy_event_get(ctx, &ev)) == 0) {
        assert_int_not_equal(ev->domid, 2);
        mempolicy_event_free(ctx, ev);
    }
    assert_int_equal(rc, MEMPOLICY_ERROR_NOT_READY);
    mempolicy_evdisable(ctx, g);
}

static void actor_filter(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;

    /* Domain 3 starts with another actor; domain 4 is the marker. */
    assert_int_equal(mempolicy_domain_set_policy(writer, 3, "beta", ""), 0);
    assert_int_equal(mempolicy_domain_set_policy(writer, 4, "alpha", ""), 0);
    assert_int_equal(mempolicy_evenable_target_changed(ctx, "alpha", &g), 0);

    /* Not ours: no event, proven by the marker arriving first. */
    assert_int_equal(mempolicy_domain_set_target(writer, 3, 150000, false,
                                                 false), 0);
    assert_int_equal(mempolicy_domain_set_target(writer, 4, 150001, false,
                                                 false), 0);
    ev = next(ctx);
    assert_int_equal(ev->domid, 4);
    assert_int_equal(ev->policy.target_kb, 150001);
    mempolicy_event_free(ctx, ev);

    /* Becoming ours: event. */
    assert_int_equal(mempolicy_domain_set_policy(writer, 3, "alpha", "x=1"),
                     0);
    ev = next(ctx);
    assert_int_equal(ev->domid, 3);
    assert_string_equal(ev->policy.actor, "alpha");
    assert_string_equal(ev->policy.actor_params, "x=1");
    mempolicy_event_free(ctx, ev);

    /* While ours: event. */
    assert_int_equal(mempolicy_domain_set_target(writer, 3, 160000, false,
                                                 true), 0);
    ev = next(ctx);
    assert_int_equal(ev->domid, 3);
    assert_int_equal(ev->policy.target_kb, 160000);
    mempolicy_event_free(ctx, ev);

    /* Leaving: one event naming the new actor. */
    assert_int_equal(mempolicy_domain_set_policy(writer, 3, "beta", ""), 0);
    ev = next(ctx);
    assert_int_equal(ev->domid, 3);
    assert_string_equal(ev->policy.actor, "beta");
    mempolicy_event_free(ctx, ev);

    /* Gone: no more events. */
    assert_int_equal(mempolicy_domain_set_target(writer, 3, 170000, false,
                                                 true), 0);
    assert_int_equal(mempolicy_domain_set_target(writer, 4, 150002, false,
                                                 false), 0);
    ev = next(ctx);
    assert_int_equal(ev->domid, 4);
    assert_int_equal(ev->policy.target_kb, 150002);
    mempolicy_event_free(ctx, ev);
    mempolicy_evdisable(ctx, g);
}

static void filter_xl_alias(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;

    /* "xl" as a filter means xl-auto, as it does as an actor name. */
    assert_int_equal(mempolicy_evenable_target_changed(ctx, "xl", &g), 0);
    assert_int_equal(mempolicy_domain_set_policy(writer, 1, "xl-auto", ""),
                     0);
    ev = next(ctx);
    assert_int_equal(ev->domid, 1);
    mempolicy_event_free(ctx, ev);
    mempolicy_evdisable(ctx, g);
    assert_int_equal(mempolicy_evenable_target_changed(ctx, "Bad!", &g),
                     MEMPOLICY_ERROR_INVAL);
    assert_null(g);
}

/*
 * The toolstack writes more than the policy under /libxl/<domid> (type,
 * device/, and the node itself at creation): none of it is a policy
 * change.  Domain 4's target is the marker.
 */
static void only_policy_nodes_count(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;
    char *r;
    int d;

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    assert_int_equal(mempolicy_domain_set_policy(writer, 2, "xl-auto", ""),
                     0);
    ev = next_for(ctx, 2);
    mempolicy_event_free(ctx, ev);
    /* A new domain without policy keys: /libxl/<d>, type, device. */
    d = xsim_create(&sim, "name=nopolicy type=pv memory_kb=131072");
    assert_true(d > 0);
    /* Toolstack nodes of an existing domain with a policy. */
    assert_true(xs_put(xsh, "pv", "/libxl/2/type"));
    assert_true(xs_put(xsh, "", "/libxl/2/device/vbd"));
    assert_true(xs_put(xsh, "1", "/libxl/2/memory-policy-not"));
    assert_int_equal(mempolicy_domain_set_target(writer, 4, 150004, false,
                                                 false), 0);
    ev = next(ctx);
    assert_int_equal(ev->type, MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED);
    assert_int_equal(ev->domid, 4);
    assert_int_equal(ev->policy.target_kb, 150004);
    mempolicy_event_free(ctx, ev);
    r = xsim_hv(&sim, "destroy %d", d);
    assert_non_null(r);
    free(r);
    mempolicy_evdisable(ctx, g);
}

/*
 * Removing /libxl/<domid> removes the policy nodes, and xenstore reports
 * it to a watcher on /libxl as that one path: it is a policy change, also
 * for a listener that never saw this domain's policy change before (the
 * domain got its policy at creation, before the listener started).
 */
static void libxl_dir_removal_counts(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;
    char path[32], *r;
    int d;

    d = xsim_create(&sim, "name=withpolicy type=pv memory_kb=131072 "
                          "memory_policy=xl-manual");
    assert_true(d > 0);
    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    snprintf(path, sizeof(path), "/libxl/%d", d);
    assert_true(xs_rm(xsh, XBT_NULL, path));
    assert_int_equal(mempolicy_domain_set_target(writer, 4, 150005, false,
                                                 false), 0);
    ev = next(ctx);
    assert_int_equal(ev->domid, d);
    assert_string_equal(ev->policy.actor, "");
    assert_false(ev->policy.has_target);
    mempolicy_event_free(ctx, ev);
    ev = next(ctx);
    assert_int_equal(ev->domid, 4);
    mempolicy_event_free(ctx, ev);
    r = xsim_hv(&sim, "destroy %d", d);
    assert_non_null(r);
    free(r);
    mempolicy_evdisable(ctx, g);
}

static void introduce_and_death(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *gi, *gd;
    mempolicy_event *ev;
    char *r;
    int d;

    assert_int_equal(mempolicy_evenable_domain_introduce(ctx, &gi), 0);
    assert_int_equal(mempolicy_evenable_domain_death(ctx, &gd), 0);
    d = xsim_create(&sim, "name=newcomer type=hvm memory_kb=262144");
    assert_true(d > 0);
    ev = next(ctx);
    assert_int_equal(ev->type, MEMPOLICY_EVENT_DOMAIN_INTRODUCE);
    assert_int_equal(ev->domid, d);
    mempolicy_event_free(ctx, ev);

    r = xsim_hv(&sim, "destroy %d", d);
    assert_non_null(r);
    assert_memory_equal(r, "ok", 2);
    free(r);
    ev = next(ctx);
    assert_int_equal(ev->type, MEMPOLICY_EVENT_DOMAIN_DEATH);
    assert_int_equal(ev->domid, d);
    mempolicy_event_free(ctx, ev);

    /* Death disabled, introduce kept: no DEATH event arrives.  (A domain
     * that comes and goes between two looks is never seen at all.) */
    mempolicy_evdisable(ctx, gd);
    d = xsim_create(&sim, "name=second type=pv memory_kb=131072");
    assert_true(d > 0);
    r = xsim_hv(&sim, "destroy %d", d);
    free(r);
    d = xsim_create(&sim, "name=third type=pv memory_kb=131072");
    assert_true(d > 0);
    for (;;) {
        ev = next(ctx);
        assert_int_equal(ev->type, MEMPOLICY_EVENT_DOMAIN_INTRODUCE);
        if (ev->domid == (uint32_t)d)
            break;
        mempolicy_event_free(ctx, ev);
    }
    mempolicy_event_free(ctx, ev);
    mempolicy_evdisable(ctx, gi);
}

static void disabled_means_silent(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *gt, *gi;
    mempolicy_event *ev;
    int d;

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &gt), 0);
    assert_int_equal(mempolicy_evenable_domain_introduce(ctx, &gi), 0);
    mempolicy_evdisable(ctx, gt);
    assert_int_equal(mempolicy_domain_set_target(writer, 1, 180000, false,
                                                 false), 0);
    d = xsim_create(&sim, "name=marker type=pv memory_kb=131072");
    assert_true(d > 0);
    ev = next(ctx);
    assert_int_equal(ev->type, MEMPOLICY_EVENT_DOMAIN_INTRODUCE);
    assert_int_equal(ev->domid, d);
    mempolicy_event_free(ctx, ev);
    mempolicy_evdisable(ctx, gi);
}

static void malformed_nodes_skipped(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    assert_int_equal(mempolicy_domain_set_policy(writer, 1, "xl-auto",
                                                 "malformed=1"), 0);
    ev = next_for(ctx, 1);
    mempolicy_event_free(ctx, ev);
    /* Garbage in a policy node: no event, and the stream goes on. */
    assert_true(xs_put(xsh, "12x", "/libxl/1/memory-policy/target"));
    assert_true(xs_put(xsh, "maybe", "/libxl/2/memory-policy/enforce"));
    assert_true(xs_put(xsh, "190000", "/libxl/1/memory-policy/target"));
    ev = next_for(ctx, 1);
    assert_int_equal(ev->policy.target_kb, 190000);
    mempolicy_event_free(ctx, ev);
    assert_true(xs_put(xsh, "0", "/libxl/2/memory-policy/enforce"));
    mempolicy_evdisable(ctx, g);
}

static void unchanged_write_is_silent(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;

    assert_int_equal(mempolicy_domain_set_policy_target(writer, 1, "quiet",
                                                        "q=1", 170000, false,
                                                        true), 0);
    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    sync_store(ctx);
    while (mempolicy_event_get(ctx, &ev) == 0)
        mempolicy_event_free(ctx, ev);
    /* Same values again: nothing is written, nobody is woken... */
    assert_int_equal(mempolicy_domain_set_policy_target(writer, 1, "quiet",
                                                        "q=1", 170000, false,
                                                        true), 0);
    assert_int_equal(mempolicy_domain_set_target(writer, 1, 0, true, true),
                     0);
    /* ... as the marker, arriving first, shows. */
    assert_int_equal(mempolicy_domain_set_target(writer, 4, 150003, false,
                                                 false), 0);
    ev = next(ctx);
    assert_int_equal(ev->domid, 4);
    mempolicy_event_free(ctx, ev);
    mempolicy_evdisable(ctx, g);
}

/* Writers whose four values all say who wrote them; see test-policy.c. */
#define WRITERS 4
#define ROUNDS 20

static void snapshots_never_torn(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_evgen *g;
    mempolicy_event *ev;
    pid_t pids[WRITERS];
    int done[2], i, st, events = 0, w = -1;
    char expect[32];

    assert_int_equal(mempolicy_evenable_target_changed(ctx, NULL, &g), 0);
    assert_int_equal(pipe(done), 0);
    for (i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            mempolicy_ctx *c = test_ctx();
            char actor[16], params[32];
            int r;

            close(done[0]);
            snprintf(actor, sizeof(actor), "w%d", i);
            snprintf(params, sizeof(params), "writer=%d", i);
            for (r = 0; c && r < ROUNDS; r++)
                if (mempolicy_domain_set_policy_target(c, 3, actor, params,
                                                       100000 + i, false,
                                                       i & 1))
                    _exit(1);
            test_ctx_free(c);
            _exit(c ? 0 : 2);
        }
    }
    close(done[1]); /* EOF on done[0] once every writer has exited */
    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = mempolicy_event_fd(ctx), .events = POLLIN },
            { .fd = done[0], .events = POLLIN },
        };
        char c;

        assert_true(poll(pfd, 2, WAIT_MS) > 0);
        while (mempolicy_event_get(ctx, &ev) == 0) {
            if (ev->domid == 3 && ev->policy.actor[0] == 'w') {
                w = atoi(ev->policy.actor + 1);
                snprintf(expect, sizeof(expect), "writer=%d", w);
                assert_string_equal(ev->policy.actor_params, expect);
                assert_int_equal(ev->policy.target_kb, 100000 + w);
                assert_int_equal(ev->policy.enforce, (bool)(w & 1));
                events++;
            }
            mempolicy_event_free(ctx, ev);
        }
        if ((pfd[1].revents & (POLLIN | POLLHUP)) && read(done[0], &c, 1) == 0)
            break;
    }
    close(done[0]);
    for (i = 0; i < WRITERS; i++) {
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    /* Everything queued is in; the last event shows the final state. */
    sync_store(ctx);
    while (mempolicy_event_get(ctx, &ev) == 0) {
        if (ev->domid == 3)
            w = atoi(ev->policy.actor + 1);
        mempolicy_event_free(ctx, ev);
    }
    assert_true(events > 0);
    {
        mempolicy_policy p;

        assert_int_equal(mempolicy_domain_get_policy(ctx, 3, &p), 0);
        snprintf(expect, sizeof(expect), "w%d", w);
        assert_string_equal(p.actor, expect);
        mempolicy_policy_dispose(&p);
    }
    mempolicy_evdisable(ctx, g);
}

static void no_generators(void **state)
{
    mempolicy_ctx *ctx = *state;
    mempolicy_event *ev = NULL;

    assert_int_equal(mempolicy_event_get(ctx, &ev), MEMPOLICY_ERROR_NOT_READY);
    assert_int_equal(mempolicy_event_wait(ctx, &ev, 0),
                     MEMPOLICY_ERROR_NOT_READY);
    assert_null(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(target_changed_snapshot, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(fd_readiness, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(coalescing_latest, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(actor_filter, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(filter_xl_alias, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(only_policy_nodes_count, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(libxl_dir_removal_counts, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(introduce_and_death, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(disabled_means_silent, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(malformed_nodes_skipped, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(unchanged_write_is_silent, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(snapshots_never_torn, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(no_generators, test_setup,
                                        test_teardown),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
