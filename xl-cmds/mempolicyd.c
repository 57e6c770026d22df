/*
 * mempolicyd.c: gives every new domain the host's default memory policy.
 *
 * The proposal has xl set a domain's policy while building it, from
 * xl.conf's memory_policy / memory_policy_args unless the domain's config
 * file says otherwise.  Stock xl does not, so this small daemon does it
 * for xl: it follows DOMAIN_INTRODUCE and, for a new domain that has no
 * /libxl/<domid>/memory-policy/actor node (nobody chose a policy for it),
 * applies the xl.conf default through the library, exactly what
 * `xlmem mem-policy-apply <domid>` does.  At start-up it does the same
 * for every existing domain, so domains born while it was down are not
 * left without a policy.  A domain that already has an actor node (set
 * by `xlmem create`, by the simulated host at creation, or by hand, ""
 * included) is never touched.  Dom0 is skipped: no toolstack builds it;
 * so are stub domains (a /local/domain/<id>/target node, as libxl writes
 * for a device-model stub domain, or, before libxl writes it, the name
 * libxl gives one: "<guest>-dm" beside an HVM guest; is_stubdom).  A domain
 * whose uuid had a policy before (`xl reboot`: same uuid, new domid,
 * /libxl/<domid> wiped) gets that policy back instead of the default
 * (mempolicy_domain_restore_policy); copies of domains gone for good are
 * pruned at start-up.
 *
 * The default is validated exactly as xlmem validates a policy it writes
 * (mempolicy_config_policy, then mempolicy_actor_params_check against the
 * shipped actor's parameter table): mempolicyd refuses to start with an
 * invalid one (`memory_policy_args = "dealy=3"` for xl-auto), and a
 * default that turns invalid later (xl.conf is read for each new domain,
 * so an edited default applies without a reload) leaves that domain
 * alone, with the reason logged.
 *
 * The write is mempolicy_domain_set_policy_if_unset(): the check for the
 * actor node and the write are one transaction, so a policy written by
 * someone else meanwhile (xlmem create on a Xen host writes right after
 * `xl create` returns) is never overwritten by the default.  The cheap
 * read before it only spares reading xl.conf for domains that have one.
 *
 * It is a host daemon of the actor kit (libmempolicy_actor.h: no
 * domain_changed, so it claims no domain and follows no policy change):
 * the kit gives it what every daemon of the project does alike, in one
 * place: options (-v, -d, -p, --log-file, --version), the log format
 * with levels (stderr, syslog under -d, or a file), the locked pid file,
 * daemonizing, SIGTERM/SIGINT (status 0), the store going away (status
 * 1, so that systemd restarts it), sd_notify READY=1 once the start-up
 * pass is done (mempolicyd.service is Type=notify), and its announcement
 * in the store, so that a second mempolicyd refuses to start.
 *
 *   mempolicyd [-v] [-c FILE] [-d] [-p PIDFILE] [--log-file FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include <libmempolicy_actor.h>

#define NAME "mempolicyd"

struct mpd {
    const char *config;   /* NULL: the library's default */
    struct xs_handle *xs; /* for the stub domain check, opened on use */
};

/*
 * A stub domain: a service domain of the toolstack, sized by it; no
 * default policy.  libxl marks one by /local/domain/<stubdom>/target = the
 * domid it serves (libxl_is_stubdom), but writes that node only after the
 * stub domain was introduced (libxl_dm.c, libxl__spawn_stub_dm: the
 * domain is built, hence introduced in libxl__build_post, then /target
 * is written), so at its DOMAIN_INTRODUCE the node is usually not there
 * yet.  What libxl gives it before it is introduced is its name,
 * libxl__stub_dm_name: "<guest>-dm", for an HVM guest that exists
 * already (its stub domain is made while the guest is built).  Either
 * one marks a stub domain here.  `*why` says which, for the log.
 */
static bool is_stubdom(mempolicy_actor *a, struct mpd *d, uint32_t domid,
                       const char **why)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);
    mempolicy_dominfo info, guest;
    char path[64];
    unsigned len;
    uint32_t g;
    size_t n;
    bool stub = false;
    void *v;

    if (!d->xs && !(d->xs = xs_open(0))) {
        mempolicy_actor_log(a, XTL_ERROR,
                            "cannot open xenstore to look "
                            "for stub domains");
        return false;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/target", domid);
    v = xs_read(d->xs, XBT_NULL, path, &len);
    free(v);
    if (v) {
        *why = "has a target node";
        return true;
    }
    if (mempolicy_domain_info(ctx, domid, &info))
        return false;
    n = info.name ? strlen(info.name) : 0;
    if (n > 3 && !strcmp(info.name + n - 3, "-dm")) {
        info.name[n - 3] = '\0';
        if (!mempolicy_domain_qualifier_to_domid(ctx, info.name, &g) &&
            g != domid && !mempolicy_domain_info(ctx, g, &guest)) {
            stub = guest.type == MEMPOLICY_DOMAIN_TYPE_HVM && guest.name &&
                !strcmp(guest.name, info.name);
            mempolicy_dominfo_dispose(&guest);
        }
    }
    mempolicy_dominfo_dispose(&info);
    if (stub)
        *why = "named <guest>-dm after an HVM guest, as libxl names them";
    return stub;
}

/*
 * The default policy as xlmem would write it: 0 and *actor, *params
 * (malloc'd), or an error after logging why, prefixed with `what`.
 */
static int read_default(mempolicy_ctx *ctx, xentoollog_logger *lg,
                        struct mpd *d, const char *what, char **actor,
                        char **params)
{
    char err[256];
    int rc;

    *actor = *params = NULL;
    rc = mempolicy_config_policy(ctx, d->config, NULL, actor, params);
    if (rc) {
        xtl_log(lg, XTL_ERROR, -1, NAME, "%s: %s", what,
                *mempolicy_last_error(ctx) ? mempolicy_last_error(ctx) :
                                             mempolicy_strerror(rc));
        return rc;
    }
    if (mempolicy_actor_params_check(*actor, *params, err, sizeof(err))) {
        xtl_log(lg, XTL_ERROR, -1, NAME, "%s: memory_policy_args of %s: %s",
                what, d->config ? d->config : mempolicy_default_global_config(),
                err);
        free(*actor);
        free(*params);
        *actor = *params = NULL;
        return MEMPOLICY_ERROR_CONFIG;
    }
    return 0;
}

/* Give domid the default policy if it has none. */
static void domain_introduced(mempolicy_actor *a, uint32_t domid, void *user)
{
    struct mpd *d = user;
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);
    const mempolicy_dominfo *listed = mempolicy_actor_resync_info(a, domid);
    mempolicy_policy p = { 0 };
    char *actor, *params, what[64];
    const char *why = NULL;
    bool written = false;
    int rc;

    if (domid == 0)
        return;
    /* At start-up the listing read the policy already. */
    rc = listed ? 0 : mempolicy_domain_get_policy(ctx, domid, &p);
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN) {
        mempolicy_actor_log(a, XTL_DEBUG,
                            "domain %u went away before "
                            "getting a policy",
                            domid);
        return;
    }
    /* A policy node holding garbage is somebody's choice too: only a
     * domain with no actor node gets the default (checked again, in the
     * same transaction as the write, by set_policy_if_unset). */
    if (!rc && (listed ? listed->policy.actor[0] : p.actor[0])) {
        mempolicy_policy_dispose(&p);
        mempolicy_actor_log(a, XTL_DEBUG,
                            "domain %u: has a policy, left "
                            "alone",
                            domid);
        return;
    }
    mempolicy_policy_dispose(&p);

    /* Same uuid as a domain that had a policy: rebooted, keep it. */
    rc = mempolicy_domain_restore_policy(ctx, domid, &written);
    if (!rc && written) {
        mempolicy_actor_log(a, XTL_INFO,
                            "domain %u: its policy restored "
                            "(saved by uuid)",
                            domid);
        return;
    }
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN || rc == MEMPOLICY_ERROR_DYING) {
        mempolicy_actor_log(a, XTL_DEBUG,
                            "domain %u went away before "
                            "getting a policy",
                            domid);
        return;
    }
    if (rc)
        mempolicy_actor_log(a, XTL_ERROR,
                            "domain %u: cannot restore its "
                            "saved policy: %s",
                            domid, mempolicy_last_error(ctx));
    if (is_stubdom(a, d, domid, &why)) {
        mempolicy_actor_log(a, XTL_DEBUG,
                            "domain %u: a stub domain (%s), left alone", domid,
                            why);
        return;
    }
    written = false;

    snprintf(what, sizeof(what), "domain %u left without a policy", domid);
    if (read_default(ctx, mempolicy_actor_logger(a), d, what, &actor, &params))
        return;
    rc = mempolicy_domain_set_policy_if_unset(ctx, domid, actor, params,
                                              &written);
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN || rc == MEMPOLICY_ERROR_DYING)
        mempolicy_actor_log(a, XTL_DEBUG,
                            "domain %u went away before "
                            "getting a policy",
                            domid);
    else if (rc)
        mempolicy_actor_failed(a, domid, rc, "setting the default policy", NULL,
                               NULL);
    else if (!written)
        /* Someone chose a policy since the look above ("" included). */
        mempolicy_actor_log(a, XTL_DEBUG,
                            "domain %u: has a policy, left "
                            "alone",
                            domid);
    else
        mempolicy_actor_log(a, XTL_INFO,
                            "domain %u: default policy actor "
                            "'%s' params '%s'",
                            domid, actor, params);
    free(actor);
    free(params);
}

/* Refuse to start with a default that could not be applied. */
static int started(mempolicy_ctx *ctx, xentoollog_logger *lg, void *user)
{
    char *actor, *params;
    unsigned pruned = 0;
    int rc;

    if (read_default(ctx, lg, user, "invalid default policy", &actor, &params))
        return 1;
    /* Copies kept for domains gone for good go before the start-up pass. */
    rc = mempolicy_saved_policies_prune(ctx, &pruned);
    if (rc)
        xtl_log(lg, XTL_ERROR, -1, NAME, "cannot prune saved policies: %s",
                mempolicy_last_error(ctx));
    else if (pruned)
        xtl_log(lg, XTL_INFO, -1, NAME,
                "dropped %u saved policies of domains gone for good", pruned);
    xtl_log(lg, XTL_INFO, -1, NAME, "default policy: actor '%s' params '%s'",
            actor, params);
    free(actor);
    free(params);
    return 0;
}

static const mempolicy_actor_option options[] = {
    { "config", 'c', "FILE",
      "xl.conf (default $MEMPOLICY_XL_CONF or /etc/xen/xl.conf)" },
    { NULL, 0, NULL, NULL },
};

static int option(unsigned index, const char *arg, void *user)
{
    struct mpd *d = user;

    if (!arg[0]) {
        fprintf(stderr, NAME ": empty config file name\n");
        return -1;
    }
    d->config = arg; /* index 0: the only one */
    return 0;
}

int main(int argc, char **argv)
{
    static const mempolicy_actor_ops ops = {
        .domain_introduced = domain_introduced,
    };
    static const mempolicy_actor_main_opts ext = {
        .description = "Give new domains without a memory policy the "
                       "default from xl.conf\n(memory_policy, "
                       "memory_policy_args), as xl would at domain build.",
        .options = options,
        .option = option,
        .started = started,
    };
    struct mpd d = { NULL, NULL };
    int rc = mempolicy_actor_main_ext(argc, argv, NAME, &ops, &d, &ext);

    if (d.xs)
        xs_close(d.xs);
    return rc;
}
