/* csv_out.c - CSV output with minimal quoting (libcsv's writer always
 * quotes, which would break byte identity of canonical input). */
#include "config.h"
#include "writer_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Does s need quoting? This is the hot loop of a CSV replay. */
static int needs_quotes(const char *s, size_t len, char delim)
{
    static const unsigned char special[256] = {['\n'] = 1, ['\r'] = 1, ['"'] = 1};
    for (size_t i = 0; i < len; i++)
        if (special[(unsigned char)s[i]] || s[i] == delim)
            return 1;
    return 0;
}

void ec_csv_put_field(ec_buf *out, const char *s, size_t len, char delim, int excel)
{
    if (len == 0)
        return;
    int guard = excel && formula_start(s[0]);
    if (!needs_quotes(s, len, delim)) {
        ec_buf_reserve(out, len + 1);
        if (guard)
            out->p[out->len++] = '\'';
        memcpy(out->p + out->len, s, len);
        out->len += len;
        out->p[out->len] = '\0';
        return;
    }
    size_t quotes = 0;
    for (const char *q = s; (q = memchr(q, '"', len - (size_t)(q - s))) != NULL; q++)
        quotes++;
    ec_buf_reserve(out, len + quotes + 3);
    char *d = out->p + out->len;
    *d++ = '"';
    if (guard)
        *d++ = '\'';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            *d++ = '"';
        *d++ = s[i];
    }
    *d++ = '"';
    out->len = (size_t)(d - out->p);
    out->p[out->len] = '\0';
}

/* Does the 8-byte word w hold LF, CR, '"' or the delimiter (dw: it in every
 * byte)? The classic has-zero-byte test on w XOR each. */
static int word_special(uint64_t w, uint64_t dw)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t a = w ^ (ones * '\n'), b = w ^ (ones * '\r'), c = w ^ (ones * '"'), d = w ^ dw;
    return ((((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) | ((d - ones) & ~d)) &
            highs) != 0;
}

/* One field after its delimiter: copied when no byte needs quoting (the
 * common case, checked a word at a time, then against the writer's table),
 * else quoted. */
static void put(ec_writer *w, ec_buf *out, int *first, const char *s, size_t len)
{
    ec_buf_reserve(out, len + 2);
    if (!*first)
        out->p[out->len++] = w->delim;
    *first = 0;
    size_t i = 0;
    uint64_t dw = 0x0101010101010101ull * (unsigned char)w->delim;
    for (uint64_t word; i + 8 <= len; i += 8) {
        memcpy(&word, s + i, 8);
        if (word_special(word, dw))
            break;
    }
    while (i < len && !w->special[(unsigned char)s[i]])
        i++;
    if (i < len || (w->o.excel && len && formula_start(s[0]))) {
        out->p[out->len] = '\0';
        ec_csv_put_field(out, s, len, w->delim, w->o.excel);
        return;
    }
    memcpy(out->p + out->len, s, len);
    out->len += len;
    out->p[out->len] = '\0';
}

void ec_csv_out_header(ec_writer *w, ec_buf *out)
{
    int first = 1;
    if (w->o.excel)
        ec_buf_put(out, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < w->ncols; i++)
        put(w, out, &first, w->hdr->names[i], strlen(w->hdr->names[i]));
    if (w->o.people)
        for (int i = 0; i < 4; i++)
            put(w, out, &first, ec_person_cols[i], strlen(ec_person_cols[i]));
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->reuse[k] < 0)
            put(w, out, &first, w->names[k], strlen(w->names[k]));
    ec_buf_put(out, w->eol, w->eol[1] ? 2 : 1);
}

static int reused_as(const ec_writer *w, size_t col)
{
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->reuse[k] == (int)col)
            return k;
    return -1;
}

/* One input column's value, merged with ours when the column is reused. */
static void put_input(ec_writer *w, ec_buf *out, int *first, size_t col, ec_str v,
                      const ec_str add[EC_ADD_N])
{
    int k = reused_as(w, col);
    if (k >= 0 && ec_writer_take_ours(w, k, v.len == 0, add[k]))
        v = add[k];
    put(w, out, first, v.ptr, v.len);
}

static void warn_extra(ec_writer *w, int col, unsigned long line)
{
    if (w->nwarned < w->hdr->n) {
        w->warned = ec_xrealloc(w->warned, w->hdr->n);
        memset(w->warned + w->nwarned, 0, w->hdr->n - w->nwarned);
        w->nwarned = w->hdr->n;
    }
    if (w->warned[col])
        return;
    w->warned[col] = 1;
    if (!w->o.warn)
        return;
    ec_buf msg = {0};
    ec_buf_printf(&msg,
                  "key \"%s\" is not a CSV column (the columns are the first object's keys); "
                  "its values are dropped",
                  w->hdr->names[col]);
    w->o.warn(w->o.warn_ctx, line, msg.p);
    ec_buf_free(&msg);
}

/* Text of an NDJSON cell in a CSV column: decoded string, JSON text for
 * other values, empty for null and missing. */
static ec_str ndjson_text(const ec_cell *c)
{
    ec_str empty = {"", 0};
    if (!c)
        return empty;
    if (c->value.ptr)
        return c->value;
    if (c->raw.len == 4 && memcmp(c->raw.ptr, "null", 4) == 0)
        return empty;
    return c->raw;
}

static void ndjson_columns(ec_writer *w, const ec_row *row, int *first, const ec_str add[],
                           ec_buf *out)
{
    if (w->nslot < w->ncols) {
        free(w->slot);
        w->slot = ec_xmalloc(w->ncols * sizeof *w->slot);
        w->nslot = w->ncols;
    }
    if (w->ncols)
        memset(w->slot, 0, w->ncols * sizeof *w->slot);
    for (size_t j = 0; j < row->ncells; j++) {
        int col = row->cells[j].col;
        if (col >= 0 && (size_t)col < w->ncols) {
            if (!w->slot[col])
                w->slot[col] = j + 1;
        } else if (col >= 0 && (size_t)col < w->hdr->n) {
            warn_extra(w, col, row->line);
        }
    }
    for (size_t i = 0; i < w->ncols; i++) {
        const ec_cell *c = w->slot[i] ? &row->cells[w->slot[i] - 1] : NULL;
        put_input(w, out, first, i, ndjson_text(c), add);
    }
}

void ec_csv_out_line(ec_writer *w, const ec_row *row, const ec_person *p, ec_buf *out)
{
    ec_str add[EC_ADD_N];
    ec_writer_values(w, row, p, add);
    int first = 1;
    if (w->in_fmt == EC_FMT_NDJSON) {
        ndjson_columns(w, row, &first, add, out);
    } else {
        size_t width = row->ncells > w->ncols ? row->ncells : w->ncols;
        for (size_t i = 0; i < width; i++) {
            ec_str v = {"", 0};
            if (i < row->ncells)
                v = row->cells[i].value;
            put_input(w, out, &first, i, v, add);
        }
    }
    if (w->o.people) {
        const char *pv[4];
        ec_person_values(p, pv);
        for (int i = 0; i < 4; i++)
            put(w, out, &first, pv[i] ? pv[i] : "", pv[i] ? strlen(pv[i]) : 0);
    }
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->reuse[k] < 0)
            put(w, out, &first, add[k].ptr, add[k].len);
    ec_buf_put(out, w->eol, w->eol[1] ? 2 : 1);
}
