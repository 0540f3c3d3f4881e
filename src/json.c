/* json.c - the one translation unit that compiles jsmn, and its helpers. */
#include "config.h"
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* jsmn_parse, but a bare top-level number or literal ("0", "true") is
 * parsed too: strict jsmn wants a delimiter after a primitive and calls the
 * text truncated, so such a text is parsed from a copy with a space after
 * it (the tokens' offsets hold for the original text), once the RFC 8259
 * validator has passed it. */
static int parse_text(const char *text, size_t len, jsmntok_t *tok, unsigned ntok)
{
    jsmn_parser p;
    jsmn_init(&p);
    int n = jsmn_parse(&p, text, len, tok, ntok);
    if (n != JSMN_ERROR_PART)
        return n;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == len || !strchr("-0123456789tfn", text[i]) || ec_json_check(text, len, NULL, NULL) != 0)
        return n; /* (jsmn would take "tru " for a literal) */
    char *copy = ec_xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = ' ';
    jsmn_init(&p);
    n = jsmn_parse(&p, copy, len + 1, tok, ntok);
    free(copy);
    return n;
}

int ec_json_parse(ec_json *j, const char *text, size_t len, const char **err)
{
    memset(j, 0, sizeof *j);
    j->text = text;
    j->len = len;
    if (err)
        *err = NULL;
    if (len > (size_t)0x7fffffff - 1) {
        if (err)
            *err = "document too large";
        return -1;
    }
    int n = parse_text(text, len, NULL, 0);
    if (n < 0) {
        if (err)
            *err = n == JSMN_ERROR_PART ? "truncated JSON" : "invalid JSON";
        return -1;
    }
    if (n == 0) {
        if (err)
            *err = "empty document";
        return -1;
    }
    j->tok = ec_xcalloc((size_t)n, sizeof *j->tok);
    n = parse_text(text, len, j->tok, (unsigned)n);
    if (n < 0) {
        if (err)
            *err = "invalid JSON";
        return -1;
    }
    j->ntok = n;
    /* exactly one top-level value */
    if (ec_json_skip(j, 0) != n) {
        if (err)
            *err = "trailing data after JSON value";
        return -1;
    }
    return 0;
}

void ec_json_free(ec_json *j)
{
    free(j->tok);
    j->tok = NULL;
    j->ntok = 0;
}

enum ec_json_type ec_json_type(const ec_json *j, int t)
{
    if (t < 0 || t >= j->ntok)
        return EC_JSON_NONE;
    const jsmntok_t *k = &j->tok[t];
    switch (k->type) {
    case JSMN_OBJECT:
        return EC_JSON_OBJECT;
    case JSMN_ARRAY:
        return EC_JSON_ARRAY;
    case JSMN_STRING:
        return EC_JSON_STRING;
    case JSMN_PRIMITIVE:
        switch (j->text[k->start]) {
        case 't':
            return EC_JSON_TRUE;
        case 'f':
            return EC_JSON_FALSE;
        case 'n':
            return EC_JSON_NULL;
        default:
            return EC_JSON_NUMBER;
        }
    default:
        return EC_JSON_NONE;
    }
}

int ec_json_skip(const ec_json *j, int t)
{
    if (t < 0 || t >= j->ntok)
        return j->ntok;
    /* tokens are in document order: the subtree ends where a token starts
     * at or after this token's end */
    int end = j->tok[t].end;
    int i = t + 1;
    while (i < j->ntok && j->tok[i].start < end)
        i++;
    return i;
}

int ec_json_size(const ec_json *j, int t)
{
    enum ec_json_type ty = ec_json_type(j, t);
    if (ty != EC_JSON_OBJECT && ty != EC_JSON_ARRAY)
        return 0;
    return j->tok[t].size;
}

int ec_json_at(const ec_json *j, int t, int i)
{
    enum ec_json_type ty = ec_json_type(j, t);
    if ((ty != EC_JSON_OBJECT && ty != EC_JSON_ARRAY) || i < 0 || i >= j->tok[t].size)
        return -1;
    int k = t + 1;
    for (int n = 0; n < i; n++) {
        k = ec_json_skip(j, k);
        if (ty == EC_JSON_OBJECT)
            k = ec_json_skip(j, k); /* skip the value after the key */
    }
    return k;
}

int ec_json_str_eq(const ec_json *j, int t, const char *lit)
{
    if (ec_json_type(j, t) != EC_JSON_STRING)
        return 0;
    ec_str r = ec_json_raw(j, t);
    if (memchr(r.ptr, '\\', r.len) == NULL)
        return ec_str_eq(r, lit);
    size_t n;
    char *s = ec_json_strdup(j, t, &n);
    int eq = s && n == strlen(lit) && memcmp(s, lit, n) == 0;
    free(s);
    return eq;
}

int ec_json_get(const ec_json *j, int t, const char *key)
{
    if (ec_json_type(j, t) != EC_JSON_OBJECT)
        return -1;
    int n = j->tok[t].size;
    int k = t + 1;
    for (int i = 0; i < n; i++) {
        if (ec_json_str_eq(j, k, key))
            return k + 1;
        k = ec_json_skip(j, ec_json_skip(j, k));
    }
    return -1;
}

int ec_json_path(const ec_json *j, int t, const char *path)
{
    char name[128];
    while (*path && t >= 0) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof name)
            return -1;
        memcpy(name, path, n);
        name[n] = '\0';
        t = ec_json_get(j, t, name);
        path += n + (dot ? 1 : 0);
    }
    return t;
}

ec_str ec_json_raw(const ec_json *j, int t)
{
    ec_str r = {"", 0};
    if (t < 0 || t >= j->ntok)
        return r;
    r.ptr = j->text + j->tok[t].start;
    r.len = (size_t)(j->tok[t].end - j->tok[t].start);
    return r;
}

ec_str ec_json_text(const ec_json *j, int t)
{
    ec_str r = ec_json_raw(j, t);
    if (ec_json_type(j, t) == EC_JSON_STRING) {
        r.ptr--;
        r.len += 2;
    }
    return r;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4)
        return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 0;
}

static void put_utf8(ec_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    ec_buf_put(b, u, n);
}

/* Decode one \u escape (p points after "\u"); handles surrogate pairs;
 * a lone surrogate becomes U+FFFD. Returns bytes consumed after "\u" or -1. */
static int decode_u(const char *p, const char *end, ec_buf *b)
{
    unsigned cp;
    if (read_hex4(p, end, &cp) < 0)
        return -1;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 10 && p[4] == '\\' && p[5] == 'u') {
        unsigned lo;
        if (read_hex4(p + 6, end, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
            put_utf8(b, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
            return 10;
        }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0xFFFD;
    put_utf8(b, cp);
    return 4;
}

int ec_json_str_into(const ec_json *j, int t, ec_buf *b)
{
    if (ec_json_type(j, t) != EC_JSON_STRING)
        return -1;
    ec_str r = ec_json_raw(j, t);
    const char *p = r.ptr, *end = r.ptr + r.len;
    ec_buf_reserve(b, r.len);
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        if (!bs) {
            ec_buf_put(b, p, (size_t)(end - p));
            break;
        }
        ec_buf_put(b, p, (size_t)(bs - p));
        p = bs + 1;
        if (p >= end)
            return -1;
        char c = *p++;
        /* clang-format off */
        switch (c) {
        case '"': ec_buf_putc(b, '"'); break;
        case '\\': ec_buf_putc(b, '\\'); break;
        case '/': ec_buf_putc(b, '/'); break;
        case 'b': ec_buf_putc(b, '\b'); break;
        case 'f': ec_buf_putc(b, '\f'); break;
        case 'n': ec_buf_putc(b, '\n'); break;
        case 'r': ec_buf_putc(b, '\r'); break;
        case 't': ec_buf_putc(b, '\t'); break;
        /* clang-format on */
        case 'u': {
            int used = decode_u(p, end, b);
            if (used < 0)
                return -1;
            p += used;
            break;
        }
        default:
            return -1;
        }
    }
    return 0;
}

char *ec_json_strdup(const ec_json *j, int t, size_t *len_out)
{
    ec_buf b = {0};
    if (ec_json_str_into(j, t, &b) < 0) {
        ec_buf_free(&b);
        return NULL;
    }
    if (len_out)
        *len_out = b.len;
    return ec_buf_take(&b);
}

int ec_json_int(const ec_json *j, int t, long long *out)
{
    if (ec_json_type(j, t) != EC_JSON_NUMBER)
        return -1;
    ec_str r = ec_json_raw(j, t);
    char tmp[32];
    if (r.len == 0 || r.len >= sizeof tmp)
        return -1;
    memcpy(tmp, r.ptr, r.len);
    tmp[r.len] = '\0';
    char *e;
    errno = 0;
    long long v = strtoll(tmp, &e, 10);
    if (errno || *e)
        return -1;
    *out = v;
    return 0;
}

int ec_json_double(const ec_json *j, int t, double *out)
{
    if (ec_json_type(j, t) != EC_JSON_NUMBER)
        return -1;
    ec_str r = ec_json_raw(j, t);
    if (r.len == 0)
        return -1;
    char small[64];
    /* 300 digits are valid JSON */
    char *tmp = r.len < sizeof small ? small : ec_xmalloc(r.len + 1);
    memcpy(tmp, r.ptr, r.len);
    tmp[r.len] = '\0';
    char *e;
    double v = strtod(tmp, &e);
    int bad = *e != '\0';
    if (tmp != small)
        free(tmp);
    if (bad)
        return -1;
    *out = v;
    return 0;
}

char *ec_json_scalar_dup(const ec_json *j, int t)
{
    switch (ec_json_type(j, t)) {
    case EC_JSON_STRING:
        return ec_json_strdup(j, t, NULL);
    case EC_JSON_NUMBER:
    case EC_JSON_TRUE:
    case EC_JSON_FALSE: {
        ec_str r = ec_json_raw(j, t);
        return ec_xstrndup(r.ptr, r.len);
    }
    default:
        return NULL;
    }
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned min;
    if ((c & 0xE0) == 0xC0) {
        need = 2;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        need = 3;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        need = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    unsigned cp = c & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

void ec_json_put_str(ec_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    ec_buf_reserve(b, len + 2);
    ec_buf_putc(b, '"');
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        ec_buf_put(b, run, (size_t)(p - run));
        if (p >= end)
            break;
        unsigned c = *p;
        if (c >= 0x80) {
            size_t n = utf8_seq(p, (size_t)(end - p));
            if (n == 0) {
                ec_buf_puts(b, "\xEF\xBF\xBD");
                p++;
            } else {
                ec_buf_put(b, p, n);
                p += n;
            }
            continue;
        }
        p++;
        /* clang-format off */
        switch (c) {
        case '"': ec_buf_puts(b, "\\\""); break;
        case '\\': ec_buf_puts(b, "\\\\"); break;
        case '\n': ec_buf_puts(b, "\\n"); break;
        case '\r': ec_buf_puts(b, "\\r"); break;
        case '\t': ec_buf_puts(b, "\\t"); break;
        case '\b': ec_buf_puts(b, "\\b"); break;
        case '\f': ec_buf_puts(b, "\\f"); break;
        default: ec_buf_printf(b, "\\u%04x", c); break;
        }
        /* clang-format on */
    }
    ec_buf_putc(b, '"');
}

void ec_json_put_cstr(ec_buf *b, const char *s)
{
    ec_json_put_str(b, s, strlen(s));
}
