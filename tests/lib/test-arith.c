/*
 * test-arith.c: the one target arithmetic (memcalc.c) and every writer
 * using it, against libxl's numbers (tools/libs/light/libxl_mem.c,
 * libxl_set_memory_target, Xen 4.17):
 *  - the pure function: request less memory/videoram, relative changes
 *    as libxl computes them, static-max and dom0's minimum, maxmem with
 *    LIBXL_MAXMEM_CONSTANT, the PoD target for non-PV guests, MiB for
 *    /vm/<uuid>/memory, and the inputs libxl would turn into nonsense;
 *  - each writer on xensim with video RAM in the store: set_target with
 *    no actor, an enforced target under an actor, the balloon setter (the
 *    path of every actor), /vm/<uuid>/memory;
 *  - bad input (target not above the video RAM, dom0 under its minimum,
 *    missing or garbage videoram / static-max): error naming the
 *    problem, store and maxmem unchanged;
 *  - dom0's nodes filled from the hypervisor when absent.
 * Each of these fails on the old arithmetic (memory/target = request,
 * maxmem = target).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"
#include "internal.h"
#include "memcalc.h"

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;
static int hvm, pv;

#define VIDEO_KB 16384u

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "0", NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    hvm = xsim_create(&sim,
                      "name=hvm type=hvm vga=stdvga hap=1 memory_kb=524288 "
                      "maxmem_kb=1048576");
    pv = xsim_create(&sim,
                     "name=pv type=pv memory_kb=524288 "
                     "maxmem_kb=1048576");
    if (hvm <= 0 || pv <= 0)
        return -1;
    /* An HVM guest with stdvga, as libxl builds it: 16 MiB of video RAM
     * in memory/videoram, memory/target net of it and of libxl's fudge. */
    return xs_get_u64(xsh, "/local/domain/%d/memory/videoram", hvm) ==
                VIDEO_KB &&
            xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm) ==
                524288 - VIDEO_KB - 1024 ?
        0 :
        -1;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

/* What libxl sets for memory/target = t: (t + 1024) / 4 pages. */
#define POD_KB(t) (((uint64_t)(t) + 1024) / 4 * 4)

static uint64_t vm_memory(int domid)
{
    char *vm = xs_get(xsh, "/local/domain/%d/vm", domid);
    char *v;
    uint64_t r;

    assert_non_null(vm);
    v = xs_get(xsh, "%s/memory", vm);
    assert_non_null(v);
    r = strtoull(v, NULL, 10);
    free(v);
    free(vm);
    return r;
}

static void check_detail(const char *detail)
{
    if (!strstr(mempolicy_last_error(ctx), detail))
        fail_msg("detail '%s' lacks '%s'", mempolicy_last_error(ctx), detail);
}

/* The call fails with rc, its detail has `detail`, and neither the store
 * nor the domain's maxmem changed. */
#define UNCHANGED(dom, call, rc_expected, detail)                         \
    do {                                                                  \
        char *before_ = store_dump(xsh), *after_;                         \
        uint64_t max_ = xsim_dominfo(&sim, dom, "max_kb"),                \
                 pod_ = xsim_dominfo(&sim, dom, "pod_target_kb");         \
        int rc_ = (call);                                                 \
        after_ = store_dump(xsh);                                         \
        assert_int_equal(rc_, (rc_expected));                             \
        assert_string_equal(before_, after_);                             \
        assert_int_equal(xsim_dominfo(&sim, dom, "max_kb"), max_);        \
        assert_int_equal(xsim_dominfo(&sim, dom, "pod_target_kb"), pod_); \
        check_detail(detail);                                             \
        free(before_);                                                    \
        free(after_);                                                     \
    } while (0)

/* ---- the pure function ------------------------------------------------ */

static void plan_absolute(void **state)
{
    struct mp_mem_facts f = { .domid = 5,
                              .pv = false,
                              .target_kb = 500000,
                              .static_max_kb = 1048576,
                              .videoram_kb = VIDEO_KB };
    struct mp_mem_plan p;

    assert_int_equal(mp_mem_plan(ctx, &f, 524288, false, &p), 0);
    assert_int_equal(p.target_kb, 524288 - VIDEO_KB);
    assert_int_equal(p.request_kb, 524288);
    assert_int_equal(p.maxmem_kb, 524288 + 1024);
    assert_true(p.pod);
    assert_int_equal(p.pod_pages, (524288 - VIDEO_KB + 1024) / 4);
    assert_int_equal(p.vm_memory_mib, (524288 - VIDEO_KB) / 1024);
    /* PV: no PoD target. */
    f.pv = true;
    f.videoram_kb = 0;
    assert_int_equal(mp_mem_plan(ctx, &f, 300001, false, &p), 0);
    assert_false(p.pod);
    assert_int_equal(p.target_kb, 300001);
    assert_int_equal(p.maxmem_kb, 300001 + 1024);
    assert_int_equal(p.vm_memory_mib, 292); /* rounded down, as libxl */
}

static void plan_relative(void **state)
{
    struct mp_mem_facts f = { .domid = 5,
                              .target_kb = 200000,
                              .static_max_kb = 1048576,
                              .videoram_kb = VIDEO_KB };
    struct mp_mem_plan p;

    /* libxl: relative to memory/target, video RAM not subtracted. */
    assert_int_equal(mp_mem_plan(ctx, &f, -1000, true, &p), 0);
    assert_int_equal(p.target_kb, 199000);
    assert_int_equal(p.maxmem_kb, 199000 + VIDEO_KB + 1024);
    assert_int_equal(mp_mem_plan(ctx, &f, 4096, true, &p), 0);
    assert_int_equal(p.target_kb, 204096);
    /* libxl floors at 0: a guest with no memory, refused. */
    assert_int_equal(mp_mem_plan(ctx, &f, -200000, true, &p),
                     MEMPOLICY_ERROR_RANGE);
    check_detail("leaves no memory");
    assert_int_equal(mp_mem_plan(ctx, &f, INT64_MIN, true, &p),
                     MEMPOLICY_ERROR_RANGE);
    check_detail("leaves no memory");
    assert_int_equal(mp_mem_plan(ctx, &f, INT64_MAX, true, &p),
                     MEMPOLICY_ERROR_RANGE);
    check_detail("overflows");
}

static void plan_limits(void **state)
{
    struct mp_mem_facts f = { .domid = 5,
                              .target_kb = 200000,
                              .static_max_kb = 1048576,
                              .videoram_kb = VIDEO_KB };
    struct mp_mem_plan p;

    /* libxl compares the net target with static-max: a request up to
     * static-max + videoram is accepted. */
    assert_int_equal(mp_mem_plan(ctx, &f, 1048576 + VIDEO_KB, false, &p), 0);
    assert_int_equal(p.target_kb, 1048576);
    assert_int_equal(mp_mem_plan(ctx, &f, 1048576 + VIDEO_KB + 1, false, &p),
                     MEMPOLICY_ERROR_RANGE);
    check_detail("above static-max");
    /* At or below the video RAM: libxl would write 0 or wrap around. */
    assert_int_equal(mp_mem_plan(ctx, &f, VIDEO_KB, false, &p),
                     MEMPOLICY_ERROR_RANGE);
    check_detail("video RAM");
    assert_int_equal(mp_mem_plan(ctx, &f, 1000, false, &p),
                     MEMPOLICY_ERROR_RANGE);
    check_detail("memory/videoram 16384 KiB");
    assert_int_equal(mp_mem_plan(ctx, &f, 0, false, &p), MEMPOLICY_ERROR_RANGE);
    check_detail("positive");
    /* dom0: never below LIBXL_MIN_DOM0_MEM. */
    f.domid = 0;
    f.videoram_kb = 0;
    f.pv = true;
    assert_int_equal(mp_mem_plan(ctx, &f, 131071, false, &p),
                     MEMPOLICY_ERROR_RANGE);
    check_detail("below dom0's minimum of 131072 KiB");
    assert_int_equal(mp_mem_plan(ctx, &f, 131072, false, &p), 0);
    assert_int_equal(p.target_kb, 131072);
}

static void band(void **state)
{
    uint64_t lo, hi;

    mp_mem_band(524288, VIDEO_KB, &lo, &hi);
    assert_int_equal(lo, 524288 - VIDEO_KB - 1024);
    assert_int_equal(hi, 524288 + 1024);
    mp_mem_band(512, 0, &lo, &hi);
    assert_int_equal(lo, 0);
    mp_mem_band(UINT64_MAX / 2, 0, &lo, &hi);
    assert_true(hi >= lo);
}

/* Reached: measured on Xen 4.17 (issue 17): a ballooned PV guest holds
 * memory/target, PVH memory/target + 64 KiB, HVM with stdvga
 * memory/target + 44 KiB where memory/target = target - 16 MiB. */
static void target_cmp(void **state)
{
    uint64_t t = 524288;

    assert_int_equal(mempolicy_target_cmp(t, 0, t), 0);      /* PV */
    assert_int_equal(mempolicy_target_cmp(t, 0, t + 64), 0); /* PVH */
    assert_int_equal(mempolicy_target_cmp(t, VIDEO_KB, t - VIDEO_KB + 44),
                     0); /* HVM */
    /* The bare comparison said "not there" for the HVM guest: */
    assert_true(t - VIDEO_KB + 44 != t);
    /* Above the maxmem libxl enforces, below the balloon target less
     * the slack: not reached. */
    assert_int_equal(mempolicy_target_cmp(t, VIDEO_KB, t + 1025), 1);
    assert_int_equal(mempolicy_target_cmp(t, VIDEO_KB, t + 1024), 0);
    assert_int_equal(mempolicy_target_cmp(t, VIDEO_KB, t - VIDEO_KB - 1025),
                     -1);
    assert_int_equal(mempolicy_target_cmp(t, VIDEO_KB, t - VIDEO_KB - 1024), 0);
    /* Degenerate inputs stay defined. */
    assert_int_equal(mempolicy_target_cmp(0, VIDEO_KB, 0), 0);
    assert_int_equal(mempolicy_target_cmp(UINT64_MAX, 0, 0), -1);
}

/* ---- the writers ------------------------------------------------------ */

static void no_actor_as_xl_mem_set(void **state)
{
    uint64_t t;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "", ""), 0);
    /* xl mem-set hvm 300000k: memory/target net of video RAM, maxmem
     * with the slack, /vm/<uuid>/memory in MiB; the policy keeps the
     * request. */
    assert_int_equal(mempolicy_domain_set_target(ctx, hvm, 300000, false, true),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     300000 - VIDEO_KB);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 300000 + 1024);
    assert_int_equal(xsim_dominfo(&sim, hvm, "pod_target_kb"),
                     POD_KB(300000 - VIDEO_KB));
    assert_int_equal(vm_memory(hvm), (300000 - VIDEO_KB) / 1024);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%d/memory-policy/target", hvm),
                     300000);
    assert_int_equal(mempolicy_domain_get_target(ctx, hvm, &t, NULL), 0);
    assert_int_equal(t, 300000);
    /* Relative: the same change to memory/target as libxl's. */
    assert_int_equal(mempolicy_domain_set_target(ctx, hvm, -10000, true, true),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     290000 - VIDEO_KB);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 290000 + 1024);
    assert_int_equal(xsim_dominfo(&sim, hvm, "pod_target_kb"),
                     POD_KB(290000 - VIDEO_KB));
    /* Not enforcing: maxmem left alone, as libxl. */
    assert_int_equal(
        mempolicy_domain_set_target(ctx, hvm, 280000, false, false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     280000 - VIDEO_KB);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 290000 + 1024);
    /* ... so a PoD target above maxmem fails in Xen (XENMEM_set_pod_target:
     * EINVAL), as it does for libxl: nothing changes. */
    UNCHANGED(hvm, mempolicy_domain_set_target(ctx, hvm, 400000, false, false),
              MEMPOLICY_ERROR_INVAL, "EINVAL");
}

static void actor_enforced_sets_maxmem(void **state)
{
    uint64_t bal;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "xl-auto", ""), 0);
    bal = xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm);
    assert_int_equal(mempolicy_domain_set_target(ctx, hvm, 350000, false, true),
                     0);
    /* The balloon is the actor's; maxmem is enforced here. */
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     bal);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 350000 + 1024);
}

static void balloon_setter(void **state)
{
    char *r;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "xl-manual", ""), 0);
    /* What every actor calls: a request, written as libxl would. */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 262144, false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     262144 - VIDEO_KB);
    assert_int_equal(xsim_dominfo(&sim, hvm, "pod_target_kb"),
                     POD_KB(262144 - VIDEO_KB));
    assert_int_equal(vm_memory(hvm), (262144 - VIDEO_KB) / 1024);
    /* Above maxmem: maxmem raised to target + videoram + slack. */
    r = xsim_hv(&sim, "setmaxmem %d 300000", hvm);
    assert_non_null(r);
    free(r);
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 500000, false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     500000 - VIDEO_KB);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 500000 + 1024);
    assert_int_equal(xsim_dominfo(&sim, hvm, "pod_target_kb"),
                     POD_KB(500000 - VIDEO_KB));
    /* Below maxmem: maxmem left as it is. */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 400000, false), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 500000 + 1024);
    /* Relative, as libxl: on memory/target. */
    assert_int_equal(mempolicy_domain_set_balloon_target(ctx, hvm, -4096, true),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     400000 - VIDEO_KB - 4096);
}

/*
 * A failed call puts the hypervisor back: the balloon setter raises maxmem
 * (it must, for the PoD target to be accepted), then Xen cannot grow the
 * PoD cache on a full host (ENOMEM): maxmem, PoD target and store are as
 * before.  libxl leaves maxmem raised.
 */
static void undo_on_failure(void **state)
{
    uint64_t free_kb = 0;
    char *r;
    int hog;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "xl-manual", ""), 0);
    r = xsim_hv(&sim, "physinfo");
    assert_non_null(r);
    assert_true(reply_u64(r, "free_kb", &free_kb));
    free(r);
    r = xsim_hv(&sim, "create name=hog type=pv memory_kb=%llu maxmem_kb=%llu",
                (unsigned long long)free_kb, (unsigned long long)free_kb);
    assert_non_null(r);
    assert_true(reply_u64(r, "domid", &free_kb));
    hog = (int)free_kb;
    free(r);

    UNCHANGED(hvm,
              mempolicy_domain_set_balloon_target(ctx, hvm, 1000000, false),
              MEMPOLICY_ERROR_NOMEM, "ENOMEM");

    r = xsim_hv(&sim, "destroy %d", hog);
    assert_non_null(r);
    free(r);
}

/* Is someone blocked on a flock of the file with inode ino? */
static bool lock_waiter(unsigned long ino)
{
    char line[256], key[40];
    bool found = false;
    FILE *f = fopen("/proc/locks", "r");

    if (!f)
        return false;
    snprintf(key, sizeof(key), ":%lu ", ino);
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, "-> FLOCK") && strstr(line, key);
    fclose(f);
    return found;
}

/*
 * libxl's per-domain lock (libxl__lock_domain_userdata): while xl holds
 * XEN_LIB_DIR/userdata-l.<domid>.<uuid>.domain-userdata-lock, a writer
 * waits; it writes once xl lets go.  On xensim, XEN_LIB_DIR is the
 * directory of its sockets.  The writer is `prog` (a process of its own,
 * in the build's directory) with `args`; `done` says whether it wrote.
 */
static void under_libxl_lock(const char *prog, const char *const args[],
                             bool (*done)(void))
{
    char *sock = xs_get(xsh, "/tool/xensim/hv-socket");
    char *vm = xs_get(xsh, "/local/domain/%d/vm", hvm), path[256];
    char bin[256];
    struct stat st;
    int fd, status, i;
    pid_t pid;

    assert_non_null(sock);
    assert_non_null(vm);
    *strrchr(sock, '/') = '\0';
    snprintf(path, sizeof(path), "%s/userdata-l.%d.%s.domain-userdata-lock",
             sock, hvm, vm + 4);
    free(sock);
    free(vm);
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "xl-manual", ""), 0);
    /* xl holds the lock. */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    assert_int_equal(fstat(fd, &st), 0);

    snprintf(bin, sizeof(bin), "%s/%s", getenv("MP_BUILD"), prog);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execv(bin, (char *const *)args);
        _exit(127);
    }
    /* Until the writer waits on the lock (the kernel says so)... */
    for (i = 0; !lock_waiter((unsigned long)st.st_ino); i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            /* Let go first: the next writers of this process would wait
             * on it for ever. */
            unlink(path);
            close(fd);
            fail_msg("the writer did not wait for the lock (status %d)",
                     status);
        }
        sched_yield();
    }
    /* ... it has written nothing. */
    assert_false(done());
    /* xl lets go, as libxl__unlock_file: unlink, then close. */
    unlink(path);
    close(fd);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(done());
    /* The writer removed its lock file when done, as libxl. */
    assert_int_equal(access(path, F_OK), -1);
}

static bool balloon_written(void)
{
    return xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm) ==
        333333 - VIDEO_KB;
}

static bool maxmem_written(void)
{
    return xsim_dominfo(&sim, hvm, "max_kb") == 345600;
}

/* xlmem's balloon setter, and the raw maxmem setter (the balance actor's
 * cap), as libxl_set_memory_target and libxl_domain_setmaxmem. */
static void libxl_lock(void **state)
{
    char dom[16];
    const char *balloon[] = { "xlmem", "mem-balloon-set-target", dom, "333333k",
                              NULL };
    const char *maxmem[] = { "actor-probe", "maxmem", dom, "345600", NULL };

    snprintf(dom, sizeof(dom), "%d", hvm);
    assert_false(balloon_written());
    under_libxl_lock("bin/xlmem", balloon, balloon_written);
    assert_false(maxmem_written());
    under_libxl_lock("tests/actor-probe", maxmem, maxmem_written);
}

/* The hvm guest under xl-auto, whose last balloon write was its policy
 * target of 400000 KiB (not enforced); ctx is left acting as xl-auto. */
static void xl_auto_wrote_400000(void)
{
    assert_int_equal(mempolicy_domain_set_policy_target(ctx, hvm, "xl-auto", "",
                                                        400000, false, false),
                     0);
    assert_int_equal(mempolicy_ctx_set_actor(ctx, "xl-auto"), 0);
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 400000, false), 0);
}

/*
 * xl mem-set on a managed domain: memory/target changed outside the
 * library, the policy unchanged since.  The next balloon write (the
 * actor's, on its next event or restart) adopts it as the policy target
 * (enforced, as xl mem-set enforces) instead of undoing it; a policy
 * target set after the xl mem-set wins.
 */
static void xl_mem_set_adopted(void **state)
{
    char *r;

    xl_auto_wrote_400000();
    /* xl mem-set hvm 256m: memory/target and maxmem, as libxl. */
    assert_true(xs_put(xsh, "245760", "/local/domain/%d/memory/target", hvm));
    r = xsim_hv(&sim, "setmaxmem %d 263168", hvm);
    assert_non_null(r);
    free(r);
    /* The actor re-applies the policy target: adopted, not undone. */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 400000, false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     245760);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%d/memory-policy/target", hvm),
                     245760 + VIDEO_KB);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%d/memory-policy/enforce", hvm),
                     1);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 263168);
    /* From then on the actor follows it as any policy target. */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 262144, false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     262144 - VIDEO_KB);
    /* xl mem-set, then a newer policy target: the policy wins. */
    assert_true(xs_put(xsh, "200000", "/local/domain/%d/memory/target", hvm));
    assert_int_equal(
        mempolicy_domain_set_target(ctx, hvm, 300000, false, false), 0);
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 300000, false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     300000 - VIDEO_KB);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%d/memory-policy/target", hvm),
                     300000);
    assert_int_equal(mempolicy_ctx_set_actor(ctx, NULL), 0);
}

/*
 * Relative targets count from what libxl counts from, memory/target,
 * where it is newer than the policy target: with no actor after an xl
 * mem-set (libxl_set_memory_target adds the change to memory/target), and
 * under an actor after an xl mem-set its next write would adopt.  From
 * the stale policy target, `xlmem mem-set G -64m` after `xl mem-set G
 * 256m` gave 400 - 64 MiB, and silently undid the xl mem-set.
 */
static void relative_after_xl_mem_set(void **state)
{
    char *r;

    /* No actor. */
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "", ""), 0);
    assert_int_equal(mempolicy_domain_set_target(ctx, hvm, 400000, false, true),
                     0);
    /* xl mem-set hvm 256m: memory/target and maxmem, as libxl. */
    assert_true(xs_put(xsh, "245760", "/local/domain/%d/memory/target", hvm));
    r = xsim_hv(&sim, "setmaxmem %d 263168", hvm);
    assert_non_null(r);
    free(r);
    /* xlmem mem-set hvm -64m = xl mem-set hvm -64m: 245760 - 65536. */
    assert_int_equal(mempolicy_domain_set_target(ctx, hvm, -65536, true, true),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     245760 - 65536);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%d/memory-policy/target", hvm),
                     245760 - 65536 + VIDEO_KB);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"),
                     245760 - 65536 + VIDEO_KB + 1024);
    assert_int_equal(xsim_dominfo(&sim, hvm, "pod_target_kb"),
                     POD_KB(245760 - 65536));

    /* Under an actor that last wrote 400000 KiB. */
    xl_auto_wrote_400000();
    assert_int_equal(mempolicy_ctx_set_actor(ctx, NULL), 0);
    assert_true(xs_put(xsh, "245760", "/local/domain/%d/memory/target", hvm));
    /* +64m counts from xl's 256 MiB, not from the older 400000 KiB. */
    assert_int_equal(mempolicy_domain_set_target(ctx, hvm, 65536, true, true),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%d/memory-policy/target", hvm),
                     245760 + VIDEO_KB + 65536);
    /* The policy target is newer now: the next change counts from it. */
    assert_int_equal(mempolicy_domain_set_target(ctx, hvm, 1024, true, true),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/libxl/%d/memory-policy/target", hvm),
                     245760 + VIDEO_KB + 65536 + 1024);
}

/*
 * An enforced target under an actor sets maxmem (target + videoram +
 * 1024 KiB).  An actor's balloon write of the target it read before the
 * change (its event was taken just before `xlmem mem-set` ran) raises
 * maxmem for that older target; its next write, for the enforced
 * target, brings maxmem back to the limit.  Before, nothing ever lowered
 * it: `xlmem create` + `mem-set 256` left a guest enforced at 256 MiB
 * with maxmem at 513 MiB.  A balloon target above the enforced one
 * (sharing's target + saved) still gets the maxmem it needs.
 */
static void enforced_maxmem_after_stale_write(void **state)
{
    assert_int_equal(mempolicy_domain_set_policy_target(ctx, hvm, "xl-auto", "",
                                                        262144, false, true),
                     0);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 262144 + 1024);
    assert_int_equal(mempolicy_ctx_set_actor(ctx, "xl-auto"), 0);
    /* The stale write: maxmem raised so that the guest could reach it. */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 400000, false), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 400000 + 1024);
    /* The write for the enforced target: the limit holds again. */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 262144, false), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", hvm),
                     262144 - VIDEO_KB);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 262144 + 1024);
    /* Below the enforced target: maxmem stays at the limit, not lower
     * (the enforced target is the limit, the balloon is the actor's). */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 200000, false), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 262144 + 1024);
    /* Above it (sharing's target + saved): raised, as before. */
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 300000, false), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 300000 + 1024);
    /* Not enforced: a balloon write never lowers maxmem. */
    assert_int_equal(
        mempolicy_domain_set_target(ctx, hvm, 262144, false, false), 0);
    assert_int_equal(
        mempolicy_domain_set_balloon_target(ctx, hvm, 262144, false), 0);
    assert_int_equal(xsim_dominfo(&sim, hvm, "max_kb"), 300000 + 1024);
    assert_int_equal(mempolicy_ctx_set_actor(ctx, NULL), 0);
}

/* ---- bad input -------------------------------------------------------- */

static void bad_video_and_static_max(void **state)
{
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "", ""), 0);
    UNCHANGED(hvm, mempolicy_domain_set_target(ctx, hvm, VIDEO_KB, false, true),
              MEMPOLICY_ERROR_RANGE, "video RAM");
    UNCHANGED(hvm, mempolicy_domain_set_target(ctx, hvm, 8192, false, true),
              MEMPOLICY_ERROR_RANGE, "video RAM");

    assert_true(xs_put(xsh, "16M", "/local/domain/%d/memory/videoram", hvm));
    UNCHANGED(hvm, mempolicy_domain_set_target(ctx, hvm, 300000, false, true),
              MEMPOLICY_ERROR_FAIL, "memory/videoram: '16M' is not a size");
    {
        char p[64];

        snprintf(p, sizeof(p), "/local/domain/%d/memory/videoram", hvm);
        assert_true(xs_rm(xsh, XBT_NULL, p));
    }
    UNCHANGED(hvm, mempolicy_domain_set_target(ctx, hvm, 300000, false, true),
              MEMPOLICY_ERROR_FAIL, "no /local/domain");
    check_detail("memory/videoram in xenstore");
    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "xl-manual", ""), 0);
    UNCHANGED(hvm, mempolicy_domain_set_balloon_target(ctx, hvm, 300000, false),
              MEMPOLICY_ERROR_FAIL, "memory/videoram in xenstore");
    assert_true(xs_put(xsh, "16384", "/local/domain/%d/memory/videoram", hvm));

    assert_true(xs_put(xsh, "-1", "/local/domain/%d/memory/static-max", pv));
    assert_int_equal(mempolicy_domain_set_policy(ctx, pv, "", ""), 0);
    UNCHANGED(pv, mempolicy_domain_set_target(ctx, pv, 300000, false, true),
              MEMPOLICY_ERROR_FAIL, "memory/static-max: '-1'");
    assert_true(
        xs_put(xsh, "1048576", "/local/domain/%d/memory/static-max", pv));
}

/*
 * libxl_domain_need_memory (libxl_mem.c, Xen 4.17) with the defaults
 * libxl__domain_config_setdefault gives: memory + paging pool
 * (libxl__get_required_paging_memory: 4 KiB x (256 per vcpu + one per
 * MiB of maxmem for a non-PV p2m + one per MiB to shadow without HAP, PV
 * counting as without)) + 1 MiB (PV) or 2 MiB (HVM, PVH), rounded up to
 * 2 MiB.  Figures worked out by hand from those lines.
 */
static void need_memory(void **state)
{
    mempolicy_build_mem bpv = { .type = MEMPOLICY_DOMAIN_TYPE_PV,
                                .memory_kb = 1048576,
                                .vcpus = 2 };
    mempolicy_build_mem bhvm = { .type = MEMPOLICY_DOMAIN_TYPE_HVM,
                                 .hap = true,
                                 .memory_kb = 1048576,
                                 .maxmem_kb = 2097152,
                                 .vcpus = 1 };
    mempolicy_build_mem bad;
    uint64_t over, need;

    (void)state;
    /* PV: 4 x (512 + 1024) = 6144, + 1024 = 7168, rounded to 8192. */
    assert_int_equal(mempolicy_need_memory(&bpv, &over, &need), 0);
    assert_int_equal(over, 8192);
    assert_int_equal(need, 1048576 + 8192);
    /* HVM with HAP: 4 x (256 + 2048) = 9216, + 2048 = 11264 -> 12288. */
    assert_int_equal(mempolicy_need_memory(&bhvm, &over, &need), 0);
    assert_int_equal(over, 12288);
    /* Without HAP, shadow pages too: 4 x (256 + 2 x 2048) + 2048 = 19456
     * -> 20480. */
    bhvm.hap = false;
    assert_int_equal(mempolicy_need_memory(&bhvm, &over, NULL), 0);
    assert_int_equal(over, 20480);
    /* maxmem 0 means memory; a need already on 2 MiB is not rounded. */
    bpv.vcpus = 1;
    bpv.memory_kb = 512 * 1024;
    /* 4 x (256 + 512) = 3072, + 1024 = 4096: on a 2 MiB boundary. */
    assert_int_equal(mempolicy_need_memory(&bpv, &over, &need), 0);
    assert_int_equal(over, 4096);
    assert_int_equal(need, 512 * 1024 + 4096);
    /* Bad input. */
    bad = bpv;
    bad.memory_kb = 0;
    assert_int_equal(mempolicy_need_memory(&bad, &over, &need),
                     MEMPOLICY_ERROR_INVAL);
    bad = bpv;
    bad.vcpus = 0;
    assert_int_equal(mempolicy_need_memory(&bad, &over, &need),
                     MEMPOLICY_ERROR_INVAL);
    bad = bhvm;
    bad.maxmem_kb = 1024;
    assert_int_equal(mempolicy_need_memory(&bad, &over, &need),
                     MEMPOLICY_ERROR_INVAL);
    bad = bpv;
    bad.type = (mempolicy_domain_type)7;
    assert_int_equal(mempolicy_need_memory(&bad, &over, &need),
                     MEMPOLICY_ERROR_INVAL);
}

static void dom0(void **state)
{
    uint64_t tot = 0, max = 0;
    char *r;

    /* Absent nodes are filled from the hypervisor, as libxl does. */
    assert_true(xs_rm(xsh, XBT_NULL, "/local/domain/0/memory/target") || true);
    assert_true(xs_rm(xsh, XBT_NULL, "/local/domain/0/memory/static-max") ||
                true);
    r = xsim_hv(&sim, "dominfo 0");
    assert_non_null(r);
    assert_true(reply_u64(r, "tot_kb", &tot));
    assert_true(reply_u64(r, "max_kb", &max));
    free(r);
    UNCHANGED(0, mempolicy_domain_set_target(ctx, 0, 131071, false, true),
              MEMPOLICY_ERROR_RANGE, "below dom0's minimum");
    UNCHANGED(0, mempolicy_domain_set_target(ctx, 0, 65536, false, true),
              MEMPOLICY_ERROR_RANGE, "131072 KiB (LIBXL_MIN_DOM0_MEM)");
    if (tot < 131072 + 4096 || max < tot)
        skip(); /* xensim's dom0 too small to set a target above 128 MiB */
    assert_int_equal(mempolicy_domain_set_policy(ctx, 0, "", ""), 0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", 0), tot);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/static-max", 0),
                     max);
    assert_int_equal(mempolicy_domain_set_target(ctx, 0, 131072, false, false),
                     0);
    assert_int_equal(xs_get_u64(xsh, "/local/domain/%d/memory/target", 0),
                     131072);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plan_absolute),
        cmocka_unit_test(plan_relative),
        cmocka_unit_test(plan_limits),
        cmocka_unit_test(band),
        cmocka_unit_test(target_cmp),
        cmocka_unit_test(no_actor_as_xl_mem_set),
        cmocka_unit_test(actor_enforced_sets_maxmem),
        cmocka_unit_test(balloon_setter),
        cmocka_unit_test(undo_on_failure),
        cmocka_unit_test(libxl_lock),
        cmocka_unit_test(xl_mem_set_adopted),
        cmocka_unit_test(relative_after_xl_mem_set),
        cmocka_unit_test(enforced_maxmem_after_stale_write),
        cmocka_unit_test(bad_video_and_static_max),
        cmocka_unit_test(dom0),
        cmocka_unit_test(need_memory),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
