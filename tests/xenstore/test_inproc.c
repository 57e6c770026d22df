/*
 * test_inproc.c: the store's in-process API (tools/xensim/store.h), as
 * the hypervisor model uses it: requests acting as a given domain, watch
 * events delivered from the loop (never from inside the call that caused
 * them, so a callback may use the store), watch removal dropping pending
 * events, and domain introduction and release with their special events
 * and hooks.  Linked directly with the store's objects, no socket.
 */
#include "xstest.h"

#include "../../tools/xensim/loop.h"
#include "../../tools/xensim/store.h"
#include "../../tools/xensim/store_int.h"

struct ctx {
    struct loop *l;
    struct store *s;
    struct loop_timer *guard;
    char events[16][64];
    int nev;
    int stop_after;
    int introduced, released;
};

static void guard_fired(struct loop *l, struct loop_timer *t, void *arg)
{
    struct ctx *c = arg;

    (void)t;
    c->guard = NULL;
    loop_stop(l);
}

/* Run the loop until `n` more events arrived (bounded by 10 s). */
static void run_until(struct ctx *c, int n)
{
    c->stop_after = c->nev + n;
    c->guard = loop_timer_add(c->l, 10000, guard_fired, c);
    loop_run(c->l);
    if (c->guard)
        loop_timer_cancel(c->l, c->guard);
    c->guard = NULL;
    assert_int_equal(c->nev, c->stop_after);
}

static void on_event(void *arg, const char *path, const char *token)
{
    struct ctx *c = arg;

    assert_true(c->nev < 16);
    snprintf(c->events[c->nev++], 64, "%s %s", path, token);
    if (c->nev == c->stop_after)
        loop_stop(c->l);
}

/* A watcher that writes to the store from inside its callback. */
static void on_event_writes(void *arg, const char *path, const char *token)
{
    struct ctx *c = arg;

    on_event(arg, path, token);
    assert_int_equal(store_write(c->s, 0, "/from-callback", "1", 1), 0);
}

/* A watcher that writes the node it watches, every time. */
static void on_event_rewrites(void *arg, const char *path,
                              const char *token)
{
    struct ctx *c = arg;

    on_event(arg, path, token);
    assert_int_equal(store_write(c->s, 0, "/loop", "1", 1), 0);
}

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));

    if (!c)
        return -1;
    c->l = loop_new();
    c->s = c->l ? store_new(c->l) : NULL;
    *state = c;
    return c->s ? 0 : -1;
}

static int teardown(void **state)
{
    struct ctx *c = *state;

    assert_int_equal(store_check(c->s), 0);
    store_free(c->s);
    loop_free(c->l);
    free(c);
    return 0;
}

static void test_requests_as_domains(void **state)
{
    struct ctx *c = *state;
    struct xs_permissions p[2] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = 5, .perms = XS_PERM_READ },
    };
    char *v, **names;
    unsigned len, n;

    assert_int_equal(store_write(c->s, 0, "/a/b", "xy", 2), 0);
    assert_int_equal(store_read(c->s, 0, "/a/b", &v, &len), 0);
    assert_int_equal(len, 2);
    assert_string_equal(v, "xy");
    free(v);
    assert_int_equal(store_read(c->s, 5, "/a/b", &v, &len), EACCES);
    assert_int_equal(store_set_perms(c->s, 0, "/a/b", p, 2), 0);
    assert_int_equal(store_read(c->s, 5, "/a/b", &v, &len), 0);
    free(v);
    assert_int_equal(store_write(c->s, 5, "/a/b", "z", 1), EACCES);
    assert_int_equal(store_read(c->s, 0, "/a//b", &v, &len), EINVAL);
    assert_int_equal(store_mkdir(c->s, 0, "/a/c"), 0);
    assert_int_equal(store_directory(c->s, 0, "/a", &names, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "b");
    assert_string_equal(names[1], "c");
    free(names[0]);
    free(names[1]);
    free(names);
    assert_int_equal(store_rm(c->s, 5, "/a"), EACCES);
    assert_int_equal(store_rm(c->s, 0, "/a"), 0);
    assert_int_equal(store_read(c->s, 0, "/a/b", &v, &len), ENOENT);
    /* Relative paths act for the given domain. */
    assert_int_equal(store_write(c->s, 0, "rel", "1", 1), 0);
    assert_int_equal(store_read(c->s, 0, "/local/domain/0/rel", &v, &len),
                     0);
    free(v);
}

static void test_watch_from_loop(void **state)
{
    struct ctx *c = *state;

    assert_int_equal(store_watch_add(c->s, "/w", "t", on_event, c), 0);
    assert_int_equal(c->nev, 0); /* not from inside the call */
    run_until(c, 1);
    assert_string_equal(c->events[0], "/w t");
    assert_int_equal(store_write(c->s, 0, "/w/x", "1", 1), 0);
    assert_int_equal(c->nev, 1);
    run_until(c, 1);
    assert_string_equal(c->events[1], "/w/x t");
    assert_int_equal(store_watch_add(c->s, "/w", "t", on_event, c), EEXIST);
    /* Removing a watch drops its undelivered events too. */
    assert_int_equal(store_write(c->s, 0, "/w/y", "1", 1), 0);
    store_watch_remove(c->s, "/w", "t");
    assert_int_equal(store_watch_add(c->s, "/other", "o", on_event, c), 0);
    run_until(c, 1);
    assert_string_equal(c->events[2], "/other o");
}

static void test_callback_uses_store(void **state)
{
    struct ctx *c = *state;
    char *v;
    unsigned len;

    assert_int_equal(store_watch_add(c->s, "/cb", "t", on_event_writes, c),
                     0);
    run_until(c, 1);
    assert_int_equal(store_read(c->s, 0, "/from-callback", &v, &len), 0);
    free(v);
}

static void test_callback_feedback(void **state)
{
    struct ctx *c = *state;

    /*
     * Each delivery round takes only the events queued before it, so
     * the loop keeps turning (and stops when asked) although every
     * callback causes a new event.
     */
    assert_int_equal(store_watch_add(c->s, "/loop", "t", on_event_rewrites,
                                     c), 0);
    run_until(c, 3);
    store_watch_remove(c->s, "/loop", "t");
}

static void hook_introduced(void *arg, unsigned domid)
{
    ((struct ctx *)arg)->introduced = domid;
}

static void hook_released(void *arg, unsigned domid)
{
    ((struct ctx *)arg)->released = domid;
}

static void test_domains(void **state)
{
    struct ctx *c = *state;
    struct store_domain_hooks hooks = {
        .introduced = hook_introduced, .released = hook_released, .arg = c,
    };

    store_set_domain_hooks(c->s, &hooks);
    assert_int_equal(store_watch_add(c->s, "@introduceDomain", "i",
                                     on_event, c), 0);
    assert_int_equal(store_watch_add(c->s, "@releaseDomain", "r",
                                     on_event, c), 0);
    run_until(c, 2);
    assert_true(store_domain_is_introduced(c->s, 0));
    assert_false(store_domain_is_introduced(c->s, 4));
    assert_int_equal(store_domain_introduce(c->s, 4), 0);
    assert_true(store_domain_is_introduced(c->s, 4));
    run_until(c, 1);
    assert_string_equal(c->events[2], "@introduceDomain i");
    /* The hooks are for clients' requests, not the model's own. */
    assert_int_equal(c->introduced, 0);
    assert_int_equal(store_client_introduce(c->s, 6), 0);
    assert_int_equal(c->introduced, 6);
    run_until(c, 1);
    assert_int_equal(store_domain_release(c->s, 4), 0);
    assert_int_equal(store_domain_release(c->s, 4), ENOENT);
    assert_int_equal(store_domain_release(c->s, 0), EINVAL);
    run_until(c, 1);
    assert_string_equal(c->events[4], "@releaseDomain r");
    assert_int_equal(c->released, 0);
    assert_int_equal(store_client_release(c->s, 6), 0);
    assert_int_equal(c->released, 6);
    run_until(c, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_requests_as_domains),
        T(test_watch_from_loop),
        T(test_callback_uses_store),
        T(test_callback_feedback),
        T(test_domains),
    };

    return cmocka_run_group_tests_name("xenstore-inproc", tests, NULL, NULL);
}
