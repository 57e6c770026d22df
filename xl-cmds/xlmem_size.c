/*
 * xlmem_size.c: memory sizes on the command line.
 *
 * The grammar is the library's (mempolicy_parse_size_kb: xl's, made
 * strict); this only turns a refusal into xlmem's one-line error naming
 * the size.  Kept apart from the rest so that the unit test
 * (tests/xlmem/test_size.c) links it alone.
 */
#include "xlmem.h"

int xlmem_parse_size_kb(const char *s, bool allow_sign, int64_t *kb,
                        bool *relative)
{
    char why[MEMPOLICY_QUOTE_BUF + 64];

    *relative = false;
    if (mempolicy_parse_size_kb(s, allow_sign ? MEMPOLICY_SIZE_SIGNED : 0, kb,
                                relative, why, sizeof(why))) {
        xlmem_err("invalid memory size '%s': %s", XQ(s), why);
        return -1;
    }
    return 0;
}
