/*
 * watch.c: the guests' reports, through xenstore watches.
 *
 * The actor keeps a libxenstore handle of its own, polled in the kit's
 * loop (mempolicy_actor_watch_fd): one watch per served domain on each
 * of memory/meminfo and memory/pressure, plus @releaseDomain (any
 * domain's memory came back), the reservations (reserve.c), the memory
 * groups (groups.c) and, on xensim, its clock (the kit's held-clock
 * barrier waits until this connection has seen a step's end:
 * mempolicy_actor_clock_seen).
 *
 * When a domain is taken, its two nodes are made the guest's (owner the
 * guest, no one else but dom0 may read them), as Qubes' toolstack does
 * for meminfo-writer: libxl creates neither, and a guest may not create
 * nodes under its memory/ directory.
 *
 * Every report is untrusted (report.h): a guest in its penalty costs a
 * comparison per event, never a read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "balance.h"

static const char *const nodes[] = { MEMPOLICY_MEMINFO_NODE,
                                     MEMPOLICY_PRESSURE_NODE };

struct bdom *bal_find(struct bal *b, uint32_t domid)
{
    return mempolicy_actor_domain_data(b->a, domid);
}

/* A value for a log line: printable ASCII, bounded. */
static void escape(const char *v, unsigned len, char *out, size_t outlen)
{
    size_t o = 0;
    unsigned i;

    for (i = 0; i < len && o + 5 < outlen; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[o++] = (char)c;
        } else {
            snprintf(out + o, outlen - o, "\\x%02x", c);
            o += 4;
        }
    }
    if (i < len && o + 4 < outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static void bad_report(struct bal *b, struct bdom *d, const char *node,
                       const char *v, unsigned len, const char *why)
{
    uint64_t now = bal_now_ms(b);
    char esc[48];

    br_strike(&d->guard, now, why);
    d->reread = true;
    bal_schedule(b, 0);
    if (!br_may_log(&d->guard, now))
        return;
    escape(v, len, esc, sizeof(esc));
    mempolicy_actor_log(b->a, XTL_WARN,
                        "domain %u: %s \"%s\": %s; its reports are "
                        "ignored for %" PRIu64 " s (%u more problems not "
                        "logged in the last minute)",
                        d->domid, node, esc, why,
                        (d->guard.ignore_until_ms - now + 999) / 1000,
                        d->guard.suppressed);
    d->guard.suppressed = 0;
}

/* Read one of the domain's nodes; true if its figure changed. */
static bool read_node(struct bal *b, struct bdom *d, unsigned which)
{
    char path[64], *v;
    unsigned len;
    const char *why = NULL;
    uint64_t kb;
    unsigned x100;
    bool changed = false;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", d->domid, nodes[which]);
    v = xs_read(b->xs, XBT_NULL, path, &len);
    if (!v)
        return false;
    if (!len) {
        /* Nothing reported yet (we created the node). */
        free(v);
        return false;
    }
    if (which == 0) {
        if (mempolicy_meminfo_parse(v, len, &kb, &why)) {
            bad_report(b, d, nodes[which], v, len, why);
        } else {
            changed = !d->has_used || d->used_kb != kb;
            d->has_used = true;
            d->used_kb = kb;
        }
    } else {
        if (mempolicy_pressure_parse(v, len, &x100, &why)) {
            bad_report(b, d, nodes[which], v, len, why);
        } else {
            changed = d->psi_x100 != x100;
            d->psi_x100 = x100;
        }
    }
    free(v);
    return changed;
}

void bal_read_reports(struct bal *b, struct bdom *d)
{
    bool changed = read_node(b, d, 0);

    changed |= read_node(b, d, 1);
    if (changed)
        bal_schedule(b, 0);
}

/* Make <node> (MEMPOLICY_MEMINFO_NODE...) the guest's: created if absent,
 * owner the guest. */
static int give_node(struct bal *b, struct bdom *d, const char *node)
{
    struct xs_permissions perm = { .id = d->domid, .perms = XS_PERM_NONE };
    struct xs_permissions *cur;
    char path[64];
    unsigned n;
    bool ok;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", d->domid, node);
    cur = xs_get_permissions(b->xs, XBT_NULL, path, &n);
    if (cur && n >= 1 && cur[0].id == d->domid) {
        free(cur);
        return 0;
    }
    free(cur);
    if (!cur && errno == ENOENT && !xs_write(b->xs, XBT_NULL, path, "", 0))
        return -errno;
    ok = xs_set_permissions(b->xs, XBT_NULL, path, &perm, 1);
    return ok ? 0 : -errno;
}

int bal_watch_domain(struct bal *b, struct bdom *d)
{
    char path[64];
    unsigned i;
    int rc;

    for (i = 0; i < 2; i++) {
        rc = give_node(b, d, nodes[i]);
        if (rc)
            return rc;
        snprintf(path, sizeof(path), "/local/domain/%u/%s", d->domid, nodes[i]);
        if (!xs_watch(b->xs, path, i ? "p" : "m"))
            return -errno;
    }
    d->watching = true;
    return 0;
}

void bal_unwatch_domain(struct bal *b, struct bdom *d)
{
    char path[64];
    unsigned i;

    if (!d->watching || !b->xs)
        return;
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "/local/domain/%u/%s", d->domid, nodes[i]);
        xs_unwatch(b->xs, path, i ? "p" : "m");
    }
    d->watching = false;
}

static void on_event(struct bal *b, const char *path, const char *token)
{
    static const char prefix[] = "/local/domain/";
    unsigned long id;
    struct bdom *d;
    char *rest;

    if (!strcmp(token, "r")) {
        /* Some domain went: its memory is free. */
        bal_schedule(b, 0);
        return;
    }
    if (!strcmp(token, "q")) {
        /* A reservation came, changed or went. */
        bal_resv_read(b);
        return;
    }
    if (!strcmp(token, "c")) {
        /* xensim's clock, seen on this connection (held-clock barrier). */
        char *v = xs_read(b->xs, XBT_NULL, path, NULL);

        mempolicy_actor_clock_seen(b->a, v);
        free(v);
        return;
    }
    if (!strcmp(token, "g")) {
        /* A memory group came, changed or went. */
        bal_groups_read(b);
        return;
    }
    if (strncmp(path, prefix, sizeof(prefix) - 1))
        return;
    id = strtoul(path + sizeof(prefix) - 1, &rest, 10);
    if (id > UINT32_MAX || !(d = bal_find(b, (uint32_t)id)))
        return;
    if (!br_admit(&d->guard, bal_now_ms(b))) {
        /* Ignored: a comparison, no read.  The next pass arms the timer
         * that reads its reports again at the end of its penalty. */
        d->reread = true;
        if (!d->timer)
            bal_schedule(b, 0);
        return;
    }
    if (read_node(b, d, token[0] == 'p'))
        bal_schedule(b, 0);
}

static void on_xs(mempolicy_actor *a, int fd, void *arg)
{
    struct bal *b = arg;
    char **vec;

    (void)a;
    (void)fd;
    while ((vec = xs_check_watch(b->xs))) {
        on_event(b, vec[XS_WATCH_PATH], vec[XS_WATCH_TOKEN]);
        free(vec);
    }
}

int bal_watch_init(struct bal *b)
{
    const char *clock = mempolicy_actor_clock_node(b->a);

    b->xs = xs_open(0);
    if (!b->xs)
        return -errno;
    if (!xs_watch(b->xs, "@releaseDomain", "r") ||
        !xs_watch(b->xs, MEMPOLICY_RESERVATIONS_PATH, "q") ||
        !xs_watch(b->xs, MEMPOLICY_GROUPS_PATH, "g") ||
        (clock && !xs_watch(b->xs, clock, "c")))
        return -errno;
    return mempolicy_actor_watch_fd(b->a, xs_fileno(b->xs), on_xs, b);
}

void bal_watch_fini(struct bal *b)
{
    if (!b->xs)
        return;
    if (b->a)
        mempolicy_actor_watch_fd(b->a, xs_fileno(b->xs), NULL, NULL);
    xs_close(b->xs);
    b->xs = NULL;
}
