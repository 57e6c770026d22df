/*
 * xlmem_lowlevel.c: the proposal's "xl low level interface":
 * mem-balloon-{set,get}-target, mem-paging-{set,get}-target,
 * mem-paging-{enable,disable}, mem-sharing-{enable,disable}.
 *
 * The setters, and switching paging or sharing, are for experts and only
 * work while the domain's actor is xl-manual (otherwise an actor would
 * undo them at once; the library enforces it too); the refusal names the
 * domain's actor and the command that switches it.  Getters
 * print KiB with a "k" suffix, so that their output is exact and can be
 * given back to a setter unchanged.
 *
 * mem-paging-set-target manages paging as the proposal asks: a non-zero
 * target enables paging first when it is off (and turns it off again if
 * the target is then refused), 0 pages everything back in and disables
 * paging.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlmem.h"

#define MANUAL "xl-manual"

/* The refusal of a low-level setter, naming the actor in charge. */
static int not_manual(uint32_t domid, const char *dom, const char *actor)
{
    char who[MEMPOLICY_ACTOR_MAX + 32];

    if (*actor)
        snprintf(who, sizeof(who), "is managed by actor '%s'", actor);
    else
        snprintf(who, sizeof(who), "has no actor");
    xlmem_err("%s %s; low-level targets can only be set under "
              "actor " MANUAL " (switch with: xlmem mem-policy-set %s " MANUAL
              ")",
              xlmem_dom(domid), who, dom);
    return XLMEM_EXIT_FAIL;
}

/* 0 if the domain's actor is xl-manual, else 1 after saying why not. */
static int check_manual(uint32_t domid, const char *dom)
{
    mempolicy_policy p;
    int rc;

    rc = mempolicy_domain_get_policy(xlmem_ctx(), domid, &p);
    if (rc)
        return xlmem_lib_err(rc, "cannot read the policy of %s",
                             xlmem_dom(domid));
    rc = strcmp(p.actor, MANUAL) ? not_manual(domid, dom, p.actor) : 0;
    mempolicy_policy_dispose(&p);
    return rc;
}

/* Parse "<Domain> <size>" of a setter. */
static int setter_args(int argc, char **argv, uint32_t *domid, int64_t *kb,
                       bool *relative)
{
    while (xlmem_getopt(argc, argv, "", NULL, 2, 2) != -1)
        ;
    if (xlmem_parse_size_kb(argv[optind + 1], true, kb, relative))
        return XLMEM_EXIT_FAIL;
    *domid = xlmem_find_domain(argv[optind]);
    return check_manual(*domid, argv[optind]);
}

int main_mem_balloon_set_target(int argc, char **argv)
{
    uint32_t domid;
    int64_t kb;
    bool relative;
    int rc;

    if (setter_args(argc, argv, &domid, &kb, &relative))
        return XLMEM_EXIT_FAIL;
    rc = mempolicy_domain_set_balloon_target(xlmem_ctx(), domid, kb,
                                             relative);
    if (rc)
        return xlmem_lib_err(rc,
                             "cannot set the balloon target of "
                             "%s",
                             xlmem_dom(domid));
    return XLMEM_EXIT_OK;
}

int main_mem_paging_set_target(int argc, char **argv)
{
    mempolicy_ctx *ctx;
    mempolicy_dominfo info;
    uint32_t domid;
    int64_t kb;
    bool relative, enabled_here = false;
    int rc;

    if (setter_args(argc, argv, &domid, &kb, &relative))
        return XLMEM_EXIT_FAIL;
    ctx = xlmem_ctx();

    if (relative) {
        uint64_t cur;

        rc = mempolicy_domain_get_paging_target(ctx, domid, &cur);
        if (rc)
            return xlmem_lib_err(rc,
                                 "cannot read the paging target of "
                                 "%s",
                                 xlmem_dom(domid));
        if (kb < 0 && (uint64_t)-kb > cur) {
            xlmem_err("paging target %lluk %s would be negative",
                      (unsigned long long)cur, argv[optind + 1]);
            return XLMEM_EXIT_FAIL;
        }
        if (kb > 0 && (uint64_t)kb > (uint64_t)INT64_MAX - cur) {
            xlmem_err("paging target %lluk %s overflows",
                      (unsigned long long)cur, argv[optind + 1]);
            return XLMEM_EXIT_FAIL;
        }
        kb = (int64_t)cur + kb;
    }

    if (kb == 0) {
        rc = mempolicy_domain_set_paging_target(ctx, domid, 0, false);
        if (!rc)
            rc = mempolicy_domain_disable_paging(ctx, domid);
        if (rc)
            return xlmem_lib_err(rc, "cannot turn paging off for %s",
                                 xlmem_dom(domid));
        return XLMEM_EXIT_OK;
    }

    rc = mempolicy_domain_info(ctx, domid, &info);
    if (rc)
        return xlmem_lib_err(rc, "cannot read %s", xlmem_dom(domid));
    if (!info.paging) {
        rc = mempolicy_domain_enable_paging(ctx, domid);
        if (rc) {
            mempolicy_dominfo_dispose(&info);
            return xlmem_lib_err(rc, "cannot enable paging for %s",
                                 xlmem_dom(domid));
        }
        enabled_here = true;
    }
    mempolicy_dominfo_dispose(&info);

    rc = mempolicy_domain_set_paging_target(ctx, domid, kb, false);
    if (rc) {
        xlmem_lib_err(rc, "cannot set the paging target of %s",
                      xlmem_dom(domid));
        if (enabled_here)
            mempolicy_domain_disable_paging(ctx, domid);
        return XLMEM_EXIT_FAIL;
    }
    return XLMEM_EXIT_OK;
}

typedef int getter_fn(mempolicy_ctx *ctx, uint32_t domid, uint64_t *kb);

static int get_target(int argc, char **argv, getter_fn *fn, const char *what)
{
    uint32_t domid;
    uint64_t kb;
    int rc;

    while (xlmem_getopt(argc, argv, "", NULL, 1, 1) != -1)
        ;
    domid = xlmem_find_domain(argv[optind]);
    rc = fn(xlmem_ctx(), domid, &kb);
    if (rc)
        return xlmem_lib_err(rc, "cannot read the %s target of %s", what,
                             xlmem_dom(domid));
    printf("%lluk\n", (unsigned long long)kb);
    return XLMEM_EXIT_OK;
}

int main_mem_balloon_get_target(int argc, char **argv)
{
    return get_target(argc, argv, mempolicy_domain_get_balloon_target,
                      "balloon");
}

int main_mem_paging_get_target(int argc, char **argv)
{
    return get_target(argc, argv, mempolicy_domain_get_paging_target,
                      "paging");
}

typedef int switch_fn(mempolicy_ctx *ctx, uint32_t domid);

static int do_switch(int argc, char **argv, switch_fn *fn, const char *what)
{
    uint32_t domid;
    int rc;

    while (xlmem_getopt(argc, argv, "", NULL, 1, 1) != -1)
        ;
    domid = xlmem_find_domain(argv[optind]);
    if (check_manual(domid, argv[optind]))
        return XLMEM_EXIT_FAIL;
    rc = fn(xlmem_ctx(), domid);
    if (rc)
        return xlmem_lib_err(rc, "cannot %s for %s", what, xlmem_dom(domid));
    return XLMEM_EXIT_OK;
}

int main_mem_paging_enable(int argc, char **argv)
{
    return do_switch(argc, argv, mempolicy_domain_enable_paging,
                     "enable paging");
}

int main_mem_paging_disable(int argc, char **argv)
{
    return do_switch(argc, argv, mempolicy_domain_disable_paging,
                     "disable paging");
}

int main_mem_sharing_enable(int argc, char **argv)
{
    return do_switch(argc, argv, mempolicy_domain_enable_sharing,
                     "enable sharing");
}

int main_mem_sharing_disable(int argc, char **argv)
{
    return do_switch(argc, argv, mempolicy_domain_disable_sharing,
                     "disable sharing");
}
