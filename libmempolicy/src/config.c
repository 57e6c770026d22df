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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int read_file(mempolicy_ctx *ctx, const char *file, bool optional,
                     struct cfgval *out)
{
    char *rep = NULL;
    size_t replen = 0;
    FILE *report;
    XLU_Config *cfg;
    const char *v;
    int e, rc = 0;

    memset(out, 0, sizeof(*out));
    report = open_memstream(&rep, &replen);
    if (!report)
        return MEMPOLICY_ERROR_NOMEM;
    cfg = xlu_cfg_init(report, file);
    if (!cfg) {
        fclose(report);
        free(rep);
        return MEMPOLICY_ERROR_NOMEM;
    }
    e = xlu_cfg_readfile(cfg, file);
    if (e) {
        fflush(report);
        if (e == ENOENT && optional)
            rc = 0;
        else if (e == ENOENT || e == EACCES || e == EISDIR)
            rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG, "%s: cannot read: %s",
                        file, strerror(e));
        else
            rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG, "%s",
                        *first_line(rep) ? first_line(rep)
                                         : "malformed configuration");
        goto out;
    }
    e = xlu_cfg_get_string(cfg, "memory_policy", &v, 0);
    if (e == 0) {
        const char *canon;

        if (mempolicy_actor_name_valid(v, &canon)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                        "%s: memory_policy=\"%.80s\" is not a valid actor "
                        "name ([a-z0-9-], at most %d characters)", file, v,
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
                    "%s: memory_policy must be a string%s%s", file,
                    *first_line(rep) ? ": " : "", first_line(rep));
        goto out;
    }
    e = xlu_cfg_get_string(cfg, "memory_policy_args", &v, 0);
    if (e == 0) {
        if (mempolicy_params_valid(v)) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                        "%s: memory_policy_args=\"%.80s\" is not a "
                        "key=value[,key=value] list (keys [a-z0-9_-], at "
                        "most %d bytes)", file, v, MEMPOLICY_PARAMS_MAX);
            goto out;
        }
        out->params = strdup(v);
        if (!out->params)
            rc = MEMPOLICY_ERROR_NOMEM;
    } else if (e != ESRCH) {
        fflush(report);
        rc = mp_err(ctx, MEMPOLICY_ERROR_CONFIG,
                    "%s: memory_policy_args must be a string%s%s", file,
                    *first_line(rep) ? ": " : "", first_line(rep));
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

int mempolicy_config_policy(mempolicy_ctx *ctx, const char *global_cfg,
                            const char *domain_cfg, char **actor,
                            char **params)
{
    struct cfgval g, d = { NULL, NULL };
    const char *a, *p;
    int rc;

    if (!actor || !params)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output pointers");
    *actor = *params = NULL;
    rc = read_file(ctx, global_cfg ? global_cfg
                                   : mempolicy_default_global_config(),
                   !global_cfg, &g);
    if (rc)
        return rc;
    if (domain_cfg) {
        rc = read_file(ctx, domain_cfg, false, &d);
        if (rc)
            goto out;
    }
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
