/*
 * test_chan.c: the hv channel as a protocol (docs/hv-channel.md): how it
 * is found and protected, framing, pipelining, bad requests, and the
 * waiting verbs.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvtest.h"

static const char *const fast[] = { "--speed", "100", NULL };

/* Read exactly n reply lines from fd into buf (NUL-terminated). */
static void read_lines(int fd, char *buf, size_t len, unsigned n)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    size_t got = 0;
    unsigned lines = 0;
    char *q;

    while (lines < n) {
        ssize_t r;

        assert_int_equal(poll(&p, 1, HT_TIMEOUT_MS), 1);
        r = read(fd, buf + got, len - 1 - got);
        assert_true(r > 0);
        got += (size_t)r;
        buf[got] = 0;
        for (lines = 0, q = buf; (q = strchr(q, '\n')); q++)
            lines++;
    }
    assert_int_equal(lines, n);
}

static void test_discovery(void **state)
{
    struct hvt t;
    struct stat st;
    char *path, *speed;
    unsigned len;

    (void)state;
    hvt_start(&t, fast);
    path = xs_read(t.xs, XBT_NULL, "/tool/xensim/hv-socket", &len);
    assert_non_null(path);
    /* <xenstore socket>.hv, mode 0600. */
    assert_int_equal(strlen(path), strlen(t.f.socket) + 3);
    assert_int_equal(strncmp(path, t.f.socket, strlen(t.f.socket)), 0);
    assert_string_equal(path + strlen(t.f.socket), ".hv");
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    free(path);
    speed = xs_read(t.xs, XBT_NULL, "/tool/xensim/speed", &len);
    assert_non_null(speed);
    assert_string_equal(speed, "100");
    free(speed);
    assert_int_equal(hvt_u64(hvt_ok(&t, "time"), "speed"), 100);
    hvt_stop(&t);
}

static void test_bad_requests(void **state)
{
    struct hvt t;
    char *big;

    (void)state;
    hvt_start(&t, fast);
    assert_int_equal(strncmp(hvt_call(&t, "frobnicate 1"),
                             "err EINVAL unknown verb", 23), 0);
    assert_int_equal(strncmp(hvt_call(&t, "dominfo x"), "err EINVAL", 10),
                     0);
    assert_int_equal(strncmp(hvt_call(&t, "dominfo"), "err EINVAL", 10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "dominfo 1 2"), "err EINVAL", 10),
                     0);
    assert_int_equal(strncmp(hvt_call(&t, "dominfo  1"), "err EINVAL", 10),
                     0);
    assert_int_equal(strncmp(hvt_call(&t, "setmaxmem 1"), "err EINVAL", 10),
                     0);
    assert_int_equal(strncmp(hvt_call(&t, "setmaxmem 1 -5"), "err EINVAL",
                             10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "dominfo 99999"), "err EINVAL",
                             10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "%s", ""), "err EINVAL", 10), 0);
    assert_int_equal(strncmp(hvt_call(&t, "settle x"), "err EINVAL", 10), 0);
    /* A line over 4096 bytes is refused; the connection goes on. */
    big = malloc(6000);
    assert_non_null(big);
    memset(big, 'a', 5999);
    big[5999] = 0;
    assert_int_equal(strncmp(hvt_call(&t, "%s", big), "err EINVAL", 10), 0);
    memcpy(big, "list ", 5);
    big[4200] = 0;
    assert_int_equal(strncmp(hvt_call(&t, "%s", big), "err EINVAL", 10), 0);
    free(big);
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=");
    hvt_stop(&t);
}

/* Several requests in one write get their replies in order. */
static void test_pipelining(void **state)
{
    static const char req[] = "create name=a memory_kb=65536\n"
                               "dominfo 1\nbogus\nlist\n";
    struct hvt t;
    char buf[4096], *l2, *l3, *l4;

    (void)state;
    hvt_start(&t, fast);
    assert_int_equal(write(t.hv, req, sizeof(req) - 1), sizeof(req) - 1);
    read_lines(t.hv, buf, sizeof(buf), 4);
    l2 = strchr(buf, '\n') + 1;
    l3 = strchr(l2, '\n') + 1;
    l4 = strchr(l3, '\n') + 1;
    assert_int_equal(strncmp(buf, "ok domid=1\n", 11), 0);
    assert_int_equal(strncmp(l2, "ok domid=1 type=pv", 18), 0);
    assert_int_equal(strncmp(l3, "err EINVAL", 10), 0);
    assert_string_equal(l4, "ok domids=1\n");
    hvt_stop(&t);
}

/* settle holds back later requests until the host stops moving; wait
 * lets simulated time pass. */
static void test_settle_and_wait(void **state)
{
    static const char req[] = "settle\ndominfo 1\n";
    struct hvt t;
    char buf[4096], *l2;
    uint64_t t0, t1;
    int c2;

    (void)state;
    hvt_start(&t, fast);
    hvt_create(&t, "name=a memory_kb=524288 balloon=slow");
    /* Nothing moves: settle answers at once. */
    assert_true(hvt_settle(&t, 0));
    hvt_write(&t, "/local/domain/1/memory/target", "262144");
    assert_int_equal(write(t.hv, req, sizeof(req) - 1), sizeof(req) - 1);
    read_lines(t.hv, buf, sizeof(buf), 2);
    assert_int_equal(strncmp(buf, "ok ms=", 6), 0);
    assert_non_null(strstr(buf, " idle=1\n"));
    l2 = strchr(buf, '\n') + 1;
    /* The dominfo after it sees the balloon arrived. */
    assert_non_null(strstr(l2, " tot_kb=262144 "));
    /* settle with a limit: the slow balloon needs 32 s for 256 MiB.  The
     * clock is held, so "not there after 2 s" does not depend on how
     * soon the test looks; a second connection steps it. */
    c2 = hvt_channel(&t);
    hvt_write(&t, "/local/domain/1/memory/target", "524288");
    /* c2 was accepted before this answers (one turn of xensim's loop
     * reports every ready descriptor). */
    t0 = hvt_u64(hvt_ok(&t, "clock pause"), "ms");
    assert_int_equal(write(c2, "settle 2000\n", 12), 12);
    /* Its line was sent first: xensim has read it once this answers. */
    hvt_ok(&t, "clock");
    hvt_ok(&t, "clock step 2000");
    read_lines(c2, buf, sizeof(buf), 1);
    assert_int_equal(hvt_u64(buf, "ms"), t0 + 2000);
    assert_non_null(strstr(buf, " idle=0\n"));
    t1 = hvt_dom(&t, 1, "tot_kb");
    assert_true(t1 > 262144 && t1 < 524288);
    close(c2);
    hvt_ok(&t, "clock resume");
    /* wait: only time counts. */
    t0 = hvt_u64(hvt_ok(&t, "wait 500"), "ms");
    t1 = hvt_u64(hvt_ok(&t, "time"), "ms");
    assert_true(t1 >= t0);
    assert_int_equal(strncmp(hvt_call(&t, "wait"), "err EINVAL", 10), 0);
    hvt_stop(&t);
}

/* Nothing ticks while nothing moves, at any number of domains. */
static void test_idle_does_not_tick(void **state)
{
    static const char *const args[] = { "--speed", "100", "--domains",
                                        "200", NULL };
    struct hvt t;
    const char *r;
    uint64_t ticks;

    (void)state;
    hvt_start(&t, args);
    assert_true(hvt_settle(&t, 0));
    r = hvt_ok(&t, "time");
    ticks = hvt_u64(r, "ticks");
    assert_int_equal(hvt_u64(r, "moving"), 0);
    /* Ten simulated seconds of nothing: not one tick. */
    hvt_ok(&t, "wait 10000");
    assert_int_equal(hvt_u64(hvt_ok(&t, "time"), "ticks"), ticks);
    /* One balloon moving: ticks run, then stop again. */
    hvt_write(&t, "/local/domain/7/memory/target", "262144");
    assert_true(hvt_settle(&t, 0));
    r = hvt_ok(&t, "time");
    assert_true(hvt_u64(r, "ticks") > ticks);
    ticks = hvt_u64(r, "ticks");
    hvt_ok(&t, "wait 10000");
    assert_int_equal(hvt_u64(hvt_ok(&t, "time"), "ticks"), ticks);
    hvt_stop(&t);
}

/* Many connections at once, one closing mid-request. */
static void test_connections(void **state)
{
    struct hvt t;
    int fds[16], i;
    char buf[256];

    (void)state;
    hvt_start(&t, fast);
    for (i = 0; i < 16; i++) {
        fds[i] = hvt_channel(&t);
        assert_int_equal(write(fds[i], "physinfo\n", 9), 9);
    }
    /* One leaves half a request behind. */
    assert_int_equal(write(fds[0], "dominf", 6), 6);
    close(fds[0]);
    for (i = 1; i < 16; i++) {
        read_lines(fds[i], buf, sizeof(buf), 1);
        assert_int_equal(strncmp(buf, "ok total_kb=", 12), 0);
        close(fds[i]);
    }
    assert_string_equal(hvt_ok(&t, "list"), "ok domids=");
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discovery),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_settle_and_wait),
        cmocka_unit_test(test_connections),
        cmocka_unit_test(test_idle_does_not_tick),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
