/*
 * validate.c: the pure validators for actor names and actor parameters,
 * and the one quoting of untrusted text for messages.
 *
 * They need no context so that commands can check their arguments before
 * connecting, and so that every writer in the library applies exactly the
 * same rules before anything reaches the store.  Nothing here allocates
 * except mempolicy_params_get(), which hands a copy to the caller.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int mempolicy_actor_name_valid(const char *actor, const char **canonical)
{
    size_t i, n;

    if (!actor)
        return MEMPOLICY_ERROR_INVAL;
    n = strlen(actor);
    /* Not "-h": a name must never read as a command-line option. */
    if (n > MEMPOLICY_ACTOR_MAX || actor[0] == '-')
        return MEMPOLICY_ERROR_INVAL;
    for (i = 0; i < n; i++) {
        char c = actor[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return MEMPOLICY_ERROR_INVAL;
    }
    if (canonical)
        *canonical = strcmp(actor, "xl") ? actor : "xl-auto";
    return 0;
}

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

int mempolicy_params_valid(const char *params)
{
    const char *p;

    if (!params)
        return MEMPOLICY_ERROR_INVAL;
    if (strlen(params) > MEMPOLICY_PARAMS_MAX)
        return MEMPOLICY_ERROR_INVAL;
    if (!*params)
        return 0;
    p = params;
    for (;;) {
        const char *k = p;

        while (key_char(*p))
            p++;
        if (p == k || *p != '=')
            return MEMPOLICY_ERROR_INVAL;
        p++;
        while (*p && *p != ',') {
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return MEMPOLICY_ERROR_INVAL;
            p++;
        }
        if (!*p)
            return 0;
        p++; /* ',' must be followed by another key=value */
    }
}

int mempolicy_params_get(const char *params, const char *key, char **value)
{
    size_t klen;
    const char *p;

    if (value)
        *value = NULL;
    if (!key || !value || mempolicy_params_valid(params))
        return MEMPOLICY_ERROR_INVAL;
    klen = strlen(key);
    p = params;
    while (*p) {
        const char *eq = strchr(p, '=');
        const char *end;

        /* validated above: every item has an '=' */
        end = strchr(eq, ',');
        if (!end)
            end = eq + strlen(eq);
        if ((size_t)(eq - p) == klen && !memcmp(p, key, klen)) {
            *value = strndup(eq + 1, (size_t)(end - eq - 1));
            return *value ? 0 : MEMPOLICY_ERROR_NOMEM;
        }
        p = *end ? end + 1 : end;
    }
    return MEMPOLICY_ERROR_INVAL;
}

const char *mempolicy_quote_n(const char *s, size_t max, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    char *o = buf;
    size_t i;

    if (!s) {
        strcpy(buf, "(null)");
        return buf;
    }
    for (i = 0; s[i] && i < max; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\\') {
            *o++ = '\\';
            *o++ = '\\';
        } else if (c >= 0x20 && c < 0x7f) {
            *o++ = (char)c;
        } else if (c == '\n' || c == '\t' || c == '\r' || c == 0x1b) {
            *o++ = '\\';
            *o++ = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : 'e';
        } else {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    if (s[i])
        o = stpcpy(o, "...");
    *o = '\0';
    return buf;
}

const char *mempolicy_quote(const char *s, char *buf)
{
    return mempolicy_quote_n(s, MEMPOLICY_QUOTE_CHARS, buf);
}
