/*
 * scenario_json.c: builds a JSON tree with line numbers from yajl's
 * callback parser.
 *
 * yajl_tree would be shorter, but it forgets where things were, and a
 * scenario error must name its line.  During a callback yajl has consumed
 * the input up to the end of the current token, so the line of a value
 * is the number of newlines before that point (counted incrementally, so
 * the whole parse stays linear).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "scenario_json.h"

#define MAX_DEPTH 64

struct ctx {
    yajl_handle h;
    const char *text;
    size_t scanned;
    unsigned line;
    struct jnode *root;
    struct jnode *stack[MAX_DEPTH];
    int depth;
    char *key;              /* pending object key */
    bool oom;
};

static unsigned cur_line(struct ctx *c)
{
    size_t upto = yajl_get_bytes_consumed(c->h);

    for (; c->scanned < upto; c->scanned++)
        if (c->text[c->scanned] == '\n')
            c->line++;
    return c->line;
}

static int add(struct ctx *c, struct jnode *n)
{
    struct jnode *top;

    if (!n) {
        c->oom = true;
        return 0;
    }
    n->line = cur_line(c);
    if (c->depth == 0) {
        c->root = n;
        return 1;
    }
    top = c->stack[c->depth - 1];
    if (top->n == top->cap) {
        size_t cap = top->cap ? top->cap * 2 : 4;
        struct jnode **it = realloc(top->items, cap * sizeof(*it));
        char **k = top->type == J_OBJ ? realloc(top->keys, cap * sizeof(*k))
                                      : NULL;

        if (it)
            top->items = it;
        if (k)
            top->keys = k;
        if (!it || (top->type == J_OBJ && !k)) {
            json_free(n);
            c->oom = true;
            return 0;
        }
        top->cap = cap;
    }
    if (top->type == J_OBJ) {
        top->keys[top->n] = c->key;
        c->key = NULL;
    }
    top->items[top->n++] = n;
    return 1;
}

static struct jnode *node(enum jtype t)
{
    struct jnode *n = calloc(1, sizeof(*n));

    if (n)
        n->type = t;
    return n;
}

static int cb_null(void *arg)
{
    return add(arg, node(J_NULL));
}

static int cb_bool(void *arg, int b)
{
    struct jnode *n = node(J_BOOL);

    if (n)
        n->b = b;
    return add(arg, n);
}

static int cb_number(void *arg, const char *s, size_t len)
{
    struct jnode *n = node(J_NUM);

    if (n) {
        n->str = strndup(s, len);
        if (!n->str) {
            free(n);
            n = NULL;
        } else {
            n->num = strtod(n->str, NULL);
        }
    }
    return add(arg, n);
}

static int cb_string(void *arg, const unsigned char *s, size_t len)
{
    struct jnode *n = node(J_STR);

    if (n) {
        n->str = strndup((const char *)s, len);
        if (!n->str || strlen(n->str) != len) {
            /* An embedded NUL: refuse rather than truncate silently. */
            free(n->str);
            free(n);
            return 0;
        }
    }
    return add(arg, n);
}

static int open_container(struct ctx *c, enum jtype t)
{
    struct jnode *n = node(t);

    if (c->depth == MAX_DEPTH) {
        free(n);
        return 0;
    }
    if (!add(c, n))
        return 0;
    c->stack[c->depth++] = n;
    return 1;
}

static int cb_start_map(void *arg)
{
    return open_container(arg, J_OBJ);
}

static int cb_start_array(void *arg)
{
    return open_container(arg, J_ARR);
}

static int cb_end(void *arg)
{
    struct ctx *c = arg;

    c->depth--;
    return 1;
}

static int cb_key(void *arg, const unsigned char *s, size_t len)
{
    struct ctx *c = arg;

    free(c->key);
    c->key = strndup((const char *)s, len);
    if (!c->key)
        c->oom = true;
    return c->key != NULL;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_bool,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

struct jnode *json_parse(const char *text, size_t len, char *err,
                         size_t errlen)
{
    struct ctx c = { .text = text, .line = 1 };
    yajl_status st;

    c.h = yajl_alloc(&callbacks, NULL, &c);
    if (!c.h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    yajl_config(c.h, yajl_allow_comments, 1);
    st = yajl_parse(c.h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(c.h);
    if (st != yajl_status_ok || c.oom || !c.root) {
        if (c.oom) {
            snprintf(err, errlen, "out of memory");
        } else if (st == yajl_status_ok) {
            snprintf(err, errlen, "line 1: empty document");
        } else {
            unsigned char *msg = yajl_get_error(c.h, 0, NULL, 0);
            char *nl;

            cur_line(&c);
            nl = strchr((char *)msg, '\n');
            if (nl)
                *nl = 0;
            snprintf(err, errlen, "line %u: %s", c.line, (char *)msg);
            yajl_free_error(c.h, msg);
        }
        json_free(c.root);
        free(c.key);
        yajl_free(c.h);
        return NULL;
    }
    free(c.key);
    yajl_free(c.h);
    return c.root;
}

void json_free(struct jnode *n)
{
    size_t i;

    if (!n)
        return;
    for (i = 0; i < n->n; i++) {
        json_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->str);
    free(n);
}

struct jnode *json_get(const struct jnode *obj, const char *key)
{
    size_t i;

    if (!obj || obj->type != J_OBJ)
        return NULL;
    for (i = obj->n; i-- > 0;)
        if (!strcmp(obj->keys[i], key))
            return obj->items[i];
    return NULL;
}
