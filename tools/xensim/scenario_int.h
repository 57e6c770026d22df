/*
 * scenario_int.h: what checking a scenario (scenario_check.c) and playing
 * it (scenario_play.c) share: the checked scenario, as data.
 */
#ifndef XENSIM_SCENARIO_INT_H
#define XENSIM_SCENARIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hv.h"
#include "scenario.h"

struct sim_timer;

enum ev_kind { EV_CREATE, EV_DESTROY, EV_DEMAND, EV_ACTION, EV_END };
enum act_kind { A_WRITE, A_RM, A_RUN, A_DESTROY, A_SET };

struct demand_pt {
    double t;
    uint64_t kb;
};

struct sc_domain {
    struct hv_domain_config cfg;
    double create_at;
    double destroy_at; /* < 0: never */
    struct demand_pt *demand;
    size_t ndemand;
    unsigned domid; /* 0 until created */
};

struct sc_action {
    double at;
    enum act_kind kind;
    unsigned line;
    int dom;     /* domain index, -1 if none */
    char *path;  /* write, rm (may contain %{name}) */
    char *value; /* write */
    char *cmd;   /* run */
    bool has_balloon, has_rate, has_demand, has_cow;
    enum balloon_mode balloon;
    double rate, cow;
    uint64_t demand_kb;
};

struct sc_event {
    double t;
    enum ev_kind kind;
    size_t idx, sub;
    size_t seq;
};

struct child {
    pid_t pid;
    int pidfd;
    struct scenario *sc;
    struct child *next;
};

struct scenario {
    char *path;
    struct scenario_host host;
    double duration; /* < 0: none */
    struct sc_domain *doms;
    size_t ndoms;
    struct sc_action *acts;
    size_t nacts;
    struct sc_event *evs;
    size_t nevs, next_ev;
    /* running */
    struct hv *hv;
    char *socket_path;
    struct sim_timer *timer, *clock; /* on the simulated clock */
    struct child *children;
};

/* Index of the scenario's domain called name, or -1. */
int scenario_find_domain(const struct scenario *sc, const char *name);

/*
 * Stop playing sc (scenario_play.c): cancel its timers, stop the
 * commands its actions started, drop the event list.  Does nothing to
 * a scenario never played.
 */
void scenario_play_stop(struct scenario *sc);

#endif
