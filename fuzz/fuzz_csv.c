/* fuzz_csv.c - libFuzzer target for the CSV reader (and the CSV writer it
 * feeds). Input: one option byte, one split byte, then the CSV bytes.
 * Properties:
 * - no crash, leak or undefined behaviour;
 * - the rows, the header and the fatal status are the same whether the input
 *   is fed at once, in two chunks split where the split byte says, or (short
 *   inputs) one byte at a time;
 * - a readable input written back as CSV reads back with as many rows, the
 *   same header names and the same field bytes;
 * - written as NDJSON, each row is one line holding one valid JSON object. */
#include "config.h"
#include "fuzz.h"
#include "json.h"
#include "writer.h"

static const char delims[8] = {0, ',', ';', '\t', '|', ' ', ':', 0};
static const size_t max_fields[4] = {0, 4, 17, 64};

static char *write_rows(ec_reader *r, fuzz_rows *rl, enum ec_format fmt, char delim, int crlf,
                        size_t *len)
{
    ec_writer_opts wo;
    memset(&wo, 0, sizeof wo);
    wo.format = fmt;
    wo.delimiter = delim;
    wo.crlf = crlf;
    ec_writer *w = ec_writer_new(&wo, ec_reader_header(r), ec_reader_format(r));
    ec_buf out = {0};
    for (size_t i = 0; i < rl->n; i++) {
        ec_row *row = rl->v[i];
        ec_outcome_clear(&row->out);
        if (!row->bad_input)
            row->out.status = EC_ST_NOT_FOUND;
        ec_writer_row(w, row, &out);
    }
    ec_writer_header(w, &out);
    ec_writer_free(w);
    *len = out.len;
    return ec_buf_take(&out);
}

/* 1 when column col is one the writer reuses for its added values. */
static int added_column(const ec_header *h, size_t col)
{
    ec_buf n = {0};
    ec_header_norm(h->names[col], strlen(h->names[col]), &n);
    int yes =
        n.p && (!strcmp(n.p, "email") || !strcmp(n.p, "phone") || !strcmp(n.p, "enrichstatus"));
    ec_buf_free(&n);
    return yes;
}

/* CSV out, read back: same rows, same leading header names, same fields
 * (but those of a column reused for the status). */
static void check_csv_round_trip(ec_reader *r, fuzz_rows *rl)
{
    char delim = ec_reader_delimiter(r);
    size_t len;
    char *csv = write_rows(r, rl, EC_FMT_CSV, delim, ec_reader_crlf(r), &len);
    ec_reader_opts o = {EC_FMT_CSV, delim, 0};
    fuzz_rows back = {0};
    int rc;
    ec_reader *r2 = fuzz_read(&o, csv, len, NULL, 0, &back, &rc, NULL);
    FUZZ_CHECK(rc == 0, "CSV output does not read back");
    const ec_header *h1 = ec_reader_header(r), *h2 = ec_reader_header(r2);
    /* + email, phone, enrich_status, unless the input had such a column already */
    FUZZ_CHECK(h2->n >= h1->n && h2->n <= h1->n + 3, "header read back has %zu names, not %zu + 3",
               h2->n, h1->n);
    for (size_t i = 0; i < h1->n; i++) /* a first name starting with BOM bytes loses them */
        FUZZ_CHECK(strcmp(h1->names[i], h2->names[i]) == 0 ||
                       (i == 0 && !fuzz_strict() && !strncmp(h1->names[0], "\xef\xbb\xbf", 3) &&
                        !strcmp(h1->names[0] + 3, h2->names[0])),
                   "header name %zu changed", i);
    FUZZ_CHECK(back.n == rl->n, "CSV round trip: %zu rows read, %zu back", rl->n, back.n);
    for (size_t i = 0; i < rl->n; i++) {
        const ec_row *x = rl->v[i], *y = back.v[i];
        FUZZ_CHECK(y->ncells >= x->ncells, "row %zu lost cells", i);
        for (size_t c = 0; c < x->ncells; c++)
            FUZZ_CHECK((c < h1->n && added_column(h1, c)) ||
                           fuzz_str_same(x->cells[c].value, y->cells[c].value),
                       "row %zu field %zu changed in the round trip", i, c);
    }
    fuzz_rows_free(&back);
    ec_reader_free(r2);
    free(csv);
}

static void check_ndjson_out(ec_reader *r, fuzz_rows *rl)
{
    size_t len;
    char *nd = write_rows(r, rl, EC_FMT_NDJSON, ',', 0, &len);
    const char *p = nd, *end = nd ? nd + len : NULL;
    size_t lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        FUZZ_CHECK(nl != NULL, "NDJSON output does not end with a newline");
        FUZZ_CHECK(p[0] == '{' && ec_json_check(p, (size_t)(nl - p), NULL, NULL) == 0,
                   "NDJSON output line %zu is not a valid JSON object", lines + 1);
        lines++;
        p = nl + 1;
    }
    FUZZ_CHECK(lines == rl->n, "NDJSON output: %zu lines for %zu rows", lines, rl->n);
    free(nd);
}

FUZZ_ENTRY(csv)
{
    if (size < 2)
        return 0;
    ec_reader_opts o = {(data[0] & 0x20) ? EC_FMT_AUTO : EC_FMT_CSV, delims[data[0] & 7],
                        max_fields[(data[0] >> 3) & 3]};
    const char *in = (const char *)data + 2;
    size_t len = size - 2;
    size_t cut = len * data[1] / 255;

    fuzz_reading w;
    fuzz_read_ways(&o, in, len, cut, &w);
    if (w.rc == 0 && ec_reader_format(w.r) == EC_FMT_CSV && ec_reader_has_header(w.r))
        check_csv_round_trip(w.r, &w.rows);
    if (w.rc == 0 && ec_reader_has_header(w.r))
        check_ndjson_out(w.r, &w.rows);
    fuzz_reading_free(&w);
    return 0;
}
