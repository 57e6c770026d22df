/*
 * scenario_play.c: plays a checked scenario (scenario_check.c) on the
 * simulated clock.
 *
 * The scenario becomes one sorted list of events (create, destroy, demand
 * change, action, end) and a single timer armed for the next one, so an
 * idle scenario costs nothing between events.  While a scenario runs,
 * xensim publishes the simulated second in /tool/xensim/time, so that
 * scripts can wait for a moment of simulated time with a xenstore watch.
 *
 * Actions that run commands start them with /bin/sh -c, XENSTORED_PATH
 * set to the simulated host, and reap them through a pidfd on the loop.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"
#include "scenario_int.h"
#include "simclock.h"
#include "store.h"

/* ---- the event list ------------------------------------------------------ */

static int ev_cmp(const void *a, const void *b)
{
    const struct sc_event *x = a, *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool add_event(struct scenario *sc, double t, enum ev_kind kind,
                      size_t idx, size_t sub, size_t *cap)
{
    if (sc->nevs == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct sc_event *n = realloc(sc->evs, nc * sizeof(*n));

        if (!n)
            return false;
        sc->evs = n;
        *cap = nc;
    }
    sc->evs[sc->nevs] = (struct sc_event){ t, kind, idx, sub, sc->nevs };
    sc->nevs++;
    return true;
}

static bool build_events(struct scenario *sc)
{
    size_t cap = 0, i, j;

    for (i = 0; i < sc->ndoms; i++) {
        struct sc_domain *d = &sc->doms[i];

        if (!add_event(sc, d->create_at, EV_CREATE, i, 0, &cap))
            return false;
        for (j = 1; j < d->ndemand; j++)
            if (!add_event(sc, d->create_at + d->demand[j].t, EV_DEMAND, i, j,
                           &cap))
                return false;
        if (d->destroy_at >= 0 &&
            !add_event(sc, d->destroy_at, EV_DESTROY, i, 0, &cap))
            return false;
    }
    for (i = 0; i < sc->nacts; i++)
        if (!add_event(sc, sc->acts[i].at, EV_ACTION, i, 0, &cap))
            return false;
    if (sc->duration >= 0 && !add_event(sc, sc->duration, EV_END, 0, 0, &cap))
        return false;
    qsort(sc->evs, sc->nevs, sizeof(*sc->evs), ev_cmp);
    return true;
}

/* ---- events and actions -------------------------------------------------- */

static void say(struct scenario *sc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct scenario *sc, const char *fmt, ...)
{
    va_list ap;
    uint64_t ms = hv_now_ms(sc->hv);

    fprintf(stderr, "xensim: %s: [%" PRIu64 ".%03us] ", sc->path, ms / 1000,
            (unsigned)(ms % 1000));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static struct hv_domain *running(struct scenario *sc, struct sc_domain *d);

/* Replace %{name} by the domain's domid; NULL if one is not running. */
static char *expand(struct scenario *sc, const char *s, int dom)
{
    size_t cap = strlen(s) * 2 + 64, len = 0;
    char *out = malloc(cap), name[HV_NAME_MAX + 1];
    const char *p = s, *e;

    if (!out)
        return NULL;
    if (dom >= 0 && s[0] != '/') {
        if (!running(sc, &sc->doms[dom])) {
            free(out);
            return NULL;
        }
        len = (size_t)snprintf(out, cap, "/local/domain/%u/",
                               sc->doms[dom].domid);
    }
    while (*p) {
        if (p[0] == '%' && p[1] == '{' && (e = strchr(p, '}'))) {
            int i;

            memcpy(name, p + 2, (size_t)(e - p - 2));
            name[e - p - 2] = 0;
            i = scenario_find_domain(sc, name);
            if (i < 0 || !running(sc, &sc->doms[i])) {
                free(out);
                return NULL;
            }
            if (len + 16 >= cap) {
                char *n = realloc(out, cap *= 2);

                if (!n) {
                    free(out);
                    return NULL;
                }
                out = n;
            }
            len += (size_t)snprintf(out + len, cap - len, "%u",
                                    sc->doms[i].domid);
            p = e + 1;
            continue;
        }
        if (len + 2 >= cap) {
            char *n = realloc(out, cap *= 2);

            if (!n) {
                free(out);
                return NULL;
            }
            out = n;
        }
        out[len++] = *p++;
    }
    out[len] = 0;
    return out;
}

static void child_event(struct loop *l, int fd, uint32_t events, void *arg)
{
    struct child *c = arg, **pp;
    struct scenario *sc = c->sc;
    int st;

    (void)events;
    if (waitpid(c->pid, &st, WNOHANG) != c->pid)
        return;
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        say(sc, "command (pid %d) failed with status %d", (int)c->pid,
            WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    loop_fd_del(l, fd);
    close(fd);
    for (pp = &sc->children; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    free(c);
}

static void run_command(struct scenario *sc, const char *cmd)
{
    struct child *c = calloc(1, sizeof(*c));
    sigset_t all;
    pid_t pid;
    int fd;

    if (!c)
        return;
    pid = fork();
    if (pid == 0) {
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        setenv("XENSTORED_PATH", sc->socket_path, 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        say(sc, "cannot run '%s': %s", cmd, strerror(errno));
        free(c);
        return;
    }
    fd = (int)syscall(SYS_pidfd_open, pid, 0);
    c->pid = pid;
    c->pidfd = fd;
    c->sc = sc;
    if (fd < 0 || loop_fd_add(sc->hv->loop, fd, EPOLLIN, child_event, c)) {
        /* No pidfd: wait for it now rather than leave a zombie. */
        if (fd >= 0)
            close(fd);
        waitpid(pid, NULL, 0);
        free(c);
        return;
    }
    c->next = sc->children;
    sc->children = c;
}

/*
 * The running domain of scenario domain d, or NULL.  Someone else (xlmem,
 * a test) may have destroyed it, and its domid may even belong to a new
 * domain now: the name must match too.
 */
static struct hv_domain *running(struct scenario *sc, struct sc_domain *d)
{
    struct hv_domain *hd;

    if (!d || !d->domid)
        return NULL;
    hd = hv_domain(sc->hv, d->domid);
    if (!hd || hd->dying || strcmp(hd->name, d->cfg.name)) {
        d->domid = 0;
        return NULL;
    }
    return hd;
}

static void do_action(struct scenario *sc, struct sc_action *a)
{
    struct hv *hv = sc->hv;
    struct sc_domain *d = a->dom >= 0 ? &sc->doms[a->dom] : NULL;
    struct hv_domain *hd = running(sc, d);
    char *s;
    int rc;

    switch (a->kind) {
    case A_WRITE:
    case A_RM:
        s = expand(sc, a->path, a->dom);
        if (!s) {
            say(sc, "action at line %u: a domain it names is not running",
                a->line);
            return;
        }
        rc = a->kind == A_WRITE ?
            store_write(hv->store, 0, s, a->value, (unsigned)strlen(a->value)) :
            store_rm(hv->store, 0, s);
        if (rc)
            say(sc, "action at line %u: %s %s: %s", a->line,
                a->kind == A_WRITE ? "write" : "rm", s, strerror(rc));
        free(s);
        return;
    case A_RUN:
        s = expand(sc, a->cmd, -1);
        if (!s) {
            say(sc, "action at line %u: a domain it names is not running",
                a->line);
            return;
        }
        run_command(sc, s);
        free(s);
        return;
    case A_DESTROY:
        if (!hd || hv_domain_destroy(hv, d->domid))
            say(sc, "action at line %u: %s is not running", a->line,
                d->cfg.name);
        else
            d->domid = 0;
        return;
    case A_SET:
        if (!hd) {
            say(sc, "action at line %u: %s is not running", a->line,
                d->cfg.name);
            return;
        }
        if (a->has_cow) {
            hd->guest.cfg.share.cow_per_s = a->cow;
            if (a->cow > 0 && hd->shr_pages)
                hv_wake(hv, hd);
        }
        if (a->has_balloon || a->has_rate)
            guest_set_balloon(
                hv, hd, a->has_balloon ? a->balloon : hd->guest.cfg.balloon,
                a->has_rate ? a->rate : 0);
        if (a->has_demand)
            guest_set_demand(hv, hd, a->demand_kb);
        return;
    }
}

static void do_event(struct scenario *sc, const struct sc_event *e)
{
    struct hv *hv = sc->hv;
    struct sc_domain *d = e->kind != EV_ACTION && e->kind != EV_END ?
        &sc->doms[e->idx] :
        NULL;
    struct hv_domain *hd;
    char err[256];
    int rc;

    switch (e->kind) {
    case EV_CREATE:
        rc = hv_domain_create(hv, &d->cfg, 0, &d->domid, err, sizeof(err));
        if (rc) {
            d->domid = 0;
            say(sc, "create %s: %s", d->cfg.name, err);
        }
        return;
    case EV_DESTROY:
        if (running(sc, d) && !hv_domain_destroy(hv, d->domid))
            d->domid = 0;
        return;
    case EV_DEMAND:
        hd = running(sc, d);
        if (hd)
            guest_set_demand(hv, hd, d->demand[e->sub].kb);
        return;
    case EV_ACTION:
        do_action(sc, &sc->acts[e->idx]);
        return;
    case EV_END:
        say(sc, "the scenario's duration is over");
        loop_stop(hv->loop);
        return;
    }
}

static void arm_events(struct scenario *sc);

static void event_timer(struct simclock *c, struct sim_timer *t, void *arg)
{
    struct scenario *sc = arg;
    uint64_t now = hv_now_ms(sc->hv);

    (void)c;
    (void)t;
    sc->timer = NULL;
    while (sc->next_ev < sc->nevs &&
           sc->evs[sc->next_ev].t * 1000 <= (double)now + 0.5) {
        const struct sc_event *e = &sc->evs[sc->next_ev++];

        do_event(sc, e);
    }
    arm_events(sc);
}

/* Simulated milliseconds until simulated time t_ms. */
static uint64_t sim_delay(struct hv *hv, double t_ms)
{
    double now = (double)hv_now_ms(hv);

    if (t_ms <= now)
        return 0;
    return (uint64_t)ceil(t_ms - now);
}

static void arm_events(struct scenario *sc)
{
    if (sc->next_ev >= sc->nevs)
        return;
    sc->timer = sim_timer_add(sc->hv->clock,
                              sim_delay(sc->hv, sc->evs[sc->next_ev].t * 1000),
                              event_timer, sc);
}

static void publish_time(struct scenario *sc, uint64_t s)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, s);

    store_write(sc->hv->store, 0, "/tool/xensim/time", buf, (unsigned)n);
}

static void clock_timer(struct simclock *c, struct sim_timer *t, void *arg)
{
    struct scenario *sc = arg;
    uint64_t s = hv_now_ms(sc->hv) / 1000;

    (void)t;
    publish_time(sc, s);
    sc->clock = sim_timer_add(c, sim_delay(sc->hv, (double)(s + 1) * 1000),
                              clock_timer, sc);
}

int scenario_run(struct scenario *sc, struct hv *hv, const char *socket_path)
{
    struct xs_permissions all_read = { .id = 0, .perms = XS_PERM_READ };

    sc->hv = hv;
    sc->socket_path = strdup(socket_path);
    if (!sc->socket_path || !build_events(sc))
        return -ENOMEM;
    publish_time(sc, 0);
    store_set_perms(hv->store, 0, "/tool/xensim/time", &all_read, 1);
    sc->clock = sim_timer_add(hv->clock, sim_delay(hv, 1000), clock_timer, sc);
    /* Events at time 0 (the initial domains) happen before the loop. */
    event_timer(hv->clock, NULL, sc);
    return 0;
}

void scenario_play_stop(struct scenario *sc)
{
    if (sc->hv) {
        if (sc->timer)
            sim_timer_cancel(sc->hv->clock, sc->timer);
        if (sc->clock)
            sim_timer_cancel(sc->hv->clock, sc->clock);
    }
    sc->timer = sc->clock = NULL;
    while (sc->children) {
        struct child *c = sc->children;

        sc->children = c->next;
        kill(c->pid, SIGTERM);
        waitpid(c->pid, NULL, 0);
        loop_fd_del(sc->hv->loop, c->pidfd);
        close(c->pidfd);
        free(c);
    }
    free(sc->evs);
    sc->evs = NULL;
    sc->nevs = sc->next_ev = 0;
    free(sc->socket_path);
    sc->socket_path = NULL;
}
