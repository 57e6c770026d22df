/*
 * test_actor_status.c: who serves what, against a live xensim.
 *
 * The announcement (mempolicy_actor_running: live, refused twice, gone
 * at exit, stale after kill -9 and while a zombie, replaced by the next
 * start), the per-domain status line of the kit
 * (mempolicy_actor_set_status: written only when it changes, bounded,
 * control characters escaped, removed when the domain leaves, never a
 * TARGET_CHANGED, unreadable by a guest) and the readers
 * (mempolicy_domain_get_status, mempolicy_list_status).  Every wait is
 * on an event: a callback stopping the loop, a watch, a pipe, waitpid.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <libmempolicy_actor.h>

#include "actorfx.h"
#include "xensim_fixture.h"

#define NAME "status-test"
#define GUARD_MS 1000000 /* host ms: 10 s of real time at speed 100 */
#define LINE1 "/tool/mempolicy/actors/" NAME "/status/1"

struct fx {
    struct xensim_fixture sim;
    xentoollog_logger *lg;
    mempolicy_ctx *admin;
    const char *next_status; /* what changed() publishes */
    int changed, left;
    bool guard_fired;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    actorfx_start(&f->sim, &f->lg, &f->admin, XTL_CRITICAL);
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

static void changed(mempolicy_actor *a, uint32_t domid,
                    const mempolicy_policy *p, void *user)
{
    struct fx *f = user;

    f->changed++;
    if (f->next_status)
        assert_int_equal(
            mempolicy_actor_set_status(a, domid, "%s", f->next_status), 0);
    mempolicy_actor_stop(a);
}

static void left(mempolicy_actor *a, uint32_t domid, bool died, void *user)
{
    struct fx *f = user;

    f->left++;
    mempolicy_actor_stop(a);
}

static void guard(mempolicy_actor *a, void *arg)
{
    struct fx *f = arg;

    f->guard_fired = true;
    mempolicy_actor_stop(a);
}

static const mempolicy_actor_ops ops = {
    .domain_changed = changed,
    .domain_left = left,
};

static int new_actor(struct fx *f, const char *name, mempolicy_actor **a)
{
    mempolicy_ctx *ctx;
    int rc;

    assert_int_equal(mempolicy_ctx_alloc(&ctx, 0, f->lg), 0);
    rc = mempolicy_actor_new(ctx, name, &ops, f, a);
    if (!rc)
        mempolicy_actor_set_logger(*a, f->lg);
    return rc;
}

static void run_once(mempolicy_actor *a, struct fx *f)
{
    mempolicy_timer *g = mempolicy_timer_add(a, GUARD_MS, guard, f);

    assert_non_null(g);
    assert_int_equal(mempolicy_actor_run(a), 0);
    assert_false(f->guard_fired);
    mempolicy_timer_cancel(a, g);
}

static bool running(struct fx *f, const char *name)
{
    bool r = true;

    assert_int_equal(mempolicy_actor_running(f->admin, name, &r), 0);
    return r;
}

static char *read_node(struct fx *f, const char *path)
{
    struct xs_handle *xs = xensim_open(&f->sim);
    unsigned len;
    char *v;

    assert_non_null(xs);
    v = xs_read(xs, XBT_NULL, path, &len);
    xs_close(xs);
    return v;
}

/* Make domain 1 ours, publishing `line` from changed(). */
static void claim_dom1(struct fx *f, mempolicy_actor *a, const char *line)
{
    int before = f->changed;

    f->next_status = line;
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 1, NAME, ""), 0);
    while (f->changed == before)
        run_once(a, f);
}

/* ---- announcement ------------------------------------------------------ */

static void test_announce_while_running(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a, *b = NULL;
    char want[24], *pid;
    bool r;

    assert_false(running(f, NAME));
    assert_int_equal(new_actor(f, NAME, &a), 0);
    assert_true(running(f, NAME));
    pid = read_node(f, "/tool/mempolicy/actors/" NAME "/pid");
    snprintf(want, sizeof(want), "%d", (int)getpid());
    assert_string_equal(pid, want);
    free(pid);

    /* A second instance of the same name is refused, naming the pid. */
    assert_int_equal(new_actor(f, NAME, &b), MEMPOLICY_ERROR_BUSY);
    assert_null(b);
    /* Another name is another actor. */
    assert_false(running(f, "other"));
    assert_int_equal(mempolicy_actor_running(f->admin, "Bad Name", &r),
                     MEMPOLICY_ERROR_INVAL);

    mempolicy_actor_free(a);
    assert_false(running(f, NAME));
    assert_null(read_node(f, "/tool/mempolicy/actors/" NAME));
}

/* A child process announces NAME and waits to be killed. */
static pid_t announce_in_child(struct fx *f)
{
    int p[2];
    pid_t pid;
    char c;

    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        mempolicy_actor *a;

        close(p[0]);
        if (new_actor(f, NAME, &a))
            _exit(1);
        if (write(p[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    close(p[1]);
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
}

static void test_stale_announcement(void **state)
{
    struct fx *f = *state;
    mempolicy_status st;
    mempolicy_actor *a;
    pid_t child = announce_in_child(f);
    siginfo_t si;

    assert_true(running(f, NAME));
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 2, NAME, ""), 0);

    /* kill -9: no clean-up ran.  Still a zombie (not reaped yet): dead. */
    assert_int_equal(kill(child, SIGKILL), 0);
    assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
    assert_false(running(f, NAME));
    assert_int_equal(waitpid(child, NULL, 0), child);
    assert_false(running(f, NAME));

    /* The stale announcement still names the pid, for the admin. */
    assert_int_equal(mempolicy_domain_get_status(f->admin, 2, &st), 0);
    assert_string_equal(st.actor, NAME);
    assert_false(st.running);
    assert_int_equal(st.pid, child);
    assert_string_equal(st.text, "");
    mempolicy_status_dispose(&st);

    /* The next start replaces it. */
    assert_int_equal(new_actor(f, NAME, &a), 0);
    assert_true(running(f, NAME));
    assert_int_equal(mempolicy_domain_get_status(f->admin, 2, &st), 0);
    assert_true(st.running);
    assert_int_equal(st.pid, getpid());
    mempolicy_status_dispose(&st);
    mempolicy_actor_free(a);
}

static void test_stale_lines_cleared_at_start(void **state)
{
    struct fx *f = *state;
    struct xs_handle *xs = xensim_open(&f->sim);
    mempolicy_actor *a;
    char *v;

    /* What a crashed predecessor left behind. */
    assert_non_null(xs);
    assert_true(
        xs_write(xs, XBT_NULL, "/tool/mempolicy/actors/" NAME "/pid", "1", 1));
    assert_true(xs_write(xs, XBT_NULL, LINE1, "old", 3));
    xs_close(xs);
    /* pid 1 is alive, but its start time is not the announced one. */
    assert_false(running(f, NAME));
    assert_int_equal(new_actor(f, NAME, &a), 0);
    v = read_node(f, LINE1);
    assert_null(v);
    mempolicy_actor_free(a);
}

/* ---- status lines ------------------------------------------------------ */

/* Count the watch events on LINE1 until the marker node's event. */
static int events_until_marker(struct xs_handle *w)
{
    int n = 0;

    for (;;) {
        unsigned num;
        char **ev = xs_read_watch(w, &num);

        assert_non_null(ev);
        if (!strcmp(ev[XS_WATCH_TOKEN], "marker")) {
            free(ev);
            return n;
        }
        n++;
        free(ev);
    }
}

static void mark(struct xs_handle *w)
{
    assert_true(xs_write(w, XBT_NULL, "/tool/status-test-marker", "x", 1));
}

static void test_set_status_only_when_changed(void **state)
{
    struct fx *f = *state;
    struct xs_handle *w = xensim_open(&f->sim);
    mempolicy_actor *a;
    char *v;

    assert_int_equal(new_actor(f, NAME, &a), 0);
    claim_dom1(f, a, "ballooning 812 -> 512 MiB");
    v = read_node(f, LINE1);
    assert_string_equal(v, "ballooning 812 -> 512 MiB");
    free(v);

    /* Watch the line (plus a marker that ends each count). */
    assert_non_null(w);
    assert_true(xs_watch(w, LINE1, "line"));
    assert_true(xs_watch(w, "/tool/status-test-marker", "marker"));
    /* The watches' first firings, in the order they were set. */
    assert_int_equal(events_until_marker(w), 1);

    assert_int_equal(mempolicy_actor_set_status(a, 1,
                                                "ballooning %d -> %d "
                                                "MiB",
                                                812, 512),
                     0);
    mark(w);
    assert_int_equal(events_until_marker(w), 0);

    assert_int_equal(mempolicy_actor_set_status(a, 1,
                                                "stuck: no progress "
                                                "for %d s",
                                                47),
                     0);
    mark(w);
    assert_int_equal(events_until_marker(w), 1);
    v = read_node(f, LINE1);
    assert_string_equal(v, "stuck: no progress for 47 s");
    free(v);

    /* "" removes the line; removing again writes nothing. */
    assert_int_equal(mempolicy_actor_set_status(a, 1, "%s", ""), 0);
    assert_null(read_node(f, LINE1));
    assert_int_equal(mempolicy_actor_set_status(a, 1, "%s", ""), 0);
    mark(w);
    assert_int_equal(events_until_marker(w), 1);
    xs_close(w);
    mempolicy_actor_free(a);
}

static void test_status_bounded_and_escaped(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a;
    mempolicy_status st;
    char longer[400];

    assert_int_equal(new_actor(f, NAME, &a), 0);
    claim_dom1(f, a, NULL);
    assert_int_equal(mempolicy_actor_set_status(a, 1, "\x1b[31mred\nline"), 0);
    assert_int_equal(mempolicy_domain_get_status(f->admin, 1, &st), 0);
    assert_string_equal(st.text, "?[31mred?line");
    mempolicy_status_dispose(&st);

    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(mempolicy_actor_set_status(a, 1, "%s", longer), 0);
    assert_int_equal(mempolicy_domain_get_status(f->admin, 1, &st), 0);
    assert_int_equal(strlen(st.text), MEMPOLICY_STATUS_MAX);
    mempolicy_status_dispose(&st);

    /* Only for domains that are ours. */
    assert_int_equal(mempolicy_actor_set_status(a, 2, "not mine"),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    assert_null(read_node(f, "/tool/mempolicy/actors/" NAME "/status/2"));
    mempolicy_actor_free(a);
}

static void test_status_leaves_with_the_domain(void **state)
{
    struct fx *f = *state;
    mempolicy_actor *a;
    mempolicy_status st;

    assert_int_equal(new_actor(f, NAME, &a), 0);
    claim_dom1(f, a, "ballooning 812 -> 512 MiB");
    assert_int_equal(mempolicy_domain_get_status(f->admin, 1, &st), 0);
    assert_string_equal(st.actor, NAME);
    assert_true(st.running);
    assert_string_equal(st.text, "ballooning 812 -> 512 MiB");
    mempolicy_status_dispose(&st);

    assert_int_equal(mempolicy_domain_set_policy(f->admin, 1, "other", ""), 0);
    while (!f->left)
        run_once(a, f);
    assert_null(read_node(f, LINE1));
    assert_int_equal(mempolicy_domain_get_status(f->admin, 1, &st), 0);
    assert_string_equal(st.actor, "other");
    assert_false(st.running);
    assert_int_equal(st.pid, 0);
    assert_string_equal(st.text, "");
    mempolicy_status_dispose(&st);

    /* A domain without an actor; a domain that does not exist. */
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 3, "", ""), 0);
    assert_int_equal(mempolicy_domain_get_status(f->admin, 3, &st), 0);
    assert_string_equal(st.actor, "");
    assert_false(st.running);
    mempolicy_status_dispose(&st);
    assert_int_equal(mempolicy_domain_get_status(f->admin, 77, &st),
                     MEMPOLICY_ERROR_NO_DOMAIN);

    /* Back to us, then the actor exits: everything goes. */
    f->left = 0;
    claim_dom1(f, a, "again");
    mempolicy_actor_free(a);
    assert_null(read_node(f, "/tool/mempolicy/actors/" NAME));
}

static void test_status_is_no_policy_event(void **state)
{
    struct fx *f = *state;
    mempolicy_evgen *gen;
    mempolicy_event *ev;
    mempolicy_actor *a;

    assert_int_equal(new_actor(f, NAME, &a), 0);
    claim_dom1(f, a, NULL);
    assert_int_equal(mempolicy_evenable_target_changed(f->admin, NULL, &gen),
                     0);
    assert_int_equal(mempolicy_actor_set_status(a, 1, "paging %d MiB", 300), 0);
    /* A policy change after it: the first event must be that one. */
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 2, "x", ""), 0);
    assert_int_equal(mempolicy_event_wait(f->admin, &ev, 10000), 0);
    assert_int_equal(ev->domid, 2);
    mempolicy_event_free(f->admin, ev);
    mempolicy_evdisable(f->admin, gen);
    mempolicy_actor_free(a);
}

static void test_guest_cannot_read(void **state)
{
    struct fx *f = *state;
    struct xs_handle *g = xensim_open_dom(&f->sim, 1);
    mempolicy_actor *a;
    unsigned len;

    assert_int_equal(new_actor(f, NAME, &a), 0);
    claim_dom1(f, a, "ballooning 812 -> 512 MiB");
    assert_non_null(g);
    assert_null(xs_read(g, XBT_NULL, LINE1, &len));
    assert_int_equal(errno, EACCES);
    assert_null(
        xs_read(g, XBT_NULL, "/tool/mempolicy/actors/" NAME "/pid", &len));
    assert_false(xs_write(g, XBT_NULL, LINE1, "forged", 6));
    xs_close(g);
    mempolicy_actor_free(a);
}

static void test_list_status(void **state)
{
    struct fx *f = *state;
    mempolicy_dominfo *list;
    mempolicy_status *st;
    mempolicy_actor *a;
    int n, i, seen = 0;

    assert_int_equal(new_actor(f, NAME, &a), 0);
    claim_dom1(f, a, "ballooning 812 -> 512 MiB");
    assert_int_equal(mempolicy_domain_set_policy(f->admin, 2, "other", ""), 0);
    assert_int_equal(mempolicy_list_domains(f->admin, &list, &n), 0);
    assert_int_equal(mempolicy_list_status(f->admin, list, n, &st), 0);
    for (i = 0; i < n; i++) {
        assert_string_equal(st[i].actor, list[i].policy.actor);
        if (list[i].domid == 1) {
            assert_true(st[i].running);
            assert_string_equal(st[i].text, "ballooning 812 -> 512 MiB");
            seen++;
        } else if (list[i].domid == 2) {
            assert_false(st[i].running);
            assert_string_equal(st[i].text, "");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    mempolicy_status_list_free(st, n);
    mempolicy_dominfo_list_free(list, n);
    mempolicy_actor_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_announce_while_running, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stale_announcement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stale_lines_cleared_at_start,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_status_only_when_changed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_bounded_and_escaped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_status_leaves_with_the_domain,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_is_no_policy_event, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_guest_cannot_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_list_status, setup, teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
