/*
 * test_actor_loop.c: the actor kit's API against a live xensim.
 *
 * Each test runs a real actor loop (mempolicy_actor_run) on a private
 * xensim at --speed 100 and ends it from a callback with
 * mempolicy_actor_stop(); a guard timer of 1,000 s of host time (10 s of
 * real time) fails a test that would otherwise hang.  Covered: timers on
 * host time and their order, cancelling (also a running timer from its
 * own callback), extra fds, claiming a domain, losing it to another
 * actor, its death, DOMAIN_INTRODUCE, per-domain data and its free hook,
 * and the loop's end when the store goes away (idle, or at work in a
 * store or a hypervisor call: one clear reason every way).
 */
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <libmempolicy_actor.h>

#include "hvclient.h"
#include "actorfx.h"
#include "xensim_fixture.h"

#define NAME "kit-test"
#define GUARD_MS 1000000 /* host ms: 10 s of real time at speed 100 */

struct rec {
    int changed, left, left_died, introduced, freed;
    uint32_t last_domid;
    uint64_t last_target;
    int order[8];
    int norder;
    bool guard_fired;
    int step;
    int pipe_rd;
};

struct fx {
    struct xensim_fixture sim;
    xentoollog_logger *lg;
    mempolicy_ctx *admin;     /* a second context, as an administrator */
    struct rec r;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    actorfx_start(&f->sim, &f->lg, &f->admin, XTL_ERROR);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    actorfx_stop(&f->sim, f->lg, f->admin);
    free(f);
    return 0;
}

/* ---- callbacks recording what happened --------------------------------- */

static void changed(mempolicy_actor *a, uint32_t domid,
                    const mempolicy_policy *p, void *user)
{
    struct rec *r = user;

    r->changed++;
    r->last_domid = domid;
    r->last_target = p->target_kb;
    if (!mempolicy_actor_domain_data(a, domid))
        assert_int_equal(mempolicy_actor_set_domain_data(a, domid, r), 0);
    mempolicy_actor_stop(a);
}

static void left(mempolicy_actor *a, uint32_t domid, bool died, void *user)
{
    struct rec *r = user;

    r->left++;
    r->left_died += died;
    r->last_domid = domid;
    /* Still ours during the call: the data is there. */
    assert_ptr_equal(mempolicy_actor_domain_data(a, domid), r);
    mempolicy_actor_stop(a);
}

static void introduced(mempolicy_actor *a, uint32_t domid, void *user)
{
    struct rec *r = user;

    r->introduced++;
    r->last_domid = domid;
    mempolicy_actor_stop(a);
}

static void data_free(mempolicy_actor *a, uint32_t domid, void *data,
                      void *user)
{
    struct rec *r = user;

    assert_ptr_equal(data, r);
    r->freed++;
}

static void guard(mempolicy_actor *a, void *arg)
{
    struct rec *r = arg;

    r->guard_fired = true;
    mempolicy_actor_stop(a);
}

static const mempolicy_actor_ops ops = {
    .domain_changed = changed,
    .domain_left = left,
    .domain_introduced = introduced,
    .domain_data_free = data_free,
};

static mempolicy_actor *new_actor(struct fx *f)
{
    mempolicy_ctx *ctx;
    mempolicy_actor *a;

    assert_int_equal(mempolicy_ctx_alloc(&ctx, 0, f->lg), 0);
    assert_int_equal(mempolicy_actor_new(ctx, NAME, &ops, &f->r, &a), 0);
    mempolicy_actor_set_logger(a, f->lg);
    return a;
}

/* Run until a callback stops the loop; fail if only the guard did. */
static void run_once(mempolicy_actor *a, struct rec *r)
{
    mempolicy_timer *g = mempolicy_timer_add(a, GUARD_MS, guard, r);

    assert_non_null(g);
    assert_int_equal(mempolicy_actor_run(a), 0);
    assert_false(r->guard_fired);
    mempolicy_timer_cancel(a, g);
}

/* ---- timers ------------------------------------------------------------ */

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct tick {
    struct rec *r;
    int id;
};

static void tick(mempolicy_actor *a, void *arg)
{
    struct tick *t = arg;

    t->r->order[t->r->norder++] = t->id;
    if (t->r->norder == 3)
        mempolicy_actor_stop(a);
}

static void must_not_fire(mempolicy_actor *a, void *arg)
{
    fail_msg("a cancelled timer fired");
}

static void test_timers_host_time_and_order(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = new_actor(f);
    struct tick ta = { &f->r, 'A' }, tb = { &f->r, 'B' },
                tc = { &f->r, 'C' };
    mempolicy_timer *c;
    uint64_t t0;

    /* Resync first (domains 1..3 are not ours: nothing to claim). */
    mempolicy_actor_stop(a);
    assert_int_equal(mempolicy_actor_run(a), 0);
    assert_int_equal(f->r.changed, 0);

    /* 100 s, 50 s, 50 s of host time: 1 s and 0.5 s real at speed 100
     * (on real time they would take 100 s: the bound below tells the two
     * apart with 49 s to spare for a loaded machine). */
    t0 = now_ms();
    assert_non_null(mempolicy_timer_add(a, 100000, tick, &ta));
    assert_non_null(mempolicy_timer_add(a, 50000, tick, &tb));
    c = mempolicy_timer_add(a, 75000, must_not_fire, NULL);
    assert_non_null(c);
    assert_non_null(mempolicy_timer_add(a, 50000, tick, &tc));
    mempolicy_timer_cancel(a, c);
    run_once(a, &f->r);
    /* By deadline; equal deadlines in the order added; the cancelled
     * one never; and 100 s of host time took 1 s of real time. */
    assert_int_equal(f->r.norder, 3);
    assert_int_equal(f->r.order[0], 'B');
    assert_int_equal(f->r.order[1], 'C');
    assert_int_equal(f->r.order[2], 'A');
    assert_true(now_ms() - t0 >= 999);
    assert_true(now_ms() - t0 < 50000);
    mempolicy_actor_free(a);
}

/* ---- xensim's held clock ------------------------------------------------ */

/*
 * One request on xensim's hv channel (tests/support/hvclient.h); the
 * reply, which must start with "ok" (malloc'd).
 */
static char *hv_ok_reply(struct fx *f, const char *req)
{
    struct xs_handle *xs = xensim_open(&f->sim);
    char *path, *reply;

    assert_non_null(xs);
    path = hvc_path(xs);
    xs_close(xs);
    assert_non_null(path);
    reply = hvc_request(path, req);
    free(path);
    assert_non_null(reply);
    if (strncmp(reply, "ok", 2))
        fail_msg("hv channel: '%s': %s", req, reply);
    return reply;
}

static void hv_ok(struct fx *f, const char *req)
{
    free(hv_ok_reply(f, req));
}

struct periodic {
    int ticks, at_stop;
};

static void every_100ms(mempolicy_actor *a, void *arg)
{
    struct periodic *p = arg;

    p->ticks++;
    assert_non_null(mempolicy_timer_add(a, 100, every_100ms, p));
}

static void stop_at(mempolicy_actor *a, void *arg)
{
    struct periodic *p = arg;

    p->at_stop = p->ticks;
    mempolicy_actor_stop(a);
}

/*
 * A held clock holds the timers; a 1 s step runs a 100 ms periodic
 * timer as often as 1 s of running time would (each firing at its own
 * deadline), not once.  No guard timer: it would be held too.
 */
static void test_held_clock_step(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a;
    struct periodic p = { 0, -1 };

    /* Held before the actor exists: it reads the held clock when made,
     * so the deadlines below are on it. */
    hv_ok(f, "clock pause\n");
    a = new_actor(f);
    mempolicy_actor_stop(a);
    assert_int_equal(mempolicy_actor_run(a), 0);
    assert_non_null(mempolicy_timer_add(a, 1000, stop_at, &p));
    assert_non_null(mempolicy_timer_add(a, 100, every_100ms, &p));
    hv_ok(f, "clock step 1000\n");
    assert_int_equal(mempolicy_actor_run(a), 0);
    /* 100, 200, ... 900 ms; at 1000 ms the stop timer, added first, goes
     * before the periodic one. */
    assert_int_equal(p.at_stop, 9);
    mempolicy_actor_free(a);
}

static void cancel_self(mempolicy_actor *a, void *arg)
{
    mempolicy_timer **self = arg;

    /* Allowed: the kit frees it after we return. */
    mempolicy_timer_cancel(a, *self);
    *self = NULL;
    mempolicy_actor_stop(a);
}

static void test_timer_cancels_itself(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = new_actor(f);
    mempolicy_timer *t;

    t = mempolicy_timer_add(a, 0, cancel_self, &t);
    assert_non_null(t);
    run_once(a, &f->r);
    assert_null(t);
    mempolicy_actor_free(a);
}

/* ---- extra fds --------------------------------------------------------- */

static void on_pipe(mempolicy_actor *a, int fd, void *arg)
{
    struct rec *r = arg;
    char c;

    assert_int_equal(read(fd, &c, 1), 1);
    assert_int_equal(c, 'x');
    r->step = 42;
    /* Unwatching from the callback is allowed. */
    assert_int_equal(mempolicy_actor_watch_fd(a, fd, NULL, NULL), 0);
    mempolicy_actor_stop(a);
}

static void test_watch_fd(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = new_actor(f);
    int p[2];

    assert_int_equal(pipe(p), 0);
    assert_int_equal(mempolicy_actor_watch_fd(a, p[0], on_pipe, &f->r), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    run_once(a, &f->r);
    assert_int_equal(f->r.step, 42);
    close(p[0]);
    close(p[1]);
    mempolicy_actor_free(a);
}

/* ---- domains ----------------------------------------------------------- */

static void test_claim_left_and_data(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = new_actor(f);

    assert_int_equal(mempolicy_actor_set_domain_data(a, 1, &f->r),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    assert_int_equal(mempolicy_actor_domain_count(a), 0);

    /* A domain becomes ours. */
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 1, NAME, ""), 0);
    assert_int_equal(mempolicy_domain_set_target(f->admin, 1, 300000,
                                                 false, true), 0);
    while (f->r.last_target != 300000)
        run_once(a, &f->r);
    assert_int_equal(f->r.last_domid, 1);
    assert_int_equal(mempolicy_actor_domain_count(a), 1);
    assert_ptr_equal(mempolicy_actor_domain_data(a, 1), &f->r);
    /* The name was claimed: our low-level setters work on it. */
    assert_int_equal(mempolicy_domain_set_balloon_target(
                         mempolicy_actor_ctx(a), 1, 310000, false), 0);

    /* It moves to another actor: left, not died; data handed back. */
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 1, "other", ""),
                     0);
    run_once(a, &f->r);
    assert_int_equal(f->r.left, 1);
    assert_int_equal(f->r.left_died, 0);
    assert_int_equal(f->r.freed, 1);
    assert_int_equal(mempolicy_actor_domain_count(a), 0);
    assert_null(mempolicy_actor_domain_data(a, 1));
    mempolicy_actor_free(a);
}

static void test_death_and_introduce(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = new_actor(f);
    char *reply;

    assert_int_equal(mempolicy_domain_set_policy(f->admin, 2, NAME, ""), 0);
    assert_int_equal(mempolicy_domain_set_target(f->admin, 2, 200000,
                                                 false, true), 0);
    while (f->r.last_target != 200000)
        run_once(a, &f->r);

    hv_ok(f, "destroy 2");
    while (!f->r.left)
        run_once(a, &f->r);
    assert_int_equal(f->r.last_domid, 2);
    assert_int_equal(f->r.freed, 1);
    assert_int_equal(mempolicy_actor_domain_count(a), 0);

    reply = hv_ok_reply(f, "create name=newcomer memory_kb=262144");
    while (!f->r.introduced)
        run_once(a, &f->r);
    assert_int_equal(f->r.last_domid,
                     (uint32_t)strtoul(strstr(reply, "domid=") + 6, NULL,
                                       10));
    free(reply);
    mempolicy_actor_free(a);
}

static void test_resync_and_free_at_shutdown(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a;

    /* Ours before the actor exists: resync claims them. */
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 2, NAME, ""), 0);
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 3, NAME, ""), 0);
    assert_int_equal(mempolicy_domain_set_target(f->admin, 3, 250000,
                                                 false, true), 0);
    a = new_actor(f);
    run_once(a, &f->r);
    /* changed() asks to stop at the first domain: the resync still
     * claims the second one, or it would be lost for good. */
    assert_int_equal(f->r.changed, 2);
    assert_int_equal(mempolicy_actor_domain_count(a), 2);
    assert_int_equal(f->r.last_domid, 3);
    assert_int_equal(f->r.last_target, 250000);
    /* Still ours at shutdown: handed to domain_data_free, no leak. */
    mempolicy_actor_free(a);
    assert_int_equal(f->r.freed, 2);
    assert_int_equal(f->r.left, 0);
}

static void test_store_gone_ends_the_loop(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = new_actor(f);

    mempolicy_actor_stop(a);
    assert_int_equal(mempolicy_actor_run(a), 0);
    assert_int_equal(xensim_stop(&f->sim), 0);
    f->sim.pid = 0;
    /* No guard timer: the loop must end by itself, with STORE. */
    assert_int_equal(mempolicy_actor_run(a), MEMPOLICY_ERROR_STORE_GONE);
    mempolicy_actor_free(a);
}

/*
 * The store goes away while the actor is at work (not idle in poll, where
 * the event stream notices): the store call the actor was making fails
 * with STORE (EBADF or EPIPE from libxenstore), and the kit reports the
 * one clear reason, STORE_GONE, rather than that call's error.
 */
static void test_store_gone_mid_work(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = new_actor(f);
    mempolicy_policy p;
    int rc;

    memset(&p, 0, sizeof(p));
    mempolicy_actor_stop(a);
    assert_int_equal(mempolicy_actor_run(a), 0);
    assert_int_equal(xensim_stop(&f->sim), 0);
    f->sim.pid = 0;
    rc = mempolicy_domain_get_policy(mempolicy_actor_ctx(a), 1, &p);
    assert_int_equal(rc, MEMPOLICY_ERROR_STORE);
    mempolicy_actor_fatal(a, rc, "reading a policy");
    assert_int_equal(mempolicy_actor_run(a), MEMPOLICY_ERROR_STORE_GONE);
    assert_non_null(strstr(mempolicy_last_error(mempolicy_actor_ctx(a)),
                           "xenstore closed the connection"));
    mempolicy_actor_free(a);
}

/* Error lines an actor logs, counted (its logger for one test). */
struct errcount {
    xentoollog_logger vtable; /* first: what the kit is given */
    int errors;
    char last[512];
};

static void errcount_vmessage(xentoollog_logger *lg, xentoollog_level level,
                              int errnoval, const char *context,
                              const char *fmt, va_list al)
    __attribute__((format(printf, 5, 0)));
static void errcount_vmessage(xentoollog_logger *lg, xentoollog_level level,
                              int errnoval, const char *context,
                              const char *fmt, va_list al)
{
    struct errcount *c = (struct errcount *)lg;

    if (level < XTL_ERROR)
        return;
    c->errors++;
    vsnprintf(c->last, sizeof(c->last), fmt, al);
}

static void errcount_destroy(xentoollog_logger *lg)
{
}

/*
 * The simulated host goes away while the actor is at work on a domain:
 * xensim is the store and the hypervisor at once, so the hypervisor call
 * fails first ("connection lost", NO_HYPERVISOR).  The kit's classifier
 * must end the actor with the one clear reason, STORE_GONE, in one error
 * line, not log an error for the domain and then the store's own line
 * (tests/actors/robust.t.sh "one error line" saw two under load).
 */
static void test_host_gone_mid_hv_call(void **state)
{
    struct fx *f = *state;
    struct errcount c = { .vtable = { .vmessage = errcount_vmessage,
                                      .destroy = errcount_destroy } };
    mempolicy_physinfo pi;
    mempolicy_actor *a = new_actor(f);
    int rc;

    mempolicy_actor_set_logger(a, &c.vtable);
    mempolicy_actor_stop(a);
    assert_int_equal(mempolicy_actor_run(a), 0);
    assert_int_equal(xensim_stop(&f->sim), 0);
    f->sim.pid = 0;
    rc = mempolicy_get_physinfo(mempolicy_actor_ctx(a), &pi);
    assert_int_equal(rc, MEMPOLICY_ERROR_NO_HYPERVISOR);
    assert_true(mempolicy_actor_failed(a, 1, rc, "reading the host", NULL,
                                       NULL));
    assert_int_equal(c.errors, 1);
    assert_non_null(strstr(c.last, "exiting"));
    assert_int_equal(mempolicy_actor_run(a), MEMPOLICY_ERROR_STORE_GONE);
    assert_int_equal(c.errors, 1);
    mempolicy_actor_free(a);
}

static void test_bad_names(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a = NULL;
    mempolicy_ctx *ctx;

    assert_int_equal(mempolicy_ctx_alloc(&ctx, 0, f->lg), 0);
    assert_int_equal(mempolicy_actor_new(ctx, "", &ops, NULL, &a),
                     MEMPOLICY_ERROR_INVAL);
    assert_null(a);
    assert_int_equal(mempolicy_ctx_alloc(&ctx, 0, f->lg), 0);
    assert_int_equal(mempolicy_actor_new(ctx, "Bad Name", &ops, NULL, &a),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_ctx_alloc(&ctx, 0, f->lg), 0);
    assert_int_equal(mempolicy_actor_new(ctx, "xl", &ops, NULL, &a), 0);
    assert_string_equal(mempolicy_actor_name(a), "xl-auto");
    mempolicy_actor_free(a);
}

int main(void)
{
    /* As mempolicy_actor_main() does: a dead store gives EPIPE. */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_timers_host_time_and_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_cancels_itself, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_watch_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_left_and_data, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_death_and_introduce, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resync_and_free_at_shutdown,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_gone_ends_the_loop,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_gone_mid_work, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_host_gone_mid_hv_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_clock_step, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
