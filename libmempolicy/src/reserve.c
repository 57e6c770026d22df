/*
 * reserve.c: reservations, memory asked for before a domain is created
 * (libmempolicy.h, "reservations"; docs/reservations.md).  The one home of
 * their nodes (paths.h: /tool/mempolicy/reservations, dom0-only) for the
 * toolstack's side (request, wait, transfer, release, get, list) and for
 * the actor that answers them (grant, refuse: libmempolicy_actor.h).
 *
 * Semantics follow squeezed's (xen-api ocaml/squeezed: reserve_memory,
 * transfer_reservation_to_domain, delete_reservation) with the request
 * and answer in the store, as qmemman's request socket does it over a
 * socket: the caller asks, the balancer frees and answers.  Every change
 * is one transaction; ids come from one counter node that every request
 * reads and writes, so two requests racing conflict and one retries.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "libmempolicy_actor.h"
#include "paths.h"

#define MIB(kb) ((unsigned long long)(kb) / 1024)
/* A request no actor answered is given up this long after its deadline. */
#define WAIT_GRACE_MS 5000u
#define REASON_MAX 400
#define BALANCE_ACTOR "balance"

static const char *const state_names[] = {
    [MEMPOLICY_RESERVATION_PENDING] = "pending",
    [MEMPOLICY_RESERVATION_GRANTED] = "granted",
    [MEMPOLICY_RESERVATION_REFUSED] = "refused",
};

void mempolicy_reservation_dispose(mempolicy_reservation *r)
{
    if (!r)
        return;
    free(r->reason);
    memset(r, 0, sizeof(*r));
}

void mempolicy_reservation_list_free(mempolicy_reservation *list, int n)
{
    int i;

    for (i = 0; list && i < n; i++)
        mempolicy_reservation_dispose(&list[i]);
    free(list);
}

/* ---- reading ----------------------------------------------------------- */

static int read_u64(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t id,
                    const char *node, bool need, uint64_t *v)
{
    char path[MP_PATH_MAX];
    bool present;
    int rc = mp_xs_read_kb(ctx, t, mp_path_resv(path, id, node), &present, v);

    if (rc)
        return rc;
    if (!present && need)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL, "%s: missing", path);
    return 0;
}

/* The owner "PID START": alive when that process runs with that start. */
static void parse_owner(const char *v, mempolicy_reservation *r)
{
    unsigned long long pid, start;
    uint64_t have;
    int n = -1;

    r->owner_pid = 0;
    r->owner_alive = false;
    if (!v || sscanf(v, "%llu %llu%n", &pid, &start, &n) != 2 || v[n] || !pid ||
        pid > INT32_MAX)
        return;
    r->owner_pid = (int32_t)pid;
    r->owner_alive = mp_proc_start((int)pid, &have) && have == start;
}

/* The one error for an id that names no reservation. */
static int no_reservation(mempolicy_ctx *ctx, uint32_t id)
{
    return mp_err(ctx, MEMPOLICY_ERROR_NO_RESERVATION,
                  "no reservation %u (unknown, released, handed over or "
                  "expired)",
                  id);
}

/*
 * Read reservation id inside t: 0 and *r, NO_RESERVATION when absent,
 * FAIL naming a malformed node, MP_TX_RETRY.
 */
static int read_one(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t id,
                    mempolicy_reservation *r)
{
    char path[MP_PATH_MAX], *state = NULL, *owner = NULL;
    unsigned i;
    int rc;

    memset(r, 0, sizeof(*r));
    r->id = id;
    rc = mp_xs_read(ctx, t, mp_path_resv(path, id, MP_RESV_STATE), &state);
    if (rc)
        return rc;
    if (!state)
        return no_reservation(ctx, id);
    for (i = 1; i < sizeof(state_names) / sizeof(state_names[0]); i++)
        if (!strcmp(state, state_names[i]))
            r->state = (mempolicy_reservation_state)i;
    if (!r->state) {
        rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL, "%s: '%s' is not a state", path,
                    MP_Q(state));
        goto out;
    }
    if ((rc = read_u64(ctx, t, id, MP_RESV_SIZE, true, &r->size_kb)) ||
        (rc = read_u64(ctx, t, id, MP_RESV_CREATED, false, &r->created_ms)) ||
        (rc = read_u64(ctx, t, id, MP_RESV_DEADLINE, true, &r->deadline_ms)) ||
        (rc = read_u64(ctx, t, id, MP_RESV_LIFETIME, true, &r->lifetime_ms)) ||
        (rc = read_u64(ctx, t, id, MP_RESV_GRANTED, false, &r->granted_ms)))
        goto out;
    rc = mp_xs_read(ctx, t, mp_path_resv(path, id, MP_RESV_OWNER), &owner);
    if (rc)
        goto out;
    parse_owner(owner, r);
    if (r->state == MEMPOLICY_RESERVATION_REFUSED) {
        rc = mp_xs_read(ctx, t, mp_path_resv(path, id, MP_RESV_REASON),
                        &r->reason);
        if (rc)
            goto out;
        if (!r->reason && !(r->reason = strdup("refused"))) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "out of memory");
            goto out;
        }
    }
out:
    free(state);
    free(owner);
    if (rc)
        mempolicy_reservation_dispose(r);
    return rc;
}

/* The ids under the directory, ascending (next-id skipped); *ids
 * malloc'd.  MP_TX_RETRY on EAGAIN. */
static int list_ids(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t **ids,
                    int *n)
{
    char path[MP_PATH_MAX], **names;
    unsigned num, i;
    uint32_t *v;
    int k = 0;

    *ids = NULL;
    *n = 0;
    names = xs_directory(ctx->xsh, t, mp_path_resv(path, 0, NULL), &num);
    if (!names) {
        if (errno == ENOENT)
            return 0;
        if (errno == EAGAIN)
            return MP_TX_RETRY;
        return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: listing %s: %s",
                      path, strerror(errno));
    }
    v = calloc(num ? num : 1, sizeof(*v));
    if (!v) {
        free(names);
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "out of memory");
    }
    for (i = 0; i < num; i++) {
        uint64_t id;

        if (mp_parse_u64(names[i], UINT32_MAX, &id) && id)
            v[k++] = (uint32_t)id;
    }
    free(names);
    /* Few entries (at most MEMPOLICY_RESERVATIONS_MAX): insertion sort. */
    for (i = 1; i < (unsigned)k; i++) {
        uint32_t x = v[i];
        unsigned j = i;

        for (; j && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    *ids = v;
    *n = k;
    return 0;
}

struct list_arg {
    mempolicy_reservation *v;
    int n;
};

static void list_arg_clear(struct list_arg *a)
{
    mempolicy_reservation_list_free(a->v, a->n);
    a->v = NULL;
    a->n = 0;
}

/* Every reservation (one that vanished between listing and reading is
 * left out: it cannot in a transaction, but be safe). */
static int read_all(mempolicy_ctx *ctx, xs_transaction_t t, struct list_arg *a)
{
    uint32_t *ids;
    int n, i, rc;

    list_arg_clear(a);
    rc = list_ids(ctx, t, &ids, &n);
    if (rc)
        return rc;
    a->v = calloc(n ? (size_t)n : 1, sizeof(*a->v));
    if (!a->v) {
        free(ids);
        return mp_err(ctx, MEMPOLICY_ERROR_NOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        rc = read_one(ctx, t, ids[i], &a->v[a->n]);
        if (rc == MEMPOLICY_ERROR_NO_RESERVATION)
            continue;
        if (rc) {
            free(ids);
            return rc;
        }
        a->n++;
    }
    free(ids);
    return 0;
}

static int list_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    return read_all(ctx, t, arg);
}

int mempolicy_reservation_list(mempolicy_ctx *ctx, mempolicy_reservation **list,
                               int *n)
{
    struct list_arg a = { 0 };
    int rc;

    if (!list || !n)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output");
    *list = NULL;
    *n = 0;
    rc = mp_transaction(ctx, list_tx, &a);
    if (rc) {
        list_arg_clear(&a);
        return rc;
    }
    *list = a.v;
    *n = a.n;
    return 0;
}

struct one_arg {
    uint32_t id;
    mempolicy_reservation r;
};

static int get_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct one_arg *a = arg;

    mempolicy_reservation_dispose(&a->r);
    return read_one(ctx, t, a->id, &a->r);
}

int mempolicy_reservation_get(mempolicy_ctx *ctx, uint32_t id,
                              mempolicy_reservation *out)
{
    struct one_arg a = { .id = id };
    int rc;

    if (!out)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output");
    memset(out, 0, sizeof(*out));
    if (!id)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_RESERVATION,
                      "no reservation 0 (ids start at 1)");
    rc = mp_transaction(ctx, get_tx, &a);
    if (rc) {
        mempolicy_reservation_dispose(&a.r);
        return rc;
    }
    *out = a.r;
    return 0;
}

/* ---- writing ----------------------------------------------------------- */

static int write_u64(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t id,
                     const char *node, uint64_t v)
{
    char path[MP_PATH_MAX], val[24];

    snprintf(val, sizeof(val), "%" PRIu64, v);
    return mp_xs_write(ctx, t, mp_path_resv(path, id, node), val);
}

static int write_str(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t id,
                     const char *node, const char *v)
{
    char path[MP_PATH_MAX];

    return mp_xs_write(ctx, t, mp_path_resv(path, id, node), v);
}

static int rm_node(mempolicy_ctx *ctx, xs_transaction_t t, const char *path)
{
    if (mp_xs_rm(ctx, t, path) || errno == ENOENT)
        return 0;
    if (errno == EAGAIN)
        return MP_TX_RETRY;
    return mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: removing %s: %s", path,
                  strerror(errno));
}

/* Remove path if it has no children. */
static int rm_if_empty(mempolicy_ctx *ctx, xs_transaction_t t, const char *path)
{
    unsigned n;
    char **kids = xs_directory(ctx->xsh, t, path, &n);

    if (!kids)
        return errno == EAGAIN ? MP_TX_RETRY : 0;
    free(kids);
    return n ? 0 : rm_node(ctx, t, path);
}

/*
 * Remove reservation id.  When the process that made it removes it (a
 * refused request, a create that failed) and it was the last one issued,
 * the counter goes back, with the directories it made: a request that
 * came to nothing leaves the store as it found it.  Any other removal
 * keeps the counter, so a released id never names a new reservation.
 */
static int remove_tx_node(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t id,
                          bool may_give_back)
{
    char path[MP_PATH_MAX], *owner = NULL, mine[24];
    uint64_t next;
    bool present, own;
    int rc;

    rc = mp_xs_read(ctx, t, mp_path_resv(path, id, MP_RESV_OWNER), &owner);
    if (rc)
        return rc;
    snprintf(mine, sizeof(mine), "%d ", (int)getpid());
    own = owner && !strncmp(owner, mine, strlen(mine));
    free(owner);
    rc = rm_node(ctx, t, mp_path_resv(path, id, NULL));
    if (rc || !own || !may_give_back)
        return rc;
    rc = mp_xs_read_kb(ctx, t, MP_RESV_NEXT_ID, &present, &next);
    if (rc || !present || next != (uint64_t)id + 1)
        return rc;
    if (id > 1) {
        snprintf(mine, sizeof(mine), "%u", id);
        return mp_xs_write(ctx, t, MP_RESV_NEXT_ID, mine);
    }
    if ((rc = rm_node(ctx, t, MP_RESV_NEXT_ID)) ||
        (rc = rm_if_empty(ctx, t, MP_RESV_DIR)))
        return rc;
    return rm_if_empty(ctx, t, "/tool/mempolicy");
}

struct request_arg {
    uint64_t size_kb, timeout_ms, lifetime_ms, now_ms;
    const char *owner;
    bool decide; /* no actor runs: grant or refuse now */
    uint64_t free_kb;
    struct list_arg all;
    uint32_t id;
    mempolicy_reservation_state state;
    char reason[REASON_MAX];
};

static int request_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct request_arg *a = arg;
    uint64_t next = 1, held = 0;
    bool present;
    int rc, i;

    rc = mp_xs_read_kb(ctx, t, MP_RESV_NEXT_ID, &present, &next);
    if (rc)
        return rc;
    if (!present || !next)
        next = 1;
    if (next > UINT32_MAX)
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      MP_RESV_NEXT_ID ": %" PRIu64 " is past the last id",
                      next);
    rc = read_all(ctx, t, &a->all);
    if (rc)
        return rc;
    if (a->all.n >= MEMPOLICY_RESERVATIONS_MAX)
        return mp_err(ctx, MEMPOLICY_ERROR_BUSY,
                      "%d reservations exist already (the most there may "
                      "be); release one first",
                      a->all.n);
    a->id = (uint32_t)next;
    a->state = MEMPOLICY_RESERVATION_PENDING;
    a->reason[0] = '\0';
    if (a->decide) {
        for (i = 0; i < a->all.n; i++)
            if (a->all.v[i].state != MEMPOLICY_RESERVATION_REFUSED)
                held += a->all.v[i].size_kb;
        if (a->free_kb >= held && a->free_kb - held >= a->size_kb) {
            a->state = MEMPOLICY_RESERVATION_GRANTED;
        } else {
            a->state = MEMPOLICY_RESERVATION_REFUSED;
            snprintf(
                a->reason, sizeof(a->reason),
                "cannot reserve %llu MiB: host free %llu MiB, %llu MiB "
                "of it reserved already, %llu MiB short; no balance "
                "actor runs to free more",
                MIB(a->size_kb), MIB(a->free_kb), MIB(held),
                MIB(a->size_kb - (a->free_kb > held ? a->free_kb - held : 0)));
        }
    }
    if ((rc = write_u64(ctx, t, a->id, MP_RESV_SIZE, a->size_kb)) ||
        (rc = write_str(ctx, t, a->id, MP_RESV_OWNER, a->owner)) ||
        (rc = write_u64(ctx, t, a->id, MP_RESV_CREATED, a->now_ms)) ||
        (rc = write_u64(ctx, t, a->id, MP_RESV_DEADLINE,
                        a->now_ms + a->timeout_ms)) ||
        (rc = write_u64(ctx, t, a->id, MP_RESV_LIFETIME, a->lifetime_ms)))
        return rc;
    {
        char v[24];

        snprintf(v, sizeof(v), "%" PRIu64, next + 1);
        if ((rc = mp_xs_write(ctx, t, MP_RESV_NEXT_ID, v)))
            return rc;
    }
    if (a->state == MEMPOLICY_RESERVATION_GRANTED &&
        (rc = write_u64(ctx, t, a->id, MP_RESV_GRANTED, a->now_ms)))
        return rc;
    if (a->state == MEMPOLICY_RESERVATION_REFUSED &&
        (rc = write_str(ctx, t, a->id, MP_RESV_REASON, a->reason)))
        return rc;
    /* The state last: a watcher of it sees a complete reservation. */
    return write_str(ctx, t, a->id, MP_RESV_STATE, state_names[a->state]);
}

int mempolicy_reservation_request(mempolicy_ctx *ctx, uint64_t size_kb,
                                  uint32_t timeout_ms, uint32_t lifetime_ms,
                                  uint32_t *id)
{
    struct request_arg a = { 0 };
    mempolicy_physinfo phys;
    uint64_t start;
    char owner[48];
    bool running;
    int rc;

    if (!id)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output id");
    *id = 0;
    if (!size_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "a reservation of 0 KiB reserves nothing");
    rc = mempolicy_get_physinfo(ctx, &phys);
    if (rc)
        return rc;
    if (size_kb > phys.total_kb)
        return mp_err(ctx, MEMPOLICY_ERROR_RANGE,
                      "%" PRIu64 " KiB is more than the host has (%" PRIu64
                      " KiB)",
                      size_kb, phys.total_kb);
    if (!mp_proc_start((int)getpid(), &start))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "cannot read /proc/%d/stat to name the reservation's "
                      "owner",
                      (int)getpid());
    snprintf(owner, sizeof(owner), "%d %" PRIu64, (int)getpid(), start);
    rc = mempolicy_actor_running(ctx, BALANCE_ACTOR, &running);
    if (rc)
        return rc;
    a.size_kb = size_kb;
    a.timeout_ms = timeout_ms ? timeout_ms : MEMPOLICY_RESERVE_TIMEOUT_MS;
    a.lifetime_ms = lifetime_ms ? lifetime_ms : MEMPOLICY_RESERVE_LIFETIME_MS;
    a.now_ms = mp_clock_now_ms(ctx);
    a.owner = owner;
    a.decide = !running;
    a.free_kb = phys.free_kb;
    rc = mp_transaction(ctx, request_tx, &a);
    list_arg_clear(&a.all);
    if (rc)
        return rc;
    *id = a.id;
    mp_log(ctx, XTL_DEBUG, "reservation %u: %" PRIu64 " KiB, %s", a.id, size_kb,
           state_names[a.state]);
    return 0;
}

/* Remove id if it exists; *gone says whether it did. */
struct remove_arg {
    uint32_t id;
    bool need_granted; /* transfer: only a granted one */
    bool need_pending; /* grant/refuse: only a pending one */
    bool existed;
    mempolicy_reservation_state state;
    /* grant/refuse: the new state instead of removal */
    mempolicy_reservation_state to;
    const char *reason;
    uint64_t now_ms;
};

static int change_tx(mempolicy_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct remove_arg *a = arg;
    char path[MP_PATH_MAX], *state = NULL;
    unsigned i;
    int rc;

    a->existed = false;
    rc = mp_xs_read(ctx, t, mp_path_resv(path, a->id, MP_RESV_STATE), &state);
    if (rc)
        return rc;
    if (!state)
        return no_reservation(ctx, a->id);
    a->existed = true;
    a->state = 0;
    for (i = 1; i < sizeof(state_names) / sizeof(state_names[0]); i++)
        if (!strcmp(state, state_names[i]))
            a->state = (mempolicy_reservation_state)i;
    free(state);
    if (a->need_granted && a->state != MEMPOLICY_RESERVATION_GRANTED)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "reservation %u is %s, not granted: nothing to hand "
                      "over",
                      a->id, a->state ? state_names[a->state] : "malformed");
    if (a->need_pending && a->state != MEMPOLICY_RESERVATION_PENDING)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL,
                      "reservation %u is %s, not pending", a->id,
                      a->state ? state_names[a->state] : "malformed");
    if (a->to == MEMPOLICY_RESERVATION_GRANTED) {
        if ((rc = write_u64(ctx, t, a->id, MP_RESV_GRANTED, a->now_ms)))
            return rc;
        return write_str(ctx, t, a->id, MP_RESV_STATE, state_names[a->to]);
    }
    if (a->to == MEMPOLICY_RESERVATION_REFUSED) {
        char line[REASON_MAX];

        mp_status_clean(line, sizeof(line), a->reason ? a->reason : "");
        if ((rc = write_str(ctx, t, a->id, MP_RESV_REASON, line)))
            return rc;
        return write_str(ctx, t, a->id, MP_RESV_STATE, state_names[a->to]);
    }
    /* A hand-over ends a reservation that served: its id stays used. */
    return remove_tx_node(ctx, t, a->id, !a->need_granted);
}

int mempolicy_reservation_release(mempolicy_ctx *ctx, uint32_t id)
{
    struct remove_arg a = { .id = id };

    if (!id)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_RESERVATION,
                      "no reservation 0 (ids start at 1)");
    return mp_transaction(ctx, change_tx, &a);
}

int mempolicy_reservation_transfer(mempolicy_ctx *ctx, uint32_t id,
                                   uint32_t domid)
{
    struct remove_arg a = { .id = id, .need_granted = true };
    int rc;

    if (!id)
        return mp_err(ctx, MEMPOLICY_ERROR_NO_RESERVATION,
                      "no reservation 0 (ids start at 1)");
    rc = mp_check_domid(ctx, domid);
    if (rc)
        return rc;
    rc = mp_domain_live(ctx, domid, NULL);
    if (rc)
        return rc;
    rc = mp_transaction(ctx, change_tx, &a);
    if (!rc)
        mp_log(ctx, XTL_DEBUG, "reservation %u handed over to domain %u", id,
               domid);
    return rc;
}

int mempolicy_reservation_grant(mempolicy_ctx *ctx, uint32_t id)
{
    struct remove_arg a = { .id = id,
                            .need_pending = true,
                            .to = MEMPOLICY_RESERVATION_GRANTED,
                            .now_ms = mp_clock_now_ms(ctx) };

    return mp_transaction(ctx, change_tx, &a);
}

int mempolicy_reservation_refuse(mempolicy_ctx *ctx, uint32_t id,
                                 const char *reason)
{
    struct remove_arg a = { .id = id,
                            .need_pending = true,
                            .to = MEMPOLICY_RESERVATION_REFUSED,
                            .reason = reason };

    return mp_transaction(ctx, change_tx, &a);
}

/* ---- waiting ----------------------------------------------------------- */

int mempolicy_reservation_wait(mempolicy_ctx *ctx, uint32_t id,
                               mempolicy_reservation *out)
{
    const char *clock_node = ctx->be->clock_node;
    char path[MP_PATH_MAX];
    struct xs_handle *h;
    mempolicy_reservation r;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    h = xs_open(0);
    if (!h)
        return mp_err(ctx, MEMPOLICY_ERROR_STORE,
                      "xenstore: a connection to wait on: %s", strerror(errno));
    /* Watch first, then read: no change falls in between. */
    if (!xs_watch(h, mp_path_resv(path, id, MP_RESV_STATE), "r") ||
        (clock_node && !xs_watch(h, clock_node, "c"))) {
        rc = mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: watching %s: %s",
                    path, strerror(errno));
        xs_close(h);
        return rc;
    }
    for (;;) {
        struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
        char **vec;
        int ms;

        rc = mempolicy_reservation_get(ctx, id, &r);
        if (rc)
            break;
        if (r.state == MEMPOLICY_RESERVATION_GRANTED) {
            if (out)
                *out = r;
            else
                mempolicy_reservation_dispose(&r);
            break;
        }
        if (r.state == MEMPOLICY_RESERVATION_REFUSED) {
            /* Removed first, so the detail is the refusal's. */
            mempolicy_reservation_release(ctx, id);
            rc = mp_err(ctx, MEMPOLICY_ERROR_NO_MEMORY, "reservation %u: %s",
                        id, r.reason);
            mempolicy_reservation_dispose(&r);
            break;
        }
        ms = mp_clock_poll_ms(ctx, r.deadline_ms + WAIT_GRACE_MS);
        if (!ms) {
            mempolicy_reservation_release(ctx, id);
            rc = mp_err(ctx, MEMPOLICY_ERROR_NO_MEMORY,
                        "reservation %u: %llu MiB not granted within %llu s "
                        "and no actor answered (is mempolicy-balance "
                        "running?)",
                        id, MIB(r.size_kb),
                        (unsigned long long)(r.deadline_ms - r.created_ms) /
                            1000);
            mempolicy_reservation_dispose(&r);
            break;
        }
        mempolicy_reservation_dispose(&r);
        if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
            rc = mp_err(ctx, MEMPOLICY_ERROR_STORE, "poll: %s",
                        strerror(errno));
            break;
        }
        while ((vec = xs_check_watch(h))) {
            if (!strcmp(vec[XS_WATCH_TOKEN], "c"))
                mp_clock_reread(ctx);
            free(vec);
        }
    }
    xs_close(h);
    return rc;
}

int mempolicy_reserve(mempolicy_ctx *ctx, uint64_t size_kb, uint32_t timeout_ms,
                      uint32_t lifetime_ms, uint32_t *id)
{
    uint32_t got;
    int rc;

    if (!id)
        return mp_err(ctx, MEMPOLICY_ERROR_INVAL, "no output id");
    *id = 0;
    rc = mempolicy_reservation_request(ctx, size_kb, timeout_ms, lifetime_ms,
                                       &got);
    if (rc)
        return rc;
    rc = mempolicy_reservation_wait(ctx, got, NULL);
    if (!rc)
        *id = got;
    return rc;
}
