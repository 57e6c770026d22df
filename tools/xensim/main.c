/*
 * main.c: the xensim command: a simulated Xen host on one event loop.
 *
 *   xensim --socket PATH [--ready-fd N] [simulated host options]
 *
 * Serves the xenstore protocol on PATH (dom0) and on PATH.dom<N> for
 * each introduced domain, in the foreground, until SIGTERM or SIGINT;
 * then removes its sockets and exits 0.  With --ready-fd, writes "ready\n"
 * to fd N and closes it once clients may connect, so tests can wait for
 * a real event instead of sleeping.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <libmempolicy.h>

#include "loop.h"
#include "sim.h"
#include "store.h"
#include "store_int.h"
#include "xs_server.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xensim --socket PATH [--ready-fd N] [options]\n"
            "  --socket PATH   xenstore socket for dom0; domain N gets "
            "PATH.domN\n"
            "  --ready-fd N    write \"ready\\n\" to fd N once serving\n"
            "  --version       print the version (libmempolicy's) and exit\n"
            SIM_USAGE);
}

/* Allow 1,000s of clients: raise the fd limit as far as allowed. */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "ready-fd", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        SIM_LONG_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    const char *socket_path = NULL;
    int ready_fd = -1;
    struct sim_config cfg;
    struct sim *sim = NULL;
    struct loop *l = NULL;
    struct store *s = NULL;
    struct xs_server *srv = NULL;
    int c, rc = 1;
    char *end;

    sim_config_init(&cfg);
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            socket_path = optarg;
            break;
        case 'r':
            ready_fd = strtol(optarg, &end, 10);
            if (*end || !*optarg || ready_fd < 0) {
                fprintf(stderr, "xensim: bad --ready-fd '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            /* The project's one version string (libmempolicy.h). */
            printf("xensim (libmempolicy) %s\n", MEMPOLICY_VERSION);
            return 0;
        case '?':
            usage(stderr);
            return 2;
        default: /* the simulated host's options (sim.h) */
            if (sim_config_option(&cfg, c, optarg) < 0)
                return 2;
            break;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "xensim: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!socket_path) {
        fprintf(stderr, "xensim: --socket PATH is required\n");
        return 2;
    }
    raise_fd_limit();

    l = loop_new();
    s = l ? store_new(l) : NULL;
    if (!s) {
        fprintf(stderr, "xensim: out of memory\n");
        goto out;
    }
    srv = xs_server_new(l, s, socket_path);
    if (!srv)
        goto out;

    /* ---- the simulated host (hypervisor, guests) starts here ---- */
    if (sim_start(&sim, l, s, socket_path, &cfg) < 0)
        goto out;
    if (sim)
        xs_server_set_clock(srv, sim_now_ms, sim);

    if (ready_fd >= 0) {
        if (write(ready_fd, "ready\n", 6) != 6)
            perror("xensim: --ready-fd");
        close(ready_fd);
    }
    rc = loop_run(l) < 0 ? 1 : 0;
    xs_server_set_clock(srv, NULL, NULL);
    sim_stop(sim);
    /* A damaged store fails the run, so every test checks it at its end. */
    if (store_check(s))
        rc = 1;

out:
    xs_server_free(srv);
    store_free(s);
    loop_free(l);
    return rc;
}
