/* ledger_rec.c - the ledger's record texts: building and parsing res and
 * intent records, key escaping and canonical form, UTF-8 checks. Fast paths
 * read the exact layout this file writes; anything else goes through jsmn. */
#include "config.h"
#include "ledger_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json.h"

/* p (before e) starts with the string literal lit: its length is known at
 * compile time, and the comparison inlined. */
#define STARTS(p, e, lit)                                                                          \
    ((size_t)((e) - (p)) >= sizeof lit - 1 && memcmp((p), lit, sizeof lit - 1) == 0)

int ec_ledger_utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p;
        size_t k;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3;
        else
            return 0;
        if ((size_t)(e - p) <= k)
            return 0;
        for (size_t i = 1; i <= k; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) ||
            (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
            return 0;
        p += k + 1;
    }
    return 1;
}

void ec_ledger_escape(ec_buf *b, const char *s)
{
    size_t n = 0;
    while (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
        n++;
    ec_buf_clear(b);
    if (!s[n]) { /* printable ASCII without quotes or backslashes: as is */
        ec_buf_put(b, s, n);
        return;
    }
    ec_json_put_cstr(b, s);
    memmove(b->p, b->p + 1, b->len - 2);
    b->len -= 2;
    b->p[b->len] = '\0';
}

const char *ec_ledger_canon(const char *raw, size_t len, ec_buf *buf, size_t *outlen)
{
    *outlen = len;
    if (!memchr(raw, '\\', len))
        return raw;
    ec_buf quoted = {0}, dec = {0};
    ec_json doc;
    ec_buf_putc(&quoted, '"');
    ec_buf_put(&quoted, raw, len);
    ec_buf_putc(&quoted, '"');
    const char *out = raw;
    if (ec_json_parse(&doc, quoted.p, quoted.len, NULL) == 0 &&
        ec_json_str_into(&doc, 0, &dec) == 0 && !memchr(dec.p, '\0', dec.len)) {
        ec_ledger_escape(buf, dec.p);
        out = buf->p;
        *outlen = buf->len;
    }
    ec_json_free(&doc);
    ec_buf_free(&quoted);
    ec_buf_free(&dec);
    return out;
}

/* The first '"' or '\\' in [p, e), or e: where a string of ours ends, or
 * has an escape. Sixteen bytes a step with SSE2 (every x86-64 has it)
 * while that many are left, the rest a byte at a time; one pass, where
 * memchr for each of the two would read the string twice. */
static inline const char *quote_or_bs(const char *p, const char *e)
{
#if defined(__SSE2__)
    if (e - p >= 16) {
        const __m128i qs = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
        const char *last = e - 16; /* where the last whole step starts */
        do {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(x, qs), _mm_cmpeq_epi8(x, bs)));
            if (m)
                return p + __builtin_ctz(m);
            p += 16;
        } while (p <= last);
    }
#endif
    while (p < e && *p != '"' && *p != '\\')
        p++;
    return p;
}

/* The closing quote of the JSON string whose text starts at p, or NULL: a
 * backslash escapes the byte after it, so a quote ends the string when the
 * run of backslashes before it is even. */
static inline const char *string_end(const char *p, const char *e)
{
    for (;;) {
        p = quote_or_bs(p, e);
        if (p == e)
            return NULL;
        if (*p == '"')
            return p;
        if (e - p <= 2) /* nothing after the escaped byte */
            return NULL;
        p += 2;
    }
}

/* ec_ledger_str_after with the prefix's length given (a constant where the
 * prefix is a literal). */
static inline int str_after(const char *rec, size_t len, const char *prefix, size_t plen,
                            const char **s, size_t *slen)
{
    if (len < plen || memcmp(rec, prefix, plen) != 0)
        return -1;
    const char *p = rec + plen, *q = string_end(p, rec + len);
    if (!q)
        return -1;
    *s = p;
    *slen = (size_t)(q - p);
    return 0;
}

int ec_ledger_str_after(const char *rec, size_t len, const char *prefix, const char **s,
                        size_t *slen)
{
    return str_after(rec, len, prefix, strlen(prefix), s, slen);
}

static int put_values(ec_buf *b, const char *name, const ec_values *vs)
{
    if (!vs->n)
        return 0;
    ec_buf_printf(b, ",\"%s\":[", name);
    for (size_t i = 0; i < vs->n; i++) {
        if (i)
            ec_buf_putc(b, ',');
        ec_json_put_cstr(b, vs->v[i]);
    }
    ec_buf_putc(b, ']');
    return 1;
}

static void put_field(ec_buf *b, const char *name, const char *s, int *first)
{
    if (!s)
        return;
    ec_buf_printf(b, "%s\"%s\":", *first ? "" : ",", name);
    ec_json_put_cstr(b, s);
    *first = 0;
}

static void put_person(ec_buf *b, const ec_person *p)
{
    int first = 1;
    ec_buf_putc(b, '{');
    put_field(b, "id", p->id, &first);
    put_field(b, "name", p->name, &first);
    put_field(b, "title", p->title, &first);
    put_field(b, "li", p->linkedin_url, &first);
    put_field(b, "st", p->status, &first);
    ec_buf t = {0};
    put_values(&t, "em", &p->emails);
    put_values(&t, "ph", &p->phones);
    ec_buf_put(b, first && t.len ? t.p + 1 : t.p, first && t.len ? t.len - 1 : t.len);
    ec_buf_free(&t);
    ec_buf_putc(b, '}');
}

void ec_ledger_put_res(ec_buf *b, const char *esckey, size_t keylen, const char *batch, size_t pos,
                       const ec_outcome *o, double ts)
{
    if (batch) {
        ec_buf_puts(b, "{\"t\":\"res\",\"b\":");
        ec_json_put_cstr(b, batch);
        ec_buf_printf(b, ",\"i\":%zu", pos);
    } else {
        ec_buf_puts(b, EC_L_RES_K);
        ec_buf_put(b, esckey, keylen);
        ec_buf_putc(b, '"');
    }
    ec_buf st = {0};
    ec_status_text(o, &st);
    ec_buf_puts(b, ",\"s\":");
    ec_json_put_str(b, st.p, st.len);
    ec_buf_free(&st);
    put_values(b, "em", &o->emails);
    put_values(b, "ph", &o->phones);
    if (o->has_people) {
        ec_buf_puts(b, ",\"pp\":[");
        for (size_t i = 0; i < o->npeople; i++) {
            if (i)
                ec_buf_putc(b, ',');
            put_person(b, &o->people[i]);
        }
        ec_buf_putc(b, ']');
    }
    if (o->credits != 0)
        ec_buf_printf(b, ",\"c\":%.15g", o->credits);
    ec_buf_printf(b, ",\"ts\":%lld}", ec_ledger_ts_int(ts));
}

void ec_ledger_put_intent(ec_buf *b, const ec_lbatch *ob, int with_keys)
{
    ec_buf_puts(b, "{\"t\":\"intent\",\"b\":");
    ec_json_put_cstr(b, ob->id);
    if (with_keys) {
        ec_buf_puts(b, ",\"keys\":[");
        for (size_t i = 0; i < ob->nkeys; i++) {
            if (i)
                ec_buf_putc(b, ',');
            ec_json_put_cstr(b, ob->keys[i]);
        }
        ec_buf_putc(b, ']');
    }
    ec_buf_puts(b, ",\"idem\":");
    if (ob->idem)
        ec_json_put_cstr(b, ob->idem);
    else
        ec_buf_puts(b, "null");
    ec_buf_printf(b, ",\"ts\":%lld}", ec_ledger_ts_int(ob->ts));
}

/* ------------------------------------------------------------------ parsing */

/* s (n bytes, or up to a NUL) is the text lit of len bytes (lit has no NUL:
 * then s is exactly that when it is followed by its end or a NUL). */
static inline int is_text(const char *s, size_t n, const char *lit, size_t len)
{
    return n >= len && memcmp(s, lit, len) == 0 && (n == len || s[len] == '\0');
}
#define IS_TEXT(s, n, lit) is_text(s, n, lit, sizeof lit - 1)

/* The status text s (unescaped, up to n bytes or a NUL) into o. 0, or -1
 * when unknown. */
static int parse_status(const char *s, size_t n, ec_outcome *o)
{
    if (IS_TEXT(s, n, "enriched"))
        o->status = EC_ST_ENRICHED;
    else if (IS_TEXT(s, n, "not_found"))
        o->status = EC_ST_NOT_FOUND;
    else if (IS_TEXT(s, n, "skipped:no_identifier"))
        o->status = EC_ST_SKIPPED_NO_ID;
    else if (IS_TEXT(s, n, "skipped:credits"))
        o->status = EC_ST_SKIPPED_CREDITS;
    else if ((n = strnlen(s, n)) >= 7 && memcmp(s, "failed:", 7) == 0) {
        o->status = EC_ST_FAILED;
        o->reason = ec_xstrndup(s + 7, n - 7);
    } else {
        return -1;
    }
    return 0;
}

static void get_values(const ec_json *d, int t, ec_values *vs)
{
    if (ec_json_type(d, t) != EC_JSON_ARRAY)
        return;
    int e = t + 1;
    for (int i = 0; i < ec_json_size(d, t); i++, e = ec_json_skip(d, e)) {
        size_t n;
        char *s = ec_json_strdup(d, e, &n);
        if (s)
            ec_values_add(vs, s, n);
        free(s);
    }
}

static void get_person(const ec_json *d, int t, ec_person *p)
{
    p->id = ec_json_scalar_dup(d, ec_json_get(d, t, "id"));
    p->name = ec_json_strdup(d, ec_json_get(d, t, "name"), NULL);
    p->title = ec_json_strdup(d, ec_json_get(d, t, "title"), NULL);
    p->linkedin_url = ec_json_strdup(d, ec_json_get(d, t, "li"), NULL);
    p->status = ec_json_strdup(d, ec_json_get(d, t, "st"), NULL);
    get_values(d, ec_json_get(d, t, "em"), &p->emails);
    get_values(d, ec_json_get(d, t, "ph"), &p->phones);
}

/* A string list ["a","b"] at p (just after the '['): values appended, returns
 * the position after ']' or NULL. */
static const char *fast_values(const char *p, const char *e, ec_values *vs)
{
    /* the usual few values without escapes: one allocation for the list */
    ec_str items[8];
    size_t n = 0;
    const char *at = p;
    while (at < e && *at != ']' && n < 8) {
        if (*at == ',')
            at++;
        /* a string without escapes ends at the first quote or backslash */
        const char *end = at < e && *at == '"' ? quote_or_bs(at + 1, e) : e;
        if (end == e || *end != '"')
            break;
        items[n++] = (ec_str){at + 1, (size_t)(end - at - 1)};
        at = end + 1;
    }
    if (at < e && *at == ']' && vs->n == 0) {
        if (n)
            ec_values_set_packed(vs, items, n);
        return at + 1;
    }
    while (p < e && *p != ']') {
        if (*p == ',')
            p++;
        const char *q = p < e && *p == '"' ? string_end(p + 1, e) : NULL;
        if (!q)
            return NULL;
        if (memchr(p + 1, '\\', (size_t)(q - p - 1))) {
            char *d = ec_ledger_decode(p + 1, (size_t)(q - p - 1));
            ec_values_add(vs, d, strlen(d));
            free(d);
        } else {
            ec_values_add(vs, p + 1, (size_t)(q - p - 1));
        }
        p = q + 1;
    }
    return p < e ? p + 1 : NULL;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The eight bytes at p when they are all digits: their value into *v. */
static inline int eight_digits(const char *p, uint64_t *v)
{
    const uint64_t highs = 0xf0f0f0f0f0f0f0f0ull, zeros = 0x3030303030303030ull;
    uint64_t x;
    memcpy(&x, p, 8);
    /* each byte 0x30..0x39: its high half 3, and still 3 after adding 6
     * (which takes 0x3a..0x3f to 0x40..0x45) */
    if ((x & highs) != zeros || ((x + 0x0606060606060606ull) & highs) != zeros)
        return 0;
    /* the first digit is the lowest byte: pairs of digits, then fours, then
     * all eight, each step a multiply and a shift (SWAR) */
    x -= zeros;
    x = x * 10 + (x >> 8);
    x = ((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
         ((x >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >>
        32;
    *v = x;
    return 1;
}
#endif

/* A number at p: plain digits (what we write) read directly, else strtod. */
static double number_at(const char *p, const char *e, char **end)
{
    const char *q = p, *lim = e - p > 15 ? p + 15 : e;
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (lim - q >= 8 && eight_digits(q, &v)) /* most of a timestamp at once */
        q += 8;
#endif
    for (unsigned d; q < lim && (d = (unsigned)((unsigned char)*q - '0')) < 10; q++)
        v = v * 10 + d;
    if (q > p && q < e && (*q == '}' || *q == ',')) {
        *end = (char *)(uintptr_t)q;
        return (double)v;
    }
    return strtod(p, end);
}

const char *ec_ledger_res_pos(const char *p, const char *e, unsigned long *pos)
{
    if (e - p <= 6 || memcmp(p, "\",\"i\":", 6) != 0 || p[6] < '0' || p[6] > '9')
        return NULL;
    p += 6;
    unsigned long i = 0;
    /* digits after the first that reach EC_L_POS_MAX are passed over */
    for (unsigned d; p < e && (d = (unsigned)((unsigned char)*p - '0')) < 10; p++)
        if (i < EC_L_POS_MAX)
            i = i * 10 + d;
    *pos = i;
    return p;
}

/* The rest of our layout, from just after the key or the batch position:
 * status, values, credits, time. */
static int res_body(const char *p, const char *e, ec_outcome *o, double *ts)
{
    /* the status: ours has no escapes, so it ends at the first quote */
    if (!STARTS(p, e, ",\"s\":\""))
        return -1;
    const char *s = p + 6, *q = quote_or_bs(s, e);
    if (q == e || *q != '"' || q - s >= 256 || parse_status(s, (size_t)(q - s), o) < 0)
        return -1;
    p = q + 1;
    if (STARTS(p, e, ",\"em\":["))
        p = fast_values(p + 7, e, &o->emails);
    if (p && STARTS(p, e, ",\"ph\":["))
        p = fast_values(p + 7, e, &o->phones);
    char *end = NULL;
    if (p && STARTS(p, e, ",\"c\":")) {
        o->credits = number_at(p + 5, e, &end);
        p = end;
    }
    if (!p || !STARTS(p, e, ",\"ts\":"))
        return -1;
    double t = number_at(p + 6, e, &end);
    if (end != e - 1 || *end != '}')
        return -1;
    if (ts)
        *ts = t;
    return 0;
}

/* The layout ec_ledger_put_res writes (without people); -1 for anything else. */
static int res_fast(const char *rec, size_t len, ec_outcome *o, double *ts)
{
    const char *e = rec + len, *s, *p;
    size_t n;
    unsigned long pos;
    if (str_after(rec, len, EC_L_RES_K, sizeof EC_L_RES_K - 1, &s, &n) == 0)
        p = s + n + 1;
    else if (str_after(rec, len, EC_L_RES_B, sizeof EC_L_RES_B - 1, &s, &n) == 0)
        p = ec_ledger_res_pos(s + n, e, &pos);
    else
        return -1;
    return p ? res_body(p, e, o, ts) : -1;
}

int ec_ledger_parse_res_body(const char *rec, size_t len, size_t body, ec_outcome *o, double *ts)
{
    memset(o, 0, sizeof *o);
    if (body <= len && res_body(rec + body, rec + len, o, ts) == 0)
        return 0;
    ec_outcome_clear(o);
    return ec_ledger_parse_res(rec, len, o, ts);
}

int ec_ledger_parse_res(const char *rec, size_t len, ec_outcome *o, double *ts)
{
    ec_json d;
    memset(o, 0, sizeof *o);
    if (res_fast(rec, len, o, ts) == 0)
        return 0;
    ec_outcome_clear(o);
    int rc = -1;
    if (ec_json_parse(&d, rec, len, NULL) == 0 && ec_json_type(&d, 0) == EC_JSON_OBJECT) {
        size_t n;
        char *s = ec_json_strdup(&d, ec_json_get(&d, 0, "s"), &n);
        rc = s ? parse_status(s, n, o) : -1;
        free(s);
    }
    if (rc == 0) {
        get_values(&d, ec_json_get(&d, 0, "em"), &o->emails);
        get_values(&d, ec_json_get(&d, 0, "ph"), &o->phones);
        int pp = ec_json_get(&d, 0, "pp");
        if (ec_json_type(&d, pp) == EC_JSON_ARRAY) {
            o->has_people = 1;
            o->npeople = (size_t)ec_json_size(&d, pp);
            o->people = o->npeople ? ec_xcalloc(o->npeople, sizeof *o->people) : NULL;
            for (size_t i = 0; i < o->npeople; i++)
                get_person(&d, ec_json_at(&d, pp, (int)i), &o->people[i]);
        }
        if (ec_json_double(&d, ec_json_get(&d, 0, "c"), &o->credits) < 0)
            o->credits = 0;
        double t = 0;
        ec_json_double(&d, ec_json_get(&d, 0, "ts"), &t);
        if (ts)
            *ts = t;
    } else {
        ec_outcome_clear(o);
    }
    ec_json_free(&d);
    return rc;
}

char *ec_ledger_decode(const char *raw, size_t len)
{
    if (!memchr(raw, '\\', len))
        return ec_xstrndup(raw, len);
    ec_buf quoted = {0}, dec = {0};
    ec_json doc;
    ec_buf_putc(&quoted, '"');
    ec_buf_put(&quoted, raw, len);
    ec_buf_putc(&quoted, '"');
    if (ec_json_parse(&doc, quoted.p, quoted.len, NULL) < 0 || ec_json_str_into(&doc, 0, &dec) < 0)
        ec_buf_clear(&dec);
    ec_json_free(&doc);
    ec_buf_free(&quoted);
    return ec_buf_take(&dec);
}

int ec_ledger_next_key(const char *s, size_t n, size_t *pos, const char **raw, size_t *rawlen)
{
    size_t i = *pos;
    while (i < n && (s[i] == ',' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i >= n)
        return 0;
    if (s[i] != '"')
        return -1;
    const char *q = string_end(s + i + 1, s + n);
    if (!q)
        return -1;
    *raw = s + i + 1;
    *rawlen = (size_t)(q - *raw);
    *pos = (size_t)(q - s) + 1;
    return 1;
}

/* ec_ledger_intent_add, inlined into the walk over an intent's keys. */
static inline void intent_add(ec_lintent *ks, size_t off, size_t len)
{
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? 2 * ks->cap : 128;
        ks->off = ec_xrealloc(ks->off, ks->cap * sizeof *ks->off);
        ks->len = ec_xrealloc(ks->len, ks->cap * sizeof *ks->len);
        ks->hash = ec_xrealloc(ks->hash, ks->cap * sizeof *ks->hash);
    }
    ks->off[ks->n] = (uint32_t)off;
    ks->len[ks->n++] = (uint32_t)len;
}

void ec_ledger_intent_add(ec_lintent *ks, size_t off, size_t len)
{
    intent_add(ks, off, len);
}

/* The layout ec_ledger_put_intent writes; the keys' places go to ks (when
 * not NULL) as they are passed, and v->keys_found says they all did (only
 * commas between them). */
static int intent_fast(const char *rec, size_t len, ec_lintent_view *v, ec_lintent *ks)
{
    const char *e = rec + len, *p;
    static const char head[] = "{\"t\":\"intent\",\"b\":\"";
    if (str_after(rec, len, head, sizeof head - 1, &v->id, &v->idlen) < 0)
        return -1;
    p = v->id + v->idlen + 1;
    if (e - p > 9 && memcmp(p, ",\"keys\":[", 9) == 0) {
        v->has_keys = 1;
        v->keys = p += 9;
        int found = ks != NULL && len <= UINT32_MAX;
        if (ks)
            ks->n = 0;
        while (p < e && *p != ']') {
            if (*p == '"') {
                const char *q = string_end(p + 1, e);
                if (!q)
                    return -1;
                if (found)
                    intent_add(ks, (size_t)(p + 1 - rec), (size_t)(q - p - 1));
                p = q + 1;
                if (e - p > 1 && p[0] == ',' && p[1] == '"') /* ours: on to the next key */
                    p++;
                continue;
            }
            if (*p != ',' || p + 1 >= e || p[1] != '"')
                found = 0; /* not our layout: ec_ledger_next_key decides */
            p++;
        }
        v->keys_found = found;
        if (p >= e)
            return -1;
        v->keyslen = (size_t)(p++ - v->keys);
    }
    if (e - p < 12 || memcmp(p, ",\"idem\":", 8) != 0)
        return -1;
    p += 8;
    if (memcmp(p, "null", 4) == 0) {
        p += 4;
    } else if (str_after(p, (size_t)(e - p), "\"", 1, &v->idem, &v->idemlen) == 0) {
        p = v->idem + v->idemlen + 1;
    } else {
        return -1;
    }
    if (e - p < 8 || memcmp(p, ",\"ts\":", 6) != 0 || e[-1] != '}')
        return -1;
    char *end;
    v->ts = strtod(p + 6, &end);
    return end == e - 1 ? 0 : -1;
}

int ec_ledger_intent_view(const char *rec, size_t len, ec_lintent_view *v)
{
    return ec_ledger_intent_keys(rec, len, v, NULL);
}

int ec_ledger_intent_keys(const char *rec, size_t len, ec_lintent_view *v, ec_lintent *ks)
{
    memset(v, 0, sizeof *v);
    if (intent_fast(rec, len, v, ks) == 0)
        return 0;
    memset(v, 0, sizeof *v);
    ec_json d;
    int rc = -1;
    if (ec_json_parse(&d, rec, len, NULL) == 0 &&
        ec_json_str_eq(&d, ec_json_get(&d, 0, "t"), "intent") &&
        ec_json_type(&d, ec_json_get(&d, 0, "b")) == EC_JSON_STRING) {
        ec_str id = ec_json_raw(&d, ec_json_get(&d, 0, "b"));
        int keys = ec_json_get(&d, 0, "keys"), idem = ec_json_get(&d, 0, "idem");
        v->id = id.ptr;
        v->idlen = id.len;
        if (ec_json_type(&d, keys) == EC_JSON_ARRAY) {
            ec_str all = ec_json_text(&d, keys);
            v->has_keys = 1;
            v->keys = all.ptr + 1;
            v->keyslen = all.len - 2;
        }
        if (ec_json_type(&d, idem) == EC_JSON_STRING) {
            ec_str s = ec_json_raw(&d, idem);
            v->idem = s.ptr;
            v->idemlen = s.len;
        }
        ec_json_double(&d, ec_json_get(&d, 0, "ts"), &v->ts);
        rc = 0;
    }
    ec_json_free(&d);
    return rc;
}
