/*
 * xensim_fixture.h: start and stop a private xensim for a C test.
 *
 * Each test (or test group) gets its own xensim on a socket in a fresh
 * temporary directory; the start call returns once xensim reports
 * "ready" on a pipe (no sleeping, no polling), and sets XENSTORED_PATH so
 * that libxenstore's xs_open() and every library on top of it connects
 * to it.  The stop call sends SIGTERM and checks what a clean shutdown
 * means: exit status 0 and the socket removed.
 *
 * The binary is $XENSIM if set, else $MP_BUILD/bin/xensim (tests/run.sh
 * sets MP_BUILD), else build/bin/xensim.
 *
 * Link: $(O)/obj/tests/support/xensim_fixture.o (built by the pattern
 * rule) and $(XENSTORE_LIBS).
 */
#ifndef MP_TESTS_XENSIM_FIXTURE_H
#define MP_TESTS_XENSIM_FIXTURE_H

#include <sys/types.h>
#include <xenstore.h>

struct xensim_fixture {
    pid_t pid;
    char dir[64];      /* temporary directory, removed by stop */
    char socket[96];   /* dom0 socket: dir/xs.sock */
};

/*
 * Start xensim with optional extra arguments (NULL-terminated array, or
 * NULL).  Returns 0, or -1 after printing why on stderr.
 */
int xensim_start(struct xensim_fixture *f, const char *const *extra_args);

/*
 * SIGTERM, wait (at most 120 s), remove the directory.  Returns 0 if
 * xensim exited with status 0 and removed its socket, else -1 (with a
 * message on stderr).
 */
int xensim_stop(struct xensim_fixture *f);

/* The socket of unprivileged domain `domid`, in buf (size >= 128). */
const char *xensim_dom_socket(const struct xensim_fixture *f,
                              unsigned domid, char *buf);

/* A libxenstore handle connected as dom0, or as unprivileged domid. */
struct xs_handle *xensim_open(const struct xensim_fixture *f);
struct xs_handle *xensim_open_dom(const struct xensim_fixture *f,
                                  unsigned domid);

/* Raise RLIMIT_NOFILE to its hard limit (for tests with many clients). */
void xensim_raise_fd_limit(void);

#endif
