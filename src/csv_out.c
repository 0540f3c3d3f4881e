/* csv_out.c - CSV output with minimal quoting (libcsv's writer always
 * quotes, which would break byte identity of canonical input). */
#include "config.h"
#include "writer_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    ec_buf_reserve(out, 2 * len + 3); /* every byte a quote, at worst */
    char *d = out->p + out->len;
    *d++ = '"';
    if (guard)
        *d++ = '\'';
    const char *e = s + len;
    for (const char *q; (q = memchr(s, '"', (size_t)(e - s))) != NULL; s = q + 1) {
        memcpy(d, s, (size_t)(q + 1 - s)); /* up to and with the quote, then its twin */
        d += q + 1 - s;
        *d++ = '"';
    }
    memcpy(d, s, (size_t)(e - s));
    d += e - s;
    *d++ = '"';
    out->len = (size_t)(d - out->p);
    out->p[out->len] = '\0';
}

/* Might the 8-byte word x hold LF, CR, '"' or the delimiter (dw: it in
 * every byte)? A byte below 0x0E stands for LF and CR (other control bytes
 * are rare and only cost the exact check); '"' and the delimiter use the
 * classic has-zero-byte test on x XOR each. False alarms are fine, misses
 * are not. */
static int word_special(uint64_t x, uint64_t dw)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), d = x ^ dw;
    return ((((x - ones * 0x0E) & ~x) | ((q - ones) & ~q) | ((d - ones) & ~d)) & highs) != 0;
}

#if defined(__SSE2__)
/* Does a byte of x need quoting: LF, CR, '"' or the delimiter (dl)? */
static int special16(__m128i x, __m128i dl)
{
    __m128i lf = _mm_cmpeq_epi8(x, _mm_set1_epi8('\n')),
            cr = _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'));
    __m128i q = _mm_cmpeq_epi8(x, _mm_set1_epi8('"')), d = _mm_cmpeq_epi8(x, dl);
    return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(lf, cr), _mm_or_si128(q, d))) != 0;
}
#endif

/* Copy s to d (room for len bytes) while checking it a word at a time
 * (short strings as two overlapping halves, the way memcpy does; nothing
 * outside s[0..len) is read): 1, or 0 when some byte may need quoting (d
 * then holds garbage). */
static int copy_plain(char *d, const char *s, size_t len, uint64_t dw)
{
    uint64_t x;
#if defined(__SSE2__)
    if (len >= 8) { /* sixteen bytes a step, an exact test */
        const __m128i dl = _mm_set1_epi8((char)dw);
        if (len < 16) { /* two overlapping halves in one step */
            uint64_t b;
            memcpy(&x, s, 8);
            memcpy(&b, s + len - 8, 8);
            if (special16(_mm_set_epi64x((long long)b, (long long)x), dl))
                return 0;
            memcpy(d, &x, 8);
            memcpy(d + len - 8, &b, 8);
            return 1;
        }
        __m128i v;
        for (size_t i = 0; i + 16 < len; i += 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            if (special16(v, dl))
                return 0;
            _mm_storeu_si128((__m128i *)(void *)(d + i), v);
        }
        v = _mm_loadu_si128((const __m128i *)(const void *)(s + len - 16));
        if (special16(v, dl))
            return 0;
        _mm_storeu_si128((__m128i *)(void *)(d + len - 16), v);
        return 1;
    }
#endif
    if (len >= 8) {
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy(&x, s + i, 8);
            if (word_special(x, dw))
                return 0;
            memcpy(d + i, &x, 8);
        }
        memcpy(&x, s + len - 8, 8);
        if (word_special(x, dw))
            return 0;
        memcpy(d + len - 8, &x, 8);
        return 1;
    }
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        if (word_special(a | (uint64_t)b << 32, dw))
            return 0;
        memcpy(d, &a, 4);
        memcpy(d + len - 4, &b, 4);
        return 1;
    }
    if (len) {
        unsigned char a = (unsigned char)s[0], b = (unsigned char)s[len >> 1],
                      c = (unsigned char)s[len - 1];
        /* the other five bytes are 'a': never below 0x0E, '"' or NUL */
        if (word_special(0x6161616161000000ull | a | (uint64_t)b << 8 | (uint64_t)c << 16, dw))
            return 0;
        d[0] = (char)a;
        d[len >> 1] = (char)b;
        d[len - 1] = (char)c;
    }
    return 1;
}

/* The line's fields f[0..n) (total: their summed length) and its end; p is
 * NUL-terminated again. Room for the whole line is made once: quoting at
 * most doubles a field and adds two quotes and the guard. A field is copied
 * when no byte needs quoting (the common case, checked a word at a time
 * while copying), else ec_csv_put_field checks it exactly and quotes it when
 * it must. */
static void put_fields(ec_writer *w, ec_buf *out, const ec_str *f, size_t n, size_t total)
{
    size_t room = 2 * total + 4 * n + 2;
    if (out->cap - out->len <= room)
        ec_buf_reserve(out, room);
    const uint64_t dw = 0x0101010101010101ull * (unsigned char)w->delim;
    const char delim = w->delim;
    const int excel = w->o.excel;
    char *d = out->p + out->len;
    for (size_t i = 0; i < n; i++) {
        const char *s = f[i].ptr;
        size_t len = f[i].len;
        if (copy_plain(d, s, len, dw) && !(excel && len && formula_start(s[0]))) {
            d += len;
        } else { /* the exact check, and quoting when it must */
            out->len = (size_t)(d - out->p);
            ec_csv_put_field(out, s, len, delim, excel);
            d = out->p + out->len;
        }
        *d++ = delim;
    }
    if (n)
        d--; /* the last field's delimiter makes way for the EOL */
    d[0] = w->eol[0];
    d[1] = w->eol[1];
    d[2] = '\0';
    out->len = (size_t)(d - out->p) + (w->eol[1] ? 2 : 1);
}

/* The input columns of a plain row (row->plain: its line's fields, in
 * order, each followed by a NUL, none holding a quote, CR, LF or, being
 * split by it, the delimiter, so none is quoted) and the delimiter before
 * the added ones: the row's bytes in one copy, each NUL made a delimiter. */
static void put_plain(ec_writer *w, const ec_row *row, ec_buf *out)
{
    const char *m = row->cells[0].value.ptr;
    const ec_str *last = &row->cells[row->ncells - 1].value;
    size_t len = (size_t)(last->ptr - m) + last->len;
    ec_buf_reserve(out, len + 1);
    char *d = out->p + out->len;
    memcpy(d, m, len);
    for (size_t i = 0; i + 1 < row->ncells; i++)
        d[(size_t)(row->cells[i].value.ptr - m) + row->cells[i].value.len] = w->delim;
    d[len] = w->delim;
    out->len += len + 1;
}

/* Room in w's field list for n fields. */
static ec_str *fields(ec_writer *w, size_t n)
{
    if (w->nfield < n) {
        free(w->field);
        w->field = ec_xmalloc(n * sizeof *w->field);
        w->nfield = n;
    }
    return w->field;
}

static ec_str cstr(const char *s)
{
    ec_str v = {s ? s : "", s ? strlen(s) : 0};
    return v;
}

void ec_csv_out_header(ec_writer *w, ec_buf *out)
{
    ec_str *f = fields(w, w->ncols + 4 + EC_ADD_N);
    size_t n = 0, total = 0;
    if (w->o.excel)
        ec_buf_put(out, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < w->ncols; i++)
        f[n++] = cstr(w->hdr->names[i]);
    if (w->o.people)
        for (int i = 0; i < 4; i++)
            f[n++] = cstr(ec_person_cols[i]);
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->reuse[k] < 0)
            f[n++] = cstr(w->names[k]);
    for (size_t i = 0; i < n; i++)
        total += f[i].len;
    put_fields(w, out, f, n, total);
}

/* Reused input column's value v, or ours (added column k) when ours wins. */
static ec_str merged(const ec_writer *w, int k, ec_str v, const ec_str add[EC_ADD_N])
{
    return ec_writer_take_ours(w, k, v.len == 0, add[k]) ? add[k] : v;
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

/* The input columns' values of an NDJSON row into f[0..ncols). */
static void ndjson_columns(ec_writer *w, const ec_row *row, const ec_str add[], ec_str *f)
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
        f[i] = ndjson_text(c);
        if (w->reused_as[i] >= 0)
            f[i] = merged(w, w->reused_as[i], f[i], add);
    }
}

void ec_csv_out_line(ec_writer *w, const ec_row *row, const ec_person *p, ec_buf *out)
{
    ec_str add[EC_ADD_N];
    ec_writer_values(w, row, p, add);
    size_t width = w->ncols;
    if (w->in_fmt != EC_FMT_NDJSON && row->ncells > width)
        width = row->ncells;
    ec_str *f = fields(w, width + 4 + EC_ADD_N);
    size_t n = width, total = 0, first = 0;
    if (row->plain == w->delim && !w->reuses && !w->o.excel && row->ncells == width && width) {
        first = width; /* the line's own bytes need no check (see put_plain) */
        put_plain(w, row, out);
    } else if (w->in_fmt == EC_FMT_NDJSON) {
        ndjson_columns(w, row, add, f);
        for (size_t i = 0; i < n; i++)
            total += f[i].len;
    } else {
        for (size_t i = 0; i < width; i++) {
            ec_str v = {"", 0};
            if (i < row->ncells)
                v = row->cells[i].value;
            if (i < w->ncols && w->reused_as[i] >= 0)
                v = merged(w, w->reused_as[i], v, add);
            f[i] = v;
            total += v.len;
        }
    }
    if (w->o.people) {
        const char *pv[4];
        ec_person_values(p, pv);
        for (int i = 0; i < 4; i++) {
            f[n] = cstr(pv[i]);
            total += f[n++].len;
        }
    }
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->reuse[k] < 0) {
            f[n] = add[k];
            total += f[n++].len;
        }
    put_fields(w, out, f + first, n - first, total);
}
