/* ledger_index.c - the ledger's compact in-memory tables: the sharded
 * result index (8 bytes per res record) and a small 64-bit map. */
#include "config.h"
#include "ledger_int.h"

#include <stdlib.h>
#include <string.h>

#define FP_MASK ((1u << EC_LX_FP_BITS) - 1)
#define MIN_CAP 16u

/* Load factor: tables are sized for 85% and grow by half at 90%. Linear
 * probing stays short at these loads because probes walk adjacent slots. */
#define SIZE_LOAD 0.85
#define GROW_LOAD 0.90

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

uint64_t ec_ledger_hash(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0x100000001b3ull);
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ mix(w)) * 0x9e3779b97f4a7c15ull;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return mix(h ^ mix(w ^ 0x632be59bd9b4e019ull));
}

static unsigned shard_of(uint64_t h)
{
    return (unsigned)(h >> 56);
}

static uint32_t fp_of(uint64_t h)
{
    return (uint32_t)(h >> 20) & FP_MASK;
}

static uint32_t home(uint32_t fp, uint32_t cap)
{
    return (uint32_t)(((uint64_t)fp * cap) >> EC_LX_FP_BITS);
}

static void shard_alloc(ec_lx_shard *s, uint32_t cap)
{
    s->slot = ec_xcalloc(cap, sizeof *s->slot);
    s->cap = cap;
}

void ec_lindex_init(ec_lindex *x, uint64_t expect)
{
    memset(x, 0, sizeof *x);
    uint64_t per = (uint64_t)((double)expect / EC_LX_SHARDS / SIZE_LOAD) + 1;
    uint32_t cap = per < MIN_CAP ? MIN_CAP : per > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)per;
    for (int i = 0; i < EC_LX_SHARDS; i++)
        shard_alloc(&x->sh[i], cap);
}

void ec_lindex_free(ec_lindex *x)
{
    for (int i = 0; i < EC_LX_SHARDS; i++)
        free(x->sh[i].slot);
    memset(x, 0, sizeof *x);
}

static void put_slot(ec_lx_shard *s, uint64_t v)
{
    uint32_t i = home((uint32_t)(v & FP_MASK), s->cap);
    while (s->slot[i])
        i = i + 1 == s->cap ? 0 : i + 1;
    s->slot[i] = v;
    s->n++;
}

static void shard_grow(ec_lx_shard *s)
{
    ec_lx_shard old = *s;
    uint32_t cap = old.cap + old.cap / 2;
    shard_alloc(s, cap < MIN_CAP ? MIN_CAP : cap);
    s->n = 0;
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.slot[i])
            put_slot(s, old.slot[i]);
    free(old.slot);
}

int ec_lindex_add(ec_lindex *x, uint64_t hash, uint64_t loc)
{
    if (loc == 0 || loc >> EC_LX_LOC_BITS)
        return -1;
    ec_lx_shard *s = &x->sh[shard_of(hash)];
    if ((double)(s->n + 1) > GROW_LOAD * s->cap)
        shard_grow(s);
    put_slot(s, loc << EC_LX_FP_BITS | fp_of(hash));
    x->n++;
    return 0;
}

size_t ec_lindex_find(const ec_lindex *x, uint64_t hash, uint64_t *out, size_t max)
{
    const ec_lx_shard *s = &x->sh[shard_of(hash)];
    uint32_t fp = fp_of(hash);
    size_t n = 0;
    for (uint32_t i = home(fp, s->cap); s->slot[i]; i = i + 1 == s->cap ? 0 : i + 1) {
        if ((s->slot[i] & FP_MASK) != fp)
            continue;
        if (n < max)
            out[n] = s->slot[i] >> EC_LX_FP_BITS;
        n++;
    }
    return n;
}

uint64_t ec_lindex_bytes(const ec_lindex *x)
{
    uint64_t b = 0;
    for (int i = 0; i < EC_LX_SHARDS; i++)
        b += (uint64_t)x->sh[i].cap * sizeof(uint64_t);
    return b;
}

/* ------------------------------------------------------------------ map */

static size_t map_slot(const ec_lmap *m, uint64_t key)
{
    size_t i = (size_t)(mix(key) & (m->cap - 1));
    while (m->k[i] && m->k[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

void ec_lmap_put(ec_lmap *m, uint64_t key, uint64_t val)
{
    if (key == 0)
        key = 1;
    if ((m->n + 1) * 4 > m->cap * 3) {
        ec_lmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->k = ec_xcalloc(m->cap, sizeof *m->k);
        m->v = ec_xcalloc(m->cap, sizeof *m->v);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.k[i])
                ec_lmap_put(m, old.k[i], old.v[i]);
        free(old.k);
        free(old.v);
    }
    size_t i = map_slot(m, key);
    if (!m->k[i]) {
        m->k[i] = key;
        m->n++;
    }
    m->v[i] = val;
}

int ec_lmap_get(const ec_lmap *m, uint64_t key, uint64_t *val)
{
    if (key == 0)
        key = 1;
    if (!m->cap)
        return 0;
    size_t i = map_slot(m, key);
    if (!m->k[i])
        return 0;
    *val = m->v[i];
    return 1;
}

void ec_lmap_free(ec_lmap *m)
{
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}
