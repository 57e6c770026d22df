/*
 * config.c: memory_policy / memory_policy_args from xl.conf and domain
 * config files.
 *
 * Parsing is libxlutil's (xlu_cfg_*), the parser xl itself uses, so the
 * files mean here exactly what they mean to xl.  libxlutil reports its
 * errors as text on a FILE*; we give it a memory stream and hand the
 * first line of what it wrote (which carries file and line) to the
 * caller as the error detail.  Precedence: domain file, then global file,
 * then the built-in default "xl-auto".
 *
 * Files are read here, once and bounded (MEMPOLICY_CONFIG_MAX), and the
 * contents handed to xlu_cfg_readdata: xlu_cfg_readfile reads without a
 * bound (/dev/zero would never end), and a pipe (/dev/stdin) can only be
 * read once, so a caller that needs the file for more than the policy
 * reads it with mempolicy_config_read and passes the contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxlutil.h>

#include "internal.h"

const char *mempolicy_default_global_config(void)
{
    const char *e = getenv("MEMPOLICY_XL_CONF");

    return e && *e ? e : "/etc/xen/xl.conf";
}

struct cfgval {
    char *actor;    /* NULL: not set in this file */
    char *params;
};

/* First line of what libxlutil reported, without the trailing newline. */
static const char *first_line(char *buf)
{
    if (!buf || !*buf)
        return "";
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

/*
 * What libxlutil may be given: at most MEMPOLICY_CONFIG_MAX bytes (its
 * length is an int) and no NUL byte, on which it asserts and aborts
 * (xlu__cfgl_dequote in tools/libs/util/libxlu_cfg.c measures a quoted
 * string with strlen).  0 or CONFIG naming the file.
 */
static int contents_ok(mempolicy_ctx *ctx, const char *name, const char *data,
                       size_t len)
{
    if (len > MEMPOLICY_CONFIG_MAX)
        return mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                      "%s: larger than %d KiB, not a configuration file",
                      MP_Q(name), MEMPOLICY_CONFIG_MAX / 1024);
    if (memchr(data, '\0', len))
        return mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                      "%s: holds NUL bytes, not a configuration file",
                      MP_Q(name));
    return 0;
}

int mempolicy_config_read(mempolicy_ctx *ctx, const char *file, char **data,
                          size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf, *nb;
    int fd, e;

    if (!data || !len || !file)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no file or out pointer");
    *data = NULL;
    *len = 0;
    fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        e = errno;
        return mp_err(ctx, MEMPOLICY_ERROR_CONFIG, "%s: cannot read: %s",
                      MP_Q(file), strerror(e));
    }
    buf = malloc(cap);
    if (!buf) {
        close(fd);
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "no memory for %s",
                      MP_Q(file));
    }
    for (;;) {
        ssize_t r;

        if (n + 1 >= cap) {
            /* One byte over the limit is enough to know it is too big. */
            if (cap > MEMPOLICY_CONFIG_MAX + 1) {
                close(fd);
                free(buf);
                return mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                              "%s: larger than %d KiB, not a configuration "
                              "file", MP_Q(file), MEMPOLICY_CONFIG_MAX / 1024);
            }
            nb = realloc(buf, cap * 2);
            if (!nb) {
                close(fd);
                free(buf);
                return mp_err(ctx, MEMPOLICY_ERROR_NOMEM,
                              "no memory for %s", MP_Q(file));
            }
            buf = nb;
            cap *= 2;
        }
        r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = errno;
            close(fd);
            free(buf);
            return mp_err(ctx, MEMPOLICY_ERROR_CONFIG, "%s: cannot read: %s",
                          MP_Q(file), strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    e = contents_ok(ctx, file, buf, n);
    if (e) {
        free(buf);
        return e;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

/* Parse one file's contents (name: for messages) with libxlutil. */
static int parse_data(mempolicy_ctx *ctx, const char *name, const char *data,
                      size_t len, struct cfgval *out)
{
    char *rep = NULL;
    char q[4 * 200 + 4];
    size_t replen = 0;
    FILE *report;
    XLU_Config *cfg;
    const char *v;
    int e, rc = 0;

    memset(out, 0, sizeof(*out));
    report = open_memstream(&rep, &replen);
    if (!report)
        return MEMPOLICY_ERROR_NOMEM;
    cfg = xlu_cfg_init(report, name);
    if (!cfg) {
        fclose(report);
        free(rep);
        return MEMPOLICY_ERROR_NOMEM;
    }
    e = xlu_cfg_readdata(cfg, data, (int)len);
    if (e) {
        fflush(report);
        /* libxlutil's line quotes the file's text: escaped, bounded. */
        rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG, "%s",
                    *first_line(rep)
                        ? mempolicy_quote_n(first_line(rep), 200, q)
                        : "malformed configuration");
        goto out;
    }
    e = xlu_cfg_get_string(cfg, "memory_policy", &v, 0);
    if (e == 0) {
        const char *canon;

        if (mempolicy_actor_name_valid(v, &canon)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                        "%s: memory_policy=\"%s\" is not a valid actor "
                        "name ([a-z0-9-], not starting with '-', at most %d "
                        "characters)", MP_Q(name), MP_Q(v),
                        MEMPOLICY_ACTOR_MAX);
            goto out;
        }
        out->actor = strdup(canon);
        if (!out->actor) {
            rc = MEMPOLICY_ERROR_NOMEM;
            goto out;
        }
    } else if (e != ESRCH) {
        fflush(report);
        rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                    "%s: memory_policy must be a string%s%s", MP_Q(name),
                    *first_line(rep) ? ": " : "",
                    mempolicy_quote_n(first_line(rep), 200, q));
        goto out;
    }
    e = xlu_cfg_get_string(cfg, "memory_policy_args", &v, 0);
    if (e == 0) {
        if (mempolicy_params_valid(v)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                        "%s: memory_policy_args=\"%s\" is not a "
                        "key=value[,key=value] list (keys [a-z0-9_-], at "
                        "most %d bytes)", MP_Q(name), MP_Q(v),
                        MEMPOLICY_PARAMS_MAX);
            goto out;
        }
        out->params = strdup(v);
        if (!out->params)
            rc = MEMPOLICY_ERROR_NOMEM;
    } else if (e != ESRCH) {
        fflush(report);
        rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                    "%s: memory_policy_args must be a string%s%s",
                    MP_Q(name), *first_line(rep) ? ": " : "",
                    mempolicy_quote_n(first_line(rep), 200, q));
    }

out:
    if (rc) {
        free(out->actor);
        free(out->params);
        memset(out, 0, sizeof(*out));
    }
    xlu_cfg_destroy(cfg);
    fclose(report);
    free(rep);
    return rc;
}

/* Read and parse a file; a missing optional file gives nothing set. */
static int read_file(mempolicy_ctx *ctx, const char *file, bool optional,
                     struct cfgval *out)
{
    char *data;
    size_t len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (optional && access(file, F_OK) && errno == ENOENT)
        return 0;
    rc = mempolicy_config_read(ctx, file, &data, &len);
    if (rc)
        return rc;
    rc = parse_data(ctx, file, data, len, out);
    free(data);
    return rc;
}

/*
 * The global file: the caller's, else $MEMPOLICY_XL_CONF, else
 * /etc/xen/xl.conf.  Only the last may be missing (a host without an
 * xl.conf has xl's defaults); a file someone named must be there.
 */
static int read_global(mempolicy_ctx *ctx, const char *global_cfg,
                       struct cfgval *out)
{
    const char *env = getenv("MEMPOLICY_XL_CONF");
    int rc;

    if (global_cfg)
        return read_file(ctx, global_cfg, false, out);
    if (!env || !*env)
        return read_file(ctx, "/etc/xen/xl.conf", true, out);
    rc = read_file(ctx, env, false, out);
    if (rc == MEMPOLICY_ERROR_CONFIG && access(env, F_OK) && errno == ENOENT)
        rc = mp_err(ctx, rc, "MEMPOLICY_XL_CONF names %s, which does not "
                    "exist", MP_Q(env));
    return rc;
}

static int config_policy(mempolicy_ctx *ctx, const char *global_cfg,
                         const char *domain_name, const char *domain_data,
                         size_t domain_len, bool from_data, char **actor,
                         char **params)
{
    struct cfgval g, d = { NULL, NULL };
    const char *a, *p;
    int rc;

    if (!actor || !params || (from_data && (!domain_name || !domain_data)))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output pointers");
    *actor = *params = NULL;
    rc = read_global(ctx, global_cfg, &g);
    if (rc)
        return rc;
    if (from_data) {
        rc = contents_ok(ctx, domain_name, domain_data, domain_len);
        if (!rc)
            rc = parse_data(ctx, domain_name, domain_data, domain_len, &d);
    }
    else if (domain_name)
        rc = read_file(ctx, domain_name, false, &d);
    if (rc)
        goto out;
    /*
     * The actor and its arguments go together: a domain file that names
     * an actor does not inherit the global file's arguments for another.
     */
    if (d.actor) {
        a = d.actor;
        p = d.params ? d.params : "";
    } else if (g.actor) {
        a = g.actor;
        p = d.params ? d.params : g.params ? g.params : "";
    } else {
        a = "xl-auto";
        p = d.params ? d.params : g.params ? g.params : "";
    }
    *actor = strdup(a);
    *params = strdup(p);
    if (!*actor || !*params) {
        free(*actor);
        free(*params);
        *actor = *params = NULL;
        rc = MEMPOLICY_ERROR_NOMEM;
    }
out:
    free(g.actor);
    free(g.params);
    free(d.actor);
    free(d.params);
    return rc;
}

int mempolicy_config_policy(mempolicy_ctx *ctx, const char *global_cfg,
                            const char *domain_cfg, char **actor,
                            char **params)
{
    return config_policy(ctx, global_cfg, domain_cfg, NULL, 0, false, actor,
                         params);
}

int mempolicy_config_policy_data(mempolicy_ctx *ctx, const char *global_cfg,
                                 const char *domain_name,
                                 const char *domain_data, size_t domain_len,
                                 char **actor, char **params)
{
    return config_policy(ctx, global_cfg, domain_name, domain_data,
                         domain_len, true, actor, params);
}
