/* ndjson_out.c - NDJSON output: one object per line, the input's members
 * (exact value text) or CSV fields (as strings), then the added keys. */
#include "config.h"
#include "json.h"
#include "writer_int.h"

#include <stdio.h>
#include <string.h>

static void key(ec_buf *out, int *first, const char *name)
{
    if (!*first)
        ec_buf_putc(out, ',');
    *first = 0;
    ec_json_put_cstr(out, name);
    ec_buf_putc(out, ':');
}

/* An added value: a string, or null when empty (the status never is). */
static void added_value(ec_buf *out, int k, ec_str v)
{
    if (v.len == 0 && k != EC_ADD_STATUS)
        ec_buf_puts(out, "null");
    else
        ec_json_put_str(out, v.ptr, v.len);
}

static int raw_is(ec_str raw, const char *lit)
{
    return ec_str_eq(raw, lit);
}

static int reused_as(const ec_writer *w, size_t col)
{
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->reuse[k] == (int)col)
            return k;
    return -1;
}

static void csv_members(ec_writer *w, const ec_row *row, const ec_str add[], int used[], int *first,
                        ec_buf *out)
{
    size_t n = w->hdr->n;
    size_t width = row->ncells > n ? row->ncells : n;
    char extra[32];
    for (size_t i = 0; i < width; i++) {
        if (i < n) {
            key(out, first, w->hdr->names[i]);
        } else {
            snprintf(extra, sizeof extra, "_extra%zu", i - n + 1);
            key(out, first, extra);
        }
        ec_str v = {"", 0};
        if (i < row->ncells && row->cells[i].value.ptr)
            v = row->cells[i].value;
        int k = reused_as(w, i);
        if (k >= 0) {
            used[k] = 1;
            if (ec_writer_take_ours(w, k, v.len == 0, add[k]))
                v = add[k];
        }
        ec_json_put_str(out, v.ptr, v.len);
    }
}

static void ndjson_members(ec_writer *w, const ec_row *row, const ec_str add[], int used[],
                           int *first, ec_buf *out)
{
    for (size_t i = 0; i < row->ncells; i++) {
        const ec_cell *c = &row->cells[i];
        if (c->col < 0 || (size_t)c->col >= w->hdr->n)
            continue;
        key(out, first, w->hdr->names[c->col]);
        int k = ec_writer_role(w, c->col);
        if (k >= 0 && !used[k]) {
            used[k] = 1;
            int empty = raw_is(c->raw, "null") || raw_is(c->raw, "\"\"");
            if (ec_writer_take_ours(w, k, empty, add[k])) {
                ec_json_put_str(out, add[k].ptr, add[k].len);
                continue;
            }
        }
        ec_buf_put(out, c->raw.ptr, c->raw.len);
    }
}

/* An invalid input line: its text under "_raw", and the status. */
static void invalid_line(ec_writer *w, const ec_row *row, const ec_str add[], ec_buf *out)
{
    int first = 1;
    ec_buf_putc(out, '{');
    key(out, &first, "_raw");
    ec_json_put_str(out, row->raw_line.ptr ? row->raw_line.ptr : "", row->raw_line.len);
    key(out, &first, w->names[EC_ADD_STATUS]);
    added_value(out, EC_ADD_STATUS, add[EC_ADD_STATUS]);
    ec_buf_puts(out, "}\n");
}

void ec_ndjson_out_line(ec_writer *w, const ec_row *row, const ec_person *p, ec_buf *out)
{
    ec_str add[EC_ADD_N];
    ec_writer_values(w, row, p, add);
    if (w->in_fmt == EC_FMT_NDJSON && row->bad_input && row->ncells == 0) {
        invalid_line(w, row, add, out);
        return;
    }
    int used[EC_ADD_N] = {0, 0, 0};
    int first = 1;
    ec_buf_putc(out, '{');
    if (w->in_fmt == EC_FMT_NDJSON)
        ndjson_members(w, row, add, used, &first, out);
    else
        csv_members(w, row, add, used, &first, out);
    if (w->o.people) {
        const char *pv[4];
        ec_person_values(p, pv);
        for (int i = 0; i < 4; i++) {
            key(out, &first, ec_person_cols[i]);
            if (pv[i])
                ec_json_put_cstr(out, pv[i]);
            else
                ec_buf_puts(out, "null");
        }
    }
    for (int k = 0; k < EC_ADD_N; k++) {
        if (used[k])
            continue;
        key(out, &first, w->names[k]);
        added_value(out, k, add[k]);
    }
    ec_buf_puts(out, "}\n");
}
