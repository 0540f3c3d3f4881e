/* ndjson_in.c - NDJSON lines turned into rows: each line is validated
 * strictly (ec_json_check), then tokenized (ec_json_parse); an object's
 * members become cells whose col indexes the header (keys in order of first
 * appearance, found through a small hash table). */
#include "config.h"
#include "json.h"
#include "reader_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ec_ndjson_in {
    ec_reader *r;
    ec_buf line;           /* a line still without its LF */
    int overlong;          /* that line passed max_record (only a prefix is kept) */
    int has_text;          /* that line holds a byte other than blanks (kept or not) */
    unsigned long line_no; /* physical line number of that line */
    size_t *slots;         /* open addressing: col + 1, or 0 for empty */
    size_t nslots;
    size_t *name_len; /* byte length of each header name (keys may hold NUL) */
    ec_buf key;       /* scratch for decoding keys and values */
};

ec_ndjson_in *ec_ndjson_in_new(ec_reader *r)
{
    ec_ndjson_in *n = ec_xcalloc(1, sizeof *n);
    n->r = r;
    n->line_no = 1;
    n->nslots = 64;
    n->slots = ec_xcalloc(n->nslots, sizeof *n->slots);
    return n;
}

void ec_ndjson_in_free(ec_ndjson_in *n)
{
    if (!n)
        return;
    ec_buf_free(&n->line);
    ec_buf_free(&n->key);
    free(n->slots);
    free(n->name_len);
    free(n);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void rehash(ec_ndjson_in *n)
{
    const ec_header *hdr = &n->r->hdr;
    free(n->slots);
    n->nslots *= 2;
    n->slots = ec_xcalloc(n->nslots, sizeof *n->slots);
    for (size_t col = 0; col < hdr->n; col++) {
        size_t i = hash_bytes(hdr->names[col], n->name_len[col]) & (n->nslots - 1);
        while (n->slots[i])
            i = (i + 1) & (n->nslots - 1);
        n->slots[i] = col + 1;
    }
}

/* Column of key (decoded bytes), added to the header when new. */
static int key_column(ec_ndjson_in *n, const char *key, size_t len)
{
    ec_header *hdr = &n->r->hdr;
    size_t i = hash_bytes(key, len) & (n->nslots - 1);
    for (; n->slots[i]; i = (i + 1) & (n->nslots - 1)) {
        size_t col = n->slots[i] - 1;
        if (n->name_len[col] == len && memcmp(hdr->names[col], key, len) == 0)
            return (int)col;
    }
    size_t col = ec_reader_add_name(n->r, key, len);
    n->name_len = ec_xrealloc(n->name_len, hdr->n * sizeof *n->name_len);
    n->name_len[col] = len;
    n->slots[i] = col + 1;
    if (hdr->n * 2 > n->nslots)
        rehash(n);
    return (int)col;
}

/* Decoded text of string token t: borrowed from the document when it has
 * no escapes, else decoded into n->key. */
static ec_str decoded(ec_ndjson_in *n, const ec_json *j, int t)
{
    ec_str raw = ec_json_raw(j, t);
    if (!memchr(raw.ptr, '\\', raw.len))
        return raw;
    ec_buf_clear(&n->key);
    ec_json_str_into(j, t, &n->key);
    ec_str s = {n->key.p, n->key.len};
    return s;
}

static void bad_row(ec_ndjson_in *n, const char *s, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void bad_row(ec_ndjson_in *n, const char *s, size_t len, const char *fmt, ...)
{
    ec_row *row = ec_xcalloc(1, sizeof *row);
    row->line = n->line_no;
    row->mem = ec_xstrndup(s, len);
    row->raw_line.ptr = row->mem;
    row->raw_line.len = len;
    ec_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    ec_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    row->bad_input = ec_buf_take(&msg);
    ec_reader_push(n->r, row);
}

/* Bytes the decoded strings with escapes need beyond the line copy. */
static size_t escaped_extra(const ec_json *j)
{
    size_t extra = 0;
    for (int t = 1; t < j->ntok; t++) {
        if (ec_json_type(j, t) != EC_JSON_STRING)
            continue;
        ec_str raw = ec_json_raw(j, t);
        if (memchr(raw.ptr, '\\', raw.len))
            extra += raw.len + 1;
    }
    return extra;
}

static void fill_cell(ec_ndjson_in *n, const ec_json *j, int v, ec_row *row, size_t *cursor,
                      ec_cell *cell)
{
    const char *base = j->text;
    ec_str raw = ec_json_text(j, v);
    cell->raw.ptr = row->mem + (raw.ptr - base);
    cell->raw.len = raw.len;
    cell->value.ptr = NULL;
    cell->value.len = 0;
    switch (ec_json_type(j, v)) {
    case EC_JSON_STRING: {
        ec_str s = ec_json_raw(j, v);
        if (memchr(s.ptr, '\\', s.len)) {
            s = decoded(n, j, v);
            char *dst = row->mem + *cursor;
            memcpy(dst, s.ptr, s.len);
            dst[s.len] = '\0';
            *cursor += s.len + 1;
            cell->value.ptr = dst;
        } else {
            cell->value.ptr = row->mem + (s.ptr - base);
        }
        cell->value.len = s.len;
        break;
    }
    case EC_JSON_NUMBER:
    case EC_JSON_TRUE:
    case EC_JSON_FALSE:
        cell->value = cell->raw;
        break;
    default:
        break;
    }
}

static void object_row(ec_ndjson_in *n, const ec_json *j)
{
    ec_row *row = ec_xcalloc(1, sizeof *row);
    row->line = n->line_no;
    size_t cursor = j->len + 1;
    row->mem = ec_xmalloc(cursor + escaped_extra(j));
    memcpy(row->mem, j->text, j->len);
    row->mem[j->len] = '\0';
    int nm = ec_json_size(j, 0);
    row->cells = ec_xmalloc((nm ? (size_t)nm : 1) * sizeof *row->cells);
    int k = 1;
    for (int i = 0; i < nm; i++) {
        ec_str key = decoded(n, j, k);
        ec_cell *cell = &row->cells[i];
        cell->col = key_column(n, key.ptr, key.len);
        fill_cell(n, j, k + 1, row, &cursor, cell);
        k = ec_json_skip(j, k + 1);
    }
    row->ncells = (size_t)nm;
    n->r->has_header = 1;
    ec_reader_push(n->r, row);
}

static int blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static void process_line(ec_ndjson_in *n, const char *s, size_t len, int overlong)
{
    if (len && s[len - 1] == '\r')
        len--;
    if (overlong) {
        if (n->has_text) /* an over-long line of blanks is a blank line */
            bad_row(n, s, len, "line %lu: line longer than %zu bytes", n->line_no,
                    n->r->max_record);
        return;
    }
    if (blank(s, len))
        return;
    const char *reason;
    size_t off;
    if (ec_json_check(s, len, &reason, &off) != 0) {
        bad_row(n, s, len, "line %lu: invalid JSON at byte %zu: %s", n->line_no, off + 1, reason);
        return;
    }
    size_t first = 0;
    while (s[first] == ' ' || s[first] == '\t' || s[first] == '\r')
        first++;
    if (s[first] != '{') {
        bad_row(n, s, len, "line %lu: not a JSON object", n->line_no);
        return;
    }
    ec_json j;
    if (ec_json_parse(&j, s, len, &reason) != 0)
        bad_row(n, s, len, "line %lu: %s", n->line_no, reason ? reason : "invalid JSON");
    else
        object_row(n, &j);
    ec_json_free(&j);
}

/* Keep part of a line until its LF arrives; an over-long line keeps only
 * its first max_field bytes. */
static void hold(ec_ndjson_in *n, const char *s, size_t len)
{
    if (!n->has_text && !blank(s, len))
        n->has_text = 1;
    if (n->overlong)
        return;
    if (n->line.len + len > n->r->max_record) {
        n->overlong = 1;
        size_t keep = n->r->max_field;
        if (n->line.len > keep)
            n->line.len = keep;
        else
            ec_buf_put(&n->line, s, len < keep - n->line.len ? len : keep - n->line.len);
        return;
    }
    ec_buf_put(&n->line, s, len);
}

static void end_line(ec_ndjson_in *n, const char *s, size_t len)
{
    if (n->line.len == 0 && !n->overlong && len <= n->r->max_record) {
        process_line(n, s, len, 0);
    } else {
        hold(n, s, len);
        process_line(n, n->line.p, n->line.len, n->overlong);
        ec_buf_clear(&n->line);
        n->overlong = 0;
        n->has_text = 0;
    }
    n->line_no++;
}

int ec_ndjson_in_feed(ec_ndjson_in *n, const char *buf, size_t len)
{
    while (len) {
        const char *nl = memchr(buf, '\n', len);
        if (!nl) {
            hold(n, buf, len);
            return 0;
        }
        size_t k = (size_t)(nl - buf);
        end_line(n, buf, k);
        buf += k + 1;
        len -= k + 1;
    }
    return 0;
}

int ec_ndjson_in_finish(ec_ndjson_in *n)
{
    if (n->line.len || n->overlong)
        end_line(n, "", 0);
    if (n->r->seq > 0)
        n->r->has_header = 1; /* only invalid lines: the header is as known as it gets */
    return 0;
}
