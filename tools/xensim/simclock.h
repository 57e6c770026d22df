/*
 * simclock.h: xensim's simulated clock, and timers on it.
 *
 * Simulated time runs --speed times faster than the real monotonic
 * clock, and a test may pause it, step it by a given amount, and resume
 * it (the hv channel's `clock` verb, docs/hv-channel.md), so that "a
 * second change during the delay" holds by construction rather than by
 * the machine being fast enough.  Everything in the simulated host that
 * takes time (the hypervisor's tick, the guests' ticks, scenario events,
 * the channel's settle and wait) runs on these timers, never on the
 * loop's real-time ones.
 *
 * While running, one loop timer stands for the earliest simulated
 * deadline.  While paused, nothing fires: a step fires the timers due
 * within it, in deadline order, each with the clock reading its deadline
 * (a 1000 ms step runs ten 100 ms hypervisor ticks), then leaves the
 * clock at the end of the step.
 *
 * The clock's state is also what other processes need to follow it
 * (libmempolicy's actor kit): simulated time = base_ms + (CLOCK_MONOTONIC
 * ms - anchor_ms) x rate, where rate is the speed, or 0 while paused.
 * An observer is told each time base, anchor or rate change.
 */
#ifndef XENSIM_SIMCLOCK_H
#define XENSIM_SIMCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct simclock;
struct sim_timer;

typedef void sim_timer_fn(struct simclock *c, struct sim_timer *t, void *arg);
typedef void simclock_observer_fn(void *arg);

/* NULL on allocation failure.  speed > 0.  paused: held at 0 from the
 * start (xensim --paused), before any real time can pass. */
struct simclock *simclock_new(struct loop *l, double speed, bool paused);
/* Frees the pending timers without calling them. */
void simclock_free(struct simclock *c);

/* Simulated milliseconds since the start. */
uint64_t simclock_now(struct simclock *c);
double simclock_speed(const struct simclock *c);
bool simclock_paused(const struct simclock *c);
/* The formula above: rate 0 while paused. */
void simclock_state(struct simclock *c, uint64_t *base_ms, uint64_t *anchor_ms,
                    double *rate);
void simclock_set_observer(struct simclock *c, simclock_observer_fn *fn,
                           void *arg);

/*
 * One-shot timer after `ms` of simulated time; freed after its callback
 * returns or by sim_timer_cancel().  Timers with equal deadlines fire in
 * the order they were added.  NULL on allocation failure.
 */
struct sim_timer *sim_timer_add(struct simclock *c, uint64_t ms,
                                sim_timer_fn *fn, void *arg);
void sim_timer_cancel(struct simclock *c, struct sim_timer *t);

/* Stop or restart the clock (idempotent).  The observer is told. */
void simclock_pause(struct simclock *c);
void simclock_resume(struct simclock *c);
/*
 * Advance a paused clock by ms, firing what falls due on the way.
 * EBUSY if the clock is running (pause it first), EINVAL if ms exceeds
 * an hour of simulated time (SIMCLOCK_STEP_MAX_MS), EBUSY as well when
 * called from inside a step.
 */
#define SIMCLOCK_STEP_MAX_MS 3600000u
int simclock_step(struct simclock *c, uint64_t ms);

#endif
