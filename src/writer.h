/* writer.h - output rows as CSV or NDJSON with the added columns.
 * The writer only formats: it appends bytes to a buffer the caller writes
 * out (so write errors such as EPIPE stay with the caller).
 *
 * Decisions users see (for the man page):
 * - CSV: fields are quoted only when they hold the delimiter, a quote, CR
 *   or LF (inner quotes doubled), so a minimally quoted input row comes out
 *   byte for byte. Records end as opts.crlf says.
 * - Added columns (names from the options, defaults email, phone,
 *   enrich_status) follow the input's. An input column whose normalized
 *   name (ec_header_norm) equals an added column's is reused in place: for
 *   email and phone a non-empty input value is kept unless overwrite, and an
 *   empty one is filled; overwrite never blanks a value when nothing was
 *   found. The status column always holds this run's status.
 * - Several values: the first, or all joined with "; " when all_values.
 * - A row still PENDING but with bad_input is written as failed:bad_input.
 * - Ragged CSV rows: all their fields as they are (extra kept, missing ones
 *   empty up to the header's width), then the added columns.
 * - NDJSON out: each object's members in order with their exact value text
 *   (keys re-encoded from the header name), then the added keys. A member
 *   whose key matches an added column is reused in place (same rules; empty
 *   means null or ""). Added values that are empty are null; the status is
 *   always a string. An invalid input line becomes
 *   {"_raw":"<the line>","enrich_status":"failed:bad_input"}.
 * - CSV -> NDJSON: every value a JSON string keyed by its header name;
 *   fields beyond the header are keyed "_extra1", "_extra2", ...; missing
 *   fields are "".
 * - NDJSON -> CSV: the columns are the keys of the first valid object;
 *   missing keys are empty, null is empty, other non-string values are
 *   written as their JSON text; a key that is not a column is dropped and
 *   reported once through warn. Invalid lines before the first valid object
 *   are held back (at most 10000) until the header is known; they come out
 *   with empty input columns.
 * - People (opts.people): columns person_id, person_name, person_title,
 *   person_linkedin_url go between the input's and the added columns; a row
 *   with people gives one line per person with that person's email and
 *   phone, status "enriched" when the person has any, else "not_found" (or
 *   the row's own status when it is neither enriched nor not_found); a row
 *   without people gives one line with empty person columns.
 * - excel (CSV only): a UTF-8 BOM before the header, CRLF, and a ' before
 *   any cell (header, input or added) starting with = + - @ TAB or CR.
 */
#ifndef EC_WRITER_H
#define EC_WRITER_H

#include "buf.h"
#include "reader.h"
#include "row.h"

typedef struct ec_writer_opts {
    enum ec_format format;                          /* output format: EC_FMT_CSV or EC_FMT_NDJSON */
    char delimiter;                                 /* CSV output delimiter; 0 = ',' */
    int crlf;                                       /* CSV: end records with CRLF */
    int excel;                                      /* BOM, CRLF, formula-injection guard */
    const char *email_col, *phone_col, *status_col; /* NULL = "email", "phone", "enrich_status" */
    int all_values; /* join several values with "; " (else the first) */
    int overwrite;  /* replace non-empty input values in a reused column */
    int people;     /* fan out one line per person (OpenFunnel) */
    void (*warn)(void *ctx, unsigned long line, const char *msg); /* may be NULL */
    void *warn_ctx;
} ec_writer_opts;

typedef struct ec_writer ec_writer;

/* A new writer. o is copied (names too); in_hdr is borrowed and must
 * outlive the writer (for NDJSON input it may grow meanwhile); in_fmt is the
 * resolved input format. For CSV input, create it once the reader has the
 * header. */
ec_writer *ec_writer_new(const ec_writer_opts *o, const ec_header *in_hdr, enum ec_format in_fmt);
/* Append the output of one finished row (borrowed) to out: one line, or
 * one per person; the CSV header first when not yet written. Returns 0. */
int ec_writer_row(ec_writer *w, const ec_row *row, ec_buf *out);
/* Call at the end of the output: appends the CSV header if not written yet
 * (e.g. a CSV input with a header and no rows) and any rows held back.
 * No-op for NDJSON output. Returns 0. */
int ec_writer_header(ec_writer *w, ec_buf *out);
/* Free the writer (and rows it still holds). NULL is fine. */
void ec_writer_free(ec_writer *w);

/* Append one CSV field to out with minimal quoting (quoted only when it
 * holds delim, '"', CR or LF); with excel, a ' goes before a value
 * starting with = + - @ TAB or CR. Implemented in csv_out.c. */
void ec_csv_put_field(ec_buf *out, const char *s, size_t len, char delim, int excel);

#endif
