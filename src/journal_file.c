/* journal_file.c - the journal's files: error reporting, directories,
 * reads through a window, the writer lock (and naming its holder), opening
 * and creating, and atomic replacement (path.tmp, fsync, rename, fsync dir). */
#include "config.h"
#include "journal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ errors */

void ec_jnl_seterr(ec_buf *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    ec_buf_clear(err);
    ec_buf_vprintf(err, fmt, ap);
    va_end(ap);
}

void ec_jnl_note(ec_buf *notes, const char *fmt, ...)
{
    if (!notes)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (notes->len && notes->p[notes->len - 1] != '\n')
        ec_buf_putc(notes, '\n');
    ec_buf_vprintf(notes, fmt, ap);
    ec_buf_putc(notes, '\n');
    va_end(ap);
}

/* Enter the failed state (first reason wins) and report it. */
int ec_jnl_fail(ec_journal *j, ec_buf *err, const char *what, int errnum)
{
    if (!j->failed) {
        ec_buf b = {0};
        ec_buf_printf(&b, "journal %s: %s: %s", j->path, what, strerror(errnum));
        j->failed = ec_buf_take(&b);
    }
    ec_jnl_seterr(err, "%s", j->failed);
    return -1;
}

int ec_jnl_refuse(ec_journal *j, ec_buf *err)
{
    ec_jnl_seterr(err, "%s (the journal accepts no more writes)", j->failed);
    return -1;
}

/* ------------------------------------------------------------------ files */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ec_xstrdup(".");
    if (slash == path)
        return ec_xstrdup("/");
    return ec_xstrndup(path, (size_t)(slash - path));
}

int ec_jnl_fsync_dir(const char *path, ec_buf *err)
{
    char *dir = dir_of(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd < 0 ? -1 : fsync(fd);
    if (rc < 0)
        ec_jnl_seterr(err, "cannot sync directory %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

/* mkdir -p of path's directory, mode 0700, syncing each new entry's parent. */
static int make_parents(const char *path, ec_buf *err)
{
    char *dir = dir_of(path);
    int rc = 0;
    for (char *p = dir + 1; rc == 0; p++) {
        int last = *p == '\0';
        if (*p != '/' && !last)
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) == 0)
            rc = ec_jnl_fsync_dir(dir, err);
        else if (errno != EEXIST) {
            ec_jnl_seterr(err, "cannot create directory %s: %s", dir, strerror(errno));
            rc = -1;
        }
        if (last)
            break;
        *p = '/';
    }
    free(dir);
    return rc;
}

/* Make w hold at least min(want, limit - at) bytes from at; readahead more. */
int ec_jnl_window(ec_journal *j, ec_jwindow *w, uint64_t at, size_t want, size_t ahead,
                  const unsigned char **p, size_t *avail, ec_buf *err)
{
    uint64_t left = at < j->limit ? j->limit - at : 0;
    if (want > left)
        want = (size_t)left;
    if (at < w->off || at + want > w->off + w->buf.len) {
        size_t n = want > ahead ? want : ahead;
        /* a read that goes on where the window ends (a replay reading its
         * answers in journal order) is sequential: read ahead as far as a
         * sequential pass does, not a frame's worth at a time */
        if (w->buf.len && at >= w->off && at <= w->off + w->buf.len + ahead && n < SEQ_WINDOW)
            n = SEQ_WINDOW;
        if (n > left)
            n = (size_t)left;
        ec_buf_clear(&w->buf);
        ec_buf_reserve(&w->buf, n);
        if (ec_pread_full(j->fd, w->buf.p, n, at) < 0) {
            ec_jnl_seterr(err, "journal %s: read at byte %llu: %s", j->path, (unsigned long long)at,
                          strerror(errno));
            return -1;
        }
        w->buf.len = n;
        w->off = at;
    }
    *p = (const unsigned char *)w->buf.p + (at - w->off);
    *avail = (size_t)(w->off + w->buf.len - at);
    if (*avail > left)
        *avail = (size_t)left;
    return 0;
}

/* ------------------------------------------------------------------ locks */

static void describe_holder(int fd, const char *path, ec_buf *err)
{
    pid_t pid = -1;
    for (off_t start = 1; start >= 0 && pid <= 0; start--) {
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = 1};
        if (fcntl(fd, F_GETLK, &q) == 0 && q.l_type != F_UNLCK)
            pid = q.l_pid;
    }
    if (pid > 0)
        ec_jnl_seterr(err, "journal %s is in use by process %ld (one writer at a time)", path,
                      (long)pid);
    else
        ec_jnl_seterr(err, "journal %s is in use by another process (one writer at a time)", path);
}

/* Exclusion comes from an open-file-description lock on byte 0 (immune to
 * other descriptors of the file being closed); a classic lock on byte 1
 * only lets a rival learn our pid through F_GETLK. */
static int take_lock(int fd, const char *path, ec_buf *err)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    int rc = fcntl(fd, F_OFD_SETLK, &fl);
    if (rc < 0 && errno == EINVAL)
        rc = fcntl(fd, F_SETLK, &fl);
    if (rc < 0) {
        int busy = errno == EAGAIN || errno == EACCES;
        if (busy)
            describe_holder(fd, path, err);
        else
            ec_jnl_seterr(err, "cannot lock journal %s: %s", path, strerror(errno));
        errno = busy ? EWOULDBLOCK : EIO;
        return -1;
    }
    struct flock pl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 1, .l_len = 1};
    (void)fcntl(fd, F_SETLK, &pl);
    return 0;
}

/* Is this descriptor still the file at path (not replaced by a rename)? */
static int same_file(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Remove path.tmp when a crashed compaction left it (nobody holds its lock). */
static void remove_stale_tmp(const char *path, ec_buf *notes)
{
    ec_buf tmp = {0};
    ec_buf_printf(&tmp, "%s.tmp", path);
    int fd = open(tmp.p, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        if (fcntl(fd, F_OFD_SETLK, &fl) == 0 && same_file(fd, tmp.p) && unlink(tmp.p) == 0)
            ec_jnl_note(notes, "journal %s: removed %s left by an interrupted rewrite", path,
                        tmp.p);
        close(fd);
    }
    ec_buf_free(&tmp);
}

static int open_write(ec_journal *j, ec_buf *err)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        int created = 0;
        int fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && !(j->flags & EC_J_NOCREATE)) {
            if (make_parents(j->path, err) < 0)
                return -1;
            fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0 && errno == EEXIST)
                continue;
            created = 1;
        }
        if (fd < 0) {
            ec_jnl_seterr(err, "cannot open journal %s: %s", j->path, strerror(errno));
            return -1;
        }
        if (take_lock(fd, j->path, err) < 0) {
            j->busy = errno == EWOULDBLOCK;
            close(fd);
            return -1;
        }
        if (!same_file(fd, j->path)) { /* replaced while we waited: take the new one */
            close(fd);
            continue;
        }
        j->fd = fd;
        j->info.created = created;
        return 0;
    }
    ec_jnl_seterr(err, "journal %s keeps being replaced; giving up", j->path);
    return -1;
}

int ec_jnl_open_file(ec_journal *j, ec_buf *notes, ec_buf *err)
{
    if (j->flags & EC_J_READONLY) {
        j->fd = open(j->path, O_RDONLY | O_CLOEXEC);
        if (j->fd < 0) {
            ec_jnl_seterr(err, "cannot open journal %s: %s", j->path, strerror(errno));
            return -1;
        }
    } else if (open_write(j, err) < 0) {
        return -1;
    }
    struct stat st;
    if (fstat(j->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ec_jnl_seterr(err, "journal %s is not a regular file", j->path);
        return -1;
    }
    if (st.st_mode & 077)
        ec_jnl_note(notes,
                    "journal %s is accessible by other users (mode %03o); it holds personal data",
                    j->path, (unsigned)(st.st_mode & 0777));
    j->limit = (uint64_t)st.st_size;
    if (!(j->flags & EC_J_READONLY))
        remove_stale_tmp(j->path, notes);
    return 0;
}

/* ------------------------------------------------------------------ objects */

ec_journal *ec_jnl_new(const char *path, int flags)
{
    ec_journal *j = ec_xcalloc(1, sizeof *j);
    j->path = ec_xstrdup(path);
    j->flags = flags;
    j->fd = -1;
    j->dctx = ZSTD_createDCtx();
    if (!(flags & EC_J_READONLY)) {
        j->cctx = ZSTD_createCCtx();
        if (j->cctx) {
            ZSTD_CCtx_setParameter(j->cctx, ZSTD_c_compressionLevel, LEVEL);
            ZSTD_CCtx_setParameter(j->cctx, ZSTD_c_checksumFlag, 1);
        }
    }
    if (!j->dctx || (!(flags & EC_J_READONLY) && !j->cctx)) {
        fputs("enrichcsv: out of memory\n", stderr);
        abort();
    }
    return j;
}
void ec_jnl_free(ec_journal *j)
{
    if (j->fd >= 0)
        close(j->fd);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        ec_buf_free(&j->cache[i].data);
        free(j->cache[i].lines.at);
    }
    ec_buf_free(&j->pending);
    ec_buf_free(&j->zbuf);
    ec_buf_free(&j->dbuf);
    free(j->dlines.at);
    ec_buf_free(&j->seq.buf);
    ec_buf_free(&j->rnd.buf);
    ZSTD_freeCCtx(j->cctx);
    ZSTD_freeDCtx(j->dctx);
    ZSTD_freeDCtx(j->dctx_checked);
    free(j->good);
    free(j->failed);
    free(j->target);
    free(j->path);
    free(j);
}
/* Write all n bytes, continuing after partial writes (counted). */
int ec_jnl_write_all(ec_journal *j, const void *data, size_t n, ec_buf *err)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(j->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return ec_jnl_fail(j, err, "write failed", w < 0 ? errno : EIO);
        if ((size_t)w < n)
            j->info.partial_writes++;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}
/* ------------------------------------------------------------------ replacement */

/* Create path.tmp exclusively and lock it; a stale one nobody holds is removed. */
ec_journal *ec_jnl_tmp_create(const char *path, ec_buf *notes, ec_buf *err)
{
    ec_buf tmp = {0};
    ec_buf_printf(&tmp, "%s.tmp", path);
    ec_journal *j = ec_jnl_new(tmp.p, 0);
    ec_buf_free(&tmp);
    for (int attempt = 0; attempt < 4 && j->fd < 0; attempt++) {
        j->fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (j->fd >= 0 || errno != EEXIST)
            break;
        int fd = open(j->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0 && take_lock(fd, j->path, err) < 0) {
            int e = errno;
            close(fd);
            ec_jnl_free(j);
            errno = e;
            return NULL;
        }
        if (fd >= 0 && same_file(fd, j->path) && unlink(j->path) == 0)
            ec_jnl_note(notes, "removed %s left by an interrupted rewrite", j->path);
        if (fd >= 0)
            close(fd);
    }
    if (j->fd < 0 || take_lock(j->fd, j->path, err) < 0) {
        if (j->fd < 0)
            ec_jnl_seterr(err, "cannot create %s: %s", j->path, strerror(errno));
        else
            unlink(j->path);
        ec_jnl_free(j);
        return NULL;
    }
    j->target = ec_xstrdup(path);
    j->info.created = 1;
    return j;
}
ec_journal *ec_journal_replace_begin(const char *path, ec_buf *notes, ec_buf *err)
{
    ec_journal *j = ec_jnl_tmp_create(path, notes, err);
    if (j && ec_jnl_write_header(j, err) < 0) {
        ec_journal_replace_abort(j);
        return NULL;
    }
    return j;
}
int ec_journal_replace_commit(ec_journal *j, ec_buf *err)
{
    if (!j->target) {
        ec_jnl_seterr(err, "journal %s is not a replacement", j->path);
        return -1;
    }
    if (ec_journal_sync(j, err) < 0)
        return -1;
    if (rename(j->path, j->target) < 0) {
        ec_jnl_seterr(err, "cannot rename %s to %s: %s", j->path, j->target, strerror(errno));
        return -1;
    }
    free(j->path);
    j->path = j->target;
    j->target = NULL;
    return ec_jnl_fsync_dir(j->path, err) < 0 ? ec_jnl_fail(j, err, "directory sync failed", errno)
                                              : 0;
}
void ec_journal_replace_abort(ec_journal *j)
{
    if (!j)
        return;
    if (j->target)
        unlink(j->path);
    ec_jnl_free(j);
}
/* ------------------------------------------------------------------ misc */

const char *ec_journal_failure(const ec_journal *j)
{
    return j->failed;
}

void ec_journal_stat(const ec_journal *j, ec_journal_info *out)
{
    *out = j->info;
    out->size = j->end;
}

const char *ec_journal_path(const ec_journal *j)
{
    return j->path;
}

int ec_journal_fd(const ec_journal *j)
{
    return j->fd;
}

int ec_journal_close(ec_journal *j, ec_buf *err)
{
    if (!j)
        return 0;
    int rc = 0;
    if (j->target) {
        ec_journal_replace_abort(j);
        return 0;
    }
    if (j->failed)
        rc = ec_jnl_refuse(j, err);
    else if (!(j->flags & EC_J_READONLY))
        rc = ec_journal_sync(j, err);
    ec_jnl_free(j);
    return rc;
}
