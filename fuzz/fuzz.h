/* fuzz.h - shared by the libFuzzer targets in fuzz/ and by fuzz/replay.c,
 * the driver that replays a corpus under `make check` without libFuzzer.
 * A broken property aborts (libFuzzer reports it as a crash and keeps the
 * input; the replay driver dies and its test fails). */
#ifndef EC_FUZZ_H
#define EC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "reader.h"
#include "row.h"

/* Each target's entry point: LLVMFuzzerTestOneInput when built by
 * fuzz/run.sh for libFuzzer (FUZZ_LIBFUZZER), else fuzz_NAME, so that
 * fuzz/replay.c links every target into one program. Always returns 0. */
#ifdef FUZZ_LIBFUZZER
#define FUZZ_ENTRY(name) int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
#else
#define FUZZ_ENTRY(name) int fuzz_##name(const uint8_t *data, size_t size)
#endif
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_csv(const uint8_t *data, size_t size);
int fuzz_ndjson(const uint8_t *data, size_t size);
int fuzz_journal(const uint8_t *data, size_t size);
int fuzz_prov_amplemarket(const uint8_t *data, size_t size);
int fuzz_prov_thehog(const uint8_t *data, size_t size);
int fuzz_prov_openfunnel(const uint8_t *data, size_t size);
int fuzz_prov_woodpecker(const uint8_t *data, size_t size);
int fuzz_prov_lance(const uint8_t *data, size_t size);

/* Abort with a message when a property does not hold. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz property failed at %s:%d: ", __FILE__, __LINE__);                \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Known bugs (each has a TODO regression test, see tests/README) are let
 * through unless FUZZ_STRICT is set in the environment, so that fuzzing goes
 * on past them; once they are fixed, run with FUZZ_STRICT=1. */
static inline int fuzz_strict(void)
{
    return getenv("FUZZ_STRICT") != NULL;
}

/* Rows taken from a reader, in order. */
typedef struct fuzz_rows {
    ec_row **v;
    size_t n, cap;
} fuzz_rows;

static inline void fuzz_rows_take(ec_reader *r, fuzz_rows *rl)
{
    ec_row *row;
    while ((row = ec_reader_next(r)) != NULL) {
        if (rl->n == rl->cap) {
            rl->cap = rl->cap ? rl->cap * 2 : 16;
            rl->v = ec_xrealloc(rl->v, rl->cap * sizeof *rl->v);
        }
        rl->v[rl->n++] = row;
    }
}

static inline void fuzz_rows_free(fuzz_rows *rl)
{
    for (size_t i = 0; i < rl->n; i++)
        ec_row_free(rl->v[i]);
    free(rl->v);
    memset(rl, 0, sizeof *rl);
}

/* Feed data in the given pieces (cuts: ascending offsets inside data), then
 * finish. Returns the reader (caller frees); *rc is 0 or -1 (first fatal,
 * its message in err, which may be NULL). */
static inline ec_reader *fuzz_read(const ec_reader_opts *o, const char *data, size_t size,
                                   const size_t *cuts, size_t ncuts, fuzz_rows *rl, int *rc,
                                   ec_buf *err)
{
    ec_reader *r = ec_reader_new(o);
    FUZZ_CHECK(r != NULL, "reader refused its options");
    size_t pos = 0;
    *rc = 0;
    for (size_t i = 0; i <= ncuts && *rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : size;
        if (end < pos)
            continue;
        *rc = ec_reader_feed(r, data + pos, end - pos, err);
        pos = end;
        fuzz_rows_take(r, rl);
    }
    if (*rc == 0)
        *rc = ec_reader_finish(r, err);
    fuzz_rows_take(r, rl);
    return r;
}

static inline int fuzz_str_same(ec_str a, ec_str b)
{
    if (!a.ptr || !b.ptr)
        return a.ptr == b.ptr;
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static inline int fuzz_cstr_same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* A bad-input message without its "line N: " prefix. */
static inline const char *fuzz_after_line(const char *msg)
{
    const char *p = msg ? strstr(msg, ": ") : NULL;
    return p && strncmp(msg, "line ", 5) == 0 ? p + 2 : msg;
}

/* Two readings of the same bytes must give the same rows, whatever the
 * chunking: same cells (column, value, raw), line, bad input and raw line. */
static inline void fuzz_rows_same(const fuzz_rows *a, const fuzz_rows *b)
{
    FUZZ_CHECK(a->n == b->n, "row count depends on chunking: %zu vs %zu", a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const ec_row *x = a->v[i], *y = b->v[i];
        FUZZ_CHECK(x->seq == y->seq, "row %zu: seq differs", i);
        FUZZ_CHECK(x->line == y->line, "row %zu: line %lu vs %lu", i, x->line, y->line);
        FUZZ_CHECK(fuzz_cstr_same(x->bad_input, y->bad_input), "row %zu: bad input '%s' vs '%s'", i,
                   x->bad_input ? x->bad_input : "-", y->bad_input ? y->bad_input : "-");
        FUZZ_CHECK(fuzz_str_same(x->raw_line, y->raw_line), "row %zu: raw line differs", i);
        FUZZ_CHECK(x->ncells == y->ncells, "row %zu: %zu vs %zu cells", i, x->ncells, y->ncells);
        for (size_t c = 0; c < x->ncells; c++) {
            FUZZ_CHECK(x->cells[c].col == y->cells[c].col, "row %zu cell %zu: column", i, c);
            FUZZ_CHECK(fuzz_str_same(x->cells[c].value, y->cells[c].value),
                       "row %zu cell %zu: value", i, c);
            FUZZ_CHECK(fuzz_str_same(x->cells[c].raw, y->cells[c].raw), "row %zu cell %zu: raw", i,
                       c);
        }
    }
}

static inline void fuzz_headers_same(const ec_header *a, const ec_header *b)
{
    FUZZ_CHECK(a->n == b->n, "header width depends on chunking: %zu vs %zu", a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        FUZZ_CHECK(strcmp(a->names[i], b->names[i]) == 0, "header name %zu differs", i);
}

/* One reading of the input, kept for further checks. */
typedef struct fuzz_reading {
    ec_reader *r;
    fuzz_rows rows;
    int rc;
    ec_buf err;
} fuzz_reading;

static inline void fuzz_reading_free(fuzz_reading *x)
{
    fuzz_rows_free(&x->rows);
    ec_reader_free(x->r);
    ec_buf_free(&x->err);
}

static inline void fuzz_same_reading(const fuzz_reading *a, const fuzz_reading *b, const char *how)
{
    FUZZ_CHECK(a->rc == b->rc, "fatal status differs %s: '%s' vs '%s'", how,
               a->err.p ? a->err.p : "", b->err.p ? b->err.p : "");
    FUZZ_CHECK(ec_reader_format(a->r) == ec_reader_format(b->r), "format differs %s", how);
    fuzz_rows_same(&a->rows, &b->rows);
    fuzz_headers_same(ec_reader_header(a->r), ec_reader_header(b->r));
}

/* Read in at once into *whole, and compare with readings in two chunks (cut
 * at cut) and, for short inputs, byte by byte. */
static inline void fuzz_read_ways(const ec_reader_opts *o, const char *in, size_t len, size_t cut,
                                  fuzz_reading *whole)
{
    memset(whole, 0, sizeof *whole);
    whole->r = fuzz_read(o, in, len, NULL, 0, &whole->rows, &whole->rc, &whole->err);
    fuzz_reading other = {0};
    other.r = fuzz_read(o, in, len, &cut, 1, &other.rows, &other.rc, &other.err);
    fuzz_same_reading(whole, &other, "in two chunks");
    fuzz_reading_free(&other);
    if (len <= 512) {
        size_t cuts[512];
        for (size_t i = 0; i < len; i++)
            cuts[i] = i + 1;
        memset(&other, 0, sizeof other);
        other.r = fuzz_read(o, in, len, cuts, len, &other.rows, &other.rc, &other.err);
        fuzz_same_reading(whole, &other, "byte by byte");
        fuzz_reading_free(&other);
    }
}

#endif
