/*
 * memwrite.h: carrying out a plan of memcalc.h, as libxl does, inside a
 * writer's transaction (memwrite.c).  Used by every writer of
 * memory/target and maxmem: the policy writers (policy.c) and the
 * balloon setter (lowlevel.c), hence every actor.
 */
#ifndef MEMPOLICY_MEMWRITE_H
#define MEMPOLICY_MEMWRITE_H

#include "internal.h"
#include "memcalc.h"

enum mp_maxmem_mode {
    MP_MAXMEM_KEEP,  /* leave maxmem alone */
    MP_MAXMEM_SET,   /* enforce: maxmem = plan's (target + videoram + slack) */
    MP_MAXMEM_RAISE, /* only if the plan's is above the current maxmem, so
                        the guest can balloon up to its target */
};

struct mp_mem_write {
    /* Set by the caller before the transaction. */
    uint32_t domid;
    struct mp_hvinfo hv; /* mp_domain_live()'s, taken before */
    enum mp_maxmem_mode maxmem;
    bool write_target;         /* memory/target, PoD target, /vm memory */
    uint64_t policy_target_kb; /* the policy target it follows (0: none),
                                  for the record (mp_mem_record_*) */
    uint64_t enforced_maxmem_kb; /* MP_MAXMEM_RAISE under an enforced
                                    policy target: the maxmem it enforces
                                    (0: none); a plan within it brings a
                                    maxmem above it back down to it */
    /* Results of the last run. */
    struct mp_mem_facts facts;
    struct mp_mem_plan plan;
    /* What the runs changed outside the store (kept across reruns). */
    bool maxmem_changed;
    bool pod_changed;
};

/*
 * Read, inside t, what libxl reads before writing a target:
 * memory/target, memory/static-max and memory/videoram of w->domid.  For
 * dom0, absent target and static-max are filled from the hypervisor and
 * written in t (libxl__fill_dom0_memory_info: tot_pages and maxmem), and
 * an absent videoram is 0.  For any other domain an absent node is FAIL
 * naming it (libxl writes all three when it builds a domain); a node
 * that is not a decimal number is FAIL naming it.
 */
int mp_mem_facts_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                    struct mp_mem_write *w);

/*
 * Carry out w->plan inside t, in libxl's order: maxmem (by w->maxmem),
 * then, if w->write_target, the PoD target (non-PV), memory/target and
 * /vm/<uuid>/memory (when /local/domain/<id>/vm names one).  0,
 * MP_TX_RETRY or an error; hypervisor changes made are recorded in w for
 * mp_mem_undo().
 */
int mp_mem_apply_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                    struct mp_mem_write *w);

/*
 * The record of the library's last balloon write, so that a write by
 * someone else (xl mem-set) is told apart: /libxl/<domid>/memory-balloon
 * = "<memory/target written> <policy target then>" (dom0-only, outside
 * memory-policy/ so no event, wiped with the domain).  _read: 0 and
 * *present false when there is none or it is not two numbers.
 */
int mp_mem_record_read_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                          uint32_t domid, bool *present, uint64_t *balloon_kb,
                          uint64_t *policy_kb);
int mp_mem_record_write_tx(mempolicy_ctx *ctx, xs_transaction_t t,
                           uint32_t domid, uint64_t balloon_kb,
                           uint64_t policy_kb);

/*
 * After the transaction failed: put back what the runs changed in the
 * hypervisor (maxmem as it was; the PoD target as libxl set it for the
 * memory/target the store kept).  Keeps the context's error detail.
 */
void mp_mem_undo(mempolicy_ctx *ctx, struct mp_mem_write *w);

#endif
