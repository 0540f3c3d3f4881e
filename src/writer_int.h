/* writer_int.h - what writer.c shares with csv_out.c and ndjson_out.c.
 * Not for use outside the writer. */
#ifndef EC_WRITER_INT_H
#define EC_WRITER_INT_H

#include "writer.h"

/* The added columns, in output order. */
enum { EC_ADD_EMAIL = 0, EC_ADD_PHONE, EC_ADD_STATUS, EC_ADD_N };

/* Invalid NDJSON lines held back before the CSV header is known. */
#define EC_WRITER_MAX_HELD 10000

struct ec_writer {
    ec_writer_opts o;
    char *names[EC_ADD_N]; /* added column names (owned) */
    ec_buf norm[EC_ADD_N]; /* their normalized forms */
    const ec_header *hdr;  /* borrowed */
    enum ec_format in_fmt;
    char delim;
    const char *eol;
    int header_done;        /* CSV: header written (layout fixed) */
    size_t ncols;           /* CSV out: input columns in the header */
    int reuse[EC_ADD_N];    /* CSV out / CSV in: reused input column, or -1 */
    signed char *reused_as; /* input column (< ncols) -> added column it is, or -1 */
    int reuses;             /* some input column is reused */
    signed char *role;      /* NDJSON in: added column a header column matches, or -1 */
    size_t nrole;
    unsigned char *warned; /* NDJSON -> CSV: key already reported */
    size_t nwarned;
    size_t *slot; /* NDJSON -> CSV: column -> first cell + 1, per line */
    size_t nslot;
    ec_str *field; /* CSV out: the fields of the line being written */
    size_t nfield;
    ec_row **held; /* NDJSON -> CSV: invalid lines before the header */
    size_t nheld;
    ec_buf val[EC_ADD_N]; /* scratch for the added values */
    ec_buf tmp;           /* scratch */
};

/* Added values of one output line (row, or person of that row when p is
 * not NULL) into add[], pointing into w's scratch buffers. */
void ec_writer_values(ec_writer *w, const ec_row *row, const ec_person *p, ec_str add[EC_ADD_N]);
/* Which value a reused column shows: 1 for ours, 0 for the input's. */
int ec_writer_take_ours(const ec_writer *w, int k, int input_empty, ec_str ours);
/* For NDJSON input: the added column header column col matches, or -1. */
int ec_writer_role(ec_writer *w, int col);
/* The person column names, in order. */
extern const char *const ec_person_cols[4];
/* A person's four column values (NULL when absent). */
void ec_person_values(const ec_person *p, const char *v[4]);

/* csv_out.c */
void ec_csv_out_header(ec_writer *w, ec_buf *out);
void ec_csv_out_line(ec_writer *w, const ec_row *row, const ec_person *p, ec_buf *out);

/* ndjson_out.c */
void ec_ndjson_out_line(ec_writer *w, const ec_row *row, const ec_person *p, ec_buf *out);

#endif
