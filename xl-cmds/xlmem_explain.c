/*
 * xlmem_explain.c: who serves a domain, and why it is where it is.
 *
 * mem-explain prints the domain's actor, whether that actor runs, the
 * status line it publishes (libmempolicy's "who serves what"), and the
 * facts behind them: policy target, balloon target, actual, paged,
 * shared, maxmem, static-max and the host's free memory, then a verdict.
 * The verdict is the same one `mem-set --wait` gives when its time runs
 * out and the one mem-list's Status column falls back on, so the three
 * never disagree: it lives here, once (xlmem_verdict).
 *
 * The verdict, first match wins (a domain held at its memtune limit
 * says so, docs/memtune.md):
 *   actor not running              its daemon is down (or died: the pid)
 *   at target                      the library says so (mempolicy_target_cmp)
 *   held at its hard limit         the target is above hard_limit - 1 MiB
 *                                  and the domain is at that cap
 *   held at its guarantee          the target is below min_guarantee and
 *                                  the domain is at that floor
 *   host out of memory             growing needs more than the host has
 *   stuck                          the caller saw no progress for a while
 *   no actor                       nothing but the balloon driver moves it
 *   the actor's status line        what the actor says it is doing
 *   ballooning                     actual and balloon target, as they are
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy_actor.h>

#include "xlmem.h"


int xlmem_facts_read(uint32_t domid, struct xlmem_facts *f)
{
    mempolicy_ctx *ctx = xlmem_ctx();
    int rc;

    memset(f, 0, sizeof(*f));
    rc = mempolicy_domain_info(ctx, domid, &f->info);
    if (rc)
        return xlmem_lib_err(rc, "cannot read %s", xlmem_dom(domid));
    rc = mempolicy_domain_get_status(ctx, domid, &f->st);
    if (rc) {
        mempolicy_dominfo_dispose(&f->info);
        return xlmem_lib_err(rc, "cannot read the status of %s",
                             xlmem_dom(domid));
    }
    /* Host figures are a bonus: a host that cannot say still explains. */
    f->have_host = !mempolicy_get_physinfo(ctx, &f->host);
    return 0;
}

void xlmem_facts_dispose(struct xlmem_facts *f)
{
    mempolicy_dominfo_dispose(&f->info);
    mempolicy_status_dispose(&f->st);
}

/* The target the domain is heading for: the policy's, else the balloon's
 * (as a target: video RAM included). */
static uint64_t goal_kb(const mempolicy_dominfo *i)
{
    return i->policy.has_target ? i->policy.target_kb
                                : i->balloon_target_kb + i->videoram_kb;
}

/* Reached: the library's verdict (as mem-set --wait), never by hand. */
static bool at_target(const mempolicy_dominfo *i, uint64_t target_kb)
{
    return mempolicy_target_cmp(target_kb, i->videoram_kb, i->actual_kb) == 0;
}

void xlmem_actor_state(const mempolicy_status *st, char *buf, size_t len)
{
    if (!st->actor[0])
        snprintf(buf, len, "none");
    else if (st->running)
        snprintf(buf, len, "%s, running as pid %d", st->actor, (int)st->pid);
    else if (st->pid)
        snprintf(buf, len,
                 "%s, NOT running (pid %d died without cleaning "
                 "up)",
                 st->actor, (int)st->pid);
    else
        snprintf(buf, len,
                 "%s, NOT running (no such daemon announced "
                 "itself)",
                 st->actor);
}

void xlmem_verdict(const struct xlmem_facts *f, uint64_t target_kb,
                   unsigned long still_s, char *buf, size_t len)
{
    const mempolicy_dominfo *i = &f->info;
    const mempolicy_status *st = &f->st;

    mempolicy_memtune m;
    uint64_t lo, hi;

    mempolicy_memtune_get(i->policy.actor_params, &m, NULL, 0);
    mempolicy_memtune_range(&m, UINT64_MAX, 0, &lo, &hi);
    if (st->actor[0] && !st->running) {
        snprintf(buf, len, "actor %s is not running%s", st->actor,
                 st->pid ? " (it died without cleaning up)" : "");
    } else if (at_target(i, target_kb)) {
        snprintf(buf, len, "at target");
    } else if (target_kb > hi && at_target(i, hi)) {
        snprintf(buf, len,
                 "held at its hard limit: hard_limit %llu MiB allows a "
                 "target of at most %llu MiB (maxmem = target + 1 MiB); "
                 "raise it with mem-tune",
                 xlmem_mib(m.hard_limit_kb), xlmem_mib(hi));
    } else if (target_kb < lo && at_target(i, lo)) {
        snprintf(buf, len,
                 "held at its guarantee: min_guarantee %llu MiB; lower "
                 "it with mem-tune", xlmem_mib(lo));
    } else if (f->have_host && target_kb > i->actual_kb &&
               target_kb - i->actual_kb > f->host.free_kb) {
        snprintf(buf, len,
                 "host out of memory: the domain needs %llu MiB "
                 "more, the host has %llu MiB free",
                 xlmem_mib(target_kb - i->actual_kb),
                 xlmem_mib(f->host.free_kb));
    } else if (still_s) {
        snprintf(buf, len,
                 "stuck: no progress for %lu s (balloon target "
                 "%llu MiB, actual %llu MiB%s)",
                 still_s, xlmem_mib(i->balloon_target_kb),
                 xlmem_mib(i->actual_kb),
                 i->balloon_target_kb < i->actual_kb ?
                     ": the guest's balloon driver does not give memory "
                     "back" :
                     "");
    } else if (!st->actor[0]) {
        snprintf(buf, len,
                 "no actor: only the guest's balloon driver moves "
                 "it (balloon target %llu MiB)",
                 xlmem_mib(i->balloon_target_kb));
    } else if (st->text[0]) {
        snprintf(buf, len, "%s says: %s", st->actor, st->text);
    } else {
        snprintf(buf, len,
                 "ballooning: actual %llu MiB, balloon target "
                 "%llu MiB",
                 xlmem_mib(i->actual_kb), xlmem_mib(i->balloon_target_kb));
    }
}

void xlmem_status_column(const mempolicy_dominfo *i, const mempolicy_status *st,
                         char *buf, size_t len)
{
    if (!st->actor[0])
        snprintf(buf, len, "-");
    else if (!st->running)
        snprintf(buf, len, "actor not running");
    else if (st->text[0])
        snprintf(buf, len, "%s", st->text);
    else
        snprintf(buf, len, "%s",
                 at_target(i, goal_kb(i)) ?
                     "at target" :
                     "-");
}

int xlmem_warn_actor_down(uint32_t domid, const char *actor)
{
    bool running = true;
    int rc;

    if (!actor || !actor[0])
        return 0;
    rc = mempolicy_actor_running(xlmem_ctx(), actor, &running);
    if (rc)
        return xlmem_lib_err(rc, "cannot tell whether actor %s runs", actor);
    if (!running)
        xlmem_err("warning: no actor '%s' is running: %s's memory "
                  "stays as it is until one starts",
                  actor, xlmem_dom(domid));
    return 0;
}

static void row(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void row(const char *key, const char *fmt, ...)
{
    va_list ap;

    printf("%-16s ", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* The memtune values set (docs/memtune.md), as mem-tune names them. */
static void memtune_row(const char *params)
{
    mempolicy_memtune m;
    char line[256] = "";
    size_t n;

    mempolicy_memtune_get(params, &m, NULL, 0);
    if (m.hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED)
        snprintf(line, sizeof(line), "hard_limit %llu MiB",
                 xlmem_mib(m.hard_limit_kb));
    n = strlen(line);
    if (m.soft_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED)
        snprintf(line + n, sizeof(line) - n, "%ssoft_limit %llu MiB",
                 n ? ", " : "", xlmem_mib(m.soft_limit_kb));
    n = strlen(line);
    if (m.min_guarantee_kb)
        snprintf(line + n, sizeof(line) - n, "%smin_guarantee %llu MiB",
                 n ? ", " : "", xlmem_mib(m.min_guarantee_kb));
    n = strlen(line);
    if (m.swap_hard_limit_kb != MEMPOLICY_MEMTUNE_UNLIMITED)
        snprintf(line + n, sizeof(line) - n, "%sswap_hard_limit %llu MiB",
                 n ? ", " : "", xlmem_mib(m.swap_hard_limit_kb));
    n = strlen(line);
    if (m.group[0])
        snprintf(line + n, sizeof(line) - n, "%sgroup %s", n ? ", " : "",
                 m.group);
    if (line[0])
        row("memtune:", "%s", line);
}

int main_mem_explain(int argc, char **argv)
{
    struct xlmem_facts f;
    const mempolicy_dominfo *i = &f.info;
    const mempolicy_policy *p = &f.info.policy;
    char line[512];
    uint32_t domid;

    while (xlmem_getopt(argc, argv, "", NULL, 1, 1) != -1)
        ;
    domid = xlmem_find_domain(argv[optind]);
    if (xlmem_facts_read(domid, &f))
        return XLMEM_EXIT_FAIL;

    row("domain:", "%s (%u)%s", i->name && i->name[0] ? XQ(i->name) : "-",
        domid, i->dying ? ", dying" : "");
    xlmem_actor_state(&f.st, line, sizeof(line));
    row("actor:", "%s", line);
    if (p->actor_params[0])
        row("actor-params:", "%s", p->actor_params);
    row("status:", "%s", f.st.text[0] ? f.st.text : "-");
    if (p->has_target)
        row("target:", "%llu MiB%s", xlmem_mib(p->target_kb),
            p->enforce ? " (enforced)" : "");
    else
        row("target:", "none set");
    row("balloon target:", "%llu MiB", xlmem_mib(i->balloon_target_kb));
    row("actual:", "%llu MiB", xlmem_mib(i->actual_kb));
    row("paged:", "%llu MiB%s", xlmem_mib(i->paged_kb),
        i->paging ? " (paging on)" : "");
    row("shared:", "%llu MiB%s", xlmem_mib(i->shared_kb),
        i->sharing ? " (sharing on)" : "");
    row("maxmem:", "%llu MiB (static-max %llu MiB)", xlmem_mib(i->maxmem_kb),
        xlmem_mib(i->static_max_kb));
    memtune_row(p->actor_params);
    if (f.have_host)
        row("host free:", "%llu MiB of %llu MiB", xlmem_mib(f.host.free_kb),
            xlmem_mib(f.host.total_kb));
    xlmem_verdict(&f, goal_kb(i), 0, line, sizeof(line));
    row("verdict:", "%s", line);
    xlmem_facts_dispose(&f);
    return XLMEM_EXIT_OK;
}
