/* io_test.h - helpers shared by the reader and writer unit tests. */
#ifndef EC_IO_TEST_H
#define EC_IO_TEST_H

#include <stdlib.h>
#include <string.h>
#include "reader.h"
#include "writer.h"

typedef struct rowlist {
    ec_row **v;
    size_t n;
} rowlist;

static unsigned long long io_rand_state = 42;

/* A small deterministic generator (tests must be reproducible). */
static inline unsigned io_rand(void)
{
    io_rand_state = io_rand_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(io_rand_state >> 33);
}

static inline void rows_take(ec_reader *r, rowlist *rl)
{
    ec_row *row;
    while ((row = ec_reader_next(r)) != NULL) {
        if ((rl->n & (rl->n - 1)) == 0) /* grow at powers of two */
            rl->v = realloc(rl->v, (rl->n ? rl->n * 2 : 1) * sizeof *rl->v);
        rl->v[rl->n++] = row;
    }
}

static inline void rows_free(rowlist *rl)
{
    for (size_t i = 0; i < rl->n; i++)
        ec_row_free(rl->v[i]);
    free(rl->v);
    rl->v = NULL;
    rl->n = 0;
}

/* Read in with chunks of size chunk (0: all at once; (size_t)-1: random
 * 1..7 bytes). Rows go to rl; returns the reader (caller frees), *rc the
 * first failure (-1) or 0; err gets messages. */
static inline ec_reader *read_chunks(const char *in, size_t len, const ec_reader_opts *o,
                                     size_t chunk, rowlist *rl, ec_buf *err, int *rc)
{
    ec_reader *r = ec_reader_new(o);
    *rc = 0;
    size_t pos = 0;
    while (pos < len && *rc == 0) {
        size_t n = chunk == 0 ? len : chunk == (size_t)-1 ? 1 + io_rand() % 7 : chunk;
        if (n > len - pos)
            n = len - pos;
        *rc = ec_reader_feed(r, in + pos, n, err);
        pos += n;
        rows_take(r, rl);
    }
    if (*rc == 0)
        *rc = ec_reader_finish(r, err);
    rows_take(r, rl);
    return r;
}

/* Cell i's value as a NUL-terminated copy in a rotating static buffer
 * ("<none>" when missing, "<null>" for a NULL value). */
static inline const char *cellv(const ec_row *row, size_t i)
{
    static char buf[8][512];
    static int k;
    if (!row || i >= row->ncells)
        return "<none>";
    if (!row->cells[i].value.ptr)
        return "<null>";
    char *b = buf[k++ % 8];
    size_t n = row->cells[i].value.len;
    if (n >= 511)
        n = 511;
    memcpy(b, row->cells[i].value.ptr, n);
    b[n] = '\0';
    return b;
}

/* The raw text of cell i, same conventions. */
static inline const char *cellraw(const ec_row *row, size_t i)
{
    static char buf[4][512];
    static int k;
    if (!row || i >= row->ncells)
        return "<none>";
    char *b = buf[k++ % 4];
    size_t n = row->cells[i].raw.len;
    if (n >= 511)
        n = 511;
    memcpy(b, row->cells[i].raw.ptr, n);
    b[n] = '\0';
    return b;
}

static inline ec_writer_opts wopts(enum ec_format fmt)
{
    ec_writer_opts o;
    memset(&o, 0, sizeof o);
    o.format = fmt;
    return o;
}

/* Write every row of rl (with the reader's header) and return the bytes
 * (malloc'd, NUL-terminated; their length in *len when len is not NULL).
 * Rows' outcomes are left as they are. */
static inline char *write_all_n(const ec_writer_opts *o, ec_reader *r, rowlist *rl, size_t *len)
{
    ec_buf out = {0};
    ec_writer *w = ec_writer_new(o, ec_reader_header(r), ec_reader_format(r));
    for (size_t i = 0; i < rl->n; i++)
        ec_writer_row(w, rl->v[i], &out);
    ec_writer_header(w, &out);
    ec_writer_free(w);
    if (len)
        *len = out.len;
    return ec_buf_take(&out);
}

static inline char *write_all(const ec_writer_opts *o, ec_reader *r, rowlist *rl)
{
    return write_all_n(o, r, rl, NULL);
}

static inline void set_found(ec_row *row, const char *email, const char *phone)
{
    row->out.status = EC_ST_ENRICHED;
    if (email)
        ec_values_add(&row->out.emails, email, strlen(email));
    if (phone)
        ec_values_add(&row->out.phones, phone, strlen(phone));
}

#endif
