/*
 * report.c: the sharing actor's figures in xenstore.
 *
 *   /libxl/<domid>/memory-sharing/{shared_kb,saved_kb,cow_breaks,scanned,
 *                                  progress,passes,mismatches}
 *   /tool/mempolicy/sharing/{shared_kb,saved_kb,cow_breaks,scanned,
 *                            domains,scanning,index_entries,mismatches}
 *
 * Deliberately NOT under memory-policy/: a change there is a policy
 * event for every listener.  Both trees are dom0's (toolstack-private:
 * /libxl is not readable by guests, and /tool/mempolicy/sharing is
 * created dom0-only).  Each set is written in one transaction, so `xlmem
 * mem-list` never shows figures of different moments, and only when it
 * changed, so a quiet host costs no writes.  Meaning:
 *   shared_kb   the domain's memory backed by shared frames (hypervisor)
 *   saved_kb    memory freed by sharing this domain's pages into others
 *   cow_breaks  copy-on-write breaks since the actor took the domain
 *   scanned     pages fingerprinted so far; progress: % of the current
 *               pass (100 when none is under way); passes: completed
 *   mismatches  pages whose 64-bit hash matched an indexed page but whose
 *               bytes did not (a collision, perhaps crafted): never shared
 * The domain's status line (libmempolicy_actor.h) is published from
 * here too.
 * Host: shared_kb and saved_kb are the hypervisor's (physinfo), the rest
 * are sums over the actor's domains.  The figures describe a running
 * actor: a clean exit removes them (a restarted actor rewrites them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <xenstore.h>

#include "sharing.h"

#define HOST_DIR "/tool/mempolicy/sharing"

static struct xs_handle *xs(struct sharing_actor *s)
{
    if (!s->xs) {
        s->xs = xs_open(0);
        if (!s->xs && s->a)
            mempolicy_actor_log(s->a, XTL_ERROR, "reports: cannot open "
                                "xenstore: %s", strerror(errno));
    }
    return s->xs;
}

void report_host_remove(struct sharing_actor *s)
{
    struct xs_handle *h = xs(s);

    if (h)
        xs_rm(h, XBT_NULL, HOST_DIR);
}

void report_close(struct sharing_actor *s)
{
    if (s->xs)
        xs_close(s->xs);
    s->xs = NULL;
}

struct kv {
    const char *key;
    uint64_t val;
};

/* Write dir/key = val for each pair in one transaction (retried). */
static bool write_set(struct sharing_actor *s, const char *dir,
                      const struct kv *kv, unsigned n)
{
    struct xs_handle *h = xs(s);
    int tries;

    if (!h)
        return false;
    for (tries = 0; tries < 8; tries++) {
        xs_transaction_t t = xs_transaction_start(h);
        char path[128], val[24];
        unsigned i;
        bool ok = true;

        if (t == XBT_NULL)
            break;
        for (i = 0; i < n && ok; i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, kv[i].key);
            snprintf(val, sizeof(val), "%" PRIu64, kv[i].val);
            ok = xs_write(h, t, path, val, strlen(val));
        }
        if (!ok) {
            xs_transaction_end(h, t, true);
            break;
        }
        if (xs_transaction_end(h, t, false))
            return true;
        if (errno != EAGAIN)
            break;
    }
    mempolicy_actor_log(s->a, XTL_DEBUG, "reports: writing %s: %s", dir,
                        strerror(errno));
    return false;
}

static bool changed(char *cache, size_t len, const struct kv *kv,
                    unsigned n)
{
    char now[256];
    size_t off = 0;
    unsigned i;

    for (i = 0; i < n && off < sizeof(now); i++)
        off += (size_t)snprintf(now + off, sizeof(now) - off, "%" PRIu64 ",",
                                kv[i].val);
    if (!strncmp(cache, now, len))
        return false;
    snprintf(cache, len, "%s", now);
    return true;
}

/*
 * The domain's status line (the kit writes it only when it changes):
 * what sharing did and where the balloon stands, e.g.
 * "scanning 42%, saved 120 MiB; balloon target 900 MiB".
 */
static void status_domain(struct sharing_actor *s, struct sdom *d,
                          const struct shr_dom_stats *st)
{
    char share[96], tail[64] = "";

    if (d->held) {
        /* Why its pages are left alone (sharing.c, frames_ok). */
        if (d->held_pod_kb)
            snprintf(share, sizeof(share), "not hashed: %" PRIu64 " MiB "
                     "of populate-on-demand entries",
                     (d->held_pod_kb + 1023) / 1024);
        else
            snprintf(share, sizeof(share), "not hashed: %" PRIu64 " MiB "
                     "paged out", (d->held_paged_kb + 1023) / 1024);
    }
    if (!d->has_target) {
        if (d->held) {
            mempolicy_actor_set_status(s->a, d->domid, "%s", share);
            return;
        }
        mempolicy_actor_set_status(s->a, d->domid, "no target yet");
        return;
    }
    if (d->held)
        ;
    else if (d->share_unavailable)
        snprintf(share, sizeof(share), "sharing unavailable");
    else if (st->scanning)
        snprintf(share, sizeof(share),
                 "scanning %" PRIu64 "%%, saved %" PRIu64 " MiB",
                 st->npages ? st->cursor * 100 / st->npages : 0,
                 st->saved * 4 / 1024);
    else
        snprintf(share, sizeof(share), "saved %" PRIu64 " MiB",
                 st->saved * 4 / 1024);
    if (d->paged_kb)
        snprintf(tail, sizeof(tail), ", paging %" PRIu64 " MiB",
                 d->paged_kb / 1024);
    if (d->pass_pending_apply)
        mempolicy_actor_set_status(s->a, d->domid,
                                   "%s; balloon waits for "
                                   "the pass",
                                   share);
    else
        mempolicy_actor_set_status(s->a, d->domid,
                                   "%s; balloon target %" PRIu64 " MiB%s",
                                   share, d->balloon_kb / 1024, tail);
}

void report_domain(struct sharing_actor *s, struct sdom *d)
{
    struct shr_dom_stats st;
    char dir[64];
    uint64_t cow = d->cow_seen - d->cow_base;
    struct kv kv[7];

    memset(&st, 0, sizeof(st));
    if (d->sharing)
        shr_dom_stats(s->eng, d->domid, &st);
    if (st.breaks > cow)
        cow = st.breaks;   /* a hypervisor without per-domain counts */
    status_domain(s, d, &st);
    kv[0] = (struct kv){ "shared_kb", d->shared_kb };
    kv[1] = (struct kv){ "saved_kb", st.saved * 4 };
    kv[2] = (struct kv){ "cow_breaks", cow };
    kv[3] = (struct kv){ "scanned", st.scanned };
    kv[4] = (struct kv){ "progress",
                         st.scanning && st.npages
                             ? st.cursor * 100 / st.npages : 100 };
    kv[5] = (struct kv){ "passes", st.passes };
    kv[6] = (struct kv){ "mismatches", st.mismatches };
    if (!changed(d->report, sizeof(d->report), kv, 7))
        return;
    snprintf(dir, sizeof(dir), "/libxl/%u/" MEMPOLICY_SHARING_REPORT, d->domid);
    if (!write_set(s, dir, kv, 7))
        d->report[0] = '\0';
}

void report_domain_remove(struct sharing_actor *s, uint32_t domid)
{
    struct xs_handle *h = xs(s);
    char dir[64];

    if (!h)
        return;
    snprintf(dir, sizeof(dir), "/libxl/%u/" MEMPOLICY_SHARING_REPORT, domid);
    xs_rm(h, XBT_NULL, dir);
}

void report_host(struct sharing_actor *s)
{
    mempolicy_physinfo pi;
    struct shr_engine_stats es;
    uint64_t cow = 0, scanning = 0, doms = 0;
    struct kv kv[8];
    unsigned i;

    memset(&pi, 0, sizeof(pi));
    if (mempolicy_get_physinfo(mempolicy_actor_ctx(s->a), &pi))
        return;
    shr_engine_stats(s->eng, &es);
    for (i = 0; i < s->ndoms; i++) {
        struct sdom *d = s->doms[i];
        struct shr_dom_stats st;

        if (!d->sharing || shr_dom_stats(s->eng, d->domid, &st))
            continue;
        doms++;
        scanning += st.scanning;
        cow += st.breaks > d->cow_seen - d->cow_base
                   ? st.breaks : d->cow_seen - d->cow_base;
    }
    kv[0] = (struct kv){ "shared_kb", pi.shared_kb };
    kv[1] = (struct kv){ "saved_kb", pi.freed_by_sharing_kb };
    kv[2] = (struct kv){ "cow_breaks", cow };
    kv[3] = (struct kv){ "scanned", es.scanned };
    kv[4] = (struct kv){ "domains", doms };
    kv[5] = (struct kv){ "scanning", scanning };
    kv[6] = (struct kv){ "index_entries", es.index_entries };
    kv[7] = (struct kv){ "mismatches", es.mismatches };
    if (!changed(s->host_report, sizeof(s->host_report), kv, 8))
        return;
    if (!write_set(s, HOST_DIR, kv, 8))
        s->host_report[0] = '\0';
}
