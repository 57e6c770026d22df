/*
 * saved.c: a domain's policy survives `xl reboot`.
 *
 * xl reboot destroys the domain and builds it again from its saved
 * configuration: same uuid, new domid, and libxl wipes /libxl/<domid> at
 * create, so the policy nodes are gone (libxl_create.c, Xen 4.17).  So
 * every policy write also keeps a copy keyed by the domain's uuid, under
 * the dom0-only /tool/mempolicy/saved/<uuid>/ (same four nodes, same
 * transaction), and mempolicyd restores it (mempolicy_domain_restore_policy)
 * when a domain with that uuid and no policy is introduced, before it
 * would give the default.  The uuid is the one libxl records in
 * /local/domain/<domid>/vm ("/vm/<uuid>").  Copies of domains gone for
 * good are removed by mempolicy_saved_policies_prune() (mempolicyd runs
 * it when it starts).  See docs/design.md, "Living beside xl".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "paths.h"

int mp_domain_uuid_tx(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t domid,
                      char uuid[MP_UUID_LEN + 1])
{
    char p[MP_PATH_MAX], *vm;
    int rc = mp_xs_read(ctx, t, mp_path_dom(p, domid, "vm"), &vm);

    uuid[0] = '\0';
    if (rc || !vm)
        return rc;
    if (mp_vm_path_valid(vm))
        snprintf(uuid, MP_UUID_LEN + 1, "%s", vm + 4);
    free(vm);
    return 0;
}

int mp_saved_write_tx(mempolicy_ctx *ctx, xs_transaction_t t, uint32_t domid,
                      const char *actor, const char *params, bool has_target,
                      uint64_t target_kb, bool enforce)
{
    char uuid[MP_UUID_LEN + 1], p[MP_PATH_MAX], num[24];
    int rc = mp_domain_uuid_tx(ctx, t, domid, uuid);

    if (rc || !uuid[0])
        return rc; /* no uuid (dom0 on some hosts): nothing to keep */
    snprintf(num, sizeof(num), "%llu", (unsigned long long)target_kb);
    if ((rc = mp_xs_write(ctx, t, mp_path_saved(p, uuid, MP_POL_ACTOR),
                          actor)) ||
        (rc = mp_xs_write(ctx, t, mp_path_saved(p, uuid, MP_POL_PARAMS),
                          params)) ||
        (rc = mp_xs_write(ctx, t, mp_path_saved(p, uuid, MP_POL_ENFORCE),
                          enforce ? "1" : "0")))
        return rc;
    if (has_target)
        return mp_xs_write(ctx, t, mp_path_saved(p, uuid, MP_POL_TARGET), num);
    if (!mp_xs_rm(ctx, t, mp_path_saved(p, uuid, MP_POL_TARGET)) &&
        errno != ENOENT)
        return errno == EAGAIN ?
            MP_TX_RETRY :
            mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: removing %s", p);
    return 0;
}

int mempolicy_domain_restore_policy(mempolicy_ctx *ctx, uint32_t domid,
                                    bool *restored)
{
    static const char *const nodes[4] = { MP_POL_ACTOR, MP_POL_PARAMS,
                                          MP_POL_TARGET, MP_POL_ENFORCE };
    char uuid[MP_UUID_LEN + 1], p[MP_PATH_MAX], *vals[4] = { NULL };
    mempolicy_policy pol;
    unsigned present, i;
    int rc;

    if (restored)
        *restored = false;
    rc = mp_domain_live(ctx, domid, NULL);
    if (!rc)
        rc = mp_domain_uuid_tx(ctx, XBT_NULL, domid, uuid);
    if (rc || !uuid[0])
        return rc;
    for (i = 0; i < 4; i++) {
        rc = mp_xs_read(ctx, XBT_NULL, mp_path_saved(p, uuid, nodes[i]),
                        &vals[i]);
        if (rc) {
            while (i--)
                free(vals[i]);
            return rc;
        }
    }
    if (!vals[0]) {
        for (i = 1; i < 4; i++)
            free(vals[i]);
        return 0; /* nothing saved for this uuid */
    }
    rc = mp_policy_parse(ctx, domid, vals, &pol, &present);
    free(vals[2]);
    free(vals[3]);
    if (rc) {
        char why[sizeof(ctx->err)];

        memcpy(why, ctx->err, sizeof(why));
        return mp_err(ctx, rc, "domain %u: saved policy under %s: %s", domid,
                      mp_path_saved(p, uuid, NULL), why);
    }
    rc = mp_policy_restore(ctx, domid, &pol, restored);
    mempolicy_policy_dispose(&pol);
    return rc;
}

int mempolicy_saved_policies_prune(mempolicy_ctx *ctx, unsigned *removed)
{
    char p[MP_PATH_MAX], **saved, (*live)[MP_UUID_LEN + 1] = NULL;
    uint32_t *ids = NULL;
    unsigned n, i;
    int nids = 0, j, rc;

    if (removed)
        *removed = 0;
    saved = xs_directory(ctx->xsh, XBT_NULL, MP_SAVED_DIR, &n);
    if (!saved)
        return 0; /* nothing saved yet */
    rc = ctx->be->list(ctx, &ids, &nids);
    if (!rc && !(live = calloc(nids ? (size_t)nids : 1, sizeof(*live))))
        rc = MEMPOLICY_ERROR_NOMEM;
    for (j = 0; !rc && j < nids; j++)
        rc = mp_domain_uuid_tx(ctx, XBT_NULL, ids[j], live[j]);
    for (i = 0; !rc && i < n; i++) {
        for (j = 0; j < nids && strcmp(live[j], saved[i]); j++)
            ;
        if (j < nids)
            continue;
        /* No domain has this uuid any more: gone for good. */
        if (!xs_rm(ctx->xsh, XBT_NULL, mp_path_saved(p, saved[i], NULL)))
            rc = mp_err(ctx, MEMPOLICY_ERROR_STORE, "xenstore: removing %s", p);
        else if (removed)
            (*removed)++;
    }
    free(live);
    free(ids);
    free(saved);
    return rc;
}
