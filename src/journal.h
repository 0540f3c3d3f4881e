/* journal.h - the checkpoint journal's file layer: an append-only file of
 * concatenated zstd frames whose decompressed content is NDJSON, one record
 * a line (so `zstdcat FILE | head` shows it). It knows nothing of what the
 * records mean; ledger.h gives them their meaning.
 *
 * Durability model: each flush compresses the pending records into ONE zstd
 * frame (content checksum on, closed) and writes it with a single write();
 * a sync adds fdatasync. A crash can only leave a torn last frame, which the
 * next open detects, reports and cuts off. A failed write or fdatasync is
 * never retried: the journal enters a failed state and refuses all writes.
 * One writer per file: an fcntl lock, whose holder's pid is named on conflict. */
#ifndef EC_JOURNAL_H
#define EC_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* Format version written in the header record; a journal whose major
 * version is higher is refused. */
#define EC_JOURNAL_VERSION 1

/* A flush starts a new frame once the pending records would exceed this many
 * bytes (a single larger record gets a frame of its own) or EC_JLOC_IDX_MAX
 * records. Bigger frames compress better; this bounds what a reader caches. */
#define EC_JOURNAL_FRAME_BYTES 65536

typedef struct ec_journal ec_journal;

enum {
    EC_J_READONLY = 1, /* no lock, no repair: stats and merge inputs (a torn tail is ignored) */
    EC_J_SALVAGE = 2,  /* skip corrupt frames in the middle instead of failing */
    EC_J_NOCREATE = 4  /* fail when the file does not exist */
};

/* Where a record lives: its frame's byte offset and its index in the frame. */
typedef uint64_t ec_jloc;
#define EC_JLOC_IDX_BITS 12
#define EC_JLOC_IDX_MAX (1u << EC_JLOC_IDX_BITS)
#define EC_JLOC_OFF_BITS 34 /* frames must start below 16 GiB */
#define EC_JLOC_NONE UINT64_MAX
#define EC_JLOC(off, idx) (((uint64_t)(off) << EC_JLOC_IDX_BITS) | (uint64_t)(idx))
#define EC_JLOC_OFF(loc) ((uint64_t)(loc) >> EC_JLOC_IDX_BITS)
#define EC_JLOC_IDX(loc) ((unsigned)((loc) & (EC_JLOC_IDX_MAX - 1)))

/* Receives one record (without its newline; not NUL-terminated) and where it
 * lives (EC_JLOC_NONE when its frame holds more records than a location can
 * address). Return non-zero to stop the scan. */
typedef int (*ec_journal_record_fn)(void *ctx, const char *rec, size_t len, ec_jloc loc);

/* Counters, for stats and diagnostics. */
typedef struct ec_journal_info {
    uint64_t size;            /* bytes of intact frames (what the file holds once synced) */
    uint64_t frames;          /* intact frames, including those written this session */
    uint64_t records;         /* records in them, plus appended ones not yet flushed */
    uint64_t bytes_written;   /* compressed bytes written this session */
    uint64_t records_written; /* records appended this session */
    uint64_t partial_writes;  /* write() calls that wrote less than asked (then continued) */
    uint64_t tail_bytes;      /* torn tail found at open (cut, or ignored when read-only) */
    uint64_t skipped_bytes;   /* corrupt bytes skipped in salvage mode */
    int created;              /* 1 when this open created the file */
} ec_journal_info;

/* Open path (creating it, mode 0600, and its missing parent directories, mode
 * 0700, unless EC_J_READONLY or EC_J_NOCREATE), take the writer lock (not when
 * read-only), and check every frame. A torn tail is reported in notes and cut
 * off (write mode); a corrupt frame with intact frames after it fails with its
 * offset unless EC_J_SALVAGE, which skips it (write mode rewrites the file
 * without it, atomically). A new journal gets its header record. Returns the
 * journal, or NULL with a reason in err and errno EWOULDBLOCK when another
 * process holds the lock (exit status 2), else EIO. notes and err may be NULL. */
ec_journal *ec_journal_open(const char *path, int flags, ec_buf *notes, ec_buf *err);

/* ec_journal_open, delivering every intact record to fn (as ec_journal_scan
 * would) during the pass that checks the frames, so that each frame is
 * decompressed once. A salvage in write mode rewrites the file: its records
 * are then delivered by a scan after the rewrite. *fnrc receives fn's
 * non-zero value if it stopped the delivery (the check goes on), else 0.
 * *self receives the journal before the first record, so that fn may
 * ec_journal_read records it was given; on failure *self is set to NULL
 * (the journal is freed) and fn may have seen records of a journal that is
 * not opened. */
ec_journal *ec_journal_open_scan(const char *path, int flags, ec_journal_record_fn fn, void *ctx,
                                 int *fnrc, ec_journal **self, ec_buf *notes, ec_buf *err);

/* A prefix of the journal read and checked in an earlier run: its first
 * size bytes, in frames frames holding records records. */
typedef struct ec_journal_trust {
    uint64_t size, frames, records;
    /* Called before any record is delivered, when the file is at least
     * size bytes long, with the journal (its file readable with
     * ec_journal_pread): returns 1 when the file still starts with those
     * bytes (then only the records after them are checked and delivered),
     * 0 when not (all are). */
    int (*decide)(void *ctx, ec_journal *j);
    void *ctx;
} ec_journal_trust;

/* ec_journal_open_scan, trusting t's prefix when t->decide says the file
 * still holds it (t may be NULL; it is not used with EC_J_SALVAGE). */
ec_journal *ec_journal_open_trusting(const char *path, int flags, const ec_journal_trust *t,
                                     ec_journal_record_fn fn, void *ctx, int *fnrc,
                                     ec_journal **self, ec_buf *notes, ec_buf *err);

/* Read n bytes of j's file at off: 0, or -1 (short file or read error). */
int ec_journal_pread(ec_journal *j, void *buf, size_t n, uint64_t off);

/* Deliver every intact record on disk to fn, in file order (pending appends
 * are not included). Returns 0, fn's non-zero value if it stopped the scan,
 * or -1 with err on a read error. */
int ec_journal_scan(ec_journal *j, ec_journal_record_fn fn, void *ctx, ec_buf *err);

/* Append one record (len bytes, no newline inside) to the pending frame; when
 * that frame is full it is flushed first. loc (may be NULL) receives where the
 * record will live. Returns 0, or -1 when the journal has failed (see
 * ec_journal_failure) or the record contains a newline. */
int ec_journal_append(ec_journal *j, const char *rec, size_t len, ec_jloc *loc);

/* While held (hold 1), an append never starts a new frame because the
 * pending one is full: what is appended until the next flush goes out as
 * one frame in one write(), so a crash keeps all of those records or none.
 * Flush first, so that the group starts a frame of its own. */
void ec_journal_hold(ec_journal *j, int hold);

/* Compress the pending records into one frame and write it with one write().
 * Returns 0, or -1 with err; any failure puts the journal in the failed state. */
int ec_journal_flush(ec_journal *j, ec_buf *err);

/* Flush, then fdatasync if anything was written since the last sync. A failed
 * fdatasync is never retried: the journal enters the failed state. 0 or -1. */
int ec_journal_sync(ec_journal *j, ec_buf *err);

/* Borrow the text of the record at loc (a location from scan or append, also
 * a pending one). *rec stays valid until the next call on j. 0, or -1 with err. */
int ec_journal_read(ec_journal *j, ec_jloc loc, const char **rec, size_t *len, ec_buf *err);

/* Where the record after loc lives (in file order, then the pending ones),
 * through the frame cache: a sequential walk decompresses each frame once.
 * Returns 0 with *next, 1 when there is none (or the frames are not
 * contiguous: a read-only salvage), -1 with err on a read error. */
int ec_journal_next(ec_journal *j, ec_jloc loc, ec_jloc *next, ec_buf *err);

/* Why the journal is in the failed state, or NULL when it is not. */
const char *ec_journal_failure(const ec_journal *j);

/* Fill counters. */
void ec_journal_stat(const ec_journal *j, ec_journal_info *out);

/* The path given to open (borrowed). */
const char *ec_journal_path(const ec_journal *j);

/* The file descriptor, for tests and fault injection only. */
int ec_journal_fd(const ec_journal *j);

/* Sync (write mode), release the lock and free. Returns the sync's status;
 * the journal is freed either way. NULL-safe (returns 0). */
int ec_journal_close(ec_journal *j, ec_buf *err);

/* Start an atomic replacement of path: create path.tmp exclusively (removing
 * a stale one a crash left, unless another process holds it), locked, with a
 * fresh header. Append to it as usual, then commit or abort. NULL with err
 * (errno EWOULDBLOCK when another process is writing path.tmp). */
ec_journal *ec_journal_replace_begin(const char *path, ec_buf *notes, ec_buf *err);

/* Sync the replacement, rename it over its target and fsync the directory.
 * Afterwards j is the journal at the target path (still locked; close it).
 * On failure the target is untouched. 0 or -1 with err. */
int ec_journal_replace_commit(ec_journal *j, ec_buf *err);

/* Abandon a replacement: unlink path.tmp and free j. NULL-safe. */
void ec_journal_replace_abort(ec_journal *j);

#endif
