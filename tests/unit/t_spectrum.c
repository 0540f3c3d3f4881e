/* t_spectrum.c - the csv-spectrum cases: each CSV, read whole, byte by byte
 * and in random chunks, converted to NDJSON by the writer, must give the
 * records of its json/ file (same keys in order, same string values). */
#include "config.h"
#include "io_test.h"
#include "json.h"
#include "tap.h"

#include <stdio.h>

static const char *const names[] = {
    "comma_in_quotes",
    "empty",
    "empty_crlf",
    "escaped_quotes",
    "json",
    "newlines",
    "newlines_crlf",
    "quotes_and_newlines",
    "simple",
    "simple_crlf",
    "utf8",
};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    ec_buf b = {0};
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        ec_buf_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return ec_buf_take(&b);
}

/* Does object t of doc have exactly the keys and string values of object
 * u of line (whose extra members after the first nkeys are ignored)? */
static int same_object(const ec_json *want, int t, const ec_json *got, int u, int *nkeys)
{
    int n = ec_json_size(want, t);
    *nkeys = n;
    if (ec_json_type(got, u) != EC_JSON_OBJECT || ec_json_size(got, u) < n)
        return 0;
    for (int i = 0; i < n; i++) {
        int kw = ec_json_at(want, t, i), kg = ec_json_at(got, u, i);
        char *a = ec_json_strdup(want, kw, NULL), *b = ec_json_strdup(got, kg, NULL);
        size_t la, lb;
        char *va = ec_json_strdup(want, kw + 1, &la), *vb = ec_json_strdup(got, kg + 1, &lb);
        int same = a && b && va && vb && !strcmp(a, b) && la == lb && !memcmp(va, vb, la);
        if (!same)
            printf("#   key %d: want %s=%s got %s=%s\n", i, a ? a : "?", va ? va : "?", b ? b : "?",
                   vb ? vb : "?");
        free(a);
        free(b);
        free(va);
        free(vb);
        if (!same)
            return 0;
    }
    return 1;
}

/* Compare the writer's NDJSON lines with the expected array. */
static int compare(const char *name, const char *ndjson, const char *expect, size_t elen)
{
    ec_json want;
    const char *err;
    if (ec_json_parse(&want, expect, elen, &err) != 0) {
        printf("# %s: cannot parse expected JSON: %s\n", name, err);
        ec_json_free(&want);
        return 0;
    }
    int n = ec_json_size(&want, 0), i = 0, good = 1;
    const char *p = ndjson;
    while (*p && good) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ec_json got;
        int nkeys = 0;
        good = i < n && ec_json_check(p, len, NULL, NULL) == 0 &&
               ec_json_parse(&got, p, len, &err) == 0 &&
               same_object(&want, ec_json_at(&want, 0, i), &got, 0, &nkeys) &&
               ec_json_size(&got, 0) == nkeys + 3;
        ec_json_free(&got);
        if (!good)
            printf("# %s: record %d differs: %.*s\n", name, i, (int)len, p);
        i++;
        p = nl ? nl + 1 : p + len;
    }
    ec_json_free(&want);
    if (good && i != n)
        printf("# %s: %d records, want %d\n", name, i, n);
    return good && i == n;
}

static void one_case(const char *dir, const char *name)
{
    ec_buf path = {0};
    size_t clen = 0, jlen = 0;
    ec_buf_printf(&path, "%s/csvs/%s.csv", dir, name);
    char *csv = slurp(path.p, &clen);
    ec_buf_clear(&path);
    ec_buf_printf(&path, "%s/json/%s.json", dir, name);
    char *json = slurp(path.p, &jlen);
    if (!csv || !json) {
        ok(0, "%s: fixture readable (%s)", name, path.p);
        free(csv);
        free(json);
        ec_buf_free(&path);
        return;
    }
    ec_buf_free(&path);
    size_t chunks[4] = {0, 1, (size_t)-1, 3};
    for (int k = 0; k < 4; k++) {
        rowlist rl = {0};
        int rc;
        ec_buf err = {0};
        ec_reader *r = read_chunks(csv, clen, NULL, chunks[k], &rl, &err, &rc);
        int clean = rc == 0;
        for (size_t i = 0; i < rl.n; i++) {
            if (rl.v[i]->bad_input) {
                printf("# %s: %s\n", name, rl.v[i]->bad_input);
                clean = 0;
            }
            rl.v[i]->out.status = EC_ST_NOT_FOUND;
        }
        ec_writer_opts o = wopts(EC_FMT_NDJSON);
        char *out = write_all(&o, r, &rl);
        ok(clean && compare(name, out, json, jlen), "%s (chunks %s)", name,
           k == 0   ? "whole"
           : k == 1 ? "1 byte"
           : k == 2 ? "random"
                    : "3 bytes");
        free(out);
        ec_buf_free(&err);
        rows_free(&rl);
        ec_reader_free(r);
    }
    free(csv);
    free(json);
}

int main(void)
{
    const char *src = getenv("TESTS_SRC");
    ec_buf dir = {0};
    ec_buf_printf(&dir, "%s/csv-spectrum", src ? src : "tests");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        one_case(dir.p, names[i]);
    ec_buf_free(&dir);
    return tap_done();
}
