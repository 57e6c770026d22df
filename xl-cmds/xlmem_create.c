/*
 * xlmem_create.c: create <cfgfile> [xl create options] [vars].
 *
 * Stock xl knows nothing of memory_policy, so on a Xen host xlmem runs
 * `xl create` with the same arguments and then gives the new domain its
 * policy (file, then vars, over the xl.conf default), as xl itself would
 * at domain build: the domain is created paused (xl create -p), gets its
 * policy, then is unpaused, so no actor acts on it before its own policy
 * is in place.  mempolicyd may have given the domain the default in
 * between: the write here comes last, so the file's policy wins.  Options
 * that keep xl in the foreground until the domain dies (-F, -c, -V) are
 * refused, since the policy could then never be applied; -n (dry run)
 * just runs xl.  $XLMEM_XL names the xl binary (default "xl"); when it
 * is set, xl is run on the simulated host too.
 *
 * On the simulated host there is no xl: xlmem asks xensim to create the
 * domain through its hypervisor channel (docs/hv-channel.md, verb
 * `create`), passing the policy so that the domain is born with it and
 * nothing can see it without.  Domain creation is not a memory-policy
 * operation, so the library has no call for it; this file speaks the
 * documented channel protocol itself (found, as the library finds it,
 * through /tool/xensim/hv-socket).  Options of xl create mean nothing
 * there and are refused; vars work as with xl.
 *
 * Everything is read and checked before the domain is created, so a bad
 * config file or policy creates nothing.  Keys read from the file:
 * name, type (or builder), hap, memory and maxmem (MiB), memory_policy,
 * memory_policy_args; on the simulated host also the guest model's
 * xensim_balloon (cooperative, slow, stuck, none), xensim_rate_mib_s,
 * xensim_demand_kb and the sharing profile xensim_share_image,
 * xensim_share_zero, xensim_share_shared, xensim_cow_per_s (xl ignores
 * keys it does not know, so one file serves both hosts).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmempolicy_actor.h>
#include <libxlutil.h>
#include <xenstore.h>

#include "xlmem.h"

#define HV_LINE_MAX 4096

struct create_args {
    const char *cfgfile;
    char *data;          /* file contents, then "\n" + each var */
    size_t len;
    size_t filelen;      /* bytes of data that came from the file */
    char *tmpcfg;        /* the file's contents for xl, if not regular */
    XLU_Config *cfg;
    bool dryrun;
    int nopts;           /* xl create options (argv after cfgfile) */
};

/*
 * Read the config file once (a pipe such as /dev/stdin cannot be read
 * twice), bounded by the library (MEMPOLICY_CONFIG_MAX: /dev/zero ends),
 * then append the vars as xl does.  Everything after works on ca->data.
 */
static int read_config(struct create_args *ca, char **vars, int nvars)
{
    char *file;
    size_t flen;
    int i, rc;
    FILE *mem;

    rc = mempolicy_config_read(xlmem_ctx(), ca->cfgfile, &file, &flen);
    if (rc) {
        xlmem_err("%s", mempolicy_last_error(xlmem_ctx()));
        return -1;
    }
    ca->filelen = flen;
    mem = open_memstream(&ca->data, &ca->len);
    if (!mem) {
        free(file);
        xlmem_err("out of memory");
        return -1;
    }
    fwrite(file, 1, flen, mem);
    free(file);
    for (i = 0; i < nvars; i++)
        fprintf(mem, "\n%s\n", vars[i]);
    if (fclose(mem)) {
        xlmem_err("out of memory");
        return -1;
    }
    return 0;
}

/* Parse ca->data with libxlutil; errors folded into one line. */
static int parse_config(struct create_args *ca)
{
    char *report = NULL;
    size_t rlen = 0;
    FILE *rf = open_memstream(&report, &rlen);
    int e;

    if (!rf) {
        xlmem_err("out of memory");
        return -1;
    }
    ca->cfg = xlu_cfg_init(rf, ca->cfgfile);
    if (!ca->cfg) {
        fclose(rf);
        free(report);
        xlmem_err("out of memory");
        return -1;
    }
    e = xlu_cfg_readdata(ca->cfg, ca->data, (int)ca->len);
    fflush(rf);
    if (e) {
        char *nl = report ? strchr(report, '\n') : NULL;
        char q[4 * 200 + 4];

        if (nl)
            *nl = '\0';
        /* libxlutil's line names the file and quotes its text. */
        xlmem_err("malformed config file %s: %s", XQ(ca->cfgfile),
                  report && *report ? mempolicy_quote_n(report, 200, q)
                                    : strerror(e));
        xlu_cfg_destroy(ca->cfg);
        ca->cfg = NULL;
    }
    fclose(rf);
    free(report);
    return e ? -1 : 0;
}

/*
 * The effective policy: the library reads the keys from the contents
 * read once (vars appended, so that they override the file as in xl)
 * over the global file.
 */
static int memtune_static_max(struct create_args *ca, const char *params);
static int cfg_mib(struct create_args *ca, const char *key, bool *present,
                   uint64_t *kb);

static int config_policy(struct create_args *ca, char **actor, char **params)
{
    int rc = mempolicy_config_policy_data(xlmem_ctx(), xlmem_global_config,
                                          ca->cfgfile, ca->data, ca->len,
                                          actor, params);

    if (rc) {
        xlmem_lib_err(rc, "cannot read the memory policy for %s",
                      XQ(ca->cfgfile));
        return -1;
    }
    if (xlmem_check_actor_params(*actor, *params))
        return -1;
    return memtune_static_max(ca, *params);
}

/*
 * The memtune rules against the static-max the config gives the domain
 * (maxmem=, else memory=: libxl's max_memkb), before anything is created:
 * a hard limit or guarantee above it is one line (docs/memtune.md).
 */
static int memtune_static_max(struct create_args *ca, const char *params)
{
    uint64_t smax = 0, kb;
    bool present;
    char err[256];

    if (cfg_mib(ca, "maxmem", &present, &kb))
        return -1;
    if (present)
        smax = kb;
    else if (cfg_mib(ca, "memory", &present, &kb))
        return -1;
    else if (present)
        smax = kb;
    if (!mempolicy_memtune_check(params, smax, err, sizeof(err)))
        return 0;
    xlmem_err("invalid memory tunables in %s: %s", XQ(ca->cfgfile), err);
    return -1;
}

/*
 * xl reads the config file itself: one that cannot be read again (a pipe)
 * is handed to it as a private copy of what was read.
 */
static int xl_config_file(struct create_args *ca, const char **path)
{
    char tmpl[] = "/tmp/xlmem-cfg-XXXXXX";
    struct stat st;
    int fd;

    *path = ca->cfgfile;
    if (!stat(ca->cfgfile, &st) && S_ISREG(st.st_mode))
        return 0;
    fd = mkstemp(tmpl);
    if (fd < 0 ||
        write(fd, ca->data, ca->filelen) != (ssize_t)ca->filelen) {
        xlmem_err("cannot write a temporary config file: %s",
                  strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmpl);
        }
        return -1;
    }
    close(fd);
    ca->tmpcfg = strdup(tmpl);
    if (!ca->tmpcfg) {
        unlink(tmpl);
        xlmem_err("out of memory");
        return -1;
    }
    *path = ca->tmpcfg;
    return 0;
}

static const char *cfg_string(struct create_args *ca, const char *key)
{
    const char *v;

    return xlu_cfg_get_string(ca->cfg, key, &v, 1) ? NULL : v;
}

/* A MiB key as KiB: 0 and *present; -1 after an error. */
static int cfg_mib(struct create_args *ca, const char *key, bool *present,
                   uint64_t *kb)
{
    long v;
    int e = xlu_cfg_get_long(ca->cfg, key, &v, 1);

    *present = false;
    if (e == ESRCH)
        return 0;
    if (e || v <= 0 || (unsigned long)v > (UINT64_MAX >> 10)) {
        xlmem_err("config file %s: %s must be a positive number of MiB",
                  XQ(ca->cfgfile), key);
        return -1;
    }
    *present = true;
    *kb = (uint64_t)v << 10;
    return 0;
}

/*
 * What the domain needs from the host, as libxl_domain_need_memory
 * computes it from the config (memory=, maxmem=, type/builder, hap,
 * maxvcpus= or vcpus=, with libxl's defaults: 32 MiB, PV, HAP, 1 vcpu),
 * reserved before the domain is created.  A host that cannot make room
 * refuses: one line naming the domain, what it needs and the shortfall
 * the balance actor (or the library, without one) found.
 */
static int reserve(struct create_args *ca, uint32_t *rid)
{
    mempolicy_build_mem b = { .type = MEMPOLICY_DOMAIN_TYPE_PV, .hap = true };
    const char *type = cfg_string(ca, "type"), *v, *name;
    uint64_t overhead, need;
    long n;
    bool present;
    int rc;

    if (!type && (v = cfg_string(ca, "builder")))
        type = v;
    if (type && (!strcmp(type, "hvm") || !strcmp(type, "pvh")))
        b.type = MEMPOLICY_DOMAIN_TYPE_HVM;
    if (!xlu_cfg_get_long(ca->cfg, "hap", &n, 1))
        b.hap = n != 0;
    if (cfg_mib(ca, "memory", &present, &b.memory_kb))
        return -1;
    if (cfg_mib(ca, "maxmem", &present, &b.maxmem_kb))
        return -1;
    if (!b.memory_kb)
        b.memory_kb = b.maxmem_kb ? b.maxmem_kb : 32 * 1024;
    if (b.maxmem_kb && b.maxmem_kb < b.memory_kb)
        b.maxmem_kb = b.memory_kb; /* xl refuses it; let xl say so */
    b.vcpus = 1;
    if ((!xlu_cfg_get_long(ca->cfg, "maxvcpus", &n, 1) ||
         !xlu_cfg_get_long(ca->cfg, "vcpus", &n, 1)) &&
        n > 0 && n <= 4096)
        b.vcpus = (unsigned)n;
    if (mempolicy_need_memory(&b, &overhead, &need)) {
        xlmem_err("config file %s: cannot compute the memory it needs",
                  XQ(ca->cfgfile));
        return -1;
    }
    rc = mempolicy_reserve(xlmem_ctx(), need, 0, 0, rid);
    if (rc) {
        name = cfg_string(ca, "name");
        xlmem_lib_err(rc,
                      "cannot start %s: it needs %llu MiB (memory %llu + "
                      "Xen's overhead %llu KiB)",
                      name ? XQ(name) : XQ(ca->cfgfile), xlmem_mib(need),
                      xlmem_mib(b.memory_kb), (unsigned long long)overhead);
        *rid = 0;
        return -1;
    }
    return 0;
}

/* A name for a new domain: given, and no live domain has it (libxl
 * refuses a name in use, xensim too). */
static int name_free(struct create_args *ca)
{
    const char *name = cfg_string(ca, "name");
    uint32_t other;

    if (!name || !*name) {
        xlmem_err("config file %s has no domain name", XQ(ca->cfgfile));
        return -1;
    }
    if (!mempolicy_domain_qualifier_to_domid(xlmem_ctx(), name, &other)) {
        xlmem_err("EEXIST: domain name '%s' already in use (domain %u)",
                  XQ(name), other);
        return -1;
    }
    return 0;
}

/* ---- the simulated host ------------------------------------------------ */

/* A value for the space-separated channel line. */
static int channel_value_ok(const char *key, const char *v)
{
    const char *p;

    for (p = v; *p; p++) {
        if (*p == ' ' || (unsigned char)*p < 0x20 || *p == 0x7f) {
            xlmem_err("%s '%s' cannot be passed to the simulated host "
                      "(spaces and control characters are not allowed)",
                      key, XQ(v));
            return -1;
        }
    }
    return 0;
}

static int hv_connect(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct xs_handle *xsh = xs_open(0);
    unsigned len;
    char *path;
    int fd;

    if (!xsh) {
        xlmem_err("cannot connect to xenstore: %s", strerror(errno));
        return -1;
    }
    path = xs_read(xsh, XBT_NULL, "/tool/xensim/hv-socket", &len);
    xs_close(xsh);
    if (!path) {
        xlmem_err("the simulated host's channel is not published "
                  "(/tool/xensim/hv-socket)");
        return -1;
    }
    if (len >= sizeof(sa.sun_path)) {
        free(path);
        xlmem_err("the simulated host's channel path is too long");
        return -1;
    }
    memcpy(sa.sun_path, path, len + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        xlmem_err("cannot connect to the simulated host at %s: %s", path,
                  strerror(errno));
        if (fd >= 0)
            close(fd);
        free(path);
        return -1;
    }
    free(path);
    return fd;
}

/* Send one request line, read one reply line (NUL-terminated). */
static int hv_request(int fd, const char *req, char *reply, size_t max)
{
    size_t len = strlen(req), off = 0, got = 0;

    while (off < len) {
        ssize_t n = write(fd, req + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            xlmem_err("lost the simulated host's channel: %s",
                      strerror(errno));
            return -1;
        }
        off += (size_t)n;
    }
    while (got < max - 1) {
        ssize_t n = read(fd, reply + got, 1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            xlmem_err("the simulated host closed its channel");
            return -1;
        }
        if (reply[got] == '\n')
            break;
        got++;
    }
    reply[got] = '\0';
    return 0;
}

static int add_kv(FILE *f, const char *key, const char *v)
{
    if (channel_value_ok(key, v))
        return -1;
    fprintf(f, " %s=%s", key, v);
    return 0;
}

static int create_sim(struct create_args *ca, const char *actor,
                      const char *params, uint32_t *domid, uint32_t *rid)
{
    static const char *const strkeys[][2] = {
        { "name", "name" },
        { "xensim_balloon", "balloon" },
        { "xensim_rate_mib_s", "rate_mib_s" },
        { "xensim_demand_kb", "demand_kb" },
        { "xensim_share_image", "share_image" },
        { "xensim_share_zero", "share_zero" },
        { "xensim_share_shared", "share_shared" },
        { "xensim_cow_per_s", "cow_per_s" },
    };
    long hap;
    char *req = NULL, reply[HV_LINE_MAX];
    size_t rlen = 0;
    const char *type = cfg_string(ca, "type"), *v;
    uint64_t kb;
    bool present;
    FILE *f;
    int fd, rc = -1;
    size_t i;

    if (ca->nopts) {
        xlmem_err("xl create options mean nothing on the simulated host");
        return -1;
    }
    f = open_memstream(&req, &rlen);
    if (!f) {
        xlmem_err("out of memory");
        return -1;
    }
    fputs("create", f);
    for (i = 0; i < sizeof(strkeys) / sizeof(strkeys[0]); i++) {
        v = cfg_string(ca, strkeys[i][0]);
        if (v && add_kv(f, strkeys[i][1], v))
            goto out;
    }
    if (!type && (v = cfg_string(ca, "builder")))
        type = !strcmp(v, "hvm") ? "hvm" : v;
    if (type && add_kv(f, "type", type))
        goto out;
    /* xl_parse.c reads vga=, stdvga= and videoram= (MiB) for HVM only. */
    if (type && !strcmp(type, "hvm")) {
        long std;

        if ((v = cfg_string(ca, "vga"))) {
            if (add_kv(f, "vga", v))
                goto out;
        } else if (!xlu_cfg_get_long(ca->cfg, "stdvga", &std, 1)) {
            fprintf(f, " vga=%s", std ? "stdvga" : "cirrus");
        }
        if (cfg_mib(ca, "videoram", &present, &kb))
            goto out;
        if (present)
            fprintf(f, " videoram_kb=%llu", (unsigned long long)kb);
    }
    if (!xlu_cfg_get_long(ca->cfg, "hap", &hap, 1))
        fprintf(f, " hap=%d", hap ? 1 : 0);
    if (cfg_mib(ca, "memory", &present, &kb))
        goto out;
    if (present)
        fprintf(f, " memory_kb=%llu", (unsigned long long)kb);
    if (cfg_mib(ca, "maxmem", &present, &kb))
        goto out;
    if (present)
        fprintf(f, " maxmem_kb=%llu", (unsigned long long)kb);
    if (add_kv(f, "memory_policy", actor) ||
        add_kv(f, "memory_policy_args", params))
        goto out;
    fputc('\n', f);
    if (fclose(f)) {
        f = NULL;
        xlmem_err("out of memory");
        goto out;
    }
    f = NULL;
    if (rlen > HV_LINE_MAX) {
        xlmem_err("config file %s: too much to pass to the simulated host",
                  XQ(ca->cfgfile));
        goto out;
    }

    /* Everything checked (the name too, so that nothing is reserved for a
     * domain the host would refuse), then the memory, then the domain. */
    if (name_free(ca) || reserve(ca, rid))
        goto out;
    fd = hv_connect();
    if (fd < 0)
        goto out;
    if (!hv_request(fd, req, reply, sizeof(reply))) {
        unsigned long id;

        if (!strncmp(reply, "ok", 2) && strstr(reply, "domid=") &&
            sscanf(strstr(reply, "domid="), "domid=%lu", &id) == 1 &&
            id <= UINT32_MAX) {
            *domid = (uint32_t)id;
            rc = 0;
        } else if (!strncmp(reply, "err ", 4)) {
            xlmem_err("the simulated host refused to create the domain: "
                      "%s", XQ(reply + 4));
        } else {
            xlmem_err("unexpected reply from the simulated host: %s",
                      XQ(reply));
        }
    }
    close(fd);
out:
    if (f)
        fclose(f);
    free(req);
    return rc;
}

/* ---- a Xen host -------------------------------------------------------- */

/*
 * Run xl with xargv (NULL-terminated, xargv[0] the binary), wait for it.
 * 0 when it exited 0; otherwise one line saying why and -1.
 */
static int run_xl(char **xargv)
{
    pid_t pid;
    ssize_t n;
    int status, errpipe[2], exec_errno = 0;

    /* A close-on-exec pipe tells an exec failure (the child writes its
     * errno) from xl itself failing (EOF, then an exit status). */
    if (pipe2(errpipe, O_CLOEXEC)) {
        xlmem_err("pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(errpipe[0]);
        close(errpipe[1]);
        xlmem_err("cannot run %s: %s", xargv[0], strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int e;

        close(errpipe[0]);
        execvp(xargv[0], xargv);
        e = errno;
        if (write(errpipe[1], &e, sizeof(e)) < 0)
            _exit(126);
        _exit(127);
    }
    close(errpipe[1]);
    while ((n = read(errpipe[0], &exec_errno, sizeof(exec_errno))) < 0 &&
           errno == EINTR)
        ;
    close(errpipe[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            xlmem_err("waitpid: %s", strerror(errno));
            return -1;
        }
    }
    if (n == (ssize_t)sizeof(exec_errno)) {
        xlmem_err("cannot run %s: %s", xargv[0], strerror(exec_errno));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        xlmem_err("%s %s failed (%s %d)", xargv[0], xargv[1],
                  WIFEXITED(status) ? "status" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status)
                  : WTERMSIG(status));
        return -1;
    }
    return 0;
}

/* `xl VERB <domid>` (unpause, destroy). */
static int run_xl_domid(const char *xl, const char *verb, uint32_t domid)
{
    char id[16], *xargv[4];

    snprintf(id, sizeof(id), "%u", domid);
    xargv[0] = (char *)xl;
    xargv[1] = (char *)verb;
    xargv[2] = id;
    xargv[3] = NULL;
    return run_xl(xargv);
}

/*
 * As xl would if it knew memory_policy: the domain is created paused
 * (`xl create -p`), gets its policy, and only then runs (`xl unpause`),
 * so no actor ever acts on it under another policy (mempolicyd's default
 * may land in between; ours is written last and wins).  A domain whose
 * policy cannot be written is destroyed, as xl destroys a domain whose
 * build failed.  The caller's own -p keeps it paused.
 */
static int create_xen(struct create_args *ca, char **argv, int argc,
                      const char *actor, const char *params, uint32_t *pdomid,
                      uint32_t *rid)
{
    const char *xl = getenv("XLMEM_XL") ? getenv("XLMEM_XL") : "xl";
    const char *name = cfg_string(ca, "name");
    bool paused = false;
    char **xargv;
    uint32_t domid;
    int i, j, rc;

    if (!name || !*name) {
        xlmem_err("config file %s has no domain name", XQ(ca->cfgfile));
        return -1;
    }
    /* "xl" "create" cfgfile "-p" options... NULL */
    xargv = calloc((size_t)argc + 4, sizeof(*xargv));
    if (!xargv) {
        xlmem_err("out of memory");
        return -1;
    }
    for (i = 1; i < argc; i++)
        paused |= !strcmp(argv[i], "-p");
    xargv[0] = (char *)xl;
    xargv[1] = (char *)"create";
    j = 2;
    xargv[j++] = argv[0];
    if (!paused && !ca->dryrun)
        xargv[j++] = (char *)"-p";
    for (i = 1; i < argc; i++)
        xargv[j++] = argv[i];
    if (xl_config_file(ca, (const char **)&xargv[2]) ||
        (!ca->dryrun && reserve(ca, rid))) {
        free(xargv);
        return -1;
    }
    rc = run_xl(xargv);
    free(xargv);
    if (rc)
        return -1;
    if (ca->dryrun) {
        *pdomid = UINT32_MAX;
        return 0;
    }
    rc = mempolicy_domain_qualifier_to_domid(xlmem_ctx(), name, &domid);
    if (rc) {
        xlmem_lib_err(rc, "domain '%s' not found after xl create",
                      XQ(name));
        return -1;
    }
    rc = mempolicy_domain_set_policy(xlmem_ctx(), domid, actor, params);
    if (rc) {
        xlmem_lib_err(rc, "cannot set the policy of new %s: destroying it",
                      xlmem_dom(domid));
        run_xl_domid(xl, "destroy", domid);
        return -1;
    }
    *pdomid = domid;
    if (!paused && run_xl_domid(xl, "unpause", domid))
        return -1;
    return 0;
}

/* Sort xl create's arguments: options (checked) and vars (key=value). */
static int scan_xl_args(struct create_args *ca, char **argv, int argc,
                        char ***vars, int *nvars)
{
    int i;

    *vars = calloc((size_t)argc + 1, sizeof(**vars));
    if (!*vars) {
        xlmem_err("out of memory");
        return -1;
    }
    *nvars = 0;
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];

        if (a[0] != '-') {
            if (!strchr(a, '=')) {
                xlmem_err("'%s' is neither an xl create option nor a "
                          "key=value var", XQ(a));
                return -1;
            }
            (*vars)[(*nvars)++] = argv[i];
            continue;
        }
        ca->nopts++;
        if (!strcmp(a, "-n") || !strcmp(a, "--dryrun")) {
            ca->dryrun = true;
        } else if (!strcmp(a, "-F") || !strcmp(a, "-c") ||
                   !strcmp(a, "-V") || !strcmp(a, "--vncviewer") ||
                   !strcmp(a, "-A") || !strcmp(a, "--vncviewer-autopass")) {
            xlmem_err("option %s keeps xl create in the foreground, so the "
                      "memory policy could not be applied", XQ(a));
            return -1;
        } else if (!strcmp(a, "-f") || !strncmp(a, "--defconfig", 11)) {
            xlmem_err("option %s: give the config file as the first "
                      "argument", XQ(a));
            return -1;
        } else if (strcmp(a, "-e") && strcmp(a, "-d") && strcmp(a, "-p") &&
                   strcmp(a, "-q") && strcmp(a, "--quiet") &&
                   strcmp(a, "--ignore-global-affinity-masks")) {
            xlmem_err("unknown xl create option '%s'", XQ(a));
            return -1;
        }
    }
    return 0;
}

int main_create(int argc, char **argv)
{
    struct create_args ca = { 0 };
    char **vars = NULL, *actor = NULL, *params = NULL;
    int nvars = 0, rc = -1;
    uint32_t rid = 0, domid = UINT32_MAX;
    bool sim;

    while (xlmem_getopt(argc, argv, "", NULL, 1, -1) != -1)
        ;
    ca.cfgfile = argv[optind];
    if (!*ca.cfgfile) {
        xlmem_err("empty config file name");
        return XLMEM_EXIT_FAIL;
    }
    if (scan_xl_args(&ca, argv + optind + 1, argc - optind - 1, &vars,
                     &nvars) ||
        read_config(&ca, vars, nvars) || parse_config(&ca))
        goto out;
    /* $XLMEM_XL set: run that xl on any host (a stand-in xl drives the
     * Xen path on the simulated host in tests). */
    sim = !strcmp(mempolicy_backend_name(xlmem_ctx()), "sim") &&
          !getenv("XLMEM_XL");
    if (config_policy(&ca, &actor, &params))
        goto out;
    /* The memory is reserved once everything is checked, right before the
     * domain is created: refused, nothing is created. */
    if (sim)
        rc = create_sim(&ca, actor, params, &domid, &rid);
    else
        rc = create_xen(&ca, argv + optind, argc - optind, actor, params,
                        &domid, &rid);
    if (rid && !rc && domid != UINT32_MAX) {
        /* The domain holds the memory now: counted once, as its own. */
        int trc = mempolicy_reservation_transfer(xlmem_ctx(), rid, domid);

        if (trc) {
            xlmem_lib_err(trc, "cannot hand reservation %u to %s", rid,
                          xlmem_dom(domid));
            mempolicy_reservation_release(xlmem_ctx(), rid);
        }
    } else if (rid) {
        mempolicy_reservation_release(xlmem_ctx(), rid);
    }
    if (!rc && domid != UINT32_MAX)
        printf("domid=%u\n", domid);

out:
    if (ca.tmpcfg) {
        unlink(ca.tmpcfg);
        free(ca.tmpcfg);
    }
    if (ca.cfg)
        xlu_cfg_destroy(ca.cfg);
    free(ca.data);
    free(vars);
    free(actor);
    free(params);
    return rc ? XLMEM_EXIT_FAIL : XLMEM_EXIT_OK;
}
