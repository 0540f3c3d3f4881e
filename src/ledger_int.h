/* ledger_int.h - internals shared by ledger.c, ledger_index.c and
 * ledger_tools.c; not part of the ledger's interface. */
#ifndef EC_LEDGER_INT_H
#define EC_LEDGER_INT_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "journal.h"
#include "ledger.h"

/* ---- the result index: key hash -> where its res records live ----------
 * 256 shards of open-addressing (linear probing) tables of 8-byte slots:
 * (location << 18) | 18 bits of the key's hash, 0 = empty. The stored bits
 * also give the home slot, so a shard can grow without the keys. Every res
 * record gets a slot (a key answered twice has two); a lookup verifies the
 * candidates against the record's full key, newest first, so a hash
 * collision can cost a read but never returns another key's result.
 *
 * Memory stays flat however large the journal: when a journal holds more
 * records than ec_lindex_spill_min(), the entries its replay adds go to a
 * temporary file (unlinked at once) with 32 more bits of their hash, and
 * ec_lindex_seal() builds the shard tables there, a group of shards at a
 * time in a bounded amount of memory (1 MiB; after sorting the file by
 * group when there is more than one), noting which entries may belong
 * to one key (same shard, fingerprint and those 32 bits). Lookups read the
 * few slots they probe with pread (the page cache holds them, not this
 * process); a key no other entry may share is known to be unique without
 * that read. Entries added after the seal (this run's results) go to the
 * in-memory tables, which lookups consult too. Without a usable temporary
 * directory everything stays in memory. */
#define EC_LX_SHARDS 256
#define EC_LX_FP_BITS 18
#define EC_LX_LOC_BITS (64 - EC_LX_FP_BITS)

typedef struct ec_lx_shard {
    uint64_t *slot;
    uint32_t cap, n;
} ec_lx_shard;

typedef struct ec_lx_disk ec_lx_disk;

typedef struct ec_lindex {
    ec_lx_shard sh[EC_LX_SHARDS];
    uint64_t n;
    uint64_t mem_n;   /* entries in sh: none, and lookups need not probe them */
    ec_lx_disk *disk; /* NULL: every entry is in memory */
    int ioerr;        /* a read of the disk tables failed */
    int collecting;   /* before the seal: may still move to disk */
    char *near;       /* a path in the directory for the temporary files, or NULL */
} ec_lindex;

/* Size the shards for about expect entries (0 = minimal). When expect is at
 * least ec_lindex_spill_min(), entries are collected in a temporary file in
 * dir (or $TMPDIR, /tmp) until ec_lindex_seal; so are they, those in memory
 * first, once that many have been added before the seal. */
void ec_lindex_init(ec_lindex *x, uint64_t expect, const char *dir);
/* Build the disk tables from the collected entries (a no-op in memory).
 * 0, or -1 with errno when the file cannot be read or written (the index
 * then holds what it could load into memory, maybe nothing). */
int ec_lindex_seal(ec_lindex *x);
void ec_lindex_free(ec_lindex *x);
/* Add an entry; -1 when loc does not fit in a slot (or the entry could not
 * be written to the collecting file). */
int ec_lindex_add(ec_lindex *x, uint64_t hash, uint64_t loc);
/* Locations whose stored hash bits match hash: writes up to max of them to
 * out, returns how many there are; SIZE_MAX when the disk tables could not
 * be read. */
size_t ec_lindex_find(const ec_lindex *x, uint64_t hash, uint64_t *out, size_t max);
/* 1 when at most one entry can match hash (none shares its stored bits),
 * known without reading the disk tables; 0 when there may be more. */
int ec_lindex_unique(const ec_lindex *x, uint64_t hash);
/* Bytes of slot memory (disk tables not counted). */
uint64_t ec_lindex_bytes(const ec_lindex *x);
/* Entries in memory before a journal's index goes to disk; tests lower it. */
uint64_t ec_lindex_spill_min(void);
void ec_lindex_set_spill_min(uint64_t n);
/* Memory for building a group of disk tables (default 1 MiB); tests lower
 * it to get many groups. 0 restores the default. */
void ec_lindex_set_build_bytes(size_t n);

/* ---- snapshots (ledger_snap.c): state as 64-bit words ------------------ */
typedef struct ec_lwords {
    const uint64_t *w;
    size_t n, at;
    int bad; /* read past the end, or a value out of range */
} ec_lwords;

void ec_lw_put(ec_buf *b, uint64_t w);
/* The next word; 0 with r->bad set past the end. */
uint64_t ec_lw_get(ec_lwords *r);
/* Bytes of x's tables when x is a sealed disk index holding every entry
 * (what a snapshot can keep), else 0. */
uint64_t ec_lindex_snap_bytes(const ec_lindex *x);
/* x's description, for ec_lindex_unsnap. */
void ec_lindex_snap(const ec_lindex *x, ec_buf *b);
/* Copy x's tables to fd at off, chaining their 64 KiB pieces into *h. 0 or -1. */
int ec_lindex_snap_tables(const ec_lindex *x, int fd, uint64_t off, uint64_t *h);
/* A disk index from its description, reading its tables in fd (duplicated)
 * at off; *entries: how many it holds. NULL when the words do not fit. */
ec_lx_disk *ec_lindex_unsnap(ec_lwords *r, int fd, uint64_t off, uint64_t *entries);
/* x uses d (from ec_lindex_unsnap) for its sealed entries from now on. */
void ec_lindex_adopt(ec_lindex *x, ec_lx_disk *d, uint64_t entries);
void ec_lindex_drop(ec_lx_disk *d);
/* Bytes of d's tables. */
uint64_t ec_lindex_disk_bytes(const ec_lx_disk *d);

/* ---- a small map of 64-bit keys (non-zero) to 64-bit values ------------ */
typedef struct ec_lmap {
    uint64_t *k, *v;
    size_t cap, n;
} ec_lmap;

/* Insert or replace. */
void ec_lmap_put(ec_lmap *m, uint64_t key, uint64_t val);
/* 1 and *val when present, else 0. */
int ec_lmap_get(const ec_lmap *m, uint64_t key, uint64_t *val);
void ec_lmap_free(ec_lmap *m);

/* 64-bit hash of bytes. Stored only in snapshots, which check themselves
 * with it: a change of it makes them unusable, never wrong. */
uint64_t ec_ledger_hash(const void *p, size_t n);
/* Which ec_ledger_hash a snapshot's tables were made with. */
#define EC_L_HASH 2
/* h chained with the hash of p[0..n). */
uint64_t ec_ledger_chain(uint64_t h, const void *p, size_t n);
void ec_lmap_snap(const ec_lmap *m, ec_buf *b);
int ec_lmap_unsnap(ec_lmap *m, ec_lwords *r);

/* ---- the ledger ------------------------------------------------------- */

/* A journal feeding the index; locations are offset by base so several
 * journals (a merge) share one index. */
typedef struct ec_lsrc {
    ec_journal *j;
    uint64_t base;
} ec_lsrc;

typedef struct ec_lbatch {
    char *id;
    char **keys;
    size_t nkeys;
    char *idem;
    char *cp;
    double ts;
    uint64_t intent; /* location of the intent holding the keys */
} ec_lbatch;

/* A parsed intent: where each key's escaped text sits in text, and once
 * asked for (hashed), the hash of each key's canonical text: the results
 * that follow an intent are indexed by it without copying their keys. */
typedef struct ec_lintent {
    uint64_t loc; /* 0 = empty */
    uint64_t use;
    ec_buf text;
    uint32_t *off, *len;
    uint64_t *hash;
    size_t n, cap;
    int hashed;
} ec_lintent;

#define EC_L_INTENTS 4

enum { EC_LT_HDR, EC_LT_INTENT, EC_LT_JOB, EC_LT_RES, EC_LT_DONE, EC_LT_OTHER, EC_LT_N };

struct ec_ledger {
    ec_lsrc *src;
    size_t nsrc;
    ec_journal *w; /* the journal written to, or NULL (read-only) */
    int flags;
    ec_lindex idx;
    ec_lmap batches; /* hash(batch id) ^ source salt -> intent location (or EC_L_AMBIGUOUS) */
    ec_lbatch *open; /* open batches, oldest first */
    size_t nopen, capopen;
    ec_lmap openkeys;   /* hash(key) -> open batch << 20 | position */
    int openkeys_stale; /* rebuild openkeys before use */
    ec_lintent intents[EC_L_INTENTS];
    ec_lintent *last_slot; /* the one intent_at gave last (check its loc) */
    uint64_t tick;
    uint64_t count[EC_LT_N];
    uint64_t cursor;      /* the res record ec_ledger_find found last (0: none) */
    ec_buf last_id;       /* escaped batch id batch_key resolved last ... */
    uint64_t last_intent; /* ... to this intent location (0: none) */
    size_t last_src;      /* ... in this source */
    uint64_t orphans;     /* res records whose batch reference cannot be resolved */
    uint64_t unparsed;    /* lines that are not JSON objects */
    ec_buf esc, tmp, rec, out, error;
    struct ec_lsnap *snap; /* during the open: the journal's snapshot, if any */
    uint64_t snap_used;    /* the journal prefix a snapshot gave (0: none) */
    uint64_t snap_written; /* the prefix this open wrote a snapshot of (0: none) */
    const char *hit;       /* the record res_of_key matched last ... */
    size_t hitlen;         /* ... its length, and where its body starts (SIZE_MAX: */
    size_t hitbody;        /* not known) */
    uint64_t reads;        /* records read through ec_ledger_read */
};

#define EC_L_AMBIGUOUS UINT64_MAX

/* A new open batch (id copied) at the end of l->open. */
ec_lbatch *ec_ledger_add_open(ec_ledger *l, const char *id);

/* ---- snapshots (ledger_snap.c) ---- */
typedef struct ec_lsnap ec_lsnap;
/* JOURNAL.idx when it is whole and made by this version, else NULL. */
ec_lsnap *ec_lsnap_read(const char *journal);
void ec_lsnap_free(ec_lsnap *s);
/* The journal prefix it covers. */
uint64_t ec_lsnap_covered(const ec_lsnap *s);
/* Its prefix's size, frames and records into t. */
void ec_lsnap_trust(const ec_lsnap *s, ec_journal_trust *t);
/* 1 when j's file starts with the bytes s was made from. */
int ec_lsnap_matches(const ec_lsnap *s, ec_journal *j);
/* Move s's state into l (just opened, nothing replayed yet). */
void ec_lsnap_apply(ec_lsnap *s, ec_ledger *l);
/* Write JOURNAL.idx for l (sealed on disk, all entries there) covering
 * the first covered bytes of j (frames frames, records records). 0 or -1. */
int ec_lsnap_write(ec_ledger *l, ec_journal *j, const char *journal, uint64_t covered,
                   uint64_t frames, uint64_t records);
/* Remove JOURNAL.idx (after the journal was rewritten). */
void ec_lsnap_remove(const char *journal);

/* ---- record texts (ledger_rec.c) ---- */

/* Positions in a batch are below this. */
#define EC_L_POS_MAX (1u << 20)

/* How our own res records start (fast paths check these prefixes). */
#define EC_L_RES_K "{\"t\":\"res\",\"k\":\""
#define EC_L_RES_B "{\"t\":\"res\",\"b\":\""

/* 1 when s is valid UTF-8. */
int ec_ledger_utf8_ok(const char *s, size_t n);
/* JSON-escaped text of s, without the quotes, into b (replacing it). */
void ec_ledger_escape(ec_buf *b, const char *s);
/* Canonical escaped text (as ec_ledger_escape writes it) of a string found
 * escaped in a record; points into raw, or into buf when it had to change. */
const char *ec_ledger_canon(const char *raw, size_t len, ec_buf *buf, size_t *outlen);
/* The batch position of our res layout at p (just after its batch id):
 * `","i":` and digits. The position, EC_L_POS_MAX or more when too large,
 * into *pos; returns where the digits end, or NULL when p is not that. */
const char *ec_ledger_res_pos(const char *p, const char *e, unsigned long *pos);
/* The raw (escaped) JSON string right after prefix, up to its closing quote. */
int ec_ledger_str_after(const char *rec, size_t len, const char *prefix, const char **s,
                        size_t *slen);
/* Decoded copy of an escaped string (malloc'd). */
char *ec_ledger_decode(const char *raw, size_t len);

/* The parts of an intent record, as raw spans into it. */
typedef struct ec_lintent_view {
    const char *id;
    size_t idlen;
    int has_keys;
    const char *keys; /* text between the brackets of "keys" */
    size_t keyslen;
    const char *idem; /* NULL when null or missing */
    size_t idemlen;
    double ts;
    int keys_found; /* ec_ledger_intent_keys: every key's place is in ks */
} ec_lintent_view;

/* Parse an intent record. 0 or -1. */
int ec_ledger_intent_view(const char *rec, size_t len, ec_lintent_view *v);
/* The same, and when ks is not NULL, the places of its keys (offsets in
 * rec) into ks->off, ks->len and ks->n, found in the same pass when the
 * record has our own layout (v->keys_found; else ks->n is not set). */
int ec_ledger_intent_keys(const char *rec, size_t len, ec_lintent_view *v, ec_lintent *ks);
/* One more key in ks: it starts at off and is len bytes long. */
void ec_ledger_intent_add(ec_lintent *ks, size_t off, size_t len);
/* Next string of a keys span from *pos: 1 with its raw text, 0 at the end, -1 if malformed. */
int ec_ledger_next_key(const char *keys, size_t n, size_t *pos, const char **raw, size_t *rawlen);
/* The key (escaped text) of the res record rec at loc: 0, or -1 when it has
 * none or it cannot be resolved. May read the journal (intent records). */
int ec_ledger_res_key(ec_ledger *l, const char *rec, size_t len, uint64_t loc, const char **key,
                      size_t *keylen);
/* Read the record at an index location. 0 or -1 (l->error set). */
int ec_ledger_read(ec_ledger *l, uint64_t loc, const char **rec, size_t *len);
/* Is the res at loc (key hash h, escaped key) the newest of its key? By file
 * position, or by (ts, position) when by_ts. 1 yes, 0 no, -1 read error. */
int ec_ledger_is_latest(ec_ledger *l, uint64_t loc, uint64_t h, const char *key, size_t keylen,
                        int by_ts, double ts);
/* Open a ledger over several journals (read-only unless n == 1 and flags
 * allow writing). */
ec_ledger *ec_ledger_open_many(const char *const *paths, size_t n, int flags, ec_buf *notes,
                               ec_buf *err);
/* Parse a res record's outcome and ts. 0 or -1. */
int ec_ledger_parse_res(const char *rec, size_t len, ec_outcome *o, double *ts);
/* The same for a res record whose layout is known to be ours up to byte
 * body (just after its batch position): parsed from there. */
int ec_ledger_parse_res_body(const char *rec, size_t len, size_t body, ec_outcome *o, double *ts);
/* Append a res record for key (escaped text) to b. */
/* A record's timestamp as the whole seconds written back: a journal read
 * from disk may hold any number there, and one that is not finite or is
 * beyond what any clock gives (negative, or 2^53 and up) is written as 0. */
static inline long long ec_ledger_ts_int(double ts)
{
    return ts >= 0 && ts < 9007199254740992.0 ? (long long)ts : 0;
}

void ec_ledger_put_res(ec_buf *b, const char *esckey, size_t keylen, const char *batch, size_t pos,
                       const ec_outcome *o, double ts);
/* Append the intent record of an open batch (with its keys). */
void ec_ledger_put_intent(ec_buf *b, const ec_lbatch *ob, int with_keys);

#endif
