/* reader.c - the reader's front: byte order mark, format and delimiter
 * sniffing, the queue of completed rows; the formats live in csv_in.c and
 * ndjson_in.c. */
#include "config.h"
#include "reader_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char utf8_bom[3] = {'\xEF', '\xBB', '\xBF'};

ec_reader *ec_reader_new(const ec_reader_opts *o)
{
    ec_reader_opts defaults = {EC_FMT_AUTO, 0, 0};
    if (!o)
        o = &defaults;
    char d = o->delimiter;
    if (d == '"' || d == '\r' || d == '\n')
        return NULL;
    ec_reader *r = ec_xcalloc(1, sizeof *r);
    r->opts = *o;
    r->max_field = o->max_field ? o->max_field : EC_READER_MAX_FIELD;
    r->max_record = r->max_field * EC_READER_RECORD_FACTOR;
    if (r->max_record / EC_READER_RECORD_FACTOR != r->max_field)
        r->max_record = (size_t)-1;
    r->fmt = o->format;
    return r;
}

void ec_reader_free(ec_reader *r)
{
    if (!r)
        return;
    ec_csv_in_free(r->csv);
    ec_ndjson_in_free(r->nd);
    while (r->qlen)
        ec_row_free(ec_reader_next(r));
    free(r->queue);
    for (size_t i = 0; i < r->hdr.n; i++)
        free(r->hdr.names[i]);
    free(r->hdr.names);
    ec_buf_free(&r->pre);
    ec_buf_free(&r->fatal);
    free(r);
}

int ec_reader_fail(ec_reader *r, const char *fmt, ...)
{
    va_list ap;
    ec_buf_clear(&r->fatal);
    va_start(ap, fmt);
    ec_buf_vprintf(&r->fatal, fmt, ap);
    va_end(ap);
    r->state = EC_RD_FAILED;
    return -1;
}

size_t ec_reader_add_name(ec_reader *r, const char *name, size_t len)
{
    if ((r->hdr.n & (r->hdr.n - 1)) == 0) /* grow at powers of two */
        r->hdr.names = ec_xrealloc(r->hdr.names, (r->hdr.n ? r->hdr.n * 2 : 1) * sizeof(char *));
    r->hdr.names[r->hdr.n] = ec_xstrndup(name, len);
    return r->hdr.n++;
}

void ec_reader_push(ec_reader *r, ec_row *row)
{
    if (r->qlen == r->qcap) {
        size_t ncap = r->qcap ? r->qcap * 2 : 64;
        ec_row **q = ec_xmalloc(ncap * sizeof *q);
        for (size_t i = 0; i < r->qlen; i++)
            q[i] = r->queue[(r->qhead + i) & (r->qcap - 1)];
        free(r->queue);
        r->queue = q;
        r->qhead = 0;
        r->qcap = ncap;
    }
    row->seq = r->seq++;
    r->queue[(r->qhead + r->qlen) & (r->qcap - 1)] = row; /* qcap: a power of two */
    r->qlen++;
}

ec_row *ec_reader_next(ec_reader *r)
{
    if (r->qlen == 0)
        return NULL;
    ec_row *row = r->queue[r->qhead];
    r->qhead = (r->qhead + 1) & (r->qcap - 1);
    r->qlen--;
    return row;
}

/* Drop a leading BOM once it can be told apart. Returns 0 when more input
 * is needed. */
static int strip_bom(ec_reader *r, int eof)
{
    size_t n = r->pre.len < 3 ? r->pre.len : 3;
    if (n == 0 && !eof)
        return 0; /* nothing fed yet (an empty feed) */
    if (n && memcmp(r->pre.p, utf8_bom, n) == 0) {
        if (n < 3 && !eof)
            return 0;
        if (n == 3) {
            memmove(r->pre.p, r->pre.p + 3, r->pre.len - 3);
            r->pre.len -= 3;
            r->pre.p[r->pre.len] = '\0';
        }
    }
    r->bom_checked = 1;
    return 1;
}

/* Settle -i auto from the first non-blank byte (within the first
 * EC_READER_MAX_BLANK bytes, else CSV: the same however the input is fed).
 * Returns 0 when more input is needed. */
static int sniff_format(ec_reader *r, int eof)
{
    size_t n = r->pre.len < EC_READER_MAX_BLANK ? r->pre.len : EC_READER_MAX_BLANK;
    for (size_t i = 0; i < n; i++) {
        char c = r->pre.p[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        r->fmt = c == '{' ? EC_FMT_NDJSON : EC_FMT_CSV;
        return 1;
    }
    if (!eof && r->pre.len < EC_READER_MAX_BLANK)
        return 0;
    r->fmt = EC_FMT_CSV;
    return 1;
}

/* Find the end of the CSV header line in pre (quotes respected). Returns 1
 * with *end at its terminator (or the end of pre at eof), 0 for more input,
 * -1 when the line is too long. */
static int find_header_line(ec_reader *r, int eof, size_t *end)
{
    const char *p = r->pre.p;
    size_t j = r->scan_pos;
    for (; j < r->pre.len; j++) {
        char c = p[j];
        int nl = c == '\n' || c == '\r';
        if (!r->scan_in_line) {
            if (nl)
                continue;
            r->scan_in_line = 1;
            r->line_start = j;
        }
        if (c == '"')
            r->scan_quoted = !r->scan_quoted;
        else if (nl && !r->scan_quoted)
            break;
    }
    r->scan_pos = j;
    /* blank lines before the header do not count towards its length, but
     * their number is bounded too (they are held until the header ends) */
    if (j == r->pre.len && !eof) {
        if (r->scan_in_line)
            return r->pre.len - r->line_start > r->max_record ? -1 : 0;
        return r->pre.len > EC_READER_MAX_BLANK ? -1 : 0;
    }
    if (j < r->pre.len && p[j] == '\r' && j + 1 == r->pre.len && !eof)
        return 0; /* CR or CRLF: wait for the next byte */
    if (r->scan_in_line && j - r->line_start > r->max_record)
        return -1; /* too long, however the bytes were fed */
    *end = j;
    return 1;
}

static int start_csv(ec_reader *r, int eof)
{
    size_t end = 0;
    int rc = find_header_line(r, eof, &end);
    if (rc < 0 && !r->scan_in_line)
        return ec_reader_fail(r, "no header line in the first %zu bytes (all blank)",
                              EC_READER_MAX_BLANK);
    if (rc < 0)
        return ec_reader_fail(r, "line 1: header line longer than %zu bytes", r->max_record);
    if (rc == 0)
        return 0;
    size_t start = r->scan_in_line ? r->line_start : end;
    r->crlf = end + 1 < r->pre.len && r->pre.p[end] == '\r' && r->pre.p[end + 1] == '\n';
    r->delim = r->opts.delimiter
                   ? r->opts.delimiter
                   : ec_csv_sniff_delimiter(r->pre.p ? r->pre.p + start : "", end - start);
    r->csv = ec_csv_in_new(r);
    if (!r->csv)
        return ec_reader_fail(r, "cannot initialise the CSV parser");
    return 1;
}

/* Leave the START state once format and (CSV) header line are known, and
 * pass the held bytes on. Returns 1 started, 0 need more, -1 failed. */
static int try_start(ec_reader *r, int eof)
{
    if (!r->bom_checked && !strip_bom(r, eof))
        return 0;
    if (r->fmt == EC_FMT_AUTO && !sniff_format(r, eof))
        return 0;
    if (r->fmt == EC_FMT_CSV) {
        int rc = start_csv(r, eof);
        if (rc <= 0)
            return rc;
    } else {
        r->nd = ec_ndjson_in_new(r);
    }
    r->state = EC_RD_BODY;
    ec_buf held = r->pre;
    memset(&r->pre, 0, sizeof r->pre);
    int rc = 0;
    if (held.len)
        rc = r->csv ? ec_csv_in_feed(r->csv, held.p, held.len)
                    : ec_ndjson_in_feed(r->nd, held.p, held.len);
    ec_buf_free(&held);
    return rc < 0 ? -1 : 1;
}

static int report(ec_reader *r, ec_buf *err)
{
    if (r->state != EC_RD_FAILED)
        return 0;
    if (err)
        ec_buf_put(err, r->fatal.p, r->fatal.len);
    return -1;
}

int ec_reader_feed(ec_reader *r, const char *buf, size_t len, ec_buf *err)
{
    if (r->state == EC_RD_DONE)
        ec_reader_fail(r, "input fed after its end");
    if (r->state == EC_RD_FAILED)
        return report(r, err);
    r->bytes += len;
    if (r->state == EC_RD_START) {
        ec_buf_put(&r->pre, buf, len);
        try_start(r, 0);
    } else if (r->csv) {
        ec_csv_in_feed(r->csv, buf, len);
    } else {
        ec_ndjson_in_feed(r->nd, buf, len);
    }
    return report(r, err);
}

int ec_reader_finish(ec_reader *r, ec_buf *err)
{
    if (r->state == EC_RD_START && try_start(r, 1) < 0)
        return report(r, err);
    if (r->state != EC_RD_BODY)
        return report(r, err);
    int rc = r->csv ? ec_csv_in_finish(r->csv) : ec_ndjson_in_finish(r->nd);
    if (rc == 0)
        r->state = EC_RD_DONE;
    return report(r, err);
}

size_t ec_reader_pending(const ec_reader *r)
{
    return r->qlen;
}

int ec_reader_has_header(const ec_reader *r)
{
    return r->has_header;
}

const ec_header *ec_reader_header(const ec_reader *r)
{
    return &r->hdr;
}

enum ec_format ec_reader_format(const ec_reader *r)
{
    return r->fmt;
}

char ec_reader_delimiter(const ec_reader *r)
{
    return r->delim;
}

int ec_reader_crlf(const ec_reader *r)
{
    return r->crlf;
}

unsigned long long ec_reader_bytes(const ec_reader *r)
{
    return r->bytes;
}
