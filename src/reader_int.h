/* reader_int.h - what reader.c shares with csv_in.c and ndjson_in.c.
 * Not for use outside the reader. */
#ifndef EC_READER_INT_H
#define EC_READER_INT_H

#include <stdint.h>
#include "reader.h"

/* Limits derived from max_field (see reader.h). */
#define EC_READER_RECORD_FACTOR 16
#define EC_READER_MAX_FIELDS 65536
/* blank bytes held before a CSV header line starts, at most */
#define EC_READER_MAX_BLANK ((size_t)1 << 24)

typedef struct ec_csv_in ec_csv_in;
typedef struct ec_ndjson_in ec_ndjson_in;

enum ec_reader_state { EC_RD_START = 0, EC_RD_BODY, EC_RD_DONE, EC_RD_FAILED };

struct ec_reader {
    ec_reader_opts opts;
    size_t max_field;
    size_t max_record; /* record (CSV) or line (NDJSON) limit */
    enum ec_reader_state state;
    enum ec_format fmt;
    char delim;
    int crlf;
    int bom_checked;
    ec_buf pre;        /* bytes held until format and header line are known */
    size_t scan_pos;   /* how far pre has been scanned for the header line end */
    int scan_in_line;  /* past the empty lines before the header line */
    int scan_quoted;   /* inside quotes in that scan */
    size_t line_start; /* where the header line starts in pre */
    ec_buf fatal;      /* message of a fatal error */
    unsigned long long bytes;
    ec_header hdr;
    int has_header;
    uint64_t seq;   /* seq of the next row */
    ec_row **queue; /* ring of completed rows */
    size_t qhead, qlen, qcap;
    ec_csv_in *csv;
    ec_ndjson_in *nd;
};

/* Queue a completed row (takes it) and give it the next seq. */
void ec_reader_push(ec_reader *r, ec_row *row);
/* Enter the failed state with a formatted message. Returns -1. */
int ec_reader_fail(ec_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a column name (copied, len bytes) to the header; returns its index. */
size_t ec_reader_add_name(ec_reader *r, const char *name, size_t len);

/* CSV part (csv_in.c). new returns NULL only on libcsv init failure. */
ec_csv_in *ec_csv_in_new(ec_reader *r);
/* Parse bytes; returns 0 or -1 (reader failed). */
int ec_csv_in_feed(ec_csv_in *c, const char *buf, size_t len);
/* Flush at end of input; returns 0 or -1. */
int ec_csv_in_finish(ec_csv_in *c);
void ec_csv_in_free(ec_csv_in *c);
/* Delimiter sniffed from the header line in s (the first non-empty line). */
char ec_csv_sniff_delimiter(const char *s, size_t len);

/* NDJSON part (ndjson_in.c). */
ec_ndjson_in *ec_ndjson_in_new(ec_reader *r);
int ec_ndjson_in_feed(ec_ndjson_in *n, const char *buf, size_t len);
int ec_ndjson_in_finish(ec_ndjson_in *n);
void ec_ndjson_in_free(ec_ndjson_in *n);

#endif
