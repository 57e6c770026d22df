/*
 * store_domain.c: the domains the store knows, and the per-domain
 * accounting its quotas are checked against (nodes owned, watches), as
 * xenstored_domain.c (Xen 4.17).  The quota values are in store_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ht.h"
#include "store_priv.h"

struct domain {
    unsigned domid;
    bool introduced;
    int nbentry;  /* nodes owned in the database */
    int nbwatch;  /* watches of all its connections */
};

static struct domain *domain_get(struct store *s, unsigned domid,
                                 bool create)
{
    char key[16];
    struct domain *d;

    snprintf(key, sizeof(key), "%u", domid);
    d = ht_get(s->domains, key);
    if (d || !create)
        return d;
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    if (ht_put(s->domains, key, d, NULL)) {
        free(d);
        return NULL;
    }
    return d;
}

int domain_init(struct store *s)
{
    struct domain *d = domain_get(s, 0, true);

    if (!d)
        return ENOMEM;
    d->introduced = true;
    return 0;
}

/* ---------------------------------------------------------------- */
/* quota accounting                                                  */

void domain_account(struct store *s, const struct rec *r, int delta)
{
    struct domain *d;

    if (!r)
        return;
    d = domain_get(s, r->perms[0].id, true);
    if (d)
        d->nbentry += delta;
}

int domain_nbentry(struct store *s, unsigned domid)
{
    struct domain *d = domain_get(s, domid, false);

    return d ? d->nbentry : 0;
}

int domain_watch_check(struct store *s, unsigned domid)
{
    struct domain *d = domain_get(s, domid, true);

    if (!d)
        return ENOMEM;
    /* As xenstored, one over the quota is still allowed. */
    if (domid_unprivileged(domid) && d->nbwatch > XSQ_WATCHES_PER_DOMAIN)
        return E2BIG;
    return 0;
}

void domain_watch_add(struct store *s, unsigned domid, int delta)
{
    struct domain *d = domain_get(s, domid, delta > 0);

    if (d && (delta > 0 || d->nbwatch > 0))
        d->nbwatch += delta;
}

int domain_check(struct store *s, struct ht *count)
{
    unsigned long pos = 0;
    const char *key;
    void *v;
    int bad = 0;

    while (ht_next(s->domains, &pos, &key, &v)) {
        const struct domain *d = v;
        int *n = ht_get(count, key);

        if (d->nbentry != (n ? *n : 0)) {
            fprintf(stderr, "xensim: store: domain %u owns %d nodes, "
                    "counted %d\n", d->domid, d->nbentry, n ? *n : 0);
            bad++;
        }
    }
    return bad;
}

/* ---------------------------------------------------------------- */
/* introduce and release                                             */

int store_domain_introduce(struct store *s, unsigned domid)
{
    struct domain *d;
    int err;

    if (domid >= XS_DOMID_SELF)
        return EINVAL;
    if (domid == 0)
        return 0; /* dom0 is always there */
    d = domain_get(s, domid, true);
    if (!d)
        return ENOMEM;
    if (d->introduced)
        return 0;
    if (s->srv.domain_up) {
        err = s->srv.domain_up(s->srv.arg, domid);
        if (err)
            return err;
    }
    d->introduced = true;
    fire_special(s, "@introduceDomain");
    return 0;
}

/* As xenstored: a released domain loses its access to special nodes. */
static void special_forget(struct store *s, unsigned domid)
{
    unsigned sp, i, k;

    for (sp = 0; sp < 2; sp++) {
        struct xs_permissions *p = s->special_perms[sp];

        for (i = k = 1; i < s->special_n[sp]; i++)
            if (p[i].id != domid)
                p[k++] = p[i];
        s->special_n[sp] = k;
    }
}

int store_domain_release(struct store *s, unsigned domid)
{
    struct domain *d;

    if (domid == 0 || domid >= XS_DOMID_SELF)
        return EINVAL;
    d = domain_get(s, domid, false);
    if (!d || !d->introduced)
        return ENOENT;
    d->introduced = false;
    special_forget(s, domid);
    if (s->srv.domain_down)
        s->srv.domain_down(s->srv.arg, domid);
    fire_special(s, "@releaseDomain");
    return 0;
}

bool store_domain_is_introduced(struct store *s, unsigned domid)
{
    struct domain *d;

    if (domid == XS_DOMID_SELF)
        return true;
    d = domain_get(s, domid, false);
    return d && d->introduced;
}

int store_client_introduce(struct store *s, unsigned domid)
{
    bool was = store_domain_is_introduced(s, domid);
    int err = store_domain_introduce(s, domid);

    if (!err && !was && s->hooks.introduced)
        s->hooks.introduced(s->hooks.arg, domid);
    return err;
}

int store_client_release(struct store *s, unsigned domid)
{
    int err = store_domain_release(s, domid);

    if (!err && s->hooks.released)
        s->hooks.released(s->hooks.arg, domid);
    return err;
}
