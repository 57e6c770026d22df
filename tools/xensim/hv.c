/*
 * hv.c: the hypervisor model: host memory, domains, their creation and
 * destruction in xenstore, the hypercalls, and the tick that moves
 * memory while something is in motion.
 *
 * Creating a domain writes what libxl writes (libxl__domain_make and
 * libxl__build_post), as dom0 and with libxl's permissions:
 *   /local/domain/N          owner dom0, guest may read ("roperm")
 *     vm, name, domid, cpu/, memory/{static-max,target,videoram},
 *     device/, control/ (roperm, inherited)
 *     control/{shutdown,feature-*,sysrq}, data, drivers, feature, attr,
 *     error                  owned by the guest ("rwperm")
 *     (not memory/meminfo: libxl does not create it; an actor that
 *     reads it, as Qubes' toolstack, makes it the guest's)
 *   /vm/<uuid>               roperm: uuid, name, image/ostype, start_time
 *   /libxl/N                 dom0 only ("noperm"): type, device/, and the
 *                            memory-policy nodes when the config has them
 * then introduces the domain (@introduceDomain).  Destroying removes
 * those three trees, then releases the domain (@releaseDomain), so a
 * watcher that lists /local/domain on @releaseDomain sees it gone.
 *
 * Errors follow Xen's hypercalls (see docs/xensim.md, "Rules").
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hv.h"
#include "loop.h"
#include "paging.h"
#include "record.h"
#include "physmap.h"
#include "sharing.h"
#include "simclock.h"
#include "store.h"

#define TICK_SIM_MS 100u
#define TICK_MIN_REAL_MS 10u

static void tick_fn(struct simclock *c, struct sim_timer *t, void *arg);

uint64_t hv_now_ms(struct hv *hv)
{
    return simclock_now(hv->clock);
}

struct hv *hv_new(struct loop *l, struct store *s, const struct hv_config *c)
{
    struct hv *hv = calloc(1, sizeof(*hv));
    struct hv_domain *d0;

    if (!hv)
        return NULL;
    hv->cfg = *c;
    hv->loop = l;
    hv->store = s;
    hv->sharing = sharing_new();
    hv->by_name = ht_new();
    hv->clock = simclock_new(l, c->speed, c->paused);
    if (!hv->sharing || !hv->by_name || !hv->clock ||
        ht_put(hv->by_name, "Domain-0", &hv->dom0, NULL)) {
        sharing_free(hv->sharing);
        ht_free(hv->by_name, NULL);
        simclock_free(hv->clock);
        free(hv);
        return NULL;
    }
    hv->total_pages = c->host_kb / HV_PAGE_KB;
    hv->dom0_pages = c->dom0_kb / HV_PAGE_KB;
    assert(hv->dom0_pages <= hv->total_pages);
    hv->free_pages = hv->total_pages - hv->dom0_pages;
    hv->next_domid = 1;
    hv->next_pager_pid = PAGER_PID_FIRST;

    d0 = &hv->dom0;
    d0->hv = hv;
    strcpy(d0->name, "Domain-0");
    strcpy(d0->uuid, "00000000-0000-0000-0000-000000000000");
    d0->type = HV_PV;
    d0->populated = d0->tot_pages = d0->max_pages = hv->dom0_pages;
    d0->guest.cfg.balloon = BALLOON_NONE;
    hv->doms[0] = d0;
    return hv;
}

static void free_domain(struct hv_domain *d)
{
    if (d->hv)
        guest_stop(d->hv, d);
    free(d);
}

void hv_free(struct hv *hv)
{
    unsigned i;

    if (!hv)
        return;
    if (hv->tick)
        sim_timer_cancel(hv->clock, hv->tick);
    if (hv->watching)
        store_watch_remove(hv->store, "/local/domain", "xensim-hv");
    /* Frames reference domains: drop sharing state while all exist. */
    for (i = 1; i <= HV_MAX_DOMID; i++)
        if (hv->doms[i])
            sharing_domain_destroy(hv, hv->doms[i]);
    for (i = 1; i <= HV_MAX_DOMID; i++) {
        if (!hv->doms[i])
            continue;
        if (hv->doms[i]->reaper)
            loop_timer_cancel(hv->loop, hv->doms[i]->reaper);
        free_domain(hv->doms[i]);
    }
    sharing_free(hv->sharing);
    pager_free_all(hv);
    ratelog_flush(&hv->pager_log, "pagers");
    ht_free(hv->by_name, NULL);
    free(hv->active);
    free(hv->stalled);
    simclock_free(hv->clock);
    free(hv);
}

/* ---- xenstore helpers (all as dom0) ------------------------------------ */

static int xs_writef(struct hv *hv, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int xs_writef(struct hv *hv, const char *path, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return EINVAL;
    return store_write(hv->store, 0, path, buf, (unsigned)n);
}

static int xs_mknod(struct hv *hv, const char *path,
                    const struct xs_permissions *perms, unsigned n)
{
    int rc = store_mkdir(hv->store, 0, path);

    return rc ? rc : store_set_perms(hv->store, 0, path, perms, n);
}

static bool xs_exists(struct hv *hv, const char *path)
{
    char *val = NULL;
    unsigned len;
    int rc = store_read(hv->store, 0, path, &val, &len);

    free(val);
    return rc == 0;
}

static void reap(struct loop *l, struct loop_timer *t, void *arg)
{
    struct hv_domain *d = arg;

    (void)l;
    (void)t;
    d->reaper = NULL;
    hv_domain_destroy(d->hv, d->domid);
}

/*
 * `xl shutdown` writes control/shutdown; the guest's PV drivers read it
 * (as the guest), acknowledge by clearing it, and shut down ("poweroff"
 * or "halt"; reboot, suspend and crash are not modelled).  The domain
 * is then shut down: nothing moves in it any more, and the toolstack
 * destroys it (xl's on_poweroff=destroy), in a turn of the loop of its
 * own so that watchers see it shut down first.
 */
static void shutdown_event(struct hv *hv, struct hv_domain *d)
{
    char path[64], *val = NULL;
    unsigned len;
    bool off;

    if (d->shutdown)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
             d->domid);
    if (store_read(hv->store, d->domid, path, &val, &len))
        return;
    off = !strcmp(val, "poweroff") || !strcmp(val, "halt");
    free(val);
    if (!off)
        return;
    store_write(hv->store, d->domid, path, "", 0);
    d->shutdown = true;
    d->guest.cfg.balloon = BALLOON_NONE;
    d->guest.cfg.share.cow_per_s = 0;
    d->paging_target_set = false;
    hv_record(hv, d, true);
    d->reaper = loop_timer_add(hv->loop, 0, reap, d);
}

/*
 * The host-wide watch: /local/domain/<id>/memory/target goes to the
 * guest's balloon driver, .../memory/target-tot_pages to its pager,
 * .../control/shutdown to the guest.
 * Everything else under /local/domain is ignored after an O(1) look.
 */
static void hv_watch(void *arg, const char *path, const char *token)
{
    static const char prefix[] = "/local/domain/";
    struct hv *hv = arg;
    struct hv_domain *d;
    unsigned long id;
    char *rest;

    (void)token;
    if (strncmp(path, prefix, sizeof(prefix) - 1))
        return;
    path += sizeof(prefix) - 1;
    if (*path < '0' || *path > '9')
        return;
    id = strtoul(path, &rest, 10);
    if (id == 0 || id > HV_MAX_DOMID || !(d = hv->doms[id]) || d->dying)
        return;
    if (!strcmp(rest, "/memory/target"))
        guest_target_event(hv, d);
    else if (!strcmp(rest, "/memory/target-tot_pages"))
        paging_target_event(hv, d);
    else if (!strcmp(rest, "/control/shutdown"))
        shutdown_event(hv, d);
    else if (!strcmp(rest, "/memory/meminfo") ||
             !strcmp(rest, "/memory/pressure"))
        guest_meminfo_event(hv, d);
}

int hv_init_dom0(struct hv *hv)
{
    uint64_t kb = hv->dom0_pages * HV_PAGE_KB;
    int rc;

    rc = store_watch_add(hv->store, "/local/domain", "xensim-hv", hv_watch,
                         hv);
    if (rc)
        return -rc;
    hv->watching = true;

    if (!xs_exists(hv, "/local/domain/0/name"))
        rc = rc ? rc : xs_writef(hv, "/local/domain/0/name", "Domain-0");
    if (!xs_exists(hv, "/local/domain/0/domid"))
        rc = rc ? rc : xs_writef(hv, "/local/domain/0/domid", "0");
    if (!xs_exists(hv, "/local/domain/0/memory/static-max"))
        rc = rc ? rc : xs_writef(hv, "/local/domain/0/memory/static-max",
                                 "%" PRIu64, kb);
    if (!xs_exists(hv, "/local/domain/0/memory/target"))
        rc = rc ? rc : xs_writef(hv, "/local/domain/0/memory/target",
                                 "%" PRIu64, kb);
    return -rc;
}

/* ---- domains ------------------------------------------------------------- */

void hv_domain_config_init(struct hv_domain_config *c)
{
    memset(c, 0, sizeof(*c));
    c->type = HV_PV;
    c->hap = true;
    c->memory_kb = 512 * 1024;
    c->vga = HV_VGA_CIRRUS; /* libxl's default vga kind */
    c->videoram_kb = -1;
    c->guest.balloon = BALLOON_COOPERATIVE;
}

const char *hv_type_name(enum hv_type t)
{
    return t == HV_HVM ? "hvm" : t == HV_PVH ? "pvh" : "pv";
}

static const char *const vga_names[] = {
    [HV_VGA_CIRRUS] = "cirrus",
    [HV_VGA_STDVGA] = "stdvga",
    [HV_VGA_NONE] = "none",
    [HV_VGA_QXL] = "qxl",
};

const char *hv_vga_name(enum hv_vga v)
{
    return vga_names[v];
}

int hv_vga_parse(const char *s, enum hv_vga *v)
{
    unsigned i;

    for (i = 0; i < sizeof(vga_names) / sizeof(vga_names[0]); i++) {
        if (!strcmp(s, vga_names[i])) {
            *v = (enum hv_vga)i;
            return 0;
        }
    }
    return -EINVAL;
}

void hv_domain_config_dispose(struct hv_domain_config *c)
{
    free(c->memory_policy);
    free(c->memory_policy_args);
    c->memory_policy = c->memory_policy_args = NULL;
}

struct hv_domain *hv_domain(struct hv *hv, unsigned domid)
{
    if (domid > HV_MAX_DOMID)
        return NULL;
    return hv->doms[domid];
}

struct hv_domain *hv_domain_by_name(struct hv *hv, const char *name)
{
    return ht_get(hv->by_name, name);
}

static bool name_valid(const char *s)
{
    const unsigned char *p;

    if (!*s || strlen(s) > HV_NAME_MAX)
        return false;
    for (p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ',' ||
            *p == '"' || *p == '\\' || *p == '=')
            return false;
    return true;
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* A version-4 style UUID, reproducible from the creation sequence. */
static void make_uuid(struct hv *hv, char *out)
{
    uint64_t a = mix64(++hv->uuid_seq), b = mix64(a ^ hv->uuid_seq);

    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012" PRIx64,
             (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (uint64_t)(b & 0xffffffffffffull));
}

static int write_domain_nodes(struct hv *hv, struct hv_domain *d,
                              const struct hv_domain_config *c)
{
    struct xs_permissions roperm[2] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = d->domid, .perms = XS_PERM_READ },
    };
    struct xs_permissions rwperm[1] = {
        { .id = d->domid, .perms = XS_PERM_NONE },
    };
    struct xs_permissions noperm[1] = {
        { .id = 0, .perms = XS_PERM_NONE },
    };
    static const char *const guest_owned[] = {
        "control/shutdown", "control/feature-poweroff",
        "control/feature-reboot", "control/feature-suspend",
        "control/sysrq", "data", "drivers", "feature", "attr", "error",
    };
    static const char *const hvm_owned[] = {
        "control/feature-s3", "control/feature-s4",
    };
    char dom[32], vm[48], lx[32], p[128];
    unsigned i;
    int rc = 0;

    snprintf(dom, sizeof(dom), "/local/domain/%u", d->domid);
    snprintf(vm, sizeof(vm), "/vm/%s", d->uuid);
    snprintf(lx, sizeof(lx), "/libxl/%u", d->domid);

#define TRY(x) do { if (!rc) rc = (x); } while (0)
#define SUB(base, rel) (snprintf(p, sizeof(p), "%s/%s", base, rel), p)
    store_rm(hv->store, 0, dom);
    TRY(xs_mknod(hv, dom, roperm, 2));
    store_rm(hv->store, 0, vm);
    TRY(xs_mknod(hv, vm, roperm, 2));
    store_rm(hv->store, 0, lx);
    TRY(xs_mknod(hv, lx, noperm, 1));
    TRY(xs_mknod(hv, SUB(lx, "device"), noperm, 1));
    TRY(xs_writef(hv, SUB(dom, "vm"), "%s", vm));
    TRY(xs_writef(hv, SUB(dom, "name"), "%s", d->name));
    TRY(xs_mknod(hv, SUB(dom, "cpu"), roperm, 2));
    TRY(xs_mknod(hv, SUB(dom, "memory"), roperm, 2));
    TRY(xs_mknod(hv, SUB(dom, "device"), roperm, 2));
    TRY(xs_mknod(hv, SUB(dom, "control"), roperm, 2));
    for (i = 0; i < sizeof(guest_owned) / sizeof(guest_owned[0]); i++)
        TRY(xs_mknod(hv, SUB(dom, guest_owned[i]), rwperm, 1));
    for (i = 0; d->type == HV_HVM && i < 2; i++)
        TRY(xs_mknod(hv, SUB(dom, hvm_owned[i]), rwperm, 1));
    TRY(xs_writef(hv, SUB(vm, "uuid"), "%s", d->uuid));
    TRY(xs_writef(hv, SUB(vm, "name"), "%s", d->name));
    TRY(xs_writef(hv, SUB(dom, "control/platform-feature-multiprocessor-"
                                "suspend"), "1"));
    TRY(xs_writef(hv, SUB(dom, "control/platform-feature-xs_reset_watches"),
                  "1"));
    TRY(xs_writef(hv, SUB(lx, "type"), "%s", hv_type_name(d->type)));
    /*
     * libxl__build_post: memory/target is the target net of
     * libxl__get_targetmem_fudge (video RAM, plus LIBXL_MAXMEM_CONSTANT
     * for an HVM guest with memory < maxmem).
     */
    TRY(xs_writef(hv, SUB(dom, "memory/static-max"), "%" PRIu64,
                  c->maxmem_kb));
    TRY(xs_writef(hv, SUB(dom, "memory/target"), "%" PRIu64,
                  c->memory_kb - d->videoram_kb -
                      (d->type == HV_HVM && c->maxmem_kb > c->memory_kb ?
                           LIBXL_MAXMEM_CONSTANT :
                           0)));
    TRY(xs_writef(hv, SUB(dom, "memory/videoram"), "%" PRIu64, d->videoram_kb));
    TRY(xs_writef(hv, SUB(dom, "domid"), "%u", d->domid));
    TRY(xs_writef(hv, SUB(vm, "image/ostype"), "%s",
                  d->type == HV_HVM ? "hvm" : "linux"));
    TRY(xs_writef(hv, SUB(vm, "start_time"), "%ld", (long)time(NULL)));
    /*
     * What `xl create` + the library write for the policy config keys: the
     * four policy nodes together (DESIGN.md), with the build-time memory
     * as the target, as the proposal says domain build behaves ("as if
     * set_memory_target had been called with target_memkb"), not enforced.
     * Written from the loop with no request in between, so no client can
     * see a part of them.
     */
    if (c->memory_policy || c->memory_policy_args) {
        const char *a = c->memory_policy ? c->memory_policy : "";
        const char *args = c->memory_policy_args ? c->memory_policy_args : "";

        TRY(store_write(hv->store, 0, SUB(lx, "memory-policy/actor"), a,
                        (unsigned)strlen(a)));
        TRY(store_write(hv->store, 0, SUB(lx, "memory-policy/actor-params"),
                        args, (unsigned)strlen(args)));
        TRY(xs_writef(hv, SUB(lx, "memory-policy/target"), "%" PRIu64,
                      c->memory_kb));
        TRY(xs_writef(hv, SUB(lx, "memory-policy/enforce"), "0"));
    }
#undef SUB
#undef TRY
    return rc;
}

static void remove_domain_nodes(struct hv *hv, struct hv_domain *d)
{
    char p[64];

    snprintf(p, sizeof(p), "/local/domain/%u", d->domid);
    store_rm(hv->store, 0, p);
    snprintf(p, sizeof(p), "/vm/%s", d->uuid);
    store_rm(hv->store, 0, p);
    snprintf(p, sizeof(p), "/libxl/%u", d->domid);
    store_rm(hv->store, 0, p);
}

static int pick_domid(struct hv *hv, unsigned want, unsigned *domid)
{
    unsigned i, id;

    if (want) {
        if (want > HV_MAX_DOMID)
            return -EINVAL;
        if (hv->doms[want])
            return -EEXIST;
        *domid = want;
        return 0;
    }
    /* Like Xen: keep counting up, wrap, skip ids in use. */
    for (i = 0; i < HV_MAX_DOMID; i++) {
        id = hv->next_domid;
        hv->next_domid = id >= HV_MAX_DOMID ? 1 : id + 1;
        if (!hv->doms[id]) {
            *domid = id;
            return 0;
        }
    }
    return -ENOSPC;
}

bool hv_uuid_valid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    unsigned i;

    for (i = 0; shape[i]; i++) {
        if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return s[i] == '\0';
}

static bool uuid_in_use(struct hv *hv, const char *uuid)
{
    unsigned i;

    for (i = 1; i <= HV_MAX_DOMID; i++)
        if (hv->doms[i] && !hv->doms[i]->dying &&
            !strcasecmp(hv->doms[i]->uuid, uuid))
            return true;
    return false;
}

/* What building a domain gives it, in pages unless named _kb. */
struct layout {
    uint64_t videoram_kb;
    uint64_t vram, fw, ram, populated, pod_entries, pod_cache, max_pages;
};

/*
 * libxl__domain_build_info_setdefault (libxl_create.c): an HVM guest's
 * video RAM by vga kind, for the upstream QEMU (QEMU_XEN): cirrus 8 MiB,
 * stdvga 16 MiB, qxl 128 MiB at least, none 0; PV and PVH guests have
 * none.
 */
uint64_t hv_vga_min_kb(enum hv_vga v)
{
    static const uint64_t min_kb[] = {
        [HV_VGA_CIRRUS] = 8192,
        [HV_VGA_STDVGA] = 16384,
        [HV_VGA_NONE] = 0,
        [HV_VGA_QXL] = 131072,
    };

    return min_kb[v];
}

static int plan_videoram(const struct hv_domain_config *c, uint64_t *kb,
                         char *err, size_t errlen)
{
    uint64_t min = hv_vga_min_kb(c->vga);

    if (c->type != HV_HVM) {
        if (c->videoram_kb > 0) {
            snprintf(err, errlen, "videoram is for HVM guests only");
            return -EINVAL;
        }
        *kb = 0;
        return 0;
    }
    if (c->videoram_kb < 0) {
        *kb = min;
        return 0;
    }
    if ((uint64_t)c->videoram_kb < min) {
        snprintf(err, errlen,
                 "videoram must be at least %" PRIu64 " KiB for %s", min,
                 hv_vga_name(c->vga));
        return -EINVAL;
    }
    *kb = (uint64_t)c->videoram_kb;
    return 0;
}

/*
 * The domain as libxl and libxenguest build it (libxl_dom.c,
 * libs/guest/xg_dom_x86.c):
 *   max_pages  target_memkb + LIBXL_MAXMEM_CONSTANT (libxl__build_pre);
 *   RAM        PV: memory; HVM: maxmem - videoram, of which the kernel
 *              sees all but HV_HVM_HOLE_KB; PVH: maxmem;
 *   PoD        a non-PV guest with memory < maxmem: every RAM gfn is a
 *              PoD entry, and the cache is the target less video RAM
 *              and the VGA hole (meminit_hvm's set_pod_target);
 *   extra      video RAM (populated by QEMU) and firmware pages.
 */
static int plan_layout(const struct hv_domain_config *c, struct layout *l,
                       char *err, size_t errlen)
{
    uint64_t hole = 0;
    int rc;

    memset(l, 0, sizeof(*l));
    rc = plan_videoram(c, &l->videoram_kb, err, errlen);
    if (rc)
        return rc;
    if (l->videoram_kb + 4096 > c->memory_kb) {
        snprintf(err, errlen,
                 "memory %" PRIu64 " KiB leaves less than "
                 "4096 KiB beside %" PRIu64 " KiB of video RAM",
                 c->memory_kb, l->videoram_kb);
        return -EINVAL;
    }
    l->vram = l->videoram_kb / HV_PAGE_KB;
    if (c->type == HV_HVM) {
        l->fw = HV_HVM_FW_KB / HV_PAGE_KB;
        hole = HV_HVM_HOLE_KB / HV_PAGE_KB;
    } else if (c->type == HV_PVH) {
        l->fw = HV_PVH_FW_KB / HV_PAGE_KB;
    }
    l->max_pages = (c->memory_kb + LIBXL_MAXMEM_CONSTANT) / HV_PAGE_KB;
    if (c->type == HV_PV)
        l->ram = c->memory_kb / HV_PAGE_KB;
    else
        l->ram = (c->maxmem_kb - l->videoram_kb) / HV_PAGE_KB - hole;
    if (c->type != HV_PV && c->maxmem_kb > c->memory_kb) {
        l->pod_entries = l->ram;
        l->pod_cache = (c->memory_kb - l->videoram_kb) / HV_PAGE_KB -
            (c->type == HV_HVM ? HV_VGA_HOLE_PAGES : 0);
    } else {
        l->populated = l->ram;
    }
    return 0;
}

int hv_domain_create(struct hv *hv, const struct hv_domain_config *c,
                     unsigned want_domid, unsigned *domid, char *err,
                     size_t errlen)
{
    char dummy[8];
    struct hv_domain *d;
    struct layout lay;
    uint64_t pages;
    unsigned id;
    int rc;

    if (!err) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (!name_valid(c->name)) {
        snprintf(err, errlen, "bad domain name '%s' (1-%d printable "
                 "characters, no space / , = \" \\)", c->name, HV_NAME_MAX);
        return -EINVAL;
    }
    if (hv_domain_by_name(hv, c->name)) {
        snprintf(err, errlen, "domain name '%s' already in use", c->name);
        return -EEXIST;
    }
    if (c->memory_kb < 4096 || c->maxmem_kb < c->memory_kb) {
        snprintf(err, errlen, "memory %" PRIu64 " KiB must be at least "
                 "4096 KiB and at most maxmem %" PRIu64 " KiB",
                 c->memory_kb, c->maxmem_kb);
        return -EINVAL;
    }
    if (c->uuid[0] && !hv_uuid_valid(c->uuid)) {
        snprintf(err, errlen, "bad uuid (8-4-4-4-12 hex digits)");
        return -EINVAL;
    }
    if (c->uuid[0] && uuid_in_use(hv, c->uuid)) {
        /* libxl would wipe the live domain's /vm/<uuid>: refused. */
        snprintf(err, errlen, "uuid %s belongs to a running domain", c->uuid);
        return -EEXIST;
    }
    if (c->mmio_hole_kb &&
        (c->type == HV_PV || c->mmio_hole_kb < PHYSMAP_MMIO_HOLE_MIN_KB ||
         c->mmio_hole_kb > PHYSMAP_MMIO_HOLE_MAX_KB ||
         c->mmio_hole_kb % HV_PAGE_KB)) {
        /* xl.cfg: mmio_hole= is 256..3840 MiB, HVM (and PVH) only. */
        snprintf(err, errlen, "mmio_hole must be %llu..%llu KiB, for HVM "
                 "and PVH guests only",
                 (unsigned long long)PHYSMAP_MMIO_HOLE_MIN_KB,
                 (unsigned long long)PHYSMAP_MMIO_HOLE_MAX_KB);
        return -EINVAL;
    }
    rc = plan_layout(c, &lay, err, errlen);
    if (rc)
        return rc;
    pages = lay.populated + lay.pod_cache + lay.vram + lay.fw;
    if (pages > hv->free_pages) {
        snprintf(err, errlen,
                 "not enough free memory for '%s': needs %" PRIu64
                 " KiB, host has %" PRIu64 " KiB free",
                 c->name, pages * HV_PAGE_KB, hv->free_pages * HV_PAGE_KB);
        return -ENOMEM;
    }
    rc = pick_domid(hv, want_domid, &id);
    if (rc) {
        snprintf(err, errlen, rc == -EEXIST ? "domid %u is in use"
                 : "no domid available (%u)", want_domid);
        return rc;
    }
    d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    d->hv = hv;
    d->domid = id;
    strcpy(d->name, c->name);
    if (c->uuid[0])
        memcpy(d->uuid, c->uuid, sizeof(d->uuid));
    else
        make_uuid(hv, d->uuid);
    d->type = c->type;
    d->hap = c->type != HV_PV && c->hap;
    d->iommu = c->iommu;
    d->seed = mix64(hv->uuid_seq * 0x100000001b3ull + id);
    d->max_pages = lay.max_pages;
    d->videoram_kb = lay.videoram_kb;
    d->vram_pages = lay.vram;
    d->fw_pages = lay.fw;
    d->ram_pages = lay.ram;
    d->mmio_hole_pages = c->type == HV_PV ? 0
                         : (c->mmio_hole_kb ? c->mmio_hole_kb
                                            : PHYSMAP_MMIO_HOLE_DEFAULT_KB) /
                               HV_PAGE_KB;
    d->ram_hwm = lay.ram;
    d->pod_entries = lay.pod_entries;
    d->pod_cache = lay.pod_cache;
    d->pod_target = lay.pod_cache;
    d->pod_target_set = lay.pod_entries != 0;
    d->guest.cfg = c->guest;
    if (!d->guest.cfg.demand_set)
        d->guest.cfg.demand_kb = c->memory_kb / 2;
    if (ht_put(hv->by_name, d->name, d, NULL)) {
        free_domain(d);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    hv->doms[id] = d;
    hv_pages_alloc(hv, d, pages);
    d->populated = lay.populated;

    rc = write_domain_nodes(hv, d, c);
    if (!rc)
        rc = store_domain_introduce(hv->store, id);
    if (rc) {
        snprintf(err, errlen, "cannot write the nodes of '%s' in xenstore: "
                 "%s", c->name, strerror(rc));
        remove_domain_nodes(hv, d);
        hv_pages_free(hv, d, d->tot_pages);
        hv->doms[id] = NULL;
        ht_del(hv->by_name, d->name);
        free_domain(d);
        return -rc;
    }
    hv->ndoms++;
    rc = guest_start(hv, d);
    if (rc) {
        snprintf(err, errlen, "cannot start the guest of '%s': %s", c->name,
                 strerror(-rc));
        hv_domain_destroy(hv, id);
        return rc;
    }
    hv_record(hv, d, true);
    *domid = id;
    return 0;
}

static void record_event(struct hv *hv, struct hv_domain *d,
                         const char *event, bool gone);

int hv_domain_destroy(struct hv *hv, unsigned domid)
{
    struct hv_domain *d = hv_domain(hv, domid);

    if (!d || d->dying)
        return -ESRCH;
    if (domid == 0)
        return -EPERM;
    d->dying = true;
    pager_domain_gone(hv, d);
    d->paging = false;
    if (d->reaper)
        loop_timer_cancel(hv->loop, d->reaper);
    d->reaper = NULL;
    sharing_domain_destroy(hv, d);
    remove_domain_nodes(hv, d);
    hv_pages_free(hv, d, d->tot_pages);
    d->populated = d->paged = 0;
    record_event(hv, d, "destroy", true);
    hv->doms[domid] = NULL;
    ht_del(hv->by_name, d->name);
    hv->ndoms--;
    store_domain_release(hv->store, domid);
    free_domain(d);
    hv_memory_freed(hv);
    return 0;
}

/* ---- hypercalls ---------------------------------------------------------- */

static struct hv_domain *live(struct hv *hv, unsigned domid)
{
    struct hv_domain *d = hv_domain(hv, domid);

    return d && !d->dying ? d : NULL;
}

int hv_setmaxmem(struct hv *hv, unsigned domid, uint64_t kb)
{
    struct hv_domain *d = live(hv, domid);
    uint64_t pages = kb / HV_PAGE_KB;

    if (!d)
        return -ESRCH;
    /*
     * Like Xen since 4.x: no check against tot_pages; a domain above its
     * new maximum keeps its pages and cannot grow until it is below.
     */
    if (pages > UINT32_MAX)
        pages = UINT32_MAX;
    if (pages > d->max_pages) {
        d->max_pages = pages;
        hv_memory_freed(hv);
    } else {
        d->max_pages = pages;
    }
    hv_record(hv, d, true);
    return 0;
}

void hv_pod_trim(struct hv *hv, struct hv_domain *d)
{
    /*
     * p2m-pod.c's decrease_reservation: "If we've reduced our
     * liabilities beyond our assets, free some".
     */
    if (d->pod_cache > d->pod_entries) {
        uint64_t n = d->pod_cache - d->pod_entries;

        d->pod_cache -= n;
        hv_pages_free(hv, d, n);
    }
}

/* After p2m_pod_set_mem_target (xen/arch/x86/mm/p2m-pod.c). */
int hv_set_pod_target(struct hv *hv, unsigned domid, uint64_t target)
{
    struct hv_domain *d = live(hv, domid);
    uint64_t populated, want, avail;

    if (!d)
        return -ESRCH;
    /* arch_memory_op: XENMEM_set_pod_target */
    if (!hv_is_hvm(d) || target > d->max_pages)
        return -EINVAL;
    d->pod_target = target;
    d->pod_target_set = true;
    populated = d->tot_pages - d->pod_cache;
    /* P == B: nothing to do; T' < B: let the balloon driver work. */
    if ((populated > 0 && d->pod_entries == 0) || d->shutdown ||
        target < d->tot_pages)
        return 0;
    want = target - populated;
    /* B < T': cover the outstanding entries, the balloon does the rest. */
    if (populated > 0 && want > d->pod_entries)
        want = d->pod_entries;
    if (want <= d->pod_cache)
        return 0;
    want -= d->pod_cache;
    avail = hv->free_pages;
    if (want > avail) {
        /* p2m_pod_set_cache_target: what was allocated stays. */
        d->pod_cache += avail;
        hv_pages_alloc(hv, d, avail);
        hv_record(hv, d, true);
        return -ENOMEM;
    }
    d->pod_cache += want;
    hv_pages_alloc(hv, d, want);
    hv_record(hv, d, true);
    return 0;
}

void hv_domain_crash(struct hv *hv, struct hv_domain *d, const char *why)
{
    if (d->shutdown || d->dying)
        return;
    fprintf(stderr, "xensim: d%u (%s): %s: domain_crash\n", d->domid, d->name,
            why);
    d->shutdown = true;
    d->crashed = true;
    d->guest.cfg.balloon = BALLOON_NONE;
    d->guest.target_known = false;
    d->guest.cfg.share.cow_per_s = 0;
    d->paging_target_set = false;
    hv_record(hv, d, true);
}

int hv_paging_enable(struct hv *hv, unsigned domid)
{
    struct hv_domain *d;

    if (!hv->cfg.paging_feature)
        return -ENOSYS;
    d = live(hv, domid);
    if (!d)
        return -ESRCH;
    /* xen/common/vm_event.c: paging from an HVM/PVH dom0 is refused
     * ("p2m_is_foreign types need addressing"), then no HAP, then an
     * IOMMU. */
    if (hv->cfg.pvh_dom0)
        return -EOPNOTSUPP;
    if (!d->hap)
        return -ENODEV;     /* "Only HAP is supported" */
    if (d->iommu)
        return -EMLINK;
    /* xen/common/vm_event.c: "Disallow paging in a PoD guest"
     * (p2m_pod_active: PoD entries or a PoD cache). */
    if (d->pod_entries || d->pod_cache)
        return -EXDEV;
    /* vm_event_enable: "Only one connected agent at a time" */
    if (d->paging)
        return -EBUSY;
    d->paging = true;
    hv_record(hv, d, true);
    return 0;
}

int hv_paging_disable(struct hv *hv, unsigned domid)
{
    struct hv_domain *d;

    if (!hv->cfg.paging_feature)
        return -ENOSYS;
    d = live(hv, domid);
    if (!d)
        return -ESRCH;
    /* vm_event_domctl: XEN_VM_EVENT_DISABLE without a ring is -EINVAL;
     * with one, the ring goes whatever is paged out or whoever serves
     * it (the pager, and the guest, find out later: paging.c). */
    if (!d->paging)
        return -EINVAL;
    paging_ring_gone(hv, d);
    return 0;
}

int hv_sharing_control(struct hv *hv, unsigned domid, bool enable)
{
    struct hv_domain *d;

    if (!hv->cfg.sharing_feature)
        return -ENOSYS;
    d = live(hv, domid);
    if (!d)
        return -ESRCH;
    /*
     * xen/arch/x86/mm/mem_sharing.c, mem_sharing_control: enabling checks
     * the domain; disabling only clears the flag.  Pages shared so far
     * stay shared until the guest writes them (copy on write) or gives
     * them back; the next nominate enables sharing again
     * (mem_sharing_memop), and a domain with it off cannot be a share's
     * client (EINVAL).
     */
    if (enable) {
        if (!hv_is_hvm(d) || hv->cfg.no_vmx)
            return -EOPNOTSUPP;
        if (!d->hap)
            return -ENODEV;
        if (d->iommu)
            return -EXDEV;
    }
    d->sharing = enable;
    return 0;
}

/* ---- accounting ---------------------------------------------------------- */

void hv_pages_alloc(struct hv *hv, struct hv_domain *d, uint64_t n)
{
    assert(n <= hv->free_pages);
    hv->free_pages -= n;
    d->tot_pages += n;
}

void hv_pages_free(struct hv *hv, struct hv_domain *d, uint64_t n)
{
    assert(n <= d->tot_pages);
    d->tot_pages -= n;
    hv->free_pages += n;
    if (n)
        hv_memory_freed(hv);
}

uint64_t hv_pages_available(struct hv *hv, const struct hv_domain *d)
{
    uint64_t room = d->tot_pages < d->max_pages
                        ? d->max_pages - d->tot_pages : 0;

    return room < hv->free_pages ? room : hv->free_pages;
}

static int push(unsigned **arr, unsigned *n, unsigned *cap, unsigned v)
{
    if (*n == *cap) {
        unsigned nc = *cap ? *cap * 2 : 64;
        unsigned *na = realloc(*arr, nc * sizeof(*na));

        if (!na)
            return -ENOMEM;
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = v;
    return 0;
}

void hv_memory_freed(struct hv *hv)
{
    unsigned i, n = hv->nstalled;

    hv->nstalled = 0;
    for (i = 0; i < n; i++) {
        struct hv_domain *d = hv_domain(hv, hv->stalled[i]);

        if (d && d->stalled && !d->dying) {
            d->stalled = false;
            hv_wake(hv, d);
        }
    }
}

static void arm_tick(struct hv *hv)
{
    uint64_t ms = TICK_SIM_MS;

    /* At high speeds, no more than one tick per TICK_MIN_REAL_MS. */
    if ((double)ms < TICK_MIN_REAL_MS * hv->cfg.speed)
        ms = (uint64_t)(TICK_MIN_REAL_MS * hv->cfg.speed);
    hv->tick = sim_timer_add(hv->clock, ms, tick_fn, hv);
}

void hv_wake(struct hv *hv, struct hv_domain *d)
{
    if (d->active || d->dying)
        return;
    if (push(&hv->active, &hv->nactive, &hv->active_cap, d->domid))
        return;
    d->active = true;
    if (!hv->tick) {
        hv->last_tick_ms = hv_now_ms(hv);
        arm_tick(hv);
    }
}

/* One step of everything that moves in d; true while it keeps moving. */
static bool step_domain(struct hv *hv, struct hv_domain *d, uint64_t dt)
{
    bool moving, stalled;

    moving = guest_balloon_step(hv, d, dt);
    stalled = d->stalled;
    moving |= paging_step(hv, d, dt);
    d->stalled |= stalled;
    moving |= sharing_cow_step(hv, d, dt);
    return moving;
}

static void tick_fn(struct simclock *c, struct sim_timer *t, void *arg)
{
    struct hv *hv = arg;
    uint64_t now = hv_now_ms(hv), dt = now - hv->last_tick_ms;
    unsigned *batch = hv->active, n = hv->nactive, i;

    (void)c;
    (void)t;
    hv->tick = NULL;
    hv->nticks++;
    hv->last_tick_ms = now;
    /* Domains woken during the batch go to a fresh list. */
    hv->active = NULL;
    hv->nactive = hv->active_cap = 0;
    for (i = 0; i < n; i++) {
        struct hv_domain *d = hv_domain(hv, batch[i]);

        if (!d || d->dying || !d->active)
            continue;
        d->active = false;
        if (step_domain(hv, d, dt)) {
            hv_wake(hv, d);
            hv_record(hv, d, false);
        } else {
            if (d->stalled)
                push(&hv->stalled, &hv->nstalled, &hv->stalled_cap,
                     d->domid);
            if (!d->active)
                hv_record(hv, d, true);
        }
    }
    free(batch);
    hv_record(hv, &hv->dom0, false);
    record_flush(hv->cfg.rec);
    if (hv->nactive && !hv->tick)
        arm_tick(hv);
    if (hv->on_change)
        hv->on_change(hv->on_change_arg);
    if (!hv->nactive && hv->on_idle)
        hv->on_idle(hv->on_idle_arg);
}

/* ---- recording ----------------------------------------------------------- */

static uint64_t read_kb(struct hv *hv, unsigned domid, const char *node)
{
    char path[80], *val = NULL;
    unsigned len;
    uint64_t kb = 0;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, node);
    if (!store_read(hv->store, 0, path, &val, &len))
        kb = strtoull(val, NULL, 10);
    free(val);
    return kb;
}

static void fill_row(struct hv *hv, struct hv_domain *d,
                     struct record_row *w)
{
    memset(w, 0, sizeof(*w));
    w->t_ms = hv_now_ms(hv);
    w->domid = d->domid;
    w->name = d->name;
    w->event = "";
    w->target_kb = read_kb(hv, d->domid, "memory/target");
    w->tot_kb = d->tot_pages * HV_PAGE_KB;
    w->max_kb = d->max_pages * HV_PAGE_KB;
    w->paged_kb = d->paged * HV_PAGE_KB;
    w->shared_kb = d->shr_pages * HV_PAGE_KB;
    w->demand_kb = guest_demand_kb(&d->guest);
    w->shortfall_kb = d->guest.shortfall_kb;
    w->host_free_kb = hv->free_pages * HV_PAGE_KB;
}

static uint64_t row_sig(const struct record_row *w)
{
    uint64_t v[] = { w->target_kb, w->tot_kb, w->max_kb, w->paged_kb,
                     w->shared_kb, w->demand_kb, w->shortfall_kb };
    uint64_t h = 0;
    unsigned i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        h = mix64(h ^ v[i]);
    /* dom0's rows exist to carry the host's free memory. */
    return h;
}

void hv_record(struct hv *hv, struct hv_domain *d, bool force)
{
    struct record_row w;
    uint64_t sig;

    if (!hv->cfg.rec)
        return;
    if (!force && hv_now_ms(hv) - d->rec_ms < 1000)
        return;
    fill_row(hv, d, &w);
    sig = row_sig(&w);
    if (d->domid == 0)
        sig = mix64(sig ^ w.host_free_kb);
    if (sig == d->rec_sig && d->rec_ms)
        return;
    d->rec_sig = sig;
    d->rec_ms = w.t_ms ? w.t_ms : 1;
    record_write(hv->cfg.rec, &w);
}

static void record_event(struct hv *hv, struct hv_domain *d,
                         const char *event, bool gone)
{
    struct record_row w;

    if (!hv->cfg.rec)
        return;
    fill_row(hv, d, &w);
    w.event = event;
    if (gone)
        w.target_kb = 0;
    record_write(hv->cfg.rec, &w);
    d->rec_ms = w.t_ms ? w.t_ms : 1;
    d->rec_sig = row_sig(&w);
    hv_record(hv, &hv->dom0, true);
    record_flush(hv->cfg.rec);
}

/* ---- invariants ---------------------------------------------------------- */

int hv_check(struct hv *hv, char *err, size_t errlen)
{
    uint64_t used = 0, shr = 0;
    unsigned i, n = 0;

    for (i = 0; i <= HV_MAX_DOMID; i++) {
        struct hv_domain *d = hv->doms[i];

        if (!d)
            continue;
        if (d->tot_pages + d->paged + d->shr_pages !=
            d->populated + d->pod_cache + d->vram_pages + d->fw_pages) {
            snprintf(err, errlen,
                     "domain %u: tot %" PRIu64 " + paged %" PRIu64
                     " + shared %" PRIu64 " != populated %" PRIu64
                     " + PoD cache %" PRIu64 " + video %" PRIu64
                     " + firmware %" PRIu64,
                     i, d->tot_pages, d->paged, d->shr_pages, d->populated,
                     d->pod_cache, d->vram_pages, d->fw_pages);
            return -1;
        }
        used += d->tot_pages;
        shr += d->shr_pages;
        n += i != 0;
    }
    if (n != hv->ndoms) {
        snprintf(err, errlen, "%u domains counted, %u known", n, hv->ndoms);
        return -1;
    }
    if (shr != sharing_refs(hv->sharing)) {
        snprintf(err, errlen, "domains share %" PRIu64 " gfns, frames have %"
                 PRIu64 " users", shr, sharing_refs(hv->sharing));
        return -1;
    }
    used += sharing_frames(hv->sharing);
    if (used + hv->free_pages != hv->total_pages) {
        snprintf(err, errlen, "used %" PRIu64 " + free %" PRIu64
                 " != total %" PRIu64 " pages", used, hv->free_pages,
                 hv->total_pages);
        return -1;
    }
    return 0;
}
