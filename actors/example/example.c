/*
 * example.c: a complete custom actor in ~50 lines, built on the kit.
 *
 * Actor "example": balloon only, debounced.  A target change is applied
 * `settle` seconds (actor-params settle=SECONDS, default 1) after the
 * LAST change, so a burst of changes becomes one balloon-target write.
 * It shows the whole kit: per-domain data, a timer on host time, typed
 * params, logging, and mempolicy_actor_main() for options and daemon mode.
 */
#include <stdlib.h>

#include <libmempolicy_actor.h>

struct dom {
    uint32_t domid;
    uint64_t target_kb;
    mempolicy_timer *timer;
};

static void apply(mempolicy_actor *a, void *arg)
{
    struct dom *d = arg;
    int rc = mempolicy_domain_set_balloon_target(mempolicy_actor_ctx(a),
                                                 d->domid,
                                                 (int64_t)d->target_kb, false);

    d->timer = NULL;
    mempolicy_actor_log(a, rc ? XTL_WARN : XTL_INFO, "domain %u: target %lu "
                        "KiB: %s", d->domid, (unsigned long)d->target_kb,
                        rc ? mempolicy_last_error(mempolicy_actor_ctx(a))
                           : "balloon target set");
}

static void changed(mempolicy_actor *a, uint32_t domid,
                    const mempolicy_policy *p, void *user)
{
    struct dom *d = mempolicy_actor_domain_data(a, domid);
    uint64_t settle_ms;

    if (!d && (d = calloc(1, sizeof(*d))))
        mempolicy_actor_set_domain_data(a, domid, d);
    if (!d || !p->has_target)
        return;
    if (mempolicy_actor_param_seconds_ms(p->actor_params, "settle", 1000,
                                         &settle_ms, NULL, 0))
        settle_ms = 1000;
    d->domid = domid;
    d->target_kb = p->target_kb;
    mempolicy_timer_cancel(a, d->timer);
    d->timer = mempolicy_timer_add(a, settle_ms, apply, d);
}

static void forget(mempolicy_actor *a, uint32_t domid, void *data, void *u)
{
    struct dom *d = data;

    mempolicy_timer_cancel(a, d->timer);
    free(d);
}

int main(int argc, char **argv)
{
    static const mempolicy_actor_ops ops = {
        .domain_changed = changed,
        .domain_data_free = forget,
    };

    return mempolicy_actor_main(argc, argv, "example", &ops, NULL);
}
