/* csv_in.c - CSV records through libcsv, turned into rows.
 *
 * libcsv runs in strict mode so that malformed quoting stops it at the
 * offending byte; we then decide what that byte means and let it go on (see
 * recover()). It is told that no character is a space (no trimming) and to
 * report every line end, so empty lines and physical line numbers are known.
 * Field bytes are gathered in one buffer per record (each field followed by
 * a NUL) and copied into the row with one allocation. */
#include "config.h"
#include "linescan.h"
#include "reader_int.h"

#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libcsv sees at most this many bytes per call, so a field in progress can
 * exceed max_field by at most this much before it is cut (see trim()). */
#define CSV_SLICE 65536

struct field_span {
    size_t off, len;
};

struct ec_csv_in {
    ec_reader *r;
    struct csv_parser p;
    unsigned char base_opts;
    ec_buf rec;           /* field bytes of the record being read, NUL after each */
    ec_buf unq;           /* fast path: a quoted field with "" escapes undone */
    struct field_span *f; /* fields of that record */
    size_t nf, fcap;
    ec_line_pos lp;         /* fast path: where a line's delimiters and quotes are */
    unsigned long line;     /* physical line the parser is on */
    unsigned long rec_line; /* line where the current record started */
    int in_record;
    int after_cr;            /* the last line end was a CR (a following LF is the same end) */
    int trimmed;             /* the field in progress was cut to max_field */
    unsigned long cut_lines; /* line ends in the bytes trim() dropped from it */
    int quote_near;          /* this slice or the one before holds a quote */
    int quote_last;          /* the slice before held a quote */
    int force_scan;          /* the field in progress was quoted (see recover()) */
    int has_problem;
    char problem[256]; /* the first problem of the current record */
};

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

__attribute__((format(printf, 2, 3))) static void problem(ec_csv_in *c, const char *fmt, ...)
{
    if (c->has_problem)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->problem, sizeof c->problem, fmt, ap);
    va_end(ap);
    c->has_problem = 1;
}

static void begin_record(ec_csv_in *c)
{
    if (!c->in_record) {
        c->in_record = 1;
        c->rec_line = c->line;
    }
    c->after_cr = 0;
}

/* Physical line ends inside a (quoted) field: LF, CRLF or a lone CR. */
static unsigned long count_line_ends(const char *s, size_t len)
{
    unsigned long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            n++;
        else if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
            n++;
    }
    return n;
}

static void on_field(void *data, size_t len, void *cdata)
{
    ec_csv_in *c = cdata;
    const char *s = data ? data : "";
    if (c->r->state == EC_RD_FAILED)
        return;
    begin_record(c);
    /* only a quoted field can hold a line end, and only a slice with a
     * quote (or right after one) can end a quoted field */
    if ((c->quote_near || c->force_scan) && (memchr(s, '\n', len) || memchr(s, '\r', len)))
        c->line += count_line_ends(s, len);
    c->line += c->cut_lines;
    c->cut_lines = 0;
    c->force_scan = 0;
    size_t max = c->r->max_field;
    if (c->trimmed || len > max) {
        problem(c, "line %lu: field %zu longer than %zu bytes (cut)", c->rec_line, c->nf + 1, max);
        if (len > max)
            len = max;
    }
    c->trimmed = 0;
    if (c->nf >= EC_READER_MAX_FIELDS) {
        problem(c, "line %lu: more than %d fields (rest dropped)", c->rec_line,
                EC_READER_MAX_FIELDS);
        return;
    }
    if (c->rec.len + len + 1 > c->r->max_record) {
        problem(c, "line %lu: record longer than %zu bytes (rest dropped)", c->rec_line,
                c->r->max_record);
        return;
    }
    if (c->nf == c->fcap) {
        c->fcap = c->fcap ? c->fcap * 2 : 32;
        c->f = ec_xrealloc(c->f, c->fcap * sizeof *c->f);
    }
    c->f[c->nf].off = c->rec.len;
    c->f[c->nf].len = len;
    c->nf++;
    ec_buf_reserve(&c->rec, len + 1);
    memcpy(c->rec.p + c->rec.len, s, len);
    c->rec.len += len;
    c->rec.p[c->rec.len++] = '\0';
}

/* Index of the field holding byte off of the record buffer. */
static size_t field_at(const ec_csv_in *c, size_t off)
{
    size_t i = 0;
    while (i + 1 < c->nf && c->f[i + 1].off <= off)
        i++;
    return i;
}

static void check_utf8(ec_csv_in *c)
{
    size_t bad;
    if (c->has_problem || ec_utf8_valid(c->rec.p, c->rec.len, &bad))
        return;
    size_t i = field_at(c, bad);
    if (c->r->has_header && i < c->r->hdr.n)
        problem(c, "line %lu: field %zu (%s) is not valid UTF-8", c->rec_line, i + 1,
                c->r->hdr.names[i]);
    else
        problem(c, "line %lu: field %zu is not valid UTF-8", c->rec_line, i + 1);
}

static void make_header(ec_csv_in *c)
{
    ec_reader *r = c->r;
    check_utf8(c);
    if (c->has_problem) {
        ec_reader_fail(r, "bad header: %s", c->problem);
        return;
    }
    for (size_t i = 0; i < c->nf; i++)
        ec_reader_add_name(r, c->rec.p + c->f[i].off, c->f[i].len);
    r->has_header = 1;
}

static void make_row(ec_csv_in *c)
{
    ec_reader *r = c->r;
    ec_row *row = ec_row_new_packed(c->nf, c->rec.len); /* one allocation */
    row->line = c->rec_line;
    memcpy(row->mem, c->rec.p, c->rec.len);
    for (size_t i = 0; i < c->nf; i++) {
        ec_cell *cell = &row->cells[i];
        cell->col = (int)i;
        cell->value.ptr = row->mem + c->f[i].off;
        cell->value.len = c->f[i].len;
        cell->raw = cell->value;
    }
    row->ncells = c->nf;
    if (c->nf != r->hdr.n)
        problem(c, "line %lu: %zu field%s, header has %zu", c->rec_line, c->nf,
                c->nf == 1 ? "" : "s", r->hdr.n);
    check_utf8(c);
    if (c->has_problem)
        row->bad_input = ec_xstrdup(c->problem);
    ec_reader_push(r, row);
}

static void on_record_end(int ch, void *cdata)
{
    ec_csv_in *c = cdata;
    if (c->r->state == EC_RD_FAILED)
        return;
    if (!c->in_record) {
        /* an empty line; LF right after a CR is the same line end */
        if (ch == '\n' && c->after_cr) {
            c->after_cr = 0;
            return;
        }
        if (ch != -1)
            c->line++;
        c->after_cr = ch == '\r';
        return;
    }
    if (c->r->has_header)
        make_row(c);
    else
        make_header(c);
    if (ch != -1)
        c->line++;
    c->after_cr = ch == '\r';
    c->in_record = 0;
    c->nf = 0;
    c->has_problem = 0;
    ec_buf_clear(&c->rec);
}

ec_csv_in *ec_csv_in_new(ec_reader *r)
{
    ec_csv_in *c = ec_xcalloc(1, sizeof *c);
    c->r = r;
    c->line = 1;
    c->base_opts = CSV_REPALL_NL;
    if (csv_init(&c->p, c->base_opts | CSV_STRICT) != 0) {
        free(c);
        return NULL;
    }
    csv_set_delim(&c->p, (unsigned char)r->delim);
    csv_set_space_func(&c->p, no_space);
    csv_set_blk_size(&c->p, 4096);
    return c;
}

void ec_csv_in_free(ec_csv_in *c)
{
    if (!c)
        return;
    csv_free(&c->p);
    ec_buf_free(&c->rec);
    ec_buf_free(&c->unq);
    free(c->f);
    free(c->lp.d);
    free(c->lp.q);
    free(c);
}

/* Strict libcsv stopped at byte *at. Two cases, told apart by whether the
 * field was quoted: a quote inside an unquoted field is data (a"b); text
 * after a closing quote ("x"y) drops that quote, goes on unquoted (xy) and
 * makes the row bad input. The byte is then parsed leniently. */
static void recover(ec_csv_in *c, const char *at)
{
    c->p.status = 0;
    if (c->p.quoted) {
        begin_record(c);
        problem(c, "line %lu: field %zu: text after a closing quote", c->rec_line, c->nf + 1);
        c->p.quoted = 0;
        c->force_scan = 1; /* it may hold line ends but end in a later slice */
        if (c->p.entry_pos > 0)
            c->p.entry_pos--; /* the closing quote libcsv had kept provisionally */
    }
    csv_set_opts(&c->p, c->base_opts);
    csv_parse(&c->p, at, 1, on_field, on_record_end, c);
    csv_set_opts(&c->p, c->base_opts | CSV_STRICT);
}

/* Bound the memory of a field in progress: keep its first max_field bytes
 * and its last byte (libcsv may still drop it as a closing quote). */
static void trim(ec_csv_in *c)
{
    size_t keep = c->r->max_field + 1;
    if (c->p.entry_pos > keep) {
        /* the dropped bytes D sit between P (kept) and L (the last byte,
         * moved next to P): count the line ends that P D L holds and P L
         * does not, as on_field() will only see P L; on_field() adds them
         * once the record's first line is known */
        const char *b = (const char *)c->p.entry_buf;
        size_t from = keep >= 2 ? keep - 2 : keep - 1;
        char pl[2] = {b[from], b[c->p.entry_pos - 1]};
        size_t npl = keep >= 2 ? 2 : 1;
        c->cut_lines += count_line_ends(b + from, c->p.entry_pos - from) -
                        count_line_ends(keep >= 2 ? pl : pl + 1, npl);
        c->p.entry_buf[keep - 1] = c->p.entry_buf[c->p.entry_pos - 1];
        c->p.entry_pos = keep;
        c->trimmed = 1;
    }
}

/* Give libcsv n bytes (at most one slice). Returns the bytes it took. */
static size_t feed_libcsv(ec_csv_in *c, const char *buf, size_t n)
{
    int quote_here = memchr(buf, '"', n) != NULL;
    c->quote_near = quote_here || c->quote_last;
    c->quote_last = quote_here;
    size_t used = csv_parse(&c->p, buf, n, on_field, on_record_end, c);
    if (used < n) {
        if (csv_error(&c->p) != CSV_EPARSE) {
            ec_reader_fail(c->r, "CSV parser: %s", csv_strerror(csv_error(&c->p)));
            return n;
        }
        recover(c, buf + used);
        used++;
    }
    trim(c);
    return used;
}

/* libcsv holds nothing: the next byte starts a line (0 is its state
 * ROW_NOT_BEGUN, where a record has ended or none has begun). */
static int at_line_start(const ec_csv_in *c)
{
    return c->p.pstate == 0 && c->p.entry_pos == 0 && !c->p.quoted && !c->in_record && !c->after_cr;
}

/* The closing quote of the quoted field whose text starts at f (""
 * escapes skipped), or NULL when the line ends first. */
static const char *closing_quote(const char *f, const char *end)
{
    for (const char *q = f; (q = memchr(q, '"', (size_t)(end - q))) != NULL; q += 2)
        if (q + 1 >= end || q[1] != '"')
            return q;
    return NULL;
}

/* Is the line [p, end) (no CR or LF in it) one that strict libcsv reads
 * without complaint: unquoted fields without quotes, quoted fields whose
 * closing quote is followed by the delimiter or the end? */
static int regular_line(const char *p, const char *end, char delim)
{
    for (const char *f = p;;) {
        const char *fe;
        if (f < end && *f == '"') {
            const char *q = closing_quote(f + 1, end);
            if (!q || (q + 1 < end && q[1] != delim))
                return 0;
            fe = q + 1;
        } else {
            fe = memchr(f, delim, (size_t)(end - f));
            fe = fe ? fe : end;
            if (memchr(f, '"', (size_t)(fe - f)))
                return 0;
        }
        if (fe == end)
            return 1;
        f = fe + 1;
    }
}

/* The field of a regular line that starts at f: its text [*s, *s + *n)
 * (inside the quotes of a quoted one; *esc when that holds "" escapes),
 * and where it ends (at its delimiter, or end). */
static const char *next_field(const char *f, const char *end, char delim, int quotes,
                              const char **s, size_t *n, int *esc)
{
    if (quotes && f < end && *f == '"') {
        const char *q = closing_quote(f + 1, end);
        *s = f + 1;
        *n = (size_t)(q - *s);
        *esc = memchr(*s, '"', *n) != NULL;
        return q + 1;
    }
    const char *fe = memchr(f, delim, (size_t)(end - f));
    fe = fe ? fe : end;
    *s = f;
    *n = (size_t)(fe - f);
    *esc = 0;
    return fe;
}

/* s[0..n) with each "" as one " into d (room for n bytes): its length. */
static size_t unquote(char *d, const char *s, size_t n)
{
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        d[at++] = s[k];
        k += s[k] == '"';
    }
    return at;
}

/* The fields of a regular line to on_field(), as libcsv would give them
 * (quotes removed, "" as "). */
static void line_fields(ec_csv_in *c, const char *p, const char *end, char delim, int quotes)
{
    for (const char *f = p;;) {
        const char *s;
        size_t n;
        int esc;
        const char *fe = next_field(f, end, delim, quotes, &s, &n, &esc);
        if (esc) { /* undone in a scratch buffer */
            ec_buf_clear(&c->unq);
            ec_buf_reserve(&c->unq, n);
            c->unq.len = unquote(c->unq.p, s, n);
            c->unq.p[c->unq.len] = '\0';
            s = c->unq.p;
            n = c->unq.len;
        }
        on_field((void *)(uintptr_t)s, n, c);
        if (fe == end)
            return;
        f = fe + 1;
    }
}

/* A regular line [p, end) holding a quote (see regular_line()), read
 * whole into a row: each field's bytes (quotes removed, "" as ")
 * followed by a NUL make the row's memory, the layout on_field() builds
 * field by field, in no more bytes than the line and its NUL. 1 when done;
 * 0 when the row would carry a problem (not the header's field count, a
 * limit, UTF-8), left to the field-by-field path that words it. The UTF-8
 * check of the line stands for that of the fields: they differ from it
 * only by ASCII bytes removed or made NULs, which can neither complete nor
 * break a multibyte sequence. */
static int direct_row(ec_csv_in *c, const char *p, const char *end, char delim)
{
    ec_reader *r = c->r;
    size_t len = (size_t)(end - p), nf = r->hdr.n;
    if (!r->has_header || nf == 0 || len == 0 || len + 1 > r->max_record ||
        !ec_utf8_valid(p, len, NULL))
        return 0;
    ec_row *row = ec_row_new_packed(nf, len + 1);
    char *m = row->mem;
    size_t at = 0;
    for (size_t i = 0;; i++) {
        const char *s;
        size_t n, start = at;
        int esc;
        const char *fe = next_field(p, end, delim, 1, &s, &n, &esc);
        if (esc) {
            at += unquote(m + at, s, n);
        } else {
            memcpy(m + at, s, n);
            at += n;
        }
        /* a field too long, one more than the header has, or one fewer */
        if (at - start > r->max_field || (fe < end && i + 1 == nf) || (fe == end && i + 1 < nf)) {
            ec_row_free(row);
            return 0;
        }
        m[at++] = '\0';
        ec_cell *cell = &row->cells[i];
        cell->col = (int)i;
        cell->value.ptr = m + start;
        cell->value.len = at - 1 - start;
        cell->raw = cell->value;
        if (fe == end)
            break;
        p = fe + 1;
    }
    row->ncells = nf;
    row->line = c->line;
    ec_reader_push(r, row);
    return 1;
}

/* A regular line [p, p + len) without quotes or CR, its delimiters found
 * by scan_line(), read whole into a row: the line's bytes copied once,
 * each delimiter made a NUL. 1 when done; 0 as direct_row(). */
static int plain_row(ec_csv_in *c, const char *p, size_t len, int high)
{
    ec_reader *r = c->r;
    size_t nf = r->hdr.n;
    const uint32_t *d = c->lp.d;
    if (!r->has_header || nf == 0 || len == 0 || len + 1 > r->max_record || c->lp.nd + 1 != nf ||
        c->lp.nd > c->lp.dmax || (high && !ec_utf8_valid(p, len, NULL)))
        return 0;
    ec_row *row = ec_row_new_packed(nf, len + 1);
    char *m = row->mem;
    memcpy(m, p, len);
    m[len] = '\0';
    for (size_t i = 0, start = 0; i < nf; start = d[i++] + 1) {
        size_t stop = i + 1 < nf ? d[i] : len;
        if (stop - start > r->max_field) {
            ec_row_free(row);
            return 0;
        }
        m[stop] = '\0';
        ec_cell *cell = &row->cells[i];
        cell->col = (int)i;
        cell->value.ptr = m + start;
        cell->value.len = stop - start;
        cell->raw = cell->value;
    }
    row->ncells = nf;
    row->line = c->line;
    row->plain = (char)c->p.delim_char;
    ec_reader_push(r, row);
    return 1;
}

/* A line [p, p + len) holding quotes but no CR, its delimiters and quotes
 * found by scan_line(), read whole into a row as direct_row() reads it
 * (quotes removed, "" as "), in one walk over those places instead of
 * regular_line() and direct_row() each searching the bytes. 1 when done;
 * -1 when the line is not regular (see regular_line()); 0 when the row
 * would carry a problem or the places did not all fit: left to those two. */
static int quoted_row(ec_csv_in *c, const char *p, size_t len, int high)
{
    ec_reader *r = c->r;
    size_t nf = r->hdr.n, nd = c->lp.nd, nq = c->lp.nq;
    const uint32_t *d = c->lp.d, *q = c->lp.q;
    const char delim = (char)c->p.delim_char;
    if (!r->has_header || nf == 0 || len + 1 > r->max_record || nd > c->lp.dmax ||
        nq > c->lp.qmax || (high && !ec_utf8_valid(p, len, NULL)))
        return 0;
    ec_row *row = ec_row_new_packed(nf, len + 1);
    char *m = row->mem;
    size_t at = 0, di = 0, qi = 0;
    int rc = 1;
    for (size_t i = 0, start = 0;; i++) {
        size_t fe, from, n;
        int esc = 0;
        if (qi < nq && q[qi] == start) { /* quoted: its closing quote, "" pairs passed */
            size_t k = qi + 1;
            while (k < nq && q[k] + 1 < len && p[q[k] + 1] == '"')
                k += 2;
            if (k >= nq || (q[k] + 1 < len && p[q[k] + 1] != delim)) {
                rc = -1; /* not closed, or text after the closing quote */
                break;
            }
            from = start + 1;
            n = q[k] - from;
            esc = k > qi + 1;
            fe = q[k] + 1;
            qi = k + 1;
            while (di < nd && d[di] < fe) /* delimiters inside the quotes */
                di++;
        } else {
            fe = di < nd ? d[di] : len;
            if (qi < nq && q[qi] < fe) {
                rc = -1; /* a quote inside an unquoted field */
                break;
            }
            from = start;
            n = fe - start;
        }
        size_t begin = at;
        if (esc) {
            at += unquote(m + at, p + from, n);
        } else {
            memcpy(m + at, p + from, n);
            at += n;
        }
        /* a problem: still read on (a field takes no more room than its
         * bytes and delimiter), for a line that is not regular */
        if (rc == 1 && (at - begin > r->max_field || i >= nf || (fe == len && i + 1 < nf)))
            rc = 0;
        if (rc == 1) {
            ec_cell *cell = &row->cells[i];
            cell->col = (int)i;
            cell->value.ptr = m + begin;
            cell->value.len = at - begin;
            cell->raw = cell->value;
        }
        m[at++] = '\0';
        if (fe == len)
            break;
        di++; /* the delimiter at fe */
        start = fe + 1;
    }
    if (rc != 1) {
        ec_row_free(row);
        return rc;
    }
    row->ncells = nf;
    row->line = c->line;
    ec_reader_push(r, row);
    return 1;
}

/* Scan the line [p, end) for simple_lines() into c->lp: EC_LS_ flags. */
static unsigned scan_line(ec_csv_in *c, const char *p, const char *end, char delim)
{
    size_t want = c->r->has_header ? c->r->hdr.n : 0;
    if (c->lp.dmax < want) {
        free(c->lp.d);
        free(c->lp.q);
        c->lp.d = ec_xmalloc(want * sizeof *c->lp.d);
        c->lp.dmax = want;
        c->lp.qmax = 2 * want + 64; /* each field quoted, and some "" */
        c->lp.q = ec_xmalloc(c->lp.qmax * sizeof *c->lp.q);
    }
    return ec_line_scan(p, (size_t)(end - p), delim, &c->lp);
}

/* The fast path of a replay: whole lines ending in LF or CRLF, with no other
 * CR and regular quoting (see regular_line()), are split here, giving
 * on_field() and on_record_end() what libcsv would (no byte is a space to
 * it; CR and LF are two line ends, told apart by after_cr); any other line
 * goes to libcsv. Returns the bytes of the lines taken. */
static size_t simple_lines(ec_csv_in *c, const char *buf, size_t len)
{
    const char *p = buf, *e = buf + len;
    char delim = (char)c->p.delim_char;
    while (p < e && c->r->state != EC_RD_FAILED) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl)
            break;
        const char *end = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
        unsigned fl = scan_line(c, p, end, delim);
        if (fl & EC_LS_CR)
            break;
        int quotes = (fl & EC_LS_QUOTE) != 0, high = (fl & EC_LS_HIGH) != 0, done = 0;
        if (quotes) {
            done = quoted_row(c, p, (size_t)(end - p), high);
            if (done < 0 || (done == 0 && !regular_line(p, end, delim)))
                break;
            done = done || direct_row(c, p, end, delim);
        } else {
            done = plain_row(c, p, (size_t)(end - p), high);
        }
        c->quote_near = 0; /* no field of this line holds a line end */
        if (done) {
            c->line++; /* what on_record_end() does for the record and its line end */
            c->after_cr = 0;
            p = nl + 1;
            continue;
        }
        if (end > p)
            line_fields(c, p, end, delim, quotes);
        if (end < nl)
            on_record_end('\r', c);
        on_record_end('\n', c);
        p = nl + 1;
    }
    c->quote_last = 0;
    return (size_t)(p - buf);
}

int ec_csv_in_feed(ec_csv_in *c, const char *buf, size_t len)
{
    while (len && c->r->state != EC_RD_FAILED) {
        size_t used = at_line_start(c) ? simple_lines(c, buf, len) : 0;
        if (used == 0) {
            /* one line (or slice) through libcsv, then the fast path may resume */
            size_t n = len < CSV_SLICE ? len : CSV_SLICE;
            const char *nl = memchr(buf, '\n', n);
            used = feed_libcsv(c, buf, nl ? (size_t)(nl - buf) + 1 : n);
        }
        buf += used;
        len -= used;
    }
    return c->r->state == EC_RD_FAILED ? -1 : 0;
}

int ec_csv_in_finish(ec_csv_in *c)
{
    if (c->r->state == EC_RD_FAILED)
        return -1;
    c->quote_near = 1;
    csv_set_opts(&c->p, c->base_opts | CSV_STRICT | CSV_STRICT_FINI);
    if (csv_fini(&c->p, on_field, on_record_end, c) != 0) {
        /* a quoted field still open: keep what it holds, flag the record */
        begin_record(c);
        problem(c, "line %lu: quoted field not closed at end of input", c->rec_line);
        c->p.status = 0;
        csv_set_opts(&c->p, c->base_opts);
        csv_fini(&c->p, on_field, on_record_end, c);
    }
    return c->r->state == EC_RD_FAILED ? -1 : 0;
}

char ec_csv_sniff_delimiter(const char *s, size_t len)
{
    static const char cand[4] = {',', ';', '\t', '|'};
    size_t count[4] = {0, 0, 0, 0};
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted)
            continue;
        for (int k = 0; k < 4; k++)
            if (ch == cand[k])
                count[k]++;
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}
