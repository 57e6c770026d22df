/*
 * test-status.c: the readers of "who serves what" (status.c) against
 * what may be in the store, written by hand rather than by an actor
 * (tests/actors/test_actor_status.c covers the kit's writing side):
 * announcements that are garbage, too large, stale or our own; a status
 * line with control characters and longer than the bound; a garbage
 * actor node; bad arguments; and the one version string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;

#define A "/tool/mempolicy/actors/hand"

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "2", NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

/* Field 22 of our own /proc/self/stat, as the kit announces it. */
static char *own_start(void)
{
    static char out[32];
    char buf[1024], *p, *tok, *save = NULL;
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n;
    int field;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');
    assert_non_null(p);
    for (field = 3, tok = strtok_r(p + 1, " ", &save); tok && field < 22;
         field++, tok = strtok_r(NULL, " ", &save))
        ;
    assert_non_null(tok);
    snprintf(out, sizeof(out), "%s", tok);
    return out;
}

static void announce(const char *pid, const char *start)
{
    xs_rm(xsh, XBT_NULL, A);
    if (pid)
        assert_true(xs_put(xsh, pid, A "/pid"));
    if (start)
        assert_true(xs_put(xsh, start, A "/start"));
}

static bool running(void)
{
    bool r = true;

    assert_int_equal(mempolicy_actor_running(ctx, "hand", &r), 0);
    return r;
}

static void announcements(void **state)
{
    char me[16];
    mempolicy_status st;

    snprintf(me, sizeof(me), "%d", (int)getpid());
    assert_true(xs_put(xsh, "hand", "/libxl/1/memory-policy/actor"));

    announce(NULL, NULL);
    assert_false(running());
    announce(me, own_start());
    assert_true(running());
    assert_int_equal(mempolicy_domain_get_status(ctx, 1, &st), 0);
    assert_true(st.running);
    assert_int_equal(st.pid, getpid());
    mempolicy_status_dispose(&st);

    /* The right pid with another start time: a reused pid, not us. */
    announce(me, "1");
    assert_false(running());
    /* Garbage, in every field. */
    announce("abc", own_start());
    assert_false(running());
    announce(me, "-5");
    assert_false(running());
    announce("99999999999", own_start());
    assert_false(running());
    assert_int_equal(mempolicy_domain_get_status(ctx, 1, &st), 0);
    assert_int_equal(st.pid, 0); /* not a pid: not reported as one */
    mempolicy_status_dispose(&st);
    announce(me, NULL);
    assert_false(running());
    assert_int_equal(mempolicy_domain_get_status(ctx, 1, &st), 0);
    assert_int_equal(st.pid, getpid()); /* stale, but named */
    assert_false(st.running);
    mempolicy_status_dispose(&st);
    xs_rm(xsh, XBT_NULL, A);
}

static void lines(void **state)
{
    char me[16], line[400];
    mempolicy_status st;

    snprintf(me, sizeof(me), "%d", (int)getpid());
    assert_true(xs_put(xsh, "hand", "/libxl/1/memory-policy/actor"));
    announce(me, own_start());
    assert_true(xs_put(xsh, "a\x1b[2Jb\nc", A "/status/1"));
    assert_int_equal(mempolicy_domain_get_status(ctx, 1, &st), 0);
    assert_string_equal(st.text, "a?[2Jb?c");
    mempolicy_status_dispose(&st);

    memset(line, 'y', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    assert_true(xs_put(xsh, line, A "/status/1"));
    assert_int_equal(mempolicy_domain_get_status(ctx, 1, &st), 0);
    assert_int_equal(strlen(st.text), MEMPOLICY_STATUS_MAX);
    mempolicy_status_dispose(&st);

    /* The line of an actor that is not running is not reported. */
    announce(me, "1");
    assert_true(xs_put(xsh, "old news", A "/status/1"));
    assert_int_equal(mempolicy_domain_get_status(ctx, 1, &st), 0);
    assert_string_equal(st.text, "");
    mempolicy_status_dispose(&st);
    xs_rm(xsh, XBT_NULL, A);
}

static void bad_input(void **state)
{
    mempolicy_status st;
    bool r;

    assert_int_equal(mempolicy_actor_running(ctx, "Bad Name", &r),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_running(ctx, "", &r),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_running(ctx, "hand", NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_domain_get_status(ctx, 1, NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_domain_get_status(ctx, 0x7ff5, &st),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    assert_int_equal(mempolicy_domain_get_status(ctx, 99, &st),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    /* A garbage actor node: the error names the node. */
    assert_true(xs_put(xsh, "No Such/Actor", "/libxl/2/memory-policy/actor"));
    assert_int_equal(mempolicy_domain_get_status(ctx, 2, &st),
                     MEMPOLICY_ERROR_FAIL);
    assert_non_null(
        strstr(mempolicy_last_error(ctx), "/libxl/2/memory-policy/actor"));
    assert_int_equal(mempolicy_list_status(ctx, NULL, 1, NULL),
                     MEMPOLICY_ERROR_INVAL);
}

static void version(void **state)
{
    char want[32];

    snprintf(want, sizeof(want), "%d.%d", MEMPOLICY_VERSION_MAJOR,
             MEMPOLICY_VERSION_MINOR);
    assert_string_equal(MEMPOLICY_VERSION, want);
    assert_string_equal(mempolicy_version(), want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(announcements),
        cmocka_unit_test(lines),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(version),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
