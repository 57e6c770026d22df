/*
 * lock.c: libxl's per-domain lock, so that xl and the library never
 * interleave their changes to a domain's memory.
 *
 * Followed: libxl__lock_domain_userdata, libxl__lock_file and
 * libxl__unlock_file (tools/libs/light/libxl_internal.c) and
 * libxl__userdata_path (libxl_dom.c), Xen 4.17: the lock is an exclusive
 * flock() on XEN_LIB_DIR/userdata-l.<domid>.<uuid>.domain-userdata-lock,
 * created if absent; after flock() the file is checked to still be the
 * one at that path (a holder unlinks it before closing, so a waiter that
 * got an unlinked file tries again); once held, the domain is checked to
 * still exist.  xl takes it around libxl_set_memory_target and
 * libxl_domain_setmaxmem, and every domain configuration change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

void mp_unlock_domain(struct mp_lock *lk)
{
    if (lk->fd < 0)
        return;
    /* Unlink before close, as libxl (see its comment on the race). */
    unlink(lk->path);
    close(lk->fd);
    lk->fd = -1;
}

int mp_lock_domain(mempolicy_ctx *ctx, uint32_t domid, struct mp_lock *lk,
                   struct mp_hvinfo *hv)
{
    char uuid[MP_UUID_LEN + 1];
    struct stat st, fst;
    int rc, n;

    lk->fd = -1;
    rc = mp_domain_live(ctx, domid, hv);
    if (!rc)
        rc = mp_domain_uuid_tx(ctx, XBT_NULL, domid, uuid);
    if (rc)
        return rc;
    if (!ctx->lock_dir || !uuid[0] || stat(ctx->lock_dir, &st) ||
        !S_ISDIR(st.st_mode))
        return 0; /* no toolstack directory (or uuid): nobody to wait for */
    n = snprintf(lk->path, sizeof(lk->path),
                 "%s/userdata-l.%u.%s.domain-userdata-lock", ctx->lock_dir,
                 domid, uuid);
    if (n < 0 || (size_t)n >= sizeof(lk->path))
        return mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                      "domain %u: lock file path too long", domid);
    for (;;) {
        lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (lk->fd < 0)
            return mp_err(ctx,
                          errno == EACCES || errno == EPERM ?
                              MEMPOLICY_ERROR_PERM :
                              MEMPOLICY_ERROR_FAIL,
                          "domain %u: cannot open libxl's lock %s: %s", domid,
                          lk->path, strerror(errno));
        while (flock(lk->fd, LOCK_EX)) {
            if (errno == EINTR)
                continue;
            rc = mp_err(ctx, MEMPOLICY_ERROR_FAIL,
                        "domain %u: cannot lock %s: %s", domid, lk->path,
                        strerror(errno));
            close(lk->fd);
            lk->fd = -1;
            return rc;
        }
        if (!fstat(lk->fd, &fst) && !stat(lk->path, &st) &&
            st.st_dev == fst.st_dev && st.st_ino == fst.st_ino)
            break;
        /* Unlinked by the holder before we got it: try again. */
        close(lk->fd);
    }
    /* Held: the domain may have gone (or changed) while we waited. */
    rc = mp_domain_live(ctx, domid, hv);
    if (rc)
        mp_unlock_domain(lk);
    return rc;
}
