/* journal.c - append-only file of zstd frames holding NDJSON records:
 * frame-by-frame check with torn-tail cut and salvage, buffered appends
 * flushed as one frame per write(), fdatasync without retry, random reads
 * through a small cache of decompressed frames. Files, locks and atomic
 * replacement are in journal_file.c. */
#include "config.h"
/* ZSTD_d_forceIgnoreChecksum (see checked_dctx) is in the part of zstd.h
 * for static linking; a shared library without it refuses the parameter
 * at run time, and checksums are then verified on every read. */
#define ZSTD_STATIC_LINKING_ONLY
#include "journal_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd_errors.h>

#include "json.h"

/* Why a frame is bad when the file ends inside it (a torn write). */
static const char incomplete[] = "incomplete frame";

/* ------------------------------------------------------------------ frames */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Content of an intact frame: non-empty lines, each ending in '\n'. Their
 * starts go to ls (when not NULL): the one walk over the lines. */
static const char *check_lines(const char *p, size_t n, ec_jlines *ls)
{
    if (ls)
        ls->n = 0;
    if (n == 0)
        return NULL;
    if (p[n - 1] != '\n')
        return "content does not end with a newline";
    for (const char *q = p, *e = p + n; q < e; q++) {
        if (*q == '\n')
            return "empty record";
        if (ls) {
            if (ls->n == ls->cap) {
                ls->cap = ls->cap ? 2 * ls->cap : 64;
                ls->at = ec_xrealloc(ls->at, ls->cap * sizeof *ls->at);
            }
            ls->at[ls->n++] = (uint32_t)(q - p);
        }
        q = memchr(q, '\n', (size_t)(e - q));
    }
    return NULL;
}

/* Decode a frame whose header declares no content size (not written by us). */
static int decode_stream(ZSTD_DCtx *dc, const unsigned char *p, size_t cs, ec_buf *out,
                         const char **why)
{
    ZSTD_DCtx_reset(dc, ZSTD_reset_session_only);
    ZSTD_inBuffer in = {p, cs, 0};
    size_t ret = 1;
    while (ret != 0) {
        if (out->len >= MAX_CONTENT) {
            *why = "frame too large";
            return -1;
        }
        ec_buf_reserve(out, 65536);
        ZSTD_outBuffer o = {out->p, out->cap - 1, out->len};
        ret = ZSTD_decompressStream(dc, &o, &in);
        out->len = o.pos;
        if (ZSTD_isError(ret)) {
            *why = ZSTD_getErrorName(ret);
            return -1;
        }
        if (ret != 0 && in.pos == in.size && o.pos < o.size) {
            *why = incomplete;
            return -1;
        }
    }
    return 0;
}

enum { FR_OK = 0, FR_MORE = 1, FR_BAD = -1 };

/* Check and decompress the frame at p (avail bytes) into out, its records'
 * starts into ls (may be NULL). FR_MORE: the frame may be longer than
 * avail. why names what is wrong with a bad one. */
static int frame_decode(ZSTD_DCtx *dc, const unsigned char *p, size_t avail, size_t *csize,
                        ec_buf *out, ec_jlines *ls, const char **why)
{
    ec_buf_clear(out);
    if (ls)
        ls->n = 0;
    if (avail < 4)
        return FR_MORE;
    uint32_t magic = le32(p);
    if (magic != ZSTD_MAGIC && (magic & SKIPPABLE_MASK) != SKIPPABLE_MAGIC) {
        *why = "not a zstd frame";
        return FR_BAD;
    }
    size_t cs = ZSTD_findFrameCompressedSize(p, avail);
    if (ZSTD_isError(cs)) {
        if (ZSTD_getErrorCode(cs) == ZSTD_error_srcSize_wrong)
            return FR_MORE;
        *why = ZSTD_getErrorName(cs);
        return FR_BAD;
    }
    *csize = cs;
    if (magic != ZSTD_MAGIC)
        return FR_OK; /* skippable frame: no records */
    if (!((p[4] >> 2) & 1)) {
        *why = "frame without a content checksum";
        return FR_BAD;
    }
    unsigned long long fcs = ZSTD_getFrameContentSize(p, cs);
    if (fcs == ZSTD_CONTENTSIZE_ERROR || (fcs != ZSTD_CONTENTSIZE_UNKNOWN && fcs > MAX_CONTENT)) {
        *why = "bad frame header";
        return FR_BAD;
    }
    if (fcs == ZSTD_CONTENTSIZE_UNKNOWN) {
        if (decode_stream(dc, p, cs, out, why) < 0)
            return FR_BAD;
    } else {
        ec_buf_reserve(out, (size_t)fcs);
        size_t r = ZSTD_decompressDCtx(dc, out->p, (size_t)fcs + 1, p, cs);
        if (ZSTD_isError(r) || r != fcs) {
            *why = ZSTD_isError(r) ? ZSTD_getErrorName(r) : "content size mismatch";
            return FR_BAD;
        }
        out->len = r;
        out->p[r] = '\0';
    }
    *why = check_lines(out->p, out->len, ls);
    return *why ? FR_BAD : FR_OK;
}

/* Read and decode the frame at off through ec_jwindow w, growing the read until
 * the whole frame is in. Returns FR_OK, FR_BAD (why set; also for a frame cut
 * short by the end of the readable bytes) or -2 on an I/O error. */
static int frame_at(ec_journal *j, ec_jwindow *w, uint64_t off, size_t ahead, size_t *csize,
                    ec_buf *out, ec_jlines *ls, const char **why, ZSTD_DCtx *dc)
{
    size_t want = 64;
    for (;;) {
        const unsigned char *p;
        size_t avail;
        if (ec_jnl_window(j, w, off, want, ahead, &p, &avail, NULL) < 0)
            return -2;
        int r = frame_decode(dc, p, avail, csize, out, ls, why);
        if (r != FR_MORE)
            return r;
        if (off + avail >= j->limit || avail >= 2 * (size_t)MAX_CONTENT) {
            *why = incomplete;
            return FR_BAD;
        }
        want = 2 * avail;
    }
}

/* ------------------------------------------------------------------ opening */

static int check_header(ec_journal *j, const char *rec, size_t len, ec_buf *err)
{
    ec_json doc;
    long long v = 0;
    int ok = ec_json_parse(&doc, rec, len, NULL) == 0 &&
             ec_json_str_eq(&doc, ec_json_get(&doc, 0, "t"), "hdr") &&
             ec_json_int(&doc, ec_json_get(&doc, 0, "v"), &v) == 0 && v >= 1;
    ec_json_free(&doc);
    if (!ok) {
        ec_jnl_seterr(err, "%s is not an enrichcsv journal (its first record is not a header)",
                      j->path);
        return -1;
    }
    if (v > EC_JOURNAL_VERSION) {
        ec_jnl_seterr(err, "journal %s has format version %lld; this enrichcsv reads version %d",
                      j->path, v, EC_JOURNAL_VERSION);
        return -1;
    }
    return 0;
}

static void add_good(ec_journal *j, uint64_t start, uint64_t end)
{
    if (j->ngood && j->good[j->ngood - 1].end == start) {
        j->good[j->ngood - 1].end = end;
        return;
    }
    j->good = ec_xrealloc(j->good, (j->ngood + 1) * sizeof *j->good);
    j->good[j->ngood++] = (ec_jextent){start, end};
}

/* Offset of the next intact frame after from, or UINT64_MAX. -1 on I/O error. */
static int next_frame(ec_journal *j, uint64_t from, uint64_t *next)
{
    static const unsigned char magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
    ec_jwindow scan = {{0}, 0};
    ec_buf tmp = {0};
    int rc = 0;
    *next = UINT64_MAX;
    for (uint64_t at = from; at + 4 <= j->limit && *next == UINT64_MAX && rc == 0;) {
        const unsigned char *p, *hit;
        size_t avail, cs;
        const char *why;
        if (ec_jnl_window(j, &scan, at, SEQ_WINDOW, SEQ_WINDOW, &p, &avail, NULL) < 0) {
            rc = -1;
            break;
        }
        hit = memmem(p, avail, magic, sizeof magic);
        if (!hit) {
            at += avail > 3 ? avail - 3 : 1;
            continue;
        }
        uint64_t cand = at + (uint64_t)(hit - p);
        int r = frame_at(j, &j->seq, cand, RAND_WINDOW, &cs, &tmp, NULL, &why, j->dctx);
        if (r == -2)
            rc = -1;
        else if (r == FR_OK)
            *next = cand;
        at = cand + 1;
    }
    ec_buf_free(&scan.buf);
    ec_buf_free(&tmp);
    return rc;
}

static int looks_like_start(ec_journal *j)
{
    static const unsigned char magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
    const unsigned char *p;
    size_t avail;
    if (ec_jnl_window(j, &j->seq, 0, 4, 4, &p, &avail, NULL) < 0)
        return 0;
    return memcmp(p, magic, avail < 4 ? avail : 4) == 0;
}

/* What to do about the unreadable bytes at off. */
static int bad_unit(ec_journal *j, uint64_t *off, const char *why, ec_buf *notes, ec_buf *err)
{
    uint64_t next, at = *off;
    if (next_frame(j, at + 1, &next) < 0) {
        ec_jnl_seterr(err, "journal %s: read error: %s", j->path, strerror(errno));
        return -1;
    }
    if (next == UINT64_MAX) {
        /* Only a header frame cut short by a crash is torn at byte 0; never
         * cut a file that merely is not ours (another zstd file, a CSV). */
        if (at == 0 && (!looks_like_start(j) || why != incomplete || j->limit > 4096)) {
            ec_jnl_seterr(err, "%s is not an enrichcsv journal (no intact frame at byte 0: %s)",
                          j->path, why);
            return -1;
        }
        j->info.tail_bytes = j->limit - at;
        ec_jnl_note(notes, "journal %s: torn tail at byte %llu (%llu bytes, %s) %s", j->path,
                    (unsigned long long)at, (unsigned long long)(j->limit - at), why,
                    (j->flags & EC_J_READONLY) ? "ignored" : "cut off");
        *off = j->limit;
        return 0;
    }
    if (!(j->flags & EC_J_SALVAGE)) {
        ec_jnl_seterr(err,
                      "journal %s: corrupt data at byte %llu (%s) with intact records after it "
                      "(from byte %llu); salvage mode skips the %llu bad bytes",
                      j->path, (unsigned long long)at, why, (unsigned long long)next,
                      (unsigned long long)(next - at));
        return -1;
    }
    j->info.skipped_bytes += next - at;
    ec_jnl_note(notes, "journal %s: skipped %llu corrupt bytes at byte %llu (%s)", j->path,
                (unsigned long long)(next - at), (unsigned long long)at, why);
    *off = next;
    return 0;
}

static int deliver(const ec_buf *content, const ec_jlines *ls, uint64_t off,
                   ec_journal_record_fn fn, void *ctx);
static int scan_range(ec_journal *j, uint64_t from, uint64_t to, ec_journal_record_fn fn, void *ctx,
                      ec_buf *err);

/* Walk every frame: intact runs go to j->good, the rest is reported; with a
 * scan_fn, the records of intact frames go to it as they are checked. */
static int check_frames(ec_journal *j, ec_buf *notes, ec_buf *err)
{
    uint64_t off = 0;
    const ec_journal_trust *t = j->trust;
    /* a prefix checked before: trusted while its bytes are the same */
    if (t && t->size > 0 && t->size <= j->limit && t->decide(t->ctx, j) == 1) {
        add_good(j, 0, t->size);
        j->header_ok = 1;
        j->info.frames += t->frames;
        j->info.records += t->records;
        j->end = off = t->size;
    }
    while (off < j->limit) {
        size_t cs = 0;
        const char *why = NULL;
        int r = frame_at(j, &j->seq, off, SEQ_WINDOW, &cs, &j->dbuf, &j->dlines, &why, j->dctx);
        if (r == -2) {
            ec_jnl_seterr(err, "journal %s: read error: %s", j->path, strerror(errno));
            return -1;
        }
        if (r == FR_BAD) {
            if (bad_unit(j, &off, why, notes, err) < 0)
                return -1;
            continue;
        }
        if (off == 0 && j->dbuf.len) {
            const char *nl = memchr(j->dbuf.p, '\n', j->dbuf.len);
            if (check_header(j, j->dbuf.p, (size_t)(nl - j->dbuf.p), err) < 0)
                return -1;
            j->header_ok = 1;
        }
        add_good(j, off, off + cs);
        j->info.frames++;
        j->info.records += j->dlines.n;
        j->end = off + cs; /* before delivery: scan_fn may read this frame */
        if (j->scan_fn && !j->scan_rc)
            j->scan_rc = deliver(&j->dbuf, &j->dlines, off, j->scan_fn, j->scan_ctx);
        off += cs;
    }
    return 0;
}

/* ------------------------------------------------------------------ writing */

int ec_jnl_write_header(ec_journal *j, ec_buf *err)
{
    ec_buf h = {0};
    ec_buf_printf(&h, "{\"t\":\"hdr\",\"v\":%d,\"tool\":\"%s %s\",\"created\":%lld}",
                  EC_JOURNAL_VERSION, PACKAGE_NAME, PACKAGE_VERSION, (long long)time(NULL));
    int rc = ec_journal_append(j, h.p, h.len, NULL);
    ec_buf_free(&h);
    if (rc < 0)
        return ec_jnl_refuse(j, err);
    j->header_ok = 1;
    return ec_journal_sync(j, err);
}

int ec_journal_append(ec_journal *j, const char *rec, size_t len, ec_jloc *loc)
{
    if (loc)
        *loc = EC_JLOC_NONE;
    if (j->failed || (j->flags & EC_J_READONLY) || len == 0 || memchr(rec, '\n', len))
        return -1;
    if (j->npending &&
        (j->npending == EC_JLOC_IDX_MAX ||
         (!j->hold && j->pending.len + len + 1 > EC_JOURNAL_FRAME_BYTES)) &&
        ec_journal_flush(j, NULL) < 0)
        return -1;
    if (loc && j->end < (1ull << EC_JLOC_OFF_BITS))
        *loc = EC_JLOC(j->end, j->npending);
    j->plines[j->npending++] = (uint32_t)j->pending.len;
    ec_buf_put(&j->pending, rec, len);
    ec_buf_putc(&j->pending, '\n');
    j->info.records++;
    j->info.records_written++;
    return 0;
}

void ec_journal_hold(ec_journal *j, int hold)
{
    j->hold = hold;
}

int ec_journal_flush(ec_journal *j, ec_buf *err)
{
    if (j->failed)
        return ec_jnl_refuse(j, err);
    if (j->flags & EC_J_READONLY) {
        ec_jnl_seterr(err, "journal %s is open read-only", j->path);
        return -1;
    }
    if (!j->npending)
        return 0;
    size_t bound = ZSTD_compressBound(j->pending.len);
    ec_buf_clear(&j->zbuf);
    ec_buf_reserve(&j->zbuf, bound);
    size_t cs = ZSTD_compress2(j->cctx, j->zbuf.p, bound, j->pending.p, j->pending.len);
    if (ZSTD_isError(cs)) {
        ec_jnl_seterr(err, "journal %s: compression failed: %s", j->path, ZSTD_getErrorName(cs));
        if (!j->failed)
            j->failed = ec_xstrdup(err ? err->p : "compression failed");
        return -1;
    }
    if (ec_jnl_write_all(j, j->zbuf.p, cs, err) < 0)
        return -1;
    add_good(j, j->end, j->end + cs);
    j->end += cs;
    j->limit = j->end;
    j->dirty = 1;
    j->info.frames++;
    j->info.bytes_written += cs;
    ec_buf_clear(&j->pending);
    j->npending = 0;
    return 0;
}

int ec_journal_sync(ec_journal *j, ec_buf *err)
{
    if (ec_journal_flush(j, err) < 0)
        return -1;
    if (!j->dirty)
        return 0;
    if (fdatasync(j->fd) < 0)
        return ec_jnl_fail(
            j, err, "fdatasync failed (not retried: the kernel may have dropped the data)", errno);
    j->dirty = 0;
    return 0;
}

/* Salvage in write mode: copy the intact frames into a fresh file that
 * replaces the damaged one, so the next open needs no salvage. */
static int rewrite_intact(ec_journal *j, ec_buf *notes, ec_buf *err)
{
    ec_journal *t = ec_jnl_tmp_create(j->path, notes, err);
    if (!t)
        return -1;
    int rc = j->header_ok ? 0 : ec_jnl_write_header(t, err);
    for (size_t i = 0; i < j->ngood && rc == 0; i++) {
        for (uint64_t at = j->good[i].start; at < j->good[i].end && rc == 0;) {
            const unsigned char *p;
            size_t avail;
            size_t n =
                (size_t)(j->good[i].end - at < SEQ_WINDOW ? j->good[i].end - at : SEQ_WINDOW);
            rc = ec_jnl_window(j, &j->seq, at, n, n, &p, &avail, err);
            if (rc == 0)
                rc = ec_jnl_write_all(t, p, n, err);
            t->end += n;
            at += n;
        }
    }
    t->dirty = 1;
    if (rc < 0 || ec_journal_replace_commit(t, err) < 0) {
        ec_journal_replace_abort(t);
        return -1;
    }
    ec_jnl_note(notes, "journal %s rewritten without the corrupt bytes", j->path);
    close(j->fd);
    j->fd = t->fd;
    t->fd = -1;
    j->end = j->limit = t->end;
    j->info.frames += t->info.frames;
    j->info.records += t->info.records;
    j->ngood = 1;
    j->good[0] = (ec_jextent){0, j->end};
    j->seq.buf.len = j->rnd.buf.len = 0;
    ec_jnl_free(t);
    return 0;
}

/* Write mode after the check: cut a torn tail, drop corrupt bytes, add the header. */
static int repair(ec_journal *j, ec_buf *notes, ec_buf *err)
{
    if (j->info.skipped_bytes)
        return rewrite_intact(j, notes, err);
    if (j->info.tail_bytes) {
        if (ftruncate(j->fd, (off_t)j->end) < 0 || fdatasync(j->fd) < 0) {
            ec_jnl_seterr(err, "journal %s: cannot cut the torn tail: %s", j->path,
                          strerror(errno));
            return -1;
        }
        /* both read windows may hold tail bytes that new frames will replace */
        j->seq.buf.len = j->rnd.buf.len = 0;
    }
    j->limit = j->end;
    /* An empty file may be one a crash left before its directory entry was
     * synced: sync the directory whenever the header is written. */
    if (j->end == 0 && (ec_jnl_write_header(j, err) < 0 || ec_jnl_fsync_dir(j->path, err) < 0))
        return -1;
    return 0;
}

static ec_journal *open_with(const char *path, int flags, const ec_journal_trust *trust,
                             ec_journal_record_fn fn, void *ctx, int *fnrc, ec_journal **self,
                             ec_buf *notes, ec_buf *err)
{
    ec_journal *j = ec_jnl_new(path, flags);
    if (self)
        *self = j;
    j->trust = flags & EC_J_SALVAGE ? NULL : trust;
    /* a salvage in write mode moves the frames: deliver after it */
    int late = fn && (flags & EC_J_SALVAGE) && !(flags & EC_J_READONLY);
    j->scan_fn = late ? NULL : fn;
    j->scan_ctx = ctx;
    int checked_frames = ec_jnl_open_file(j, notes, err) == 0 && check_frames(j, notes, err) == 0;
    j->trust = NULL;
    if (!checked_frames)
        goto fail;
    if (j->ngood && !j->header_ok) {
        if (!j->info.skipped_bytes) {
            ec_jnl_seterr(err, "%s is not an enrichcsv journal (no header record)", path);
            goto fail;
        }
        ec_jnl_note(notes, "journal %s: its header was in the corrupt part%s", path,
                    (flags & EC_J_READONLY) ? "" : "; a new one is written");
    }
    uint64_t checked = j->end;
    /* every frame before checked was verified just now: reads for answers
     * need not verify them again (not after a salvage moved or skipped some) */
    j->checked_end = j->ngood == 1 && !j->info.skipped_bytes ? checked : 0;
    if (flags & EC_J_READONLY)
        j->limit = j->end;
    else if (repair(j, notes, err) < 0)
        goto fail;
    j->scan_fn = NULL;
    if (fnrc)
        *fnrc = j->scan_rc;
    if (fn && !late && !j->scan_rc && j->end > checked) { /* the header repair wrote */
        int rc = scan_range(j, checked, j->end, fn, ctx, err);
        if (rc < 0)
            goto fail;
        if (fnrc)
            *fnrc = rc;
    }
    if (late) {
        int rc = ec_journal_scan(j, fn, ctx, err);
        if (rc < 0)
            goto fail;
        if (fnrc)
            *fnrc = rc;
    }
    return j;
fail:;
    int busy = j->busy;
    if (self)
        *self = NULL;
    ec_jnl_free(j);
    errno = busy ? EWOULDBLOCK : EIO;
    return NULL;
}

ec_journal *ec_journal_open(const char *path, int flags, ec_buf *notes, ec_buf *err)
{
    return open_with(path, flags, NULL, NULL, NULL, NULL, NULL, notes, err);
}

ec_journal *ec_journal_open_scan(const char *path, int flags, ec_journal_record_fn fn, void *ctx,
                                 int *fnrc, ec_journal **self, ec_buf *notes, ec_buf *err)
{
    return open_with(path, flags, NULL, fn, ctx, fnrc, self, notes, err);
}

ec_journal *ec_journal_open_trusting(const char *path, int flags, const ec_journal_trust *t,
                                     ec_journal_record_fn fn, void *ctx, int *fnrc,
                                     ec_journal **self, ec_buf *notes, ec_buf *err)
{
    return open_with(path, flags, t, fn, ctx, fnrc, self, notes, err);
}

int ec_journal_pread(ec_journal *j, void *buf, size_t n, uint64_t off)
{
    return ec_pread_full(j->fd, buf, n, off);
}

/* ------------------------------------------------------------------ reading */

/* The context to decode the frame at off with, read again for a record:
 * one that skips the content checksum when the frame's was verified at
 * open (or its bytes matched the snapshot's hash of them), where the zstd
 * library offers that; else the one that verifies it. */
static ZSTD_DCtx *checked_dctx(ec_journal *j, uint64_t off)
{
    if (off >= j->checked_end)
        return j->dctx;
    if (!j->dctx_checked && !j->no_skip) {
        j->dctx_checked = ZSTD_createDCtx();
        if (!j->dctx_checked ||
            ZSTD_isError(ZSTD_DCtx_setParameter(j->dctx_checked, ZSTD_d_forceIgnoreChecksum,
                                                ZSTD_d_ignoreChecksum))) {
            ZSTD_freeDCtx(j->dctx_checked);
            j->dctx_checked = NULL;
            j->no_skip = 1;
        }
    }
    return j->dctx_checked ? j->dctx_checked : j->dctx;
}

static ec_jframe *cache_get(ec_journal *j, uint64_t off, ec_buf *err)
{
    if (j->last && j->last->use && j->last->off == off) {
        j->last->use = ++j->tick;
        return j->last;
    }
    ec_jframe *victim = &j->cache[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        ec_jframe *f = &j->cache[i];
        if (f->use && f->off == off) {
            f->use = ++j->tick;
            return j->last = f;
        }
        if (f->use < victim->use)
            victim = f;
    }
    size_t cs;
    const char *why = "outside the journal";
    int r = off < j->end ? frame_at(j, &j->rnd, off, RAND_WINDOW, &cs, &victim->data,
                                    &victim->lines, &why, checked_dctx(j, off))
                         : FR_BAD;
    victim->use = 0;
    if (r != FR_OK) {
        ec_jnl_seterr(err, "journal %s: cannot read the frame at byte %llu: %s", j->path,
                      (unsigned long long)off, r == -2 ? strerror(errno) : why);
        return NULL;
    }
    victim->off = off;
    victim->csize = cs;
    victim->use = ++j->tick;
    return j->last = victim;
}

int ec_journal_read(ec_journal *j, ec_jloc loc, const char **rec, size_t *len, ec_buf *err)
{
    uint64_t off = EC_JLOC_OFF(loc);
    unsigned idx = EC_JLOC_IDX(loc);
    if (loc != EC_JLOC_NONE && !(j->flags & EC_J_READONLY) && off == j->end) {
        if (idx >= j->npending) {
            ec_jnl_seterr(err, "journal %s: no pending record %u", j->path, idx);
            return -1;
        }
        size_t next = idx + 1 < j->npending ? j->plines[idx + 1] : j->pending.len;
        *rec = j->pending.p + j->plines[idx];
        *len = next - j->plines[idx] - 1;
        return 0;
    }
    ec_jframe *f = loc == EC_JLOC_NONE ? NULL : cache_get(j, off, err);
    if (!f || idx >= f->lines.n) {
        if (f || loc == EC_JLOC_NONE)
            ec_jnl_seterr(err, "journal %s: no record %u in the frame at byte %llu", j->path, idx,
                          (unsigned long long)off);
        return -1;
    }
    size_t next = idx + 1 < f->lines.n ? f->lines.at[idx + 1] : f->data.len;
    *rec = f->data.p + f->lines.at[idx];
    *len = next - f->lines.at[idx] - 1;
    return 0;
}

int ec_journal_next(ec_journal *j, ec_jloc loc, ec_jloc *next, ec_buf *err)
{
    uint64_t off = EC_JLOC_OFF(loc);
    unsigned idx = EC_JLOC_IDX(loc);
    if (loc == EC_JLOC_NONE || j->ngood > 1)
        return 1; /* salvaged read-only: frames are not contiguous */
    int writable = !(j->flags & EC_J_READONLY);
    if (writable && off == j->end) { /* a pending record */
        if (idx + 1 >= j->npending)
            return 1;
        *next = EC_JLOC(off, idx + 1);
        return 0;
    }
    ec_jframe *f = cache_get(j, off, err);
    if (!f)
        return -1;
    if (idx + 1 < f->lines.n && idx + 1 < EC_JLOC_IDX_MAX) {
        *next = EC_JLOC(off, idx + 1);
        return 0;
    }
    off += f->csize;
    if (off >= (1ull << EC_JLOC_OFF_BITS) || (off >= j->end && !(writable && j->npending)))
        return 1;
    *next = EC_JLOC(off, 0);
    return 0;
}

/* The records of a checked frame (content, its lines ls) to fn. */
static int deliver(const ec_buf *content, const ec_jlines *ls, uint64_t off,
                   ec_journal_record_fn fn, void *ctx)
{
    for (size_t idx = 0; idx < ls->n; idx++) {
        size_t at = ls->at[idx], next = idx + 1 < ls->n ? ls->at[idx + 1] : content->len;
        ec_jloc loc = idx < EC_JLOC_IDX_MAX && off < (1ull << EC_JLOC_OFF_BITS) ? EC_JLOC(off, idx)
                                                                                : EC_JLOC_NONE;
        int rc = fn(ctx, content->p + at, next - at - 1, loc);
        if (rc)
            return rc;
    }
    return 0;
}

static int scan_range(ec_journal *j, uint64_t from, uint64_t to, ec_journal_record_fn fn, void *ctx,
                      ec_buf *err)
{
    for (uint64_t off = from; off < to;) {
        size_t cs;
        const char *why = "";
        int r = frame_at(j, &j->seq, off, SEQ_WINDOW, &cs, &j->dbuf, &j->dlines, &why, j->dctx);
        if (r != FR_OK) {
            ec_jnl_seterr(err, "journal %s: the frame at byte %llu became unreadable: %s", j->path,
                          (unsigned long long)off, r == -2 ? strerror(errno) : why);
            return -1;
        }
        int rc = deliver(&j->dbuf, &j->dlines, off, fn, ctx);
        if (rc)
            return rc;
        off += cs;
    }
    return 0;
}

int ec_journal_scan(ec_journal *j, ec_journal_record_fn fn, void *ctx, ec_buf *err)
{
    for (size_t i = 0; i < j->ngood; i++) {
        int rc = scan_range(j, j->good[i].start, j->good[i].end, fn, ctx, err);
        if (rc)
            return rc;
    }
    return 0;
}
