/*
 * status.c: who serves what.  Actors announce themselves while they run
 * and publish one status line per domain they serve; readers ask whether
 * an actor runs and what it says about a domain.  This file is the one
 * home of those nodes (dom0-only: /tool is not readable by guests, and
 * nothing here is under memory-policy/, so no write fires
 * TARGET_CHANGED):
 *
 *   /tool/mempolicy/actors/<name>/pid            announcing process
 *   /tool/mempolicy/actors/<name>/start          its start time
 *   /tool/mempolicy/actors/<name>/status/<domid> one line, at most
 *                                                MEMPOLICY_STATUS_MAX
 *   /tool/mempolicy/actors/<name>/clock          xensim only, while a
 *                                                test holds its clock:
 *                                                the simulated ms up to
 *                                                which the actor ran its
 *                                                timers (a test's barrier
 *                                                after `clock step`)
 *
 * A live actor is told from a stale announcement (kill -9, a crash, a
 * power cut of a daemon that had no time to clean up) by the process
 * identity: `start` is field 22 of /proc/<pid>/stat (starttime, clock
 * ticks after boot), so a pid that was reused by another process since
 * does not pass for the actor, and a zombie (state Z or X) is dead.  The
 * same check as xenstored's own for a domain: a name is only as good as
 * the thing it names is alive.  A reader in another pid namespace than
 * the actor (a container) cannot see its /proc entry and reports it not
 * running; actors and the tools that ask run in dom0's namespace.
 *
 * An actor that starts removes its predecessor's status lines (they
 * describe a process that is gone) and refuses to start while a live
 * announcement of the same name from another process exists, so two
 * daemons never serve the same domains.  A clean exit removes the
 * actor's whole subtree (and /tool/mempolicy/actors and /tool/mempolicy
 * when nothing else is left in them); a status line goes when its domain
 * leaves the actor.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "paths.h"

#define ACTORS_DIR "/tool/mempolicy/actors"

/* Room for ACTORS_DIR/<64-char name>/status/<domid>. */
#define STATUS_PATH_MAX 160

static void actor_path(char *buf, size_t len, const char *actor,
                       const char *leaf)
{
    snprintf(buf, len, ACTORS_DIR "/%s%s%s", actor, leaf ? "/" : "",
             leaf ? leaf : "");
}

static void status_path(char *buf, size_t len, const char *actor,
                        uint32_t domid)
{
    snprintf(buf, len, ACTORS_DIR "/%s/status/%u", actor, domid);
}

/* ---- process identity -------------------------------------------------- */

/*
 * Field 22 (starttime) of /proc/<pid>/stat; false if the process does
 * not exist (for us), is a zombie, or the file is not as expected.  The
 * command name (field 2) may hold spaces and parentheses: fields are
 * counted from the last ')'.
 */
bool mp_proc_start(int pid, uint64_t *start)
{
    char path[32], buf[1024], *p, *tok, *save = NULL;
    ssize_t r;
    int fd, field;

    if (pid <= 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    r = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (r <= 0)
        return false;
    buf[r] = '\0';
    p = strrchr(buf, ')');
    if (!p)
        return false;
    /* After ')': field 3 (state) is the first token. */
    for (field = 3, tok = strtok_r(p + 1, " ", &save); tok;
         field++, tok = strtok_r(NULL, " ", &save)) {
        if (field == 3 && (tok[0] == 'Z' || tok[0] == 'X'))
            return false;
        if (field == 22)
            return mp_parse_u64(tok, UINT64_MAX, start);
    }
    return false;
}

/* The announcement (pid and start values as read, NULL if absent) names
 * a live process: *pid gets the announced pid (0 if none or garbage). */
static bool announcement_live(const char *pidv, const char *startv,
                              int32_t *pid)
{
    uint64_t p, want, have;

    *pid = 0;
    if (!pidv || !mp_parse_u64(pidv, INT32_MAX, &p) || !p)
        return false;
    *pid = (int32_t)p;
    if (!startv || !mp_parse_u64(startv, UINT64_MAX, &want))
        return false;
    return mp_proc_start((int)p, &have) && have == want;
}

/* ---- the actor side (used by the kit in actor.c) ----------------------- */

struct announce_arg {
    const char *actor;
    int32_t pid;
    uint64_t start;
    int32_t other; /* out: pid of a live other instance */
};

static int announce_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct announce_arg *a = arg;
    char path[STATUS_PATH_MAX], spath[STATUS_PATH_MAX], val[24];
    char *pidv = NULL, *startv = NULL;
    int32_t pid;
    bool live;
    int rc;

    actor_path(path, sizeof(path), a->actor, "pid");
    actor_path(spath, sizeof(spath), a->actor, "start");
    if ((rc = mp_xs_read(ctx, t, path, &pidv)) ||
        (rc = mp_xs_read(ctx, t, spath, &startv)))
        goto out;
    live = announcement_live(pidv, startv, &pid);
    if (live) {
        /* Alive: another process, or another actor object of ours. */
        a->other = pid;
        rc = mp_err(ctx, MEMPOLICY_ERROR_BUSY,
                    "actor %s is already running as pid %d (%s)", a->actor,
                    (int)pid, path);
        goto out;
    }
    /* Whatever a dead predecessor left describes nothing any more. */
    {
        char dir[STATUS_PATH_MAX];

        actor_path(dir, sizeof(dir), a->actor, NULL);
        if (!mp_xs_rm(ctx, t, dir) && errno != ENOENT) {
            rc = errno == EAGAIN ?
                MP_TX_RETRY :
                mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: removing %s: %s",
                       dir, strerror(errno));
            goto out;
        }
    }
    snprintf(val, sizeof(val), "%d", (int)a->pid);
    rc = mp_xs_write(ctx, t, path, val);
    if (!rc) {
        snprintf(val, sizeof(val), "%" PRIu64, a->start);
        rc = mp_xs_write(ctx, t, spath, val);
    }
out:
    free(pidv);
    free(startv);
    return rc;
}

int mp_actor_announce(mempolicy_ctx *ctx, const char *actor)
{
    struct announce_arg a = { .actor = actor, .pid = (int32_t)getpid() };

    if (!mp_proc_start((int)a.pid, &a.start))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "cannot read /proc/%d/stat to announce actor %s",
                      (int)a.pid, actor);
    return mp_transaction(ctx, announce_tx, &a);
}

static int withdraw_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    const char *actor = arg;
    char path[STATUS_PATH_MAX], *pidv = NULL;
    uint64_t pid;
    int rc;

    actor_path(path, sizeof(path), actor, "pid");
    rc = mp_xs_read(ctx, t, path, &pidv);
    if (rc)
        return rc;
    /* Only our own announcement: a successor may have taken over. */
    if (pidv && mp_parse_u64(pidv, INT32_MAX, &pid) &&
        pid == (uint64_t)getpid()) {
        static const char *const parents[] = { ACTORS_DIR, "/tool/mempolicy" };
        unsigned i, n;

        actor_path(path, sizeof(path), actor, NULL);
        if (!mp_xs_rm(ctx, t, path) && errno != ENOENT)
            rc = errno == EAGAIN ? MP_TX_RETRY : MEMPOLICY_ERROR_STORE;
        /* The last one out leaves the store as it found it. */
        for (i = 0; !rc && i < 2; i++) {
            char **kids = xs_directory(ctx->xsh, t, parents[i], &n);

            free(kids);
            if (!kids || n)
                break;
            if (!mp_xs_rm(ctx, t, parents[i]) && errno != ENOENT)
                rc = errno == EAGAIN ? MP_TX_RETRY : MEMPOLICY_ERROR_STORE;
        }
    }
    free(pidv);
    return rc;
}

void mp_actor_withdraw(mempolicy_ctx *ctx, const char *actor)
{
    /* Best effort: at exit, possibly with the store gone. */
    mp_transaction(ctx, withdraw_tx, (void *)actor);
}

int mp_actor_clock_ack(mempolicy_ctx *ctx, const char *actor, uint64_t ms)
{
    char path[STATUS_PATH_MAX], val[24];

    actor_path(path, sizeof(path), actor, "clock");
    snprintf(val, sizeof(val), "%" PRIu64, ms);
    return mp_xs_write(ctx, XBT_NULL, path, val);
}

int mp_status_write(mempolicy_ctx *ctx, const char *actor, uint32_t domid,
                    const char *text)
{
    char path[STATUS_PATH_MAX];

    status_path(path, sizeof(path), actor, domid);
    if (text[0])
        return mp_xs_write(ctx, XBT_NULL, path, text);
    if (xs_rm(ctx->xsh, XBT_NULL, path) || errno == ENOENT)
        return 0;
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: removing %s: %s", path,
                  strerror(errno));
}

size_t mp_status_clean(char *dst, size_t len, const char *src)
{
    size_t i = 0;

    /* One printable line: control characters (a newline, an escape
     * sequence meant for the admin's terminal) become '?'. */
    for (; *src && i + 1 < len; src++)
        dst[i++] = (unsigned char)*src < 0x20 || *src == 0x7f ? '?' : *src;
    dst[i] = '\0';
    return i;
}

/* ---- the reader side --------------------------------------------------- */

void mempolicy_status_dispose(mempolicy_status *s)
{
    if (!s)
        return;
    free(s->actor);
    free(s->text);
    memset(s, 0, sizeof(*s));
}

void mempolicy_status_list_free(mempolicy_status *list, int n)
{
    int i;

    if (!list)
        return;
    for (i = 0; i < n; i++)
        mempolicy_status_dispose(&list[i]);
    free(list);
}

/* Answer of a pipelined read: value (taken) or NULL; error if neither. */
static int req_take(mempolicy_ctx *ctx, struct mp_xs_req *q, char **v)
{
    *v = NULL;
    if (!q->err) {
        *v = q->val;
        q->val = NULL;
        return 0;
    }
    if (q->err == ENOENT)
        return 0;
    if (q->err == EACCES || q->err == EPERM)
        return mp_err(ctx, MEMPOLICY_ERROR_PERM,
                      "xenstore: permission denied reading %s", q->path);
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: reading %s: %s",
                  q->path, strerror(q->err));
}

/*
 * Fill *out for a domain served by `actor` (canonical, non-empty) from
 * the answers for the actor's pid, start and the domain's status line.
 */
/*
 * The last announcements checked, so that a listing of thousands of
 * domains served by a handful of actors reads /proc once per actor, not
 * once per domain (an announcement is the same for all of an actor's
 * domains within one listing).
 */
#define LIVE_CACHE 8
struct live_cache {
    struct {
        uint64_t pid, start;
        bool valid, live;
        int32_t pid_out;
    } e[LIVE_CACHE];
    unsigned next;
};

static bool cached_live(struct live_cache *c, const char *pidv,
                        const char *startv, int32_t *pid)
{
    uint64_t p = 0, st = 0;
    unsigned i;
    bool live;

    if (!c || !pidv || !startv || !mp_parse_u64(pidv, INT32_MAX, &p) ||
        !mp_parse_u64(startv, UINT64_MAX, &st))
        return announcement_live(pidv, startv, pid);
    for (i = 0; i < LIVE_CACHE; i++)
        if (c->e[i].valid && c->e[i].pid == p && c->e[i].start == st) {
            *pid = c->e[i].pid_out;
            return c->e[i].live;
        }
    live = announcement_live(pidv, startv, pid);
    i = c->next++ % LIVE_CACHE;
    c->e[i].valid = true;
    c->e[i].pid = p;
    c->e[i].start = st;
    c->e[i].live = live;
    c->e[i].pid_out = *pid;
    return live;
}

static int fill_status(mempolicy_ctx *ctx, const char *actor,
                       struct mp_xs_req *pid, struct mp_xs_req *start,
                       struct mp_xs_req *line, struct live_cache *cache,
                       mempolicy_status *out)
{
    char *pidv = NULL, *startv = NULL, *text = NULL,
         clean[MEMPOLICY_STATUS_MAX + 1];
    int rc;

    if ((rc = req_take(ctx, pid, &pidv)) ||
        (rc = req_take(ctx, start, &startv)) ||
        (rc = req_take(ctx, line, &text)))
        goto out;
    out->running = cached_live(cache, pidv, startv, &out->pid);
    /* A dead actor's line describes the past: not reported. */
    mp_status_clean(clean, sizeof(clean), out->running && text ? text : "");
    out->actor = strdup(actor);
    out->text = strdup(clean);
    if (!out->actor || !out->text) {
        mempolicy_status_dispose(out);
        rc = MEMPOLICY_ERROR_NOMEM;
    }
out:
    free(pidv);
    free(startv);
    free(text);
    return rc;
}

static int no_actor(mempolicy_status *out)
{
    memset(out, 0, sizeof(*out));
    out->actor = strdup("");
    out->text = strdup("");
    if (!out->actor || !out->text) {
        mempolicy_status_dispose(out);
        return MEMPOLICY_ERROR_NOMEM;
    }
    return 0;
}

/* Requests for one actor and (domid != UINT32_MAX) one domain's line. */
static void set_reqs(struct mp_xs_req *r, char (*paths)[STATUS_PATH_MAX],
                     const char *actor, uint32_t domid)
{
    actor_path(paths[0], STATUS_PATH_MAX, actor, "pid");
    actor_path(paths[1], STATUS_PATH_MAX, actor, "start");
    status_path(paths[2], STATUS_PATH_MAX, actor, domid);
    r[0] = (struct mp_xs_req){ .path = paths[0] };
    r[1] = (struct mp_xs_req){ .path = paths[1] };
    r[2] = (struct mp_xs_req){ .path = paths[2] };
}

static void free_reqs(struct mp_xs_req *r, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(r[i].val);
        r[i].val = NULL;
    }
}

int mempolicy_actor_running(mempolicy_ctx *ctx, const char *actor,
                            bool *running)
{
    char paths[3][STATUS_PATH_MAX];
    struct mp_xs_req r[3];
    mempolicy_status s = { 0 };
    const char *canon = NULL;
    int rc;

    if (!running)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output flag");
    *running = false;
    if (!actor || mempolicy_actor_name_valid(actor, &canon) || !canon ||
        !canon[0])
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "invalid actor name '%.64s'",
                      actor ? actor : "");
    set_reqs(r, paths, canon, 0);
    rc = mp_xsb_read(ctx, 0, r, 2);
    if (!rc) {
        r[2].err = ENOENT;
        rc = fill_status(ctx, canon, &r[0], &r[1], &r[2], NULL, &s);
    }
    free_reqs(r, 3);
    if (!rc)
        *running = s.running;
    mempolicy_status_dispose(&s);
    return rc;
}

int mempolicy_domain_get_status(mempolicy_ctx *ctx, uint32_t domid,
                                mempolicy_status *out)
{
    char dom[MP_PATH_MAX], pol[MP_PATH_MAX], paths[3][STATUS_PATH_MAX];
    struct mp_xs_req q[2] = { { .path = dom }, { .path = pol } }, r[3];
    const char *canon = NULL;
    char *actor = NULL;
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output status");
    memset(out, 0, sizeof(*out));
    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    mp_path_dom(dom, domid, NULL);
    mp_path_policy(pol, domid, MP_POL_ACTOR);
    rc = mp_xsb_read(ctx, 0, q, 2);
    if (!rc && q[0].err == ENOENT)
        rc = mp_err(ctx, MEMPOLICY_ERROR_NO_DOMAIN,
                    "domain %u: no such "
                    "domain",
                    domid);
    if (!rc && q[0].err)
        rc = req_take(ctx, &q[0], &actor);
    if (!rc)
        rc = req_take(ctx, &q[1], &actor);
    if (!rc && actor && actor[0] &&
        (mempolicy_actor_name_valid(actor, &canon) || !canon))
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                    "%s: '%.64s' is not an "
                    "actor name",
                    pol, actor);
    free_reqs(q, 2);
    if (rc)
        goto out;
    if (!actor || !actor[0]) {
        rc = no_actor(out);
        goto out;
    }
    set_reqs(r, paths, canon, domid);
    rc = mp_xsb_read(ctx, 0, r, 3);
    if (!rc)
        rc = fill_status(ctx, canon, &r[0], &r[1], &r[2], NULL, out);
    free_reqs(r, 3);
out:
    free(actor);
    return rc;
}

int mempolicy_list_status(mempolicy_ctx *ctx, const mempolicy_dominfo *list,
                          int n, mempolicy_status **out)
{
    /* Per served domain: its actor's pid and start (read again for each
     * domain: a host runs a handful of actors and the reads are
     * pipelined, so deduplicating would save no round trip), and its
     * line.  Domains without an actor read nothing. */
    char(*paths)[STATUS_PATH_MAX] = NULL;
    struct mp_xs_req *r = NULL;
    mempolicy_status *s = NULL;
    struct live_cache cache = { .next = 0 };
    int *idx = NULL, i, m = 0, rc = 0;

    if (!out || n < 0 || (n && !list))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no list or output");
    *out = NULL;
    s = calloc(n ? (size_t)n : 1, sizeof(*s));
    idx = calloc(n ? (size_t)n : 1, sizeof(*idx));
    r = calloc((size_t)n * 3 + 1, sizeof(*r));
    paths = calloc((size_t)n * 3 + 1, sizeof(*paths));
    if (!s || !idx || !r || !paths) {
        rc = MEMPOLICY_ERROR_NOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        const char *a = list[i].policy.actor;

        idx[i] = -1;
        if (!a || !a[0])
            continue;
        idx[i] = m;
        set_reqs(r + 3 * m, paths + 3 * m, a, list[i].domid);
        m++;
    }
    if (m)
        rc = mp_xsb_read(ctx, 0, r, (unsigned)m * 3);
    for (i = 0; !rc && i < n; i++) {
        int k = idx[i];

        rc = k < 0 ? no_actor(&s[i]) :
                     fill_status(ctx, list[i].policy.actor, &r[3 * k],
                                 &r[3 * k + 1], &r[3 * k + 2], &cache, &s[i]);
    }
out:
    if (r)
        free_reqs(r, (size_t)m * 3);
    free(r);
    free(paths);
    free(idx);
    if (rc) {
        mempolicy_status_list_free(s, n);
        return rc;
    }
    *out = s;
    return 0;
}
