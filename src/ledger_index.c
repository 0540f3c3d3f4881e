/* ledger_index.c - the ledger's compact tables: the sharded result index
 * (8 bytes per res record, in memory or, for large journals, in an unlinked
 * temporary file read with pread) and a small 64-bit map. */
#include "config.h"
#include "ledger_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FP_MASK ((1u << EC_LX_FP_BITS) - 1)
#define MIN_CAP 16u

/* Load factor: tables are sized for 85% and grow by half at 90%. Linear
 * probing stays short at these loads because probes walk adjacent slots. */
#define SIZE_LOAD 0.85
#define GROW_LOAD 0.90

/* Journals with at least this many records get a disk index: below it the
 * whole index takes under about 2.4 MiB of memory. */
#define SPILL_MIN_DEFAULT 262144u

static uint64_t spill_min = SPILL_MIN_DEFAULT;

#define BUILD_BYTES_DEFAULT (1u << 20)

static size_t build_bytes = BUILD_BYTES_DEFAULT;

uint64_t ec_lindex_spill_min(void)
{
    return spill_min;
}

void ec_lindex_set_spill_min(uint64_t n)
{
    spill_min = n ? n : SPILL_MIN_DEFAULT;
}

void ec_lindex_set_build_bytes(size_t n)
{
    build_bytes = n ? n : BUILD_BYTES_DEFAULT;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* Two lanes of eight bytes, sixteen a step: their multiplies do not wait
 * on each other. The last step reads the last 16 bytes, overlapping what
 * came before (8 to 16 bytes in all: the first and the last 8); under 8
 * bytes, one word of them. Mixed at the end. (EC_L_HASH names this function in
 * snapshots: change it with the function.) */
uint64_t ec_ledger_hash(const void *data, size_t n)
{
    const unsigned char *p = data;
    const uint64_t k1 = 0x9e3779b97f4a7c15ull, k2 = 0xc2b2ae3d27d4eb4full;
    uint64_t a = k1 ^ (n * 0x100000001b3ull), b = k2 + n, w0 = 0, w1 = 0x632be59bd9b4e019ull;
    if (n > 16) {
        const unsigned char *e = p + n;
        for (; e - p > 16; p += 16) {
            memcpy(&w0, p, 8);
            memcpy(&w1, p + 8, 8);
            a = (a ^ w0) * k1;
            b = (b ^ w1) * k2;
            a ^= a >> 29;
            b ^= b >> 31;
        }
        memcpy(&w0, e - 16, 8);
        memcpy(&w1, e - 8, 8);
    } else if (n >= 8) {
        memcpy(&w0, p, 8);
        memcpy(&w1, p + n - 8, 8);
    } else {
        for (size_t i = 0; i < n; i++)
            w0 |= (uint64_t)p[i] << (8 * i);
    }
    a = (a ^ w0) * k1;
    b = (b ^ w1) * k2;
    return mix(a ^ mix(b ^ (a >> 32)));
}

static unsigned shard_of(uint64_t h)
{
    return (unsigned)(h >> 56);
}

static uint32_t fp_of(uint64_t h)
{
    return (uint32_t)(h >> 20) & FP_MASK;
}

/* 32 more bits of the hash, from those shard_of() and fp_of() leave out:
 * the disk log keeps them with each entry so that the seal can tell two
 * entries of one key from two keys that merely share a fingerprint (about
 * 15,000 of a million keys do, and each such key would otherwise cost a
 * replay a probe of the disk tables and a random frame read). All ones
 * means unknown (an entry spilled from memory, see spill_late()). */
#define CHECK_UNKNOWN 0xffffffffu

static uint32_t check_of(uint64_t h)
{
    uint32_t c = (uint32_t)(h & 0xfffffu) | (uint32_t)((h >> 38) & 0xfffu) << 20;
    return c == CHECK_UNKNOWN ? c - 1 : c;
}

/* The dups map's key for (shard, fingerprint, check): exact, or coarse
 * (any check) for an entry whose check is unknown. Never 0. */
static uint64_t dup_key(unsigned shard, uint32_t fp, uint32_t check)
{
    uint64_t k = 1ull << 63 | (uint64_t)shard << 50 | (uint64_t)fp << 32;
    return check == CHECK_UNKNOWN ? k | 1ull << 62 : k | check;
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

static void shards_init(ec_lindex *x, uint64_t expect)
{
    x->mem_n = 0;
    uint64_t per = (uint64_t)((double)expect / EC_LX_SHARDS / SIZE_LOAD) + 1;
    uint32_t cap = per < MIN_CAP ? MIN_CAP : per > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)per;
    for (int i = 0; i < EC_LX_SHARDS; i++)
        shard_alloc(&x->sh[i], cap);
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

static void memory_put(void *ctx, unsigned shard, uint64_t v, uint32_t check)
{
    (void)check;
    ((ec_lindex *)ctx)->mem_n++;
    ec_lx_shard *s = &((ec_lindex *)ctx)->sh[shard];
    if ((double)(s->n + 1) > GROW_LOAD * s->cap)
        shard_grow(s);
    put_slot(s, v);
}

/* ------------------------------------------------------------------ disk tables */

#define ENTRY 13            /* a collected entry: slot value (8 bytes), shard, check (4) */
#define WBUF (ENTRY * 5041) /* about 64 KiB */
#define PROBE 16            /* slots read by one pread while probing */

static void entry_put(unsigned char *e, unsigned shard, uint64_t v, uint32_t check)
{
    memcpy(e, &v, 8);
    e[8] = (unsigned char)shard;
    memcpy(e + 9, &check, 4);
}

/* An entry's shard; its slot value and check bits to *v and *check. */
static unsigned entry_get(const unsigned char *e, uint64_t *v, uint32_t *check)
{
    memcpy(v, e, 8);
    memcpy(check, e + 9, 4);
    return e[8];
}

struct ec_lx_disk {
    char *dir;           /* where the files go (NULL: $TMPDIR or /tmp) */
    int log, tab;        /* collected entries; built tables (both unlinked) */
    unsigned char *wbuf; /* collected entries not yet written */
    size_t wlen;
    uint64_t logn; /* entries collected, written or not */
    uint32_t cnt[EC_LX_SHARDS];
    uint64_t base[EC_LX_SHARDS]; /* first slot of each shard's table in tab */
    uint32_t cap[EC_LX_SHARDS];
    ec_lmap dups; /* dup_key()s of entries that may be one key's */
    int coarse;   /* dups holds coarse keys */
    int sealed;
};

/* An unlinked temporary file in dir, or -1. */
static int tmp_in(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    ec_buf p = {0};
    ec_buf_printf(&p, "%s/.enrichcsv-index.XXXXXX", dir);
    fd = mkostemp(p.p, O_CLOEXEC);
    if (fd >= 0)
        unlink(p.p);
    ec_buf_free(&p);
    return fd;
}

static int tmp_file(const ec_lx_disk *d)
{
    const char *t = getenv("TMPDIR");
    int fd = d->dir ? tmp_in(d->dir) : -1;
    if (fd < 0 && t && *t)
        fd = tmp_in(t);
    return fd < 0 ? tmp_in("/tmp") : fd;
}

static void disk_free(ec_lx_disk *d)
{
    if (!d)
        return;
    if (d->log >= 0)
        close(d->log);
    if (d->tab >= 0)
        close(d->tab);
    free(d->wbuf);
    free(d->dir);
    ec_lmap_free(&d->dups);
    free(d);
}

static ec_lx_disk *disk_new(const char *near)
{
    ec_lx_disk *d = ec_xcalloc(1, sizeof *d);
    const char *slash = near ? strrchr(near, '/') : NULL;
    if (near)
        d->dir = slash ? ec_xstrndup(near, (size_t)(slash - near) + 1) : ec_xstrdup(".");
    d->tab = -1;
    d->log = tmp_file(d);
    if (d->log < 0) {
        disk_free(d);
        return NULL;
    }
    d->wbuf = ec_xmalloc(WBUF);
    return d;
}

static int log_flush(ec_lx_disk *d)
{
    uint64_t at = d->logn - d->wlen / ENTRY; /* entries already in the file */
    if (d->wlen && ec_pwrite_full(d->log, d->wbuf, d->wlen, at * ENTRY) < 0)
        return -1;
    d->wlen = 0;
    return 0;
}

/* 1: collected; 0: sealed, the caller keeps it in memory; -1: write error. */
static int disk_add(ec_lx_disk *d, unsigned shard, uint64_t v, uint32_t check)
{
    if (d->sealed)
        return 0;
    if (d->wlen + ENTRY > WBUF && log_flush(d) < 0)
        return -1;
    entry_put(d->wbuf + d->wlen, shard, v, check);
    d->wlen += ENTRY;
    d->logn++;
    d->cnt[shard]++;
    return 1;
}

typedef void put_fn(void *ctx, unsigned shard, uint64_t v, uint32_t check);

/* Call fn for the n entries of the log file from entry first whose shard
 * is in [s0, s1), read in WBUF chunks. */
static int log_range(const ec_lx_disk *d, uint64_t first, uint64_t n, unsigned s0, unsigned s1,
                     put_fn *fn, void *ctx)
{
    unsigned char *buf = ec_xmalloc(WBUF);
    int rc = 0;
    for (uint64_t at = 0; at < n && rc == 0;) {
        uint64_t k = n - at < WBUF / ENTRY ? n - at : WBUF / ENTRY;
        rc = ec_pread_full(d->log, buf, (size_t)k * ENTRY, (first + at) * ENTRY);
        for (uint64_t i = 0; i < k && rc == 0; i++) {
            uint64_t v;
            uint32_t check;
            unsigned shard = entry_get(buf + i * ENTRY, &v, &check);
            if (shard >= s0 && shard < s1)
                fn(ctx, shard, v, check);
        }
        at += k;
    }
    free(buf);
    return rc;
}

/* The tables of shards [s0, s1) being built: slots, and beside them the
 * check bits of their entries (only while building). */
typedef struct group {
    ec_lx_disk *d;
    unsigned s0, s1;
    uint64_t *t;
    uint32_t *c;
} group;

/* Entries with the same fingerprint share a home slot, so inserting one
 * walks over the others: those with the same check bits too (keys answered
 * twice, and the rare full collisions) are remembered. */
static void group_put(void *ctx, unsigned shard, uint64_t v, uint32_t check)
{
    group *g = ctx;
    if (shard < g->s0 || shard >= g->s1)
        return;
    uint64_t at = g->d->base[shard] - g->d->base[g->s0];
    uint64_t *t = g->t + at;
    uint32_t *c = g->c + at;
    uint32_t cap = g->d->cap[shard], fp = (uint32_t)(v & FP_MASK);
    uint32_t i = home(fp, cap);
    int same = 0, dup = 0, unknown = check == CHECK_UNKNOWN;
    for (; t[i]; i = i + 1 == cap ? 0 : i + 1) {
        if ((t[i] & FP_MASK) != fp)
            continue;
        same = 1;
        dup |= c[i] == check;
        unknown |= c[i] == CHECK_UNKNOWN;
    }
    t[i] = v;
    c[i] = check;
    if (same && unknown) { /* an unknown check may be anyone's */
        ec_lmap_put(&g->d->dups, dup_key(shard, fp, CHECK_UNKNOWN), 1);
        g->d->coarse = 1;
    } else if (dup) {
        ec_lmap_put(&g->d->dups, dup_key(shard, fp, check), 1);
    }
}

/* Build and write the tables of shards [s0, s1) from the log entries
 * [first, first + n) (those of other shards are passed over). */
static int build_group(ec_lx_disk *d, unsigned s0, unsigned s1, uint64_t first, uint64_t n)
{
    uint64_t slots = d->base[s1 - 1] + d->cap[s1 - 1] - d->base[s0];
    if (!slots)
        return 0;
    group g = {d, s0, s1, ec_xcalloc(slots, sizeof(uint64_t)), ec_xmalloc(slots * 4)};
    int rc = log_range(d, first, n, s0, s1, group_put, &g);
    if (rc == 0)
        rc = ec_pwrite_full(d->tab, g.t, slots * 8, d->base[s0] * 8);
    free(g.t);
    free(g.c);
    return rc;
}

/* Sorting the log by group of shards: each entry to its group's part of a
 * second copy of the log (after the first), through a buffer per group. */
typedef struct parts {
    ec_lx_disk *d;
    unsigned gid[EC_LX_SHARDS]; /* group of each shard */
    uint64_t *next;             /* per group: next entry index to write */
    unsigned char *buf;         /* per group: per entries */
    uint32_t *fill, per;
    int err;
} parts;

static int part_flush(parts *p, unsigned g)
{
    int rc = p->fill[g] ? ec_pwrite_full(p->d->log, p->buf + (uint64_t)g * p->per * ENTRY,
                                         (size_t)p->fill[g] * ENTRY, p->next[g] * ENTRY)
                        : 0;
    p->next[g] += p->fill[g];
    p->fill[g] = 0;
    return rc;
}

static void part_put(void *ctx, unsigned shard, uint64_t v, uint32_t check)
{
    parts *p = ctx;
    unsigned g = p->gid[shard];
    if (p->fill[g] == p->per && part_flush(p, g) < 0)
        p->err = 1;
    entry_put(p->buf + ((uint64_t)g * p->per + p->fill[g]++) * ENTRY, shard, v, check);
}

/* The tables, a group of shards at a time, each in at most
 * build_bytes of memory (or one shard's table). With one group, one
 * pass over the log; with more, the log is first sorted by group (one pass
 * writing a second copy), then each group reads just its part. */
static int build_tables(ec_lx_disk *d)
{
    uint64_t total = 0;
    for (unsigned s = 0; s < EC_LX_SHARDS; s++) {
        d->cap[s] = d->cnt[s] ? d->cnt[s] + d->cnt[s] / 3 + 8 : 0; /* load <= 3/4 */
        d->base[s] = total;
        total += d->cap[s];
    }
    unsigned gs[EC_LX_SHARDS + 1], ng = 0; /* group k: shards [gs[k], gs[k + 1]) */
    for (unsigned s0 = 0, s1; s0 < EC_LX_SHARDS; s0 = s1) {
        uint64_t slots = d->cap[s0];
        for (s1 = s0 + 1; s1 < EC_LX_SHARDS && (slots + d->cap[s1]) * 12 <= build_bytes; s1++)
            slots += d->cap[s1];
        gs[ng++] = s0;
    }
    gs[ng] = EC_LX_SHARDS;
    if (ng == 1)
        return build_group(d, 0, EC_LX_SHARDS, 0, d->logn);
    parts p = {.d = d};
    uint64_t *first = ec_xmalloc((ng + 1) * sizeof *first);
    first[0] = d->logn; /* the sorted copy follows the log */
    for (unsigned g = 0; g < ng; g++) {
        uint64_t n = 0;
        for (unsigned s = gs[g]; s < gs[g + 1]; s++) {
            p.gid[s] = g;
            n += d->cnt[s];
        }
        first[g + 1] = first[g] + n;
    }
    p.next = ec_xmalloc(ng * sizeof *p.next);
    memcpy(p.next, first, ng * sizeof *p.next);
    p.fill = ec_xcalloc(ng, sizeof *p.fill);
    p.per = (uint32_t)(build_bytes / ENTRY / ng);
    if (p.per < 8)
        p.per = 8;
    p.buf = ec_xmalloc((size_t)ng * p.per * ENTRY);
    int rc = log_range(d, 0, d->logn, 0, EC_LX_SHARDS, part_put, &p);
    for (unsigned g = 0; g < ng && rc == 0; g++)
        rc = part_flush(&p, g);
    if (p.err)
        rc = -1;
    free(p.buf);
    free(p.fill);
    free(p.next);
    for (unsigned g = 0; g < ng && rc == 0; g++)
        rc = build_group(d, gs[g], gs[g + 1], first[g], first[g + 1] - first[g]);
    free(first);
    return rc;
}

/* Back to memory (the disk failed): load the log and the unwritten entries.
 * 0, or -1 when the log cannot be read (its entries are lost). */
static int unspill(ec_lindex *x)
{
    ec_lx_disk *d = x->disk;
    int e = errno;
    uint64_t pending = d->wlen / ENTRY;
    int rc = log_range(d, 0, d->logn - pending, 0, EC_LX_SHARDS, memory_put, x);
    for (uint64_t i = 0; i < pending; i++) {
        uint64_t v;
        uint32_t check;
        unsigned shard = entry_get(d->wbuf + i * ENTRY, &v, &check);
        memory_put(x, shard, v, check);
    }
    x->disk = NULL;
    x->collecting = 0;
    disk_free(d);
    errno = e;
    return rc;
}

static size_t disk_find(const ec_lx_disk *d, uint64_t hash, uint64_t *out, size_t max, size_t n)
{
    unsigned s = shard_of(hash);
    uint32_t cap = d->cap[s], fp = fp_of(hash);
    if (!d->sealed || !cap)
        return n;
    uint64_t chunk[PROBE];
    uint32_t i = home(fp, cap);
    for (uint32_t seen = 0; seen < cap;) {
        uint32_t k = cap - i < PROBE ? cap - i : PROBE;
        if (ec_pread_full(d->tab, chunk, k * sizeof *chunk, (d->base[s] + i) * 8) < 0)
            return SIZE_MAX;
        for (uint32_t j = 0; j < k; j++) {
            if (!chunk[j])
                return n;
            if ((chunk[j] & FP_MASK) != fp)
                continue;
            if (n < max)
                out[n] = chunk[j] >> EC_LX_FP_BITS;
            n++;
        }
        seen += k;
        i = i + k == cap ? 0 : i + k;
    }
    return n;
}

/* ------------------------------------------------------------------ index */

void ec_lindex_init(ec_lindex *x, uint64_t expect, const char *near)
{
    memset(x, 0, sizeof *x);
    x->collecting = 1;
    x->near = near ? ec_xstrdup(near) : NULL;
    if (expect >= spill_min && (x->disk = disk_new(near)) != NULL)
        expect = 0; /* the journal's entries go to disk; memory holds this run's */
    shards_init(x, expect < spill_min ? expect : spill_min);
}

/* More entries than expected before the seal: move them to a disk log. */
static void spill_late(ec_lindex *x)
{
    x->collecting = 0; /* one try */
    ec_lx_disk *d = disk_new(x->near);
    if (!d)
        return;
    for (unsigned s = 0; s < EC_LX_SHARDS; s++)
        for (uint32_t i = 0; i < x->sh[s].cap; i++)
            if (x->sh[s].slot[i] && disk_add(d, s, x->sh[s].slot[i], CHECK_UNKNOWN) < 0) {
                disk_free(d);
                return;
            }
    for (int i = 0; i < EC_LX_SHARDS; i++)
        free(x->sh[i].slot);
    shards_init(x, 0);
    x->disk = d;
}

int ec_lindex_seal(ec_lindex *x)
{
    ec_lx_disk *d = x->disk;
    x->collecting = 0;
    if (!d || d->sealed)
        return 0;
    if (log_flush(d) < 0 || (d->tab = tmp_file(d)) < 0 || build_tables(d) < 0)
        return unspill(x);
    close(d->log);
    d->log = -1;
    free(d->wbuf);
    d->wbuf = NULL;
    d->sealed = 1;
    return 0;
}

void ec_lindex_free(ec_lindex *x)
{
    for (int i = 0; i < EC_LX_SHARDS; i++)
        free(x->sh[i].slot);
    disk_free(x->disk);
    free(x->near);
    memset(x, 0, sizeof *x);
}

int ec_lindex_add(ec_lindex *x, uint64_t hash, uint64_t loc)
{
    if (loc == 0 || loc >> EC_LX_LOC_BITS)
        return -1;
    if (!x->disk && x->collecting && x->n + 1 >= spill_min)
        spill_late(x);
    uint64_t v = loc << EC_LX_FP_BITS | fp_of(hash);
    int r = x->disk ? disk_add(x->disk, shard_of(hash), v, check_of(hash)) : 0;
    if (r < 0 && unspill(x) < 0)
        return -1;
    x->n++;
    if (r <= 0)
        memory_put(x, shard_of(hash), v, 0);
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
    return x->disk ? disk_find(x->disk, hash, out, max, n) : n;
}

int ec_lindex_unique(const ec_lindex *x, uint64_t hash)
{
    const ec_lx_shard *s = &x->sh[shard_of(hash)];
    uint32_t fp = fp_of(hash);
    int n = 0;
    for (uint32_t i = home(fp, s->cap); x->mem_n && s->slot[i] && n < 2;
         i = i + 1 == s->cap ? 0 : i + 1)
        n += (s->slot[i] & FP_MASK) == fp;
    if (!x->disk)
        return n <= 1;
    uint64_t one;
    const ec_lx_disk *d = x->disk;
    return n == 0 && d->sealed &&
           !ec_lmap_get(&d->dups, dup_key(shard_of(hash), fp, check_of(hash)), &one) &&
           !(d->coarse && ec_lmap_get(&d->dups, dup_key(shard_of(hash), fp, CHECK_UNKNOWN), &one));
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

/* ------------------------------------------------------------------ snapshots */

void ec_lw_put(ec_buf *b, uint64_t w)
{
    ec_buf_put(b, &w, sizeof w);
}

uint64_t ec_lw_get(ec_lwords *r)
{
    if (r->at >= r->n) {
        r->bad = 1;
        return 0;
    }
    return r->w[r->at++];
}

uint64_t ec_ledger_chain(uint64_t h, const void *p, size_t n)
{
    uint64_t pair[2] = {h, ec_ledger_hash(p, n)};
    return ec_ledger_hash(pair, sizeof pair);
}

void ec_lmap_snap(const ec_lmap *m, ec_buf *b)
{
    ec_lw_put(b, m->cap);
    ec_lw_put(b, m->n);
    for (size_t i = 0; i < m->cap; i++) {
        ec_lw_put(b, m->k[i]);
        ec_lw_put(b, m->v[i]);
    }
}

int ec_lmap_unsnap(ec_lmap *m, ec_lwords *r)
{
    uint64_t cap = ec_lw_get(r), n = ec_lw_get(r);
    memset(m, 0, sizeof *m);
    if (r->bad || (cap & (cap - 1)) || cap > (r->n - r->at) / 2 || n > cap)
        return -1;
    if (cap) {
        m->k = ec_xcalloc((size_t)cap, sizeof *m->k);
        m->v = ec_xcalloc((size_t)cap, sizeof *m->v);
    }
    m->cap = (size_t)cap;
    m->n = (size_t)n;
    for (size_t i = 0; i < m->cap; i++) {
        m->k[i] = ec_lw_get(r);
        m->v[i] = ec_lw_get(r);
    }
    return r->bad ? -1 : 0;
}

uint64_t ec_lindex_snap_bytes(const ec_lindex *x)
{
    const ec_lx_disk *d = x->disk;
    if (!d || !d->sealed || x->ioerr || x->mem_n) /* mem_n: entries in memory too */
        return 0;
    return (d->base[EC_LX_SHARDS - 1] + d->cap[EC_LX_SHARDS - 1]) * 8;
}

void ec_lindex_snap(const ec_lindex *x, ec_buf *b)
{
    const ec_lx_disk *d = x->disk;
    ec_lw_put(b, x->n);
    ec_lw_put(b, (uint64_t)d->coarse);
    for (int s = 0; s < EC_LX_SHARDS; s++) {
        ec_lw_put(b, d->cnt[s]);
        ec_lw_put(b, d->cap[s]);
        ec_lw_put(b, d->base[s]);
    }
    ec_lmap_snap(&d->dups, b);
}

int ec_lindex_snap_tables(const ec_lindex *x, int fd, uint64_t off, uint64_t *h)
{
    enum { PIECE = 65536 };
    uint64_t total = ec_lindex_snap_bytes(x);
    char *buf = ec_xmalloc(PIECE);
    int rc = 0;
    for (uint64_t at = 0; at < total && rc == 0; at += PIECE) {
        size_t n = total - at < PIECE ? (size_t)(total - at) : PIECE;
        rc = ec_pread_full(x->disk->tab, buf, n, at) < 0 || ec_pwrite_full(fd, buf, n, off + at) < 0
                 ? -1
                 : 0;
        *h = ec_ledger_chain(*h, buf, n);
    }
    free(buf);
    return rc;
}

ec_lx_disk *ec_lindex_unsnap(ec_lwords *r, int fd, uint64_t off, uint64_t *entries)
{
    ec_lx_disk *d = ec_xcalloc(1, sizeof *d);
    d->log = d->tab = -1;
    *entries = ec_lw_get(r);
    d->coarse = ec_lw_get(r) != 0;
    uint64_t next = 0;
    for (int s = 0; s < EC_LX_SHARDS; s++) {
        uint64_t cnt = ec_lw_get(r), cap = ec_lw_get(r), base = ec_lw_get(r);
        if (cnt > cap || cap > UINT32_MAX || base != next) /* tables one after the other */
            r->bad = 1;
        d->cnt[s] = (uint32_t)cnt;
        d->cap[s] = (uint32_t)cap;
        d->base[s] = base + off / 8;
        next = base + cap;
    }
    if (r->bad || off % 8 || ec_lmap_unsnap(&d->dups, r) < 0 || (d->tab = dup(fd)) < 0) {
        disk_free(d);
        return NULL;
    }
    d->sealed = 1;
    return d;
}

void ec_lindex_adopt(ec_lindex *x, ec_lx_disk *d, uint64_t entries)
{
    disk_free(x->disk);
    x->disk = d;
    x->n += entries;
    x->collecting = 0;
}

void ec_lindex_drop(ec_lx_disk *d)
{
    disk_free(d);
}

uint64_t ec_lindex_disk_bytes(const ec_lx_disk *d)
{
    return (d->base[EC_LX_SHARDS - 1] + d->cap[EC_LX_SHARDS - 1] - d->base[0]) * 8;
}
