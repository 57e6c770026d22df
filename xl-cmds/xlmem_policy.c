/*
 * xlmem_policy.c: mem-policy-set, mem-policy-get, mem-policy-apply.
 *
 * The proposal's "xl high level interface" and "xl actor configuration":
 * the actor of a domain and its parameters, set by hand or taken from the
 * config files (a domain's config file overrides xl.conf's default).
 * Actor and params are validated here with the library's own validators
 * before anything is written, so a bad value gets a precise message and
 * the store stays as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlmem.h"

/* Validate actor and params; 0, or 1 after printing the problem. */
static int check_policy(const char *actor, const char *params,
                        const char **canonical)
{
    if (mempolicy_actor_name_valid(actor, canonical)) {
        xlmem_err("invalid actor name '%s' (\"\" or 1 to %d characters "
                  "of a-z, 0-9 and -, not starting with -)", XQ(actor),
                  MEMPOLICY_ACTOR_MAX);
        return XLMEM_EXIT_FAIL;
    }
    if (mempolicy_params_valid(params)) {
        xlmem_err("invalid actor parameters '%s' (key=value[,key=value...]"
                  ", keys of a-z, 0-9, _ and -, no commas in values, at "
                  "most %d bytes)", XQ(params), MEMPOLICY_PARAMS_MAX);
        return XLMEM_EXIT_FAIL;
    }
    if (xlmem_check_actor_params(*canonical, params))
        return XLMEM_EXIT_FAIL;
    return 0;
}

/*
 * With -t SIZE all four policy nodes are written in one transaction
 * (actor, params, the target, enforce 1 as mem-set), whatever they held:
 * that is the documented repair of a domain whose policy nodes hold
 * garbage (docs/xlmem.md).  Without it, target and enforce are kept, so
 * garbage in them is refused with a hint to use -t.
 */
int main_mem_policy_set(int argc, char **argv)
{
    static const struct option opts[] = {
        { "target", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *actor, *params, *canonical, *dom, *size = NULL;
    int64_t kb = 0;
    bool relative;
    uint32_t domid;
    int rc, opt;

    while ((opt = xlmem_getopt(argc, argv, "t:", opts, 2, 3)) != -1) {
        if (opt == 't')
            size = optarg;
    }
    dom = argv[optind];
    actor = argv[optind + 1];
    params = optind + 2 < argc ? argv[optind + 2] : "";
    if (check_policy(actor, params, &canonical))
        return XLMEM_EXIT_FAIL;
    if (size && xlmem_parse_size_kb(size, false, &kb, &relative))
        return XLMEM_EXIT_FAIL;

    domid = xlmem_find_domain(dom);
    if (xlmem_check_memtune(domid, params))
        return XLMEM_EXIT_FAIL;
    if (size)
        rc = mempolicy_domain_set_policy_target(xlmem_ctx(), domid,
                                                canonical, params, kb,
                                                false, true);
    else
        rc = mempolicy_domain_set_policy(xlmem_ctx(), domid, canonical,
                                         params);
    if (rc)
        return xlmem_write_err(rc, domid, "set the policy");
    /* The policy is valid whether or not its actor runs (it may start
     * later): a warning, and success. */
    xlmem_warn_actor_down(domid, canonical);
    return XLMEM_EXIT_OK;
}

int main_mem_policy_get(int argc, char **argv)
{
    mempolicy_policy p;
    uint32_t domid;
    int rc;

    while (xlmem_getopt(argc, argv, "", NULL, 1, 1) != -1)
        ;
    domid = xlmem_find_domain(argv[optind]);
    rc = mempolicy_domain_get_policy(xlmem_ctx(), domid, &p);
    if (rc)
        return xlmem_lib_err(rc, "cannot read the policy of %s",
                             xlmem_dom(domid));
    printf("actor:        %s\n", *p.actor ? p.actor : "(none)");
    printf("actor-params: %s\n", p.actor_params);
    if (p.has_target)
        printf("target:       %lluk\n", (unsigned long long)p.target_kb);
    else
        printf("target:       (none)\n");
    printf("enforce:      %d\n", p.enforce ? 1 : 0);
    mempolicy_policy_dispose(&p);
    return XLMEM_EXIT_OK;
}

int main_mem_policy_apply(int argc, char **argv)
{
    const char *cfg;
    char *actor = NULL, *params = NULL;
    uint32_t domid;
    int rc;

    while (xlmem_getopt(argc, argv, "", NULL, 1, 2) != -1)
        ;
    cfg = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (cfg && !*cfg) {
        xlmem_err("empty config file name");
        return XLMEM_EXIT_FAIL;
    }
    domid = xlmem_find_domain(argv[optind]);
    rc = mempolicy_config_policy(xlmem_ctx(), xlmem_global_config, cfg,
                                 &actor, &params);
    if (rc)
        return xlmem_lib_err(rc, "cannot read the memory policy from %s",
                             cfg ? XQ(cfg) : "the global config");
    if (xlmem_check_actor_params(actor, params)) {
        free(actor);
        free(params);
        return XLMEM_EXIT_FAIL;
    }
    rc = mempolicy_domain_set_policy(xlmem_ctx(), domid, actor, params);
    if (rc)
        xlmem_write_err(rc, domid, "set the policy");
    else
        xlmem_warn_actor_down(domid, actor);
    free(actor);
    free(params);
    return rc ? XLMEM_EXIT_FAIL : XLMEM_EXIT_OK;
}
