/*
 * ht.h: a string-keyed hash table, private to xensim's store.
 *
 * The store looks nodes, watches and transaction entries up by their
 * full path, so one small chained table with owned key copies serves all
 * of them.  Lookups and updates are O(1) on average; the table doubles
 * when it holds more entries than buckets.
 */
#ifndef XENSIM_HT_H
#define XENSIM_HT_H

#include <stdbool.h>

struct ht;

struct ht *ht_new(void);
/* Frees the table; free_val (may be NULL) is called on every value. */
void ht_free(struct ht *h, void (*free_val)(void *));
void *ht_get(const struct ht *h, const char *key);
/* Insert or replace; returns the previous value (NULL if none) in *old. */
int ht_put(struct ht *h, const char *key, void *val, void **old);
/* Remove key; returns its value or NULL. */
void *ht_del(struct ht *h, const char *key);
unsigned ht_count(const struct ht *h);

/*
 * Iterate: pass *pos = 0 first; returns false at the end.  The table must
 * not be changed during an iteration.
 */
bool ht_next(const struct ht *h, unsigned long *pos, const char **key,
             void **val);

#endif
