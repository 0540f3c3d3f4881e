/* t_journal.c - the journal's file layer: round trip, mode, lock, torn
 * tails at every offset, corruption in the middle and salvage, failed
 * fdatasync, version check, atomic replacement, zstd -dc compatibility. */
#include "config.h"
#include "journal.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

static char dir[256];

static char *path_in(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* Collects records. */
typedef struct recs {
    ec_buf all; /* records joined with '\n' */
    int n;
    ec_jloc loc[64];
} recs;

static int collect(void *ctx, const char *rec, size_t len, ec_jloc loc)
{
    recs *r = ctx;
    ec_buf_put(&r->all, rec, len);
    ec_buf_putc(&r->all, '\n');
    if (r->n < 64)
        r->loc[r->n] = loc;
    r->n++;
    return 0;
}

static int read_all(const char *path, int flags, recs *r, ec_buf *notes, ec_buf *err)
{
    memset(r, 0, sizeof *r);
    ec_journal *j = ec_journal_open(path, flags, notes, err);
    if (!j)
        return -1;
    int rc = ec_journal_scan(j, collect, r, err);
    ec_journal_close(j, NULL);
    return rc;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ec_buf b = {0};
    char chunk[4096];
    size_t got;
    while (f && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        ec_buf_put(&b, chunk, got);
    if (f)
        fclose(f);
    *n = b.len;
    return ec_buf_take(&b);
}

static void spit(const char *path, const char *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, n) != (ssize_t)n)
        abort();
    close(fd);
}

/* A journal with `frames` frames of three records each (plus the header
 * frame); offs[i] is where frame i starts (offs[frames] = end). */
static void build(const char *path, int frames, long *offs)
{
    ec_buf err = {0};
    unlink(path);
    ec_journal *j = ec_journal_open(path, 0, NULL, &err);
    ec_journal_info info;
    for (int f = 0; f < frames; f++) {
        ec_journal_stat(j, &info);
        offs[f] = (long)info.size;
        for (int r = 0; r < 3; r++) {
            char rec[128];
            int n =
                snprintf(rec, sizeof rec, "{\"t\":\"x\",\"frame\":%d,\"rec\":%d,\"pad\":\"%0*d\"}",
                         f, r, 10 + 7 * r, f);
            ec_journal_append(j, rec, (size_t)n, NULL);
        }
        ec_journal_flush(j, &err);
    }
    ec_journal_stat(j, &info);
    offs[frames] = (long)info.size;
    ec_journal_close(j, &err);
    ec_buf_free(&err);
}

static void test_round_trip(void)
{
    ec_buf err = {0}, notes = {0};
    const char *p = path_in("state/enrichcsv/j.zst");
    ec_journal *j = ec_journal_open(p, 0, &notes, &err);
    ok(j != NULL, "creates a journal and its parent directories: %s", err.p ? err.p : "");
    struct stat st;
    ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600, "journal mode is 0600");
    ok(stat(path_in("state/enrichcsv"), &st) == 0 && (st.st_mode & 0777) == 0700,
       "created directory mode is 0700");
    ec_jloc l1, l2, l3;
    ok(ec_journal_append(j, "{\"a\":1}", 7, &l1) == 0, "append");
    ec_journal_append(j, "{\"b\":2}", 7, &l2);
    ok(ec_journal_append(j, "bad\nrecord", 10, NULL) < 0, "a record with a newline is refused");
    const char *rec;
    size_t len;
    ok(ec_journal_read(j, l2, &rec, &len, &err) == 0 && len == 7 &&
           memcmp(rec, "{\"b\":2}", 7) == 0,
       "a pending record can be read back");
    ok(ec_journal_sync(j, &err) == 0, "sync");
    ec_journal_append(j, "{\"c\":3}", 7, &l3);
    ec_journal_info info;
    ec_journal_stat(j, &info);
    is_int(info.records, 4, "four records counted (header included)");
    ok(info.created == 1, "created flag");
    ok(ec_journal_close(j, &err) == 0, "close syncs");

    recs r;
    ok(read_all(p, 0, &r, &notes, &err) == 0, "reopen");
    ok(r.n == 4 && strncmp(r.all.p, "{\"t\":\"hdr\",\"v\":1,\"tool\":\"enrichcsv ", 34) == 0,
       "first record is the header");
    ok(strstr(r.all.p, "}\n{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n") != NULL, "records in order");
    ok(r.loc[1] == l1 && r.loc[3] == l3, "scan locations match append locations");
    j = ec_journal_open(p, EC_J_READONLY, NULL, &err);
    ok(ec_journal_read(j, l3, &rec, &len, &err) == 0 && len == 7 &&
           memcmp(rec, "{\"c\":3}", 7) == 0,
       "random read by location");
    ec_journal_close(j, NULL);
    ec_buf_free(&r.all);

    char cmd[1200];
    snprintf(cmd, sizeof cmd, "zstd -qdc '%s' > '%s' 2>/dev/null", p, path_in("plain"));
    int rc = system(cmd);
    size_t n;
    char *plain = slurp(path_in("plain"), &n);
    ok(rc == 0 && n > 30 && strstr(plain, "\n{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n") != NULL &&
           plain[n - 1] == '\n',
       "zstd -dc reads the journal as NDJSON");
    free(plain);
    ok(ec_journal_open(path_in("missing.zst"), EC_J_NOCREATE, NULL, &err) == NULL,
       "NOCREATE fails on a missing file");
    ec_buf_free(&err);
    ec_buf_free(&notes);
}

static void test_lock(void)
{
    ec_buf err = {0};
    const char *p = path_in("locked.zst");
    int go[2], ready[2];
    if (pipe(go) < 0 || pipe(ready) < 0)
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        ec_journal *j = ec_journal_open(p, 0, NULL, NULL);
        char c = j ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(2);
        ec_journal_close(j, NULL);
        _exit(0);
    }
    char c = 0;
    ok(read(ready[0], &c, 1) == 1 && c == 'y', "child holds the journal");
    ec_journal *j = ec_journal_open(p, 0, NULL, &err);
    int e = errno;
    char want[64];
    snprintf(want, sizeof want, "process %ld", (long)pid);
    ok(j == NULL && err.p && strstr(err.p, want), "second writer fails naming the holder: %s",
       err.p ? err.p : "");
    ok(e == EWOULDBLOCK, "errno tells a lock conflict (exit 2) apart");
    ec_journal *ro = ec_journal_open(p, EC_J_READONLY, NULL, &err);
    ok(ro != NULL, "read-only open takes no lock");
    ec_journal_close(ro, NULL);
    if (write(go[1], "x", 1) != 1)
        abort();
    int status;
    waitpid(pid, &status, 0);
    j = ec_journal_open(p, 0, NULL, &err);
    ok(j != NULL, "lock is free once the holder is gone");
    ec_journal_close(j, NULL);
    close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
    ec_buf_free(&err);
}

/* An open scan that reads the record at *ctx's first location back at
 * every record, as a replay reads an intent: the random-read window then
 * holds bytes near the end of the file. */
typedef struct rereader {
    ec_journal *self;
    ec_jloc first;
} rereader;

static int reread(void *ctx, const char *rec, size_t len, ec_jloc loc)
{
    rereader *rr = ctx;
    const char *r;
    size_t n;
    (void)rec;
    (void)len;
    if (rr->first == EC_JLOC_NONE && EC_JLOC_OFF(loc) > 0)
        rr->first = loc;
    if (rr->first != EC_JLOC_NONE && rr->self)
        ec_journal_read(rr->self, rr->first, &r, &n, NULL);
    return 0;
}

static void test_torn_tail(void)
{
    const char *p = path_in("torn.zst"), *w = path_in("torn-work.zst");
    long offs[6];
    build(p, 5, offs);
    size_t n;
    char *orig = slurp(p, &n);
    ec_buf err = {0}, notes = {0};
    int bad = 0, cases = 0;
    /* header frame + 4 intact frames of 3 records precede the last frame */
    for (long cut = offs[4]; cut < offs[5]; cut++, cases++) {
        spit(w, orig, (size_t)cut);
        recs r;
        ec_buf_clear(&notes);
        int rc = read_all(w, 0, &r, &notes, &err);
        int good = rc == 0 && r.n == 1 + 4 * 3 && file_size(w) == offs[4] &&
                   (cut == offs[4] || (notes.p && strstr(notes.p, "torn tail at byte")));
        if (good && cut > offs[4]) {
            char want[64];
            snprintf(want, sizeof want, "torn tail at byte %ld ", offs[4]);
            good = strstr(notes.p, want) != NULL;
        }
        if (!good && bad++ < 3)
            printf("# cut at %ld: rc %d, %d records, size %ld, notes %s\n", cut, rc, r.n,
                   file_size(w), notes.p ? notes.p : "");
        ec_buf_free(&r.all);
    }
    ok(bad == 0, "cut at each of %d offsets of the last frame: earlier records kept, tail cut",
       cases);
    /* flipped bytes anywhere in the last frame: also a torn tail */
    bad = 0;
    for (long at = offs[4]; at < offs[5]; at++) {
        orig[at] ^= 0x55;
        spit(w, orig, n);
        orig[at] ^= 0x55;
        recs r;
        int rc = read_all(w, 0, &r, NULL, &err);
        if (!(rc == 0 && (r.n == 13 || r.n == 16)))
            bad++;
        ec_buf_free(&r.all);
    }
    ok(bad == 0, "a flipped byte anywhere in the last frame never loses an earlier record");
    /* read-only: the tail is ignored, the file left alone */
    spit(w, orig, (size_t)offs[5] - 3);
    recs r;
    ok(read_all(w, EC_J_READONLY, &r, NULL, &err) == 0 && r.n == 13 && file_size(w) == offs[5] - 3,
       "read-only open ignores a torn tail and leaves the file alone");
    ec_buf_free(&r.all);
    /* appending after a cut works and reopens cleanly */
    spit(w, orig, (size_t)offs[5] - 1);
    ec_journal *j = ec_journal_open(w, 0, NULL, &err);
    ec_journal_append(j, "{\"after\":1}", 11, NULL);
    ec_journal_flush(j, &err);
    memset(&r, 0, sizeof r);
    ok(ec_journal_scan(j, collect, &r, &err) == 0 && r.n == 14 &&
           strstr(r.all.p, "{\"after\":1}\n"),
       "the same handle reads the new frame where the tail was: %s", err.p ? err.p : "");
    ec_buf_free(&r.all);
    memset(&r, 0, sizeof r);
    ec_journal_close(j, &err);
    ok(read_all(w, 0, &r, NULL, &err) == 0 && r.n == 14 && strstr(r.all.p, "{\"after\":1}\n"),
       "appends after a cut tail land after the intact frames");
    ec_buf_free(&r.all);
    /* a scan that read records at random before the cut, then a frame
     * appended where the tail was and read back by its location: the
     * read windows must not serve the cut bytes (found: the random one did,
     * "incomplete frame") */
    for (int flip = 0; flip < 2; flip++) {
        spit(w, orig, flip ? n : (size_t)offs[5] - 3);
        if (flip) {
            char last = (char)(orig[n - 1] ^ 0xff);
            int fd = open(w, O_WRONLY);
            if (fd < 0 || pwrite(fd, &last, 1, (off_t)n - 1) != 1)
                abort();
            close(fd);
        }
        rereader rr = {NULL, EC_JLOC_NONE};
        int fnrc = 0;
        ec_buf_clear(&notes);
        j = ec_journal_open_scan(w, 0, reread, &rr, &fnrc, &rr.self, &notes, &err);
        ec_jloc at = EC_JLOC_NONE;
        const char *rec = NULL;
        size_t len = 0;
        ec_buf rerr = {0};
        int got = j && ec_journal_append(j, "{\"new\":2}", 9, &at) == 0 &&
                  ec_journal_flush(j, &err) == 0 &&
                  ec_journal_read(j, at, &rec, &len, &rerr) == 0;
        ok(got && EC_JLOC_OFF(at) == (uint64_t)offs[4] && len == 9 &&
               memcmp(rec, "{\"new\":2}", 9) == 0,
           "%s tail cut after a scan that read at random: the frame appended in its place "
           "reads back by location %s",
           flip ? "a flipped" : "a torn", rerr.p ? rerr.p : "");
        ec_buf_free(&rerr);
        if (j)
            ec_journal_close(j, &err);
    }
    free(orig);
    ec_buf_free(&err);
    ec_buf_free(&notes);
}

static void test_middle_corruption(void)
{
    const char *p = path_in("mid.zst"), *w = path_in("mid-work.zst");
    long offs[6];
    build(p, 5, offs);
    size_t n;
    char *orig = slurp(p, &n);
    ec_buf err = {0}, notes = {0};
    int bad = 0, cases = 0;
    for (long at = offs[2]; at < offs[3]; at += 5, cases++) {
        orig[at] ^= 0x20;
        spit(w, orig, n);
        orig[at] ^= 0x20;
        recs r;
        char want[64];
        snprintf(want, sizeof want, "corrupt data at byte %ld ", offs[2]);
        int rc = read_all(w, 0, &r, NULL, &err);
        if (rc == 0 || !strstr(err.p, want))
            bad++;
        ec_buf_free(&r.all);
        rc = read_all(w, EC_J_SALVAGE, &r, &notes, &err);
        /* header + frames 0, 1, 3, 4 */
        if (rc != 0 || r.n != 13 || !strstr(r.all.p, "\"frame\":4,\"rec\":2") ||
            strstr(r.all.p, "\"frame\":2"))
            bad++;
        ec_buf_free(&r.all);
        if (read_all(w, 0, &r, NULL, &err) != 0 || r.n != 13) /* salvage rewrote it */
            bad++;
        ec_buf_free(&r.all);
    }
    ok(bad == 0,
       "a flipped byte in a middle frame (%d positions): error naming its offset; "
       "salvage keeps the later records and rewrites the file",
       cases);
    ok(strstr(notes.p, "skipped") != NULL, "salvage reports what it skipped");
    orig[offs[2] + 6] ^= 1;
    spit(w, orig, n);
    recs r;
    ok(read_all(w, EC_J_READONLY | EC_J_SALVAGE, &r, NULL, &err) == 0 && r.n == 13 &&
           file_size(w) == (long)n,
       "read-only salvage skips without rewriting");
    ec_buf_free(&r.all);
    orig[offs[2] + 6] ^= 1;
    orig[offs[0] / 2] ^= 0x40; /* inside the header frame */
    spit(w, orig, n);
    ok(read_all(w, 0, &r, NULL, &err) < 0 && strstr(err.p, "corrupt data at byte 0 "),
       "a corrupt header frame is corruption at byte 0");
    ec_buf_free(&r.all);
    ec_buf_clear(&notes);
    ok(read_all(w, EC_J_SALVAGE, &r, &notes, &err) == 0 && r.n == 16 &&
           strstr(notes.p, "a new one is written"),
       "salvage without the header writes a new one");
    ec_buf_free(&r.all);
    ok(read_all(w, 0, &r, NULL, &err) == 0 && r.n == 16 &&
           strncmp(r.all.p, "{\"t\":\"hdr\"", 10) == 0,
       "and the salvaged journal opens cleanly, header first");
    ec_buf_free(&r.all);
    free(orig);
    ec_buf_free(&err);
    ec_buf_free(&notes);
}

static void test_failed_sync(void)
{
    ec_buf err = {0};
    const char *p = path_in("fail.zst");
    ec_journal *j = ec_journal_open(p, 0, NULL, &err);
    int pfd[2];
    if (pipe(pfd) < 0)
        abort();
    ec_journal_append(j, "{\"x\":1}", 7, NULL);
    dup2(pfd[1], ec_journal_fd(j)); /* write() works on a pipe, fdatasync() does not */
    int rc = ec_journal_sync(j, &err);
    ok(rc < 0 && strstr(err.p, "fdatasync failed"), "a failed fdatasync is reported: %s", err.p);
    ok(ec_journal_failure(j) != NULL, "the journal is in the failed state");
    ok(ec_journal_append(j, "{\"x\":2}", 7, NULL) < 0, "appends are refused afterwards");
    ok(ec_journal_sync(j, &err) < 0 && strstr(err.p, "fdatasync failed"),
       "a later sync fails with the first reason (never retried)");
    ok(ec_journal_close(j, &err) < 0, "close reports the failure");
    close(pfd[0]);
    close(pfd[1]);

    j = ec_journal_open(path_in("full.zst"), 0, NULL, &err);
    int full = open("/dev/full", O_WRONLY);
    if (full >= 0) {
        ec_journal_append(j, "{\"x\":1}", 7, NULL);
        dup2(full, ec_journal_fd(j));
        rc = ec_journal_flush(j, &err);
        ok(rc < 0 && strstr(err.p, "write failed"), "a failed write (ENOSPC) is reported: %s",
           err.p);
        ok(ec_journal_failure(j) != NULL, "and is final");
        close(full);
    }
    ec_journal_close(j, NULL);
    ec_buf_free(&err);
}

static void write_frame(const char *path, const char *text)
{
    char out[512];
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    size_t n = ZSTD_compress2(c, out, sizeof out, text, strlen(text));
    ZSTD_freeCCtx(c);
    spit(path, out, n);
}

static void test_header(void)
{
    ec_buf err = {0};
    const char *p = path_in("v2.zst");
    write_frame(p, "{\"t\":\"hdr\",\"v\":2,\"tool\":\"enrichcsv 9\"}\n");
    ec_journal *v2 = ec_journal_open(p, 0, NULL, &err);
    ok(v2 == NULL && strstr(err.p, "format version 2"), "a newer major version is refused: %s",
       err.p);
    write_frame(p, "{\"hello\":1}\n");
    ok(ec_journal_open(p, 0, NULL, &err) == NULL && strstr(err.p, "not an enrichcsv journal"),
       "a zstd file without a header is refused");
    spit(p, "name,email\nx,y\n", 15);
    ok(ec_journal_open(p, 0, NULL, &err) == NULL && strstr(err.p, "not an enrichcsv journal") &&
           file_size(p) == 15 && errno != EWOULDBLOCK,
       "a file that is not zstd is refused and left alone");
    write_frame(p, "id,name\n1,a");
    long sz = file_size(p);
    ok(ec_journal_open(p, 0, NULL, &err) == NULL && strstr(err.p, "not an enrichcsv journal") &&
           file_size(p) == sz,
       "another zstd file is refused, not cut: %s", err.p);
    spit(p, "\x28\xb5\x2f", 3);
    ec_journal *j = ec_journal_open(p, 0, NULL, &err);
    ok(j != NULL, "a torn header frame is cut and rewritten");
    ec_journal_close(j, NULL);
    recs r;
    ok(read_all(p, 0, &r, NULL, &err) == 0 && r.n == 1, "the new journal holds its header");
    ec_buf_free(&r.all);
    ec_buf_free(&err);
}

static void test_replace(void)
{
    ec_buf err = {0}, notes = {0};
    const char *p = path_in("rep.zst"), *tmp = path_in("rep.zst.tmp");
    long offs[3];
    build(p, 2, offs);
    spit(tmp, "half-written", 12); /* a crashed rewrite */
    ec_journal *j = ec_journal_open(p, 0, &notes, &err);
    ok(j && access(tmp, F_OK) < 0 && strstr(notes.p, "interrupted rewrite"),
       "a stale .tmp is removed when the journal is opened");
    ec_journal_close(j, NULL);
    spit(tmp, "half-written", 12);
    ec_journal *r = ec_journal_replace_begin(p, &notes, &err);
    ok(r != NULL, "a replacement starts over a stale .tmp: %s", err.p ? err.p : "");
    ec_journal_append(r, "{\"new\":1}", 9, NULL);
    ok(file_size(p) == offs[2], "target untouched before commit");
    ok(ec_journal_replace_commit(r, &err) == 0 && access(tmp, F_OK) < 0, "commit renames");
    ec_journal_close(r, NULL);
    recs rr;
    ok(read_all(p, 0, &rr, NULL, &err) == 0 && rr.n == 2 && strstr(rr.all.p, "{\"new\":1}\n"),
       "the replacement is the journal now");
    ec_buf_free(&rr.all);
    r = ec_journal_replace_begin(p, NULL, &err);
    ec_journal_append(r, "{\"newer\":1}", 11, NULL);
    ec_journal_replace_abort(r);
    ok(read_all(p, 0, &rr, NULL, &err) == 0 && rr.n == 2 && access(tmp, F_OK) < 0,
       "abort leaves the original");
    ec_buf_free(&rr.all);
    ec_buf_free(&err);
    ec_buf_free(&notes);
}

/* Flip the last byte of the frame that ends at end (a byte of its content
 * checksum) in the file at path. */
static void flip_checksum(const char *path, long end)
{
    int fd = open(path, O_RDWR);
    unsigned char c = 0;
    if (fd < 0 || pread(fd, &c, 1, end - 1) != 1)
        abort();
    c ^= 0x5a;
    if (pwrite(fd, &c, 1, end - 1) != 1)
        abort();
    close(fd);
}

/* A frame's checksum is verified once a run: frames checked at open are
 * read again for records without it, frames written after the open are
 * verified when read, and the next open still finds a bad checksum. */
static void test_checked_reads(void)
{
    ec_buf err = {0}, notes = {0};
    const char *p = path_in("checked.zst");
    long offs[4];
    build(p, 3, offs);
    recs r;
    memset(&r, 0, sizeof r);
    ec_journal *j = ec_journal_open_scan(p, 0, collect, &r, NULL, NULL, &notes, &err);
    ec_jloc fresh;
    ok(j && r.n == 10 && ec_journal_append(j, "{\"new\":1}", 9, &fresh) == 0 &&
           ec_journal_flush(j, &err) == 0,
       "a journal of three frames opened, a fourth written");
    ec_journal_info info;
    ec_journal_stat(j, &info);
    flip_checksum(p, offs[2]);          /* frame 1, checked at open */
    flip_checksum(p, (long)info.size); /* the new frame */
    const char *rec;
    size_t len;
    ok(ec_journal_read(j, r.loc[5], &rec, &len, &err) == 0 && len > 10 &&
           strstr(rec, "\"frame\":1,\"rec\":1") != NULL,
       "a record of a frame checked at open is read without its checksum again");
    ec_buf_clear(&err);
    int bad = ec_journal_read(j, fresh, &rec, &len, &err) < 0;
    ok(bad && strstr(err.p ? err.p : "", "checksum") != NULL,
       "a frame written after the open is verified when read: %s", err.p ? err.p : "");
    ec_journal_close(j, NULL);
    ec_buf_clear(&err);
    j = ec_journal_open(p, EC_J_READONLY, &notes, &err);
    ok(!j && strstr(err.p ? err.p : "", "corrupt") != NULL,
       "the next open finds the bad checksum in the middle: %s", err.p ? err.p : "");
    if (j)
        ec_journal_close(j, NULL);
    ec_buf_free(&r.all);
    ec_buf_free(&err);
    ec_buf_free(&notes);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/t_journal.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    test_round_trip();
    test_lock();
    test_torn_tail();
    test_middle_corruption();
    test_failed_sync();
    test_header();
    test_replace();
    test_checked_reads();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
