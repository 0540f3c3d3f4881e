/* t_ndjson.c - the NDJSON reader and writer, and conversions both ways. */
#include "config.h"
#include "io_test.h"
#include "tap.h"

#include <stdio.h>

static ec_reader *read_nd(const char *in, rowlist *rl, size_t chunk)
{
    int rc;
    ec_reader_opts o = {EC_FMT_NDJSON, 0, 0};
    ec_reader *r = read_chunks(in, strlen(in), &o, chunk, rl, NULL, &rc);
    ok(rc == 0, "NDJSON read without fatal error");
    return r;
}

static void set_all(rowlist *rl, enum ec_status st)
{
    for (size_t i = 0; i < rl->n; i++)
        if (!rl->v[i]->bad_input)
            rl->v[i]->out.status = st;
}

static void reading(void)
{
    rowlist rl = {0};
    const char *in =
        "{\"b\": 1.50, \"a\":\"x\\u00e9\", \"n\":null, \"o\":{\"k\":[1, 2]}, \"t\":true}\n"
        "\n  \t\r\n"
        "{\"c\":\"\",\"a\":\"y\"}\r\n"
        "{\"k\\u0065y\":-0e1,\"a\":1,\"a\":2}";
    ec_reader *r = read_nd(in, &rl, (size_t)-1);
    const ec_header *h = ec_reader_header(r);
    is_int(rl.n, 3, "three objects, blank lines skipped");
    ok(ec_reader_has_header(r), "has_header after an object");
    is_int(h->n, 7, "seven distinct keys");
    ok(h->n == 7 && !strcmp(h->names[0], "b") && !strcmp(h->names[1], "a") &&
           !strcmp(h->names[5], "c") && !strcmp(h->names[6], "key"),
       "keys in order of first appearance, escapes decoded");
    const ec_row *r0 = rl.v[0];
    ok(r0->line == 1 && rl.v[1]->line == 4 && rl.v[2]->line == 5, "physical line numbers 1, 4, 5");
    ok(r0->seq == 0 && rl.v[1]->seq == 1 && rl.v[2]->seq == 2, "seq counts rows only");
    is_str(cellv(r0, 0), "1.50", "number value is its raw text");
    is_str(cellv(r0, 1), "x\xc3\xa9", "string value decoded");
    is_str(cellraw(r0, 1), "\"x\\u00e9\"", "string raw is the exact JSON text");
    is_str(cellv(r0, 2), "<null>", "null has no value");
    is_str(cellraw(r0, 3), "{\"k\":[1, 2]}", "object raw text kept with its spacing");
    is_str(cellv(r0, 3), "<null>", "object has no value");
    is_str(cellv(r0, 4), "true", "true literal value");
    ok(rl.v[1]->cells[0].col == 5 && rl.v[1]->cells[1].col == 1, "cells carry header columns");
    ok(rl.v[1]->cells[0].value.ptr && rl.v[1]->cells[0].value.len == 0, "empty string value");
    ok(rl.v[2]->ncells == 3 && rl.v[2]->cells[1].col == 1 && rl.v[2]->cells[2].col == 1,
       "duplicate key gives two cells with the same col");
    const ec_str *v = ec_row_value(rl.v[2], 1);
    ok(v && v->len == 1 && v->ptr[0] == '1', "ec_row_value finds the first duplicate");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_nd("{\"\":1,\"d\":[[[{\"x\":[]}]]],\"z\":\"\\u0000x\",\"u\":\"\\ud83d\\ude00\"}", &rl,
                0);
    h = ec_reader_header(r);
    ok(rl.n == 1 && !rl.v[0]->bad_input && rl.v[0]->ncells == 4, "tricky valid object read");
    ok(h->n == 4 && h->names[0][0] == '\0', "empty key is a column");
    ok(rl.n == 1 && rl.v[0]->cells[2].value.len == 2 && rl.v[0]->cells[2].value.ptr[0] == '\0',
       "escaped NUL kept in the value");
    is_str(cellv(rl.v[0], 3), "\xf0\x9f\x98\x80", "surrogate pair decoded");
    rows_free(&rl);
    ec_reader_free(r);
}

static void invalid_lines(void)
{
    rowlist rl = {0};
    const char *in = "{\"a\":1}\n"
                     "[1,2]\n"
                     "{\"a\":01}\n"
                     "{\"a\":1} x\r\n"
                     "{\"a\":\"\xff\"}\n"
                     "{\"a\":2}\n";
    ec_reader *r = read_nd(in, &rl, 3);
    is_int(rl.n, 6, "every line is a row");
    is_str(rl.v[1]->bad_input, "line 2: not a JSON object", "array line");
    is_str(rl.v[2]->bad_input, "line 3: invalid JSON at byte 7: leading zero in number",
           "invalid JSON names line, byte and rule");
    is_str(rl.v[3]->bad_input, "line 4: invalid JSON at byte 9: trailing data after JSON value",
           "trailing garbage");
    ok(rl.v[4]->bad_input && strstr(rl.v[4]->bad_input, "line 5: invalid JSON at byte 7: invalid "
                                                        "UTF-8"),
       "invalid UTF-8 in a string");
    ok(rl.v[2]->ncells == 0 && rl.v[2]->raw_line.len == 8 &&
           !memcmp(rl.v[2]->raw_line.ptr, "{\"a\":01}", 8),
       "raw_line holds the line");
    ok(rl.v[3]->raw_line.len == 9, "raw_line without its CR");
    ok(!rl.v[5]->bad_input, "valid line after invalid ones");
    set_all(&rl, EC_ST_NOT_FOUND);
    ec_writer_opts o = wopts(EC_FMT_NDJSON);
    char *out = write_all(&o, r, &rl);
    is_str(
        out,
        "{\"a\":1,\"email\":null,\"phone\":null,\"enrich_status\":\"not_found\"}\n"
        "{\"_raw\":\"[1,2]\",\"enrich_status\":\"failed:bad_input\"}\n"
        "{\"_raw\":\"{\\\"a\\\":01}\",\"enrich_status\":\"failed:bad_input\"}\n"
        "{\"_raw\":\"{\\\"a\\\":1} x\",\"enrich_status\":\"failed:bad_input\"}\n"
        "{\"_raw\":\"{\\\"a\\\":\\\"\xef\xbf\xbd\\\"}\",\"enrich_status\":\"failed:bad_input\"}\n"
        "{\"a\":2,\"email\":null,\"phone\":null,\"enrich_status\":\"not_found\"}\n",
        "invalid lines come out under _raw with failed:bad_input");
    free(out);
    rows_free(&rl);
    ec_reader_free(r);

    ec_reader_opts lim = {EC_FMT_NDJSON, 0, 4}; /* lines up to 64 bytes */
    int rc;
    const char *lng = "{\"a\":\"0123456789012345678901234567890123456789012345678901234567\"}\n{}";
    r = read_chunks(lng, strlen(lng), &lim, 5, &rl, NULL, &rc);
    ok(rl.n == 2 && rl.v[0]->bad_input && strstr(rl.v[0]->bad_input, "line 1: line longer than 64"),
       "over-long line is bad input");
    ok(rl.n == 2 && rl.v[0]->raw_line.len == 4 && !rl.v[1]->bad_input,
       "its raw_line is cut to max_field; next line read");
    rows_free(&rl);
    ec_reader_free(r);
}

static void fill_found(rowlist *rl)
{
    set_found(rl->v[0], "new@example.com", "555-0100");
    set_found(rl->v[1], "new@example.com", NULL);
    set_found(rl->v[2], "new@example.com", NULL);
    rl->v[3]->out.status = EC_ST_NOT_FOUND;
}

static void writing(void)
{
    rowlist rl = {0};
    const char *in = "{\"E-mail\":\"\",\"x\":[1, {\"y\": 2}]}\n"
                     "{\"x\":1,\"email\":\"old@corp.example\"}\n"
                     "{\"Email\":null,\"enrich_status\":\"stale\",\"Email\":\"dup\"}\n"
                     "{\"x\":\"\\u00e9\"}\n";
    ec_reader *r = read_nd(in, &rl, 0);
    fill_found(&rl);
    ec_writer_opts o = wopts(EC_FMT_NDJSON);
    char *out = write_all(&o, r, &rl);
    is_str(
        out,
        "{\"E-mail\":\"new@example.com\",\"x\":[1, {\"y\": 2}],\"phone\":\"555-0100\","
        "\"enrich_status\":\"enriched\"}\n"
        "{\"x\":1,\"email\":\"old@corp.example\",\"phone\":null,\"enrich_status\":\"enriched\"}\n"
        "{\"Email\":\"new@example.com\",\"enrich_status\":\"enriched\",\"Email\":\"dup\","
        "\"phone\":null}\n"
        "{\"x\":\"\\u00e9\",\"email\":null,\"phone\":null,\"enrich_status\":\"not_found\"}\n",
        "NDJSON out: members kept, matching keys reused in place, added keys after");
    free(out);
    o.overwrite = 1;
    out = write_all(&o, r, &rl);
    ok(strstr(out, "{\"x\":1,\"email\":\"new@example.com\",") != NULL, "--overwrite replaces");
    free(out);
    rows_free(&rl);
    ec_reader_free(r);
}

static ec_buf warnings;
static int nwarn;

static void on_warn(void *ctx, unsigned long line, const char *msg)
{
    (void)ctx;
    nwarn++;
    ec_buf_printf(&warnings, "%lu: %s\n", line, msg);
}

static void conversions(void)
{
    rowlist rl = {0};
    int rc;
    const char *csv = "a,b\n1,\"x \"\"q\"\"\"\n2\n3,4,5\n";
    ec_reader *r = read_chunks(csv, strlen(csv), NULL, 0, &rl, NULL, &rc);
    set_all(&rl, EC_ST_NOT_FOUND);
    ec_writer_opts o = wopts(EC_FMT_NDJSON);
    char *out = write_all(&o, r, &rl);
    is_str(out,
           "{\"a\":\"1\",\"b\":\"x \\\"q\\\"\",\"email\":null,\"phone\":null,"
           "\"enrich_status\":\"not_found\"}\n"
           "{\"a\":\"2\",\"b\":\"\",\"email\":null,\"phone\":null,"
           "\"enrich_status\":\"failed:bad_input\"}\n"
           "{\"a\":\"3\",\"b\":\"4\",\"_extra1\":\"5\",\"email\":null,\"phone\":null,"
           "\"enrich_status\":\"failed:bad_input\"}\n",
           "CSV -> NDJSON: strings, missing fields \"\", extra fields _extraN");
    free(out);
    rows_free(&rl);
    ec_reader_free(r);

    const char *nd = "not json\n"
                     "{\"a\":1,\"b\":\"x,y\",\"o\":{\"k\":1}}\n"
                     "{\"b\":\"y\",\"c\":true,\"a\":null}\n"
                     "{\"c\":2,\"d\":\"\"}\n";
    r = read_nd(nd, &rl, 0);
    set_all(&rl, EC_ST_NOT_FOUND);
    o = wopts(EC_FMT_CSV);
    o.warn = on_warn;
    out = write_all(&o, r, &rl);
    is_str(out,
           "a,b,o,email,phone,enrich_status\n"
           ",,,,,failed:bad_input\n"
           "1,\"x,y\",\"{\"\"k\"\":1}\",,,not_found\n"
           ",y,,,,not_found\n"
           ",,,,,not_found\n",
           "NDJSON -> CSV: first object's keys; null and missing empty; JSON text for objects; "
           "invalid line held until the header");
    is_int(nwarn, 2, "two unknown keys, each reported once");
    is_str(warnings.p,
           "3: key \"c\" is not a CSV column (the columns are the first object's keys); its "
           "values are dropped\n"
           "4: key \"d\" is not a CSV column (the columns are the first object's keys); its "
           "values are dropped\n",
           "warnings name the key and the line");
    free(out);
    rows_free(&rl);
    ec_reader_free(r);

    r = read_nd("oops\n", &rl, 0);
    ok(ec_reader_has_header(r), "only invalid lines: has_header once the input ended");
    out = write_all(&o, r, &rl);
    is_str(out, "email,phone,enrich_status\n,,failed:bad_input\n",
           "only invalid lines: added columns only, rows flushed at the end");
    free(out);
    rows_free(&rl);
    ec_reader_free(r);
    ec_buf_free(&warnings);
}

static void people_ndjson(void)
{
    rowlist rl = {0};
    ec_reader *r = read_nd("{\"account_id\":\"a1\"}\n", &rl, 0);
    ec_outcome *oc = &rl.v[0]->out;
    oc->status = EC_ST_ENRICHED;
    oc->has_people = 1;
    oc->people = ec_xcalloc(1, sizeof *oc->people);
    oc->npeople = 1;
    oc->people[0].id = ec_xstrdup("p1");
    oc->people[0].name = ec_xstrdup("Ann");
    ec_values_add(&oc->people[0].phones, "555-0100", 8);
    ec_writer_opts o = wopts(EC_FMT_NDJSON);
    o.people = 1;
    char *out = write_all(&o, r, &rl);
    is_str(out,
           "{\"account_id\":\"a1\",\"person_id\":\"p1\",\"person_name\":\"Ann\","
           "\"person_title\":null,\"person_linkedin_url\":null,\"email\":null,"
           "\"phone\":\"555-0100\",\"enrich_status\":\"enriched\"}\n",
           "people in NDJSON: person keys, then the person's values");
    free(out);
    rows_free(&rl);
    ec_reader_free(r);
}

int main(void)
{
    reading();
    invalid_lines();
    writing();
    conversions();
    people_ndjson();
    return tap_done();
}
