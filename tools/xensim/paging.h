/*
 * paging.h: xenpaging, modelled as a process of its own: a pager has a
 * pid, runs (started, running, stopping) and exits with a status, apart
 * from whoever started it, as tools/xenpaging/xenpaging.c does on Xen.
 */
#ifndef XENSIM_PAGING_H
#define XENSIM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

struct hv;
struct hv_domain;

/* The pid space of simulated pagers (never reused while xensim runs). */
#define PAGER_PID_FIRST 20000u
#define PAGER_FILE_MAX 255
/* Exited pagers kept for pager_status (oldest forgotten first). */
#define PAGER_EXITED_KEEP 1024u

enum pager_state { PAGER_RUNNING, PAGER_STOPPING, PAGER_EXITED };

struct hv_pager {
    unsigned pid;
    unsigned domid;
    enum pager_state state;
    int status; /* exit status 0..255, or -signal when killed */
    int err;    /* errno of the call it exited on, 0 if none */
    char pagefile[PAGER_FILE_MAX + 1];
    struct hv_pager *next;
};

/*
 * Spawn xenpaging -d domid -f pagefile.  It always starts (a new pid);
 * its initialisation then enables paging as xenpaging_init does, and a
 * pager that cannot (ENOSYS, EOPNOTSUPP, ENODEV, EMLINK, EXDEV, EBUSY,
 * ESRCH) exits at once with status 1 and that errno.  NULL: no memory.
 */
struct hv_pager *pager_spawn(struct hv *hv, unsigned domid,
                             const char *pagefile);
struct hv_pager *pager_find(struct hv *hv, unsigned pid);
/*
 * kill(pid, sig), with xenpaging's handlers: SIGTERM/SIGINT page
 * everything back in, then tear paging down and exit 0; SIGHUP tears it
 * down at once (whatever is paged out) and exits 0; SIGKILL ends it with
 * nothing torn down.  -ESRCH if it has exited, -EINVAL for another sig.
 */
int pager_signal(struct hv *hv, struct hv_pager *p, int sig);
/* The domain is being destroyed: its pager sees @releaseDomain. */
void pager_domain_gone(struct hv *hv, struct hv_domain *d);
void pager_free_all(struct hv *hv);
const char *pager_state_name(enum pager_state s);

/* memory/target-tot_pages of d changed (the pager's watch). */
void paging_target_event(struct hv *hv, struct hv_domain *d);
/* The ring was torn down (XEN_VM_EVENT_DISABLE): whatever is paged out
 * stays out, as in Xen. */
void paging_ring_gone(struct hv *hv, struct hv_domain *d);

bool paging_wants(const struct hv_domain *d);
/* Page out or in for dt_ms of simulated time; true while work remains
 * that can be done now (sets d->stalled when waiting for memory). */
bool paging_step(struct hv *hv, struct hv_domain *d, uint64_t dt_ms);

#endif
