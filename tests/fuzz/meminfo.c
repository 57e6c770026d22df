/*
 * meminfo.c: fuzzes what a guest reports about its memory, taken as the
 * untrusted input it is: the library's one parser of memory/meminfo (one
 * decimal number, used kB, as Qubes' meminfo-writer writes it) and
 * memory/pressure ("some avg10", at most two decimals),
 * mempolicy_meminfo_parse / mempolicy_pressure_parse (the balance actor
 * and xlmem mem-top read reports with them), and the balance actor's
 * guard that ignores a guest flooding reports or writing garbage
 * (actors/balance/report.c).
 *
 * Input: a sequence of events, each an op byte then its bytes:
 *   op % 3 == 0: a meminfo report: a length byte (0..31), then the value;
 *   op % 3 == 1: a pressure report: same;
 *   (for both, op bit 3 set: no `why` asked for)
 *   op % 3 == 2: the clock moves on by a little-endian 16-bit ms count.
 * A report goes through the guard as the actor does (br_admit, then the
 * parser, br_strike on garbage).  Values are handed over in a buffer of
 * exactly their length, with no NUL after them, as a store read may be.
 * Checked besides the sanitizers: each parser agrees with an independent
 * restatement of its format, a pressure is within 0..100.00 %, the guard
 * never admits more than BR_FLOOD_MAX reports in a 1 s window and never
 * ignores a guest for longer than BR_PENALTY_MAX_MS.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmempolicy.h>

#include "report.h"

/* used kB: 1..20 digits whose value fits 64 bits. */
static bool used_ok(const char *v, unsigned len, uint64_t *kb)
{
    unsigned __int128 n = 0;
    unsigned i;

    if (!len || len > 20)
        return false;
    for (i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        n = n * 10 + (unsigned)(v[i] - '0');
    }
    /* The parser stops one step early near the top: it refuses the
     * last few values below 2^64 (18446744073709551610 and up), far
     * beyond any memory, rather than risk the overflow. */
    if (n / 10 > (UINT64_MAX - 9) / 10)
        return false;
    *kb = (uint64_t)n;
    return true;
}

/* pressure: D+[.D{1,2}], at most 6 bytes, at most 100.00. */
static bool psi_ok(const char *v, unsigned len, unsigned *x100)
{
    unsigned i = 0, n = 0, frac = 0, fd = 0;

    if (!len || len > 6)
        return false;
    while (i < len && v[i] >= '0' && v[i] <= '9')
        n = n * 10 + (unsigned)(v[i++] - '0');
    if (!i)
        return false;
    if (i < len) {
        if (v[i++] != '.')
            return false;
        while (i < len && fd < 2 && v[i] >= '0' && v[i] <= '9') {
            frac = frac * 10 + (unsigned)(v[i++] - '0');
            fd++;
        }
        if (!fd || i < len)
            return false;
        if (fd == 1)
            frac *= 10;
    }
    if (n * 100 + frac > 10000)
        return false;
    *x100 = n * 100 + frac;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct br_guard g;
    uint64_t now = 1000, win_start = 0, kb, want_kb;
    unsigned win_n = 0, x100, want_x100;
    size_t off = 0;

    if (size > 4096)
        return -1;
    memset(&g, 0, sizeof(g));
    while (off < size) {
        uint8_t op = data[off++];

        if (op % 3 == 2) {
            if (off + 2 > size)
                break;
            now += (uint64_t)data[off] | (uint64_t)data[off + 1] << 8;
            off += 2;
            continue;
        }
        if (off >= size)
            break;
        unsigned len = data[off++] & 31;
        const char *why = NULL;
        char *v;
        bool admitted;
        int rc;

        if (len > size - off)
            len = (unsigned)(size - off);
        v = malloc(len ? len : 1);
        if (!v)
            abort();
        memcpy(v, data + off, len);
        off += len;

        admitted = br_admit(&g, now);
        if (admitted) {
            if (now - win_start >= 1000) {
                win_start = now;
                win_n = 0;
            }
            if (++win_n > BR_FLOOD_MAX)
                abort();
        }
        if (br_ignored(&g, now) && g.ignore_until_ms - now > BR_PENALTY_MAX_MS)
            abort();
        if (!admitted) {
            free(v);
            continue;
        }
        if (op % 3 == 0) {
            rc = mempolicy_meminfo_parse(len ? v : NULL, len, &kb,
                                         op & 8 ? NULL : &why);
            if ((rc == 0) != used_ok(v, len, &want_kb))
                abort();
            if (rc == 0 && kb != want_kb)
                abort();
        } else {
            rc = mempolicy_pressure_parse(len ? v : NULL, len, &x100,
                                          op & 8 ? NULL : &why);
            if ((rc == 0) != psi_ok(v, len, &want_x100))
                abort();
            if (rc == 0 && x100 != want_x100)
                abort();
        }
        if (rc && (rc != MEMPOLICY_ERROR_INVAL || (!(op & 8) && !why)))
            abort();
        if (rc) {
            if (!why)
                why = "garbage";
            br_strike(&g, now, why);
            if (!br_ignored(&g, now))
                abort();
        }
        if (br_may_log(&g, now) && g.last_log_ms == 0)
            abort();
        free(v);
    }
    return 0;
}
