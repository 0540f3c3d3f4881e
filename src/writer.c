/* writer.c - the writer's front: options, which input columns the added
 * columns reuse, the added values of a line, people fan-out, and the NDJSON
 * lines held back until a CSV header can be written. The formats live in
 * csv_out.c and ndjson_out.c. */
#include "config.h"
#include "writer_int.h"

#include <stdlib.h>
#include <string.h>

const char *const ec_person_cols[4] = {"person_id", "person_name", "person_title",
                                       "person_linkedin_url"};

/* A writer's layout (column count, reuse) is fixed on its first line. */
static int layout_done(const ec_writer *w)
{
    return w->ncols != (size_t)-1;
}

ec_writer *ec_writer_new(const ec_writer_opts *o, const ec_header *in_hdr, enum ec_format in_fmt)
{
    ec_writer_opts defaults;
    if (!o) {
        memset(&defaults, 0, sizeof defaults);
        o = &defaults;
    }
    ec_writer *w = ec_xcalloc(1, sizeof *w);
    w->o = *o;
    const char *given[EC_ADD_N] = {o->email_col, o->phone_col, o->status_col};
    const char *fallback[EC_ADD_N] = {"email", "phone", "enrich_status"};
    for (int k = 0; k < EC_ADD_N; k++) {
        w->names[k] = ec_xstrdup(given[k] && *given[k] ? given[k] : fallback[k]);
        ec_header_norm(w->names[k], strlen(w->names[k]), &w->norm[k]);
        ec_buf_putc(&w->norm[k], '\0'); /* p is valid even for an empty name */
        w->norm[k].len--;
        w->reuse[k] = -1;
    }
    w->o.email_col = w->names[EC_ADD_EMAIL];
    w->o.phone_col = w->names[EC_ADD_PHONE];
    w->o.status_col = w->names[EC_ADD_STATUS];
    w->hdr = in_hdr;
    w->in_fmt = in_fmt;
    w->delim = o->delimiter ? o->delimiter : ',';
    w->eol = o->excel || o->crlf ? "\r\n" : "\n";
    w->ncols = (size_t)-1;
    return w;
}

void ec_writer_free(ec_writer *w)
{
    if (!w)
        return;
    for (int k = 0; k < EC_ADD_N; k++) {
        free(w->names[k]);
        ec_buf_free(&w->norm[k]);
        ec_buf_free(&w->val[k]);
    }
    for (size_t i = 0; i < w->nheld; i++)
        ec_row_free(w->held[i]);
    free(w->held);
    free(w->role);
    free(w->reused_as);
    free(w->warned);
    free(w->slot);
    free(w->field);
    ec_buf_free(&w->tmp);
    free(w);
}

/* The added column whose normalized name is name's, or -1. */
static int match_added(ec_writer *w, const char *name)
{
    ec_buf_clear(&w->tmp);
    ec_header_norm(name, strlen(name), &w->tmp);
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->tmp.len == w->norm[k].len && memcmp(w->tmp.p, w->norm[k].p, w->tmp.len) == 0)
            return k;
    return -1;
}

int ec_writer_role(ec_writer *w, int col)
{
    if (col < 0 || (size_t)col >= w->hdr->n)
        return -1;
    if ((size_t)col >= w->nrole) {
        size_t n = w->hdr->n;
        w->role = ec_xrealloc(w->role, n);
        for (size_t i = w->nrole; i < n; i++)
            w->role[i] = (signed char)match_added(w, w->hdr->names[i]);
        w->nrole = n;
    }
    return w->role[col];
}

/* Fix the input columns and the reused ones. CSV input: the header.
 * NDJSON input: the keys of first (the first valid object), or none. */
static void set_layout(ec_writer *w, const ec_row *first)
{
    w->ncols = 0;
    if (w->in_fmt != EC_FMT_NDJSON) {
        w->ncols = w->hdr->n;
    } else if (first) {
        for (size_t i = 0; i < first->ncells; i++)
            if ((size_t)first->cells[i].col + 1 > w->ncols)
                w->ncols = (size_t)first->cells[i].col + 1;
    }
    if (w->ncols > w->hdr->n)
        w->ncols = w->hdr->n;
    for (size_t i = 0; i < w->ncols; i++) {
        int k = match_added(w, w->hdr->names[i]);
        if (k >= 0 && w->reuse[k] < 0)
            w->reuse[k] = (int)i;
    }
    free(w->reused_as);
    w->reused_as = ec_xmalloc(w->ncols);
    memset(w->reused_as, -1, w->ncols);
    w->reuses = 0;
    for (int k = 0; k < EC_ADD_N; k++)
        if (w->reuse[k] >= 0) {
            w->reused_as[w->reuse[k]] = (signed char)k;
            w->reuses = 1;
        }
}

/* The values of vs as one: the first, or all joined with "; " into b. */
static ec_str join_values(ec_buf *b, const ec_values *vs, int all)
{
    ec_str v = {"", 0};
    if (vs->n == 1 || (vs->n && !all)) {
        v.ptr = vs->v[0];
        v.len = strlen(vs->v[0]);
    } else if (vs->n) {
        ec_buf_clear(b);
        for (size_t i = 0; i < vs->n; i++) {
            if (i)
                ec_buf_puts(b, "; ");
            ec_buf_puts(b, vs->v[i]);
        }
        v.ptr = b->p ? b->p : "";
        v.len = b->len;
    }
    return v;
}

void ec_person_values(const ec_person *p, const char *v[4])
{
    v[0] = p ? p->id : NULL;
    v[1] = p ? p->name : NULL;
    v[2] = p ? p->title : NULL;
    v[3] = p ? p->linkedin_url : NULL;
}

/* The status column's text for row (or person p of it): a constant, the
 * person's own status, or a failure's reason built in b. */
static ec_str status_of(const ec_row *row, const ec_person *p, ec_buf *b)
{
    enum ec_status st = row->out.status;
    if (p && (p->emails.n || p->phones.n))
        return ec_status_fixed(EC_ST_ENRICHED);
    if (p && p->status &&
        (strncmp(p->status, "failed:", 7) == 0 || strncmp(p->status, "skipped:", 8) == 0))
        return ec_str_c(p->status); /* this person's own failure or skip */
    if (p && (st == EC_ST_ENRICHED || st == EC_ST_NOT_FOUND))
        return ec_status_fixed(EC_ST_NOT_FOUND);
    if (st == EC_ST_PENDING && row->bad_input)
        return ec_str_c("failed:bad_input");
    ec_str fixed = ec_status_fixed(st);
    if (fixed.ptr)
        return fixed;
    ec_buf_clear(b);
    ec_status_text(&row->out, b);
    return (ec_str){b->p ? b->p : "", b->len};
}

void ec_writer_values(ec_writer *w, const ec_row *row, const ec_person *p, ec_str add[EC_ADD_N])
{
    add[EC_ADD_EMAIL] =
        join_values(&w->val[EC_ADD_EMAIL], p ? &p->emails : &row->out.emails, w->o.all_values);
    add[EC_ADD_PHONE] =
        join_values(&w->val[EC_ADD_PHONE], p ? &p->phones : &row->out.phones, w->o.all_values);
    add[EC_ADD_STATUS] = status_of(row, p, &w->val[EC_ADD_STATUS]);
}

int ec_writer_take_ours(const ec_writer *w, int k, int input_empty, ec_str ours)
{
    if (k == EC_ADD_STATUS)
        return 1;
    if (ours.len == 0)
        return 0;
    return input_empty || w->o.overwrite;
}

static void line(ec_writer *w, const ec_row *row, const ec_person *p, ec_buf *out)
{
    if (w->o.format == EC_FMT_NDJSON)
        ec_ndjson_out_line(w, row, p, out);
    else
        ec_csv_out_line(w, row, p, out);
}

static void emit(ec_writer *w, const ec_row *row, ec_buf *out)
{
    if (w->o.people && row->out.has_people && row->out.npeople > 0) {
        for (size_t i = 0; i < row->out.npeople; i++)
            line(w, row, &row->out.people[i], out);
        return;
    }
    line(w, row, NULL, out);
}

static void flush_held(ec_writer *w, ec_buf *out)
{
    for (size_t i = 0; i < w->nheld; i++) {
        emit(w, w->held[i], out);
        ec_row_free(w->held[i]);
    }
    free(w->held);
    w->held = NULL;
    w->nheld = 0;
}

static void hold(ec_writer *w, const ec_row *row)
{
    ec_row *c = ec_xcalloc(1, sizeof *c);
    c->seq = row->seq;
    c->line = row->line;
    c->bad_input = ec_xstrdup(row->bad_input);
    ec_outcome_copy(&c->out, &row->out);
    if ((w->nheld & (w->nheld - 1)) == 0)
        w->held = ec_xrealloc(w->held, (w->nheld ? w->nheld * 2 : 1) * sizeof *w->held);
    w->held[w->nheld++] = c;
}

static int invalid_ndjson(const ec_writer *w, const ec_row *row)
{
    return w->in_fmt == EC_FMT_NDJSON && row->bad_input && row->ncells == 0;
}

int ec_writer_row(ec_writer *w, const ec_row *row, ec_buf *out)
{
    if (!layout_done(w)) {
        if (w->o.format != EC_FMT_NDJSON && invalid_ndjson(w, row) &&
            w->nheld < EC_WRITER_MAX_HELD) {
            hold(w, row);
            return 0;
        }
        set_layout(w, invalid_ndjson(w, row) ? NULL : row);
        if (w->o.format != EC_FMT_NDJSON) {
            ec_csv_out_header(w, out);
            flush_held(w, out);
        }
    }
    emit(w, row, out);
    return 0;
}

int ec_writer_header(ec_writer *w, ec_buf *out)
{
    if (w->o.format == EC_FMT_NDJSON || layout_done(w))
        return 0;
    set_layout(w, NULL);
    ec_csv_out_header(w, out);
    flush_held(w, out);
    return 0;
}
