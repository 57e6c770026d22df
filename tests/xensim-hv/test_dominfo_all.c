/*
 * test_dominfo_all.c: the hv channel's `dominfo_all` verb (every domain's
 * dominfo in one reply, for listings): its fields are named, every record
 * says exactly what `dominfo` says of that domain, dom0 is in it, a
 * destroyed domain is not, and arguments are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hvtest.h"

#define FIELDS                                             \
    "domid,type,hap,tot_kb,max_kb,paging,paged_kb,"        \
    "paging_target_kb,sharing,shared_kb,cow_breaks,dying," \
    "shutdown,guest_type,videoram_kb,pod_target_kb,"       \
    "pod_cache_kb,pod_entries_kb,crashed,uuid"

static const char *const keys[] = {
    "domid",        "type",           "hap",         "tot_kb",
    "max_kb",       "paging",         "paged_kb",    "paging_target_kb",
    "sharing",      "shared_kb",      "cow_breaks",  "dying",
    "shutdown",     "guest_type",     "videoram_kb", "pod_target_kb",
    "pod_cache_kb", "pod_entries_kb", "crashed",     "uuid",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Check every record of a dominfo_all reply against dominfo; returns the
 * domids seen, in order, as "0,1,...". */
static void check_all(struct hvt *t, char *seen, size_t seenlen)
{
    char *all, *rec, *save = NULL, fields[256], *doms;
    size_t used = 0;

    all = strdup(hvt_ok(t, "dominfo_all"));
    assert_non_null(all);
    assert_string_equal(hvt_str(all, "fields", fields, sizeof(fields)), FIELDS);
    doms = strstr(all, " domains=");
    assert_non_null(doms);
    doms += 9;
    seen[0] = '\0';
    for (rec = strtok_r(doms, ";", &save); rec;
         rec = strtok_r(NULL, ";", &save)) {
        char *f[NKEYS], *p = rec, want[64];
        const char *one;
        unsigned i;

        for (i = 0; i < NKEYS; i++) {
            assert_non_null(p);
            f[i] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
        }
        assert_null(p); /* exactly the named fields */
        one = hvt_ok(t, "dominfo %s", f[0]);
        for (i = 0; i < NKEYS; i++)
            assert_string_equal(f[i],
                                hvt_str(one, keys[i], want, sizeof(want)));
        used += (size_t)snprintf(seen + used, seenlen - used, "%s%s",
                                 used ? "," : "", f[0]);
        assert_true(used < seenlen);
    }
    free(all);
}

static void test_dominfo_all(void **state)
{
    static const char *const args[] = { "--domains", "2", NULL };
    struct hvt t;
    char seen[256];
    unsigned h;

    (void)state;
    hvt_start(&t, args);
    h = hvt_create(&t,
                   "name=h type=hvm hap=1 memory_kb=262144 "
                   "maxmem_kb=262144"); /* not PoD: Xen pages no PoD guest */
    /* Give the records something other than defaults to say. */
    hvt_ok(&t, "paging_enable %u", h);
    hvt_ok(&t, "sharing_enable %u", h);
    hvt_ok(&t, "setmaxmem 1 600000");
    check_all(&t, seen, sizeof(seen));
    assert_string_equal(seen, "0,1,2,3");
    hvt_ok(&t, "destroy 2");
    check_all(&t, seen, sizeof(seen));
    assert_string_equal(seen, "0,1,3");
    assert_int_equal(strncmp(hvt_call(&t, "dominfo_all 1"), "err EINVAL", 10),
                     0);
    hvt_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dominfo_all),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
