/* linescan.c - one pass over a CSV line (see linescan.h). Sixteen bytes a
 * step with SSE2 (every x86-64 has it), else eight with the exact
 * byte-equality mask of plain integers on little-endian machines, else a
 * byte at a time; the tests hold the three to the same answers. */
#include "config.h"
#include "linescan.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Delimiter at offset at: stored while there is room, always counted. */
static void put_delim(uint32_t *pos, size_t max, size_t *nd, size_t at)
{
    if (*nd < max)
        pos[*nd] = (uint32_t)at;
    (*nd)++;
}

unsigned ec_line_scan_bytes(const char *s, size_t n, char delim, uint32_t *pos, size_t max,
                            size_t *ndelim)
{
    unsigned flags = 0;
    *ndelim = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            return EC_LS_QUOTE;
        if (c == '\r')
            return EC_LS_CR;
        if (c == (unsigned char)delim)
            put_delim(pos, max, ndelim, i);
        if (c & 0x80)
            flags |= EC_LS_HIGH;
    }
    return flags;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LS_WORDS 1 /* a word's first byte is its lowest */
#else
#define LS_WORDS 0
#endif

#if LS_WORDS || defined(__SSE2__)
#if LS_WORDS
/* The top bit of each byte of x that equals c's byte (cs: c in every
 * byte), and no other bit: exact, unlike the quicker has-zero test, so
 * each set bit is a match. */
static uint64_t eq_bytes(uint64_t x, uint64_t cs)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t y = x ^ cs;
    return ~(((y & low7) + low7) | y | low7);
}
#endif

/* Flags of the stop byte (a quote or CR) that comes first in a step whose
 * quote and CR masks are q and r. */
static unsigned first_stop(uint64_t q, uint64_t r)
{
    return q && (!r || (q & -q) < (r & -r)) ? EC_LS_QUOTE : EC_LS_CR;
}
#endif

unsigned ec_line_scan_words(const char *s, size_t n, char delim, uint32_t *pos, size_t max,
                            size_t *ndelim)
{
#if LS_WORDS
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t ds = ones * (unsigned char)delim, qs = ones * '"', rs = ones * '\r';
    uint64_t high = 0;
    size_t i = 0;
    *ndelim = 0;
    if (n < 8)
        return ec_line_scan_bytes(s, n, delim, pos, max, ndelim);
    for (uint64_t keep = ~0ull;; i += 8) {
        if (n - i < 8) { /* the last 8 bytes, those seen already masked off */
            if (i == n)
                break;
            keep = ~0ull << 8 * (8 - (n - i));
            i = n - 8;
        }
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t q = eq_bytes(x, qs) & keep, r = eq_bytes(x, rs) & keep;
        if (q | r) /* its delimiters are of no use to the caller */
            return first_stop(q, r);
        high |= x & highs & keep;
        for (uint64_t m = eq_bytes(x, ds) & keep; m; m &= m - 1)
            put_delim(pos, max, ndelim, i + (size_t)(__builtin_ctzll(m) >> 3));
        if (keep != ~0ull)
            break;
    }
    return high ? EC_LS_HIGH : 0;
#else
    return ec_line_scan_bytes(s, n, delim, pos, max, ndelim);
#endif
}

unsigned ec_line_scan(const char *s, size_t n, char delim, uint32_t *pos, size_t max,
                      size_t *ndelim)
{
#if defined(__SSE2__)
    const __m128i ds = _mm_set1_epi8(delim), qs = _mm_set1_epi8('"'), rs = _mm_set1_epi8('\r');
    unsigned high = 0;
    size_t i = 0;
    *ndelim = 0;
    if (n < 16)
        return ec_line_scan_words(s, n, delim, pos, max, ndelim);
    for (unsigned keep = 0xffff;; i += 16) {
        if (n - i < 16) { /* the last 16 bytes, those seen already masked off */
            if (i == n)
                break;
            keep = 0xffffu << (16 - (n - i)) & 0xffff;
            i = n - 16;
        }
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned q = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, qs)) & keep;
        unsigned r = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, rs)) & keep;
        if (q | r)
            return first_stop(q, r);
        high |= (unsigned)_mm_movemask_epi8(x) & keep;
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, ds)) & keep; m; m &= m - 1)
            put_delim(pos, max, ndelim, i + (size_t)__builtin_ctz(m));
        if (keep != 0xffff)
            break;
    }
    return high ? EC_LS_HIGH : 0;
#else
    return ec_line_scan_words(s, n, delim, pos, max, ndelim);
#endif
}
