/* t_fuzzloop.c - random bytes through the readers and writers (run it under
 * the sanitizer build). Properties checked on every buffer:
 * - no crash, no leak, no fatal error except a bad CSV header;
 * - CSV output read back gives as many rows as were read, with the same
 *   field bytes (the writer's quoting is exact);
 * - NDJSON output is one valid JSON object per row read. */
#include "config.h"
#include "io_test.h"
#include "json.h"
#include "tap.h"

#include <stdio.h>

#define ROUNDS 2000

static const char *const seeds[] = {
    "name,email,company\nAnn,ann@example.com,\"Acme, Inc\"\n\"B \"\"b\"\"\",,x\r\n",
    "{\"a\":1,\"b\":\"x\\u00e9\",\"c\":[1,{\"d\":null}]}\n{\"a\":\"\",\"e\":true}\n",
    "a;b;c\n1;\"2\n3\";4\n",
};

static size_t gen(char *buf, size_t max)
{
    static const char bias[] = ",\"\n\r{}:[] a\\;\t";
    size_t len = io_rand() % max;
    if (io_rand() % 4 == 0) { /* mutate a seed */
        const char *s = seeds[io_rand() % 3];
        size_t n = strlen(s);
        if (len < n)
            len = n;
        for (size_t i = 0; i < len; i++)
            buf[i] = s[i % n];
        for (int k = io_rand() % 4; k >= 0; k--)
            buf[io_rand() % len] = io_rand() % 2 ? bias[io_rand() % 14] : (char)io_rand();
        return len;
    }
    unsigned mask = io_rand() % 2 ? 0x7f : 0xff; /* half the buffers plain ASCII */
    for (size_t i = 0; i < len; i++)
        buf[i] = io_rand() % 5 < 3 ? bias[io_rand() % 14] : (char)(io_rand() & mask);
    return len;
}

static size_t count_rows(const char *csv, size_t len, char delim, rowlist *back)
{
    ec_reader_opts o = {EC_FMT_CSV, delim, 0};
    int rc;
    ec_reader *r = read_chunks(csv, len, &o, 0, back, NULL, &rc);
    ec_reader_free(r);
    return rc == 0 ? back->n : (size_t)-1;
}

/* Every field of every row read must come back from the CSV output. */
static int same_fields(const rowlist *a, const rowlist *b)
{
    for (size_t i = 0; i < a->n; i++) {
        const ec_row *x = a->v[i], *y = b->v[i];
        for (size_t c = 0; c < x->ncells; c++) {
            if (c >= y->ncells || x->cells[c].value.len != y->cells[c].value.len ||
                memcmp(x->cells[c].value.ptr, y->cells[c].value.ptr, x->cells[c].value.len))
                return 0;
        }
    }
    return 1;
}

static int valid_lines(const char *s, size_t len, size_t *nlines)
{
    const char *end = s + len;
    *nlines = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl || ec_json_check(s, (size_t)(nl - s), NULL, NULL) != 0 || s[0] != '{')
            return 0;
        ++*nlines;
        s = nl + 1;
    }
    return 1;
}

struct tally {
    int failures;
    size_t rows, fatal;
};

static void one(const char *buf, size_t len, enum ec_format fmt, struct tally *t)
{
    ec_reader_opts o = {fmt, 0, io_rand() % 3 == 0 ? 1 + io_rand() % 40 : 0};
    rowlist rl = {0};
    int rc;
    ec_reader *r = read_chunks(buf, len, &o, 1 + io_rand() % 97, &rl, NULL, &rc);
    if (rc != 0) {
        t->fatal++;
        if (ec_reader_format(r) != EC_FMT_CSV)
            t->failures++; /* only a CSV header can be fatal */
    }
    t->rows += rl.n;
    for (size_t i = 0; i < rl.n && ec_reader_format(r) == EC_FMT_NDJSON; i++) {
        const char *bad = rl.v[i]->bad_input;
        if (bad && !strstr(bad, ": invalid JSON at byte ") && !strstr(bad, ": not a JSON object") &&
            !strstr(bad, ": line longer than ")) {
            t->failures++; /* a line the validator passed but the tokenizer refused */
            printf("# unexpected NDJSON error: %s\n", bad);
        }
    }
    for (size_t i = 0; i < rl.n; i++)
        rl.v[i]->out.status = rl.v[i]->bad_input ? EC_ST_PENDING : EC_ST_NOT_FOUND;
    char delim = ec_reader_format(r) == EC_FMT_CSV ? ec_reader_delimiter(r) : ',';
    ec_writer_opts w = wopts(EC_FMT_CSV);
    w.delimiter = delim;
    w.crlf = (int)(io_rand() % 2);
    size_t csv_len;
    char *csv = write_all_n(&w, r, &rl, &csv_len);
    rowlist back = {0};
    size_t n = rc == 0 ? count_rows(csv, csv_len, delim, &back) : 0;
    int csv_in = ec_reader_format(r) == EC_FMT_CSV;
    if (rc == 0 && (n != rl.n || (csv_in && !same_fields(&rl, &back)))) {
        t->failures++;
        printf("# CSV round trip: %zu rows read, %zu back (format %d)\n", rl.n, n, fmt);
    }
    rows_free(&back);
    free(csv);
    w = wopts(EC_FMT_NDJSON);
    size_t nd_len, lines;
    char *nd = write_all_n(&w, r, &rl, &nd_len);
    if (!valid_lines(nd, nd_len, &lines) || lines != rl.n) {
        t->failures++;
        printf("# NDJSON output: %zu lines for %zu rows, or invalid JSON\n", lines, rl.n);
    }
    free(nd);
    rows_free(&rl);
    ec_reader_free(r);
}

int main(void)
{
    static char buf[4096];
    struct tally t = {0, 0, 0};
    io_rand_state = 20240601;
    for (int i = 0; i < ROUNDS; i++) {
        size_t len = gen(buf, i % 20 == 0 ? sizeof buf : 400);
        one(buf, len, EC_FMT_CSV, &t);
        one(buf, len, EC_FMT_NDJSON, &t);
        if (i % 4 == 0)
            one(buf, len, EC_FMT_AUTO, &t);
    }
    is_int(t.failures, 0, "%d buffers read as CSV, NDJSON and (a quarter) auto: no property broken",
           ROUNDS);
    ok(t.rows > 10000, "the loop produced rows to check (%zu)", t.rows);
    printf("# %zu fatal CSV headers\n", t.fatal);
    return tap_done();
}
