/*
 * sim.h: the hook between xensim's main.c and the simulated host (the
 * hypervisor, the guests, the hv channel, scenarios and the recording).
 *
 * main.c owns the command line and the store; it hands the options it
 * does not know to sim_config_option() (the table SIM_LONG_OPTIONS is
 * spliced into its getopt_long table, and SIM_USAGE into its --help), then
 * calls sim_start() once the store is listening and sim_stop() after the
 * loop ends.  Everything the simulated host does afterwards happens in
 * callbacks on the same loop, so main.c needs nothing else.
 */
#ifndef XENSIM_SIM_H
#define XENSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct store;
struct sim;

/* Option codes for getopt_long's `val`: far above any short option. */
enum {
    SIM_OPT_DOMAINS = 0x5100,
    SIM_OPT_SCENARIO,
    SIM_OPT_SPEED,
    SIM_OPT_RECORD,
    SIM_OPT_HOST_MEM,
    SIM_OPT_NO_PAGING,
    SIM_OPT_NO_SHARING,
    SIM_OPT_NO_VMX,
    SIM_OPT_PVH_DOM0,
    SIM_OPT_PAUSED,
};

#define SIM_LONG_OPTIONS                                              \
    { "domains", required_argument, NULL, SIM_OPT_DOMAINS },          \
    { "scenario", required_argument, NULL, SIM_OPT_SCENARIO },        \
    { "speed", required_argument, NULL, SIM_OPT_SPEED },              \
    { "record", required_argument, NULL, SIM_OPT_RECORD },            \
    { "host-mem", required_argument, NULL, SIM_OPT_HOST_MEM },        \
    { "no-paging", no_argument, NULL, SIM_OPT_NO_PAGING },            \
    { "no-sharing", no_argument, NULL, SIM_OPT_NO_SHARING },          \
    { "no-vmx", no_argument, NULL, SIM_OPT_NO_VMX },                  \
    { "pvh-dom0", no_argument, NULL, SIM_OPT_PVH_DOM0 },             \
    { "paused", no_argument, NULL, SIM_OPT_PAUSED }

#define SIM_USAGE                                                          \
    "Simulated host:\n"                                                    \
    "  --domains N      start N cooperative PV guests, domids 1..N, each\n" \
    "                   memory 512 MiB, maxmem 1024 MiB, demand 256 MiB,\n" \
    "                   balloon 256 MiB/s\n"                               \
    "  --scenario FILE  run a JSON scenario (docs/xensim.md)\n"            \
    "  --speed X        simulated time runs X times faster (default 1)\n"  \
    "  --record FILE    time series of every domain's memory: JSON lines\n" \
    "                   if FILE ends in .json or .jsonl, CSV otherwise\n"   \
    "  --host-mem SIZE  host memory (default: dom0's 1 GiB plus every\n"   \
    "                   guest's maxmem, at least 16 GiB; suffix K/M/G/T,\n" \
    "                   KiB when none)\n"                                  \
    "  --no-paging      a hypervisor built without paging (ENOSYS)\n"      \
    "  --no-sharing     a hypervisor built without sharing (ENOSYS)\n"      \
    "  --no-vmx         a host CPU without Intel VT-x (sharing:\n"         \
    "                   EOPNOTSUPP)\n"                                     \
    "  --pvh-dom0       dom0 is a PVH domain (paging: EOPNOTSUPP)\n"      \
    "  --paused         the simulated clock starts held at 0 (as `clock\n" \
    "                   pause` before anything ran): a driver steps it\n"

struct sim_config {
    unsigned domains;
    const char *scenario;
    const char *record;
    double speed;
    uint64_t host_mem_kb;  /* 0: automatic */
    bool paging;           /* host feature, default on */
    bool sharing;          /* host feature, default on */
    bool no_vmx;           /* host CPU without Intel VT-x */
    bool pvh_dom0;         /* dom0 is an HVM/PVH domain */
    bool paused;           /* the clock starts held */
};

void sim_config_init(struct sim_config *c);

/*
 * Apply one option (opt is a SIM_OPT_* code, arg its argument or NULL).
 * Returns 0, or -1 after printing a one-line error naming the option.
 */
int sim_config_option(struct sim_config *c, int opt, const char *arg);

/*
 * Start the simulated host on the store served at `socket_path`: reads
 * and checks the scenario (an error names file, line and field), serves
 * the hv channel on "<socket_path>.hv", publishes /tool/xensim/..., and
 * creates the initial domains.  Returns 0, or -1 after printing why on
 * stderr (nothing is left running then).
 */
int sim_start(struct sim **out, struct loop *l, struct store *s,
              const char *socket_path, const struct sim_config *c);

/* Tear everything down (domains are not destroyed in the store). */
void sim_stop(struct sim *sim);

/*
 * The simulated clock in ms (simclock.h), for the parts main.c owns
 * (the xenstore server's rate-limited log): `sim` is the struct sim.
 */
uint64_t sim_now_ms(void *sim);

#endif
