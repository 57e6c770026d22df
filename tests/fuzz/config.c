/*
 * config.c: fuzzes reading memory_policy / memory_policy_args from xl.conf
 * and domain config files (libmempolicy/src/config.c, through libxlutil's
 * parser), both ways the library offers: files it reads itself
 * (mempolicy_config_policy: mempolicyd, -c FILE, mem-policy-apply) and a
 * domain file's contents read once (mempolicy_config_read, then
 * mempolicy_config_policy_data: xlmem create, which may read a pipe).
 *
 * Input: the global file, optionally followed by "\n#--domain--\n" and
 * the domain file.  Files are in-memory files (memfd) named by
 * /proc/self/fd/N, so the whole reading path runs.  The domain file is
 * given once by name and once as contents, and the two ways must agree.
 * The contents are also handed over raw, NUL bytes included, as a caller
 * that did not use mempolicy_config_read may.  Checked besides the
 * sanitizers: a success returns an actor name and params that pass the
 * library's own validators (nothing read from a file reaches the store
 * unchecked), a failure returns nothing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libmempolicy.h>

static const char sep[] = "\n#--domain--\n";

static int gfd = -1, dfd = -1;
static char gpath[64], dpath[64];

static int open_memfd(const char *name, char *path, size_t len)
{
    int fd = memfd_create(name, MFD_CLOEXEC);

    if (fd < 0)
        abort();
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

/* Make fd's content exactly data[0..n). */
static void fill(int fd, const uint8_t *data, size_t n)
{
    if (ftruncate(fd, 0) || (n && pwrite(fd, data, n, 0) != (ssize_t)n))
        abort();
}

/* A result is either a valid policy or nothing at all. */
static void check(int rc, char *actor, char *params)
{
    if (rc == 0) {
        if (!actor || !params || mempolicy_actor_name_valid(actor, NULL) ||
            mempolicy_params_valid(params))
            abort();
    } else if (rc > 0 || actor || params) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *dom = NULL;
    size_t glen = size, dlen = 0, i;
    char *actor = NULL, *params = NULL, *a2 = NULL, *p2 = NULL;
    char *contents = NULL;
    size_t clen = 0;
    int rc, rc2;

    if (size > 16384)
        return -1;
    if (gfd < 0) {
        gfd = open_memfd("xl.conf", gpath, sizeof(gpath));
        dfd = open_memfd("domain.cfg", dpath, sizeof(dpath));
    }
    for (i = 0; i + sizeof(sep) - 1 <= size; i++) {
        if (!memcmp(data + i, sep, sizeof(sep) - 1)) {
            glen = i;
            dom = data + i + sizeof(sep) - 1;
            dlen = size - (size_t)(dom - data);
            break;
        }
    }
    fill(gfd, data, glen);
    if (dom)
        fill(dfd, dom, dlen);

    rc = mempolicy_config_policy(NULL, gpath, dom ? dpath : NULL, &actor,
                                 &params);
    check(rc, actor, params);

    if (dom) {
        /* Read once, then parsed from memory: the same answer. */
        rc2 = mempolicy_config_read(NULL, dpath, &contents, &clen);
        if (rc2 == 0) {
            if (!contents || clen != dlen || memcmp(contents, dom, dlen))
                abort();
            rc2 = mempolicy_config_policy_data(NULL, gpath, "domain.cfg",
                                               contents, clen, &a2, &p2);
            check(rc2, a2, p2);
            if (rc2 != rc ||
                (rc == 0 && (strcmp(actor, a2) || strcmp(params, p2))))
                abort();
            free(a2);
            free(p2);
            a2 = p2 = NULL;
        } else if (contents || rc2 > 0 || rc == 0) {
            abort(); /* unreadable here, yet read by name above? */
        }
        free(contents);

        /* The contents raw, as a caller without config_read has them. */
        rc2 = mempolicy_config_policy_data(NULL, gpath, "domain.cfg",
                                           (const char *)dom, dlen, &a2, &p2);
        check(rc2, a2, p2);
        free(a2);
        free(p2);
    }
    free(actor);
    free(params);
    return 0;
}
