/* hmap.c - open addressing with backward-shift deletion (no tombstones). */
#include "config.h"
#include "hmap.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *key;
    void *value;
    uint64_t hash;
} slot;

struct ec_hmap {
    slot *s;
    size_t cap; /* power of two */
    size_t n;
};

uint64_t ec_hash64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

ec_hmap *ec_hmap_new(void)
{
    ec_hmap *m = ec_xcalloc(1, sizeof *m);
    m->cap = 16;
    m->s = ec_xcalloc(m->cap, sizeof *m->s);
    return m;
}

void ec_hmap_free(ec_hmap *m, void (*free_value)(void *value))
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->s[i].key && free_value)
            free_value(m->s[i].value);
        free(m->s[i].key);
    }
    free(m->s);
    free(m);
}

static size_t find(const ec_hmap *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    while (m->s[i].key && (m->s[i].hash != h || strcmp(m->s[i].key, key) != 0))
        i = (i + 1) & mask;
    return i;
}

static void grow(ec_hmap *m)
{
    slot *old = m->s;
    size_t oldcap = m->cap;
    m->cap *= 2;
    m->s = ec_xcalloc(m->cap, sizeof *m->s);
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].key)
            continue;
        size_t j = (size_t)old[i].hash & (m->cap - 1);
        while (m->s[j].key)
            j = (j + 1) & (m->cap - 1);
        m->s[j] = old[i];
    }
    free(old);
}

void *ec_hmap_get(const ec_hmap *m, const char *key)
{
    size_t i = find(m, key, ec_hash64(key, strlen(key)));
    return m->s[i].key ? m->s[i].value : NULL;
}

void ec_hmap_put(ec_hmap *m, const char *key, void *value)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        grow(m);
    uint64_t h = ec_hash64(key, strlen(key));
    size_t i = find(m, key, h);
    if (!m->s[i].key) {
        m->s[i].key = ec_xstrdup(key);
        m->s[i].hash = h;
        m->n++;
    }
    m->s[i].value = value;
}

void *ec_hmap_del(ec_hmap *m, const char *key)
{
    size_t mask = m->cap - 1;
    size_t i = find(m, key, ec_hash64(key, strlen(key)));
    if (!m->s[i].key)
        return NULL;
    void *v = m->s[i].value;
    free(m->s[i].key);
    m->s[i].key = NULL;
    m->n--;
    /* shift back later entries of the run so probing stays correct */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->s[j].key)
            break;
        size_t home = (size_t)m->s[j].hash & mask;
        /* can the entry at j move to the hole at i? */
        int movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->s[i] = m->s[j];
            m->s[j].key = NULL;
            i = j;
        }
    }
    return v;
}

size_t ec_hmap_count(const ec_hmap *m)
{
    return m->n;
}
