/*
 * test-info.c: context and backend choice, clock speed, domain info and
 * lists, host info, name-or-id lookup, JSON renderings (parsed back with
 * yajl_tree), and the xl.conf / domain config reading through libxlutil.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "common.h"

static struct xsim sim;
static struct xs_handle *xsh;
static mempolicy_ctx *ctx;
static int hvm;

static int setup(void **state)
{
    static const char *const args[] = { "--domains", "3", "--speed", "50",
                                        NULL };

    if (test_host_start(&sim, args, &xsh, &ctx))
        return -1;
    hvm = xsim_create(&sim, "name=web type=hvm hap=1 memory_kb=262144 "
                            "maxmem_kb=524288");
    return hvm > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    test_host_stop(&sim, &xsh, &ctx);
    return 0;
}

static void context(void **state)
{
    mempolicy_ctx *c = NULL;

    assert_string_equal(mempolicy_backend_name(ctx), "sim");
    assert_true(mempolicy_clock_speed(ctx) == 50.0);
    assert_string_equal(mempolicy_last_error(ctx), "");
    assert_int_equal(mempolicy_ctx_alloc(&c, 1, NULL), MEMPOLICY_ERROR_INVAL);
    assert_null(c);
    assert_int_equal(mempolicy_ctx_alloc(NULL, 0, NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_set_paging_dir(ctx, "relative/dir"),
                     MEMPOLICY_ERROR_INVAL);
    assert_non_null(strstr(mempolicy_last_error(ctx), "absolute"));
    assert_int_equal(mempolicy_set_paging_dir(ctx, NULL),
                     MEMPOLICY_ERROR_INVAL);
    assert_int_equal(mempolicy_set_paging_dir(ctx, "/var/lib/xen/pager"), 0);
}

static void no_store(void **state)
{
    mempolicy_ctx *c = NULL;
    char bad[128];

    snprintf(bad, sizeof(bad), "%s/nonexistent", sim.f.dir);
    setenv("XENSTORED_PATH", bad, 1);
    assert_int_equal(mempolicy_ctx_alloc(&c, 0, NULL), MEMPOLICY_ERROR_STORE);
    assert_null(c);
    setenv("XENSTORED_PATH", sim.f.socket, 1);
}

/*
 * An unprivileged domain's connection may not read /tool/xensim/hv-socket
 * (EACCES): that is a permission error naming the node, not a host
 * without xensim (which would end as "no Xen hypervisor interface").
 */
static void unprivileged_connection(void **state)
{
    mempolicy_ctx *c = NULL;
    char guest[160];

    snprintf(guest, sizeof(guest), "%s.dom1", sim.f.socket);
    setenv("XENSTORED_PATH", guest, 1);
    assert_int_equal(mempolicy_ctx_alloc(&c, 0, NULL), MEMPOLICY_ERROR_PERM);
    setenv("XENSTORED_PATH", sim.f.socket, 1);
    assert_null(c);
}

/* The detail, which the context cannot hold, reaches the logger. */
static void unprivileged_connection_detail(void **state)
{
    char guest[160], log[4096];
    xentoollog_logger_stdiostream *lg;
    mempolicy_ctx *c = NULL;
    FILE *f = tmpfile();
    size_t n;

    assert_non_null(f);
    lg = xtl_createlogger_stdiostream(f, XTL_ERROR, 0);
    assert_non_null(lg);
    snprintf(guest, sizeof(guest), "%s.dom1", sim.f.socket);
    setenv("XENSTORED_PATH", guest, 1);
    assert_int_equal(mempolicy_ctx_alloc(&c, 0, (xentoollog_logger *)lg),
                     MEMPOLICY_ERROR_PERM);
    setenv("XENSTORED_PATH", sim.f.socket, 1);
    xtl_logger_destroy((xentoollog_logger *)lg);
    rewind(f);
    n = fread(log, 1, sizeof(log) - 1, f);
    log[n] = '\0';
    fclose(f);
    assert_non_null(strstr(log, "permission denied"));
    assert_non_null(strstr(log, "/tool/xensim/hv-socket"));
    assert_non_null(strstr(log, ".dom1"));
    assert_null(strstr(log, "hypervisor interface"));
}

static void xen_backend_without_hypervisor(void **state)
{
    mempolicy_ctx *c;
    mempolicy_policy p;
    char *saved = xs_get(xsh, "/tool/xensim/hv-socket");

    /* A store that is not xensim: the xen backend is chosen. */
    assert_non_null(saved);
    assert_true(xs_rm(xsh, XBT_NULL, "/tool/xensim/hv-socket"));
    c = test_ctx();
    assert_true(xs_put(xsh, saved, "/tool/xensim/hv-socket"));
    free(saved);
    assert_non_null(c);
    assert_string_equal(mempolicy_backend_name(c), "xen");
    assert_true(mempolicy_clock_speed(c) == 1.0);
    /* Store-only calls work; hypervisor calls fail clearly. */
    assert_int_equal(mempolicy_domain_get_policy(c, 1, &p), 0);
    mempolicy_policy_dispose(&p);
    if (access("/dev/xen/privcmd", F_OK) != 0) {
        mempolicy_physinfo pi;

        assert_int_equal(mempolicy_get_physinfo(c, &pi),
                         MEMPOLICY_ERROR_NO_HYPERVISOR);
        assert_non_null(strstr(mempolicy_last_error(c), "no Xen hypervisor"));
        assert_int_equal(mempolicy_domain_set_target(c, 1, 1000, false,
                                                     true),
                         MEMPOLICY_ERROR_NO_HYPERVISOR);
    }
    test_ctx_free(c);
}

static void domain_info(void **state)
{
    mempolicy_dominfo info;

    assert_int_equal(mempolicy_domain_set_policy(ctx, hvm, "xl-auto", "a=1"),
                     0);
    assert_int_equal(mempolicy_domain_info(ctx, hvm, &info), 0);
    assert_int_equal(info.domid, hvm);
    assert_string_equal(info.name, "web");
    assert_int_equal(info.type, MEMPOLICY_DOMAIN_TYPE_HVM);
    assert_true(info.hap);
    assert_false(info.dying);
    assert_int_equal(info.static_max_kb, 524288);
    /* As libxl builds it: maxmem = memory + LIBXL_MAXMEM_CONSTANT;
     * memory/target less the (cirrus) video RAM and the PoD fudge. */
    assert_int_equal(info.maxmem_kb, 262144 + 1024);
    assert_int_equal(info.balloon_target_kb, 262144 - 8192 - 1024);
    assert_true(info.actual_kb > 0);
    assert_string_equal(info.policy.actor, "xl-auto");
    assert_string_equal(info.policy.actor_params, "a=1");
    mempolicy_dominfo_dispose(&info);

    assert_int_equal(mempolicy_domain_info(ctx, 1, &info), 0);
    assert_int_equal(info.type, MEMPOLICY_DOMAIN_TYPE_PV);
    assert_string_equal(info.policy.actor, "");
    mempolicy_dominfo_dispose(&info);
    assert_int_equal(mempolicy_domain_info(ctx, 99, &info),
                     MEMPOLICY_ERROR_NO_DOMAIN);
}

static void list_domains(void **state)
{
    mempolicy_dominfo *list;
    int n, i;

    assert_int_equal(mempolicy_list_domains(ctx, &list, &n), 0);
    assert_int_equal(n, 5); /* dom0, guests 1..3, web */
    assert_int_equal(list[0].domid, 0);
    assert_string_equal(list[0].name, "Domain-0");
    for (i = 1; i < n; i++)
        assert_true(list[i].domid > list[i - 1].domid);
    assert_string_equal(list[n - 1].name, "web");
    mempolicy_dominfo_list_free(list, n);
}

/*
 * A host bigger than one pipelined window and one policy transaction
 * (store_batch.c, info.c's LIST_CHUNK): the listing says exactly what
 * domain_info says of each domain, and a malformed node anywhere fails it
 * naming that node.
 */
static void list_domains_many(void **state)
{
    static const char *const args[] = { "--domains", "300", NULL };
    mempolicy_dominfo *list, one;
    struct xsim s2;
    struct xs_handle *h2;
    mempolicy_ctx *c2;
    char actor[16], params[32];
    int n, i;

    assert_int_equal(xsim_start(&s2, args), 0);
    c2 = test_ctx();
    h2 = xs_open(0);
    assert_non_null(c2);
    assert_non_null(h2);
    for (i = 1; i <= 300; i += 7) {
        snprintf(actor, sizeof(actor), "a%d", i % 3);
        snprintf(params, sizeof(params), "k=%d", i);
        assert_int_equal(mempolicy_domain_set_policy_target(
                             c2, (uint32_t)i, actor, params, 100000 + i,
                             false, i % 2), 0);
    }
    assert_int_equal(mempolicy_list_domains(c2, &list, &n), 0);
    assert_int_equal(n, 301);
    for (i = 0; i < n; i++) {
        assert_int_equal(list[i].domid, (uint32_t)i);
        assert_int_equal(mempolicy_domain_info(c2, (uint32_t)i, &one), 0);
        assert_string_equal(list[i].name, one.name);
        assert_int_equal(list[i].type, one.type);
        assert_int_equal(list[i].actual_kb, one.actual_kb);
        assert_int_equal(list[i].maxmem_kb, one.maxmem_kb);
        assert_int_equal(list[i].static_max_kb, one.static_max_kb);
        assert_int_equal(list[i].balloon_target_kb, one.balloon_target_kb);
        assert_int_equal(list[i].paging_target_kb, one.paging_target_kb);
        assert_string_equal(list[i].policy.actor, one.policy.actor);
        assert_string_equal(list[i].policy.actor_params,
                            one.policy.actor_params);
        assert_int_equal(list[i].policy.has_target, one.policy.has_target);
        assert_int_equal(list[i].policy.target_kb, one.policy.target_kb);
        assert_int_equal(list[i].policy.enforce, one.policy.enforce);
        if (i % 7 == 1) {
            assert_int_equal(list[i].policy.target_kb, 100000 + i);
            assert_int_equal(list[i].policy.enforce, i % 2);
        }
        mempolicy_dominfo_dispose(&one);
    }
    mempolicy_dominfo_list_free(list, n);

    /* Garbage in the last chunk's policy, then in a plain node: the
     * domain is listed all the same, marked, and no other is hidden. */
    assert_true(xs_put(h2, "x", "/libxl/290/memory-policy/target"));
    assert_int_equal(mempolicy_list_domains(c2, &list, &n), 0);
    assert_int_equal(n, 301);
    for (i = 0; i < n; i++)
        if (i != 290)
            assert_null(list[i].malformed);
    assert_non_null(list[290].malformed);
    assert_non_null(strstr(list[290].malformed,
                           "/libxl/290/memory-policy/target"));
    assert_string_equal(list[290].policy.actor, "");
    assert_false(list[290].policy.has_target);
    mempolicy_dominfo_list_free(list, n);
    assert_true(xs_put(h2, "100", "/libxl/290/memory-policy/target"));
    assert_true(xs_put(h2, "-1", "/local/domain/150/memory/static-max"));
    assert_int_equal(mempolicy_list_domains(c2, &list, &n), 0);
    assert_int_equal(n, 301);
    assert_null(list[290].malformed);
    assert_non_null(list[150].malformed);
    assert_non_null(strstr(list[150].malformed,
                           "/local/domain/150/memory/static-max"));
    assert_int_equal(list[150].static_max_kb, 0);
    mempolicy_dominfo_list_free(list, n);
    assert_true(xs_put(h2, "262144", "/local/domain/150/memory/static-max"));
    assert_int_equal(mempolicy_list_domains(c2, &list, &n), 0);
    mempolicy_dominfo_list_free(list, n);
    test_ctx_free(c2);
    xs_close(h2);
    xsim_stop(&s2);
    setenv("XENSTORED_PATH", sim.f.socket, 1);
}

static void physinfo(void **state)
{
    mempolicy_physinfo pi;

    assert_int_equal(mempolicy_get_physinfo(ctx, &pi), 0);
    assert_true(pi.total_kb > 0);
    assert_true(pi.free_kb <= pi.total_kb);
}

static void qualifier(void **state)
{
    uint32_t d = 0;

    assert_int_equal(mempolicy_domain_qualifier_to_domid(ctx, "web", &d), 0);
    assert_int_equal(d, hvm);
    assert_int_equal(mempolicy_domain_qualifier_to_domid(ctx, "2", &d), 0);
    assert_int_equal(d, 2);
    assert_int_equal(mempolicy_domain_qualifier_to_domid(ctx, "Domain-0", &d),
                     0);
    assert_int_equal(d, 0);
    assert_int_equal(mempolicy_domain_qualifier_to_domid(ctx, "nosuch", &d),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    assert_non_null(strstr(mempolicy_last_error(ctx), "nosuch"));
    assert_int_equal(mempolicy_domain_qualifier_to_domid(ctx, "99999999",
                                                         &d),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    assert_int_equal(mempolicy_domain_qualifier_to_domid(ctx, "", &d),
                     MEMPOLICY_ERROR_INVAL);
    /* A /local/domain directory the hypervisor does not know (left by a
     * dead domain) never resolves: names come from the hypervisor's
     * domain list, as libxl_name_to_domid takes them. */
    assert_true(xs_put(xsh, "ghost", "/local/domain/%d/name", 4000));
    assert_int_equal(mempolicy_domain_qualifier_to_domid(ctx, "ghost", &d),
                     MEMPOLICY_ERROR_NO_DOMAIN);
    assert_non_null(strstr(mempolicy_last_error(ctx), "ghost"));
    assert_true(xs_rm(xsh, XBT_NULL, "/local/domain/4000"));
}

/* ---- JSON ------------------------------------------------------------- */

static yajl_val get(yajl_val root, const char *a, const char *b)
{
    const char *path[3] = { a, b, NULL };

    return yajl_tree_get(root, path, yajl_t_any);
}

static void json_dominfo(void **state)
{
    mempolicy_dominfo info;
    yajl_val root, v;
    char *js, err[128];

    assert_int_equal(mempolicy_domain_info(ctx, hvm, &info), 0);
    js = mempolicy_dominfo_to_json(ctx, &info);
    assert_non_null(js);
    root = yajl_tree_parse(js, err, sizeof(err));
    assert_non_null(root);
    v = get(root, "domid", NULL);
    assert_true(YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) == hvm);
    v = get(root, "name", NULL);
    assert_string_equal(YAJL_GET_STRING(v), "web");
    v = get(root, "type", NULL);
    assert_string_equal(YAJL_GET_STRING(v), "hvm");
    v = get(root, "static_max_kb", NULL);
    assert_int_equal(YAJL_GET_INTEGER(v), 524288);
    v = get(root, "policy", "actor");
    assert_string_equal(YAJL_GET_STRING(v), "xl-auto");
    v = get(root, "hap", NULL);
    assert_true(YAJL_IS_TRUE(v));
    yajl_tree_free(root);
    free(js);

    /* Untrusted names stay valid JSON. */
    free(info.name);
    info.name = strdup("bad\xff\"name\n");
    js = mempolicy_dominfo_to_json(ctx, &info);
    assert_non_null(js);
    root = yajl_tree_parse(js, err, sizeof(err));
    assert_non_null(root);
    assert_string_equal(YAJL_GET_STRING(get(root, "name", NULL)),
                        "bad?\"name\n");
    yajl_tree_free(root);
    free(js);
    mempolicy_dominfo_dispose(&info);
}

static void json_list_and_event(void **state)
{
    mempolicy_dominfo *list;
    mempolicy_event ev;
    yajl_val root, v;
    char *js, err[128];
    int n;

    assert_int_equal(mempolicy_list_domains(ctx, &list, &n), 0);
    js = mempolicy_dominfo_list_to_json(ctx, list, n);
    assert_non_null(js);
    root = yajl_tree_parse(js, err, sizeof(err));
    assert_non_null(root);
    assert_true(YAJL_IS_ARRAY(root));
    assert_int_equal(YAJL_GET_ARRAY(root)->len, n);
    yajl_tree_free(root);
    free(js);
    mempolicy_dominfo_list_free(list, n);

    memset(&ev, 0, sizeof(ev));
    ev.type = MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED;
    ev.domid = 7;
    ev.policy.actor = (char *)"xl-auto";
    ev.policy.actor_params = (char *)"";
    ev.policy.has_target = true;
    ev.policy.target_kb = 18446744073709551615ull;
    js = mempolicy_event_to_json(ctx, &ev);
    assert_non_null(js);
    root = yajl_tree_parse(js, err, sizeof(err));
    assert_non_null(root);
    v = get(root, "type", NULL);
    assert_string_equal(YAJL_GET_STRING(v), "domain_memory_target_changed");
    /* 64-bit values are written exactly, not through a double. */
    assert_non_null(strstr(js, "18446744073709551615"));
    yajl_tree_free(root);
    free(js);

    ev.type = MEMPOLICY_EVENT_DOMAIN_DEATH;
    js = mempolicy_event_to_json(ctx, &ev);
    assert_non_null(js);
    assert_non_null(strstr(js, "domain_death"));
    assert_null(strstr(js, "policy"));
    free(js);
}

/* ---- config ----------------------------------------------------------- */

static char *write_file(const char *name, const char *text)
{
    char *path;
    FILE *f;

    if (asprintf(&path, "%s/%s", sim.f.dir, name) < 0)
        return NULL;
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Hostile config files: endless, NUL bytes, escape sequences, huge
 * values; and one that can only be read once (a pipe). */
static void config_hostile(void **state)
{
    char *esc = write_file("esc.cfg", "memory_policy=\"a\x1b[31mb\x07" "c\"\n");
    char *nul = write_file("nul.cfg", "name=\"x\"\n");
    char *a = NULL, *p = NULL, *data, *big;
    const char *d;
    size_t len, n = 100000;
    int fds[2];
    FILE *f;

    unsetenv("MEMPOLICY_XL_CONF");
    /* /dev/zero: refused after one byte past the bound. */
    assert_int_equal(mempolicy_config_read(ctx, "/dev/zero", &data, &len),
                     MEMPOLICY_ERROR_CONFIG);
    assert_non_null(strstr(mempolicy_last_error(ctx), "larger than 1024"));
    assert_int_equal(mempolicy_config_policy(ctx, "/dev/zero", NULL, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_int_equal(mempolicy_config_policy(ctx, NULL, "/dev/zero", &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_null(a);

    /* A NUL byte would cut the text libxlutil sees: refused. */
    f = fopen(nul, "a");
    assert_non_null(f);
    fputs("memory_policy=\"a", f);
    fputc('\0', f);
    fputs("b\"\n", f);
    fclose(f);
    assert_int_equal(mempolicy_config_policy(ctx, NULL, nul, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_non_null(strstr(mempolicy_last_error(ctx), "NUL"));

    /* An escape sequence and a bell in a value: escaped in the one line
     * of detail. */
    assert_int_equal(mempolicy_config_policy(ctx, NULL, esc, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    d = mempolicy_last_error(ctx);
    assert_null(strchr(d, '\x1b'));
    assert_null(strchr(d, '\n'));
    assert_non_null(strstr(d, "a\\e[31mb\\x07c"));

    /* A 100,000-character actor name: the detail stays short. */
    big = malloc(n + 64);
    assert_non_null(big);
    memcpy(big, "memory_policy=\"", 15);
    memset(big + 15, 'a', n);
    strcpy(big + 15 + n, "\"\n");
    free(esc);
    esc = write_file("big.cfg", big);
    assert_int_equal(mempolicy_config_policy(ctx, NULL, esc, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_true(strlen(mempolicy_last_error(ctx)) < 400);
    assert_non_null(strstr(mempolicy_last_error(ctx), "aaa..."));

    /* A pipe is read once, and the contents give the policy. */
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "memory_policy=\"xl-manual\"\n", 26), 26);
    close(fds[1]);
    snprintf(big, n, "/dev/fd/%d", fds[0]);
    assert_int_equal(mempolicy_config_read(ctx, big, &data, &len), 0);
    close(fds[0]);
    assert_int_equal(len, 26);
    assert_int_equal(mempolicy_config_policy_data(ctx, NULL, "pipe", data,
                                                  len, &a, &p), 0);
    assert_string_equal(a, "xl-manual");
    free(a);
    free(p);
    a = p = NULL;

    /* Contents handed over directly are held to the same rules: a NUL
     * byte inside a quoted string made libxlutil assert and abort the
     * caller (found by tests/fuzz/config.c). */
    assert_int_equal(mempolicy_config_policy_data(ctx, NULL, "raw",
                                                  "memory_policy=\"a\0b\"\n",
                                                  20, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_null(a);
    assert_null(p);
    assert_non_null(strstr(mempolicy_last_error(ctx), "raw: holds NUL"));
    free(data);
    data = malloc(MEMPOLICY_CONFIG_MAX + 1);
    assert_non_null(data);
    memset(data, '#', MEMPOLICY_CONFIG_MAX + 1);
    assert_int_equal(mempolicy_config_policy_data(ctx, NULL, "huge", data,
                                                  MEMPOLICY_CONFIG_MAX + 1,
                                                  &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_non_null(strstr(mempolicy_last_error(ctx), "huge: larger than"));
    free(data);
    free(big);
    free(esc);
    free(nul);
}

static void config(void **state)
{
    char *g = write_file("xl.conf", "memory_policy=\"sharing\"\n"
                                    "memory_policy_args=\"scan=5\"\n");
    char *d1 = write_file("d1.cfg", "name=\"a\"\nmemory=512\n");
    char *d2 = write_file("d2.cfg", "memory_policy=\"xl\"\n");
    char *d3 = write_file("d3.cfg", "memory_policy=\"\"\n");
    char *d4 = write_file("d4.cfg", "memory_policy_args=\"paging=true\"\n");
    char *bad = write_file("bad.cfg", "name=\"a\"\nmemory=\n");
    char *badname = write_file("badname.cfg", "memory_policy=\"No Way\"\n");
    char *badargs = write_file("badargs.cfg", "memory_policy_args=\"a\"\n");
    char *list = write_file("list.cfg", "memory_policy=[\"a\"]\n");
    char *empty = write_file("empty.conf", "\n");
    char *a, *p, missing[128];

    snprintf(missing, sizeof(missing), "%s/missing.conf", sim.f.dir);

    /* Global only. */
    assert_int_equal(mempolicy_config_policy(ctx, g, NULL, &a, &p), 0);
    assert_string_equal(a, "sharing");
    assert_string_equal(p, "scan=5");
    free(a);
    free(p);
    /* Domain file without the keys inherits the global ones. */
    assert_int_equal(mempolicy_config_policy(ctx, g, d1, &a, &p), 0);
    assert_string_equal(a, "sharing");
    assert_string_equal(p, "scan=5");
    free(a);
    free(p);
    /* Domain actor overrides (and "xl" means xl-auto). */
    assert_int_equal(mempolicy_config_policy(ctx, g, d2, &a, &p), 0);
    assert_string_equal(a, "xl-auto");
    assert_string_equal(p, "");
    free(a);
    free(p);
    /* memory_policy="" means no actor. */
    assert_int_equal(mempolicy_config_policy(ctx, g, d3, &a, &p), 0);
    assert_string_equal(a, "");
    free(a);
    free(p);
    /* Domain args alone override the global args. */
    assert_int_equal(mempolicy_config_policy(ctx, g, d4, &a, &p), 0);
    assert_string_equal(a, "sharing");
    assert_string_equal(p, "paging=true");
    free(a);
    free(p);
    /* Absent everywhere: xl-auto. */
    assert_int_equal(mempolicy_config_policy(ctx, empty, d1, &a, &p), 0);
    assert_string_equal(a, "xl-auto");
    assert_string_equal(p, "");
    free(a);
    free(p);
    /* The default global file: $MEMPOLICY_XL_CONF; missing is fine. */
    setenv("MEMPOLICY_XL_CONF", g, 1);
    assert_string_equal(mempolicy_default_global_config(), g);
    assert_int_equal(mempolicy_config_policy(ctx, NULL, NULL, &a, &p), 0);
    assert_string_equal(a, "sharing");
    free(a);
    free(p);
    /* ... but a file the variable names must be there: no silent
     * fallback to the built-in default. */
    setenv("MEMPOLICY_XL_CONF", missing, 1);
    assert_int_equal(mempolicy_config_policy(ctx, NULL, NULL, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_null(a);
    assert_non_null(strstr(mempolicy_last_error(ctx),
                           "MEMPOLICY_XL_CONF names"));
    unsetenv("MEMPOLICY_XL_CONF");
    assert_string_equal(mempolicy_default_global_config(), "/etc/xen/xl.conf");

    /* Errors name the file (and line from libxlutil). */
    assert_int_equal(mempolicy_config_policy(ctx, missing, NULL, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_null(a);
    assert_non_null(strstr(mempolicy_last_error(ctx), "missing.conf"));
    assert_int_equal(mempolicy_config_policy(ctx, g, missing, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_int_equal(mempolicy_config_policy(ctx, g, bad, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_non_null(strstr(mempolicy_last_error(ctx),
                           "bad.cfg:1: config parsing error"));
    assert_int_equal(mempolicy_config_policy(ctx, g, badname, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_non_null(strstr(mempolicy_last_error(ctx), "badname.cfg"));
    assert_non_null(strstr(mempolicy_last_error(ctx), "No Way"));
    assert_int_equal(mempolicy_config_policy(ctx, g, badargs, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_non_null(strstr(mempolicy_last_error(ctx), "badargs.cfg"));
    assert_int_equal(mempolicy_config_policy(ctx, g, list, &a, &p),
                     MEMPOLICY_ERROR_CONFIG);
    assert_non_null(strstr(mempolicy_last_error(ctx), "must be a string"));
    /* Usable without a context too. */
    assert_int_equal(mempolicy_config_policy(NULL, g, NULL, &a, &p), 0);
    free(a);
    free(p);

    free(g);
    free(d1);
    free(d2);
    free(d3);
    free(d4);
    free(bad);
    free(badname);
    free(badargs);
    free(list);
    free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(context),
        cmocka_unit_test(no_store),
        cmocka_unit_test(unprivileged_connection),
        cmocka_unit_test(unprivileged_connection_detail),
        cmocka_unit_test(xen_backend_without_hypervisor),
        cmocka_unit_test(domain_info),
        cmocka_unit_test(list_domains),
        cmocka_unit_test(list_domains_many),
        cmocka_unit_test(physinfo),
        cmocka_unit_test(qualifier),
        cmocka_unit_test(json_dominfo),
        cmocka_unit_test(json_list_and_event),
        cmocka_unit_test(config),
        cmocka_unit_test(config_hostile),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
