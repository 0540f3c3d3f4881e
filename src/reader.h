/* reader.h - streaming input: CSV (through libcsv) and NDJSON, push-based.
 * The engine reads its input however it likes and feeds the bytes in chunks
 * of any size; completed rows queue up in the reader until taken. The reader
 * knows nothing of providers or HTTP.
 *
 * Decisions users see (for the man page):
 * - A UTF-8 byte order mark at the very start is dropped.
 * - -i auto: the first byte that is not a space, tab, CR or LF decides:
 *   '{' means NDJSON, anything else CSV. An empty input counts as CSV.
 * - CSV: RFC 4180 through libcsv; no whitespace is trimmed; CRLF, LF and CR
 *   line ends; the first non-empty record is the header. Without -d the
 *   delimiter is the most frequent of , ; TAB | outside quotes in the header
 *   line (ties and no candidate: in that order, comma first). Empty lines
 *   (no bytes at all between line ends) are skipped, everywhere; a line with
 *   only spaces is a record. A quote inside an unquoted field is data
 *   (a"b stays a"b). Text after a closing quote ("x"y) is malformed: the
 *   field becomes xy and the row is bad input.
 * - CSV bad input (the row still comes out, marked): a record with fewer or
 *   more fields than the header, invalid UTF-8, a field longer than
 *   max_field (truncated to max_field bytes), a record longer than 16 times
 *   max_field or with more than 65536 fields (the rest is dropped), text after
 *   a closing quote, and a quoted field still open at end of input (the
 *   record holds everything up to the end). The message starts "line N: "
 *   with the physical line where the record starts.
 * - A header that is not valid UTF-8, has an unterminated quote, a field
 *   longer than max_field or text after a closing quote is fatal.
 * - NDJSON: one object per line (LF or CRLF); lines holding only JSON
 *   whitespace are skipped. Each line is validated strictly (ec_json_check).
 *   An invalid line, or a valid line that is not an object, or a line longer
 *   than 16 times max_field, is a row with ncells == 0, bad_input set, and
 *   raw_line the line (without its line end; an over-long line truncated to
 *   max_field bytes). Header columns are the keys in order of first
 *   appearance; an object with a key twice gives two cells with the same col.
 */
#ifndef EC_READER_H
#define EC_READER_H

#include <stddef.h>
#include "buf.h"
#include "row.h"

enum ec_format { EC_FMT_AUTO = 0, EC_FMT_CSV, EC_FMT_NDJSON };

typedef struct ec_reader_opts {
    enum ec_format format; /* EC_FMT_AUTO: sniff */
    char delimiter;        /* CSV delimiter; 0 = sniff from the header line */
    size_t max_field;      /* 0 = 1 MiB; longer fields make a bad_input row */
} ec_reader_opts;

/* Default max_field. */
#define EC_READER_MAX_FIELD ((size_t)1 << 20)

typedef struct ec_reader ec_reader;

/* A new reader (o may be NULL for defaults; it is copied). Returns NULL when
 * the delimiter cannot be one (quote, CR, LF). Free with ec_reader_free. */
ec_reader *ec_reader_new(const ec_reader_opts *o);
/* Feed len bytes (borrowed; copied as needed). Returns 0, or -1 with a
 * message in err (appended; err may be NULL) for a fatal problem: a bad
 * header, or feeding after finish. After a fatal error every call fails. */
int ec_reader_feed(ec_reader *r, const char *buf, size_t len, ec_buf *err);
/* End of input: completes a last record without a line end, reports an
 * unterminated quote. Returns 0 or -1 with err as for feed. */
int ec_reader_finish(ec_reader *r, ec_buf *err);
/* Take the oldest completed row, or NULL. The caller owns it (ec_row_free). */
ec_row *ec_reader_next(ec_reader *r);
/* Number of completed rows waiting in the reader (for back-pressure). */
size_t ec_reader_pending(const ec_reader *r);
/* CSV: the header record has been read. NDJSON: an object has been read,
 * or the input ended after at least one (invalid) line. */
int ec_reader_has_header(const ec_reader *r);
/* The column names (borrowed; NDJSON's grows as new keys appear, so do not
 * keep pointers into it across feeds). */
const ec_header *ec_reader_header(const ec_reader *r);
/* Input format: the option, or once sniffed the resolved one (AUTO before). */
enum ec_format ec_reader_format(const ec_reader *r);
/* CSV delimiter in use (0 until known). */
char ec_reader_delimiter(const ec_reader *r);
/* 1 when the CSV header line ended with CRLF. */
int ec_reader_crlf(const ec_reader *r);
/* Bytes fed so far, BOM included. */
unsigned long long ec_reader_bytes(const ec_reader *r);
/* Free the reader and any rows still queued. NULL is fine. */
void ec_reader_free(ec_reader *r);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF); else 0 with the offset of the first bad byte in
 * *bad_offset (may be NULL). Implemented in json_check.c. */
int ec_utf8_valid(const char *s, size_t len, size_t *bad_offset);

#endif
