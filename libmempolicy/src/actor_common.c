/*
 * actor_common.c: what every actor does the same way: handling a failed
 * call on one of its domains, and keeping one timer per domain.
 */
#include <stdlib.h>
#include <string.h>

#include "actor_internal.h"
#include "internal.h"

bool mempolicy_actor_failed(mempolicy_actor *a, uint32_t domid, int rc,
                            const char *what, bool *unavailable,
                            const char *unavailable_msg)
{
    mempolicy_ctx *ctx = mempolicy_actor_ctx(a);

    switch (rc) {
    case 0:
        return false;
    case MEMPOLICY_ERROR_NO_DOMAIN:
    case MEMPOLICY_ERROR_DYING:
    case MEMPOLICY_ERROR_NOT_ACTOR:
        /* Going away, or no longer ours: its event follows. */
        mempolicy_actor_log(a, XTL_DEBUG, "domain %u: %s: %s", domid, what,
                            mempolicy_last_error(ctx));
        break;
    case MEMPOLICY_ERROR_PV:
    case MEMPOLICY_ERROR_NO_HAP:
    case MEMPOLICY_ERROR_NOSYS:
    case MEMPOLICY_ERROR_NOTSUP:
        if (!unavailable || !*unavailable)
            mempolicy_actor_log(a, unavailable ? XTL_WARN : XTL_DEBUG,
                                "domain %u: %s: %s", domid,
                                unavailable_msg ? unavailable_msg : what,
                                mempolicy_last_error(ctx));
        if (unavailable)
            *unavailable = true;
        break;
    case MEMPOLICY_ERROR_STORE:
#ifdef MEMPOLICY_ERROR_STORE_GONE
    case MEMPOLICY_ERROR_STORE_GONE:
#endif
        mempolicy_actor_fatal(a, rc, what);
        break;
    default:
        /* xensim is the store and the hypervisor at once: a hypervisor
         * call fails ("connection lost") when the store went away with
         * it.  Say that, the one clear reason, and end, instead of an
         * error for the domain and then the store's line. */
        if (mp_store_gone_or(ctx, MEMPOLICY_ERROR_STORE) ==
            MEMPOLICY_ERROR_STORE_GONE) {
            mempolicy_actor_fatal(a, MEMPOLICY_ERROR_STORE_GONE, what);
            break;
        }
        mempolicy_actor_log(a, XTL_ERROR, "domain %u: %s: %s: %s", domid, what,
                            mempolicy_strerror(rc), mempolicy_last_error(ctx));
        break;
    }
    return true;
}

void mempolicy_actor_timer_set(mempolicy_actor *a, mempolicy_timer **slot,
                               uint64_t ms, mempolicy_timer_fn *fn, void *arg)
{
    mempolicy_timer_cancel(a, *slot);
    *slot = mempolicy_timer_add(a, ms, fn, arg);
    if (!*slot)
        mempolicy_actor_fatal(a, MEMPOLICY_ERROR_NOMEM, "timer");
}

void mempolicy_actor_timer_clear(mempolicy_actor *a, mempolicy_timer **slot)
{
    mempolicy_timer_cancel(a, *slot);
    *slot = NULL;
}

bool mempolicy_actor_params_changed(mempolicy_actor *a, char **seen,
                                    const char *params)
{
    params = params ? params : "";
    if (*seen && !strcmp(*seen, params))
        return false;
    free(*seen);
    *seen = strdup(params);
    if (!*seen)
        mempolicy_actor_fatal(a, MEMPOLICY_ERROR_NOMEM, "params");
    return true;
}

void mempolicy_actor_params_bad(mempolicy_actor *a, uint32_t domid,
                                const char *params, const char *err)
{
    mempolicy_actor_log(a, XTL_WARN,
                        "domain %u: bad actor-params '%s': %s (using the "
                        "default for it)",
                        domid, MEMPOLICY_QUOTE(params), err);
}
