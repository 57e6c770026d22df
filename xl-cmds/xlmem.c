/*
 * xlmem.c: entry point and command table of xlmem, the xl-style memory
 * commands.
 *
 * xl itself cannot be extended, so the memory-policy commands live in one
 * program that looks like xl: `xlmem [global options] <subcommand> ...`,
 * a table of subcommands with xl's usage texts, `xlmem help [cmd]` and
 * `<subcommand> -h`.  Global options come before the subcommand:
 *   -v                 show the library's log messages on stderr
 *   -c, --config FILE  the xl.conf to read the default memory_policy from
 *                      (default: $MEMPOLICY_XL_CONF, else /etc/xen/xl.conf)
 *   -V, --version      print the version (mempolicy_version()) and exit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlmem.h"

const char *xlmem_global_config;
int xlmem_verbose;
const char *xlmem_cmdname = "";

#define SIZE_USAGE "<MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>"

const struct xlmem_cmd xlmem_cmds[] = {
    { "mem-set", main_mem_set,
      "Set the memory target of a domain (enforced, as xl mem-set)",
      "[options] <Domain> [+|-]" SIZE_USAGE,
      "-w SECONDS, --wait[=SECONDS]\n"
      "                        Follow the domain until its actual memory\n"
      "                        reaches the target (bare --wait: 60 s of\n"
      "                        host time); exit status 3 if time runs out.\n"
      "                        -w always takes a value; --wait only as\n"
      "                        --wait=SECONDS.\n"
      "-f, --force             Set a target below 16 MiB, which no guest\n"
      "                        can run in (refused without it).\n"
      "A leading + or - changes the target relative to the current one." },
    { "mem-policy-set", main_mem_policy_set,
      "Set the memory policy actor of a domain",
      "[-t SIZE] <Domain> <Actor> [<ParamString>]",
      "-t, --target=SIZE       Also set the target (enforced, as mem-set):\n"
      "                        all four policy nodes are written at once,\n"
      "                        which repairs nodes holding garbage.\n"
      "<Actor> is an actor name ([a-z0-9-], not starting with -; \"xl\"\n"
      "means \"xl-auto\"), or \"\" for no actor; <ParamString> is\n"
      "key=value[,key=value...] (xlmem mem-policy-params ACTOR lists the\n"
      "keys of a shipped actor)." },
    { "mem-policy-get", main_mem_policy_get,
      "Show the memory policy of a domain", "<Domain>", NULL },
    { "mem-policy-apply", main_mem_policy_apply,
      "Apply memory_policy/memory_policy_args from a config file",
      "<Domain> [<ConfigFile>]",
      "Without <ConfigFile>, the global default from xl.conf is applied\n"
      "(see the global option -c)." },
    { "mem-tune", main_mem_tune,
      "Get or set the memory tunables of a domain, as virsh memtune",
      "<Domain> [--hard-limit S] [--soft-limit S] [--min-guarantee S] "
      "[--swap-hard-limit S]",
      "--hard-limit=SIZE       The cap: Xen's maxmem never above it, so no\n"
      "                        target above SIZE less 1 MiB (libxl's slack).\n"
      "--soft-limit=SIZE       Under contention the balancer takes the\n"
      "                        domain down to this first.\n"
      "--min-guarantee=SIZE    The floor: no target below it, and no start\n"
      "                        or reservation that would break it.\n"
      "--swap-hard-limit=SIZE  The most an actor may page out of it.\n"
      "Sizes as xl (MiB without a suffix); -1 or unlimited removes a limit,\n"
      "0 removes the guarantee.  Without options, prints the values as\n"
      "virsh memtune does (KiB).  They are common params of every actor\n"
      "(docs/memtune.md), kept with the domain's other actor-params." },
    { "mem-policy-params", main_mem_policy_params,
      "List the shipped actors, or the parameters an actor takes",
      "[<Actor>]", NULL },
    { "mem-balloon-set-target", main_mem_balloon_set_target,
      "Set the balloon target of a domain (actor xl-manual only)",
      "<Domain> [+|-]" SIZE_USAGE, NULL },
    { "mem-balloon-get-target", main_mem_balloon_get_target,
      "Show the balloon target of a domain, in KiB", "<Domain>", NULL },
    { "mem-paging-set-target", main_mem_paging_set_target,
      "Set the paging target of a domain (actor xl-manual only)",
      "<Domain> [+|-]" SIZE_USAGE,
      "A target of 0 pages everything back in and disables paging; a\n"
      "non-zero target enables paging first if needed." },
    { "mem-paging-get-target", main_mem_paging_get_target,
      "Show the paging target of a domain, in KiB", "<Domain>", NULL },
    { "mem-paging-enable", main_mem_paging_enable,
      "Enable paging for a domain (starts its pager)", "<Domain>", NULL },
    { "mem-paging-disable", main_mem_paging_disable,
      "Disable paging for a domain (pages everything back in)", "<Domain>",
      NULL },
    { "mem-sharing-enable", main_mem_sharing_enable,
      "Enable page sharing for a domain", "<Domain>", NULL },
    { "mem-sharing-disable", main_mem_sharing_disable,
      "Disable page sharing for a domain (shared pages stay so until written)",
      "<Domain>", NULL },
    { "mem-list", main_mem_list, "List the memory policy and memory of domains",
      "[options] [Domain ...]",
      "-j, --json              Print JSON instead of a table: an object\n"
      "                        {\"host\": {total_kb, free_kb, ...},\n"
      "                        \"domains\": [...]}, sizes in KiB.\n"
      "The table shows sizes in MiB, one row per domain (a domain whose\n"
      "nodes hold garbage is marked !garbage, with the repair), then the\n"
      "host's total and free memory." },
    { "mem-explain", main_mem_explain,
      "Show who serves a domain's memory, its status and why", "<Domain>",
      "Prints the domain's actor and whether it runs, the status line the\n"
      "actor publishes, the figures behind it (targets, actual, paged,\n"
      "shared, host free memory) and a one-line verdict." },
    { "mem-top", main_mem_top,
      "Show the host's and the domains' memory live, as xentop",
      "[options]",
      "-b, --batch             Plain text frames on stdout (for scripts).\n"
      "-d, --delay=SECONDS     Refresh interval (default 3; 0.1 to 86400).\n"
      "-i, --iterations=N      Stop after N frames (batch mode).\n"
      "-s, --sort=COLUMN       Sort by name, id (default), actor, target,\n"
      "                        actual, balloon, paged, shared, used, status.\n"
      "-r, --reverse           Reverse the order.\n"
      "Keys: q quit; s next sort column; r reverse; n i a t c b p h u sort\n"
      "by name, id, actor, target, actual, balloon, paged, shared, used;\n"
      "arrows scroll.  Sizes in MiB; Used is what the guest reports in\n"
      "memory/meminfo (\"?\": implausible, \"-\": none).  Redraws at once\n"
      "when a domain comes, goes or changes its policy." },
    { "mem-watch", main_mem_watch,
      "Print memory policy events until interrupted", "[options]",
      "-j, --json              One compact JSON object per line per event.\n"
      "Ends with status 0 on SIGINT/SIGTERM, 1 if the store goes away." },
    { "mem-reserve", main_mem_reserve,
      "Reserve host memory for a domain about to be created",
      "[options] <Size>",
      "-t, --timeout=SECONDS   Refused unless granted within this (30).\n"
      "-l, --lifetime=SECONDS  Kept this long after the grant once this\n"
      "                        command has exited (300).\n"
      "The balance actor frees the memory from the domains it manages and\n"
      "grants it; prints the reservation's id.  Hand it to the new domain\n"
      "(xlmem create does) or end it with mem-release.  Sizes as mem-set\n"
      "(MiB by default)." },
    { "mem-release", main_mem_release, "End a memory reservation", "<Id>",
      NULL },
    { "mem-reservations", main_mem_reservations,
      "List the memory reservations", "[options]",
      "-j, --json              Print JSON instead of a table." },
    { "mem-group-set", main_mem_group_set,
      "Create or change a memory group (a budget shared by its domains)",
      "<Group> budget=" SIZE_USAGE " [weight=N]",
      "The balance actor keeps the domains whose params say group=<Group>\n"
      "within the budget together, and under contention shares memory\n"
      "between the groups and the domains of no group by weight (1..100,\n"
      "1 for a new group), then within a group by each domain's weight.\n"
      "<Group>: 1 to 64 characters of a-z, 0-9, _ and -, starting with a\n"
      "letter or a digit.  The budget may not be below the min_guarantee\n"
      "of the group's domains; without budget= only the weight changes." },
    { "mem-group-list", main_mem_group_list, "List the memory groups",
      "[options]",
      "-j, --json              Print JSON instead of a table." },
    { "mem-group-rm", main_mem_group_rm,
      "Remove a memory group that no domain is in", "<Group>", NULL },
    { "create", main_create,
      "Create a domain from a config file and apply its memory policy",
      "<ConfigFile> [xl create options] [vars]",
      "On a Xen host runs `xl create` with the same arguments, then\n"
      "applies the file's memory_policy; on the simulated host asks it\n"
      "to create the domain." },
};
const int xlmem_ncmds = sizeof(xlmem_cmds) / sizeof(xlmem_cmds[0]);

const struct xlmem_cmd *xlmem_cmd_lookup(const char *name)
{
    int i;

    for (i = 0; i < xlmem_ncmds; i++) {
        if (!strcmp(xlmem_cmds[i].name, name))
            return &xlmem_cmds[i];
    }
    return NULL;
}

void xlmem_help(const char *name)
{
    const struct xlmem_cmd *cmd;
    int i;

    if (!name) {
        printf("Usage: xlmem [-v] [-c FILE] <subcommand> [args]\n\n"
               "xlmem full list of subcommands:\n\n");
        for (i = 0; i < xlmem_ncmds; i++)
            printf(" %-24s %s\n", xlmem_cmds[i].name, xlmem_cmds[i].desc);
        printf("\nGlobal options:\n"
               " -v                       Verbose: library messages "
               "on stderr.\n"
               " -c FILE, --config FILE   Global config file "
               "(default $MEMPOLICY_XL_CONF,\n"
               "                          else %s).\n"
               " -V, --version            Print the version and exit.\n",
               "/etc/xen/xl.conf");
        return;
    }
    cmd = xlmem_cmd_lookup(name);
    if (!cmd) {
        printf("command \"%s\" not implemented\n", name);
        return;
    }
    printf("Usage: xlmem %s %s\n\n%s.\n\n", cmd->name, cmd->usage, cmd->desc);
    printf("Options:\n\n-h                      Print this help.\n");
    if (cmd->options)
        printf("%s\n", cmd->options);
}

static int main_help(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "xlmem help: too many arguments\n");
        return XLMEM_EXIT_USAGE;
    }
    if (argc == 2 && !xlmem_cmd_lookup(argv[1])) {
        fprintf(stderr, "xlmem help: unknown subcommand '%s'\n",
                XQ(argv[1]));
        return XLMEM_EXIT_USAGE;
    }
    xlmem_help(argc == 2 ? argv[1] : NULL);
    return XLMEM_EXIT_OK;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const struct xlmem_cmd *cmd;
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+vc:hV", opts, NULL)) != -1) {
        switch (opt) {
        case 'v':
            xlmem_verbose++;
            break;
        case 'c':
            xlmem_global_config = optarg;
            break;
        case 'h':
            xlmem_help(NULL);
            return XLMEM_EXIT_OK;
        case 'V':
            printf("xlmem (libmempolicy) %s\n", mempolicy_version());
            return XLMEM_EXIT_OK;
        default:
            if (optopt)
                fprintf(stderr, "xlmem: unknown global option '-%c'\n",
                        optopt);
            else
                fprintf(stderr, "xlmem: unknown or incomplete global "
                        "option '%s'\n", argv[optind - 1]);
            return XLMEM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "xlmem: no subcommand (try 'xlmem help')\n");
        return XLMEM_EXIT_USAGE;
    }
    if (xlmem_global_config && !*xlmem_global_config) {
        fprintf(stderr, "xlmem: empty file name for -c/--config\n");
        return XLMEM_EXIT_USAGE;
    }
    /* A file named with -c must be there, whatever the subcommand (most
     * do not read it): a typo is never passed over in silence. */
    if (xlmem_global_config && access(xlmem_global_config, R_OK)) {
        fprintf(stderr, "xlmem: -c %s: cannot read: %s\n",
                XQ(xlmem_global_config), strerror(errno));
        return XLMEM_EXIT_FAIL;
    }

    argc -= optind;
    argv += optind;
    optind = 0; /* glibc: re-initialise getopt for the subcommand */
    atexit(xlmem_ctx_free);

    if (!strcmp(argv[0], "help"))
        return main_help(argc, argv);
    cmd = xlmem_cmd_lookup(argv[0]);
    if (!cmd) {
        fprintf(stderr, "xlmem: unknown subcommand '%s' (try 'xlmem help')\n",
                XQ(argv[0]));
        return XLMEM_EXIT_USAGE;
    }
    xlmem_cmdname = cmd->name;
    return cmd->fn(argc, argv);
}
