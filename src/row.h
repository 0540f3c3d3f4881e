/* row.h - one input row, its identifiers and its outcome. A row has exactly
 * one owner at a time: the reader makes it, the engine holds it while it is
 * looked up, the window hands it to the writer, which frees it. */
#ifndef EC_ROW_H
#define EC_ROW_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* The identifier fields a row can feed (SPEC section 3, --map FIELD=COLUMN). */
enum ec_field {
    EC_F_LINKEDIN_URL = 0,
    EC_F_EMAIL,
    EC_F_NAME,
    EC_F_FIRST_NAME,
    EC_F_LAST_NAME,
    EC_F_TITLE,
    EC_F_COMPANY_NAME,
    EC_F_COMPANY_DOMAIN,
    EC_F_X_HANDLE,
    EC_F_GITHUB_USERNAME,
    EC_F_UID,
    EC_F_PERSON_ID,
    EC_F_ACCOUNT_ID,
    EC_F_COUNT
};

/* What to reveal (--fields). */
enum { EC_WANT_EMAIL = 1, EC_WANT_PHONE = 2 };

enum ec_status {
    EC_ST_PENDING = 0,     /* not decided yet */
    EC_ST_ENRICHED,        /* "enriched" */
    EC_ST_NOT_FOUND,       /* "not_found" */
    EC_ST_SKIPPED_NO_ID,   /* "skipped:no_identifier" */
    EC_ST_SKIPPED_CREDITS, /* "skipped:credits" */
    EC_ST_FAILED           /* "failed:<reason>" */
};

/* A list of owned strings. */
typedef struct ec_values {
    char **v;
    size_t n;
    int packed;   /* the strings live in v's own allocation (ec_values_set_packed) */
    size_t alloc; /* packed: the size of that allocation, when pooled (else 0) */
} ec_values;

/* One person found for an account (OpenFunnel fans one row out into these). */
typedef struct ec_person {
    char *id; /* provider's person id, as text */
    char *name;
    char *title;
    char *linkedin_url;
    char *status; /* provider's per-person status, opaque */
    ec_values emails;
    ec_values phones;
} ec_person;

/* Free what p owns and leave the struct to be reused or dropped. */
void ec_person_clear(ec_person *p);

/* The result of looking up one set of identifiers. Owned strings. */
typedef struct ec_outcome {
    enum ec_status status;
    char *reason; /* for EC_ST_FAILED: short reason ("bad_input", "http_500", "uncertain", provider
                     message) */
    ec_values emails;
    ec_values phones;
    ec_person *people; /* OpenFunnel only */
    size_t npeople;
    int has_people; /* 1 when this outcome fans out into people rows */
    double credits; /* credits the provider reported for this lookup, if any */
} ec_outcome;

/* One cell of an input row. For CSV, value == raw (the field's bytes).
 * For NDJSON, raw is the member's exact JSON value text and value its
 * decoded string (strings) or the raw text (numbers, literals); objects,
 * arrays and null have value.ptr == NULL. */
typedef struct ec_cell {
    int col; /* index into the reader's header table */
    ec_str value;
    ec_str raw;
} ec_cell;

typedef struct ec_row {
    uint64_t seq;       /* 0-based position in the input */
    unsigned long line; /* physical line number where the record starts (1-based) */
    ec_cell *cells;
    size_t ncells;
    char *mem;       /* owns the bytes the cells point into */
    char *bad_input; /* NULL, or why this row could not be read (malloc'd) */
    ec_str raw_line; /* NDJSON: an invalid line verbatim (into mem) */
    ec_outcome out;
    void *engine; /* engine's per-row bookkeeping, NULL outside it */
    int packed;   /* cells and mem live in the row's own allocation ... */
    size_t alloc; /* ... of this size, when pooled (else 0) */
    char plain;   /* CSV: the delimiter when the cells are the line's fields in order, each
                     followed by a NUL in mem, none holding '"', CR or LF; else 0 */
} ec_row;

/* The reader's column names in order. CSV: the header line. NDJSON: keys
 * in order of first appearance (grows as new keys appear). */
typedef struct ec_header {
    char **names;
    size_t n;
} ec_header;

/* Normalize a column name for matching: ASCII-lowercase, with spaces, '_'
 * and '-' removed ("Work E-mail" -> "workemail"). Appends to out. */
void ec_header_norm(const char *name, size_t len, ec_buf *out);

/* Name of a field ("linkedin_url"), or NULL. */
const char *ec_field_name(enum ec_field f);
/* Field from its name, or -1. */
int ec_field_from_name(const char *name);

/* The status text for an outcome ("failed:" + reason for failures), written into b. */
void ec_status_text(const ec_outcome *o, ec_buf *b);
/* The text of a status that has no reason (all but EC_ST_FAILED), or {NULL, 0}. */
ec_str ec_status_fixed(enum ec_status st);

/* Make the empty list vs hold copies of the n strings items, with the
 * pointers and the bytes in one allocation (one free). Appending to it
 * later is fine (it is unpacked first). */
void ec_values_set_packed(ec_values *vs, const ec_str *items, size_t n);
/* Append a copy of s to the list. */
void ec_values_add(ec_values *vs, const char *s, size_t len);
/* Append s unless an equal value is already there. */
void ec_values_add_unique(ec_values *vs, const char *s, size_t len);
void ec_values_free(ec_values *vs);
void ec_values_copy(ec_values *dst, const ec_values *src);

/* Release everything an outcome owns and zero it. */
void ec_outcome_clear(ec_outcome *o);
/* Deep copy. */
void ec_outcome_copy(ec_outcome *dst, const ec_outcome *src);
/* Mark failed with a reason (copied). */
void ec_outcome_fail(ec_outcome *o, const char *reason);

/* Value of column col in the row, or NULL when the row has no such cell
 * (or the NDJSON value is an object, array or null). */
const ec_str *ec_row_value(const ec_row *r, int col);
/* Free a row and everything it owns. */
void ec_row_free(ec_row *r);
/* Free the blocks freed rows and value lists left for reuse (at exit). */
void ec_row_pool_drain(void);
/* A zeroed row with room for ncells cells and memlen bytes of cell text in
 * the same allocation (cells and mem set, packed = 1): one malloc and one
 * free per row. Never replace its cells or mem. Free with ec_row_free. */
ec_row *ec_row_new_packed(size_t ncells, size_t memlen);

#endif
