/*
 * test_actor_kit.c: unit tests of the actor kit's pure parts: the timer
 * heap, the domain table and the params helpers.
 *
 * The heap and the table are checked against a trivially correct model
 * (a sorted scan, a flat array) over long random sequences of
 * operations, including the deletions that stress heap re-ordering and
 * the backward-shift deletion of the table; the params helpers against
 * xl's size rules and their error cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "actor_internal.h"

/* ---- timer heap -------------------------------------------------------- */

static struct mempolicy_timer *new_timer(uint64_t deadline)
{
    struct mempolicy_timer *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    t->deadline = deadline;
    t->idx = MP_TIMER_NOT_QUEUED;
    return t;
}

static void test_heap_order_and_fifo(void **state)
{
    struct mp_timer_heap h;
    struct mempolicy_timer *a, *b, *c, *t;

    mp_timer_heap_init(&h);
    a = new_timer(30);
    b = new_timer(10);
    c = new_timer(30);
    assert_int_equal(mp_timer_heap_push(&h, a), 0);
    assert_int_equal(mp_timer_heap_push(&h, b), 0);
    assert_int_equal(mp_timer_heap_push(&h, c), 0);
    assert_ptr_equal(mp_timer_heap_top(&h), b);
    assert_null(mp_timer_heap_pop_due(&h, 9));
    t = mp_timer_heap_pop_due(&h, 10);
    assert_ptr_equal(t, b);
    free(t);
    assert_null(mp_timer_heap_pop_due(&h, 29));
    /* Equal deadlines: the one added first fires first. */
    t = mp_timer_heap_pop_due(&h, 100);
    assert_ptr_equal(t, a);
    free(t);
    t = mp_timer_heap_pop_due(&h, 100);
    assert_ptr_equal(t, c);
    free(t);
    assert_null(mp_timer_heap_top(&h));
    mp_timer_heap_dispose(&h);
}

static void test_heap_random_against_model(void **state)
{
    enum { N = 2000 };
    struct mp_timer_heap h;
    struct mempolicy_timer *live[N];
    size_t nlive = 0, i, step;
    uint64_t now = 0;

    srand(12345);
    mp_timer_heap_init(&h);
    for (step = 0; step < 20000; step++) {
        int op = rand() % 4;

        if ((op <= 1 && nlive < N) || nlive == 0) {
            live[nlive] = new_timer(now + (uint64_t)(rand() % 1000));
            assert_int_equal(mp_timer_heap_push(&h, live[nlive]), 0);
            nlive++;
        } else if (op == 2) {
            /* Cancel a random live timer (any heap position). */
            size_t k = (size_t)rand() % nlive;

            mp_timer_heap_remove(&h, live[k]);
            assert_true(live[k]->idx == MP_TIMER_NOT_QUEUED);
            free(live[k]);
            live[k] = live[--nlive];
        } else {
            /* Pop the earliest: must be the model's minimum. */
            struct mempolicy_timer *t, *min = live[0];
            size_t k, mk = 0;

            for (k = 1; k < nlive; k++) {
                if (live[k]->deadline < min->deadline ||
                    (live[k]->deadline == min->deadline &&
                     live[k]->seq < min->seq)) {
                    min = live[k];
                    mk = k;
                }
            }
            now = min->deadline;
            t = mp_timer_heap_pop_due(&h, now);
            assert_ptr_equal(t, min);
            free(t);
            live[mk] = live[--nlive];
        }
        assert_int_equal(h.n, nlive);
        for (i = 0; i < h.n; i++)
            assert_int_equal(h.v[i]->idx, i);
    }
    mp_timer_heap_dispose(&h);
}

/* ---- domain table ------------------------------------------------------ */

static void test_domtab_basic(void **state)
{
    struct mp_domtab t;
    struct mp_domtab_entry *e;
    int x;

    mp_domtab_init(&t);
    assert_null(mp_domtab_find(&t, 1));
    e = mp_domtab_insert(&t, 7);
    assert_non_null(e);
    assert_null(e->data);
    e->data = &x;
    assert_ptr_equal(mp_domtab_insert(&t, 7)->data, &x);
    assert_int_equal(t.n, 1);
    mp_domtab_remove(&t, 8);
    assert_int_equal(t.n, 1);
    mp_domtab_remove(&t, 7);
    assert_null(mp_domtab_find(&t, 7));
    assert_int_equal(t.n, 0);
    mp_domtab_dispose(&t);
}

static void test_domtab_random_against_model(void **state)
{
    enum { MAXID = 0x7ff0 };
    static bool present[MAXID];
    struct mp_domtab t;
    size_t step, count = 0, i, seen;

    memset(present, 0, sizeof(present));
    srand(777);
    mp_domtab_init(&t);
    for (step = 0; step < 200000; step++) {
        /* Clustered ids make long probe runs: the hard case for
         * backward-shift deletion. */
        uint32_t id = (uint32_t)(rand() % 12000);

        if (rand() % 3) {
            struct mp_domtab_entry *e = mp_domtab_insert(&t, id);

            assert_non_null(e);
            assert_int_equal(e->domid, id);
            if (!present[id])
                e->data = (void *)(uintptr_t)(id + 1);
            count += !present[id];
            present[id] = true;
        } else {
            mp_domtab_remove(&t, id);
            count -= present[id];
            present[id] = false;
        }
        if (step % 5000 == 0) {
            for (i = 0; i < 12000; i++) {
                struct mp_domtab_entry *e = mp_domtab_find(&t, (uint32_t)i);

                assert_int_equal(e != NULL, present[i]);
                if (e)
                    assert_ptr_equal(e->data, (void *)(uintptr_t)(i + 1));
            }
        }
    }
    assert_int_equal(t.n, count);
    for (i = 0, seen = 0; i < t.cap; i++)
        seen += t.v[i].used;
    assert_int_equal(seen, count);
    assert_true(t.n * 2 <= t.cap);
    mp_domtab_dispose(&t);
}

/* ---- params ------------------------------------------------------------ */

/* Actors read sizes through the library's one grammar, unsigned. */
static int psize(const char *s, int64_t *kb)
{
    return mempolicy_parse_size_kb(s, 0, kb, NULL, NULL, 0);
}

static void test_size_parsing_follows_xl(void **state)
{
    int64_t kb;

    assert_int_equal(psize("512", &kb), 0);
    assert_int_equal(kb, 512 * 1024);
    assert_int_equal(psize("512m", &kb), 0);
    assert_int_equal(kb, 512 * 1024);
    assert_int_equal(psize("2G", &kb), 0);
    assert_int_equal(kb, 2 * 1024 * 1024);
    assert_int_equal(psize("1t", &kb), 0);
    assert_int_equal(kb, 1024ull * 1024 * 1024);
    assert_int_equal(psize("300k", &kb), 0);
    assert_int_equal(kb, 300);
    assert_int_equal(psize("4096b", &kb), 0);
    assert_int_equal(kb, 4);
    assert_int_equal(psize("0", &kb), 0);
    assert_int_equal(kb, 0);
    assert_int_not_equal(psize("", &kb), 0);
    assert_int_not_equal(psize("-1", &kb), 0);
    assert_int_not_equal(psize("12mb", &kb), 0);
    assert_int_not_equal(psize("12x", &kb), 0);
    assert_int_not_equal(psize(" 12", &kb), 0);
    assert_int_not_equal(psize("99999999999999999999", &kb),
                         0);
    /* 2^54 TiB overflows 64-bit KiB. */
    assert_int_not_equal(psize("18014398509481984t", &kb), 0);
}

static void test_param_helpers(void **state)
{
    char err[128];
    uint64_t v;
    bool b;

    assert_int_equal(mempolicy_actor_param_size_kb("delay=3,min=1g", "min",
                                                   7, &v, err, sizeof(err)),
                     0);
    assert_int_equal(v, 1024 * 1024);
    assert_int_equal(mempolicy_actor_param_size_kb("delay=3", "min", 7, &v,
                                                   err, sizeof(err)), 0);
    assert_int_equal(v, 7);
    assert_int_equal(mempolicy_actor_param_size_kb("", "min", 9, &v, NULL,
                                                   0), 0);
    assert_int_equal(v, 9);
    assert_int_equal(mempolicy_actor_param_size_kb("min=lots", "min", 9, &v,
                                                   err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "min=lots"));

    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=0.25", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)), 0);
    assert_int_equal(v, 250);
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=-1", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=nan", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=1e9", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    /* Plain decimal only: no hex, exponent, sign or dangling point. */
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=0x10", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "delay=0x10"));
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=1e2", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=+1", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=1.", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_param_seconds_ms("delay=12", "delay",
                                                      5000, &v, err,
                                                      sizeof(err)), 0);
    assert_int_equal(v, 12000);

    assert_int_equal(mempolicy_actor_param_bool("paging=1", "paging", false,
                                                &b, err, sizeof(err)), 0);
    assert_true(b);
    assert_int_equal(mempolicy_actor_param_bool("paging=0", "paging", true,
                                                &b, err, sizeof(err)), 0);
    assert_false(b);
    assert_int_equal(mempolicy_actor_param_bool("x=1", "paging", true, &b,
                                                err, sizeof(err)), 0);
    assert_true(b);
    assert_int_equal(mempolicy_actor_param_bool("paging=maybe", "paging",
                                                false, &b, err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "paging=maybe"));
    /* Strict: Xen's 1/0 (and true/false), not yes/on. */
    assert_int_equal(mempolicy_actor_param_bool("paging=true", "paging",
                                                false, &b, err, sizeof(err)),
                     0);
    assert_true(b);
    assert_int_equal(mempolicy_actor_param_bool("paging=yes", "paging",
                                                false, &b, err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_param_bool("paging=on", "paging",
                                                false, &b, err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
}

/* The shipped actors' parameter tables: one check for xlmem and actors. */
static void test_param_tables(void **state)
{
    char err[256];
    uint64_t u;
    unsigned n, i;
    const mempolicy_param_table *t = mempolicy_actor_param_tables(&n);

    (void)state;
    assert_true(n >= 4);
    for (i = 0; i < n; i++)
        assert_ptr_equal(mempolicy_actor_param_table(t[i].actor), &t[i]);
    assert_ptr_equal(mempolicy_actor_param_table("xl"),
                     mempolicy_actor_param_table("xl-auto"));
    assert_null(mempolicy_actor_param_table("my-own"));
    /* A custom actor: syntax is the library's, keys its own. */
    assert_int_equal(mempolicy_actor_params_check("my-own", "x=1", err,
                                                  sizeof(err)), 0);
    assert_int_equal(mempolicy_actor_params_check("balance",
                                                  "min=256,max=1g,weight=3,"
                                                  "grace=10,headroom=50",
                                                  err, sizeof(err)), 0);
    assert_int_equal(mempolicy_actor_params_check("balance", "", err,
                                                  sizeof(err)), 0);
    assert_int_equal(mempolicy_actor_params_check("balance", "wieght=2", err,
                                                  sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "no parameter 'wieght'"));
    assert_non_null(strstr(err, "min, max, weight, grace, headroom"));
    assert_int_equal(mempolicy_actor_params_check("balance", "min=2g,max=1g",
                                                  err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "above max"));
    assert_int_equal(mempolicy_actor_params_check("balance", "weight=0", err,
                                                  sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_params_check("balance", "weight=101",
                                                  err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_params_check("xl-manual", "delay=1",
                                                  err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "it takes only the common hard_limit"));
    /* uint: digits only, bounds inclusive, default when absent. */
    assert_int_equal(mempolicy_actor_param_uint("w=100", "w", 1, 1, 100, &u,
                                                err, sizeof(err)), 0);
    assert_int_equal(u, 100);
    assert_int_equal(mempolicy_actor_param_uint("", "w", 7, 1, 100, &u, err,
                                                sizeof(err)), 0);
    assert_int_equal(u, 7);
    assert_int_equal(mempolicy_actor_param_uint("w=1x", "w", 1, 1, 100, &u,
                                                err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_actor_param_uint("w=99999999999999999999999",
                                                "w", 1, 1, 100, &u, err,
                                                sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
}

/* The common params (libvirt's memtune), valid under every actor. */
static void test_memtune(void **state)
{
    char err[256];
    mempolicy_memtune m;
    uint64_t lo, hi;
    unsigned n, i;
    const mempolicy_param_table *t = mempolicy_actor_param_tables(&n);
    const mempolicy_param_spec *c = mempolicy_common_params();

    (void)state;
    assert_string_equal(c[0].key, "hard_limit");
    assert_string_equal(c[1].key, "soft_limit");
    assert_string_equal(c[2].key, "min_guarantee");
    assert_string_equal(c[3].key, "swap_hard_limit");
    assert_string_equal(c[4].key, "group");
    assert_null(c[5].key);
    /* Accepted under every shipped actor and a custom one. */
    for (i = 0; i < n; i++) {
        err[0] = '\0';
        assert_int_equal(mempolicy_actor_params_check(
                             t[i].actor, "hard_limit=1g,soft_limit=512,"
                             "min_guarantee=256m,swap_hard_limit=64,"
                             "group=web-1", err, sizeof(err)), 0);
        /* ...and their rules apply under every actor. */
        assert_int_equal(mempolicy_actor_params_check(
                             t[i].actor, "hard_limit=1g,soft_limit=2g", err,
                             sizeof(err)), MEMPOLICY_ERROR_INVAL);
        assert_string_equal(err, "soft_limit=2097152 KiB is above "
                                 "hard_limit=1048576 KiB");
    }
    assert_int_equal(mempolicy_actor_params_check("my-own",
                                                  "x=1,min_guarantee=2g,"
                                                  "hard_limit=1g", err,
                                                  sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_string_equal(err, "min_guarantee=2097152 KiB is above "
                             "hard_limit=1048576 KiB");
    assert_int_equal(mempolicy_actor_params_check("xl-auto",
                                                  "hard_limit=-5", err,
                                                  sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "hard_limit=-5: not a size"));
    assert_int_equal(mempolicy_actor_params_check("xl-auto",
                                                  "soft_limit=lots", err,
                                                  sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "soft_limit=lots: not a size"));
    assert_int_equal(mempolicy_actor_params_check("sharing", "group=Web",
                                                  err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "group=Web: not a name"));
    assert_int_equal(mempolicy_actor_params_check("balance", "hard_limit=0",
                                                  err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(err, "hard_limit=0 KiB leaves nothing"));
    assert_int_equal(mempolicy_actor_params_check("balance", "hard_limit=1k",
                                                  err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);

    /* Group names. */
    assert_int_equal(mempolicy_group_name_valid("web"), 0);
    assert_int_equal(mempolicy_group_name_valid("a_b-9"), 0);
    assert_int_equal(mempolicy_group_name_valid(""), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_name_valid("-x"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_name_valid("a/b"), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_name_valid(NULL), MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_group_name_valid(
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                         "aaaaaaaaaa"), 0);
    assert_int_equal(mempolicy_group_name_valid(
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                         "aaaaaaaaaaa"), MEMPOLICY_ERROR_INVAL);

    /* static-max, where known. */
    assert_int_equal(mempolicy_memtune_check("hard_limit=1g", 1048576, err,
                                             sizeof(err)), 0);
    assert_int_equal(mempolicy_memtune_check("hard_limit=1025", 1048576, err,
                                             sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_string_equal(err, "hard_limit=1049600 KiB is above the domain's "
                             "static-max 1048576 KiB");
    assert_int_equal(mempolicy_memtune_check("hard_limit=1025", 0, err,
                                             sizeof(err)), 0);
    assert_int_equal(mempolicy_memtune_check("min_guarantee=2g", 1048576, err,
                                             sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);

    /* The getter: defaults... */
    assert_int_equal(mempolicy_memtune_get("delay=1", &m, err, sizeof(err)),
                     0);
    assert_true(m.hard_limit_kb == MEMPOLICY_MEMTUNE_UNLIMITED);
    assert_true(m.soft_limit_kb == MEMPOLICY_MEMTUNE_UNLIMITED);
    assert_true(m.swap_hard_limit_kb == MEMPOLICY_MEMTUNE_UNLIMITED);
    assert_int_equal(m.min_guarantee_kb, 0);
    assert_string_equal(m.group, "");
    assert_int_equal(mempolicy_memtune_get(NULL, &m, err, sizeof(err)), 0);
    assert_true(m.hard_limit_kb == MEMPOLICY_MEMTUNE_UNLIMITED);
    /* ...values... */
    assert_int_equal(mempolicy_memtune_get("hard_limit=1g,soft_limit=768,"
                                           "min_guarantee=256m,"
                                           "swap_hard_limit=0,group=db",
                                           &m, err, sizeof(err)), 0);
    assert_int_equal(m.hard_limit_kb, 1048576);
    assert_int_equal(m.soft_limit_kb, 786432);
    assert_int_equal(m.min_guarantee_kb, 262144);
    assert_int_equal(m.swap_hard_limit_kb, 0);
    assert_string_equal(m.group, "db");
    /* ...a malformed key keeps its default, the others apply... */
    assert_int_equal(mempolicy_memtune_get("hard_limit=x,min_guarantee=1g",
                                           &m, err, sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_true(m.hard_limit_kb == MEMPOLICY_MEMTUNE_UNLIMITED);
    assert_int_equal(m.min_guarantee_kb, 1048576);
    assert_non_null(strstr(err, "hard_limit=x"));
    /* ...contradictions stored by hand: the cap wins. */
    assert_int_equal(mempolicy_memtune_get("hard_limit=512,soft_limit=1g,"
                                           "min_guarantee=2g", &m, err,
                                           sizeof(err)),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(m.hard_limit_kb, 524288);
    assert_int_equal(m.soft_limit_kb, 524288);
    assert_int_equal(m.min_guarantee_kb, 524288);

    /* The range: maxmem (target + 1024 KiB, libxl) never above the cap. */
    assert_int_equal(mempolicy_memtune_get("hard_limit=512", &m, NULL, 0), 0);
    mempolicy_memtune_range(&m, 1048576, 0, &lo, &hi);
    assert_int_equal(hi, 524288 - 1024);
    assert_int_equal(lo, 0);
    mempolicy_memtune_range(&m, 262144, 0, &lo, &hi);
    assert_int_equal(hi, 262144);
    assert_int_equal(mempolicy_memtune_get("min_guarantee=300", &m, NULL, 0),
                     0);
    mempolicy_memtune_range(&m, 1048576, 100 * 1024, &lo, &hi);
    assert_int_equal(lo, 300 * 1024);
    assert_int_equal(hi, 1048576);
    mempolicy_memtune_range(&m, 1048576, 400 * 1024, &lo, &hi);
    assert_int_equal(lo, 400 * 1024);
    mempolicy_memtune_range(&m, 200 * 1024, 0, &lo, &hi);
    assert_int_equal(lo, 200 * 1024); /* the cap wins */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_order_and_fifo),
        cmocka_unit_test(test_heap_random_against_model),
        cmocka_unit_test(test_domtab_basic),
        cmocka_unit_test(test_domtab_random_against_model),
        cmocka_unit_test(test_size_parsing_follows_xl),
        cmocka_unit_test(test_param_helpers),
        cmocka_unit_test(test_param_tables),
        cmocka_unit_test(test_memtune),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
