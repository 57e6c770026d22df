/*
 * hvchan.c: serves the hypervisor channel, a line protocol on a Unix
 * socket, for what a real toolstack would ask Xen with hypercalls.
 *
 * One request line, one reply line, in order, per connection; requests
 * are handled as soon as their line is complete, so a client may
 * pipeline.  Replies queue in the connection and go out as the socket
 * accepts them (EPOLLOUT only while something is queued), up to OUT_MAX:
 * a client that does not read is disconnected (logged at most once a
 * minute, with a count of those held back: ratelog.h).  A line over
 * 4096 bytes is answered with EINVAL and skipped up to its newline,
 * without ever buffering more than that.  The verbs, their arguments and
 * errors are docs/hv-channel.md; every verb maps to one hv_* call or to a
 * read of the model, so the channel holds no state of its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hv.h"
#include "hvchan.h"
#include "listen.h"
#include "loop.h"
#include "paging.h"
#include "physmap.h"
#include "ratelog.h"
#include "sharing.h"
#include "simclock.h"
#include "store.h"

#define LINE_MAX_BYTES 4096
#define MAX_ARGS 32
#define HASHES_MAX 512
#define PFN_TYPES_MAX 1024 /* XEN_DOMCTL_getpageframeinfo3's limit */
/*
 * Replies queued for one connection: past this, a client that does not
 * read what it asked for is disconnected.  A single reply may exceed it
 * (dominfo_all of a big host); the bound applies to what is queued
 * before it.
 */
#define OUT_MAX (1024 * 1024)

struct conn {
    struct hvchan *ch;
    int fd;
    char in[LINE_MAX_BYTES + 1];
    size_t inlen;
    bool skipping;          /* inside an over-long line */
    char *out;
    size_t outlen, outcap;
    /* settle: the connection waits for the host to stop moving */
    bool waiting;
    bool checked;           /* the deferred first check has run */
    bool time_only;         /* `wait`: only the time counts */
    uint64_t wait_until;    /* simulated ms; 0: no limit */
    struct loop_timer *first_timer; /* the deferred first check */
    struct sim_timer *until_timer;  /* wait_until, on the simulated clock */
    unsigned wait_pid;      /* pager_wait: the pager waited for, or 0 */
    bool wait_paged_in;     /* ... or until its domain has nothing out */
    struct conn *next;
};

struct hvchan {
    struct hv *hv;
    struct listener *ls;
    char *path;
    struct conn *conns;
    struct ratelog log;  /* its clients' disconnections */
    struct loop_timer *change_timer; /* pager waiters to look at */
};

/* ---- replies ------------------------------------------------------------- */

struct buf {
    char *s;
    size_t len, cap;
    bool oom;
};

static void bprintf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void bprintf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->oom)
        return;
    for (;;) {
        size_t room = b->cap - b->len;

        va_start(ap, fmt);
        n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 64;
        char *s = realloc(b->s, cap);

        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static const char *errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case EMLINK: return "EMLINK";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return "EIO";
    }
}

static char *err_reply(int e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *err_reply(int e, const char *fmt, ...)
{
    char msg[512], *r;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (asprintf(&r, "err %s %s", errno_name(e), msg) < 0)
        return NULL;
    return r;
}

/* The message Xen's error means for a domain-level call. */
static char *hv_err(int rc, unsigned domid, const char *what)
{
    const char *why;

    switch (-rc) {
    case ESRCH: why = "no such domain"; break;
    case ENOSYS: why = "the hypervisor is built without this feature"; break;
    case ENODEV: why = "the domain has no hardware-assisted paging"; break;
    case EOPNOTSUPP: why = "not possible for a PV domain"; break;
    case EBUSY: why = "already enabled"; break;
    case ENOMEM: why = "the host has no free memory for it"; break;
    case EPERM: why = "not allowed on dom0"; break;
    case EXDEV: why = "a populate-on-demand guest cannot be paged"; break;
    case EINVAL: why = "invalid gfn or argument"; break;
    default: why = strerror(-rc); break;
    }
    return err_reply(-rc, "%s domain %u: %s", what, domid, why);
}

/* ---- arguments ----------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return !errno && !*end;
}

static bool parse_domid(const char *s, unsigned *domid)
{
    uint64_t v;

    if (!parse_u64(s, &v) || v > HV_MAX_DOMID)
        return false;
    *domid = (unsigned)v;
    return true;
}

static bool parse_double(const char *s, double *v)
{
    char *end;

    if ((*s < '0' || *s > '9') && *s != '.')
        return false;
    errno = 0;
    *v = strtod(s, &end);
    return !errno && !*end && *v >= 0 && *v < 1e12;
}

static bool parse_bool(const char *s, bool *v)
{
    if (!strcmp(s, "1") || !strcmp(s, "true")) {
        *v = true;
        return true;
    }
    if (!strcmp(s, "0") || !strcmp(s, "false")) {
        *v = false;
        return true;
    }
    return false;
}

/* ---- verbs --------------------------------------------------------------- */

static char *v_physinfo(struct hv *hv, int argc, char **argv)
{
    char *r;

    (void)argv;
    if (argc != 1)
        return err_reply(EINVAL, "usage: physinfo");
    if (asprintf(&r, "ok total_kb=%" PRIu64 " free_kb=%" PRIu64
                 " shared_kb=%" PRIu64 " freed_by_sharing_kb=%" PRIu64,
                 hv->total_pages * HV_PAGE_KB, hv->free_pages * HV_PAGE_KB,
                 sharing_frames(hv->sharing) * HV_PAGE_KB,
                 sharing_saved(hv->sharing) * HV_PAGE_KB) < 0)
        return NULL;
    return r;
}

static char *v_list(struct hv *hv, int argc, char **argv)
{
    struct buf b = { 0 };
    unsigned i;
    bool first = true;

    (void)argv;
    if (argc != 1)
        return err_reply(EINVAL, "usage: list");
    bprintf(&b, "ok domids=");
    for (i = 1; i <= HV_MAX_DOMID; i++) {
        if (!hv->doms[i] || hv->doms[i]->dying)
            continue;
        bprintf(&b, first ? "%u" : ",%u", i);
        first = false;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static struct hv_domain *arg_domain(struct hv *hv, const char *s,
                                    char **reply)
{
    struct hv_domain *d;
    unsigned domid;

    if (!parse_domid(s, &domid)) {
        *reply = err_reply(EINVAL, "bad domid '%s'", s);
        return NULL;
    }
    d = hv_domain(hv, domid);
    if (!d || d->dying) {
        *reply = err_reply(ESRCH, "no domain %u", domid);
        return NULL;
    }
    return d;
}

static char *v_dominfo(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    char *r = NULL;

    if (argc != 2)
        return err_reply(EINVAL, "usage: dominfo DOMID");
    d = arg_domain(hv, argv[1], &r);
    if (!d)
        return r;
    if (asprintf(&r,
                 "ok domid=%u type=%s hap=%d tot_kb=%" PRIu64 " max_kb=%" PRIu64
                 " paging=%d paged_kb=%" PRIu64 " paging_target_kb=%" PRIu64
                 " sharing=%d shared_kb=%" PRIu64 " cow_breaks=%" PRIu64
                 " dying=%d shutdown=%d"
                 " guest_type=%s videoram_kb=%" PRIu64 " pod_target_kb=%" PRIu64
                 " pod_cache_kb=%" PRIu64 " pod_entries_kb=%" PRIu64
                 " crashed=%d uuid=%s pager_pid=%u",
                 d->domid, hv_is_hvm(d) ? "hvm" : "pv", d->hap,
                 d->tot_pages * HV_PAGE_KB, d->max_pages * HV_PAGE_KB,
                 d->paging, d->paged * HV_PAGE_KB,
                 d->paging_target_set ? d->paging_target * HV_PAGE_KB : 0,
                 d->sharing, d->shr_pages * HV_PAGE_KB, d->cow_breaks, d->dying,
                 d->shutdown, hv_type_name(d->type), d->videoram_kb,
                 d->pod_target_set ? d->pod_target * HV_PAGE_KB : 0,
                 d->pod_cache * HV_PAGE_KB, d->pod_entries * HV_PAGE_KB,
                 d->crashed, d->uuid, d->pager ? d->pager->pid : 0) < 0)
        return NULL;
    return r;
}

/*
 * xc_domain_set_pod_target(xch, domid, pages, &tot_pages,
 * &pod_cache_pages, &pod_entries): the reply carries the three outputs
 * under their names, in pages as xc gives them.
 */
static char *v_set_pod_target(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    unsigned domid;
    uint64_t pages;
    char *r;
    int rc;

    if (argc != 3 || !parse_domid(argv[1], &domid) ||
        !parse_u64(argv[2], &pages))
        return err_reply(EINVAL, "usage: set_pod_target DOMID PAGES");
    rc = hv_set_pod_target(hv, domid, pages);
    if (rc == -EINVAL) {
        d = hv_domain(hv, domid);
        if (!hv_is_hvm(d))
            return err_reply(EINVAL,
                             "set_pod_target domain %u: a PV "
                             "domain has no populate-on-demand",
                             domid);
        return err_reply(EINVAL,
                         "set_pod_target domain %u: %" PRIu64
                         " pages is above its maxmem of %" PRIu64 " pages",
                         domid, pages, d->max_pages);
    }
    if (rc)
        return hv_err(rc, domid, "set_pod_target");
    d = hv_domain(hv, domid);
    if (asprintf(&r,
                 "ok tot_pages=%" PRIu64 " pod_cache_pages=%" PRIu64
                 " pod_entries=%" PRIu64,
                 d->tot_pages, d->pod_cache, d->pod_entries) < 0)
        return NULL;
    return r;
}

/*
 * Every domain's dominfo in one reply (dom0 included, dying ones left out
 * as `dominfo` refuses them), for callers that list the host: one round
 * trip instead of one per domain, as xc_domain_getinfolist is one
 * hypercall.  `fields=` names the values of each record in order, so
 * fields can be appended later without breaking a reader.
 */
#define DOMINFO_FIELDS                               \
    "domid,type,hap,tot_kb,max_kb,paging,paged_kb,"  \
    "paging_target_kb,sharing,shared_kb,cow_breaks," \
    "dying,shutdown,guest_type,videoram_kb,"         \
    "pod_target_kb,pod_cache_kb,pod_entries_kb,crashed,uuid"

static char *v_dominfo_all(struct hv *hv, int argc, char **argv)
{
    struct buf b = { 0 };
    unsigned i;
    bool first = true;

    (void)argv;
    if (argc != 1)
        return err_reply(EINVAL, "usage: dominfo_all");
    bprintf(&b, "ok fields=" DOMINFO_FIELDS " domains=");
    for (i = 0; i <= HV_MAX_DOMID; i++) {
        struct hv_domain *d = hv_domain(hv, i);

        if (!d || d->dying)
            continue;
        bprintf(&b,
                "%s%u,%s,%d,%" PRIu64 ",%" PRIu64 ",%d,%" PRIu64 ",%" PRIu64
                ",%d,%" PRIu64 ",%" PRIu64 ",%d,%d,%s,%" PRIu64 ",%" PRIu64
                ",%" PRIu64 ",%" PRIu64 ",%d,%s",
                first ? "" : ";", d->domid, hv_is_hvm(d) ? "hvm" : "pv", d->hap,
                d->tot_pages * HV_PAGE_KB, d->max_pages * HV_PAGE_KB, d->paging,
                d->paged * HV_PAGE_KB,
                d->paging_target_set ? d->paging_target * HV_PAGE_KB : 0,
                d->sharing, d->shr_pages * HV_PAGE_KB, d->cow_breaks, d->dying,
                d->shutdown, hv_type_name(d->type), d->videoram_kb,
                d->pod_target_set ? d->pod_target * HV_PAGE_KB : 0,
                d->pod_cache * HV_PAGE_KB, d->pod_entries * HV_PAGE_KB,
                d->crashed, d->uuid);
        first = false;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static char *v_guestinfo(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    struct guest *g;
    char *r = NULL;
    uint64_t shortfall;
    double integral;

    if (argc != 2)
        return err_reply(EINVAL, "usage: guestinfo DOMID");
    d = arg_domain(hv, argv[1], &r);
    if (!d)
        return r;
    g = &d->guest;
    /* Read only: the integral is extended to now, nothing is stored. */
    guest_peek(hv, d, &shortfall, &integral);
    if (asprintf(&r, "ok domid=%u name=%s balloon=%s rate_mib_s=%g"
                 " balloon_target_kb=%" PRIu64 " populated_kb=%" PRIu64
                 " demand_kb=%" PRIu64 " shortfall_kb=%" PRIu64
                 " shortfall_max_kb=%" PRIu64 " shortfall_kb_s=%.0f"
                 " stalled=%d cow_failed=%" PRIu64 " bad_shares=%" PRIu64
                 " meminfo=%s psi=%d noise_kb=%" PRIu64 " psi_avg10=%.2f"
                 " boot_ram_kb=%" PRIu64 " target_diff_kb=%" PRId64
                 " hole_maps=%" PRIu64 " paged_maps=%" PRIu64
                 " pod_maps=%" PRIu64,
                 d->domid, d->name, balloon_mode_name(g->cfg.balloon),
                 guest_rate(&g->cfg),
                 g->target_known ? g->target_pages * HV_PAGE_KB : 0,
                 d->populated * HV_PAGE_KB, guest_demand_kb(g), shortfall,
                 g->shortfall_max_kb, integral, d->stalled,
                 d->cow_failed, d->bad_shares,
                 meminfo_format_name(g->cfg.meminfo), g->cfg.psi,
                 g->cfg.noise_kb, g->psi_avg10, g->boot_pages * HV_PAGE_KB,
                 g->target_diff * (int64_t)HV_PAGE_KB, d->hole_maps,
                 d->paged_maps, d->pod_maps) < 0)
        return NULL;
    return r;
}

static char *v_setmaxmem(struct hv *hv, int argc, char **argv)
{
    unsigned domid;
    uint64_t kb;
    int rc;

    if (argc != 3 || !parse_domid(argv[1], &domid) ||
        !parse_u64(argv[2], &kb))
        return err_reply(EINVAL, "usage: setmaxmem DOMID KB");
    rc = hv_setmaxmem(hv, domid, kb);
    return rc ? hv_err(rc, domid, "setmaxmem") : strdup("ok");
}

static char *v_onoff(struct hv *hv, int argc, char **argv)
{
    const char *verb = argv[0];
    unsigned domid;
    int rc;

    if (argc != 2 || !parse_domid(argv[1], &domid))
        return err_reply(EINVAL, "usage: %s DOMID", verb);
    if (!strcmp(verb, "paging_enable"))
        rc = hv_paging_enable(hv, domid);
    else if (!strcmp(verb, "paging_disable"))
        rc = hv_paging_disable(hv, domid);
    else
        rc = hv_sharing_control(hv, domid, !strcmp(verb, "sharing_enable"));
    return rc ? hv_err(rc, domid, verb) : strdup("ok");
}

/*
 * The memshr memops enable sharing on first use, as Xen's
 * mem_sharing_memop does, so they fail the same way control does.
 */
static int memop_domain(struct hv *hv, const char *s, struct hv_domain **dp,
                        char **reply)
{
    struct hv_domain *d;
    unsigned domid;
    int rc;

    if (!hv->cfg.sharing_feature) {
        *reply = err_reply(ENOSYS, "the hypervisor is built without "
                           "page sharing");
        return -1;
    }
    d = arg_domain(hv, s, reply);
    if (!d)
        return -1;
    domid = d->domid;
    if (!d->sharing) {
        rc = hv_sharing_control(hv, domid, true);
        if (rc) {
            *reply = hv_err(rc, domid, "sharing");
            return -1;
        }
    }
    *dp = d;
    return 0;
}

/*
 * What mapping count frames with xenforeignmemory_map and hashing them
 * does (physmap.c): each frame gives 16 hex digits, or "!" and the errno
 * of its mapping (a hole or a frame without a page "!EINVAL", a paged
 * out frame "!ENOENT", and Xen's side effects: the pager is asked for
 * the frame, a PoD entry is populated from the cache).  The range must
 * lie within 0..max_gpfn.
 */
static char *v_page_hashes(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    uint64_t first, count, i, max, idx;
    struct buf b = { 0 };
    char *r = NULL;
    int rc;

    if (argc != 4 || !parse_u64(argv[2], &first) ||
        !parse_u64(argv[3], &count))
        return err_reply(EINVAL, "usage: page_hashes DOMID FIRST_GFN COUNT");
    d = arg_domain(hv, argv[1], &r);
    if (!d)
        return r;
    if (count == 0 || count > HASHES_MAX)
        return err_reply(EINVAL, "count must be 1..%d", HASHES_MAX);
    max = physmap_max_gpfn(d);
    if (first > max || count - 1 > max - first)
        return err_reply(EINVAL, "gfns %" PRIu64 "..%" PRIu64 " beyond "
                         "domain %u's maximum gpfn %" PRIu64, first,
                         first + count - 1, d->domid, max);
    bprintf(&b, "ok hashes=");
    for (i = 0; i < count; i++) {
        if (i)
            bprintf(&b, ",");
        rc = physmap_map(hv, d, first + i, &idx);
        if (rc < 0)
            bprintf(&b, "!%s", errno_name(-rc));
        else
            bprintf(&b, "%016" PRIx64, rc ? (uint64_t)SHARING_ZERO_HASH
                                          : sharing_page_hash(hv, d, idx));
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/*
 * XEN_DOMCTL_getpageframeinfo3 (what xc_get_pfn_type_batch asks, as
 * migration's write_batch does before mapping): one letter per frame,
 * "r" a page (XEN_DOMCTL_PFINFO_NOTAB), "x" none (XTAB: a hole, a frame
 * ballooned out or paged out).  Like Xen (get_page_from_gfn with
 * P2M_ALLOC) it populates a PoD entry it looks at.
 */
static char *v_pfn_types(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    uint64_t first, count, i;
    char *r = NULL;

    if (argc != 4 || !parse_u64(argv[2], &first) ||
        !parse_u64(argv[3], &count))
        return err_reply(EINVAL, "usage: pfn_types DOMID FIRST_GFN COUNT");
    d = arg_domain(hv, argv[1], &r);
    if (!d)
        return r;
    if (count == 0 || count > PFN_TYPES_MAX)
        return err_reply(E2BIG, "count must be 1..%d", PFN_TYPES_MAX);
    if (first > UINT64_MAX - count)
        return err_reply(EINVAL, "gfn range overflows");
    r = malloc(16 + count);
    if (!r)
        return NULL;
    strcpy(r, "ok types=");
    for (i = 0; i < count; i++)
        r[9 + i] = physmap_pfn_type(hv, d, first + i) ? 'r' : 'x';
    r[9 + count] = '\0';
    return r;
}

/* XENMEM_maximum_gpfn (xc_domain_maximum_gpfn). */
static char *v_maximum_gpfn(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    char *r = NULL;

    if (argc != 2)
        return err_reply(EINVAL, "usage: maximum_gpfn DOMID");
    d = arg_domain(hv, argv[1], &r);
    if (!d)
        return r;
    if (asprintf(&r, "ok max_gpfn=%" PRIu64, physmap_max_gpfn(d)) < 0)
        return NULL;
    return r;
}

/*
 * What mapping both pages (xenforeignmemory_map) and comparing their
 * bytes tells: whether they hold the same content.  Mapping has Xen's
 * side effects (page_hashes); it fails as the first mapping that fails.
 * Sharing need not be enabled (any privileged mapper can read guest
 * pages).
 */
static char *v_page_compare(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d1, *d2;
    uint64_t g1, g2, i1, i2, c1, c2;
    char *r = NULL;
    int rc;

    if (argc != 5 || !parse_u64(argv[2], &g1) || !parse_u64(argv[4], &g2))
        return err_reply(EINVAL, "usage: page_compare DOMID1 GFN1 DOMID2 "
                         "GFN2");
    d1 = arg_domain(hv, argv[1], &r);
    if (!d1)
        return r;
    d2 = arg_domain(hv, argv[3], &r);
    if (!d2)
        return r;
    rc = physmap_map(hv, d1, g1, &i1);
    if (rc >= 0) {
        c1 = rc ? (uint64_t)SHARING_ZERO_HASH : sharing_page_content(hv, d1, i1);
        rc = physmap_map(hv, d2, g2, &i2);
    }
    if (rc < 0)
        return err_reply(-rc, "page_compare: domain %u gfn %" PRIu64
                         " or domain %u gfn %" PRIu64 " cannot be mapped: %s",
                         d1->domid, g1, d2->domid, g2,
                         rc == -EINVAL ? "no page there"
                         : rc == -ENOENT ? "paged out" : strerror(-rc));
    c2 = rc ? (uint64_t)SHARING_ZERO_HASH : sharing_page_content(hv, d2, i2);
    if (asprintf(&r, "ok same=%d", c1 == c2) < 0)
        return NULL;
    return r;
}

/* A gfn of a memshr call as a RAM index: false for a hole. */
static bool memop_idx(struct hv_domain *d, uint64_t gfn, uint64_t *idx)
{
    return physmap_idx(d, gfn, idx);
}

static char *v_nominate(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    uint64_t gfn, handle, idx;
    char *r = NULL;
    int rc;

    if (argc != 3 || !parse_u64(argv[2], &gfn))
        return err_reply(EINVAL, "usage: nominate DOMID GFN");
    if (memop_domain(hv, argv[1], &d, &r))
        return r;
    /* nominate_page queries without P2M_ALLOC: a hole, a PoD entry or a
     * paged-out frame has no valid mfn (EINVAL). */
    if (physmap_kind(hv, d, gfn, &idx) != PHYSMAP_RAM)
        rc = -EINVAL;
    else
        rc = sharing_nominate(hv, d, idx, &handle);
    if (rc)
        return err_reply(-rc, "nominate domain %u gfn %" PRIu64 ": %s",
                         d->domid, gfn, rc == -EINVAL ? "not a sharable "
                         "page of the domain" : strerror(-rc));
    hv_record(hv, d, false);
    if (asprintf(&r, "ok handle=%" PRIu64, handle) < 0)
        return NULL;
    return r;
}

static char *v_share(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *sd, *cd;
    uint64_t sgfn, sh, cgfn, chd, si, ci;
    char *r = NULL;
    int rc;

    if (argc != 7 || !parse_u64(argv[2], &sgfn) ||
        !parse_u64(argv[3], &sh) || !parse_u64(argv[5], &cgfn) ||
        !parse_u64(argv[6], &chd))
        return err_reply(EINVAL, "usage: share SDOMID SGFN SHANDLE CDOMID "
                         "CGFN CHANDLE");
    if (memop_domain(hv, argv[1], &sd, &r))
        return r;
    cd = arg_domain(hv, argv[4], &r);
    if (!cd)
        return r;
    /* mem_sharing_memop: the client must have sharing enabled. */
    if (!cd->sharing)
        return err_reply(EINVAL, "share: client domain %u has sharing "
                         "disabled", cd->domid);
    if (!memop_idx(sd, sgfn, &si) || !memop_idx(cd, cgfn, &ci))
        rc = -EINVAL;
    else
        rc = sharing_share(hv, sd, si, sh, cd, ci, chd);
    switch (rc) {
    case 0:
        hv_record(hv, sd, false);
        hv_record(hv, cd, false);
        return strdup("ok");
    case -10:
        return err_reply(ECHILD, "source handle invalid "
                         "(XENMEM_SHARING_OP_S_HANDLE_INVALID): domain %u "
                         "gfn %" PRIu64 " is not shared with handle %" PRIu64,
                         sd->domid, sgfn, sh);
    case -9:
        return err_reply(EBADF, "client handle invalid "
                         "(XENMEM_SHARING_OP_C_HANDLE_INVALID): domain %u "
                         "gfn %" PRIu64 " is not shared with handle %" PRIu64,
                         cd->domid, cgfn, chd);
    default:
        return err_reply(-rc, "share: %s", rc == -EINVAL ?
                         "gfn beyond the domain's pages" : strerror(-rc));
    }
}

static char *v_guest_write(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    uint64_t gfn, idx;
    char *r = NULL;
    int rc;

    if (argc != 3 || !parse_u64(argv[2], &gfn))
        return err_reply(EINVAL, "usage: guest_write DOMID GFN");
    d = arg_domain(hv, argv[1], &r);
    if (!d)
        return r;
    if (d->domid == 0)
        return err_reply(EPERM, "dom0 has no simulated guest");
    if (!memop_idx(d, gfn, &idx) || idx >= d->populated)
        rc = -EINVAL;
    else
        rc = sharing_guest_write(hv, d, idx);
    if (rc)
        return err_reply(-rc, "guest_write domain %u gfn %" PRIu64 ": %s",
                         d->domid, gfn, rc == -EINVAL ? "no such page" :
                         "no free host page for the copy");
    hv_record(hv, d, false);
    return strdup("ok");
}

/* key=value arguments shared by create and guest_set. */
static char *guest_kv(const char *k, const char *v, struct guest_config *g,
                      bool *handled)
{
    double x;
    uint64_t kb;

    *handled = true;
    if (!strcmp(k, "balloon")) {
        if (balloon_mode_parse(v, &g->balloon))
            return err_reply(EINVAL, "balloon must be cooperative, slow, "
                             "stuck or none, not '%s'", v);
    } else if (!strcmp(k, "rate_mib_s")) {
        if (!parse_double(v, &x) || x <= 0)
            return err_reply(EINVAL, "bad rate_mib_s '%s'", v);
        g->rate_mib_s = x;
    } else if (!strcmp(k, "demand_kb")) {
        if (!parse_u64(v, &kb))
            return err_reply(EINVAL, "bad demand_kb '%s'", v);
        g->demand_kb = kb;
        g->demand_set = true;
    } else if (!strcmp(k, "meminfo")) {
        if (meminfo_format_parse(v, &g->meminfo))
            return err_reply(EINVAL, "meminfo must be used, legacy or none, "
                             "not '%s'", v);
    } else if (!strcmp(k, "psi")) {
        if (!parse_bool(v, &g->psi))
            return err_reply(EINVAL, "psi must be 0 or 1");
    } else if (!strcmp(k, "noise_kb")) {
        if (!parse_u64(v, &kb) || kb > (1ull << 40))
            return err_reply(EINVAL, "bad noise_kb '%s'", v);
        g->noise_kb = kb;
    } else if (!strcmp(k, "cow_per_s")) {
        if (!parse_double(v, &x))
            return err_reply(EINVAL, "bad cow_per_s '%s'", v);
        g->share.cow_per_s = x;
    } else if (!strcmp(k, "share_zero") || !strcmp(k, "share_shared") ||
               !strcmp(k, "share_collide")) {
        if (!parse_double(v, &x) || x > 1)
            return err_reply(EINVAL, "%s must be a fraction 0..1", k);
        if (k[6] == 'z')
            g->share.zero = x;
        else if (k[6] == 'c')
            g->share.collide = x;
        else
            g->share.shared = x;
    } else if (!strcmp(k, "share_image")) {
        if (strlen(v) >= sizeof(g->share.image))
            return err_reply(EINVAL, "share_image too long");
        strcpy(g->share.image, v);
    } else {
        *handled = false;
    }
    return NULL;
}

static char *v_create(struct hv *hv, int argc, char **argv)
{
    struct hv_domain_config c;
    char err[256], *r = NULL, *eq;
    bool have_max = false, handled;
    unsigned domid;
    uint64_t kb;
    int i, rc;

    hv_domain_config_init(&c);
    for (i = 1; i < argc && !r; i++) {
        const char *k = argv[i], *v;

        eq = strchr(argv[i], '=');
        if (!eq) {
            r = err_reply(EINVAL, "create: '%s' is not key=value", k);
            break;
        }
        *eq = 0;
        v = eq + 1;
        r = guest_kv(k, v, &c.guest, &handled);
        if (r || handled)
            continue;
        if (!strcmp(k, "name")) {
            if (strlen(v) > HV_NAME_MAX)
                r = err_reply(EINVAL, "name longer than %d", HV_NAME_MAX);
            else
                strcpy(c.name, v);
        } else if (!strcmp(k, "type")) {
            if (!strcmp(v, "pv"))
                c.type = HV_PV;
            else if (!strcmp(v, "hvm"))
                c.type = HV_HVM;
            else if (!strcmp(v, "pvh"))
                c.type = HV_PVH;
            else
                r = err_reply(EINVAL,
                              "type must be pv, pvh or hvm, not "
                              "'%s'",
                              v);
        } else if (!strcmp(k, "uuid")) {
            if (!hv_uuid_valid(v))
                r = err_reply(EINVAL, "uuid must be 8-4-4-4-12 hex digits");
            else
                memcpy(c.uuid, v, sizeof(c.uuid));
        } else if (!strcmp(k, "vga")) {
            if (hv_vga_parse(v, &c.vga))
                r = err_reply(EINVAL,
                              "vga must be cirrus, stdvga, none or "
                              "qxl, not '%s'",
                              v);
        } else if (!strcmp(k, "videoram_kb")) {
            if (!parse_u64(v, &kb) || kb > (1ull << 32))
                r = err_reply(EINVAL, "bad videoram_kb '%s'", v);
            else
                c.videoram_kb = (int64_t)kb;
        } else if (!strcmp(k, "hap")) {
            if (!parse_bool(v, &c.hap))
                r = err_reply(EINVAL, "hap must be 0 or 1");
        } else if (!strcmp(k, "mmio_hole_kb")) {
            if (!parse_u64(v, &kb) || !kb)
                r = err_reply(EINVAL, "bad mmio_hole_kb '%s'", v);
            else
                c.mmio_hole_kb = kb;
        } else if (!strcmp(k, "passthrough")) {
            if (!parse_bool(v, &c.iommu))
                r = err_reply(EINVAL, "passthrough must be 0 or 1");
        } else if (!strcmp(k, "memory_kb") || !strcmp(k, "maxmem_kb")) {
            if (!parse_u64(v, &kb))
                r = err_reply(EINVAL, "bad %s '%s'", k, v);
            else if (k[1] == 'e')
                c.memory_kb = kb;
            else {
                c.maxmem_kb = kb;
                have_max = true;
            }
        } else if (!strcmp(k, "memory_policy")) {
            free(c.memory_policy);
            c.memory_policy = strdup(v);
        } else if (!strcmp(k, "memory_policy_args")) {
            free(c.memory_policy_args);
            c.memory_policy_args = strdup(v);
        } else {
            r = err_reply(EINVAL, "create: unknown key '%s'", k);
        }
    }
    if (!r && !c.name[0])
        r = err_reply(EINVAL, "create: name= is required");
    if (r) {
        hv_domain_config_dispose(&c);
        return r;
    }
    if (!have_max)
        c.maxmem_kb = c.memory_kb;
    rc = hv_domain_create(hv, &c, 0, &domid, err, sizeof(err));
    hv_domain_config_dispose(&c);
    if (rc)
        return err_reply(-rc, "create: %s", err);
    if (asprintf(&r, "ok domid=%u", domid) < 0)
        return NULL;
    return r;
}

static char *v_guest_set(struct hv *hv, int argc, char **argv)
{
    struct hv_domain *d;
    struct guest_config g;
    char *r = NULL, *eq;
    bool handled;
    int i;

    if (argc < 3)
        return err_reply(EINVAL, "usage: guest_set DOMID KEY=VALUE...");
    d = arg_domain(hv, argv[1], &r);
    if (!d)
        return r;
    if (d->domid == 0)
        return err_reply(EPERM, "dom0 has no simulated guest");
    if (d->shutdown)
        return err_reply(EINVAL, "domain %u is shut down%s", d->domid,
                         d->crashed ? " (crashed)" : "");
    g = d->guest.cfg;
    g.demand_set = false;
    for (i = 2; i < argc; i++) {
        eq = strchr(argv[i], '=');
        if (!eq)
            return err_reply(EINVAL, "'%s' is not key=value", argv[i]);
        *eq = 0;
        r = guest_kv(argv[i], eq + 1, &g, &handled);
        if (r)
            return r;
        if (!handled || !strncmp(argv[i], "share_", 6))
            return err_reply(EINVAL, "guest_set: unknown key '%s'", argv[i]);
    }
    d->guest.cfg.share.cow_per_s = g.share.cow_per_s;
    d->guest.cfg.meminfo = g.meminfo;
    d->guest.cfg.psi = g.psi;
    d->guest.cfg.noise_kb = g.noise_kb;
    if (!g.noise_kb)
        d->guest.noise_kb = 0;
    guest_set_balloon(hv, d, g.balloon, g.rate_mib_s);
    if (g.demand_set)
        guest_set_demand(hv, d, g.demand_kb);
    else
        guest_update(hv, d);
    if (g.share.cow_per_s > 0 && d->shr_pages)
        hv_wake(hv, d);
    return strdup("ok");
}

static char *v_destroy(struct hv *hv, int argc, char **argv)
{
    unsigned domid;
    int rc;

    if (argc != 2 || !parse_domid(argv[1], &domid))
        return err_reply(EINVAL, "usage: destroy DOMID");
    rc = hv_domain_destroy(hv, domid);
    return rc ? hv_err(rc, domid, "destroy") : strdup("ok");
}

static char *v_time(struct hv *hv, int argc, char **argv)
{
    char *r;

    (void)argv;
    if (argc != 1)
        return err_reply(EINVAL, "usage: time");
    if (asprintf(&r, "ok ms=%" PRIu64 " speed=%g ticks=%" PRIu64
                 " moving=%u", hv_now_ms(hv), hv->cfg.speed, hv->nticks,
                 hv->nactive) < 0)
        return NULL;
    return r;
}

/*
 * clock [pause|resume|step MS]: read, stop, restart or advance the
 * simulated clock (simclock.h); the reply is the state afterwards.
 */
static char *v_clock(struct hv *hv, int argc, char **argv)
{
    struct simclock *clk = hv->clock;
    uint64_t ms;
    char *r;
    int rc;

    if (argc == 2 && !strcmp(argv[1], "pause")) {
        simclock_pause(clk);
    } else if (argc == 2 && !strcmp(argv[1], "resume")) {
        simclock_resume(clk);
    } else if (argc == 3 && !strcmp(argv[1], "step")) {
        if (!parse_u64(argv[2], &ms) || ms > SIMCLOCK_STEP_MAX_MS)
            return err_reply(EINVAL, "step: MS must be 0..%u",
                             SIMCLOCK_STEP_MAX_MS);
        rc = simclock_step(clk, ms);
        if (rc)
            return err_reply(rc, "step: the clock is running (clock pause "
                             "first)");
    } else if (argc != 1) {
        return err_reply(EINVAL, "usage: clock [pause|resume|step MS]");
    }
    if (asprintf(&r, "ok ms=%" PRIu64 " paused=%d speed=%g",
                 simclock_now(clk), simclock_paused(clk),
                 simclock_speed(clk)) < 0)
        return NULL;
    return r;
}


/* ---- pagers (paging.h) --------------------------------------------------- */

static bool parse_pid(const char *s, unsigned *pid)
{
    uint64_t v;

    if (!parse_u64(s, &v) || v > UINT32_MAX)
        return false;
    *pid = (unsigned)v;
    return true;
}

static char *pager_reply(struct hv *hv, const struct hv_pager *p,
                         const char *extra)
{
    const struct hv_domain *d = hv_domain(hv, p->domid);
    char *r;

    if (asprintf(&r, "ok pid=%u domid=%u state=%s status=%d err=%s "
                 "paged_kb=%" PRIu64 " pagefile=%s%s", p->pid, p->domid,
                 pager_state_name(p->state), p->status,
                 p->err ? errno_name(p->err) : "0",
                 d && !d->dying ? d->paged * HV_PAGE_KB : 0, p->pagefile,
                 extra ? extra : "") < 0)
        return NULL;
    return r;
}

/* pager_start DOMID PAGEFILE: spawn xenpaging -d DOMID -f PAGEFILE. */
static char *v_pager_start(struct hv *hv, int argc, char **argv)
{
    struct hv_pager *p;
    unsigned domid;
    const char *f;

    if (argc != 3 || !parse_domid(argv[1], &domid))
        return err_reply(EINVAL, "usage: pager_start DOMID PAGEFILE");
    for (f = argv[2]; *f; f++)
        if (*f <= ' ' || *f >= 0x7f)
            break;
    if (argv[2][0] != '/' || *f || strlen(argv[2]) > PAGER_FILE_MAX)
        return err_reply(EINVAL, "pager_start: the pagefile must be an "
                         "absolute path of at most %d printable bytes",
                         PAGER_FILE_MAX);
    p = pager_spawn(hv, domid, argv[2]);
    if (!p)
        return NULL;
    return pager_reply(hv, p, NULL);
}

static struct hv_pager *arg_pager(struct hv *hv, const char *s, char **r)
{
    struct hv_pager *p = NULL;
    unsigned pid;

    if (!parse_pid(s, &pid))
        *r = err_reply(EINVAL, "bad pid");
    else if (!(p = pager_find(hv, pid)))
        *r = err_reply(ESRCH, "no pager with pid %u", pid);
    return p;
}

static char *v_pager_status(struct hv *hv, int argc, char **argv)
{
    struct hv_pager *p;
    char *r = NULL;

    if (argc != 2)
        return err_reply(EINVAL, "usage: pager_status PID");
    p = arg_pager(hv, argv[1], &r);
    return p ? pager_reply(hv, p, NULL) : r;
}

static char *v_pager_signal(struct hv *hv, int argc, char **argv)
{
    static const struct {
        const char *name;
        int sig;
    } sigs[] = { { "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP },
                 { "KILL", SIGKILL } };
    struct hv_pager *p;
    char *r = NULL;
    unsigned i;
    int rc;

    if (argc != 3)
        return err_reply(EINVAL, "usage: pager_signal PID TERM|INT|HUP|KILL");
    p = arg_pager(hv, argv[1], &r);
    if (!p)
        return r;
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if (!strcmp(argv[2], sigs[i].name))
            break;
    if (i == sizeof(sigs) / sizeof(sigs[0]))
        return err_reply(EINVAL, "pager_signal: TERM, INT, HUP or KILL");
    rc = pager_signal(hv, p, sigs[i].sig);
    if (rc)
        return err_reply(-rc, "pager %u has exited", p->pid);
    return pager_reply(hv, p, NULL);
}

static char *v_check(struct hv *hv, int argc, char **argv)
{
    char err[256];

    (void)argv;
    if (argc != 1)
        return err_reply(EINVAL, "usage: check");
    if (hv_check(hv, err, sizeof(err)))
        return err_reply(EIO, "accounting broken: %s", err);
    return strdup("ok");
}

static const struct verb {
    const char *name;
    char *(*fn)(struct hv *hv, int argc, char **argv);
} verbs[] = {
    { "physinfo", v_physinfo },
    { "list", v_list },
    { "dominfo", v_dominfo },
    { "dominfo_all", v_dominfo_all },
    { "setmaxmem", v_setmaxmem },
    { "set_pod_target", v_set_pod_target },
    { "paging_enable", v_onoff },
    { "paging_disable", v_onoff },
    { "sharing_enable", v_onoff },
    { "sharing_disable", v_onoff },
    { "page_hashes", v_page_hashes },
    { "page_compare", v_page_compare },
    { "pfn_types", v_pfn_types },
    { "maximum_gpfn", v_maximum_gpfn },
    { "nominate", v_nominate },
    { "share", v_share },
    { "create", v_create },
    { "destroy", v_destroy },
    { "guestinfo", v_guestinfo },
    { "guest_set", v_guest_set },
    { "guest_write", v_guest_write },
    { "time", v_time },
    { "clock", v_clock },
    { "check", v_check },
    { "pager_start", v_pager_start },
    { "pager_status", v_pager_status },
    { "pager_signal", v_pager_signal },
};

char *hvchan_request(struct hv *hv, const char *line)
{
    char *copy, *argv[MAX_ARGS], *p, *r;
    int argc = 0;
    unsigned i;

    if (strlen(line) > LINE_MAX_BYTES)
        return err_reply(EINVAL, "request longer than %d bytes",
                         LINE_MAX_BYTES);
    copy = strdup(line);
    if (!copy)
        return NULL;
    for (p = copy; *p;) {
        if (argc == MAX_ARGS) {
            free(copy);
            return err_reply(EINVAL, "more than %d fields", MAX_ARGS);
        }
        argv[argc++] = p;
        p = strchr(p, ' ');
        if (!p)
            break;
        *p++ = 0;
        if (!*p || *p == ' ') {
            free(copy);
            return err_reply(EINVAL, "fields are separated by single "
                             "spaces");
        }
    }
    if (!argc) {
        free(copy);
        return err_reply(EINVAL, "empty request");
    }
    r = NULL;
    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (!strcmp(argv[0], verbs[i].name)) {
            r = verbs[i].fn(hv, argc, argv);
            break;
        }
    }
    if (i == sizeof(verbs) / sizeof(verbs[0])) {
        /* The verb may be anything: keep only a printable prefix. */
        char name[33];
        size_t j;

        for (j = 0; j < sizeof(name) - 1 && argv[0][j]; j++)
            name[j] = argv[0][j] > ' ' && argv[0][j] < 0x7f ? argv[0][j]
                                                            : '?';
        name[j] = 0;
        r = err_reply(EINVAL, "unknown verb '%s'", name);
    }
    free(copy);
    return r;
}

/* ---- connections --------------------------------------------------------- */

static void conn_close(struct conn *c)
{
    struct conn **pp;
    struct hvchan *ch = c->ch;

    for (pp = &ch->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    if (c->first_timer)
        loop_timer_cancel(ch->hv->loop, c->first_timer);
    if (c->until_timer)
        sim_timer_cancel(ch->hv->clock, c->until_timer);
    listener_close_conn(ch->hv->loop, c->fd);
    free(c->out);
    free(c);
}

static int conn_queue(struct conn *c, const char *s)
{
    size_t n = strlen(s) + 1;

    if (c->outlen >= OUT_MAX) {
        ratelog(&c->ch->log, simclock_now(c->ch->hv->clock), "hv channel "
                "client does not read its replies (%zu bytes queued); "
                "disconnected", c->outlen);
        return -1;
    }
    if (c->outlen + n > c->outcap) {
        size_t cap = (c->outlen + n) * 2;
        char *o = realloc(c->out, cap);

        if (!o)
            return -1;
        c->out = o;
        c->outcap = cap;
    }
    memcpy(c->out + c->outlen, s, n - 1);
    c->out[c->outlen + n - 1] = '\n';
    c->outlen += n;
    return 0;
}

/* Returns -1 when the connection is gone. */
static int conn_flush(struct conn *c)
{
    uint32_t ev = EPOLLIN;
    ssize_t n;

    while (c->outlen) {
        n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0)
            return -1;
        memmove(c->out, c->out + n, c->outlen - (size_t)n);
        c->outlen -= (size_t)n;
    }
    /* A waiting connection with a full buffer reads nothing more. */
    if (c->waiting && c->inlen == sizeof(c->in))
        ev = 0;
    loop_fd_mod(c->ch->hv->loop, c->fd, ev | (c->outlen ? EPOLLOUT : 0));
    return 0;
}

static void settle_first(struct loop *l, struct loop_timer *t, void *arg);

/*
 * settle [MAX_MS]: answer once no domain is moving (balloon, pager or
 * copy-on-write), or after MAX_MS of simulated time.  The first check is
 * deferred by one turn of the loop, so that watch events already queued
 * (a target just written) are seen first.  The time limit is a timer on
 * the simulated clock: while the clock is paused it waits for a step.
 */
static int settle_begin(struct conn *c, const char *line, bool time_only)
{
    struct hv *hv = c->ch->hv;
    uint64_t max = 0;
    const char *arg = line + (time_only ? 4 : 6);
    const char *usage = time_only ? "err EINVAL usage: wait MS"
                                  : "err EINVAL usage: settle [MAX_MS]";

    if (*arg == ' ') {
        char *end;

        errno = 0;
        max = strtoull(arg + 1, &end, 10);
        if (errno || *end || arg[1] < '0' || arg[1] > '9')
            return conn_queue(c, usage);
    } else if (*arg || time_only) {
        return conn_queue(c, usage);
    }
    if (time_only && !max)
        max = 1;
    c->time_only = time_only;
    c->waiting = true;
    c->checked = false;
    c->wait_until = max ? hv_now_ms(hv) + max : 0;
    c->first_timer = loop_timer_add(hv->loop, 0, settle_first, c);
    return c->first_timer ? 0 : -1;
}

static int conn_process(struct conn *c);

/* Answer a waiting connection with r, then go on with its requests. */
static void wait_end(struct conn *c, const char *r)
{
    struct hv *hv = c->ch->hv;

    if (c->first_timer)
        loop_timer_cancel(hv->loop, c->first_timer);
    if (c->until_timer)
        sim_timer_cancel(hv->clock, c->until_timer);
    c->first_timer = NULL;
    c->until_timer = NULL;
    c->waiting = false;
    c->wait_pid = 0;
    if (conn_queue(c, r ? r : "err ENOMEM out of memory") ||
        conn_process(c) || conn_flush(c))
        conn_close(c);
}

static void settle_end(struct conn *c, bool idle)
{
    char r[80];

    snprintf(r, sizeof(r), "ok ms=%" PRIu64 " idle=%d",
             hv_now_ms(c->ch->hv), idle);
    wait_end(c, r);
}

/* pager_wait's condition: the pager exited (or, with paged_in, its
 * domain has nothing paged out). */
static bool pager_wait_done(struct hv *hv, const struct conn *c)
{
    struct hv_pager *p = pager_find(hv, c->wait_pid);
    struct hv_domain *d;

    if (!p || p->state == PAGER_EXITED)
        return true;
    if (!c->wait_paged_in)
        return false;
    d = hv_domain(hv, p->domid);
    return !d || d->dying || !d->paged;
}

static void pager_wait_end(struct conn *c)
{
    struct hv *hv = c->ch->hv;
    struct hv_pager *p = pager_find(hv, c->wait_pid);
    char extra[40], *r;

    snprintf(extra, sizeof(extra), " ms=%" PRIu64, hv_now_ms(hv));
    r = p ? pager_reply(hv, p, extra)
          : err_reply(ESRCH, "pager %u forgotten", c->wait_pid);
    wait_end(c, r);
    free(r);
}

/*
 * pager_wait PID MAX_MS [paged_in]: answer (with pager_status's keys and
 * ms) once the pager has exited, or with paged_in once its domain has
 * nothing paged out, or after MAX_MS of simulated time.
 */
static int pager_wait_begin(struct conn *c, int argc, char **argv)
{
    struct hv *hv = c->ch->hv;
    uint64_t max;
    unsigned pid;
    char *r;
    int rc;

    if ((argc != 3 && argc != 4) || !parse_pid(argv[1], &pid) ||
        !parse_u64(argv[2], &max) || !max || max > 86400000 ||
        (argc == 4 && strcmp(argv[3], "paged_in")))
        return conn_queue(c, "err EINVAL usage: pager_wait PID MAX_MS "
                             "[paged_in]");
    if (!pager_find(hv, pid)) {
        r = err_reply(ESRCH, "no pager with pid %u", pid);
        rc = conn_queue(c, r ? r : "err ENOMEM out of memory");
        free(r);
        return rc;
    }
    c->time_only = false;
    c->waiting = true;
    c->checked = false;
    c->wait_pid = pid;
    c->wait_paged_in = argc == 4;
    c->wait_until = hv_now_ms(hv) + max;
    c->first_timer = loop_timer_add(hv->loop, 0, settle_first, c);
    return c->first_timer ? 0 : -1;
}

static void change_fire(struct loop *l, struct loop_timer *t, void *arg)
{
    struct hvchan *ch = arg;
    struct conn *c, *next;

    (void)l;
    (void)t;
    ch->change_timer = NULL;
    for (c = ch->conns; c; c = next) {
        next = c->next;
        if (c->waiting && c->checked && c->wait_pid &&
            pager_wait_done(ch->hv, c))
            pager_wait_end(c);
    }
}

/* Something moved or a pager exited: look at the pager waiters in a
 * turn of the loop of their own (never inside a request). */
static void hv_change(void *arg)
{
    struct hvchan *ch = arg;

    if (!ch->change_timer)
        ch->change_timer = loop_timer_add(ch->hv->loop, 0, change_fire, ch);
}

static void settle_until(struct simclock *clk, struct sim_timer *t,
                         void *arg)
{
    struct conn *c = arg;

    (void)clk;
    (void)t;
    c->until_timer = NULL;
    if (c->wait_pid)
        pager_wait_end(c);
    else
        settle_end(c, !c->ch->hv->nactive);
}

static void settle_first(struct loop *l, struct loop_timer *t, void *arg)
{
    struct conn *c = arg;
    struct hv *hv = c->ch->hv;
    uint64_t now = hv_now_ms(hv);

    (void)l;
    (void)t;
    c->first_timer = NULL;
    if (c->wait_pid) {
        if (pager_wait_done(hv, c) || now >= c->wait_until) {
            pager_wait_end(c);
            return;
        }
    } else if (!hv->nactive && !c->time_only) {
        settle_end(c, true);
        return;
    }
    if (c->wait_until && now >= c->wait_until) {
        settle_end(c, !hv->nactive);
        return;
    }
    c->checked = true;
    if (c->wait_until) {
        c->until_timer = sim_timer_add(hv->clock, c->wait_until - now,
                                       settle_until, c);
        if (!c->until_timer) {
            if (c->wait_pid)
                pager_wait_end(c);
            else
                settle_end(c, !hv->nactive);
        }
    }
}

static void hv_idle(void *arg)
{
    struct hvchan *ch = arg;
    struct conn *c, *next;

    for (c = ch->conns; c; c = next) {
        next = c->next;
        if (c->waiting && c->checked && !c->time_only && !c->wait_pid)
            settle_end(c, true);
    }
}

static int conn_line(struct conn *c, const char *line)
{
    char *r;
    int rc;

    if (!strncmp(line, "settle", 6) && (!line[6] || line[6] == ' '))
        return settle_begin(c, line, false);
    if (!strncmp(line, "wait", 4) && (!line[4] || line[4] == ' '))
        return settle_begin(c, line, true);
    if (!strncmp(line, "pager_wait ", 11)) {
        char copy[LINE_MAX_BYTES + 1], *argv[5], *p = copy;
        int argc = 0;

        snprintf(copy, sizeof(copy), "%s", line);
        while (p && argc < 5) {
            argv[argc++] = p;
            p = strchr(p, ' ');
            if (p)
                *p++ = 0;
        }
        if (p)
            argc = 0; /* too many fields */
        return pager_wait_begin(c, argc, argv);
    }
    r = hvchan_request(c->ch->hv, line);
    rc = conn_queue(c, r ? r : "err ENOMEM out of memory");
    free(r);
    return rc;
}

/* Handle the complete lines buffered, unless waiting.  -1: drop c. */
static int conn_process(struct conn *c)
{
    char *nl;

    while (!c->waiting && (nl = memchr(c->in, '\n', c->inlen))) {
        size_t len = (size_t)(nl - c->in);

        *nl = 0;
        if (c->skipping)
            c->skipping = false;
        else if (memchr(c->in, 0, len)) {
            if (conn_queue(c, "err EINVAL NUL byte in request"))
                return -1;
        } else if (conn_line(c, c->in)) {
            return -1;
        }
        memmove(c->in, nl + 1, c->inlen - len - 1);
        c->inlen -= len + 1;
    }
    if (!c->waiting && c->inlen == sizeof(c->in)) {
        /* 4097 bytes and no newline: over the limit. */
        if (!c->skipping &&
            conn_queue(c, "err EINVAL request longer than 4096 bytes"))
            return -1;
        c->skipping = true;
        c->inlen = 0;
    }
    return 0;
}

static void conn_event(struct loop *l, int fd, uint32_t events, void *arg)
{
    struct conn *c = arg;
    ssize_t n;

    (void)l;
    (void)fd;
    if ((events & EPOLLIN) && c->inlen < sizeof(c->in)) {
        n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0)
            goto gone;
        c->inlen += (size_t)n;
        if (conn_process(c))
            goto gone;
    }
    if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN))
        goto gone;
    if (conn_flush(c))
        goto gone;
    return;
gone:
    conn_close(c);
}

static void accept_event(void *arg, int cfd)
{
    struct hvchan *ch = arg;
    struct conn *c = calloc(1, sizeof(*c));

    if (!c) {
        close(cfd);
        return;
    }
    c->ch = ch;
    c->fd = cfd;
    if (loop_fd_add(ch->hv->loop, cfd, EPOLLIN, conn_event, c)) {
        close(cfd);
        free(c);
        return;
    }
    c->next = ch->conns;
    ch->conns = c;
}

struct hvchan *hvchan_open(struct hv *hv, const char *path, char *err,
                           size_t errlen)
{
    struct xs_permissions dom0_only = { .id = 0, .perms = XS_PERM_NONE };
    struct hvchan *ch;
    int rc;

    ch = calloc(1, sizeof(*ch));
    if (!ch || !(ch->path = strdup(path))) {
        free(ch);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ch->hv = hv;
    ch->ls = listener_new(hv->loop, path, accept_event, ch, err, errlen);
    if (!ch->ls)
        goto fail;
    rc = store_write(hv->store, 0, "/tool/xensim/hv-socket", path,
                     (unsigned)strlen(path));
    if (!rc)
        rc = store_set_perms(hv->store, 0, "/tool/xensim/hv-socket",
                             &dom0_only, 1);
    if (rc) {
        snprintf(err, errlen, "cannot publish /tool/xensim/hv-socket: %s",
                 strerror(rc));
        goto fail;
    }
    hv->on_idle = hv_idle;
    hv->on_idle_arg = ch;
    hv->on_change = hv_change;
    hv->on_change_arg = ch;
    return ch;
fail:
    listener_free(ch->ls);
    free(ch->path);
    free(ch);
    return NULL;
}

void hvchan_close(struct hvchan *ch)
{
    if (!ch)
        return;
    ch->hv->on_idle = NULL;
    ch->hv->on_change = NULL;
    if (ch->change_timer)
        loop_timer_cancel(ch->hv->loop, ch->change_timer);
    while (ch->conns)
        conn_close(ch->conns);
    ratelog_flush(&ch->log, "the hv channel");
    listener_free(ch->ls);
    free(ch->path);
    free(ch);
}
