/*
 * actorfx.h: what the actor kit's C tests (test_actor_loop.c,
 * test_actor_status.c) set up alike: a private xensim with three
 * cooperative guests at --speed 100, a logger, and a second library
 * context acting as the administrator.  Include after <cmocka.h> and
 * <libmempolicy_actor.h>.
 */
#ifndef MP_TESTS_ACTORFX_H
#define MP_TESTS_ACTORFX_H

#include <stdio.h>
#include <xentoollog.h>

#include "xensim_fixture.h"

static inline void actorfx_start(struct xensim_fixture *sim,
                                 xentoollog_logger **lg, mempolicy_ctx **admin,
                                 xentoollog_level level)
{
    static const char *const args[] = { "--speed", "100", "--domains", "3",
                                        NULL };

    assert_int_equal(xensim_start(sim, args), 0);
    *lg = (xentoollog_logger *)xtl_createlogger_stdiostream(stderr, level, 0);
    assert_non_null(*lg);
    assert_int_equal(mempolicy_ctx_alloc(admin, 0, *lg), 0);
}

/* Everything actorfx_start made; xensim must stop cleanly if running. */
static inline void actorfx_stop(struct xensim_fixture *sim,
                                xentoollog_logger *lg, mempolicy_ctx *admin)
{
    mempolicy_ctx_free(admin);
    if (sim->pid)
        assert_int_equal(xensim_stop(sim), 0);
    xtl_logger_destroy(lg);
}

#endif
