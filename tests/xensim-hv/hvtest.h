/*
 * hvtest.h: helpers for the tests of xensim's simulated host.
 *
 * Every test starts its own xensim (tests/support/xensim_fixture.h) and
 * talks to it the way the library does: xenstore through libxenstore,
 * the hypervisor through the hv channel found in /tool/xensim/hv-socket.
 * Waiting is event-driven: the hv channel's `settle` answers once the
 * host stops moving, watch events are awaited with poll(); nothing
 * sleeps.
 */
#ifndef MP_TESTS_HVTEST_H
#define MP_TESTS_HVTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <xenstore.h>

#include "hvclient.h"
#include "xensim_fixture.h"

#define HT_TIMEOUT_MS 120000

struct hvt {
    struct xensim_fixture f;
    struct xs_handle *xs;      /* dom0 */
    int hv;                    /* hv channel connection */
    char reply[65536];
};

/* Start xensim with the NULL-terminated extra args; fails the test. */
void hvt_start(struct hvt *t, const char *const *args);
/* Check the model's accounting, stop xensim, check a clean exit. */
void hvt_stop(struct hvt *t);
/* Another connection to the hv channel (a second client); fails the
 * test if it cannot connect. */
int hvt_channel(struct hvt *t);

/* One request; returns t->reply (valid until the next call). */
const char *hvt_call(struct hvt *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A request that must answer "ok ..."; returns the reply. */
const char *hvt_ok(struct hvt *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The value of `key` in a reply, as a number (fails the test if absent). */
uint64_t hvt_u64(const char *reply, const char *key);
/* A reply's key as a string in buf (fails the test if absent). */
const char *hvt_str(const char *reply, const char *key, char *buf,
                    size_t len);
/* dominfo/guestinfo shortcuts. */
uint64_t hvt_dom(struct hvt *t, unsigned domid, const char *key);
uint64_t hvt_guest(struct hvt *t, unsigned domid, const char *key);
uint64_t hvt_phys(struct hvt *t, const char *key);
/* Wait until nothing moves (or max_ms simulated); returns idle. */
bool hvt_settle(struct hvt *t, unsigned max_ms);
/* Create a domain ("name=x type=hvm ..."); returns its domid. */
unsigned hvt_create(struct hvt *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* xenstore as dom0: write, read (malloc'd or NULL), read a number. */
void hvt_write(struct hvt *t, const char *path, const char *val);
char *hvt_read(struct hvt *t, const char *path);
/* Write /local/domain/<domid>/memory/target (KiB) as dom0, as a toolstack
 * does for the guest's balloon driver. */
void hvt_set_target(struct hvt *t, unsigned domid, uint64_t kb);
uint64_t hvt_read_u64(struct hvt *t, const char *path);

/* Wait for a watch event on h; returns the path (malloc'd) or NULL. */
char *hvt_wait_event(struct xs_handle *h, const char *token);

#endif
