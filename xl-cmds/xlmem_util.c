/*
 * xlmem_util.c: the rules every xlmem subcommand shares: argument
 * parsing, the library context, domain lookup, sizes and error lines.
 *
 * Errors are one line on stderr, "xlmem <subcommand>: <problem>", and
 * every check that can be made before touching the store is made before,
 * so that bad input leaves the store as it was.  The library's own log is
 * silenced unless -v is given: its last error (mempolicy_last_error()) is
 * what the user sees, folded into that one line.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>
#include <xentoollog.h>

#include "caplog.h"
#include "xlmem.h"

static mempolicy_ctx *ctx;
static caplog *logger;

void xlmem_err(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xlmem %s: ", xlmem_cmdname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The library's detail for the last failure, on one line. */
static void put_detail(int rc)
{
    const char *d = ctx ? mempolicy_last_error(ctx) : "";
    const char *p;

    if (!d || !*d) {
        fputs(mempolicy_strerror(rc), stderr);
        return;
    }
    for (p = d; *p; p++)
        fputc(*p == '\n' ? ' ' : *p, stderr);
}

int xlmem_lib_err(int rc, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xlmem %s: ", xlmem_cmdname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(": ", stderr);
    put_detail(rc);
    fputc('\n', stderr);
    return XLMEM_EXIT_FAIL;
}

int xlmem_write_err(int rc, uint32_t domid, const char *what)
{
    fprintf(stderr, "xlmem %s: cannot %s of %s: ", xlmem_cmdname, what,
            xlmem_dom(domid));
    put_detail(rc);
    if (rc == MEMPOLICY_ERROR_FAIL)
        fprintf(stderr, " (to replace garbage, write all four nodes: "
                "xlmem mem-policy-set -t SIZE %s ACTOR)", xlmem_dom(domid));
    fputc('\n', stderr);
    return XLMEM_EXIT_FAIL;
}

static void usage_line(void)
{
    const struct xlmem_cmd *cmd = xlmem_cmd_lookup(xlmem_cmdname);

    assert(cmd);
    fprintf(stderr, " (usage: xlmem %s %s)\n", cmd->name, cmd->usage);
}

int xlmem_getopt(int argc, char **argv, const char *optstring,
                 const struct option *longopts, int minargs, int maxargs)
{
    static const struct option help_only[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char spec[64];
    int opt, n;

    /* '+': stop at the first argument, so "-512" after the domain is a
     * size; ':': report a missing option argument as ':'. */
    n = snprintf(spec, sizeof(spec), "+:h%s", optstring);
    assert(n > 0 && (size_t)n < sizeof(spec));
    opterr = 0;
    opt = getopt_long(argc, argv, spec, longopts ? longopts : help_only,
                      NULL);
    switch (opt) {
    case 'h':
        xlmem_help(xlmem_cmdname);
        exit(XLMEM_EXIT_OK);
    case '?':
        if (optopt)
            fprintf(stderr, "xlmem %s: unknown option '-%s'", xlmem_cmdname,
                    XQ(((char[2]){ (char)optopt, 0 })));
        else
            fprintf(stderr, "xlmem %s: unknown option '%s'", xlmem_cmdname,
                    XQ(argv[optind - 1]));
        usage_line();
        exit(XLMEM_EXIT_USAGE);
    case ':':
        fprintf(stderr, "xlmem %s: option '%s' needs a value", xlmem_cmdname,
                XQ(argv[optind - 1]));
        usage_line();
        exit(XLMEM_EXIT_USAGE);
    case -1:
        break;
    default:
        return opt;
    }

    n = argc - optind;
    if (n < minargs) {
        fprintf(stderr, "xlmem %s: missing argument%s", xlmem_cmdname,
                minargs - n > 1 ? "s" : "");
        usage_line();
        exit(XLMEM_EXIT_USAGE);
    }
    if (maxargs >= 0 && n > maxargs) {
        fprintf(stderr, "xlmem %s: too many arguments ('%s' is extra)",
                xlmem_cmdname, XQ(argv[optind + maxargs]));
        usage_line();
        exit(XLMEM_EXIT_USAGE);
    }
    return -1;
}

mempolicy_ctx *xlmem_ctx(void)
{
    int rc;

    if (ctx)
        return ctx;
    /* Errors reach the user once, through xlmem_lib_err(); the log
     * itself only with -v. */
    logger = caplog_new(xlmem_verbose > 1 ? XTL_DEBUG
                        : xlmem_verbose ? XTL_DETAIL : XTL_NUM_LEVELS);
    if (!logger) {
        xlmem_err("cannot create a logger: %s", strerror(errno));
        exit(XLMEM_EXIT_FAIL);
    }
    rc = mempolicy_ctx_alloc(&ctx, 0, caplog_logger(logger));
    if (rc) {
        ctx = NULL;
        xlmem_err("%s", *caplog_last_error(logger)
                  ? caplog_last_error(logger) : mempolicy_strerror(rc));
        exit(XLMEM_EXIT_FAIL);
    }
    /* An unprivileged store connection is refused by the library with
     * PERM and a detail saying so (memory policies are dom0's). */
    return ctx;
}

void xlmem_ctx_free(void)
{
    if (ctx) {
        mempolicy_ctx_free(ctx);
        ctx = NULL;
    }
    caplog_free(logger);
    logger = NULL;
}

/*
 * How the admin named each domain looked up, so that messages say
 * "guest1" when guest1 was typed (and "domain 5" for 5).
 */
#define TYPED_MAX 16
static struct {
    uint32_t domid;
    char label[MEMPOLICY_QUOTE_BUF + 8];
} typed[TYPED_MAX];
static unsigned ntyped;

static void remember_typed(uint32_t domid, const char *q)
{
    unsigned i = ntyped < TYPED_MAX ? ntyped++ : TYPED_MAX - 1;

    typed[i].domid = domid;
    if (q[strspn(q, "0123456789")])
        mempolicy_quote(q, typed[i].label);
    else
        snprintf(typed[i].label, sizeof(typed[i].label), "domain %u", domid);
}

const char *xlmem_dom(uint32_t domid)
{
    static char buf[4][24];
    static unsigned next;
    unsigned i;

    for (i = 0; i < ntyped; i++)
        if (typed[i].domid == domid)
            return typed[i].label;
    next = (next + 1) % 4;
    snprintf(buf[next], sizeof(buf[next]), "domain %u", domid);
    return buf[next];
}

uint32_t xlmem_find_domain(const char *q)
{
    uint32_t domid;
    int rc;

    if (!*q) {
        xlmem_err("empty domain name");
        exit(XLMEM_EXIT_FAIL);
    }
    rc = mempolicy_domain_qualifier_to_domid(xlmem_ctx(), q, &domid);
    if (rc == MEMPOLICY_ERROR_NO_DOMAIN || rc == MEMPOLICY_ERROR_INVAL) {
        xlmem_err("no such domain '%s' (neither a domain name nor an id)",
                  XQ(q));
        exit(XLMEM_EXIT_FAIL);
    }
    if (rc)
        exit(xlmem_lib_err(rc, "cannot look up domain '%s'", XQ(q)));
    remember_typed(domid, q);
    return domid;
}
