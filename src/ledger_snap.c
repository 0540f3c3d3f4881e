/* ledger_snap.c - a snapshot of what replaying a large journal built (its
 * index tables, batch map, open batches and counts), kept beside it as
 * JOURNAL.idx, so that the next run on the journal need not decompress and
 * index again what the last one did: it checks that the journal still
 * starts with the bytes the snapshot covers (a hash of them) and replays
 * only the frames after them.
 *
 * The file: 8 bytes of magic, the description's length in 64-bit words, the
 * description (layout, tool version, the covered journal prefix and its
 * hash, the ledger's state), the index tables, and a hash of all that. It
 * is a cache: written to a temporary file and renamed, never synced, and
 * ignored (then written anew) when it is missing, damaged, from another
 * version or layout, or no longer matches the journal. */
#include "config.h"
#include "ledger_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "ECSNAP1\n"
#define PIECE 65536
#define META_MAX (64u << 20) /* words of description: far more than any journal needs */

struct ec_lsnap {
    int fd;
    uint64_t *meta;
    size_t nmeta;
    uint64_t tables_off;
    uint64_t covered, hash, frames, records;
    ec_lx_disk *disk; /* parsed, adopted by the ledger on use */
    uint64_t entries;
    uint64_t count[EC_LT_N], orphans, unparsed;
    ec_lmap batches;
    ec_lbatch *open;
    size_t nopen;
};

static uint64_t layout(void)
{
    return (uint64_t)EC_LX_SHARDS | (uint64_t)EC_LX_FP_BITS << 16 | (uint64_t)EC_LT_N << 24 |
           (uint64_t)sizeof(void *) << 32 | (uint64_t)EC_L_INTENTS << 40 |
           (uint64_t)EC_L_HASH << 48;
}

static char *path_of(const char *journal)
{
    size_t n = strlen(journal);
    char *p = ec_xmalloc(n + 5);
    memcpy(p, journal, n);
    memcpy(p + n, ".idx", 5);
    return p;
}

/* A string as its length + 1 (0 for NULL) and its bytes, padded to words. */
static void put_str(ec_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    ec_lw_put(b, s ? n + 1 : 0);
    for (size_t i = 0; s && i < n; i += 8) {
        uint64_t w = 0;
        memcpy(&w, s + i, n - i < 8 ? n - i : 8);
        ec_lw_put(b, w);
    }
}

static char *get_str(ec_lwords *r)
{
    uint64_t n = ec_lw_get(r);
    if (n == 0 || r->bad)
        return NULL;
    n--;
    if (n / 8 + 1 > r->n - r->at) {
        r->bad = 1;
        return NULL;
    }
    char *s = ec_xmalloc((size_t)n + 1);
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = ec_lw_get(r);
        memcpy(s + i, &w, n - i < 8 ? (size_t)(n - i) : 8);
    }
    s[n] = '\0';
    if (strlen(s) != n)
        r->bad = 1; /* a NUL inside */
    return s;
}

static void free_open(ec_lbatch *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(b[i].id);
        free(b[i].idem);
        free(b[i].cp);
    }
    free(b);
}

void ec_lsnap_free(ec_lsnap *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->meta);
    ec_lindex_drop(s->disk);
    ec_lmap_free(&s->batches);
    free_open(s->open, s->nopen);
    free(s);
}

/* The description after the header: everything but the index. */
static int parse(ec_lsnap *s)
{
    ec_lwords r = {s->meta, s->nmeta, 0, 0};
    if (ec_lw_get(&r) != layout())
        return -1;
    char *tool = get_str(&r);
    int same = tool && strcmp(tool, PACKAGE_STRING) == 0;
    free(tool);
    if (!same)
        return -1; /* another version may index otherwise */
    s->covered = ec_lw_get(&r);
    s->hash = ec_lw_get(&r);
    s->frames = ec_lw_get(&r);
    s->records = ec_lw_get(&r);
    for (int i = 0; i < EC_LT_N; i++)
        s->count[i] = ec_lw_get(&r);
    s->orphans = ec_lw_get(&r);
    s->unparsed = ec_lw_get(&r);
    if (r.bad || ec_lmap_unsnap(&s->batches, &r) < 0)
        return -1;
    uint64_t nopen = ec_lw_get(&r);
    if (nopen > r.n - r.at)
        return -1;
    s->open = ec_xcalloc((size_t)nopen + 1, sizeof *s->open);
    for (s->nopen = 0; s->nopen < nopen && !r.bad; s->nopen++) {
        ec_lbatch *b = &s->open[s->nopen];
        b->id = get_str(&r);
        b->idem = get_str(&r);
        b->cp = get_str(&r);
        uint64_t ts = ec_lw_get(&r);
        memcpy(&b->ts, &ts, sizeof ts);
        b->intent = ec_lw_get(&r);
        if (!b->id)
            r.bad = 1;
    }
    if (r.bad)
        return -1;
    s->disk = ec_lindex_unsnap(&r, s->fd, s->tables_off, &s->entries);
    return s->disk && r.at == r.n ? 0 : -1;
}

ec_lsnap *ec_lsnap_read(const char *journal)
{
    char *path = path_of(journal);
    ec_lsnap *s = ec_xcalloc(1, sizeof *s);
    s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO there must not hang us */
    free(path);
    struct stat st;
    uint64_t head[2];
    if (s->fd < 0 || fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        ec_pread_full(s->fd, head, sizeof head, 0) < 0 || memcmp(head, MAGIC, 8) != 0 ||
        head[1] == 0 || head[1] > META_MAX) {
        ec_lsnap_free(s);
        return NULL;
    }
    s->nmeta = (size_t)head[1];
    s->tables_off = 16 + 8 * (uint64_t)s->nmeta;
    uint64_t size = (uint64_t)st.st_size;
    if (size < s->tables_off + 8) {
        ec_lsnap_free(s);
        return NULL;
    }
    /* check the whole file against its last word before believing any of
     * it (a damaged length may ask for more memory than there is: then it
     * is not used either) */
    s->meta = malloc(s->nmeta * 8);
    uint64_t h = ec_ledger_chain(0, head, sizeof head), want = 0;
    int ok = s->meta && ec_pread_full(s->fd, s->meta, s->nmeta * 8, 16) == 0;
    if (ok)
        h = ec_ledger_chain(h, s->meta, s->nmeta * 8);
    char *buf = ec_xmalloc(PIECE);
    for (uint64_t at = s->tables_off; ok && at < size - 8; at += PIECE) {
        size_t n = size - 8 - at < PIECE ? (size_t)(size - 8 - at) : PIECE;
        ok = ec_pread_full(s->fd, buf, n, at) == 0;
        h = ec_ledger_chain(h, buf, n);
    }
    free(buf);
    ok = ok && ec_pread_full(s->fd, &want, 8, size - 8) == 0 && h == want && parse(s) == 0 &&
         ec_lindex_disk_bytes(s->disk) == size - 8 - s->tables_off;
    if (!ok) {
        ec_lsnap_free(s);
        return NULL;
    }
    return s;
}

uint64_t ec_lsnap_covered(const ec_lsnap *s)
{
    return s->covered;
}

void ec_lsnap_trust(const ec_lsnap *s, ec_journal_trust *t)
{
    t->size = s->covered;
    t->frames = s->frames;
    t->records = s->records;
}

/* The hash of the first size bytes of j's file: 64 KiB pieces, chained. */
static int prefix_hash(ec_journal *j, uint64_t size, uint64_t *h)
{
    char *buf = ec_xmalloc(PIECE);
    int rc = 0;
    *h = ec_ledger_chain(0, &size, sizeof size);
    for (uint64_t at = 0; at < size && rc == 0; at += PIECE) {
        size_t n = size - at < PIECE ? (size_t)(size - at) : PIECE;
        rc = ec_journal_pread(j, buf, n, at);
        *h = ec_ledger_chain(*h, buf, n);
    }
    free(buf);
    return rc;
}

int ec_lsnap_matches(const ec_lsnap *s, ec_journal *j)
{
    uint64_t h;
    return prefix_hash(j, s->covered, &h) == 0 && h == s->hash;
}

void ec_lsnap_apply(ec_lsnap *s, ec_ledger *l)
{
    memcpy(l->count, s->count, sizeof l->count);
    l->orphans = s->orphans;
    l->unparsed = s->unparsed;
    ec_lmap_free(&l->batches);
    l->batches = s->batches;
    memset(&s->batches, 0, sizeof s->batches);
    for (size_t i = 0; i < s->nopen; i++) {
        ec_lbatch *b = ec_ledger_add_open(l, s->open[i].id);
        b->idem = s->open[i].idem;
        b->cp = s->open[i].cp;
        b->ts = s->open[i].ts;
        b->intent = s->open[i].intent;
        s->open[i].idem = s->open[i].cp = NULL;
    }
    ec_lindex_adopt(&l->idx, s->disk, s->entries);
    s->disk = NULL;
}

int ec_lsnap_write(ec_ledger *l, ec_journal *j, const char *journal, uint64_t covered,
                   uint64_t frames, uint64_t records)
{
    uint64_t tables = ec_lindex_snap_bytes(&l->idx), jh;
    if (!tables || prefix_hash(j, covered, &jh) < 0)
        return -1;
    ec_buf meta = {0};
    ec_lw_put(&meta, layout());
    put_str(&meta, PACKAGE_STRING);
    ec_lw_put(&meta, covered);
    ec_lw_put(&meta, jh);
    ec_lw_put(&meta, frames);
    ec_lw_put(&meta, records);
    for (int i = 0; i < EC_LT_N; i++)
        ec_lw_put(&meta, l->count[i]);
    ec_lw_put(&meta, l->orphans);
    ec_lw_put(&meta, l->unparsed);
    ec_lmap_snap(&l->batches, &meta);
    ec_lw_put(&meta, l->nopen);
    for (size_t i = 0; i < l->nopen; i++) {
        const ec_lbatch *b = &l->open[i];
        uint64_t ts;
        memcpy(&ts, &b->ts, sizeof ts);
        put_str(&meta, b->id);
        put_str(&meta, b->idem);
        put_str(&meta, b->cp);
        ec_lw_put(&meta, ts);
        ec_lw_put(&meta, b->intent);
    }
    ec_lindex_snap(&l->idx, &meta);
    uint64_t head[2];
    memcpy(head, MAGIC, 8);
    head[1] = meta.len / 8;
    char *path = path_of(journal), *tmp = ec_xmalloc(strlen(path) + 5);
    memcpy(tmp, path, strlen(path));
    memcpy(tmp + strlen(path), ".tmp", 5);
    unlink(tmp); /* one a crash left; and never write through a link planted there */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    uint64_t h = ec_ledger_chain(0, head, sizeof head);
    h = ec_ledger_chain(h, meta.p, meta.len);
    int ok = fd >= 0 && ec_pwrite_full(fd, head, sizeof head, 0) == 0 &&
             ec_pwrite_full(fd, meta.p, meta.len, sizeof head) == 0 &&
             ec_lindex_snap_tables(&l->idx, fd, sizeof head + meta.len, &h) == 0 &&
             ec_pwrite_full(fd, &h, sizeof h, sizeof head + meta.len + tables) == 0;
    if (fd >= 0 && close(fd) < 0)
        ok = 0;
    if (ok)
        ok = rename(tmp, path) == 0;
    if (!ok && fd >= 0)
        unlink(tmp);
    free(tmp);
    free(path);
    ec_buf_free(&meta);
    return ok ? 0 : -1;
}

void ec_lsnap_remove(const char *journal)
{
    char *path = path_of(journal);
    unlink(path);
    free(path);
}
