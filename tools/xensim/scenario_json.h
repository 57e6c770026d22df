/*
 * scenario_json.h: a JSON tree that remembers the line of every value
 * and key, so that scenario errors can name them.  Parsed with yajl.
 */
#ifndef XENSIM_SCENARIO_JSON_H
#define XENSIM_SCENARIO_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
    enum jtype type;
    unsigned line;
    bool b;
    double num;
    char *str;              /* J_STR: the string; J_NUM: its text */
    struct jnode **items;   /* J_ARR, J_OBJ */
    char **keys;            /* J_OBJ */
    size_t n, cap;
};

/*
 * Parse text (comments allowed).  NULL on error, with "line N: what" in
 * err.
 */
struct jnode *json_parse(const char *text, size_t len, char *err,
                         size_t errlen);
void json_free(struct jnode *n);
/* Member of an object, or NULL. */
struct jnode *json_get(const struct jnode *obj, const char *key);

#endif
