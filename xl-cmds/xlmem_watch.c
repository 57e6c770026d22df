/*
 * xlmem_watch.c: mem-watch, the policy events as they happen.
 *
 * Subscribes to every DOMAIN_MEMORY_TARGET_CHANGED (no actor filter),
 * DOMAIN_INTRODUCE and DOMAIN_DEATH, and prints each event as one line
 * ("key=value" words, the free-form actor-params last) or, with -j, as
 * one compact JSON object on one line (the library's yajl rendering
 * without its indentation, as `jq -c` prints it), flushed at
 * once so that a pipe reader sees it.  One poll() on the library's event
 * fd and a signalfd: no timer, no wake-up while nothing happens.
 * SIGINT/SIGTERM end it with status 0; losing the store ends it with 1.
 *
 * Once subscribed it says so on stderr ("watching"), so that a script can
 * start it and know when no later change can be missed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "xlmem.h"

/* Print s on one line: control characters (not expected in dom0-owned
 * nodes, but not trusted either) become '?'. */
static void put_clean(const char *s)
{
    for (; *s; s++)
        putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void print_line(const mempolicy_event *ev)
{
    const mempolicy_policy *p = &ev->policy;

    switch (ev->type) {
    case MEMPOLICY_EVENT_DOMAIN_MEMORY_TARGET_CHANGED:
        printf("target-changed domid=%u actor=", ev->domid);
        put_clean(p->actor ? p->actor : "");
        if (p->has_target)
            printf(" target_kb=%llu", (unsigned long long)p->target_kb);
        else
            printf(" target_kb=-");
        printf(" enforce=%d actor-params=", p->enforce ? 1 : 0);
        put_clean(p->actor_params ? p->actor_params : "");
        putchar('\n');
        break;
    case MEMPOLICY_EVENT_DOMAIN_INTRODUCE:
        printf("introduce domid=%u\n", ev->domid);
        break;
    case MEMPOLICY_EVENT_DOMAIN_DEATH:
        printf("death domid=%u\n", ev->domid);
        break;
    default:
        printf("unknown-event type=%d domid=%u\n", (int)ev->type, ev->domid);
        break;
    }
}

static int print_json(mempolicy_ctx *ctx, const mempolicy_event *ev)
{
    char *s = mempolicy_event_to_json(ctx, ev), *c;

    if (!s) {
        xlmem_err("cannot render an event as JSON");
        return -1;
    }
    /*
     * Compact, one object per line (as `jq -c` prints): whitespace
     * outside strings is only the library's indentation, and inside
     * strings yajl escapes control characters, so a raw newline is never
     * part of a value.
     */
    bool in_str = false, esc = false;

    for (c = s; *c; c++) {
        if (in_str) {
            if (esc)
                esc = false;
            else if (*c == '\\')
                esc = true;
            else if (*c == '"')
                in_str = false;
        } else if (*c == '"') {
            in_str = true;
        } else if (*c == ' ' || *c == '\n' || *c == '\t' || *c == '\r') {
            continue;
        }
        putchar(*c);
    }
    putchar('\n');
    free(s);
    return 0;
}

int main_mem_watch(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    mempolicy_evgen *eg[3] = { NULL, NULL, NULL };
    mempolicy_ctx *ctx;
    struct pollfd pfd[2];
    sigset_t sigs;
    bool json = false;
    int opt, rc, sfd, ret = XLMEM_EXIT_FAIL, i;

    while ((opt = xlmem_getopt(argc, argv, "j", opts, 0, 0)) != -1) {
        if (opt == 'j')
            json = true;
    }

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &sigs, NULL) ||
        (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
        xlmem_err("cannot set up signal handling: %s", strerror(errno));
        return XLMEM_EXIT_FAIL;
    }

    ctx = xlmem_ctx();
    rc = mempolicy_evenable_target_changed(ctx, NULL, &eg[0]);
    if (!rc)
        rc = mempolicy_evenable_domain_introduce(ctx, &eg[1]);
    if (!rc)
        rc = mempolicy_evenable_domain_death(ctx, &eg[2]);
    if (rc) {
        xlmem_lib_err(rc, "cannot subscribe to events");
        goto out;
    }
    fprintf(stderr, "xlmem mem-watch: watching (interrupt to stop)\n");

    pfd[0].fd = mempolicy_event_fd(ctx);
    pfd[0].events = POLLIN;
    pfd[1].fd = sfd;
    pfd[1].events = POLLIN;
    for (;;) {
        mempolicy_event *ev;

        while ((rc = mempolicy_event_get(ctx, &ev)) == 0) {
            if (json) {
                if (print_json(ctx, ev)) {
                    mempolicy_event_free(ctx, ev);
                    goto out;
                }
            } else {
                print_line(ev);
            }
            mempolicy_event_free(ctx, ev);
        }
        fflush(stdout);
        if (rc != MEMPOLICY_ERROR_NOT_READY) {
            xlmem_lib_err(rc, "lost the event stream");
            goto out;
        }
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            xlmem_err("poll: %s", strerror(errno));
            goto out;
        }
        if (pfd[1].revents) {
            ret = XLMEM_EXIT_OK;
            goto out;
        }
        if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            xlmem_err("lost the connection to xenstore");
            goto out;
        }
    }

out:
    for (i = 2; i >= 0; i--) {
        if (eg[i])
            mempolicy_evdisable(ctx, eg[i]);
    }
    close(sfd);
    return ret;
}
