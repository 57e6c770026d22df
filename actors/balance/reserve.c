/*
 * reserve.c: the balance actor's side of reservations (libmempolicy.h,
 * "reservations"; docs/reservations.md): memory a toolstack asked for
 * before it creates a domain.
 *
 * The reservations live in the store (MEMPOLICY_RESERVATIONS_PATH), so
 * a restarted actor finds them again; every change under it (a request,
 * a release, a hand-over, our own answers) wakes the actor through one
 * watch, and the list is read again (at most MEMPOLICY_RESERVATIONS_MAX
 * entries).  In every pass:
 *  - the granted reservations and the pending ones that can be met are
 *    held back from balancing (struct bp_host.reserved_kb: kept free like
 *    the floor), so the plan takes the memory from the managed domains,
 *    free before allocate (apply.c lowers targets at once, raises only
 *    into what is free beyond the floor and the reserved memory);
 *  - a pending request that no plan can meet is refused at once, with
 *    the figures: what could be made free, and what holds the rest (the
 *    domains' floors and guarantees, stuck balloons, domains in their
 *    boot grace, domains of other actors), as squeezed's
 *    Cannot_free_this_much_memory / Domains_refused_to_cooperate;
 *  - pending requests are granted in id order once the memory is free
 *    now (host free - the floor - what raises in flight may still take -
 *    what earlier grants hold), so two requests never get the same free
 *    memory; one not met by its deadline is refused, saying what is still
 *    missing and why;
 *  - a granted reservation whose creator is gone ends a lifetime after
 *    its grant (one whose creator lives is looked at again a lifetime
 *    later); a refused one whose creator is gone is removed.
 * One timer (the next deadline or expiry) on the host's clock, none when
 * there is nothing pending or granted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "balance.h"

#define MIB(kb) ((unsigned long long)((kb) + 512) / 1024)

static void resv_timer(mempolicy_actor *a, void *arg)
{
    struct bal *b = arg;

    (void)a;
    b->resv_timer = NULL;
    bal_resv_read(b);
}

/* Arm the timer for the next deadline or expiry. */
static void arm(struct bal *b, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    int i;

    for (i = 0; i < b->nresv; i++) {
        const mempolicy_reservation *r = &b->resv[i];
        uint64_t at = UINT64_MAX;

        if (r->state == MEMPOLICY_RESERVATION_PENDING)
            at = r->deadline_ms;
        else if (r->state == MEMPOLICY_RESERVATION_GRANTED)
            at = r->granted_ms + r->lifetime_ms > now ?
                r->granted_ms + r->lifetime_ms :
                now + r->lifetime_ms; /* its creator lives: look again */
        if (at < next)
            next = at;
    }
    if (next == UINT64_MAX) {
        mempolicy_actor_timer_clear(b->a, &b->resv_timer);
        return;
    }
    mempolicy_actor_timer_set(b->a, &b->resv_timer, next > now ? next - now : 0,
                              resv_timer, b);
}

void bal_resv_read(struct bal *b)
{
    mempolicy_reservation *v = NULL;
    uint64_t now;
    int n = 0, i, rc;

    if (!b->ctx)
        return;
    rc = mempolicy_reservation_list(b->ctx, &v, &n);
    if (rc) {
        mempolicy_actor_log(b->a, XTL_WARN, "reading the reservations: %s",
                            mempolicy_last_error(b->ctx));
        return;
    }
    now = mempolicy_actor_now_ms(b->a);
    /* Expired: the creator is gone and the lifetime has passed since the
     * grant; refused ones whose creator is gone (nobody will read the
     * answer). */
    for (i = 0; i < n; i++) {
        mempolicy_reservation *r = &v[i];
        bool expired = !r->owner_alive &&
            ((r->state == MEMPOLICY_RESERVATION_GRANTED &&
              now >= r->granted_ms + r->lifetime_ms) ||
             r->state == MEMPOLICY_RESERVATION_REFUSED);

        if (!expired)
            continue;
        if (!mempolicy_reservation_release(b->ctx, r->id) &&
            r->state == MEMPOLICY_RESERVATION_GRANTED)
            mempolicy_actor_log(b->a, XTL_INFO,
                                "reservation %u: %llu MiB expired (its "
                                "creator, pid %d, is gone)",
                                r->id, MIB(r->size_kb), r->owner_pid);
        r->state = 0; /* dropped below */
    }
    /* A granted reservation that ended (handed over, released, expired):
     * the domains built meanwhile count as themselves from now on. */
    for (i = 0; i < b->nresv && b->nnew; i++) {
        int j;

        if (b->resv[i].state != MEMPOLICY_RESERVATION_GRANTED)
            continue;
        for (j = 0; j < n; j++)
            if (v[j].id == b->resv[i].id && v[j].state)
                break;
        if (j == n)
            b->nnew = 0;
    }
    mempolicy_reservation_list_free(b->resv, b->nresv);
    b->resv = v;
    b->nresv = n;
    for (i = 0; i < b->nresv; i++)
        if (!b->resv[i].state) {
            mempolicy_reservation_dispose(&b->resv[i]);
            b->resv[i--] = b->resv[--b->nresv];
        }
    /* Ascending ids: requests are answered in the order they came. */
    for (i = 1; i < b->nresv; i++) {
        mempolicy_reservation x = b->resv[i];
        int j = i;

        for (; j && b->resv[j - 1].id > x.id; j--)
            b->resv[j] = b->resv[j - 1];
        b->resv[j] = x;
    }
    arm(b, now);
    bal_schedule(b, 0);
}

void bal_resv_introduced(struct bal *b, uint32_t domid)
{
    int i;

    for (i = 0; i < b->nresv; i++)
        if (b->resv[i].state == MEMPOLICY_RESERVATION_GRANTED)
            break;
    if (i == b->nresv ||
        b->nnew >= sizeof(b->newcomer) / sizeof(b->newcomer[0]))
        return;
    b->newcomer[b->nnew++] = domid;
}

/*
 * What the domains created since reservations were granted hold: a
 * toolstack creates the domain, then hands the reservation over (the
 * squeezed order), so in between the new domain's pages and its
 * reservation would count twice, and the plan would squeeze the others
 * for memory nobody asked for.  Those pages are taken off what the
 * granted reservations hold back, until one ends.
 */
static uint64_t newcomers_kb(struct bal *b)
{
    mempolicy_domain_pages p;
    uint64_t kb = 0;
    unsigned i;

    for (i = 0; i < b->nnew; i++) {
        const struct bdom *d = bal_find(b, b->newcomer[i]);

        if (d)
            kb += d->actual_kb;
        else if (!mempolicy_domain_get_pages(b->ctx, b->newcomer[i], &p))
            kb += p.actual_kb;
    }
    return kb;
}

bool bal_resv_any(const struct bal *b)
{
    return b->nresv > 0;
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* What the managed domains could give, and what holds the rest. */
struct give {
    uint64_t give_kb;    /* down to each one's floor */
    uint64_t floors_kb;  /* held by floors and guarantees */
    uint64_t stuck_kb;   /* above the floor in stuck balloons */
    uint64_t grace_kb;   /* above the floor in the boot grace */
    uint64_t managed_kb; /* what the managed domains hold */
    uint64_t owed_kb;    /* what domains below their guarantee lack */
};

/* A domain's floor for admission: its plan floor and its guarantee
 * (min_guarantee, docs/memtune.md), dom0 never below its minimum. */
static uint64_t floor_of(const struct bdom *d, const struct bp_dom *x)
{
    uint64_t f = x->min_kb;

    /* Parsed once per params change (balance.c, update_params). */
    if (d->mt.min_guarantee_kb > f)
        f = d->mt.min_guarantee_kb;
    if (!d->domid && f < MEMPOLICY_MIN_DOM0_KB)
        f = MEMPOLICY_MIN_DOM0_KB;
    return f;
}

static void count(const struct bal *b, struct give *g)
{
    size_t i;

    memset(g, 0, sizeof(*g));
    for (i = 0; i < b->n; i++) {
        const struct bdom *d = b->v[i];
        const struct bp_dom *x = &b->pd[i];
        uint64_t f = floor_of(d, x);
        uint64_t above = d->actual_kb > f ? d->actual_kb - f : 0;

        g->managed_kb += d->actual_kb;
        g->floors_kb += d->actual_kb < f ? d->actual_kb : f;
        /* Memory a domain below its floor or guarantee may take back:
         * a reservation never gets it. */
        g->owed_kb += sat_sub(f, d->actual_kb);
        /*
         * A slow balloon still moves (the plan holds it where it is
         * until it gets there): what it holds comes, late (the
         * deadline refuses a request it did not pay in time).  Counted
         * as held, a request admitted and paid by ballooning down was
         * refused on the way as soon as its donors were found slow,
         * which on a loaded host is every donor.
         */
        if (d->stuck)
            g->stuck_kb += above;
        else if (x->held && !d->slow)
            g->grace_kb += above;
        else
            g->give_kb += above;
    }
}

uint64_t bal_resv_admit(struct bal *b, const mempolicy_physinfo *phys)
{
    struct give g;
    uint64_t held = 0, granted = 0, room, others;
    int i;

    count(b, &g);
    for (i = 0; i < b->nresv; i++)
        if (b->resv[i].state == MEMPOLICY_RESERVATION_GRANTED)
            granted += b->resv[i].size_kb;
    /* Counted once: what new domains hold already is not held again. */
    held = sat_sub(granted, b->nnew ? newcomers_kb(b) : 0);
    b->granted_kb = held;
    /* The most that can be free above the floor once every managed
     * domain is at its floor. */
    room = sat_sub(phys->free_kb + g.give_kb, b->floor_kb + g.owed_kb);
    others = sat_sub(sat_sub(phys->total_kb, phys->free_kb), g.managed_kb);
    for (i = 0; i < b->nresv; i++) {
        mempolicy_reservation *r = &b->resv[i];
        char why[512];

        if (r->state != MEMPOLICY_RESERVATION_PENDING)
            continue;
        if (held + r->size_kb <= room) {
            held += r->size_kb;
            continue;
        }
        snprintf(why, sizeof(why),
                 "cannot free %llu MiB: at most %llu MiB (host free %llu "
                 "MiB, floor %llu, %llu reserved already, %llu from "
                 "ballooning down); held: floors and guarantees %llu MiB "
                 "(%llu more owed to domains below them), stuck "
                 "balloons %llu, boot grace %llu, other actors' domains "
                 "%llu",
                 MIB(r->size_kb), MIB(sat_sub(room, held)), MIB(phys->free_kb),
                 MIB(b->floor_kb), MIB(held), MIB(g.give_kb), MIB(g.floors_kb),
                 MIB(g.owed_kb), MIB(g.stuck_kb), MIB(g.grace_kb), MIB(others));
        if (!mempolicy_reservation_refuse(b->ctx, r->id, why))
            mempolicy_actor_log(b->a, XTL_INFO, "reservation %u refused: %s",
                                r->id, why);
        r->state = MEMPOLICY_RESERVATION_REFUSED;
    }
    b->reserved_kb = held;
    return held;
}

void bal_resv_grant(struct bal *b, const mempolicy_physinfo *phys,
                    uint64_t commit_kb)
{
    uint64_t now = mempolicy_actor_now_ms(b->a), granted = 0, avail;
    uint64_t coming = 0, stuck = 0;
    size_t k;
    int i;

    avail = sat_sub(phys->free_kb, b->floor_kb + commit_kb);
    for (k = 0; k < b->n; k++) {
        const struct bdom *d = b->v[k];

        if (d->stuck)
            stuck += sat_sub(d->actual_kb, d->target_kb);
        else
            coming += sat_sub(d->actual_kb, d->target_kb);
    }
    /* What earlier grants hold (less what their domains hold already,
     * bal_resv_admit earlier in this pass). */
    granted = b->granted_kb;
    for (i = 0; i < b->nresv; i++) {
        mempolicy_reservation *r = &b->resv[i];
        char why[512];
        uint64_t got;

        if (r->state != MEMPOLICY_RESERVATION_PENDING)
            continue;
        if (granted + r->size_kb <= avail) {
            if (!mempolicy_reservation_grant(b->ctx, r->id)) {
                mempolicy_actor_log(
                    b->a, XTL_INFO,
                    "reservation %u: %llu MiB granted "
                    "after %llu ms (host free %llu MiB)",
                    r->id, MIB(r->size_kb),
                    (unsigned long long)sat_sub(now, r->created_ms),
                    MIB(phys->free_kb));
                r->state = MEMPOLICY_RESERVATION_GRANTED;
                r->granted_ms = now;
            }
            granted += r->size_kb;
            continue;
        }
        /* First come, first served: the later ones wait behind it. */
        if (now < r->deadline_ms)
            break;
        got = sat_sub(avail, granted);
        snprintf(why, sizeof(why),
                 "cannot free %llu MiB within %llu s: %llu MiB free beyond "
                 "the %llu MiB floor and earlier reservations; balloons "
                 "still shrinking owe %llu MiB, stuck balloons hold %llu "
                 "MiB above their targets",
                 MIB(r->size_kb),
                 (unsigned long long)(r->deadline_ms - r->created_ms) / 1000,
                 MIB(got), MIB(b->floor_kb), MIB(coming), MIB(stuck));
        if (!mempolicy_reservation_refuse(b->ctx, r->id, why))
            mempolicy_actor_log(b->a, XTL_INFO, "reservation %u refused: %s",
                                r->id, why);
        r->state = MEMPOLICY_RESERVATION_REFUSED;
    }
}

void bal_resv_fini(struct bal *b)
{
    mempolicy_reservation_list_free(b->resv, b->nresv);
    b->resv = NULL;
    b->nresv = 0;
}
