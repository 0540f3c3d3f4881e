/* hmap.h - a string-keyed hash map (open addressing, linear probing).
 * Keys are copied; values are borrowed pointers the caller manages. */
#ifndef EC_HMAP_H
#define EC_HMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ec_hmap ec_hmap;

ec_hmap *ec_hmap_new(void);
/* Free the map and its key copies; free_value (may be NULL) is called on
 * every value still in it. NULL-safe. */
void ec_hmap_free(ec_hmap *m, void (*free_value)(void *value));
/* Value for key, or NULL. */
void *ec_hmap_get(const ec_hmap *m, const char *key);
/* Insert or replace; value must not be NULL. */
void ec_hmap_put(ec_hmap *m, const char *key, void *value);
/* Remove key; returns its value or NULL. */
void *ec_hmap_del(ec_hmap *m, const char *key);
size_t ec_hmap_count(const ec_hmap *m);
/* 64-bit FNV-1a-style hash with a final mix, stable across runs. */
uint64_t ec_hash64(const void *data, size_t len);

#endif
