/*
 * test_size.c: unit test of xlmem's size parser (xl-cmds/xlmem_size.c).
 *
 * The rules are xl's (MiB by default, b k m g t suffixes, bytes rounded
 * down) made strict: every bad size must be refused with a message that
 * names it.  The parser's error sink, xlmem_err(), is replaced here by one
 * that keeps the last message, so each refusal is checked for its text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xlmem.h"

static char last_msg[512];
static int nmsg;

void xlmem_err(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
    va_end(ap);
    nmsg++;
}

static int parse(const char *s, bool sign, int64_t *kb, bool *rel)
{
    last_msg[0] = '\0';
    nmsg = 0;
    return xlmem_parse_size_kb(s, sign, kb, rel);
}

static void good(const char *s, bool sign, int64_t want, bool want_rel)
{
    int64_t kb = -12345;
    bool rel = !want_rel;

    if (parse(s, sign, &kb, &rel)) {
        print_error("'%s' refused: %s\n", s, last_msg);
        fail();
    }
    assert_int_equal(kb, want);
    assert_int_equal(rel, want_rel);
    assert_int_equal(nmsg, 0);
}

static void bad(const char *s, bool sign, const char *why)
{
    int64_t kb = 777;
    bool rel;

    assert_int_equal(parse(s, sign, &kb, &rel), -1);
    assert_int_equal(nmsg, 1);
    assert_int_equal(kb, 777);
    if (!strstr(last_msg, why)) {
        print_error("'%s': message '%s' lacks '%s'\n", s, last_msg, why);
        fail();
    }
}

static void test_units(void **state)
{
    (void)state;
    good("512", false, 512 * 1024, false);
    good("512m", false, 512 * 1024, false);
    good("512M", false, 512 * 1024, false);
    good("2g", false, 2 * 1024 * 1024, false);
    good("2G", false, 2 * 1024 * 1024, false);
    good("1t", false, 1024LL * 1024 * 1024, false);
    good("1536k", false, 1536, false);
    good("1536K", false, 1536, false);
    good("1048576b", false, 1024, false);
    good("1048577B", false, 1024, false); /* bytes round down, as xl */
    good("0", false, 0, false);           /* range is the library's job */
    good("007", false, 7 * 1024, false);
}

static void test_relative(void **state)
{
    (void)state;
    good("+256", true, 256 * 1024, true);
    good("-256", true, -256 * 1024, true);
    good("-1g", true, -1024 * 1024, true);
    good("+4k", true, 4, true);
    bad("+256", false, "relative");
    bad("-256", false, "relative");
}

static void test_bad(void **state)
{
    (void)state;
    bad("", true, "empty");
    bad("-", true, "no digits");
    bad("+", true, "no digits");
    bad("--5", true, "no digits");
    bad("+-5", true, "no digits");
    bad("m", true, "no digits");
    bad(" 5", true, "no digits");
    bad("12x", true, "unknown suffix 'x'");
    bad("12mb", true, "trailing");
    bad("12 ", true, "unknown suffix");
    bad("1.5g", true, "trailing characters '.5g'");
    bad("0x10", true, "trailing characters 'x10'");
}

static void test_overflow(void **state)
{
    (void)state;
    /* 2^63-1 KiB is the largest; in MiB that is 2^53-1. */
    good("9223372036854775807k", true, INT64_MAX, false);
    good("-9223372036854775807k", true, -INT64_MAX, true);
    bad("9223372036854775808k", true, "too large");
    good("9007199254740991", true, (int64_t)9007199254740991LL << 10,
         false);
    bad("9007199254740992", true, "too large");
    bad("8589934592t", true, "too large");
    bad("18446744073709551616", true, "too large");
    bad("99999999999999999999999999", true, "too large");
    good("18446744073709551615b", true, (int64_t)(UINT64_MAX >> 10),
         false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_relative),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_overflow),
    };

    return cmocka_run_group_tests_name("xlmem-size", tests, NULL, NULL);
}
