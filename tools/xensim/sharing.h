/*
 * sharing.h: the page-sharing model (Xen's memshr, mem_sharing.c).
 *
 * Page contents are fingerprints computed from the domain's sharing
 * profile, so no page is stored unless something happened to it: only
 * gfns that were nominated, shared or written have state, in a sparse
 * per-domain map.  A shared frame (owned by dom_cow) carries its handle,
 * its content and the reverse map of the gfns that use it.
 */
#ifndef XENSIM_SHARING_H
#define XENSIM_SHARING_H

#include <stdbool.h>
#include <stdint.h>

struct hv;
struct hv_domain;
struct sharing;

/* The fingerprint every zero page has. */
#define SHARING_ZERO_HASH 0x5a45524f50414745ull

struct sharing *sharing_new(void);
void sharing_free(struct sharing *sh);

/* nr_shared_mfns and nr_saved_mfns of Xen. */
uint64_t sharing_frames(const struct sharing *sh);
uint64_t sharing_saved(const struct sharing *sh);

/* Content fingerprint of d's page gfn (gfn < populated). */
uint64_t sharing_page_hash(struct hv *hv, struct hv_domain *d, uint64_t gfn);
/* The page's real content (its bytes): the hash, except for a crafted
 * page whose hash collides with another content's (share_collide). */
uint64_t sharing_page_content(struct hv *hv, struct hv_domain *d,
                              uint64_t gfn);

/*
 * XENMEM_sharing_op_nominate_gfn: 0 and *handle, -EINVAL for a gfn the
 * domain does not have.  Sharing must already be enabled on d.
 */
int sharing_nominate(struct hv *hv, struct hv_domain *d, uint64_t gfn,
                     uint64_t *handle);
/*
 * XENMEM_sharing_op_share: 0, or XENMEM_SHARING_OP_S_HANDLE_INVALID /
 * C_HANDLE_INVALID (-10 / -9) when a page is not shared or its handle
 * is stale, -EINVAL for a bad gfn.
 */
int sharing_share(struct hv *hv, struct hv_domain *sd, uint64_t sgfn,
                  uint64_t sh, struct hv_domain *cd, uint64_t cgfn,
                  uint64_t ch);
/*
 * The guest writes its page gfn: a shared page is unshared (copy on
 * write; -ENOMEM when no host page is free for the copy), and the
 * content changes.
 */
int sharing_guest_write(struct hv *hv, struct hv_domain *d, uint64_t gfn);

/* Copy-on-write breaks at the profile's rate; true while more are due. */
bool sharing_cow_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms);

/* The balloon gave back gfns >= populated: drop their sharing state. */
void sharing_truncate(struct hv *hv, struct hv_domain *d,
                      uint64_t populated);
/* gfn (a RAM index) of d is backed by a shared frame. */
bool sharing_is_shared(struct hv *hv, struct hv_domain *d, uint64_t gfn);
/* The domain dies: drop everything it had. */
void sharing_domain_destroy(struct hv *hv, struct hv_domain *d);

/* Sum of shared gfns over all domains (invariant checks). */
uint64_t sharing_refs(const struct sharing *sh);

#endif
