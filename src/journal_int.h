/* journal_int.h - internals shared by journal.c (frames, checks, appends,
 * reads) and journal_file.c (files, locks, replacement); not an interface. */
#ifndef EC_JOURNAL_INT_H
#define EC_JOURNAL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>
#include "buf.h"
#include "journal.h"

#define ZSTD_MAGIC 0xFD2FB528u
#define SKIPPABLE_MASK 0xFFFFFFF0u
#define SKIPPABLE_MAGIC 0x184D2A50u
#define MAX_CONTENT (256u << 20) /* a frame decompressing to more is not ours */
#define SEQ_WINDOW (256u << 10)  /* read-ahead for sequential passes */
#define RAND_WINDOW (8u << 10)   /* read-ahead for a random frame read */
#define CACHE_SLOTS 4
/* zstd's fastest standard level: its literals stay uncompressed, so a frame
 * (a few KiB) decodes without building Huffman tables first. Measured on a
 * 1M-row journal: decompressing every frame takes 0.64x the time of level
 * 3's, for 16.8 instead of 14.3 bytes per answered row. A replay reads each
 * frame twice (open, then answers), so that is what it pays for. */
#define LEVEL (-1)

/* Where each record of a frame's content starts, found while checking it. */
typedef struct ec_jlines {
    uint32_t *at;
    size_t n, cap;
} ec_jlines;

typedef struct ec_jframe {
    uint64_t off;
    uint64_t csize; /* compressed bytes: the next frame starts at off + csize */
    uint64_t use;   /* 0 = empty slot */
    ec_buf data;
    ec_jlines lines;
} ec_jframe;

typedef struct ec_jextent {
    uint64_t start, end;
} ec_jextent;

/* A ec_jwindow of file bytes [off, off + buf.len). */
typedef struct ec_jwindow {
    ec_buf buf;
    uint64_t off;
} ec_jwindow;

struct ec_journal {
    char *path;
    char *target; /* replacement journals: the path the commit renames over */
    int fd;
    int flags;
    int dirty;        /* written since the last fdatasync */
    int hold;         /* ec_journal_hold: no frame break for size */
    int busy;         /* open failed: another process holds the lock */
    char *failed;     /* reason, once failed */
    uint64_t end;     /* end of intact frames: where the next frame goes */
    uint64_t limit;   /* bytes that may be read (file size while checking, then end) */
    ec_jextent *good; /* intact runs of frames (several only after a read-only salvage) */
    size_t ngood;
    int header_ok;
    ec_buf pending;
    uint32_t plines[EC_JLOC_IDX_MAX];
    uint32_t npending;
    ec_buf zbuf;      /* compressed output */
    ec_buf dbuf;      /* decompressed frame during checks and scans ... */
    ec_jlines dlines; /* ... and its records */
    ec_jwindow seq;   /* sequential reads */
    ec_jwindow rnd;   /* random reads */
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
    ZSTD_DCtx *dctx_checked; /* skips checksums (see checked_dctx in journal.c) ... */
    int no_skip;             /* ... which this zstd library cannot do */
    uint64_t checked_end;    /* the frames before it were verified at open */
    ec_jframe cache[CACHE_SLOTS];
    ec_jframe *last; /* the slot cache_get gave last (a replay asks for one frame in a row) */
    uint64_t tick;
    ec_journal_info info;
    const ec_journal_trust *trust; /* ec_journal_open_trusting: a prefix not to check again */
    ec_journal_record_fn scan_fn;  /* ec_journal_open_scan: records go here during the check */
    void *scan_ctx;
    int scan_rc; /* what scan_fn returned when it stopped the delivery */
};

/* Report into err / add a line to notes (both may be NULL). */
void ec_jnl_seterr(ec_buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ec_jnl_note(ec_buf *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Enter the failed state (first reason wins), report it; returns -1. */
int ec_jnl_fail(ec_journal *j, ec_buf *err, const char *what, int errnum);
/* Report the failed state; returns -1. */
int ec_jnl_refuse(ec_journal *j, ec_buf *err);
/* fsync the directory holding path. 0 or -1 with err. */
int ec_jnl_fsync_dir(const char *path, ec_buf *err);
/* Make w hold at least min(want, limit - at) bytes from at (reading ahead
 * more); *p and *avail describe what it holds from at. 0 or -1 with err. */
int ec_jnl_window(ec_journal *j, ec_jwindow *w, uint64_t at, size_t want, size_t ahead,
                  const unsigned char **p, size_t *avail, ec_buf *err);
/* Open (and for writing create and lock) j->path; sets fd and limit. 0 or -1. */
int ec_jnl_open_file(ec_journal *j, ec_buf *notes, ec_buf *err);
/* A journal object without a file yet / free one (closing its fd). */
ec_journal *ec_jnl_new(const char *path, int flags);
void ec_jnl_free(ec_journal *j);
/* write() all of data, continuing after partial writes. 0 or -1 (failed state). */
int ec_jnl_write_all(ec_journal *j, const void *data, size_t n, ec_buf *err);
/* Create path.tmp exclusively and locked (a stale one is removed). NULL with err. */
ec_journal *ec_jnl_tmp_create(const char *path, ec_buf *notes, ec_buf *err);
/* Append and sync the header record. 0 or -1. */
int ec_jnl_write_header(ec_journal *j, ec_buf *err);

#endif
