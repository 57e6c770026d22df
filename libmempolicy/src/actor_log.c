/*
 * actor_log.c: the daemons' logger (every actor and mempolicyd).
 *
 * One format with levels, whatever the destination:
 *
 *   <context>: <level>: <message>[: <errno text>]
 *
 * where context is the daemon's name (or the library's context for its
 * own messages) and level is xentoollog's name for it (debug, info,
 * warning, error, ...).  Where the line already names the daemon (syslog's
 * ident, the file's "name[pid]"), the context is left out when it is the
 * daemon's own.  Destinations:
 *  - stderr (foreground): as above.  When stderr is the journal (systemd
 *    sets JOURNAL_STREAM to its device:inode), each line starts with the
 *    syslog priority in sd-daemon's "<N>" form, so `journalctl -p err`
 *    finds errors; the journal adds time and pid itself.
 *  - syslog (-d, daemonized: stderr is gone): openlog(name, LOG_PID,
 *    LOG_DAEMON), priority from the level; on a systemd host that is the
 *    journal too.  Until the daemon is serving, warnings and errors also
 *    go to the caller's stderr, so `actor -d` that cannot start says why
 *    where it was started (mp_dlog_tee_stderr), and a good start is
 *    silent.
 *  - a file (--log-file FILE, foreground or not): appended, each line
 *    prefixed with the local time and "name[pid]", flushed per line
 *    ("2026-12-03 10:40:01 xl-auto[812]: info: serving 3 domains ...").
 *    A daemon (-d) with a log file also sends its stderr there once it
 *    serves, so what else writes on stderr (a sanitizer) is kept.
 * Levels map to syslog priorities as sd-daemon.h documents: debug,
 * verbose, detail -> LOG_DEBUG; progress, info -> LOG_INFO; notice ->
 * LOG_NOTICE; warning -> LOG_WARNING; error -> LOG_ERR; critical ->
 * LOG_CRIT.  Progress reports (xtl_progress) are not logged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "actor_internal.h"

struct mp_dlog {
    xentoollog_logger vtable; /* first: the logger is cast to it */
    xentoollog_level min;
    enum mp_log_sink sink;
    FILE *file;
    bool journal;
    bool tee;     /* syslog: warnings and errors on stderr too (a
                     daemon starting) */
    bool capture; /* keep the last error line instead of logging */
    char captured[512];
    char name[MEMPOLICY_ACTOR_MAX + 1];
};

static int priority(xentoollog_level l)
{
    switch (l) {
    case XTL_CRITICAL:
        return LOG_CRIT;
    case XTL_ERROR:
        return LOG_ERR;
    case XTL_WARN:
        return LOG_WARNING;
    case XTL_NOTICE:
        return LOG_NOTICE;
    case XTL_INFO:
    case XTL_PROGRESS:
        return LOG_INFO;
    default:
        return LOG_DEBUG;
    }
}

/* stderr is the journal's stream: JOURNAL_STREAM is "<dev>:<ino>". */
static bool stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;

    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
        fstat(STDERR_FILENO, &st))
        return false;
    return (unsigned long long)st.st_dev == dev &&
        (unsigned long long)st.st_ino == ino;
}

static void dlog_vmessage(xentoollog_logger *lg, xentoollog_level level,
                          int errnoval, const char *context, const char *fmt,
                          va_list ap)
{
    struct mp_dlog *d = (struct mp_dlog *)lg;
    char msg[1024], stamp[32] = "";
    const char *ctx = context && *context ? context : d->name;
    bool own = !strcmp(ctx, d->name);
    size_t n;

    if (level < d->min && !(d->capture && level >= XTL_ERROR))
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    if (errnoval >= 0 && n < sizeof(msg))
        snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnoval));
    if (d->capture) {
        if (level >= XTL_ERROR)
            snprintf(d->captured, sizeof(d->captured), "%s", msg);
        return;
    }

    switch (d->sink) {
    case MP_LOG_SYSLOG:
        /* The ident is the daemon's name: the context only if another. */
        syslog(priority(level), "%s%s%s: %s", own ? "" : ctx, own ? "" : ": ",
               xtl_level_to_string(level), msg);
        if (d->tee && level >= XTL_WARN)
            fprintf(stderr, "%s: %s: %s\n", ctx, xtl_level_to_string(level),
                    msg);
        break;
    case MP_LOG_FILE: {
        time_t now = time(NULL);
        struct tm tm;

        if (localtime_r(&now, &tm))
            strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S ", &tm);
        fprintf(d->file, "%s%s[%ld]: %s%s%s: %s\n", stamp, d->name,
                (long)getpid(), own ? "" : ctx, own ? "" : ": ",
                xtl_level_to_string(level), msg);
        fflush(d->file);
        break;
    }
    case MP_LOG_STDERR:
        if (d->journal)
            fprintf(stderr, "<%d>", priority(level));
        fprintf(stderr, "%s: %s: %s\n", ctx, xtl_level_to_string(level), msg);
        fflush(stderr);
        break;
    }
}

static void dlog_progress(xentoollog_logger *lg, const char *context,
                          const char *doing_what, int percent,
                          unsigned long done, unsigned long total)
{}

static void dlog_destroy(xentoollog_logger *lg)
{
    struct mp_dlog *d = (struct mp_dlog *)lg;

    if (d->file)
        fclose(d->file);
    if (d->sink == MP_LOG_SYSLOG)
        closelog();
    free(d);
}

xentoollog_logger *mp_dlog_new(const char *name, xentoollog_level min,
                               enum mp_log_sink sink, const char *file)
{
    struct mp_dlog *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->vtable.vmessage = dlog_vmessage;
    d->vtable.progress = dlog_progress;
    d->vtable.destroy = dlog_destroy;
    d->min = min;
    d->sink = sink;
    snprintf(d->name, sizeof(d->name), "%s", name);
    if (sink == MP_LOG_FILE) {
        d->file = fopen(file, "ae");
        if (!d->file) {
            free(d);
            return NULL;
        }
    } else if (sink == MP_LOG_SYSLOG) {
        /* The ident must outlive the logger: d->name does until
         * closelog() in dlog_destroy. */
        openlog(d->name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    } else {
        d->journal = stderr_is_journal();
    }
    return &d->vtable;
}

void mp_dlog_capture(xentoollog_logger *lg, bool on)
{
    struct mp_dlog *d = (struct mp_dlog *)lg;

    d->capture = on;
    if (on)
        d->captured[0] = '\0';
}

const char *mp_dlog_captured(xentoollog_logger *lg)
{
    return ((struct mp_dlog *)lg)->captured;
}

void mp_dlog_tee_stderr(xentoollog_logger *lg, bool on)
{
    ((struct mp_dlog *)lg)->tee = on;
}
