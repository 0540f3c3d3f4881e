/* fuzz_journal.c - libFuzzer target for the journal reader and the ledger
 * replay on top of it. Input: a flags byte, a parameter byte, then content.
 * flags bit 0 set: the content is the journal file as is. Otherwise it is
 * NDJSON records the harness packs into real zstd frames (bits 4-6: records
 * per frame - 1), with a header record first (bit 1), the last frame torn
 * (bit 2) or one byte of a middle frame flipped (bit 3) at a place the
 * parameter byte picks; bit 7 keeps empty lines (empty records are corrupt).
 * The file is opened read-only, read-only with salvage, and for writing with
 * salvage (which repairs it); stats, merge and compact run on it (the last
 * three for inputs whose size is a multiple of 4: they rename and sync).
 * Properties:
 * - no crash, leak or undefined behaviour;
 * - whatever opens without salvage also opens with it;
 * - after a successful write-mode open, a result appended, synced and closed
 *   is found again by a plain read-only open, and after a compaction. */
#include "config.h"
#include "fuzz.h"
#include "ledger.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

static char dir[64];
static pid_t dir_owner;

/* Remove the scratch directory and what the journal code may leave in it
 * (not from a child of fuzz/replay, which shares it). */
static void remove_dir(void)
{
    if (getpid() != dir_owner)
        return;
    static const char *const names[] = {"j.zst", "j.zst.tmp", "merged.zst", "merged.zst.tmp"};
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static const char *path_in(const char *name)
{
    static char p[4][128];
    static int k;
    if (!dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/ecfuzzj.XXXXXX", base);
        FUZZ_CHECK(mkdtemp(dir) != NULL, "cannot make a scratch directory");
        dir_owner = getpid();
        atexit(remove_dir);
    }
    char *s = p[k++ % 4];
    snprintf(s, sizeof p[0], "%s/%s", dir, name);
    return s;
}

static void put_frame(ec_buf *file, const char *text, size_t len)
{
    static ZSTD_CCtx *cctx;
    if (!cctx) {
        cctx = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
    }
    size_t bound = ZSTD_compressBound(len);
    ec_buf_reserve(file, bound);
    size_t n = ZSTD_compress2(cctx, file->p + file->len, bound, text, len);
    FUZZ_CHECK(!ZSTD_isError(n), "zstd: %s", ZSTD_getErrorName(n));
    file->len += n;
}

/* Pack content lines into frames as the flags say; returns the file bytes. */
static void build_file(uint8_t flags, uint8_t param, const char *in, size_t len, ec_buf *file)
{
    if (flags & 2) {
        static const char hdr[] = "{\"t\":\"hdr\",\"v\":1,\"tool\":\"fuzz\",\"created\":0}\n";
        put_frame(file, hdr, sizeof hdr - 1);
    }
    size_t per = 1 + ((flags >> 4) & 7), starts[64], nframes = 0;
    ec_buf frame = {0};
    size_t lines = 0;
    const char *p = in, *end = in + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n || (flags & 0x80)) {
            ec_buf_put(&frame, p, n);
            ec_buf_putc(&frame, '\n');
            lines++;
        }
        p += n + 1;
        if (frame.len && (lines % per == 0 || p >= end)) {
            if (nframes < 64)
                starts[nframes++] = file->len;
            put_frame(file, frame.p, frame.len);
            ec_buf_clear(&frame);
        }
    }
    ec_buf_free(&frame);
    if ((flags & 4) && nframes) { /* torn tail: cut into the last frame */
        size_t last = starts[nframes - 1], flen = file->len - last;
        file->len = last + (flen > 1 ? param % flen : 0);
    }
    if ((flags & 8) && nframes > 1) { /* flip a byte of a frame in the middle */
        size_t f = starts[param % (nframes - 1)];
        size_t flen = starts[param % (nframes - 1) + 1] - f;
        file->p[f + 4 + (size_t)param * 7 % (flen > 4 ? flen - 4 : 1)] ^= 0x20;
    }
}

static void write_file(const char *path, const char *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0, "cannot write %s", path);
    FUZZ_CHECK(write(fd, p, n) == (ssize_t)n, "short write");
    close(fd);
}

static int visit_batch(void *ctx, const ec_open_batch *b)
{
    ec_ledger *l = ctx;
    for (size_t i = 0; i < b->nkeys; i++) {
        ec_outcome o;
        int r = ec_ledger_find(l, b->keys[i], i % 2 ? 1.0 : 0, &o, NULL);
        FUZZ_CHECK(r >= -1 && r <= 1, "find returned %d", r);
        ec_outcome_clear(&o);
    }
    return 0;
}

/* Look up what the ledger knows: open batches' keys and keys named in the content. */
static void exercise(ec_ledger *l, const char *in, size_t len)
{
    ec_ledger_open_batches(l, visit_batch, l);
    const char *p = in, *end = in + len;
    while ((p = memmem(p, (size_t)(end - p), "\"k\":\"", 5)) != NULL) {
        p += 5;
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            break;
        char *key = ec_xstrndup(p, (size_t)(q - p));
        ec_outcome o;
        int r = ec_ledger_find(l, key, 0, &o, NULL);
        FUZZ_CHECK(r >= -1 && r <= 1, "find returned %d", r);
        ec_outcome_clear(&o);
        free(key);
        p = q;
    }
}

static int opens(const char *path, int flags, const char *in, size_t len)
{
    ec_buf notes = {0}, err = {0};
    ec_ledger *l = ec_ledger_open(path, flags, &notes, &err);
    if (l) {
        exercise(l, in, len);
        ec_ledger_close(l, NULL);
    }
    ec_buf_free(&notes);
    ec_buf_free(&err);
    return l != NULL;
}

static void expect_result(const char *path, const char *key, const char *when)
{
    ec_buf err = {0};
    ec_ledger *l = ec_ledger_open(path, EC_J_READONLY, NULL, &err);
    FUZZ_CHECK(l != NULL, "%s: the journal does not open: %s", when, err.p ? err.p : "?");
    ec_outcome o;
    int r = ec_ledger_find(l, key, 0, &o, NULL);
    FUZZ_CHECK(r == 1 && o.status == EC_ST_ENRICHED && o.emails.n == 1 &&
                   strcmp(o.emails.v[0], "fz@example.com") == 0,
               "%s: the result written last is not found (%d)", when, r);
    ec_outcome_clear(&o);
    ec_ledger_close(l, NULL);
    ec_buf_free(&err);
}

/* Open for writing with salvage (repairs), append a batch, check it survives. */
static void write_path(const char *path)
{
    static const char key[] = "fuzz|harness|key";
    const char *keys[1] = {key};
    ec_ledger *l = ec_ledger_open(path, EC_J_SALVAGE, NULL, NULL);
    if (!l)
        return;
    ec_outcome o;
    memset(&o, 0, sizeof o);
    o.status = EC_ST_ENRICHED;
    ec_values_add(&o.emails, "fz@example.com", 14);
    int ok = ec_ledger_intent(l, "fuzz-harness-1", keys, 1, NULL, NULL) == 0 &&
             ec_ledger_result(l, key, &o, NULL) == 0 &&
             ec_ledger_done(l, "fuzz-harness-1", NULL) == 0 && ec_ledger_sync(l, NULL) == 0;
    ec_outcome_clear(&o);
    FUZZ_CHECK(ec_ledger_close(l, NULL) == 0 || !ok, "close failed after good writes");
    if (!ok)
        return;
    expect_result(path, key, "after a salvage open and appends");
    ec_buf err = {0};
    FUZZ_CHECK(ec_ledger_compact(path, 0, NULL, &err) == 0, "compact failed: %s",
               err.p ? err.p : "?");
    ec_buf_free(&err);
    expect_result(path, key, "after compaction");
}

FUZZ_ENTRY(journal)
{
    if (size < 2)
        return 0;
    const char *in = (const char *)data + 2;
    size_t len = size - 2;
    ec_buf file = {0};
    if (data[0] & 1)
        ec_buf_put(&file, in, len);
    else
        build_file(data[0], data[1], in, len, &file);
    const char *path = path_in("j.zst"), *out = path_in("merged.zst");
    write_file(path, file.p ? file.p : "", file.len);
    unlink(out);

    int plain = opens(path, EC_J_READONLY, in, len);
    int salvaged = opens(path, EC_J_READONLY | EC_J_SALVAGE, in, len);
    FUZZ_CHECK(!plain || salvaged, "opens read-only but not with salvage");
    ec_buf stats = {0};
    ec_ledger_stats(path, EC_J_SALVAGE, &stats, NULL);
    ec_buf_free(&stats);
    if ((size & 3) == 0) { /* the slow part (renames, syncs): a quarter of the inputs */
        const char *inputs[1] = {path};
        if (ec_ledger_merge(inputs, 1, out, EC_J_SALVAGE, NULL, NULL) == 0)
            FUZZ_CHECK(opens(out, EC_J_READONLY, "", 0), "a merged journal does not open");
        write_path(path);
    }
    unlink(path);
    unlink(out);
    ec_buf_free(&file);
    return 0;
}
