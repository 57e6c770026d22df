/*
 * xlmem_top.c: mem-top, a live view of the host's memory in the style of
 * xentop (tools/xentop/xentop.c in Xen): the host's total and free
 * memory, then one row per domain (name, id, actor, policy target,
 * actual, balloon target, paged, shared, what the guest reports it uses,
 * and the status line its actor publishes), refreshed every -d seconds
 * and at once when the library reports a domain coming, going or
 * changing its policy.  Full screen with ncurses; -b prints plain text
 * frames instead (for scripts), -i N stops after N frames.
 *
 * Keys (interactive): q quits; s cycles the sort column, r reverses the
 * order; the letter of a column (n i a t c b p h u) sorts by it; the
 * arrows scroll.  xentop uses S and Q: both cases work.
 *
 * Each frame costs one hypervisor query and a few pipelined store round
 * trips (mempolicy_list_domains, mempolicy_list_status), one read of the
 * host's memory, and one store read per domain for memory/meminfo.
 * Between frames the program sleeps in poll() on the library's event fd
 * and the terminal: no wake-up but the refresh timer, a key or an event.
 *
 * memory/meminfo is written by the guest (the balance actor's format: one
 * decimal number, the used memory in kB, docs/actors.md) and is not
 * trusted: it is parsed by the library's bounded parser
 * (mempolicy_meminfo_parse, the balance actor's too), and a
 * value that does not parse, or claims more than the domain holds
 * (actual + paged), is shown as "?"; "-" where the guest writes nothing.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>
#include <xenstore.h>

#include "xlmem.h"

enum col {
    COL_NAME,
    COL_ID,
    COL_ACTOR,
    COL_TARGET,
    COL_ACTUAL,
    COL_BALLOON,
    COL_PAGED,
    COL_SHARED,
    COL_USED,
    COL_STATUS,
    NCOLS
};

/* Name for -s, key, header, width (negative: left-aligned). */
static const struct {
    const char *name;
    int key;
    const char *head;
    int width;
} cols[NCOLS] = {
    [COL_NAME] = { "name", 'n', "Name", -20 },
    [COL_ID] = { "id", 'i', "ID", 5 },
    [COL_ACTOR] = { "actor", 'a', "Actor", -12 },
    [COL_TARGET] = { "target", 't', "Target", 7 },
    [COL_ACTUAL] = { "actual", 'c', "Actual", 7 },
    [COL_BALLOON] = { "balloon", 'b', "Balloon", 7 },
    [COL_PAGED] = { "paged", 'p', "Paged", 6 },
    [COL_SHARED] = { "shared", 'h', "Shared", 6 },
    [COL_USED] = { "used", 'u', "Used", 6 },
    [COL_STATUS] = { "status", 0, "Status", 0 },
};

enum used_state { USED_NONE, USED_OK, USED_BAD };

struct row {
    uint32_t domid;
    char name[MEMPOLICY_QUOTE_BUF];
    char actor[MEMPOLICY_ACTOR_MAX + 16];
    bool has_target;
    uint64_t target_kb, actual_kb, balloon_kb, paged_kb, shared_kb;
    enum used_state used;
    uint64_t used_kb;
    char status[MEMPOLICY_STATUS_MAX + 320];
};

struct frame {
    mempolicy_physinfo host;
    struct row *rows;
    int n;
};

struct top {
    mempolicy_ctx *ctx;
    struct xs_handle *xs; /* read-only, for memory/meminfo */
    enum col sort;
    bool reverse;
    double delay_s;
    int first; /* first row shown (scrolling) */
    struct frame f;
};

static volatile sig_atomic_t stop_signal;
/* The full screen is on: leave it before printing an error. */
static bool screen_on;

static void screen_off(void)
{
    if (screen_on)
        endwin();
    screen_on = false;
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* What the guest says it uses, never trusted (see the top comment). */
static void read_used(struct top *t, const mempolicy_dominfo *d, struct row *r)
{
    char path[64], *v;
    unsigned len;
    const char *why;

    r->used = USED_NONE;
    if (!t->xs)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/" MEMPOLICY_MEMINFO_NODE,
             d->domid);
    v = xs_read(t->xs, XBT_NULL, path, &len);
    if (!v)
        return;
    if (mempolicy_meminfo_parse(v, len, &r->used_kb, &why) ||
        r->used_kb > d->actual_kb + d->paged_kb)
        r->used = USED_BAD;
    else
        r->used = USED_OK;
    free(v);
}

static void frame_free(struct frame *f)
{
    free(f->rows);
    f->rows = NULL;
    f->n = 0;
}

/* A new frame in t->f: 0, or 1 after printing why. */
static int collect(struct top *t)
{
    mempolicy_dominfo *list = NULL;
    mempolicy_status *st = NULL;
    struct frame f = { 0 };
    int n = 0, i, rc;

    rc = mempolicy_list_domains(t->ctx, &list, &n);
    if (rc) {
        screen_off();
        return xlmem_lib_err(rc, "cannot list domains");
    }
    rc = mempolicy_list_status(t->ctx, list, n, &st);
    if (rc) {
        mempolicy_dominfo_list_free(list, n);
        screen_off();
        return xlmem_lib_err(rc, "cannot read the actors' status");
    }
    rc = mempolicy_get_physinfo(t->ctx, &f.host);
    if (rc) {
        screen_off();
        mempolicy_status_list_free(st, n);
        mempolicy_dominfo_list_free(list, n);
        return xlmem_lib_err(rc, "cannot read the host's memory");
    }
    f.rows = calloc(n ? (size_t)n : 1, sizeof(*f.rows));
    if (!f.rows) {
        xlmem_err("out of memory");
        exit(XLMEM_EXIT_FAIL);
    }
    for (i = 0; i < n; i++) {
        const mempolicy_dominfo *d = &list[i];
        const mempolicy_policy *p = &d->policy;
        struct row *r = &f.rows[i];

        r->domid = d->domid;
        mempolicy_quote(d->name && *d->name ? d->name : "-", r->name);
        r->actual_kb = d->actual_kb;
        r->balloon_kb = d->balloon_target_kb;
        r->paged_kb = d->paged_kb;
        r->shared_kb = d->shared_kb;
        read_used(t, d, r);
        if (d->malformed) {
            snprintf(r->actor, sizeof(r->actor), "!garbage");
            snprintf(r->status, sizeof(r->status), "%s", d->malformed);
            continue;
        }
        snprintf(r->actor, sizeof(r->actor), "%s",
                 p->actor && *p->actor ? p->actor : "-");
        r->has_target = p->has_target;
        r->target_kb = p->target_kb;
        xlmem_status_column(d, &st[i], r->status, sizeof(r->status));
    }
    f.n = n;
    mempolicy_status_list_free(st, n);
    mempolicy_dominfo_list_free(list, n);
    frame_free(&t->f);
    t->f = f;
    return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static enum col sort_col;
static bool sort_reverse;

static int row_cmp(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    int c = 0;

    switch (sort_col) {
    case COL_NAME:
        c = strcmp(a->name, b->name);
        break;
    case COL_ID:
        break;
    case COL_ACTOR:
        c = strcmp(a->actor, b->actor);
        break;
    case COL_TARGET:
        c = cmp_u64(a->has_target ? a->target_kb + 1 : 0,
                    b->has_target ? b->target_kb + 1 : 0);
        break;
    case COL_ACTUAL:
        c = cmp_u64(a->actual_kb, b->actual_kb);
        break;
    case COL_BALLOON:
        c = cmp_u64(a->balloon_kb, b->balloon_kb);
        break;
    case COL_PAGED:
        c = cmp_u64(a->paged_kb, b->paged_kb);
        break;
    case COL_SHARED:
        c = cmp_u64(a->shared_kb, b->shared_kb);
        break;
    case COL_USED:
        c = cmp_u64(a->used == USED_OK ? a->used_kb + 1 : 0,
                    b->used == USED_OK ? b->used_kb + 1 : 0);
        break;
    case COL_STATUS:
        c = strcmp(a->status, b->status);
        break;
    case NCOLS:
        break;
    }
    if (!c)
        c = cmp_u64(a->domid, b->domid);
    return sort_reverse ? -c : c;
}

static void sort_rows(struct top *t)
{
    sort_col = t->sort;
    sort_reverse = t->reverse;
    if (t->f.n > 1)
        qsort(t->f.rows, (size_t)t->f.n, sizeof(*t->f.rows), row_cmp);
}

static void mib(char *buf, size_t len, uint64_t kb)
{
    snprintf(buf, len, "%llu", xlmem_mib(kb));
}

/* One line of text: the header (r NULL) or a row. */
static void format_line(const struct top *t, const struct row *r, char *buf,
                        size_t len)
{
    char cell[NCOLS][MEMPOLICY_STATUS_MAX + 320];
    size_t off = 0;
    int c;

    for (c = 0; c < NCOLS; c++) {
        char *s = cell[c];
        size_t sl = sizeof(cell[c]);

        if (!r) {
            snprintf(s, sl, "%s%s", cols[c].head,
                     c == (int)t->sort ? (t->reverse ? "<" : ">") : "");
            continue;
        }
        switch ((enum col)c) {
        case COL_NAME:
            snprintf(s, sl, "%s", r->name);
            break;
        case COL_ID:
            snprintf(s, sl, "%u", r->domid);
            break;
        case COL_ACTOR:
            snprintf(s, sl, "%s", r->actor);
            break;
        case COL_TARGET:
            if (r->has_target)
                mib(s, sl, r->target_kb);
            else
                snprintf(s, sl, "-");
            break;
        case COL_ACTUAL:
            mib(s, sl, r->actual_kb);
            break;
        case COL_BALLOON:
            mib(s, sl, r->balloon_kb);
            break;
        case COL_PAGED:
            mib(s, sl, r->paged_kb);
            break;
        case COL_SHARED:
            mib(s, sl, r->shared_kb);
            break;
        case COL_USED:
            if (r->used == USED_OK)
                mib(s, sl, r->used_kb);
            else
                snprintf(s, sl, "%s", r->used == USED_BAD ? "?" : "-");
            break;
        case COL_STATUS:
            snprintf(s, sl, "%s", r->status);
            break;
        case NCOLS:
            break;
        }
    }
    for (c = 0; c < NCOLS && off < len; c++) {
        int w = cols[c].width, n;

        if (c == NCOLS - 1)
            n = snprintf(buf + off, len - off, " %s", cell[c]);
        else if (w < 0)
            n = snprintf(buf + off, len - off, "%s%-*.*s", c ? " " : "", -w, -w,
                         cell[c]);
        else
            n = snprintf(buf + off, len - off, " %*s", w, cell[c]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

static void host_line(const struct top *t, char *buf, size_t len)
{
    snprintf(buf, len, "Host: total %llu MiB, free %llu MiB, %d domains",
             xlmem_mib(t->f.host.total_kb), xlmem_mib(t->f.host.free_kb),
             t->f.n);
}

static void print_batch(struct top *t)
{
    char line[4096];
    int i;

    sort_rows(t);
    host_line(t, line, sizeof(line));
    printf("%s\n", line);
    format_line(t, NULL, line, sizeof(line));
    printf("%s\n", line);
    for (i = 0; i < t->f.n; i++) {
        format_line(t, &t->f.rows[i], line, sizeof(line));
        printf("%s\n", line);
    }
    printf("\n");
    fflush(stdout);
}

static void draw(struct top *t)
{
    char line[4096], hostl[128], info[256];
    int rows, width, i, y;

    sort_rows(t);
    getmaxyx(stdscr, rows, width);
    erase();
    host_line(t, hostl, sizeof(hostl));
    snprintf(info, sizeof(info), "%s  (delay %gs, sort %s%s; q quit)", hostl,
             t->delay_s, cols[t->sort].name, t->reverse ? " reversed" : "");
    mvaddnstr(0, 0, info, width);
    format_line(t, NULL, line, sizeof(line));
    attron(A_REVERSE);
    mvaddnstr(2, 0, line, width);
    attroff(A_REVERSE);
    if (t->first > t->f.n - 1)
        t->first = t->f.n > 0 ? t->f.n - 1 : 0;
    for (i = t->first, y = 3; i < t->f.n && y < rows; i++, y++) {
        format_line(t, &t->f.rows[i], line, sizeof(line));
        mvaddnstr(y, 0, line, width);
    }
    refresh();
}

/* A key: false to quit. */
static bool key(struct top *t, int ch)
{
    int c;

    switch (ch) {
    case 'q':
    case 'Q':
        return false;
    case 's':
    case 'S':
        t->sort = (t->sort + 1) % NCOLS;
        return true;
    case 'r':
    case 'R':
        t->reverse = !t->reverse;
        return true;
    case KEY_UP:
        if (t->first > 0)
            t->first--;
        return true;
    case KEY_DOWN:
        t->first++;
        return true;
    case KEY_RESIZE:
        return true;
    }
    for (c = 0; c < NCOLS; c++)
        if (cols[c].key && (ch == cols[c].key || ch == cols[c].key - 32))
            t->sort = (enum col)c;
    return true;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Take every pending event: 1 if any, 0 if none, -1 (after printing why)
 * when the store is gone. */
static int drain_events(struct top *t)
{
    mempolicy_event *ev;
    int rc, any = 0;

    while (!(rc = mempolicy_event_get(t->ctx, &ev))) {
        mempolicy_event_free(t->ctx, ev);
        any = 1;
    }
    if (rc == MEMPOLICY_ERROR_NOT_READY)
        return any;
    screen_off();
    xlmem_lib_err(rc, "cannot follow the domains");
    return -1;
}

/* -d: seconds, decimal, 0.1 to one day. */
static int parse_delay(const char *s, double *out)
{
    char *end;
    double d;

    if (!*s || !strchr("0123456789", s[0]))
        goto bad;
    errno = 0;
    d = strtod(s, &end);
    if (errno || *end || !isfinite(d) || d < 0.1 || d > 86400)
        goto bad;
    *out = d;
    return 0;
bad:
    xlmem_err("bad delay '%s': seconds from 0.1 to 86400 expected", XQ(s));
    return -1;
}

int main_mem_top(int argc, char **argv)
{
    static const struct option opts[] = {
        { "batch", no_argument, NULL, 'b' },
        { "delay", required_argument, NULL, 'd' },
        { "iterations", required_argument, NULL, 'i' },
        { "sort", required_argument, NULL, 's' },
        { "reverse", no_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct top t = { .sort = COL_ID, .delay_s = 3 };
    bool batch = false;
    unsigned long iters = 0, done = 0;
    mempolicy_evgen *g[3] = { NULL, NULL, NULL };
    struct sigaction sa;
    double next;
    int opt, rc = XLMEM_EXIT_OK, c, efd;

    while ((opt = xlmem_getopt(argc, argv, "bd:i:s:r", opts, 0, 0)) != -1) {
        char *end;

        switch (opt) {
        case 'b':
            batch = true;
            break;
        case 'r':
            t.reverse = true;
            break;
        case 'd':
            if (parse_delay(optarg, &t.delay_s))
                return XLMEM_EXIT_USAGE;
            break;
        case 'i':
            errno = 0;
            iters = strtoul(optarg, &end, 10);
            if (!strchr("0123456789", optarg[0]) || *end || errno || !iters ||
                iters > 1000000000UL) {
                xlmem_err("bad iteration count '%s'", XQ(optarg));
                return XLMEM_EXIT_USAGE;
            }
            break;
        case 's':
            for (c = 0; c < NCOLS; c++)
                if (!strcmp(optarg, cols[c].name))
                    break;
            if (c == NCOLS) {
                xlmem_err("unknown sort column '%s' (name, id, actor, "
                          "target, actual, balloon, paged, shared, used, "
                          "status)",
                          XQ(optarg));
                return XLMEM_EXIT_USAGE;
            }
            t.sort = (enum col)c;
            break;
        }
    }
    if (!batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        xlmem_err("not a terminal (use -b for plain text frames)");
        return XLMEM_EXIT_USAGE;
    }

    t.ctx = xlmem_ctx();
    t.xs = xs_open(XS_OPEN_READONLY);
    /* Interactive: redraw at once when a domain comes, goes or changes
     * its policy.  Batch: frames at the interval only, the event fd
     * still tells when the store goes away. */
    if (!batch &&
        ((c = mempolicy_evenable_domain_introduce(t.ctx, &g[0])) ||
         (c = mempolicy_evenable_domain_death(t.ctx, &g[1])) ||
         (c = mempolicy_evenable_target_changed(t.ctx, NULL, &g[2])))) {
        rc = xlmem_lib_err(c, "cannot follow the domains");
        goto out;
    }
    efd = mempolicy_event_fd(t.ctx);
    if (efd < 0) {
        xlmem_err("out of memory");
        rc = XLMEM_EXIT_FAIL;
        goto out;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (collect(&t)) {
        rc = XLMEM_EXIT_FAIL;
        goto out;
    }
    if (!batch) {
        initscr();
        screen_on = true;
        cbreak();
        noecho();
        nodelay(stdscr, TRUE);
        keypad(stdscr, TRUE);
        curs_set(0);
    }
    next = now_s() + t.delay_s;
    for (;;) {
        struct pollfd pfd[2] = { { .fd = efd, .events = POLLIN },
                                 { .fd = STDIN_FILENO, .events = POLLIN } };
        bool redraw = false;
        double left;
        int ev, ch;

        if (batch) {
            print_batch(&t);
            if (iters && ++done >= iters)
                break;
        } else {
            draw(&t);
        }
        /* Sleep until the refresh, a key or an event. */
        for (;;) {
            left = next - now_s();
            if (stop_signal || left <= 0)
                break;
            if (poll(pfd, batch ? 1 : 2, (int)ceil(left * 1000)) < 0 &&
                errno != EINTR) {
                screen_off();
                xlmem_err("poll: %s", strerror(errno));
                rc = XLMEM_EXIT_FAIL;
                goto out;
            }
            if (pfd[0].revents) {
                ev = drain_events(&t);
                if (ev < 0) {
                    rc = XLMEM_EXIT_FAIL;
                    goto out;
                }
                /* Batch frames come at the interval only. */
                if (ev && !batch)
                    redraw = true;
            }
            if (!batch) {
                while ((ch = getch()) != ERR) {
                    if (!key(&t, ch))
                        goto out;
                    redraw = true;
                }
            }
            if (redraw)
                break;
        }
        if (stop_signal)
            break;
        if (left <= 0)
            next = now_s() + t.delay_s;
        /* A key that only re-sorts needs no new data; an event or the
         * timer does.  Refreshing for a key too keeps it simple and
         * costs one frame. */
        if (collect(&t)) {
            rc = XLMEM_EXIT_FAIL;
            break;
        }
    }
out:
    screen_off();
    for (c = 0; c < 3; c++)
        if (g[c])
            mempolicy_evdisable(t.ctx, g[c]);
    frame_free(&t.f);
    if (t.xs)
        xs_close(t.xs);
    return rc;
}
