/*
 * test_clock.c: the hv channel's `clock` verb (docs/hv-channel.md): a
 * test may pause the simulated clock, step it by exact amounts and
 * resume it, so what happens "during a delay" is decided by the test,
 * never by how fast the machine is.  Every check here is exact: a
 * balloon moving at 100 MiB/s moves exactly 10 MiB in a 100 ms step,
 * whatever the real time spent.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvtest.h"

#define MiB 1024u
#define GiB (1024u * 1024u)

/* Bytes waiting on fd right now (no waiting). */
static bool readable_now(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    return poll(&p, 1, 0) == 1;
}

static void read_line(int fd, char *buf, size_t len)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    size_t n = 0;

    while (n + 1 < len) {
        assert_int_equal(poll(&p, 1, HT_TIMEOUT_MS), 1);
        assert_int_equal(read(fd, buf + n, 1), 1);
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = 0;
}

/* Paused, nothing moves; each step moves exactly its share. */
static void test_pause_step(void **state)
{
    struct hvt t;
    unsigned d;
    uint64_t ms0, ticks0;

    (void)state;
    hvt_start(&t, NULL);
    d = hvt_create(&t, "name=a memory_kb=%u maxmem_kb=%u rate_mib_s=100",
                   512 * MiB, GiB);
    ms0 = hvt_u64(hvt_ok(&t, "clock pause"), "ms");
    assert_int_equal(hvt_u64(hvt_ok(&t, "clock"), "paused"), 1);
    hvt_set_target(&t, d, 256 * MiB);
    /* The guest saw its target (the balloon is set) but has not moved. */
    assert_int_equal(hvt_guest(&t, d, "balloon_target_kb"), 256 * MiB);
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 512 * MiB);
    ticks0 = hvt_u64(hvt_ok(&t, "time"), "ticks");
    assert_int_equal(hvt_u64(hvt_ok(&t, "clock"), "ms"), ms0);

    /* One 100 ms tick at 100 MiB/s: exactly 10 MiB. */
    assert_int_equal(hvt_u64(hvt_ok(&t, "clock step 100"), "ms"), ms0 + 100);
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 502 * MiB);
    assert_int_equal(hvt_u64(hvt_ok(&t, "time"), "ticks"), ticks0 + 1);
    /* Less than a tick moves nothing. */
    hvt_ok(&t, "clock step 99");
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 502 * MiB);
    /* 2.5 s: the rest (246 MiB), ticks in order within the step. */
    hvt_ok(&t, "clock step 2500");
    assert_int_equal(hvt_dom(&t, d, "tot_kb"), 256 * MiB);
    assert_int_equal(hvt_u64(hvt_ok(&t, "time"), "ms"), ms0 + 2699);
    assert_int_equal(hvt_u64(hvt_ok(&t, "time"), "moving"), 0);
    hvt_ok(&t, "clock resume");
    assert_int_equal(hvt_u64(hvt_ok(&t, "clock"), "paused"), 0);
    hvt_stop(&t);
}

/* A `wait` on another connection answers when a step reaches its time. */
static void test_wait_follows_steps(void **state)
{
    struct hvt t;
    char line[128];
    uint64_t ms0;
    int c2;

    (void)state;
    hvt_start(&t, NULL);
    c2 = hvt_channel(&t);
    ms0 = hvt_u64(hvt_ok(&t, "clock pause"), "ms");
    assert_int_equal(write(c2, "wait 500\n", 9), 9);
    /* c2's line was sent before this request: xensim has read it by the
     * time it answers (one turn of its loop reports every ready fd), and
     * a paused clock makes its deadline ms0 + 500 whenever it is read. */
    hvt_ok(&t, "clock");
    hvt_ok(&t, "clock step 499");
    /* Steps run synchronously: an answer would be queued already. */
    assert_false(readable_now(c2));
    hvt_ok(&t, "clock step 1");
    read_line(c2, line, sizeof(line));
    assert_int_equal(hvt_u64(line, "ms"), ms0 + 500);
    close(c2);
    hvt_stop(&t);
}

/* What other processes follow: /tool/xensim/clock. */
static void test_published(void **state)
{
    struct hvt t;
    static const char *const fast[] = { "--speed", "40", NULL };
    unsigned long long base, anchor, base2, anchor2;
    double rate;
    char *v;

    (void)state;
    hvt_start(&t, fast);
    v = hvt_read(&t, "/tool/xensim/clock");
    assert_int_equal(sscanf(v, "%llu %llu %lf", &base, &anchor, &rate), 3);
    assert_true(rate == 40);
    free(v);
    hvt_ok(&t, "clock pause");
    v = hvt_read(&t, "/tool/xensim/clock");
    assert_int_equal(sscanf(v, "%llu %llu %lf", &base, &anchor, &rate), 3);
    assert_true(rate == 0);
    free(v);
    hvt_ok(&t, "clock step 250");
    v = hvt_read(&t, "/tool/xensim/clock");
    assert_int_equal(sscanf(v, "%llu %llu %lf", &base2, &anchor2, &rate), 3);
    assert_int_equal(base2, base + 250);
    assert_true(rate == 0);
    free(v);
    hvt_ok(&t, "clock resume");
    v = hvt_read(&t, "/tool/xensim/clock");
    assert_int_equal(sscanf(v, "%llu %llu %lf", &base, &anchor, &rate), 3);
    assert_int_equal(base, base2);
    assert_true(rate == 40);
    free(v);
    hvt_stop(&t);
}

static void test_errors(void **state)
{
    struct hvt t;

    (void)state;
    hvt_start(&t, NULL);
    assert_string_equal(hvt_call(&t, "clock step 10"),
                        "err EBUSY step: the clock is running (clock pause "
                        "first)");
    hvt_ok(&t, "clock pause");
    hvt_ok(&t, "clock pause"); /* idempotent */
    assert_non_null(strstr(hvt_call(&t, "clock step -1"), "err EINVAL"));
    assert_non_null(strstr(hvt_call(&t, "clock step 3600001"), "err EINVAL"));
    assert_non_null(strstr(hvt_call(&t, "clock step"), "err EINVAL"));
    assert_non_null(strstr(hvt_call(&t, "clock stop"), "err EINVAL"));
    hvt_ok(&t, "clock step 0");
    hvt_ok(&t, "clock resume");
    hvt_ok(&t, "clock resume");
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_step),
        cmocka_unit_test(test_wait_follows_steps),
        cmocka_unit_test(test_published),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests_name("xensim-clock", tests, NULL, NULL);
}
