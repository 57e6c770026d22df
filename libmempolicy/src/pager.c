/*
 * pager.c: the pager's lifecycle, the one home of its store record.
 *
 * Paging a domain needs a pager, Xen's xenpaging, serving the domain's
 * paging ring for as long as anything is paged out.  Xen's tools do not
 * start it (docs/misc/xenpaging.txt: "not integrated into libxl"; one is
 * run per domain by hand, detached, until told to stop), so the library
 * does what an administrator following that document does, and records
 * it so that any process can tell:
 *
 *   /libxl/<domid>/xenpaging = "<pid> <pagefile>"   (dom0 only)
 *
 * Paging is on for a domain exactly while this record exists: enabling
 * writes it once the pager runs (so a paging target can be set at once,
 * by this process or any other), and the pager outlives whoever started
 * it (an actor that restarts, `xlmem mem-paging-enable` that exits).
 * The record goes with the domain (libxl removes /libxl/<domid>).
 *
 * Disabling, as tools/xenpaging/xenpaging.c expects to be stopped:
 *   1. paging target 0: the pager pages everything back in;
 *   2. wait, bounded, until nothing is paged out (a clear error if it
 *      does not happen: host full, maxmem);
 *   3. SIGTERM to the recorded pager, which tears the ring down itself
 *      (xenpaging_teardown: xc_mem_paging_disable) and exits; wait for
 *      it; remove the record.
 * The ring is never torn down under a live pager: Xen would crash the
 * guest at its next touch of a page still out (mem_paging.c,
 * p2m_mem_paging_populate: "paging gfn yet no ring in place").  Only a
 * ring whose pager has exited, with nothing paged out, is torn down
 * directly.  A pager that exited is reported with its exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "paths.h"

/* Waits (host ms): paging in, at least 60 s and 1 s per 8 MiB out (a
 * pagefile on a slow disk); the pager's exit after SIGTERM. */
#define PAGE_IN_MIN_MS 60000u
#define PAGE_IN_KB_PER_S (8u * 1024u)
#define PAGER_EXIT_MS 30000u

static char *record_path(char buf[MP_PATH_MAX], uint32_t domid)
{
    return mp_path_libxl(buf, domid, MP_LIBXL_PAGER);
}

int mp_pager_parse(const char *v, struct mp_pager_rec *rec)
{
    uint64_t pid;
    const char *sp = strchr(v, ' ');
    char num[24];
    size_t n;

    memset(rec, 0, sizeof(*rec));
    if (!sp || (n = (size_t)(sp - v)) == 0 || n >= sizeof(num))
        return -1;
    memcpy(num, v, n);
    num[n] = '\0';
    if (!mp_parse_u64(num, INT32_MAX, &pid) || pid < 2 || sp[1] != '/' ||
        strlen(sp + 1) >= sizeof(rec->pagefile))
        return -1;
    rec->pid = (long)pid;
    strcpy(rec->pagefile, sp + 1);
    return 0;
}

int mp_pager_read(mempolicy_ctx *ctx, uint32_t domid, struct mp_pager_rec *rec,
                  bool *present)
{
    char path[MP_PATH_MAX], *v;
    int rc;

    *present = false;
    rc = mp_xs_read(ctx, XBT_NULL, record_path(path, domid), &v);
    if (rc || !v)
        return rc;
    if (mp_pager_parse(v, rec)) {
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                    "%s: '%.80s' is not \"<pid> "
                    "<pagefile>\"",
                    path, MP_Q(v));
        free(v);
        return rc;
    }
    free(v);
    *present = true;
    return 0;
}

static int record_write(mempolicy_ctx *ctx, uint32_t domid,
                        const struct mp_pager_rec *rec)
{
    char path[MP_PATH_MAX], v[sizeof(rec->pagefile) + 24];

    snprintf(v, sizeof(v), "%ld %s", rec->pid, rec->pagefile);
    return mp_xs_write(ctx, XBT_NULL, record_path(path, domid), v);
}

static int record_remove(mempolicy_ctx *ctx, uint32_t domid)
{
    char path[MP_PATH_MAX];

    if (xs_rm(ctx->xsh, XBT_NULL, record_path(path, domid)) || errno == ENOENT)
        return 0;
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: removing %s: %s", path,
                  strerror(errno));
}

/* "status 1", "killed by signal 9", "status unknown" */
static const char *exit_text(const struct mp_pager_state *st, char *buf,
                             size_t len)
{
    if (st->status == MP_PAGER_STATUS_UNKNOWN)
        snprintf(buf, len, "an exit status no one recorded");
    else if (st->status < 0)
        snprintf(buf, len, "killed by signal %d", -st->status);
    else
        snprintf(buf, len, "status %d", st->status);
    return buf;
}

/*
 * The pager exited: one line saying so, with the cause when it is one of
 * Xen's paging errnos (hverr.c) and the exit status.
 */
static int report_exit(mempolicy_ctx *ctx, uint32_t domid,
                       const struct mp_pager_rec *rec,
                       const struct mp_pager_state *st, const char *when)
{
    const char *name,
        *why = st->err ? mp_hv_mech_why(true, st->err, &name) : NULL;
    char ex[48];

    exit_text(st, ex, sizeof(ex));
    ctx->hv_errno = st->err;
    if (why)
        return mp_err(ctx, mp_errno_to_rc(st->err),
                      "domain %u: paging: %s "
                      "(%s); its pager (xenpaging, pid %ld) exited %s with "
                      "%s",
                      domid, why, name, rec->pid, when, ex);
    return mp_err(ctx, st->err ? mp_errno_to_rc(st->err) : MEMPOLICY_ERROR_FAIL,
                  "domain %u: its pager (xenpaging, pid %ld) exited %s with "
                  "%s%s%s",
                  domid, rec->pid, when, ex, st->err ? ": " : "",
                  st->err ? strerror(st->err) : "");
}

/* The directory of pagefiles: the caller's, else XEN_LIB_DIR/xenpaging
 * (/var/lib/xen/xenpaging on Xen, beside xensim's sockets on xensim). */
static int pagefile_path(mempolicy_ctx *ctx, uint32_t domid, char *out,
                         size_t len)
{
    const char *lib = ctx->lock_dir ? ctx->lock_dir : MP_XEN_LIB_DIR;
    char dir[MP_PAGEFILE_MAX - 24];
    struct stat st;
    int n;

    if (ctx->paging_dir)
        n = snprintf(dir, sizeof(dir), "%s", ctx->paging_dir);
    else
        n = snprintf(dir, sizeof(dir), "%s/xenpaging", lib);
    if (n < 0 || (size_t)n >= sizeof(dir))
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "paging directory path too long");
    /* Guest memory goes there: root's alone (0700), created if absent. */
    if (mkdir(dir, 0700) && errno != EEXIST)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "cannot create the paging directory %s: %s", dir,
                      strerror(errno));
    if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "paging directory %s is not a directory", dir);
    if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "cannot make the paging directory %s mode 0700: %s", dir,
                      strerror(errno));
    if ((size_t)snprintf(out, len, "%s/%u.paging", dir, domid) >= len)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "paging directory path too long");
    return 0;
}

/* Tear down the ring of a pager that has exited, if nothing is out. */
static int clear_stale(mempolicy_ctx *ctx, uint32_t domid,
                       const struct mp_pager_rec *rec,
                       const struct mp_pager_state *st)
{
    struct mp_hvinfo hv;
    char ex[48];
    int rc = ctx->be->dominfo(ctx, domid, &hv);

    if (rc)
        return rc;
    if (hv.paged_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "domain %u: its pager (xenpaging, pid %ld) exited with "
                      "%s while %llu KiB were paged out: only a pager brings "
                      "them back, and Xen refuses a new one while the old "
                      "ring stands; the guest stalls or crashes when it "
                      "touches them",
                      domid, rec->pid, exit_text(st, ex, sizeof(ex)),
                      (unsigned long long)hv.paged_kb);
    /* xenpaging tears the ring down when it exits normally; one killed
     * may have left it: nothing is out, so it can go (EINVAL: gone). */
    rc = ctx->be->paging_disable(ctx, domid);
    if (rc && ctx->hv_errno != EINVAL && ctx->hv_errno != ENOSYS)
        return rc;
    mp_log(ctx, XTL_INFO,
           "domain %u: its pager (pid %ld) had exited with "
           "%s; record removed",
           domid, rec->pid, exit_text(st, ex, sizeof(ex)));
    return record_remove(ctx, domid);
}

/* The recorded pager (*present) and how it stands now. */
static int pager_current(mempolicy_ctx *ctx, uint32_t domid,
                         struct mp_pager_rec *rec, bool *present,
                         struct mp_pager_state *st)
{
    int rc = mp_pager_read(ctx, domid, rec, present);

    if (rc || !*present)
        return rc;
    return ctx->be->pager_status(ctx, domid, rec->pid, rec->pagefile, st);
}

int mp_pager_start(mempolicy_ctx *ctx, uint32_t domid)
{
    struct mp_pager_rec rec, other;
    struct mp_pager_state st;
    bool present;
    int rc;

    rc = pager_current(ctx, domid, &rec, &present, &st);
    if (rc)
        return rc;
    if (present) {
        if (st.running)
            return 0; /* on already */
        rc = clear_stale(ctx, domid, &rec, &st);
        if (rc)
            return rc;
    }
    memset(&rec, 0, sizeof(rec));
    /* Refusals first: nothing is created for a start that cannot be. */
    ctx->hv_errno = 0;
    if (ctx->be->pager_precheck) {
        rc = ctx->be->pager_precheck(ctx, domid);
        if (rc)
            return rc;
    }
    rc = pagefile_path(ctx, domid, rec.pagefile, sizeof(rec.pagefile));
    if (rc)
        return rc;
    ctx->hv_errno = 0;
    rc = ctx->be->pager_start(ctx, domid, rec.pagefile, &rec.pid);
    if (rc)
        return rc;
    rc = ctx->be->pager_status(ctx, domid, rec.pid, rec.pagefile, &st);
    if (rc)
        return rc;
    if (!st.running) {
        /* EBUSY: a ring exists.  Another enabler that won the race has
         * recorded its pager by now: paging is on, as asked. */
        if (st.err == EBUSY && !mp_pager_read(ctx, domid, &other, &present) &&
            present)
            return 0;
        return report_exit(ctx, domid, &rec, &st, "at once");
    }
    rc = record_write(ctx, domid, &rec);
    if (rc) {
        /* Not recorded: nobody could stop it, so stop it now. */
        char saved[sizeof(ctx->err)];

        memcpy(saved, ctx->err, sizeof(saved));
        ctx->be->pager_stop(ctx, domid, rec.pid);
        memcpy(ctx->err, saved, sizeof(saved));
        return rc;
    }
    mp_log(ctx, XTL_INFO,
           "domain %u: pager started (xenpaging, pid %ld, "
           "pagefile %s)",
           domid, rec.pid, rec.pagefile);
    return 0;
}

int mp_pager_check(mempolicy_ctx *ctx, uint32_t domid, bool *on)
{
    struct mp_pager_rec rec;
    struct mp_pager_state st;
    bool present;
    int rc;

    *on = false;
    rc = pager_current(ctx, domid, &rec, &present, &st);
    if (rc || !present)
        return rc;
    if (!st.running)
        return report_exit(ctx, domid, &rec, &st, "since it was started");
    *on = true;
    return 0;
}

int mp_pager_stop(mempolicy_ctx *ctx, uint32_t domid, bool wait_in)
{
    struct mp_pager_rec rec;
    struct mp_pager_state st;
    struct mp_hvinfo hv;
    uint64_t bound;
    bool present;
    char ex[48];
    int rc;

    rc = pager_current(ctx, domid, &rec, &present, &st);
    if (rc || !present)
        return rc;
    if (!st.running)
        return clear_stale(ctx, domid, &rec, &st);
    /* The caller has set the paging target to 0: pages come back in. */
    rc = ctx->be->dominfo(ctx, domid, &hv);
    if (rc)
        return rc;
    if (hv.paged_kb) {
        if (!wait_in)
            return 0; /* coming back in; stopped on a later call */
        bound = PAGE_IN_MIN_MS + hv.paged_kb / PAGE_IN_KB_PER_S * 1000;
        rc = ctx->be->pager_wait(ctx, domid, rec.pid, rec.pagefile, true, bound,
                                 &st);
        if (rc)
            return rc;
        if (!st.running)
            return report_exit(ctx, domid, &rec, &st, "while paging back in");
        if (st.paged_kb)
            return mp_err(ctx, MEMPOLICY_ERROR_BUSY,
                          "domain %u: %llu KiB still paged out after %llu s "
                          "of paging back in (no room for them on the host "
                          "or under maxmem?): paging stays on and its pager "
                          "(pid %ld) keeps running; free memory and disable "
                          "again",
                          domid, (unsigned long long)st.paged_kb,
                          (unsigned long long)(bound / 1000), rec.pid);
    }
    /* Nothing out: xenpaging's SIGTERM handler tears the ring down. */
    rc = ctx->be->pager_stop(ctx, domid, rec.pid);
    if (rc)
        return rc;
    rc = ctx->be->pager_wait(ctx, domid, rec.pid, rec.pagefile, false,
                             PAGER_EXIT_MS, &st);
    if (rc)
        return rc;
    if (st.running)
        return mp_err(ctx, MEMPOLICY_ERROR_BUSY,
                      "domain %u: its pager (pid %ld) did not exit within "
                      "%u s of SIGTERM; paging stays recorded as on",
                      domid, rec.pid, PAGER_EXIT_MS / 1000);
    if (st.status)
        mp_log(ctx, XTL_WARN, "domain %u: its pager (pid %ld) exited with %s",
               domid, rec.pid, exit_text(&st, ex, sizeof(ex)));
    mp_log(ctx, XTL_INFO,
           "domain %u: nothing paged out; pager (pid %ld) "
           "stopped",
           domid, rec.pid);
    return record_remove(ctx, domid);
}
