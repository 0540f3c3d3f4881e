/* linescan.h - one pass over a CSV line: where its delimiters are, and
 * whether it holds a quote, a CR or a byte above 0x7f. The CSV reader's
 * fast path splits lines without quotes with it. */
#ifndef EC_LINESCAN_H
#define EC_LINESCAN_H

#include <stddef.h>
#include <stdint.h>

enum { EC_LS_QUOTE = 1, EC_LS_CR = 2, EC_LS_HIGH = 4 };

/* Scan s[0..n) for delim (not '"' or CR): the offsets of the first max
 * delimiters into pos, how many there are in all into *ndelim. Returns the
 * EC_LS_ flags. The scan stops at the first quote or CR: when the result
 * has EC_LS_QUOTE or EC_LS_CR (just one of them is set), the other
 * outputs are incomplete. */
unsigned ec_line_scan(const char *s, size_t n, char delim, uint32_t *pos, size_t max,
                      size_t *ndelim);

/* The same, eight bytes a step with plain integers (what ec_line_scan is
 * where SSE2 is not), and a byte at a time: for the tests. */
unsigned ec_line_scan_words(const char *s, size_t n, char delim, uint32_t *pos, size_t max,
                            size_t *ndelim);
unsigned ec_line_scan_bytes(const char *s, size_t n, char delim, uint32_t *pos, size_t max,
                            size_t *ndelim);

#endif
