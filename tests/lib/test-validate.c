/*
 * test-validate.c: unit tests of the pure validators (no store needed):
 * actor names, actor params, params lookup, error names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libmempolicy.h"

static void actor_names(void **state)
{
    const char *canon = NULL;
    char longest[MEMPOLICY_ACTOR_MAX + 2];

    assert_int_equal(mempolicy_actor_name_valid("xl-auto", &canon), 0);
    assert_string_equal(canon, "xl-auto");
    assert_int_equal(mempolicy_actor_name_valid("xl", &canon), 0);
    assert_string_equal(canon, "xl-auto");
    assert_int_equal(mempolicy_actor_name_valid("", &canon), 0);
    assert_string_equal(canon, "");
    assert_int_equal(mempolicy_actor_name_valid("a0-9z", NULL), 0);

    memset(longest, 'a', MEMPOLICY_ACTOR_MAX);
    longest[MEMPOLICY_ACTOR_MAX] = '\0';
    assert_int_equal(mempolicy_actor_name_valid(longest, &canon), 0);
    longest[MEMPOLICY_ACTOR_MAX] = 'a';
    longest[MEMPOLICY_ACTOR_MAX + 1] = '\0';
    assert_int_equal(mempolicy_actor_name_valid(longest, &canon),
                     MEMPOLICY_ERROR_INVAL);

    assert_int_equal(mempolicy_actor_name_valid("XL", NULL),
                     MEMPOLICY_ERROR_INVAL);
    /* Never something that reads as an option. */
    assert_int_equal(mempolicy_actor_name_valid("-h", NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_name_valid("-", NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_name_valid("a-", NULL), 0);
    assert_int_equal(mempolicy_actor_name_valid("xl_auto", NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_name_valid("a b", NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_name_valid("a/b", NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_name_valid("é", NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_name_valid(NULL, NULL),
                     MEMPOLICY_ERROR_INVAL);
}

static void params(void **state)
{
    char big[MEMPOLICY_PARAMS_MAX + 2];
    size_t i;

    assert_int_equal(mempolicy_params_valid(""), 0);
    assert_int_equal(mempolicy_params_valid("a=1"), 0);
    assert_int_equal(mempolicy_params_valid("delay=5,paging=true"), 0);
    assert_int_equal(mempolicy_params_valid("k_e-y9=v a=l"), 0);
    assert_int_equal(mempolicy_params_valid("a="), 0);
    assert_int_equal(mempolicy_params_valid("a=b=c"), 0);

    assert_int_equal(mempolicy_params_valid("a"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid("=1"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid("A=1"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid("a=1,"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid(",a=1"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid("a=1,,b=2"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid("a=1,b"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid("a b=1"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid("a=x\ny"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_valid(NULL), MEMPOLICY_ERROR_INVAL);

    /* Length bound: exactly MAX is fine, MAX + 1 is not. */
    big[0] = 'k';
    big[1] = '=';
    for (i = 2; i < MEMPOLICY_PARAMS_MAX; i++)
        big[i] = 'v';
    big[MEMPOLICY_PARAMS_MAX] = '\0';
    assert_int_equal(mempolicy_params_valid(big), 0);
    big[MEMPOLICY_PARAMS_MAX] = 'v';
    big[MEMPOLICY_PARAMS_MAX + 1] = '\0';
    assert_int_equal(mempolicy_params_valid(big), MEMPOLICY_ERROR_INVAL);
}

static void params_get(void **state)
{
    char *v = NULL;

    assert_int_equal(mempolicy_params_get("delay=5,paging=true", "paging", &v),
                     0);
    assert_string_equal(v, "true");
    free(v);
    assert_int_equal(mempolicy_params_get("delay=5,paging=true", "delay", &v),
                     0);
    assert_string_equal(v, "5");
    free(v);
    assert_int_equal(mempolicy_params_get("a=,b=x=y", "a", &v), 0);
    assert_string_equal(v, "");
    free(v);
    assert_int_equal(mempolicy_params_get("a=,b=x=y", "b", &v), 0);
    assert_string_equal(v, "x=y");
    free(v);
    /* A key that is a prefix of another is not that key. */
    assert_int_equal(mempolicy_params_get("delay=5", "del", &v),
                     MEMPOLICY_ERROR_INVAL);
    assert_null(v);
    assert_int_equal(mempolicy_params_get("", "a", &v), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_params_get("bad", "bad", &v),
                     MEMPOLICY_ERROR_INVAL);
    assert_null(v);
}

/* The one quoting of untrusted text: escaped, bounded, one line. */
static void quoting(void **state)
{
    char buf[MEMPOLICY_QUOTE_BUF], big[100001];
    const char *q;

    assert_string_equal(mempolicy_quote("guest1", buf), "guest1");
    assert_string_equal(mempolicy_quote("a\nb\tc\rd\x1b[31me\\f", buf),
                        "a\\nb\\tc\\rd\\e[31me\\\\f");
    assert_string_equal(mempolicy_quote("\x01\x7f\x9b\xff", buf),
                        "\\x01\\x7f\\x9b\\xff");
    assert_string_equal(mempolicy_quote(NULL, buf), "(null)");
    assert_string_equal(mempolicy_quote("", buf), "");

    /* 64 bytes are shown whole; one more gives "...". */
    memset(big, 'a', sizeof(big) - 1);
    big[MEMPOLICY_QUOTE_CHARS] = '\0';
    assert_string_equal(mempolicy_quote(big, buf), big);
    big[MEMPOLICY_QUOTE_CHARS] = 'a';
    big[sizeof(big) - 1] = '\0';
    q = mempolicy_quote(big, buf);
    assert_int_equal(strlen(q), MEMPOLICY_QUOTE_CHARS + 3);
    assert_string_equal(q + MEMPOLICY_QUOTE_CHARS, "...");

    /* The worst case fits the buffer exactly: every byte escaped. */
    memset(big, 0x01, sizeof(big) - 1);
    q = mempolicy_quote(big, buf);
    assert_int_equal(strlen(q), MEMPOLICY_QUOTE_CHARS * 4 + 3);
    assert_true(strlen(q) < MEMPOLICY_QUOTE_BUF);
    assert_string_equal(MEMPOLICY_QUOTE("x\ny"), "x\\ny");
}

static void strerror_names(void **state)
{
    int rc;

    assert_string_equal(mempolicy_strerror(MEMPOLICY_ERROR_NO_DOMAIN),
                        "no such domain");
    assert_string_equal(mempolicy_strerror(0), "success");
    for (rc = MEMPOLICY_ERROR_NOT_READY; rc <= 0; rc++)
        assert_string_not_equal(mempolicy_strerror(rc), "unknown error");
    assert_string_equal(mempolicy_strerror(-1000), "unknown error");
    assert_string_equal(mempolicy_strerror(5), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(actor_names),    cmocka_unit_test(params),
        cmocka_unit_test(params_get),     cmocka_unit_test(quoting),
        cmocka_unit_test(strerror_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
