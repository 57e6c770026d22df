/*
 * test_loop.c: xensim's event loop (tools/xensim/loop.h): timers fire in
 * deadline order (FIFO among equals), cancel works also from a callback
 * (its own timer included), an fd removed by an earlier callback of the
 * same batch is not called, and SIGTERM ends loop_run() cleanly.
 */
#include <signal.h>
#include <sys/epoll.h>

#include "xstest.h"

#include "../../tools/xensim/loop.h"

struct tctx {
    struct loop *l;
    char order[32];
    int n;
    struct loop_timer *other;
    int fds[2][2];
    int calls[2];
};

static void stop_cb(struct loop *l, struct loop_timer *t, void *arg)
{
    struct tctx *c = arg;

    (void)t;
    c->order[c->n++] = 'S';
    loop_stop(l);
}

static void mark_cb(struct loop *l, struct loop_timer *t, void *arg)
{
    struct tctx *c = arg;

    (void)l;
    (void)t;
    c->order[c->n++] = 'M';
}

static void self_cancel(struct loop *l, struct loop_timer *t, void *arg)
{
    struct tctx *c = arg;

    c->order[c->n++] = 'C';
    loop_timer_cancel(l, t);          /* harmless on itself */
    loop_timer_cancel(l, c->other);   /* another pending one: gone */
    c->other = NULL;
}

static void test_timers(void **state)
{
    struct tctx c = { 0 };

    (void)state;
    c.l = loop_new();
    assert_non_null(c.l);
    /* Equal deadlines keep their order; an earlier one goes first. */
    assert_non_null(loop_timer_add(c.l, 20, mark_cb, &c));
    assert_non_null(loop_timer_add(c.l, 20, mark_cb, &c));
    assert_non_null(loop_timer_add(c.l, 5, self_cancel, &c));
    c.other = loop_timer_add(c.l, 10, mark_cb, &c);
    assert_non_null(loop_timer_add(c.l, 40, stop_cb, &c));
    assert_int_equal(loop_run(c.l), 0);
    assert_string_equal(c.order, "CMMS");
    loop_free(c.l);
}

static void rd_cb(struct loop *l, int fd, uint32_t ev, void *arg)
{
    struct tctx *c = arg;
    int i = fd == c->fds[0][0] ? 0 : 1;
    char b;

    (void)ev;
    c->calls[i]++;
    assert_int_equal(read(fd, &b, 1), 1);
    /* Whoever runs first removes the other. */
    loop_fd_del(l, c->fds[!i][0]);
    loop_stop(l);
}

static void test_fd_removed_in_batch(void **state)
{
    struct tctx c = { 0 };
    int i;

    (void)state;
    c.l = loop_new();
    for (i = 0; i < 2; i++) {
        assert_int_equal(pipe(c.fds[i]), 0);
        assert_int_equal(loop_fd_add(c.l, c.fds[i][0], EPOLLIN, rd_cb, &c),
                         0);
        assert_int_equal(write(c.fds[i][1], "x", 1), 1);
    }
    assert_int_equal(loop_fd_add(c.l, c.fds[0][0], EPOLLIN, rd_cb, &c),
                     -EEXIST);
    assert_int_equal(loop_run(c.l), 0);
    assert_int_equal(c.calls[0] + c.calls[1], 1);
    loop_free(c.l);
    for (i = 0; i < 2; i++) {
        close(c.fds[i][0]);
        close(c.fds[i][1]);
    }
}

static void send_term(struct loop *l, struct loop_timer *t, void *arg)
{
    (void)l;
    (void)t;
    (void)arg;
    kill(getpid(), SIGTERM);
}

static void test_sigterm(void **state)
{
    struct loop *l = loop_new();

    (void)state;
    assert_non_null(loop_timer_add(l, 1, send_term, NULL));
    assert_int_equal(loop_run(l), 0); /* returns instead of dying */
    loop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers),
        cmocka_unit_test(test_fd_removed_in_batch),
        cmocka_unit_test(test_sigterm),
    };

    return cmocka_run_group_tests_name("xensim-loop", tests, NULL, NULL);
}
