/*
 * xlmem_memtune.c: mem-tune, libvirt's `virsh memtune` on Xen.
 *
 *   xlmem mem-tune <dom> [--hard-limit S] [--soft-limit S]
 *                        [--min-guarantee S] [--swap-hard-limit S]
 *
 * The four tunables are common policy params (libmempolicy_actor.h,
 * docs/memtune.md): with options they are merged into the domain's
 * actor-params, other keys kept, in one transaction that also checks them
 * against the actor's table, the memtune rules and the domain's
 * static-max (mempolicy_domain_update_params), so a refusal is one line
 * and the store stays as it was.  Without options the current values are
 * printed as virsh prints them ("%-15s: %s", KiB, "unlimited"; followed
 * from libvirt's tools/virsh-domain.c, cmdMemtune).  Sizes are xl's (MiB
 * without a suffix), as every size xlmem takes; -1 or "unlimited" removes
 * a limit, as virsh's -1 does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy_actor.h>

#include "xlmem.h"

enum { OPT_HARD = 1, OPT_SOFT, OPT_GUARANTEE, OPT_SWAP };

static const struct {
    const char *opt;
    const char *key;
} keys[] = {
    [OPT_HARD] = { "--hard-limit", "hard_limit" },
    [OPT_SOFT] = { "--soft-limit", "soft_limit" },
    [OPT_GUARANTEE] = { "--min-guarantee", "min_guarantee" },
    [OPT_SWAP] = { "--swap-hard-limit", "swap_hard_limit" },
};

/* Append "key=<kb>k" to set, or "key" to unset; 0 or -1 after a line. */
static int take(int which, const char *v, char *set, size_t setlen, char *unset,
                size_t unsetlen)
{
    int64_t kb;
    bool rel;
    char *buf = set;
    size_t n, len = setlen;
    char item[64];

    if (!strcmp(v, "-1") || !strcmp(v, "unlimited")) {
        if (which == OPT_GUARANTEE) {
            xlmem_err("%s %s: a guarantee cannot be unlimited (0 removes "
                      "it)",
                      keys[which].opt, XQ(v));
            return -1;
        }
        snprintf(item, sizeof(item), "%s", keys[which].key);
        buf = unset;
        len = unsetlen;
    } else if (v[0] == '-') {
        xlmem_err("%s %s: not a size (a size such as 512, 2g, or -1 / "
                  "unlimited for no limit)",
                  keys[which].opt, XQ(v));
        return -1;
    } else {
        if (xlmem_parse_size_kb(v, false, &kb, &rel))
            return -1;
        if (kb == 0 && which == OPT_GUARANTEE) {
            snprintf(item, sizeof(item), "%s", keys[which].key);
            buf = unset;
            len = unsetlen;
        } else {
            snprintf(item, sizeof(item), "%s=%lluk", keys[which].key,
                     (unsigned long long)kb);
        }
    }
    n = strlen(buf);
    snprintf(buf + n, len - n, "%s%s", n ? "," : "", item);
    return 0;
}

static void show(const char *field, uint64_t kb)
{
    if (kb == MEMPOLICY_MEMTUNE_UNLIMITED)
        printf("%-15s: unlimited\n", field);
    else
        printf("%-15s: %llu\n", field, (unsigned long long)kb);
}

int main_mem_tune(int argc, char **argv)
{
    static const struct option opts[] = {
        { "hard-limit", required_argument, NULL, OPT_HARD },
        { "soft-limit", required_argument, NULL, OPT_SOFT },
        { "min-guarantee", required_argument, NULL, OPT_GUARANTEE },
        { "swap-hard-limit", required_argument, NULL, OPT_SWAP },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    /* Each option at most once: four items of at most 40 bytes. */
    char set[256] = "", unset[128] = "";
    const char *given[5] = { NULL };
    const char *dom = NULL;
    mempolicy_policy p;
    mempolicy_memtune m;
    char err[200];
    uint32_t domid;
    int rc, opt, n = 0;

    /* virsh's order, "memtune <domain> [--hard-limit S]...", and xlmem's,
     * options first: options on either side of the domain. */
    for (;;) {
        while ((opt = xlmem_getopt(argc, argv, "", opts, dom ? 0 : 1,
                                   dom ? 0 : -1)) != -1) {
            if (given[opt]) {
                xlmem_err("%s given twice", keys[opt].opt);
                return XLMEM_EXIT_USAGE;
            }
            given[opt] = optarg;
            n++;
        }
        if (dom)
            break;
        dom = argv[optind++];
    }
    for (opt = OPT_HARD; opt <= OPT_SWAP; opt++)
        if (given[opt] &&
            take(opt, given[opt], set, sizeof(set), unset, sizeof(unset)))
            return XLMEM_EXIT_FAIL;

    domid = xlmem_find_domain(dom);
    if (n) {
        rc = mempolicy_domain_update_params(xlmem_ctx(), domid, set, unset);
        if (rc)
            return xlmem_write_err(rc, domid, "set the memory tunables");
        return XLMEM_EXIT_OK;
    }

    rc = mempolicy_domain_get_policy(xlmem_ctx(), domid, &p);
    if (rc)
        return xlmem_lib_err(rc, "cannot read the policy of %s",
                             xlmem_dom(domid));
    if (mempolicy_memtune_get(p.actor_params, &m, err, sizeof(err)))
        fprintf(stderr, "xlmem mem-tune: warning: %s's params: %s\n",
                xlmem_dom(domid), err);
    mempolicy_policy_dispose(&p);
    show("hard_limit", m.hard_limit_kb);
    show("soft_limit", m.soft_limit_kb);
    show("swap_hard_limit", m.swap_hard_limit_kb);
    show("min_guarantee", m.min_guarantee_kb);
    return XLMEM_EXIT_OK;
}
