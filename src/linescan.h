/* linescan.h - one pass over a CSV line: where its delimiters and quotes
 * are, and whether it holds a CR or a byte above 0x7f. The CSV reader's
 * fast path splits lines with it. */
#ifndef EC_LINESCAN_H
#define EC_LINESCAN_H

#include <stddef.h>
#include <stdint.h>

enum { EC_LS_QUOTE = 1, EC_LS_CR = 2, EC_LS_HIGH = 4 };

/* Offsets found in a line: up to dmax delimiters into d and qmax quotes
 * into q; nd and nq count all of them, stored or not. */
typedef struct ec_line_pos {
    uint32_t *d, *q;
    size_t dmax, qmax;
    size_t nd, nq;
} ec_line_pos;

/* Scan s[0..n) for delim (not '"' or CR) and quotes into lp. Returns the
 * EC_LS_ flags. The scan stops at the first CR: when the result has
 * EC_LS_CR, the rest of it is incomplete. */
unsigned ec_line_scan(const char *s, size_t n, char delim, ec_line_pos *lp);

/* The same, eight bytes a step with plain integers (what ec_line_scan is
 * where SSE2 is not), and a byte at a time: for the tests. */
unsigned ec_line_scan_words(const char *s, size_t n, char delim, ec_line_pos *lp);
unsigned ec_line_scan_bytes(const char *s, size_t n, char delim, ec_line_pos *lp);

#endif
