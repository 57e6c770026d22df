/*
 * test_guest_agent.c: the guest agent's figures (guest/meminfo.c) are
 * meminfo-writer's: its formula, its threshold, its rule near the top,
 * and PSI's some avg10.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "meminfo.h"

static const char proc[] = "MemTotal:        2000000 kB\n"
                           "MemFree:          500000 kB\n"
                           "MemAvailable:     900000 kB\n"
                           "Buffers:           10000 kB\n"
                           "Cached:           300000 kB\n"
                           "SwapCached:            0 kB\n"
                           "SwapTotal:       1000000 kB\n"
                           "SwapFree:         900000 kB\n";

static void test_formula(void **state)
{
    struct ga_meminfo m;

    (void)state;
    assert_int_equal(ga_parse_meminfo(proc, sizeof(proc) - 1, &m), 0);
    /* 2000000 - 10000 - 300000 - 500000 + 1000000 - 900000 */
    assert_int_equal(ga_used_kb(&m, 0), 1290000);
    /* The balloon's current_kb replaces MemTotal. */
    assert_int_equal(ga_used_kb(&m, 1500000), 790000);
    /* "SwapCached:" is not "Cached:". */
    assert_int_equal(m.cached, 300000);
    assert_int_equal(ga_parse_meminfo("MemTotal: 5 kB\n", 15, &m), -1);
}

static void test_threshold_and_top(void **state)
{
    (void)state;
    assert_true(ga_should_report(100000, 0, 1000000, 30000));
    assert_false(ga_should_report(120000, 100000, 1000000, 30000));
    assert_true(ga_should_report(130001, 100000, 1000000, 30000));
    assert_true(ga_should_report(69999, 100000, 1000000, 30000));
    /* Near the top (used > 10/13 of 1000000 = 769231): growth of more
     * than 15000 is told, a fall of 20000 is not. */
    assert_true(ga_should_report(800001 + 15001, 800001, 1000000, 30000));
    assert_false(ga_should_report(800001 + 15000, 800001, 1000000, 30000));
    assert_false(ga_should_report(780001, 800001, 1000000, 30000));
    assert_false(ga_should_report(-5, 100, 1000000, 30000));
}

static void test_psi(void **state)
{
    static const char p[] = "some avg10=12.34 avg60=1.00 avg300=0.10 "
                            "total=1234\nfull avg10=0.00 avg60=0.00 "
                            "avg300=0.00 total=0\n";
    unsigned v;

    (void)state;
    assert_int_equal(ga_parse_psi(p, sizeof(p) - 1, &v), 0);
    assert_int_equal(v, 1234);
    assert_int_equal(ga_parse_psi("full avg10=1.00", 15, &v), -1);
    assert_int_equal(ga_parse_psi("some avg10=1.0 ", 15, &v), -1);
    assert_int_equal(ga_parse_psi("some avg10=101.00", 17, &v), -1);
    assert_true(ga_psi_should_report(0, -1));
    assert_false(ga_psi_should_report(99, 0));
    assert_true(ga_psi_should_report(100, 0));
    assert_true(ga_psi_should_report(0, 5));
    assert_false(ga_psi_should_report(0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formula),
        cmocka_unit_test(test_threshold_and_top),
        cmocka_unit_test(test_psi),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
