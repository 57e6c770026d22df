/*
 * scenario.h: JSON scenarios for xensim (format: docs/xensim.md).
 * Checking one is scenario_check.c, playing it scenario_play.c.
 */
#ifndef XENSIM_SCENARIO_H
#define XENSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv.h"

struct scenario;

/* Host settings a scenario may give (0 / -1: not given). */
struct scenario_host {
    uint64_t memory_kb;
    uint64_t dom0_kb;
    int paging;             /* -1, 0, 1 */
    int sharing;
    double paging_rate_mib_s;
};

/*
 * Read and check `path`.  NULL on error with "FILE:LINE: FIELD: problem"
 * in err.
 */
struct scenario *scenario_load(const char *path, char *err, size_t errlen);
void scenario_free(struct scenario *sc);
const struct scenario_host *scenario_host(const struct scenario *sc);

/* Memory (KiB) of the domains created at time 0, and their number. */
uint64_t scenario_initial_kb(const struct scenario *sc, unsigned *n);

/*
 * Run it on hv: schedules its events on the simulated clock and keeps
 * /tool/xensim/time up to date.  socket_path is given to commands that
 * actions run (XENSTORED_PATH).  At "duration" the loop is stopped.
 */
int scenario_run(struct scenario *sc, struct hv *hv, const char *socket_path);

/* KiB from a size ("512M", "2G", a number: MiB if number_is_mib, else
 * KiB); sim.c uses it for --host-mem.  0 or -EINVAL. */
int scenario_parse_size(const char *s, bool number_is_mib, uint64_t *kb);

#endif
