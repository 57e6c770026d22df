/*
 * backend_sim.c: the "sim" hypervisor backend, a client of xensim's
 * hypervisor channel (docs/hv-channel.md).
 *
 * One stream connection per context, one request line and one reply line
 * at a time, so no request ids are needed and replies cannot be confused.
 * Replies come from another process: every one is bounded (a line of at
 * most MP_SIM_LINE bytes) and parsed strictly; a malformed reply is an
 * error, never trusted.  Channel errors carry Xen's errno names, which map
 * to the library's codes exactly as the xen backend maps real errnos.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

/*
 * Reply lines start in a buffer enough for a 512-hash page_hashes reply
 * (512 * 17 bytes) or a 1024-frame pfn_types reply, and grow, for `dominfo_all` and `list` on big hosts
 * (about 90 bytes a domain), up to a bound a sane reply never reaches.
 */
#define MP_SIM_LINE 16384
#define MP_SIM_LINE_MAX (16u << 20)

struct sim {
    int fd;
    char *path;
    char *buf;      /* cap + 1 bytes */
    size_t cap;
    size_t len;     /* bytes buffered */
    int last_errno; /* of the last "err" reply; 0 after "ok" */
    double speed;
};

static const struct {
    const char *name;
    int e;
} errnames[] = {
    { "ESRCH", ESRCH }, { "EINVAL", EINVAL }, { "ENODEV", ENODEV },
    { "EBUSY", EBUSY }, { "ENOSYS", ENOSYS }, { "EOPNOTSUPP", EOPNOTSUPP },
    { "ENOTSUP", EOPNOTSUPP }, { "EXDEV", EXDEV }, { "EMLINK", EMLINK },
    { "ENOMEM", ENOMEM }, { "EPERM", EPERM },
    { "EACCES", EACCES }, { "EAGAIN", EAGAIN }, { "ENOENT", ENOENT },
    { "EEXIST", EEXIST }, { "E2BIG", E2BIG }, { "ENOSPC", ENOSPC },
    { "ECHILD", ECHILD }, { "EBADF", EBADF },
};

static int errno_from_name(const char *n)
{
    size_t i;

    for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
        if (!strcmp(n, errnames[i].name))
            return errnames[i].e;
    return EIO;
}

/* Write all of a request, then read one reply line into s->buf. */
static int sim_call(mempolicy_ctx *ctx, char **line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sim_call(mempolicy_ctx *ctx, char **line, const char *fmt, ...)
{
    struct sim *s = ctx->be_priv;
    char req[512];
    va_list ap;
    size_t off = 0;
    int n;
    char *nl;

    va_start(ap, fmt);
    n = vsnprintf(req, sizeof(req) - 1, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(req) - 1)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "hv request too long");
    req[n++] = '\n';
    if (s->fd < 0)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_HYPERVISOR,
                      "hypervisor channel %s is closed", s->path);
    while (off < (size_t)n) {
        ssize_t w = send(s->fd, req + off, (size_t)n - off, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto lost;
        off += (size_t)w;
    }
    /* The previous reply was consumed entirely: the buffer starts empty. */
    s->len = 0;
    for (;;) {
        ssize_t r;

        nl = memchr(s->buf, '\n', s->len);
        if (nl)
            break;
        if (s->len >= s->cap) {
            char *nb = s->cap < MP_SIM_LINE_MAX
                           ? realloc(s->buf, s->cap * 2 + 1) : NULL;

            if (!nb) {
                close(s->fd);
                s->fd = -1;
                return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                              "hypervisor channel: reply line too long");
            }
            s->buf = nb;
            s->cap *= 2;
        }
        r = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            goto lost;
        s->len += (size_t)r;
    }
    *nl = '\0';
    s->last_errno = 0;
    if (!strncmp(s->buf, "ok", 2) && (s->buf[2] == '\0' ||
                                      s->buf[2] == ' ')) {
        *line = s->buf + 2;
        return 0;
    }
    if (!strncmp(s->buf, "err ", 4)) {
        char *name = s->buf + 4;
        char *msg = strchr(name, ' ');
        char qmsg[4 * 200 + 4];
        int e;

        if (msg)
            *msg++ = '\0';
        e = errno_from_name(name);
        s->last_errno = e;
        ctx->hv_errno = e;
        return mp_err(ctx, mp_errno_to_rc(e), "hypervisor: %s: %s",
                      MP_Q(name), mempolicy_quote_n(msg ? msg : "", 200, qmsg));
    }
    return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                  "hypervisor channel: malformed reply '%s'", MP_Q(s->buf));

lost:
    close(s->fd);
    s->fd = -1;
    return mp_err(ctx, MEMPOLICY_ERROR_NO_HYPERVISOR,
                  "hypervisor channel %s: connection lost", s->path);
}

/* Find " key=" in a reply line; the value runs to the next space. */
static bool reply_get(const char *line, const char *key, char *val,
                      size_t vlen)
{
    size_t klen = strlen(key);
    const char *p = line;

    while ((p = strchr(p, ' '))) {
        p++;
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            const char *v = p + klen + 1;
            size_t n = strcspn(v, " ");

            if (n >= vlen)
                return false;
            memcpy(val, v, n);
            val[n] = '\0';
            return true;
        }
    }
    return false;
}

static int reply_u64(mempolicy_ctx *ctx, const char *line, const char *key,
                     uint64_t *out)
{
    char v[32];

    if (!reply_get(line, key, v, sizeof(v)) ||
        !mp_parse_u64(v, UINT64_MAX, out))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "hypervisor channel: reply lacks a number %s", key);
    return 0;
}

static int reply_bool(mempolicy_ctx *ctx, const char *line, const char *key,
                      bool *out)
{
    uint64_t v;
    int rc = reply_u64(ctx, line, key, &v);

    if (rc)
        return rc;
    *out = v != 0;
    return 0;
}

static void sim_close(mempolicy_ctx *ctx)
{
    struct sim *s = ctx->be_priv;

    if (s->fd >= 0)
        close(s->fd);
    free(s->path);
    free(s->buf);
    free(s);
    ctx->be_priv = NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static int sim_list(mempolicy_ctx *ctx, uint32_t **domids, int *n)
{
    char *line, *ids, *p;
    uint32_t *out;
    int rc, cap = 0, cnt = 0;

    *domids = NULL;
    *n = 0;
    rc = sim_call(ctx, &line, "list");
    if (rc)
        return rc;
    ids = strstr(line, " domids=");
    if (!ids)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "hypervisor channel: list reply lacks domids");
    ids += 8;
    ids[strcspn(ids, " ")] = '\0';
    for (p = ids; *p; p++)
        if (*p == ',')
            cap++;
    cap += 2; /* the last id, and dom0 which xensim does not list */
    out = calloc((size_t)cap, sizeof(*out));
    if (!out)
        return MEMPOLICY_ERROR_NOMEM;
    p = ids;
    while (*p) {
        char *end = strchr(p, ',');
        uint64_t v;

        if (end)
            *end = '\0';
        if (!mp_parse_u64(p, MP_DOMID_LIMIT - 1, &v) || cnt >= cap - 1) {
            free(out);
            return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                          "hypervisor channel: bad domid in list");
        }
        out[cnt++] = (uint32_t)v;
        if (!end)
            break;
        p = end + 1;
    }
    qsort(out, (size_t)cnt, sizeof(*out), cmp_u32);
    if (cnt == 0 || out[0] != 0) {
        /* Xen lists dom0 too: so do we. */
        memmove(out + 1, out, (size_t)cnt * sizeof(*out));
        out[0] = 0;
        cnt++;
    }
    *domids = out;
    *n = cnt;
    return 0;
}

static int sim_dominfo(mempolicy_ctx *ctx, uint32_t domid,
                       struct mp_hvinfo *o)
{
    char *line, type[8];
    int rc;

    memset(o, 0, sizeof(*o));
    rc = sim_call(ctx, &line, "dominfo %u", domid);
    if (rc)
        return rc;
    o->domid = domid;
    if (!reply_get(line, "type", type, sizeof(type)) ||
        (strcmp(type, "pv") && strcmp(type, "hvm") && strcmp(type, "pvh")))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "hypervisor channel: dominfo lacks a type");
    /* PVH is an HVM container for Xen (XEN_DOMINF_hvm_guest). */
    o->hvm = strcmp(type, "pv") != 0;
    if ((rc = reply_bool(ctx, line, "hap", &o->hap)) ||
        (rc = reply_u64(ctx, line, "tot_kb", &o->tot_kb)) ||
        (rc = reply_u64(ctx, line, "max_kb", &o->max_kb)) ||
        (rc = reply_bool(ctx, line, "paging", &o->paging)) ||
        (rc = reply_u64(ctx, line, "paged_kb", &o->paged_kb)) ||
        (rc = reply_u64(ctx, line, "paging_target_kb",
                        &o->paging_target_kb)) ||
        (rc = reply_bool(ctx, line, "sharing", &o->sharing)) ||
        (rc = reply_u64(ctx, line, "shared_kb", &o->shared_kb)) ||
        (rc = reply_u64(ctx, line, "cow_breaks", &o->cow_breaks)) ||
        (rc = reply_bool(ctx, line, "dying", &o->dying)) ||
        (rc = reply_bool(ctx, line, "shutdown", &o->shutdown)))
        return rc;
    return 0;
}

/* The fields of a dominfo_all record this reader knows, in order. */
#define SIM_DOMINFO_FIELDS "domid,type,hap,tot_kb,max_kb,paging,paged_kb," \
                           "paging_target_kb,sharing,shared_kb,cow_breaks," \
                           "dying,shutdown"

/* One record "1,hvm,1,...": false if malformed. */
static bool parse_record(char *rec, struct mp_hvinfo *o)
{
    uint64_t v[13];
    char *f[13], *p = rec;
    unsigned i;

    for (i = 0; i < 13; i++) {
        f[i] = p;
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
        else if (i < 12)
            return false;
    }
    /* Fields appended by a newer xensim are ignored (p left over). */
    memset(o, 0, sizeof(*o));
    if (strcmp(f[1], "pv") && strcmp(f[1], "hvm") && strcmp(f[1], "pvh"))
        return false;
    for (i = 0; i < 13; i++) {
        if (i == 1)
            continue;
        if (!mp_parse_u64(f[i], UINT64_MAX, &v[i]))
            return false;
    }
    if (v[0] >= MP_DOMID_LIMIT)
        return false;
    o->domid = (uint32_t)v[0];
    o->hvm = strcmp(f[1], "pv") != 0;
    o->hap = v[2] != 0;
    o->tot_kb = v[3];
    o->max_kb = v[4];
    o->paging = v[5] != 0;
    o->paged_kb = v[6];
    o->paging_target_kb = v[7];
    o->sharing = v[8] != 0;
    o->shared_kb = v[9];
    o->cow_breaks = v[10];
    o->dying = v[11] != 0;
    o->shutdown = v[12] != 0;
    return true;
}

static int cmp_hvinfo(const void *a, const void *b)
{
    const struct mp_hvinfo *x = a, *y = b;

    return x->domid < y->domid ? -1 : x->domid > y->domid;
}

/* The slow way, for a channel without dominfo_all: list, then each. */
static int list_info_each(mempolicy_ctx *ctx, struct mp_hvinfo **out,
                          int *n)
{
    struct mp_hvinfo *info;
    uint32_t *ids;
    int nids, i, cnt = 0, rc;

    rc = sim_list(ctx, &ids, &nids);
    if (rc)
        return rc;
    info = calloc(nids ? (size_t)nids : 1, sizeof(*info));
    if (!info) {
        free(ids);
        return MEMPOLICY_ERROR_NOMEM;
    }
    for (i = 0; i < nids; i++) {
        rc = sim_dominfo(ctx, ids[i], &info[cnt]);
        if (rc == MEMPOLICY_ERROR_NO_DOMAIN)
            continue; /* destroyed since the list was taken */
        if (rc) {
            free(ids);
            free(info);
            return rc;
        }
        cnt++;
    }
    free(ids);
    *out = info;
    *n = cnt;
    return 0;
}

static int sim_list_info(mempolicy_ctx *ctx, struct mp_hvinfo **out, int *n)
{
    struct mp_hvinfo *info;
    char *line, *fields, *doms, *p;
    size_t cap = 1;
    int rc, cnt = 0;

    *out = NULL;
    *n = 0;
    rc = sim_call(ctx, &line, "dominfo_all");
    if (rc == MEMPOLICY_ERROR_INVAL)
        return list_info_each(ctx, out, n); /* an older xensim */
    if (rc)
        return rc;
    fields = strstr(line, " fields=");
    doms = strstr(line, " domains=");
    if (!fields || !doms ||
        strncmp(fields + 8, SIM_DOMINFO_FIELDS,
                strlen(SIM_DOMINFO_FIELDS)))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "hypervisor channel: dominfo_all reply lacks the "
                      "fields this library reads");
    doms += 9;
    doms[strcspn(doms, " ")] = '\0';
    for (p = doms; *p; p++)
        cap += *p == ';';
    info = calloc(cap, sizeof(*info));
    if (!info)
        return MEMPOLICY_ERROR_NOMEM;
    p = doms;
    while (*p) {
        char *end = strchr(p, ';');

        if (end)
            *end = '\0';
        if ((size_t)cnt >= cap || !parse_record(p, &info[cnt])) {
            free(info);
            return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                          "hypervisor channel: bad dominfo_all record");
        }
        if (!info[cnt].dying)
            cnt++;
        if (!end)
            break;
        p = end + 1;
    }
    qsort(info, (size_t)cnt, sizeof(*info), cmp_hvinfo);
    *out = info;
    *n = cnt;
    return 0;
}

static int sim_physinfo(mempolicy_ctx *ctx, mempolicy_physinfo *o)
{
    char *line;
    int rc;

    memset(o, 0, sizeof(*o));
    rc = sim_call(ctx, &line, "physinfo");
    if (rc)
        return rc;
    if ((rc = reply_u64(ctx, line, "total_kb", &o->total_kb)) ||
        (rc = reply_u64(ctx, line, "free_kb", &o->free_kb)) ||
        (rc = reply_u64(ctx, line, "shared_kb", &o->shared_kb)) ||
        (rc = reply_u64(ctx, line, "freed_by_sharing_kb",
                        &o->freed_by_sharing_kb)))
        return rc;
    return 0;
}

static int sim_setmaxmem(mempolicy_ctx *ctx, uint32_t domid, uint64_t kb)
{
    char *line;

    return sim_call(ctx, &line, "setmaxmem %u %llu", domid,
                    (unsigned long long)kb);
}

static int sim_set_pod_target(mempolicy_ctx *ctx, uint32_t domid,
                              uint64_t pages)
{
    struct sim *s = ctx->be_priv;
    char *line;
    int rc = sim_call(ctx, &line, "set_pod_target %u %llu", domid,
                      (unsigned long long)pages);

    /* An xensim without a PoD model does not know the verb: it has no
     * PoD target to keep, so there is nothing to set. */
    if (rc == MEMPOLICY_ERROR_INVAL && s->last_errno == EINVAL &&
        strstr(ctx->err, "unknown verb")) {
        mp_log(ctx, XTL_DEBUG, "domain %u: this xensim has no PoD model",
               domid);
        return 0;
    }
    return rc;
}

/*
 * The pager is xensim's (tools/xensim/paging.c): a simulated process with
 * a pid and an exit status, reached through the channel's pager_* verbs
 * the way the xen backend reaches xenpaging with fork, kill and wait.
 */
static int sim_pager_start(mempolicy_ctx *ctx, uint32_t domid,
                           const char *pagefile, long *pid)
{
    char *line;
    uint64_t v;
    int rc;

    rc = sim_call(ctx, &line, "pager_start %u %s", domid, pagefile);
    if (rc)
        return rc;
    rc = reply_u64(ctx, line, "pid", &v);
    if (rc)
        return rc;
    if (v < 2 || v > INT32_MAX)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "hypervisor channel: bad pager pid");
    *pid = (long)v;
    return 0;
}

/* state=, status=, err= and paged_kb= of a pager_status/wait reply. */
static int pager_reply(mempolicy_ctx *ctx, const char *line,
                       struct mp_pager_state *st)
{
    char state[16], status[16], err[16], *end;
    long v;
    int rc;

    memset(st, 0, sizeof(*st));
    if (!reply_get(line, "state", state, sizeof(state)) ||
        !reply_get(line, "status", status, sizeof(status)) ||
        !reply_get(line, "err", err, sizeof(err)))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "hypervisor channel: malformed pager reply");
    errno = 0;
    v = strtol(status, &end, 10);
    if (errno || *end || end == status || v < -64 || v > 255)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "hypervisor channel: bad pager status");
    rc = reply_u64(ctx, line, "paged_kb", &st->paged_kb);
    if (rc)
        return rc;
    st->running = strcmp(state, "exited") != 0;
    st->status = (int)v;
    st->err = strcmp(err, "0") ? errno_from_name(err) : 0;
    return 0;
}

static int sim_pager_status(mempolicy_ctx *ctx, uint32_t domid, long pid,
                            const char *pagefile, struct mp_pager_state *st)
{
    struct sim *s = ctx->be_priv;
    char *line;
    int rc = sim_call(ctx, &line, "pager_status %ld", pid);

    /* A pager xensim no longer knows (restarted, or long gone). */
    if (rc && s->last_errno == ESRCH) {
        memset(st, 0, sizeof(*st));
        st->status = MP_PAGER_STATUS_UNKNOWN;
        return 0;
    }
    return rc ? rc : pager_reply(ctx, line, st);
}

static int sim_pager_stop(mempolicy_ctx *ctx, uint32_t domid, long pid)
{
    struct sim *s = ctx->be_priv;
    char *line;
    int rc = sim_call(ctx, &line, "pager_signal %ld TERM", pid);

    return rc && s->last_errno == ESRCH ? 0 : rc; /* exited already */
}

static int sim_pager_wait(mempolicy_ctx *ctx, uint32_t domid, long pid,
                          const char *pagefile, bool paged_in,
                          uint64_t max_ms, struct mp_pager_state *st)
{
    char *line;
    int rc;

    if (!max_ms)
        max_ms = 1;
    rc = sim_call(ctx, &line, "pager_wait %ld %llu%s", pid,
                  (unsigned long long)max_ms, paged_in ? " paged_in" : "");
    if (rc)
        return rc;
    return pager_reply(ctx, line, st);
}

static int sim_paging_disable(mempolicy_ctx *ctx, uint32_t domid)
{
    char *line;

    return sim_call(ctx, &line, "paging_disable %u", domid);
}

static int sim_sharing_control(mempolicy_ctx *ctx, uint32_t domid,
                               bool enable)
{
    char *line;

    return sim_call(ctx, &line, "sharing_%s %u",
                    enable ? "enable" : "disable", domid);
}

/* One page_hashes reply's values into hashes[0..count-1]; a frame whose
 * mapping failed ("!ERRNO") is MEMPOLICY_PAGE_ABSENT.  0 or -1. */
static int parse_hashes(const char *line, unsigned count, uint64_t *hashes)
{
    const char *p = strstr(line, " hashes=");
    unsigned i;

    if (!p)
        return -1;
    p += 8;
    for (i = 0; i < count; i++) {
        char *end;

        if (*p == '!') {
            size_t n = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

            if (n == 0 || n > 16)
                return -1;
            hashes[i] = MEMPOLICY_PAGE_ABSENT;
            end = (char *)p + 1 + n;
        } else {
            errno = 0;
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                  (*p >= 'A' && *p <= 'F')))
                return -1;
            hashes[i] = strtoull(p, &end, 16);
            if (errno || end == p || end - p > 16 ||
                hashes[i] == MEMPOLICY_PAGE_ABSENT)
                return -1;
        }
        p = end;
        if (i + 1 < count) {
            if (*p != ',')
                return -1;
            p++;
        }
    }
    return *p && *p != ' ' ? -1 : 0;
}

/*
 * As the xen backend: the frames' types first (pfn_types, Xen's
 * getpageframeinfo3), then only the frames holding a page are mapped
 * (page_hashes on each run of them), so holes are never mapped.
 */
static int sim_page_hashes(mempolicy_ctx *ctx, uint32_t domid,
                           uint64_t first_gfn, unsigned count,
                           uint64_t *hashes)
{
    char *line, *t, types[MEMPOLICY_PAGE_HASHES_MAX + 1];
    unsigned i, run;
    int rc;

    rc = sim_call(ctx, &line, "pfn_types %u %llu %u", domid,
                  (unsigned long long)first_gfn, count);
    if (rc)
        return rc;
    t = strstr(line, " types=");
    if (!t || strspn(t + 7, "rx") != count ||
        (t[7 + count] && t[7 + count] != ' '))
        goto bad;
    memcpy(types, t + 7, count);
    for (i = 0; i < count; i += run) {
        for (run = 0; i + run < count && types[i + run] == types[i]; run++)
            ;
        if (types[i] == 'x') {
            unsigned k;

            for (k = 0; k < run; k++)
                hashes[i + k] = MEMPOLICY_PAGE_ABSENT;
            continue;
        }
        rc = sim_call(ctx, &line, "page_hashes %u %llu %u", domid,
                      (unsigned long long)(first_gfn + i), run);
        if (rc)
            return rc;
        if (parse_hashes(line, run, hashes + i))
            goto bad;
    }
    return 0;

bad:
    return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                  "hypervisor channel: malformed pfn_types/page_hashes "
                  "reply");
}

/* XENMEM_maximum_gpfn, and the PoD entries as dominfo tells them. */
static int sim_frames(mempolicy_ctx *ctx, uint32_t domid, uint64_t *max_gpfn,
                      uint64_t *pod_entries)
{
    uint64_t kb;
    char *line;
    int rc;

    rc = sim_call(ctx, &line, "maximum_gpfn %u", domid);
    if (!rc)
        rc = reply_u64(ctx, line, "max_gpfn", max_gpfn);
    if (!rc)
        rc = sim_call(ctx, &line, "dominfo %u", domid);
    if (!rc)
        rc = reply_u64(ctx, line, "pod_entries_kb", &kb);
    if (!rc)
        *pod_entries = kb / 4;
    return rc;
}

static int sim_page_compare(mempolicy_ctx *ctx, uint32_t dom1,
                            uint64_t gfn1, uint32_t dom2, uint64_t gfn2,
                            bool *same)
{
    char *line;
    int rc;

    rc = sim_call(ctx, &line, "page_compare %u %llu %u %llu", dom1,
                  (unsigned long long)gfn1, dom2, (unsigned long long)gfn2);
    if (rc)
        return rc;
    return reply_bool(ctx, line, "same", same);
}

static int sim_nominate(mempolicy_ctx *ctx, uint32_t domid, uint64_t gfn,
                        uint64_t *handle)
{
    char *line;
    int rc;

    rc = sim_call(ctx, &line, "nominate %u %llu", domid,
                  (unsigned long long)gfn);
    if (rc)
        return rc;
    return reply_u64(ctx, line, "handle", handle);
}

static int sim_share(mempolicy_ctx *ctx, uint32_t sdom, uint64_t sgfn,
                     uint64_t shandle, uint32_t cdom, uint64_t cgfn,
                     uint64_t chandle)
{
    struct sim *s = ctx->be_priv;
    char *line;
    int rc;

    rc = sim_call(ctx, &line, "share %u %llu %llu %u %llu %llu", sdom,
                  (unsigned long long)sgfn, (unsigned long long)shandle,
                  cdom, (unsigned long long)cgfn,
                  (unsigned long long)chandle);
    /* Xen's S/C_HANDLE_INVALID, as the channel names them; the channel's
     * message (kept in the detail) says which page. */
    if (rc && s->last_errno == ECHILD)
        rc = MEMPOLICY_ERROR_STALE_SOURCE_HANDLE;
    else if (rc && s->last_errno == EBADF)
        rc = MEMPOLICY_ERROR_STALE_CLIENT_HANDLE;
    return rc;
}

static double sim_clock_speed(mempolicy_ctx *ctx)
{
    struct sim *s = ctx->be_priv;

    return s->speed;
}

static const struct mp_backend_ops sim_ops = {
    .name = "sim",
    .close = sim_close,
    .list = sim_list,
    .dominfo = sim_dominfo,
    .list_info = sim_list_info,
    .physinfo = sim_physinfo,
    .setmaxmem = sim_setmaxmem,
    .set_pod_target = sim_set_pod_target,
    .pager_start = sim_pager_start,
    .pager_status = sim_pager_status,
    .pager_stop = sim_pager_stop,
    .pager_wait = sim_pager_wait,
    .paging_disable = sim_paging_disable,
    .sharing_control = sim_sharing_control,
    .page_hashes = sim_page_hashes,
    .page_compare = sim_page_compare,
    .frames = sim_frames,
    .nominate = sim_nominate,
    .share = sim_share,
    .clock_speed = sim_clock_speed,
    .clock_node = "/tool/xensim/clock",
};

/* The host's speed from /tool/xensim/speed; 1.0 if absent or odd. */
static double read_speed(mempolicy_ctx *ctx)
{
    unsigned len;
    char *v = xs_read(ctx->xsh, XBT_NULL, "/tool/xensim/speed", &len);
    double d = 1.0;
    char *end;

    if (!v)
        return d;
    d = strtod(v, &end);
    if (end == v || *end || !(d > 0.0) || d > 1e6)
        d = 1.0;
    free(v);
    return d;
}

int mp_backend_sim_open(mempolicy_ctx *ctx, const char *socket_path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct sim *s;

    if (strlen(socket_path) >= sizeof(sa.sun_path) || socket_path[0] != '/')
        return mp_err(ctx, MEMPOLICY_ERROR_NO_HYPERVISOR,
                      "xensim hv-socket path '%.80s' is not usable",
                      socket_path);
    s = calloc(1, sizeof(*s));
    if (!s)
        return MEMPOLICY_ERROR_NOMEM;
    s->path = strdup(socket_path);
    s->cap = MP_SIM_LINE;
    s->buf = malloc(s->cap + 1);
    s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!s->path || !s->buf || s->fd < 0) {
        if (s->fd >= 0)
            close(s->fd);
        free(s->path);
        free(s->buf);
        free(s);
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "cannot create a socket");
    }
    strcpy(sa.sun_path, socket_path);
    if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;

        close(s->fd);
        free(s->path);
        free(s->buf);
        free(s);
        return mp_err(ctx, MEMPOLICY_ERROR_NO_HYPERVISOR,
                      "cannot connect to the xensim hypervisor at %s: %s",
                      socket_path, strerror(e));
    }
    ctx->be = &sim_ops;
    ctx->be_priv = s;
    s->speed = read_speed(ctx);
    return 0;
}
