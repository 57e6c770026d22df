/*
 * sim.c: assembles the simulated host behind main.c: options, the
 * hypervisor model, the hv channel, the recording, --domains and the
 * scenario.
 *
 * Order of start-up matters: everything that can fail on bad input (the
 * scenario, the record file, sizes) is checked before anything is
 * created, so a bad scenario leaves nothing behind; then the host is
 * published (/tool/xensim/{hv-socket,speed}) before the first domain
 * appears, so a client that sees @introduceDomain can already use the
 * hv channel.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "hvchan.h"
#include "loop.h"
#include "record.h"
#include "scenario.h"
#include "sim.h"
#include "simclock.h"
#include "store.h"

#define DOMAINS_MEMORY_KB (512u * 1024)
#define DOMAINS_MAXMEM_KB (1024u * 1024)
#define DOMAINS_DEMAND_KB (256u * 1024)
#define DEFAULT_DOM0_KB (1024u * 1024)
#define MIN_HOST_KB (16ull << 20)
#define DEFAULT_PAGING_RATE 32.0

struct sim {
    struct hv *hv;
    struct hvchan *ch;
    struct record *rec;
    struct scenario *sc;
};

void sim_config_init(struct sim_config *c)
{
    memset(c, 0, sizeof(*c));
    c->speed = 1;
    c->paging = true;
    c->sharing = true;
}

int sim_config_option(struct sim_config *c, int opt, const char *arg)
{
    char *end;
    unsigned long n;
    double x;

    switch (opt) {
    case SIM_OPT_DOMAINS:
        errno = 0;
        n = strtoul(arg, &end, 10);
        if (errno || *end || arg[0] < '0' || arg[0] > '9' ||
            n > HV_MAX_DOMID) {
            fprintf(stderr, "xensim: --domains: '%s' is not a number "
                    "0..%u\n", arg, HV_MAX_DOMID);
            return -1;
        }
        c->domains = (unsigned)n;
        return 0;
    case SIM_OPT_SCENARIO:
        c->scenario = arg;
        return 0;
    case SIM_OPT_RECORD:
        c->record = arg;
        return 0;
    case SIM_OPT_SPEED:
        errno = 0;
        x = strtod(arg, &end);
        if (errno || *end || !(x >= 0.001) || x > 1e6) {
            fprintf(stderr, "xensim: --speed: '%s' is not a number "
                    "0.001..1000000\n", arg);
            return -1;
        }
        c->speed = x;
        return 0;
    case SIM_OPT_HOST_MEM:
        if (scenario_parse_size(arg, false, &c->host_mem_kb) ||
            c->host_mem_kb < 2 * DEFAULT_DOM0_KB) {
            fprintf(stderr, "xensim: --host-mem: '%s' is not a size of at "
                    "least 2G (suffix K, M, G or T; KiB without)\n", arg);
            return -1;
        }
        return 0;
    case SIM_OPT_NO_PAGING:
        c->paging = false;
        return 0;
    case SIM_OPT_NO_SHARING:
        c->sharing = false;
        return 0;
    case SIM_OPT_NO_VMX:
        c->no_vmx = true;
        return 0;
    case SIM_OPT_PVH_DOM0:
        c->pvh_dom0 = true;
        return 0;
    case SIM_OPT_PAUSED:
        c->paused = true;
        return 0;
    default:
        fprintf(stderr, "xensim: unknown option (try --help)\n");
        return -1;
    }
}

/*
 * /tool/xensim/clock = "BASE_MS ANCHOR_MS RATE": simulated time is
 * BASE_MS + (CLOCK_MONOTONIC in ms - ANCHOR_MS) x RATE, RATE 0 while a
 * test holds the clock (docs/hv-channel.md, `clock`).  Rewritten at
 * every pause, step and resume, so that other processes (the actor
 * kit's timers) follow the simulated clock with one watch.
 */
static int publish_clock(struct hv *hv)
{
    uint64_t base, anchor;
    double rate;
    char buf[96];
    int n;

    simclock_state(hv->clock, &base, &anchor, &rate);
    n = snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu64 " %.17g", base,
                 anchor, rate);
    return store_write(hv->store, 0, "/tool/xensim/clock", buf,
                       (unsigned)n);
}

static void clock_changed(void *arg)
{
    if (publish_clock(arg))
        fprintf(stderr, "xensim: cannot write /tool/xensim/clock\n");
}

static int publish(struct hv *hv, double speed)
{
    struct xs_permissions all_read = { .id = 0, .perms = XS_PERM_READ };
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%g", speed);
    int rc = store_write(hv->store, 0, "/tool/xensim/speed", buf,
                         (unsigned)n);

    if (!rc)
        rc = store_set_perms(hv->store, 0, "/tool/xensim/speed", &all_read,
                             1);
    if (!rc)
        rc = publish_clock(hv);
    if (!rc)
        rc = store_set_perms(hv->store, 0, "/tool/xensim/clock", &all_read,
                             1);
    if (!rc)
        simclock_set_observer(hv->clock, clock_changed, hv);
    return rc;
}

static int create_domains(struct hv *hv, unsigned n)
{
    struct hv_domain_config c;
    char err[256];
    unsigned i, domid;
    int rc;

    hv_domain_config_init(&c);
    c.memory_kb = DOMAINS_MEMORY_KB;
    c.maxmem_kb = DOMAINS_MAXMEM_KB;
    c.guest.demand_kb = DOMAINS_DEMAND_KB;
    c.guest.demand_set = true;
    for (i = 1; i <= n; i++) {
        snprintf(c.name, sizeof(c.name), "guest%u", i);
        rc = hv_domain_create(hv, &c, i, &domid, err, sizeof(err));
        if (rc) {
            fprintf(stderr, "xensim: --domains: %s\n", err);
            return rc;
        }
    }
    return 0;
}

int sim_start(struct sim **out, struct loop *l, struct store *s,
              const char *socket_path, const struct sim_config *c)
{
    const struct scenario_host *sh = NULL;
    struct hv_config hc = { 0 };
    struct sim *sim;
    char err[512], *hvpath = NULL;

    *out = NULL;
    sim = calloc(1, sizeof(*sim));
    if (!sim)
        goto oom;
    if (c->scenario) {
        sim->sc = scenario_load(c->scenario, err, sizeof(err));
        if (!sim->sc) {
            fprintf(stderr, "xensim: %s\n", err);
            goto fail;
        }
        sh = scenario_host(sim->sc);
    }
    if (c->record) {
        sim->rec = record_open(c->record, err, sizeof(err));
        if (!sim->rec) {
            fprintf(stderr, "xensim: --record: %s\n", err);
            goto fail;
        }
    }
    hc.dom0_kb = sh && sh->dom0_kb ? sh->dom0_kb : DEFAULT_DOM0_KB;
    hc.host_kb = c->host_mem_kb;
    if (!hc.host_kb && sh)
        hc.host_kb = sh->memory_kb;
    if (!hc.host_kb) {
        hc.host_kb = hc.dom0_kb + (uint64_t)c->domains * DOMAINS_MAXMEM_KB;
        if (hc.host_kb < MIN_HOST_KB)
            hc.host_kb = MIN_HOST_KB;
    }
    if (hc.dom0_kb >= hc.host_kb) {
        fprintf(stderr, "xensim: host memory %" PRIu64 " KiB leaves nothing "
                "beyond dom0's %" PRIu64 " KiB\n", hc.host_kb, hc.dom0_kb);
        goto fail;
    }
    if (sim->sc) {
        unsigned n;
        uint64_t need = scenario_initial_kb(sim->sc, &n);
        uint64_t room = hc.host_kb - hc.dom0_kb;

        need += (uint64_t)c->domains * DOMAINS_MEMORY_KB;
        if (need > room) {
            fprintf(stderr, "xensim: %s: the %u domains created at 0 s "
                    "need %" PRIu64 " MiB, the host has %" PRIu64 " MiB "
                    "beyond dom0 (host.memory or --host-mem)\n",
                    c->scenario, n + c->domains, need / 1024, room / 1024);
            goto fail;
        }
    }
    hc.paging_feature = c->paging && !(sh && sh->paging == 0);
    hc.sharing_feature = c->sharing && !(sh && sh->sharing == 0);
    hc.no_vmx = c->no_vmx;
    hc.pvh_dom0 = c->pvh_dom0;
    hc.speed = c->speed;
    /* Held before the first domain exists, and at 0 exactly (not
     * paused once some real time has passed: 1 ms under ASan), so that
     * a driver stepping the clock sees the same run whatever the
     * machine's speed. */
    hc.paused = c->paused;
    hc.paging_rate_mib_s = sh && sh->paging_rate_mib_s > 0
                               ? sh->paging_rate_mib_s : DEFAULT_PAGING_RATE;
    hc.socket_path = socket_path;
    hc.rec = sim->rec;
    sim->hv = hv_new(l, s, &hc);
    if (!sim->hv)
        goto oom;
    if (asprintf(&hvpath, "%s.hv", socket_path) < 0) {
        hvpath = NULL;
        goto oom;
    }
    if (hv_init_dom0(sim->hv) || publish(sim->hv, c->speed)) {
        fprintf(stderr, "xensim: cannot write /tool/xensim or dom0's nodes\n");
        goto fail;
    }
    sim->ch = hvchan_open(sim->hv, hvpath, err, sizeof(err));
    if (!sim->ch) {
        fprintf(stderr, "xensim: %s\n", err);
        goto fail;
    }
    free(hvpath);
    hvpath = NULL;
    if (create_domains(sim->hv, c->domains))
        goto fail;
    if (sim->sc && scenario_run(sim->sc, sim->hv, socket_path))
        goto oom;
    record_flush(sim->rec);
    *out = sim;
    return 0;
oom:
    fprintf(stderr, "xensim: out of memory\n");
fail:
    free(hvpath);
    sim_stop(sim);
    return -1;
}

uint64_t sim_now_ms(void *arg)
{
    struct sim *sim = arg;

    return simclock_now(sim->hv->clock);
}

void sim_stop(struct sim *sim)
{
    if (!sim)
        return;
    scenario_free(sim->sc);
    hvchan_close(sim->ch);
    hv_free(sim->hv);
    record_close(sim->rec);
    free(sim);
}
