/*
 * sim_stub.c: weak no-op versions of the simulated host's entry points
 * (sim.h), so that the xenstore server links and runs on its own while
 * the hypervisor model is absent.  The model's strong definitions
 * replace these at link time; nothing else changes.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

__attribute__((weak)) void sim_config_init(struct sim_config *c)
{
    memset(c, 0, sizeof(*c));
    c->speed = 1;
    c->paging = true;
    c->sharing = true;
}

__attribute__((weak)) int sim_config_option(struct sim_config *c, int opt,
                                            const char *arg)
{
    (void)c;
    (void)arg;
    fprintf(stderr, "xensim: option %#x needs the hypervisor model, "
            "which is not built in\n", (unsigned)opt);
    return -1;
}

__attribute__((weak)) int sim_start(struct sim **out, struct loop *l,
                                    struct store *s, const char *socket_path,
                                    const struct sim_config *c)
{
    (void)l;
    (void)s;
    (void)socket_path;
    (void)c;
    *out = NULL;
    return 0;
}

__attribute__((weak)) void sim_stop(struct sim *sim)
{
    (void)sim;
}

/* Never called: sim_start() above leaves no struct sim to ask. */
__attribute__((weak)) uint64_t sim_now_ms(void *sim)
{
    (void)sim;
    return 0;
}
