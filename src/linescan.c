/* linescan.c - one pass over a CSV line (see linescan.h). Sixteen bytes a
 * step with SSE2 (every x86-64 has it), else eight with the exact
 * byte-equality mask of plain integers on little-endian machines, else a
 * byte at a time; the tests hold the three to the same answers. A line's
 * last step overlaps the one before, the bytes already seen masked off. */
#include "config.h"
#include "linescan.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Offset at into list (room for max), counted in *n either way. */
static void put_at(uint32_t *list, size_t max, size_t *n, size_t at)
{
    if (*n < max)
        list[*n] = (uint32_t)at;
    (*n)++;
}

unsigned ec_line_scan_bytes(const char *s, size_t n, char delim, ec_line_pos *lp)
{
    unsigned flags = 0;
    lp->nd = lp->nq = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r')
            return flags | EC_LS_CR;
        if (c == '"') {
            put_at(lp->q, lp->qmax, &lp->nq, i);
            flags |= EC_LS_QUOTE;
        } else if (c == (unsigned char)delim) {
            put_at(lp->d, lp->dmax, &lp->nd, i);
        }
        if (c & 0x80)
            flags |= EC_LS_HIGH;
    }
    return flags;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The top bit of each byte of x that equals c's byte (cs: c in every
 * byte), and no other bit: exact, unlike the quicker has-zero test, so
 * each set bit is a match. */
static uint64_t eq_bytes(uint64_t x, uint64_t cs)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t y = x ^ cs;
    return ~(((y & low7) + low7) | y | low7);
}

unsigned ec_line_scan_words(const char *s, size_t n, char delim, ec_line_pos *lp)
{
    if (n < 8)
        return ec_line_scan_bytes(s, n, delim, lp);
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t ds = ones * (unsigned char)delim, qs = ones * '"', rs = ones * '\r';
    uint64_t high = 0, quotes = 0, keep = ~0ull;
    lp->nd = lp->nq = 0;
    for (size_t i = 0;; i += 8) {
        if (n - i < 8) {
            if (i == n)
                break;
            keep = ~0ull << 8 * (8 - (n - i));
            i = n - 8;
        }
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t r = eq_bytes(x, rs) & keep;
        if (r) { /* the bytes before the CR, then stop */
            keep &= (r & -r) - 1;
            r = 1;
        }
        high |= x & highs & keep;
        uint64_t q = eq_bytes(x, qs) & keep;
        quotes |= q;
        for (; q; q &= q - 1)
            put_at(lp->q, lp->qmax, &lp->nq, i + (size_t)(__builtin_ctzll(q) >> 3));
        for (uint64_t m = eq_bytes(x, ds) & keep; m; m &= m - 1)
            put_at(lp->d, lp->dmax, &lp->nd, i + (size_t)(__builtin_ctzll(m) >> 3));
        if (r)
            return (high ? EC_LS_HIGH : 0) | (quotes ? EC_LS_QUOTE : 0) | EC_LS_CR;
        if (keep != ~0ull)
            break;
    }
    return (high ? EC_LS_HIGH : 0) | (quotes ? EC_LS_QUOTE : 0);
}
#else
unsigned ec_line_scan_words(const char *s, size_t n, char delim, ec_line_pos *lp)
{
    return ec_line_scan_bytes(s, n, delim, lp);
}
#endif

#if defined(__SSE2__)
/* One step of ec_line_scan: the 16 bytes at s + i, those of keep (a bit a
 * byte). Places go to lp, counted in *nd and *nq, flags into *fl. 1 when
 * a CR ended the line (the bytes before it taken). */
static inline int sse_step(const char *s, size_t i, unsigned keep, char delim, ec_line_pos *lp,
                           size_t *nd, size_t *nq, unsigned *fl)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    __m128i qx = _mm_cmpeq_epi8(x, _mm_set1_epi8('"')), rx = _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'));
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(delim))) & keep;
    unsigned r = 0;
    if ((unsigned)_mm_movemask_epi8(_mm_or_si128(qx, rx)) & keep) { /* rare: a quote or CR */
        r = (unsigned)_mm_movemask_epi8(rx) & keep;
        if (r) { /* the bytes before the CR */
            keep &= (r & -r) - 1;
            m &= keep;
            *fl |= EC_LS_CR;
        }
        unsigned q = (unsigned)_mm_movemask_epi8(qx) & keep;
        *fl |= q ? EC_LS_QUOTE : 0;
        for (; q; q &= q - 1)
            put_at(lp->q, lp->qmax, nq, i + (size_t)__builtin_ctz(q));
    }
    *fl |= (unsigned)_mm_movemask_epi8(x) & keep ? EC_LS_HIGH : 0;
    for (; m; m &= m - 1)
        put_at(lp->d, lp->dmax, nd, i + (size_t)__builtin_ctz(m));
    return r != 0;
}
#endif

unsigned ec_line_scan(const char *s, size_t n, char delim, ec_line_pos *lp)
{
#if defined(__SSE2__)
    if (n < 16)
        return ec_line_scan_words(s, n, delim, lp);
    size_t nd = 0, nq = 0, i = 0;
    unsigned fl = 0;
    int cr = 0;
    for (; n - i >= 16 && !cr; i += 16)
        cr = sse_step(s, i, 0xffff, delim, lp, &nd, &nq, &fl);
    if (!cr && i < n) /* the last 16 bytes, those seen already masked off */
        sse_step(s, n - 16, 0xffffu << (16 - (n - i)) & 0xffff, delim, lp, &nd, &nq, &fl);
    lp->nd = nd;
    lp->nq = nq;
    return fl;
#else
    return ec_line_scan_words(s, n, delim, lp);
#endif
}
