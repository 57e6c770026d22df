/*
 * test-policy.c: the high-level calls against xensim: set/get policy,
 * set/get target (absolute, relative, enforce, with and without an
 * actor), every bad-input case with a whole-store before/after
 * comparison, and racing writers that must never leave a torn policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "4", NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

static void policy_roundtrip(void **state)
{
    mempolicy_policy p;
    char *v;
    uint64_t bal = xs_get_u64(xsh, "/local/domain/%u/memory/target", 1);

    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "xl", "delay=5"), 0);
    v = xs_get(xsh, "/libxl/1/memory-policy/actor");
    assert_string_equal(v, "xl-auto"); /* "xl" is stored as xl-auto */
    free(v);
    v = xs_get(xsh, "/libxl/1/memory-policy/actor-params");
    assert_string_equal(v, "delay=5");
    free(v);
    /* The four nodes exist together: target starts from memory/target. */
    assert_int_equal(xs_get_u64(xsh, "/libxl/%u/memory-policy/target", 1), bal);
    v = xs_get(xsh, "/libxl/1/memory-policy/enforce");
    assert_string_equal(v, "0");
    free(v);

    assert_int_equal(mempolicy_domain_get_policy(ctx, 1, &p), 0);
    assert_string_equal(p.actor, "xl-auto");
    assert_string_equal(p.actor_params, "delay=5");
    assert_true(p.has_target);
    assert_int_equal(p.target_kb, bal);
    assert_false(p.enforce);
    mempolicy_policy_dispose(&p);

    /* Setting the policy keeps target and enforce. */
    assert_int_equal(mempolicy_domain_set_target(ctx, 1, 300000, false, true),
                     0);
    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "xl-manual", ""), 0);
    assert_int_equal(mempolicy_domain_get_policy(ctx, 1, &p), 0);
    assert_string_equal(p.actor, "xl-manual");
    assert_string_equal(p.actor_params, "");
    assert_int_equal(p.target_kb, 300000);
    assert_true(p.enforce);
    mempolicy_policy_dispose(&p);
}

static void enforce_spellings(void **state)
{
    uint64_t t;
    bool enforce;

    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "xl-auto", ""), 0);
    assert_true(xs_put(xsh, "true", "/libxl/1/memory-policy/enforce"));
    assert_int_equal(mempolicy_domain_get_target(ctx, 1, &t, &enforce), 0);
    assert_true(enforce);
    assert_true(xs_put(xsh, "false", "/libxl/1/memory-policy/enforce"));
    assert_int_equal(mempolicy_domain_get_target(ctx, 1, &t, &enforce), 0);
    assert_false(enforce);
    /* Whatever was read, the library writes Xen's "1"/"0". */
    assert_int_equal(mempolicy_domain_set_target(ctx, 1, 200000, false, true),
                     0);
    {
        char *v = xs_get(xsh, "/libxl/1/memory-policy/enforce");

        assert_string_equal(v, "1");
        free(v);
    }
}

static void target_with_actor(void **state)
{
    uint64_t bal, max, t;
    bool enforce;

    assert_int_equal(mempolicy_domain_set_policy(ctx, 2, "xl-auto", ""), 0);
    bal = xs_get_u64(xsh, "/local/domain/%u/memory/target", 2);
    max = xsim_dominfo(&sim, 2, "max_kb");
    assert_int_equal(mempolicy_domain_set_target(ctx, 2, 262144, false, true),
                     0);
    assert_int_equal(mempolicy_domain_get_target(ctx, 2, &t, &enforce), 0);
    assert_int_equal(t, 262144);
    assert_true(enforce);
    /* With an actor the balloon is the actor's; but an enforced target
     * sets maxmem here, with libxl's slack (LIBXL_MAXMEM_CONSTANT). */
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%u/memory/target", 2), bal);
    assert_int_not_equal(xsim_dominfo(&sim, 2, "max_kb"), max);
    assert_int_equal(xsim_dominfo(&sim, 2, "max_kb"), 262144 + 1024);

    assert_int_equal(mempolicy_domain_set_target(ctx, 2, -1024, true, false),
                     0);
    assert_int_equal(mempolicy_domain_get_target(ctx, 2, &t, &enforce), 0);
    assert_int_equal(t, 262144 - 1024);
    assert_false(enforce);
    assert_int_equal(mempolicy_domain_set_target(ctx, 2, 2048, true, false),
                     0);
    assert_int_equal(mempolicy_domain_get_target(ctx, 2, &t, NULL), 0);
    assert_int_equal(t, 262144 + 1024);
    /* Not enforced: maxmem left as the enforced write set it. */
    assert_int_equal(xsim_dominfo(&sim, 2, "max_kb"), 262144 + 1024);
}

static void target_relative_to_balloon(void **state)
{
    uint64_t bal = xs_get_u64(xsh, "/local/domain/%u/memory/target", 3), t;
    mempolicy_policy p;

    /* Domain 3 has no policy target: relative starts at memory/target. */
    assert_int_equal(mempolicy_domain_get_policy(ctx, 3, &p), 0);
    assert_false(p.has_target);
    mempolicy_policy_dispose(&p);
    assert_int_equal(mempolicy_domain_get_target(ctx, 3, &t, NULL), 0);
    assert_int_equal(t, bal);
    assert_int_equal(mempolicy_domain_set_policy(ctx, 3, "xl-auto", ""), 0);
    assert_true(xs_rm(xsh, XBT_NULL, "/libxl/3/memory-policy/target"));
    assert_int_equal(mempolicy_domain_set_target(ctx, 3, -4096, true, false),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%u/memory-policy/target", 3),
                     bal - 4096);
}

static void target_without_actor(void **state)
{
    uint64_t max0 = xsim_dominfo(&sim, 4, "max_kb"), static_max;

    static_max = xs_get_u64(xsh, "/local/domain/%u/memory/static-max", 4);
    assert_int_equal(mempolicy_domain_set_policy(ctx, 4, "", ""), 0);
    /* No actor, not enforcing: balloon target only, as xl mem-set. */
    assert_int_equal(mempolicy_domain_set_target(ctx, 4, 300000, false,
                                                 false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%u/memory/target", 4),
                     300000);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%u/memory-policy/target", 4),
                     300000);
    assert_int_equal(xsim_dominfo(&sim, 4, "max_kb"), max0);
    /* Enforcing: maxmem follows the target, plus libxl's slack
     * (target + videoram + LIBXL_MAXMEM_CONSTANT), never the bare
     * target. */
    assert_int_equal(mempolicy_domain_set_target(ctx, 4, 400000, false,
                                                 true), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%u/memory/target", 4),
                     400000);
    assert_int_equal(xsim_dominfo(&sim, 4, "max_kb"), 400000 + 1024);
    /* Up to static-max is allowed. */
    assert_int_equal(mempolicy_domain_set_target(ctx, 4, (int64_t)static_max,
                                                 false, true), 0);
    assert_int_equal(xsim_dominfo(&sim, 4, "max_kb"), static_max + 1024);
}

static void policy_target_together(void **state)
{
    mempolicy_policy p;

    assert_int_equal(mempolicy_domain_set_policy_target(ctx, 2, "xl-manual",
                                                        "a=1", 123456, false,
                                                        true), 0);
    assert_int_equal(mempolicy_domain_get_policy(ctx, 2, &p), 0);
    assert_string_equal(p.actor, "xl-manual");
    assert_string_equal(p.actor_params, "a=1");
    assert_int_equal(p.target_kb, 123456);
    assert_true(p.enforce);
    mempolicy_policy_dispose(&p);
}

static void check_detail(const char *detail)
{
    if (!strstr(mempolicy_last_error(ctx), detail))
        fail_msg("detail '%s' lacks '%s'", mempolicy_last_error(ctx),
                 detail);
}

/*
 * xl reboot: a policy is kept by uuid; a domain with that uuid and no
 * policy gets it back; garbage in the copy is refused naming the node;
 * copies of uuids no domain has are pruned.
 */
static void saved_by_uuid(void **state)
{
    char *vm = xs_get(xsh, "/local/domain/1/vm"), *v;
    bool restored = true;
    unsigned removed = 99;

    assert_non_null(vm);
    assert_int_equal(mempolicy_domain_set_policy_target(ctx, 1, "xl-manual",
                                                        "", 200000, false,
                                                        false), 0);
    v = xs_get(xsh, "/tool/mempolicy/saved/%s/actor", vm + 4);
    assert_string_equal(v, "xl-manual");
    free(v);
    /* Domain 1 has a policy: nothing restored. */
    assert_int_equal(mempolicy_domain_restore_policy(ctx, 1, &restored), 0);
    assert_false(restored);
    /* "Rebooted": policy nodes wiped, as libxl does at create. */
    assert_true(xs_rm(xsh, XBT_NULL, "/libxl/1/memory-policy"));
    assert_int_equal(mempolicy_domain_restore_policy(ctx, 1, &restored), 0);
    assert_true(restored);
    v = xs_get(xsh, "/libxl/1/memory-policy/target");
    assert_string_equal(v, "200000");
    free(v);
    /* Garbage in the copy: refused, naming it, nothing written. */
    assert_true(xs_rm(xsh, XBT_NULL, "/libxl/1/memory-policy"));
    assert_true(xs_put(xsh, "lots", "/tool/mempolicy/saved/%s/target",
                       vm + 4));
    assert_int_equal(mempolicy_domain_restore_policy(ctx, 1, &restored),
                     MEMPOLICY_ERROR_FAIL);
    check_detail("saved policy under /tool/mempolicy/saved/");
    assert_null(xs_get(xsh, "/libxl/1/memory-policy/actor"));
    /* A copy no domain's uuid names is pruned; domain 1's stays. */
    assert_true(xs_put(xsh, "xl-auto", "/tool/mempolicy/saved/"
                       "00000000-1111-2222-3333-444444444444/actor"));
    assert_int_equal(mempolicy_saved_policies_prune(ctx, &removed), 0);
    assert_int_equal(removed, 1);
    assert_null(xs_get(xsh, "/tool/mempolicy/saved/"
                       "00000000-1111-2222-3333-444444444444/actor"));
    v = xs_get(xsh, "/tool/mempolicy/saved/%s/actor", vm + 4);
    assert_non_null(v);
    free(v);
    /* Put domain 1's policy back for the tests after. */
    assert_int_equal(mempolicy_domain_set_policy_target(ctx, 1, "xl-auto",
                                                        "", 200000, false,
                                                        false), 0);
    free(vm);
}

/* ---- bad input: error code, detail, and the store unchanged ----------- */


#define UNCHANGED(call, rc_expected, detail)                                 \
    do {                                                                     \
        char *before_ = store_dump(xsh), *after_;                            \
        int rc_ = (call);                                                    \
        after_ = store_dump(xsh);                                            \
        assert_int_equal(rc_, (rc_expected));                                \
        assert_string_equal(before_, after_);                                \
        check_detail(detail);                                                \
        free(before_);                                                       \
        free(after_);                                                        \
    } while (0)

static void bad_domains(void **state)
{
    mempolicy_policy p;
    uint64_t t;

    UNCHANGED(mempolicy_domain_set_policy(ctx, 77, "xl-auto", ""),
              MEMPOLICY_ERROR_NO_DOMAIN, "domain 77");
    UNCHANGED(mempolicy_domain_set_target(ctx, 77, 1000, false, true),
              MEMPOLICY_ERROR_NO_DOMAIN, "domain 77");
    UNCHANGED(mempolicy_domain_set_policy_target(ctx, 77, "", "", 1000,
                                                 false, true),
              MEMPOLICY_ERROR_NO_DOMAIN, "domain 77");
    UNCHANGED(mempolicy_domain_set_target(ctx, 0x7FF0, 1000, false, true),
              MEMPOLICY_ERROR_NO_DOMAIN, "reserved");
    UNCHANGED(mempolicy_domain_get_policy(ctx, 77, &p),
              MEMPOLICY_ERROR_NO_DOMAIN, "domain 77");
    UNCHANGED(mempolicy_domain_get_target(ctx, 77, &t, NULL),
              MEMPOLICY_ERROR_NO_DOMAIN, "domain 77");
}

static void bad_targets(void **state)
{
    uint64_t static_max = xs_get_u64(xsh, "/local/domain/%u/memory/static-max",
                                     1);
    uint64_t cur;

    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "xl-auto", ""), 0);
    assert_int_equal(mempolicy_domain_set_target(ctx, 1, 100000, false,
                                                 false), 0);
    cur = 100000;
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, 0, false, true),
              MEMPOLICY_ERROR_RANGE, "positive");
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, -5, false, true),
              MEMPOLICY_ERROR_RANGE, "positive");
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, (int64_t)static_max + 1,
                                          false, true),
              MEMPOLICY_ERROR_RANGE, "static-max");
    /* Relative: to exactly zero, below zero (libxl floors both at 0, a
     * guest without memory: refused), above static-max. */
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, -(int64_t)cur, true, true),
              MEMPOLICY_ERROR_RANGE, "leaves no memory");
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, -(int64_t)cur - 1, true,
                                          true),
              MEMPOLICY_ERROR_RANGE, "leaves no memory");
    UNCHANGED(mempolicy_domain_set_target(ctx, 1,
                                          (int64_t)(static_max - cur) + 1,
                                          true, true),
              MEMPOLICY_ERROR_RANGE, "static-max");
    /* 64-bit extremes: no wrap-around in either direction. */
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, INT64_MAX, true, true),
              MEMPOLICY_ERROR_RANGE, "overflows");
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, INT64_MIN, true, true),
              MEMPOLICY_ERROR_RANGE, "leaves no memory");
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, INT64_MIN, false, true),
              MEMPOLICY_ERROR_RANGE, "positive");
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, INT64_MAX, false, true),
              MEMPOLICY_ERROR_RANGE, "static-max");
    /* Huge current target in the store: adding must not wrap. */
    assert_true(xs_put(xsh, "9223372036854775000",
                       "/libxl/1/memory-policy/target"));
    UNCHANGED(mempolicy_domain_set_target(ctx, 1, 10000, true, true),
              MEMPOLICY_ERROR_RANGE, "overflows");
    assert_true(xs_put(xsh, "100000", "/libxl/1/memory-policy/target"));
}

static void bad_names(void **state)
{
    char long_actor[MEMPOLICY_ACTOR_MAX + 2];
    char long_params[MEMPOLICY_PARAMS_MAX + 2];

    memset(long_actor, 'a', sizeof(long_actor) - 1);
    long_actor[sizeof(long_actor) - 1] = '\0';
    memset(long_params, 'v', sizeof(long_params) - 1);
    long_params[0] = 'k';
    long_params[1] = '=';
    long_params[sizeof(long_params) - 1] = '\0';

    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, "Bad", ""),
              MEMPOLICY_ERROR_INVAL, "invalid actor name 'Bad'");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, "a b", ""),
              MEMPOLICY_ERROR_INVAL, "invalid actor name");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, long_actor, ""),
              MEMPOLICY_ERROR_INVAL, "at most 64");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, NULL, ""),
              MEMPOLICY_ERROR_INVAL, "invalid actor name");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, "xl-auto", "novalue"),
              MEMPOLICY_ERROR_INVAL, "invalid actor params");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, "xl-auto", "a=1,"),
              MEMPOLICY_ERROR_INVAL, "invalid actor params");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, "xl-auto", "A=1"),
              MEMPOLICY_ERROR_INVAL, "keys [a-z0-9_-]");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, "xl-auto", "a=1,2"),
              MEMPOLICY_ERROR_INVAL, "no commas in values");
    UNCHANGED(mempolicy_domain_set_policy(ctx, 1, "xl-auto", long_params),
              MEMPOLICY_ERROR_INVAL, "at most 1024");
    UNCHANGED(mempolicy_domain_set_policy_target(ctx, 1, "BAD", "", 1000,
                                                 false, true),
              MEMPOLICY_ERROR_INVAL, "invalid actor name");
}

static void malformed_store_values(void **state)
{
    mempolicy_policy p;
    uint64_t t;

    assert_int_equal(mempolicy_domain_set_policy(ctx, 2, "xl-auto", ""), 0);
    assert_true(xs_put(xsh, "12x", "/libxl/2/memory-policy/target"));
    UNCHANGED(mempolicy_domain_get_policy(ctx, 2, &p), MEMPOLICY_ERROR_FAIL,
              "/libxl/2/memory-policy/target: '12x' is not a size");
    UNCHANGED(mempolicy_domain_set_target(ctx, 2, 1000, true, true),
              MEMPOLICY_ERROR_FAIL, "not a size");
    assert_true(xs_put(xsh, "99999999999999999999999",
                       "/libxl/2/memory-policy/target"));
    UNCHANGED(mempolicy_domain_get_target(ctx, 2, &t, NULL),
              MEMPOLICY_ERROR_FAIL, "not a size");
    assert_true(xs_put(xsh, "200000", "/libxl/2/memory-policy/target"));
    assert_true(xs_put(xsh, "yes", "/libxl/2/memory-policy/enforce"));
    UNCHANGED(mempolicy_domain_get_policy(ctx, 2, &p), MEMPOLICY_ERROR_FAIL,
              "not a boolean");
    /* A whole-domain write repairs it. */
    assert_int_equal(mempolicy_domain_set_policy_target(ctx, 2, "xl-auto", "",
                                                        200000, false, true),
                     0);
    assert_int_equal(mempolicy_domain_get_policy(ctx, 2, &p), 0);
    mempolicy_policy_dispose(&p);
}

static void guest_cannot_read_policy(void **state)
{
    char path[160];
    struct xs_handle *g;
    unsigned len;
    void *v;

    assert_int_equal(mempolicy_domain_set_policy(ctx, 1, "xl-auto", "s=1"),
                     0);
    snprintf(path, sizeof(path), "%s.dom1", sim.f.socket);
    setenv("XENSTORED_PATH", path, 1);
    g = xs_open(0);
    setenv("XENSTORED_PATH", sim.f.socket, 1);
    assert_non_null(g);
    v = xs_read(g, XBT_NULL, "/libxl/1/memory-policy/actor", &len);
    assert_null(v);
    assert_false(xs_write(g, XBT_NULL, "/libxl/1/memory-policy/target", "1",
                          1));
    /* ... while its own balloon target is readable to it. */
    v = xs_read(g, XBT_NULL, "/local/domain/1/memory/target", &len);
    assert_non_null(v);
    free(v);
    xs_close(g);
}

/* ---- set unless set ---------------------------------------------------- */

static void policy_if_unset(void **state)
{
    int d = xsim_create(&sim, "name=ifunset type=pv memory_kb=131072");
    mempolicy_policy p;
    bool written = true;
    char *before, *after, *v;

    assert_true(d > 0);
    /* No actor node: written, as set_policy would. */
    assert_int_equal(mempolicy_domain_set_policy_if_unset(ctx, (uint32_t)d,
                                                          "xl", "delay=2",
                                                          &written), 0);
    assert_true(written);
    assert_int_equal(mempolicy_domain_get_policy(ctx, (uint32_t)d, &p), 0);
    assert_string_equal(p.actor, "xl-auto");
    assert_string_equal(p.actor_params, "delay=2");
    assert_true(p.has_target);
    mempolicy_policy_dispose(&p);

    /* Set: nothing written, not even a node rewritten. */
    before = store_dump(xsh);
    assert_int_equal(mempolicy_domain_set_policy_if_unset(ctx, (uint32_t)d,
                                                          "sharing", "",
                                                          &written), 0);
    after = store_dump(xsh);
    assert_false(written);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* "" is a choice too (no actor), and garbage elsewhere does not
     * matter: the actor node is what says a policy was chosen. */
    assert_int_equal(mempolicy_domain_set_policy(ctx, (uint32_t)d, "", ""),
                     0);
    assert_true(xs_put(xsh, "junk", "/libxl/%d/memory-policy/target", d));
    assert_int_equal(mempolicy_domain_set_policy_if_unset(ctx, (uint32_t)d,
                                                          "xl-auto", "",
                                                          NULL), 0);
    v = xs_get(xsh, "/libxl/%d/memory-policy/actor", d);
    assert_string_equal(v, "");
    free(v);

    /* Bad input and unknown domains: as set_policy, store unchanged. */
    before = store_dump(xsh);
    assert_int_equal(mempolicy_domain_set_policy_if_unset(ctx, 77, "xl-auto",
                                                          "", &written),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    assert_false(written);
    assert_int_equal(mempolicy_domain_set_policy_if_unset(ctx, (uint32_t)d,
                                                          "Bad", "", NULL),
                     MEMPOLICY_ERROR_INVAL);
    after = store_dump(xsh);
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(xsim_hv(&sim, "destroy %d", d));
}

/*
 * A toolstack's policy racing the default: whichever lands first, the
 * toolstack's is what stays (the default never overwrites it), and the
 * default reports whether it wrote.
 */
static void policy_if_unset_races(void **state)
{
    int i;

    for (i = 0; i < 12; i++) {
        char spec[64];
        int d, status;
        bool written;
        pid_t pid;
        char *v;

        snprintf(spec, sizeof(spec), "name=race%d type=pv memory_kb=65536",
                 i);
        d = xsim_create(&sim, spec);
        assert_true(d > 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            mempolicy_ctx *c = test_ctx();

            _exit(c && !mempolicy_domain_set_policy(c, (uint32_t)d,
                                                    "toolstack", "") ? 0
                                                                     : 1);
        }
        assert_int_equal(mempolicy_domain_set_policy_if_unset(
                             ctx, (uint32_t)d, "default", "", &written), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        v = xs_get(xsh, "/libxl/%d/memory-policy/actor", d);
        assert_non_null(v);
        assert_string_equal(v, "toolstack");
        free(v);
        free(xsim_hv(&sim, "destroy %d", d));
    }
}

/* ---- racing writers --------------------------------------------------- */

#define WRITERS 6
#define ROUNDS 25

/* Writer w's complete state: actor, params, target and enforce all say w. */
static void writer(int w)
{
    mempolicy_ctx *c = test_ctx();
    char actor[16], params[32];
    int i, rc;

    if (!c)
        _exit(2);
    snprintf(actor, sizeof(actor), "w%d", w);
    snprintf(params, sizeof(params), "writer=%d", w);
    for (i = 0; i < ROUNDS; i++) {
        rc = mempolicy_domain_set_policy_target(c, 3, actor, params,
                                                100000 + w, false, w & 1);
        if (rc) {
            fprintf(stderr, "# writer %d: %s\n", w, mempolicy_last_error(c));
            _exit(1);
        }
    }
    test_ctx_free(c);
    _exit(0);
}

/* A reader checking that every snapshot it sees is one writer's state. */
static void reader(int stop_fd)
{
    mempolicy_ctx *c = test_ctx();
    int seen = 0;

    if (!c)
        _exit(2);
    for (;;) {
        mempolicy_policy p;
        char buf[1];
        int w;

        if (read(stop_fd, buf, 1) == 0 && seen > 0)
            break;
        if (mempolicy_domain_get_policy(c, 3, &p))
            _exit(3);
        if (p.actor[0] == 'w') {
            w = atoi(p.actor + 1);
            if (strcmp(p.actor_params + 7, p.actor + 1) ||
                p.target_kb != (uint64_t)(100000 + w) ||
                p.enforce != (bool)(w & 1)) {
                fprintf(stderr, "# torn: %s %s %" PRIu64 " %d\n", p.actor,
                        p.actor_params, p.target_kb, p.enforce);
                _exit(4);
            }
            seen++;
        }
        mempolicy_policy_dispose(&p);
    }
    test_ctx_free(c);
    _exit(0);
}

static void racing_writers(void **state)
{
    pid_t pids[WRITERS], rpid;
    mempolicy_policy p;
    int i, st, w, stop[2];

    assert_int_equal(pipe(stop), 0);
    rpid = fork();
    assert_true(rpid >= 0);
    if (rpid == 0) {
        close(stop[1]);
        /* non-blocking stop pipe: EOF once the parent closes it */
        fcntl(stop[0], F_SETFL, fcntl(stop[0], F_GETFL) | O_NONBLOCK);
        reader(stop[0]);
    }
    close(stop[0]);
    for (i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            writer(i);
    }
    for (i = 0; i < WRITERS; i++) {
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    close(stop[1]);
    assert_int_equal(waitpid(rpid, &st, 0), rpid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);

    /* The final four nodes all come from one writer. */
    assert_int_equal(mempolicy_domain_get_policy(ctx, 3, &p), 0);
    assert_int_equal(p.actor[0], 'w');
    w = atoi(p.actor + 1);
    assert_true(w >= 0 && w < WRITERS);
    {
        char expect[32];

        snprintf(expect, sizeof(expect), "writer=%d", w);
        assert_string_equal(p.actor_params, expect);
    }
    assert_int_equal(p.target_kb, 100000 + w);
    assert_int_equal(p.enforce, (bool)(w & 1));
    mempolicy_policy_dispose(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_roundtrip),
        cmocka_unit_test(enforce_spellings),
        cmocka_unit_test(target_with_actor),
        cmocka_unit_test(target_relative_to_balloon),
        cmocka_unit_test(target_without_actor),
        cmocka_unit_test(policy_target_together),
        cmocka_unit_test(saved_by_uuid),
        cmocka_unit_test(bad_domains),
        cmocka_unit_test(bad_targets),
        cmocka_unit_test(bad_names),
        cmocka_unit_test(malformed_store_values),
        cmocka_unit_test(guest_cannot_read_policy),
        cmocka_unit_test(policy_if_unset),
        cmocka_unit_test(policy_if_unset_races),
        cmocka_unit_test(racing_writers),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
