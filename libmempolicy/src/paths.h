/*
 * paths.h: every xenstore path of the data model, built in one place.
 *
 * The nodes (docs/design.md, "The data model in xenstore"):
 *   /local/domain/<domid>[/<sub>]          the domain's own tree
 *     memory/target, memory/static-max, memory/videoram,
 *     memory/target-tot_pages               mechanism nodes (libxl's)
 *     vm                                    "/vm/<uuid>" (libxl writes it)
 *   /libxl/<domid>[/<sub>]                  the toolstack-private tree
 *     type                                  "pv", "pvh" or "hvm" (libxl)
 *     xenpaging                             the pager: "<pid> <pagefile>"
 *     memory-policy/<node>                  the policy: actor,
 *                                           actor-params, target, enforce
 *   /vm/<uuid>/memory                       MiB, as libxl writes it
 *   /tool/mempolicy/saved/<uuid>/<node>     a domain's policy kept by
 *                                           uuid, for its next domid
 *                                           (xl reboot); dom0-only
 *   /tool/mempolicy/reservations/next-id    reservations (reserve.c);
 *   /tool/mempolicy/reservations/<id>/<node> dom0-only
 *   /tool/mempolicy/groups/<name>/<node>    memory groups (group.c);
 *                                           dom0-only
 *
 * Each builder writes into a caller's buffer of MP_PATH_MAX bytes and
 * returns it, so a call fits in an argument list:
 *   mp_xs_read(ctx, t, mp_path_mem(p, domid, MP_MEM_TARGET), &v);
 * Every path fits (a domid has at most 10 digits; subpaths are the
 * library's own constants), so no builder can fail.
 */
#ifndef MEMPOLICY_PATHS_H
#define MEMPOLICY_PATHS_H

#include <stdint.h>

#include "libmempolicy.h"

#define MP_PATH_MAX 128

/* The toolstack-private tree (the library's one watch, listings). */
#define MP_LIBXL_DIR "/libxl"
/* Under /libxl/<domid>: the policy's directory. */
#define MP_POLICY_DIR "memory-policy"

/* Nodes under /local/domain/<domid>/memory/ */
#define MP_MEM_TARGET "target"
#define MP_MEM_STATIC_MAX "static-max"
#define MP_MEM_VIDEORAM "videoram"
#define MP_MEM_PAGING_TARGET "target-tot_pages"

/* Nodes under /libxl/<domid>/memory-policy/ */
#define MP_POL_ACTOR "actor"
#define MP_POL_PARAMS "actor-params"
#define MP_POL_TARGET "target"
#define MP_POL_ENFORCE "enforce"

/* /libxl/<domid>/xenpaging: the domain's pager, "<pid> <pagefile>"
 * (pager.c); dom0 only, as all of /libxl. */
#define MP_LIBXL_PAGER "xenpaging"

/* /local/domain/<domid>, or /local/domain/<domid>/<sub> (sub not NULL). */
char *mp_path_dom(char buf[MP_PATH_MAX], uint32_t domid, const char *sub);
/* /local/domain/<domid>/memory/<node> */
char *mp_path_mem(char buf[MP_PATH_MAX], uint32_t domid, const char *node);
/* /libxl/<domid>, or /libxl/<domid>/<sub> (sub not NULL). */
char *mp_path_libxl(char buf[MP_PATH_MAX], uint32_t domid, const char *sub);
/* /libxl/<domid>/memory-policy, or .../memory-policy/<node>. */
char *mp_path_policy(char buf[MP_PATH_MAX], uint32_t domid, const char *node);
/* /vm/<uuid>/memory, uuid as mp_domain_uuid_tx reads it from the domain's
 * vm node (see mp_vm_path_valid). */
char *mp_path_vm_memory(char buf[MP_PATH_MAX], const char *uuid);

/* /tool/mempolicy/saved, or .../saved/<uuid>[/<node>]. */
#define MP_SAVED_DIR "/tool/mempolicy/saved"
char *mp_path_saved(char buf[MP_PATH_MAX], const char *uuid, const char *node);

/* /tool/mempolicy/reservations, or .../reservations/<id>[/<node>]
 * (id 0: the directory). */
#define MP_RESV_DIR MEMPOLICY_RESERVATIONS_PATH
#define MP_RESV_NEXT_ID MP_RESV_DIR "/next-id"
#define MP_RESV_SIZE "size-kb"
#define MP_RESV_STATE "state"
#define MP_RESV_OWNER "owner"
#define MP_RESV_CREATED "created-ms"
#define MP_RESV_DEADLINE "deadline-ms"
#define MP_RESV_LIFETIME "lifetime-ms"
#define MP_RESV_GRANTED "granted-ms"
#define MP_RESV_REASON "reason"
char *mp_path_resv(char buf[MP_PATH_MAX], uint32_t id, const char *node);

/* /tool/mempolicy/groups, or .../groups/<name>[/<node>] (name NULL: the
 * directory; names are at most MEMPOLICY_GROUP_MAX characters). */
#define MP_GROUP_DIR MEMPOLICY_GROUPS_PATH
#define MP_GROUP_BUDGET "budget-kb"
#define MP_GROUP_WEIGHT "weight"
char *mp_path_group(char buf[MP_PATH_MAX], const char *name, const char *node);

/* A value of /local/domain/<domid>/vm that names a /vm/<uuid> directory
 * (36 characters of hex digits and dashes) and nothing else. */
int mp_vm_path_valid(const char *vm);

#endif
