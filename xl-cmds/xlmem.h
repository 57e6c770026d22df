/*
 * xlmem.h: what the subcommand files of xlmem share.
 *
 * xlmem is one program with xl's shape: a table of subcommands (xlmem.c),
 * each implemented in the file of its group (xlmem_policy.c,
 * xlmem_target.c, xlmem_lowlevel.c, xlmem_list.c, xlmem_watch.c,
 * xlmem_create.c), on top of a few helpers (xlmem_util.c) that give every
 * subcommand the same argument rules and the same one-line errors.
 *
 * Exit status, as xl: 0 success, 1 failure, 2 usage error; and 3 when
 * `mem-set --wait` ran out of time before the domain reached its target.
 *
 * The library context is made lazily (xlmem_ctx()), after the arguments
 * are checked, so that a usage error never needs a store.
 */
#ifndef XLMEM_H
#define XLMEM_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include <libmempolicy.h>

#define XLMEM_EXIT_OK 0
#define XLMEM_EXIT_FAIL 1
#define XLMEM_EXIT_USAGE 2
#define XLMEM_EXIT_TIMEOUT 3

struct xlmem_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *desc;
    const char *usage;
    const char *options; /* NULL: none besides -h */
};

/* The command table (xlmem.c). */
extern const struct xlmem_cmd xlmem_cmds[];
extern const int xlmem_ncmds;
const struct xlmem_cmd *xlmem_cmd_lookup(const char *name);
void xlmem_help(const char *cmd);

/* Global options (xlmem.c). */
extern const char *xlmem_global_config; /* -c FILE, or NULL */
extern int xlmem_verbose;
/* The subcommand being run, for error messages. */
extern const char *xlmem_cmdname;

/* ---- xlmem_util.c ------------------------------------------------------ */

/*
 * getopt for a subcommand: options must come before the arguments (so
 * that "mem-set d -512" is a size, not options), -h prints the usage and
 * exits 0, an unknown option or a count of arguments outside
 * [minargs, maxargs] (maxargs -1: no limit) prints one line and exits 2.
 * Returns each option as getopt_long does, then -1.
 */
int xlmem_getopt(int argc, char **argv, const char *optstring,
                 const struct option *longopts, int minargs, int maxargs);

/* The library context; on failure prints one line and exits 1. */
mempolicy_ctx *xlmem_ctx(void);
/* Free the context (atexit). */
void xlmem_ctx_free(void);

/* Untrusted text (arguments, config values, store nodes) in a message:
 * escaped and bounded by the library's one quoting rule. */
#define XQ(s) MEMPOLICY_QUOTE(s)

/* "xlmem <cmd>: <message>\n" on stderr. */
void xlmem_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * "xlmem <cmd>: <what>: <library's last error>\n"; returns 1.
 */
int xlmem_lib_err(int rc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The failure of a policy write to a domain: "cannot <what> of <dom>:
 * <detail>", and for FAIL (a node holding garbage) the repair, a write
 * of all four nodes (mem-policy-set -t).  Returns 1.
 */
int xlmem_write_err(int rc, uint32_t domid, const char *what);

/*
 * A domain named by name or id, as xl does it; on failure prints one line
 * and exits 1.
 */
uint32_t xlmem_find_domain(const char *qualifier);
/*
 * A domain as the admin named it, for messages: "guest1" if looked up by
 * that name (escaped, bounded), "domain 5" if by id or not looked up.
 * Static storage, valid until exit.
 */
const char *xlmem_dom(uint32_t domid);

/*
 * Sizes as xl: decimal digits, then an optional suffix b (bytes), k
 * (KiB), m (MiB, the default), g (GiB), t (TiB), any case.  With
 * allow_sign a leading + or - makes the size relative (*relative true,
 * *kb negative for -).  Bytes are rounded down to KiB as xl does.
 * Returns 0, or -1 after printing why the size is bad.
 */
int xlmem_parse_size_kb(const char *s, bool allow_sign, int64_t *kb,
                        bool *relative);

/*
 * The params of a shipped actor (xl-auto, xl-manual, sharing) checked
 * against the keys and value types it reads; other actors pass.  0, or
 * -1 after printing the problem.  (xlmem_actors.c)
 */
int xlmem_check_actor_params(const char *actor, const char *params);
/*
 * The memtune rules of params (docs/memtune.md) against the domain's
 * static-max.  0, or -1 after printing the problem.  (xlmem_actors.c)
 */
int xlmem_check_memtune(uint32_t domid, const char *params);

/* ---- xlmem_explain.c: who serves a domain, and why it is where it is -- */

/* What explains a domain: its info, its actor's status, the host. */
struct xlmem_facts {
    mempolicy_dominfo info;
    mempolicy_status st;
    mempolicy_physinfo host;
    bool have_host;
};
/* 0, or 1 after printing why (xlmem_lib_err). */
int xlmem_facts_read(uint32_t domid, struct xlmem_facts *f);
void xlmem_facts_dispose(struct xlmem_facts *f);
/*
 * One line saying why the domain is where it is relative to target_kb
 * (no actor, actor not running, at target, host out of memory, stuck,
 * the actor's own status).  still_s > 0: the caller saw the actual size
 * stand still that long (host seconds).
 */
void xlmem_verdict(const struct xlmem_facts *f, uint64_t target_kb,
                   unsigned long still_s, char *buf, size_t len);
/* "xl-auto, running as pid 812" / "..., NOT running (...)" / "none". */
void xlmem_actor_state(const mempolicy_status *st, char *buf, size_t len);
/* mem-list's Status column: the actor's line, "actor not running", ... */
void xlmem_status_column(const mempolicy_dominfo *i, const mempolicy_status *st,
                         char *buf, size_t len);
/* After a policy change: a warning line if the actor does not run.
 * 0, or 1 after printing why it cannot tell. */
int xlmem_warn_actor_down(uint32_t domid, const char *actor);

/* The smallest target mem-set takes without --force (xlmem_target.c). */
#define XLMEM_MIN_TARGET_KB (16 * 1024)
int xlmem_target_too_small(uint32_t domid, int64_t kb, bool relative);

/* A size for people: KiB to the nearest MiB below, as xl list does. */
static inline unsigned long long xlmem_mib(uint64_t kb)
{
    return (unsigned long long)(kb / 1024);
}

/* ---- subcommands ------------------------------------------------------- */

int main_mem_set(int argc, char **argv);
int main_mem_policy_set(int argc, char **argv);
int main_mem_policy_get(int argc, char **argv);
int main_mem_policy_apply(int argc, char **argv);
int main_mem_balloon_set_target(int argc, char **argv);
int main_mem_balloon_get_target(int argc, char **argv);
int main_mem_paging_set_target(int argc, char **argv);
int main_mem_paging_get_target(int argc, char **argv);
int main_mem_paging_enable(int argc, char **argv);
int main_mem_paging_disable(int argc, char **argv);
int main_mem_sharing_enable(int argc, char **argv);
int main_mem_sharing_disable(int argc, char **argv);
int main_mem_list(int argc, char **argv);
int main_mem_explain(int argc, char **argv);
int main_mem_top(int argc, char **argv);
int main_mem_watch(int argc, char **argv);
int main_create(int argc, char **argv);
int main_mem_reserve(int argc, char **argv);
int main_mem_release(int argc, char **argv);
int main_mem_reservations(int argc, char **argv);
int main_mem_policy_params(int argc, char **argv);
int main_mem_tune(int argc, char **argv);
int main_mem_group_set(int argc, char **argv);
int main_mem_group_list(int argc, char **argv);
int main_mem_group_rm(int argc, char **argv);

#endif
