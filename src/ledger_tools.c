/* ledger_tools.c - journal tools: stats, compaction and merge. All three
 * sweep the res records and keep, per key, the newest one (by position, or
 * by timestamp across merged journals); rewrites are atomic (tmp, fsync,
 * rename, fsync dir). */
#include "config.h"
#include "ledger_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"

typedef struct sweep {
    ec_ledger *l;
    uint64_t base;
    int by_ts;
    ec_journal *out; /* NULL: only count */
    uint64_t keys;
    uint64_t status[EC_ST_FAILED + 1];
    ec_buf key, rec;
    ec_buf *err;
    int failed;
} sweep;

static int is_res(const char *rec, size_t len)
{
    if (len > 11 && memcmp(rec, "{\"t\":\"res\",", 11) == 0)
        return 1;
    ec_json d;
    int yes = ec_json_parse(&d, rec, len, NULL) == 0 &&
              ec_json_str_eq(&d, ec_json_get(&d, 0, "t"), "res");
    ec_json_free(&d);
    return yes;
}

static int keep(sweep *s, const ec_outcome *o, double ts)
{
    s->keys++;
    if ((unsigned)o->status <= EC_ST_FAILED)
        s->status[o->status]++;
    if (!s->out)
        return 0;
    ec_buf_clear(&s->rec);
    ec_ledger_put_res(&s->rec, s->key.p, s->key.len, NULL, 0, o, ts);
    if (ec_journal_append(s->out, s->rec.p, s->rec.len, NULL) < 0) {
        const char *why = ec_journal_failure(s->out);
        ec_buf_clear(s->err);
        ec_buf_puts(s->err, why ? why : "cannot write the new journal");
        return -1;
    }
    return 0;
}

static int sweep_rec(void *ctx, const char *rec, size_t len, ec_jloc jloc)
{
    sweep *s = ctx;
    const char *k;
    size_t kl;
    uint64_t loc = s->base + jloc;
    if (jloc == EC_JLOC_NONE || !is_res(rec, len) ||
        ec_ledger_res_key(s->l, rec, len, loc, &k, &kl) < 0)
        return 0;
    ec_buf_clear(&s->key); /* k points into buffers the checks below reuse */
    ec_buf_put(&s->key, k, kl);
    ec_outcome o;
    double ts = 0;
    if (ec_ledger_parse_res(rec, len, &o, &ts) < 0)
        return 0;
    int latest = ec_ledger_is_latest(s->l, loc, ec_ledger_hash(s->key.p, s->key.len), s->key.p,
                                     s->key.len, s->by_ts, ts);
    int rc = 0;
    if (latest < 0) {
        ec_buf_clear(s->err);
        ec_buf_puts(s->err, ec_ledger_error(s->l));
        s->failed = rc = -1;
    } else if (latest) {
        if (keep(s, &o, ts) < 0)
            s->failed = rc = -1;
    }
    ec_outcome_clear(&o);
    return rc;
}

static int sweep_all(sweep *s, ec_buf *err)
{
    for (size_t i = 0; i < s->l->nsrc; i++) {
        s->base = s->l->src[i].base;
        int rc = ec_journal_scan(s->l->src[i].j, sweep_rec, s, err);
        if (rc || s->failed)
            return -1;
    }
    return 0;
}

static void sweep_free(sweep *s)
{
    ec_buf_free(&s->key);
    ec_buf_free(&s->rec);
}

int ec_ledger_stats(const char *path, int flags, ec_buf *out, ec_buf *err)
{
    ec_buf notes = {0};
    ec_ledger *l = ec_ledger_open(path, EC_J_READONLY | (flags & EC_J_SALVAGE), &notes, err);
    if (!l) {
        ec_buf_free(&notes);
        return -1;
    }
    sweep s = {.l = l, .err = err};
    int rc = sweep_all(&s, err);
    if (rc == 0) {
        ec_journal_info ji;
        ec_journal_stat(l->src[0].j, &ji);
        const uint64_t *c = l->count;
        ec_buf_printf(out, "file: %s\nbytes: %llu\nframes: %llu\n", path,
                      (unsigned long long)ji.size, (unsigned long long)ji.frames);
        ec_buf_printf(out,
                      "records: %llu (hdr %llu, intent %llu, job %llu, res %llu, done %llu, "
                      "other %llu, unreadable %llu)\n",
                      (unsigned long long)ji.records, (unsigned long long)c[EC_LT_HDR],
                      (unsigned long long)c[EC_LT_INTENT], (unsigned long long)c[EC_LT_JOB],
                      (unsigned long long)c[EC_LT_RES], (unsigned long long)c[EC_LT_DONE],
                      (unsigned long long)c[EC_LT_OTHER], (unsigned long long)l->unparsed);
        ec_buf_printf(out, "keys: %llu\n", (unsigned long long)s.keys);
        ec_buf_printf(out,
                      "outcomes: enriched %llu, not_found %llu, skipped:credits %llu, "
                      "skipped:no_identifier %llu, failed %llu\n",
                      (unsigned long long)s.status[EC_ST_ENRICHED],
                      (unsigned long long)s.status[EC_ST_NOT_FOUND],
                      (unsigned long long)s.status[EC_ST_SKIPPED_CREDITS],
                      (unsigned long long)s.status[EC_ST_SKIPPED_NO_ID],
                      (unsigned long long)s.status[EC_ST_FAILED]);
        ec_buf_printf(out, "bytes per key: %.1f\n",
                      s.keys ? (double)ji.size / (double)s.keys : 0.0);
        ec_buf_printf(out, "open batches: %zu\n", l->nopen);
        if (l->orphans)
            ec_buf_printf(out, "unresolved results: %llu\n", (unsigned long long)l->orphans);
        if (ji.tail_bytes || ji.skipped_bytes)
            ec_buf_printf(out, "unreadable bytes: %llu\n",
                          (unsigned long long)(ji.tail_bytes + ji.skipped_bytes));
    }
    sweep_free(&s);
    ec_buf_free(&notes);
    ec_ledger_close(l, NULL);
    return rc;
}

/* Write the open batches (intent with keys, last checkpoint) to out. */
static int put_open_batches(ec_ledger *l, ec_journal *out, ec_buf *err)
{
    ec_buf rec = {0};
    int rc = 0;
    for (size_t i = 0; i < l->nopen && rc == 0; i++) {
        const ec_lbatch *b = &l->open[i];
        ec_buf_clear(&rec);
        ec_ledger_put_intent(&rec, b, 1);
        rc = ec_journal_append(out, rec.p, rec.len, NULL);
        if (rc == 0 && b->cp) {
            ec_buf_clear(&rec);
            ec_buf_puts(&rec, "{\"t\":\"job\",\"b\":");
            ec_json_put_cstr(&rec, b->id);
            ec_buf_puts(&rec, ",\"cp\":");
            ec_json_put_cstr(&rec, b->cp);
            ec_buf_printf(&rec, ",\"ts\":%lld}", ec_ledger_ts_int(b->ts));
            rc = ec_journal_append(out, rec.p, rec.len, NULL);
        }
    }
    if (rc < 0) {
        const char *why = ec_journal_failure(out);
        ec_buf_clear(err);
        ec_buf_puts(err, why ? why : "cannot write the new journal");
    }
    ec_buf_free(&rec);
    return rc;
}

/* Write l's open batches and newest results into a replacement of path. */
static int rewrite(ec_ledger *l, const char *path, int by_ts, ec_buf *notes, ec_buf *err)
{
    ec_journal *out = ec_journal_replace_begin(path, notes, err);
    if (!out)
        return -1;
    sweep s = {.l = l, .by_ts = by_ts, .out = out, .err = err};
    int rc = put_open_batches(l, out, err);
    if (rc == 0)
        rc = sweep_all(&s, err);
    if (rc == 0)
        rc = ec_journal_replace_commit(out, err);
    if (rc == 0)
        rc = ec_journal_close(out, err);
    else
        ec_journal_replace_abort(out);
    sweep_free(&s);
    return rc;
}

int ec_ledger_compact(const char *path, int flags, ec_buf *notes, ec_buf *err)
{
    ec_ledger *l =
        ec_ledger_open(path, (flags & EC_J_SALVAGE) | EC_J_NOCREATE | EC_L_NO_SNAPSHOT, notes, err);
    if (!l)
        return -1;
    int rc = rewrite(l, path, 0, notes, err), e = errno;
    ec_ledger_close(l, NULL); /* its file is the old, now unlinked, inode */
    if (rc == 0)
        ec_lsnap_remove(path); /* it covered the old file */
    errno = e;
    return rc;
}

/* Inputs plus out, each file once (by device and inode). */
static const char **merge_paths(const char *const *inputs, size_t n, const char *out, size_t *m)
{
    const char **v = ec_xcalloc(n + 1, sizeof *v);
    struct stat *st = ec_xcalloc(n + 1, sizeof *st);
    *m = 0;
    for (size_t i = 0; i <= n; i++) {
        const char *p = i < n ? inputs[i] : out;
        struct stat cur;
        int have = stat(p, &cur) == 0, dup = 0;
        for (size_t k = 0; k < *m && have; k++)
            dup |= st[k].st_dev == cur.st_dev && st[k].st_ino == cur.st_ino;
        if (dup)
            continue;
        if (have)
            st[*m] = cur;
        v[(*m)++] = p;
    }
    free(st);
    return v;
}

int ec_ledger_merge(const char *const *inputs, size_t n, const char *out, int flags, ec_buf *notes,
                    ec_buf *err)
{
    /* Hold out's writer lock throughout (creating it, so it is an input too). */
    ec_journal *lock = ec_journal_open(out, flags & EC_J_SALVAGE, notes, err);
    if (!lock)
        return -1;
    ec_journal_info info;
    ec_journal_stat(lock, &info);
    size_t m;
    const char **paths = merge_paths(inputs, n, out, &m);
    ec_ledger *l =
        ec_ledger_open_many(paths, m, EC_J_READONLY | (flags & EC_J_SALVAGE), notes, err);
    int rc = l ? rewrite(l, out, 1, notes, err) : -1, e = errno;
    ec_ledger_close(l, NULL);
    if (rc < 0 && info.created)
        unlink(out);
    ec_journal_close(lock, NULL);
    free(paths);
    errno = e;
    return rc;
}
