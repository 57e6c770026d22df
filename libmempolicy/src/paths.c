/*
 * paths.c: the store paths of the data model (see paths.h).
 */
#include <stdio.h>
#include <string.h>

#include "paths.h"

char *mp_path_dom(char buf[MP_PATH_MAX], uint32_t domid, const char *sub)
{
    snprintf(buf, MP_PATH_MAX, "/local/domain/%u%s%s", domid, sub ? "/" : "",
             sub ? sub : "");
    return buf;
}

char *mp_path_mem(char buf[MP_PATH_MAX], uint32_t domid, const char *node)
{
    snprintf(buf, MP_PATH_MAX, "/local/domain/%u/memory/%s", domid, node);
    return buf;
}

char *mp_path_libxl(char buf[MP_PATH_MAX], uint32_t domid, const char *sub)
{
    snprintf(buf, MP_PATH_MAX, MP_LIBXL_DIR "/%u%s%s", domid, sub ? "/" : "",
             sub ? sub : "");
    return buf;
}

char *mp_path_policy(char buf[MP_PATH_MAX], uint32_t domid, const char *node)
{
    snprintf(buf, MP_PATH_MAX, MP_LIBXL_DIR "/%u/" MP_POLICY_DIR "%s%s",
             domid, node ? "/" : "", node ? node : "");
    return buf;
}

char *mp_path_vm_memory(char buf[MP_PATH_MAX], const char *uuid)
{
    snprintf(buf, MP_PATH_MAX, "/vm/%s/memory", uuid);
    return buf;
}

char *mp_path_saved(char buf[MP_PATH_MAX], const char *uuid, const char *node)
{
    snprintf(buf, MP_PATH_MAX, MP_SAVED_DIR "%s%s%s%s", uuid ? "/" : "",
             uuid ? uuid : "", node ? "/" : "", node ? node : "");
    return buf;
}

char *mp_path_resv(char buf[MP_PATH_MAX], uint32_t id, const char *node)
{
    if (!id)
        snprintf(buf, MP_PATH_MAX, MP_RESV_DIR);
    else
        snprintf(buf, MP_PATH_MAX, MP_RESV_DIR "/%u%s%s", id, node ? "/" : "",
                 node ? node : "");
    return buf;
}

char *mp_path_group(char buf[MP_PATH_MAX], const char *name, const char *node)
{
    snprintf(buf, MP_PATH_MAX, MP_GROUP_DIR "%s%.*s%s%s", name ? "/" : "",
             MEMPOLICY_GROUP_MAX, name ? name : "", node ? "/" : "",
             node ? node : "");
    return buf;
}

int mp_vm_path_valid(const char *vm)
{
    size_t i;

    if (!vm || strncmp(vm, "/vm/", 4) || strlen(vm) != 4 + 36)
        return 0;
    for (i = 4; vm[i]; i++) {
        char c = vm[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F') || c == '-'))
            return 0;
    }
    return 1;
}
