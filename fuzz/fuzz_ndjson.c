/* fuzz_ndjson.c - libFuzzer target for the NDJSON reader, the strict JSON
 * validator (ec_json_check) and the jsmn wrapper (ec_json_parse). Input: one
 * option byte, one split byte, then the NDJSON bytes.
 * Properties:
 * - no crash, leak or undefined behaviour;
 * - rows are the same whatever the chunking (at once, two chunks, bytewise);
 * - one row per line holding anything but JSON whitespace;
 * - a cell's raw text is valid JSON, and a string cell's value is its
 *   decoding;
 * - validator and tokenizer agree: any text ec_json_check accepts (each
 *   line, and the whole input) parses with ec_json_parse, every string in it
 *   decodes and every number converts;
 * - written back as NDJSON, one valid JSON object per row. */
#include "config.h"
#include "fuzz.h"
#include "json.h"
#include "writer.h"

static const size_t max_fields[4] = {0, 3, 16, 100};

/* ec_json_check accepted text: ec_json_parse must agree and the tokens must
 * be usable. */
static void check_agreement(const char *text, size_t len)
{
    const char *reason = NULL;
    size_t off = 0;
    if (ec_json_check(text, len, &reason, &off) != 0) {
        FUZZ_CHECK(reason != NULL && off <= len, "a rejection without a reason or in range");
        return;
    }
    ec_json j;
    const char *err = NULL;
    int rc = ec_json_parse(&j, text, len, &err);
    FUZZ_CHECK(rc == 0, "ec_json_check accepts what ec_json_parse refuses (%s): '%.*s'",
               err ? err : "?", (int)(len > 200 ? 200 : len), text);
    FUZZ_CHECK(j.ntok > 0 && ec_json_skip(&j, 0) == j.ntok, "the root does not span every token");
    for (int t = 0; t < j.ntok; t++) {
        enum ec_json_type ty = ec_json_type(&j, t);
        FUZZ_CHECK(ty != EC_JSON_NONE, "token %d has no type", t);
        if (ty == EC_JSON_STRING) {
            size_t n;
            char *s = ec_json_strdup(&j, t, &n);
            FUZZ_CHECK(s != NULL, "a valid string token does not decode");
            free(s);
        } else if (ty == EC_JSON_NUMBER) {
            double d;
            FUZZ_CHECK(ec_json_double(&j, t, &d) == 0, "a valid number does not convert");
        }
    }
    ec_json_free(&j);
}

static int json_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 0;
    return 1;
}

/* Check every line; returns how many hold something other than JSON whitespace. */
static size_t check_lines(const char *in, size_t len)
{
    size_t rows = 0;
    const char *p = in, *end = in + len;
    if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        check_agreement(p, n);
        if (!json_blank(p, n))
            rows++;
        p += n + 1;
    }
    return rows;
}

static void check_cells(const fuzz_rows *rl)
{
    for (size_t i = 0; i < rl->n; i++) {
        const ec_row *row = rl->v[i];
        if (row->bad_input) {
            FUZZ_CHECK(row->ncells == 0, "a bad line has cells");
            continue;
        }
        for (size_t c = 0; c < row->ncells; c++) {
            ec_str raw = row->cells[c].raw, val = row->cells[c].value;
            FUZZ_CHECK(ec_json_check(raw.ptr, raw.len, NULL, NULL) == 0,
                       "row %zu cell %zu: raw text is not valid JSON", i, c);
            if (raw.len && raw.ptr[0] == '"') {
                ec_json j;
                FUZZ_CHECK(ec_json_parse(&j, raw.ptr, raw.len, NULL) == 0, "cell does not parse");
                size_t n;
                char *s = ec_json_strdup(&j, 0, &n);
                FUZZ_CHECK(s && val.ptr && n == val.len && memcmp(s, val.ptr, n) == 0,
                           "row %zu cell %zu: value is not the decoded string", i, c);
                free(s);
                ec_json_free(&j);
            }
        }
    }
}

static void check_output(ec_reader *r, fuzz_rows *rl)
{
    ec_writer_opts wo;
    memset(&wo, 0, sizeof wo);
    wo.format = EC_FMT_NDJSON;
    ec_writer *w = ec_writer_new(&wo, ec_reader_header(r), ec_reader_format(r));
    ec_buf out = {0};
    for (size_t i = 0; i < rl->n; i++) {
        if (!rl->v[i]->bad_input) {
            rl->v[i]->out.status = EC_ST_ENRICHED;
            ec_values_add(&rl->v[i]->out.phones, "+1-555-0100", 11);
        }
        ec_writer_row(w, rl->v[i], &out);
    }
    ec_writer_header(w, &out);
    ec_writer_free(w);
    size_t lines = 0;
    for (const char *p = out.p, *end = out.p ? out.p + out.len : NULL; p < end; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        FUZZ_CHECK(nl && p[0] == '{' && ec_json_check(p, (size_t)(nl - p), NULL, NULL) == 0,
                   "NDJSON output line %zu is not one valid JSON object", lines + 1);
        p = nl + 1;
    }
    FUZZ_CHECK(lines == rl->n, "NDJSON output: %zu lines for %zu rows", lines, rl->n);
    ec_buf_free(&out);
}

FUZZ_ENTRY(ndjson)
{
    if (size < 2)
        return 0;
    ec_reader_opts o = {(data[0] & 4) ? EC_FMT_AUTO : EC_FMT_NDJSON, 0, max_fields[data[0] & 3]};
    const char *in = (const char *)data + 2;
    size_t len = size - 2;
    size_t cut = len * data[1] / 255;

    check_agreement(in, len);
    size_t nonblank = check_lines(in, len);
    fuzz_reading w;
    fuzz_read_ways(&o, in, len, cut, &w);
    if (ec_reader_format(w.r) == EC_FMT_NDJSON) {
        FUZZ_CHECK(w.rc == 0, "NDJSON input is never fatal");
        FUZZ_CHECK(w.rows.n == nonblank, "%zu rows for %zu non-blank lines", w.rows.n, nonblank);
        check_cells(&w.rows);
        check_output(w.r, &w.rows);
    }
    fuzz_reading_free(&w);
    return 0;
}
