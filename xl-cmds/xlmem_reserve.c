/*
 * xlmem_reserve.c: mem-reserve, mem-release and mem-reservations: the
 * library's reservations (libmempolicy.h; docs/reservations.md) for
 * scripts and other toolstacks, and the reservation `xlmem create` takes
 * before it creates a domain (xlmem_reserve_for_create).
 *
 *   xlmem mem-reserve [--timeout=S] [--lifetime=S] <size>
 *       waits until the balance actor granted it, prints the id; or one
 *       line saying how much could be freed and what held the rest
 *   xlmem mem-release <id>
 *   xlmem mem-reservations [-j]
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlmem.h"

/* The longest timeout and lifetime, seconds (a day). */
#define RESERVE_MAX_S 86400ul

static int parse_secs(const char *opt, const char *s, uint32_t *ms)
{
    unsigned long v;
    char *end;

    errno = 0;
    if (!isdigit((unsigned char)*s)) {
        xlmem_err("invalid %s '%s': not a number of seconds", opt, XQ(s));
        return -1;
    }
    v = strtoul(s, &end, 10);
    if (*end || errno || !v || v > RESERVE_MAX_S) {
        xlmem_err("invalid %s '%s': give whole seconds from 1 to %lu", opt,
                  XQ(s), RESERVE_MAX_S);
        return -1;
    }
    *ms = (uint32_t)(v * 1000);
    return 0;
}

/* A reservation id as printed by mem-reserve: 1 .. 2^32-1. */
static int parse_id(const char *s, uint32_t *id)
{
    unsigned long long v;
    const char *p;
    char *end;

    for (p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            break;
    errno = 0;
    v = *s && !*p ? strtoull(s, &end, 10) : 0;
    if (!*s || *p || errno || !v || v > UINT32_MAX) {
        xlmem_err("invalid reservation id '%s': ids are the numbers "
                  "mem-reserve prints (1 and up)",
                  XQ(s));
        return -1;
    }
    *id = (uint32_t)v;
    return 0;
}

int main_mem_reserve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "timeout", required_argument, NULL, 't' },
        { "lifetime", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint32_t timeout_ms = 0, lifetime_ms = 0, id;
    int64_t kb;
    bool rel;
    int opt, i, rc;

    /* "-512" is a negative size, not an option. */
    for (i = 1; i < argc; i++)
        if (argv[i][0] == '-' && isdigit((unsigned char)argv[i][1])) {
            xlmem_err("invalid memory size '%s': a reservation cannot be "
                      "negative",
                      XQ(argv[i]));
            return XLMEM_EXIT_FAIL;
        }
    while ((opt = xlmem_getopt(argc, argv, "t:l:", opts, 1, 1)) != -1) {
        if (opt == 't' && parse_secs("--timeout", optarg, &timeout_ms))
            return XLMEM_EXIT_FAIL;
        if (opt == 'l' && parse_secs("--lifetime", optarg, &lifetime_ms))
            return XLMEM_EXIT_FAIL;
    }
    if (xlmem_parse_size_kb(argv[optind], false, &kb, &rel))
        return XLMEM_EXIT_FAIL;
    if (kb <= 0) {
        xlmem_err("invalid memory size '%s': a reservation of nothing "
                  "reserves nothing",
                  XQ(argv[optind]));
        return XLMEM_EXIT_FAIL;
    }
    rc = mempolicy_reserve(xlmem_ctx(), (uint64_t)kb, timeout_ms, lifetime_ms,
                           &id);
    if (rc)
        return xlmem_lib_err(rc, "cannot reserve %s", XQ(argv[optind]));
    printf("%u\n", id);
    return XLMEM_EXIT_OK;
}

int main_mem_release(int argc, char **argv)
{
    uint32_t id;
    int rc;

    while (xlmem_getopt(argc, argv, "", NULL, 1, 1) != -1)
        ;
    if (parse_id(argv[optind], &id))
        return XLMEM_EXIT_FAIL;
    rc = mempolicy_reservation_release(xlmem_ctx(), id);
    if (rc)
        return xlmem_lib_err(rc, "cannot release reservation %u", id);
    return XLMEM_EXIT_OK;
}

static const char *state_name(mempolicy_reservation_state s)
{
    switch (s) {
    case MEMPOLICY_RESERVATION_PENDING:
        return "pending";
    case MEMPOLICY_RESERVATION_GRANTED:
        return "granted";
    case MEMPOLICY_RESERVATION_REFUSED:
        return "refused";
    }
    return "?";
}

int main_mem_reservations(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    mempolicy_reservation *v;
    bool json = false;
    int opt, n, i, rc;

    while ((opt = xlmem_getopt(argc, argv, "j", opts, 0, 0)) != -1)
        json |= opt == 'j';
    rc = mempolicy_reservation_list(xlmem_ctx(), &v, &n);
    if (rc)
        return xlmem_lib_err(rc, "cannot list the reservations");
    if (json)
        printf("[");
    else
        printf("%-6s %-8s %10s %8s %s\n", "Id", "State", "Size(MiB)", "Owner",
               "Lifetime(s)");
    for (i = 0; i < n; i++) {
        const mempolicy_reservation *r = &v[i];

        if (json)
            printf(
                "%s{\"id\": %u, \"state\": \"%s\", \"size_kb\": %" PRIu64
                ", \"owner_pid\": %d, \"owner_alive\": %s, "
                "\"created_ms\": %" PRIu64 ", \"deadline_ms\": %" PRIu64
                ", \"lifetime_ms\": %" PRIu64 ", \"granted_ms\": %" PRIu64 "}",
                i ? ", " : "", r->id, state_name(r->state), r->size_kb,
                r->owner_pid, r->owner_alive ? "true" : "false", r->created_ms,
                r->deadline_ms, r->lifetime_ms, r->granted_ms);
        else
            printf("%-6u %-8s %10llu %8d%s %" PRIu64 "\n", r->id,
                   state_name(r->state), xlmem_mib(r->size_kb), r->owner_pid,
                   r->owner_alive ? " " : "-", r->lifetime_ms / 1000);
    }
    if (json)
        printf("]\n");
    mempolicy_reservation_list_free(v, n);
    return XLMEM_EXIT_OK;
}
