/*
 * paging.h: the xenpaging model: one pager per domain with paging on.
 */
#ifndef XENSIM_PAGING_H
#define XENSIM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

struct hv;
struct hv_domain;

/* Start the pager of d (it reads memory/target-tot_pages). */
int paging_start(struct hv *hv, struct hv_domain *d);
/* memory/target-tot_pages of d changed. */
void paging_target_event(struct hv *hv, struct hv_domain *d);
/* Stop it: every paged-out page comes back first; -ENOMEM if the host
 * cannot take them (nothing changes then). */
int paging_stop(struct hv *hv, struct hv_domain *d);

bool paging_wants(const struct hv_domain *d);
/* Page out or in for dt_ms of simulated time; true while work remains
 * that can be done now (sets d->stalled when waiting for memory). */
bool paging_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms);

#endif
