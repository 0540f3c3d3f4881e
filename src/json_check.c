/* json_check.c - strict RFC 8259 validation of a JSON text, and UTF-8
 * validation. jsmn only tokenizes; input that must be proven valid goes
 * through ec_json_check first.
 *
 * Beyond the RFC grammar: nesting deeper than EC_JSON_MAX_DEPTH is refused,
 * \u escapes must not leave a lone surrogate (RFC 8259 section 8.2 and
 * RFC 7493), and a byte order mark is not whitespace. Duplicate member names
 * are allowed (the RFC says SHOULD be unique, not MUST). */
#include "config.h"
#include "json.h"
#include "reader.h"

#include <stdint.h>
#include <string.h>

/* Arrays and objects nested deeper than this are refused. */
#define EC_JSON_MAX_DEPTH 512

/* Length of the well-formed UTF-8 sequence at p (Unicode table 3-7), or 0. */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    unsigned lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlongs */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return need;
}

int ec_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    const uint64_t highs = 0x8080808080808080ULL;
    while (i < len) {
        if (len - i >= 32) { /* ASCII runs, 32 bytes a step */
            uint64_t w[4];
            memcpy(w, p + i, 32);
            if (((w[0] | w[1] | w[2] | w[3]) & highs) == 0) {
                i += 32;
                continue;
            }
        }
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & highs) == 0) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq_len(p + i, len - i);
        if (n == 0) {
            if (bad_offset)
                *bad_offset = i;
            return 0;
        }
        i += n;
    }
    return 1;
}

typedef struct checker {
    const unsigned char *s;
    size_t len, pos;
    const char *reason;
} checker;

static int fail(checker *c, const char *reason)
{
    c->reason = reason;
    return -1;
}

static void skip_ws(checker *c)
{
    while (c->pos < c->len) {
        unsigned char ch = c->s[c->pos];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
        c->pos++;
    }
}

static int peek(const checker *c)
{
    return c->pos < c->len ? c->s[c->pos] : -1;
}

static int hex4(checker *c, unsigned *out)
{
    if (c->len - c->pos < 4)
        return fail(c, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned ch = c->s[c->pos];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return fail(c, "bad hex digit in \\u escape");
        v = v * 16 + d;
        c->pos++;
    }
    *out = v;
    return 0;
}

/* After "\u": four hex digits, and a low surrogate after a high one. */
static int unicode_escape(checker *c)
{
    size_t at = c->pos - 2;
    unsigned cp;
    if (hex4(c, &cp) < 0)
        return -1;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        c->pos = at;
        return fail(c, "lone low surrogate escape");
    }
    if (cp < 0xD800 || cp > 0xDBFF)
        return 0;
    if (c->len - c->pos < 2 || c->s[c->pos] != '\\' || c->s[c->pos + 1] != 'u') {
        c->pos = at;
        return fail(c, "lone high surrogate escape");
    }
    c->pos += 2;
    unsigned lo;
    if (hex4(c, &lo) < 0)
        return -1;
    if (lo < 0xDC00 || lo > 0xDFFF) {
        c->pos = at;
        return fail(c, "high surrogate escape not followed by a low one");
    }
    return 0;
}

static int escape(checker *c)
{
    c->pos++; /* the backslash */
    int ch = peek(c);
    switch (ch) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        c->pos++;
        return 0;
    case 'u':
        c->pos++;
        return unicode_escape(c);
    case -1:
        return fail(c, "unterminated string");
    default:
        return fail(c, "invalid escape");
    }
}

static int string(checker *c)
{
    c->pos++; /* opening quote */
    for (;;) {
        if (c->pos >= c->len)
            return fail(c, "unterminated string");
        unsigned ch = c->s[c->pos];
        if (ch == '"') {
            c->pos++;
            return 0;
        }
        if (ch == '\\') {
            if (escape(c) < 0)
                return -1;
        } else if (ch < 0x20) {
            return fail(c, "control character in string");
        } else if (ch < 0x80) {
            c->pos++;
        } else {
            size_t n = utf8_seq_len(c->s + c->pos, c->len - c->pos);
            if (n == 0)
                return fail(c, "invalid UTF-8 in string");
            c->pos += n;
        }
    }
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int digits(checker *c, const char *reason)
{
    if (!is_digit(peek(c)))
        return fail(c, reason);
    while (is_digit(peek(c)))
        c->pos++;
    return 0;
}

static int number(checker *c)
{
    if (peek(c) == '-')
        c->pos++;
    if (peek(c) == '0') {
        c->pos++;
        if (is_digit(peek(c)))
            return fail(c, "leading zero in number");
    } else if (digits(c, "digit expected in number") < 0) {
        return -1;
    }
    if (peek(c) == '.') {
        c->pos++;
        if (digits(c, "digit expected after decimal point") < 0)
            return -1;
    }
    if (peek(c) == 'e' || peek(c) == 'E') {
        c->pos++;
        if (peek(c) == '+' || peek(c) == '-')
            c->pos++;
        if (digits(c, "digit expected in exponent") < 0)
            return -1;
    }
    return 0;
}

static int literal(checker *c, const char *word)
{
    size_t n = strlen(word);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0)
        return fail(c, "invalid literal");
    c->pos += n;
    return 0;
}

static int value(checker *c, int depth);

static int array(checker *c, int depth)
{
    if (depth >= EC_JSON_MAX_DEPTH)
        return fail(c, "nesting too deep");
    c->pos++;
    skip_ws(c);
    if (peek(c) == ']') {
        c->pos++;
        return 0;
    }
    for (;;) {
        if (value(c, depth + 1) < 0)
            return -1;
        skip_ws(c);
        int ch = peek(c);
        c->pos++;
        if (ch == ']')
            return 0;
        if (ch != ',') {
            c->pos--;
            return fail(c, ch < 0 ? "unterminated array" : "expected ',' or ']'");
        }
        skip_ws(c);
        if (peek(c) == ']')
            return fail(c, "trailing comma in array");
    }
}

static int member(checker *c, int depth)
{
    int ch = peek(c);
    if (ch == '}')
        return fail(c, "trailing comma in object");
    if (ch != '"')
        return fail(c, ch < 0 ? "unterminated object" : "expected a string key");
    if (string(c) < 0)
        return -1;
    skip_ws(c);
    if (peek(c) != ':')
        return fail(c, "expected ':'");
    c->pos++;
    return value(c, depth + 1);
}

static int object(checker *c, int depth)
{
    if (depth >= EC_JSON_MAX_DEPTH)
        return fail(c, "nesting too deep");
    c->pos++;
    skip_ws(c);
    if (peek(c) == '}') {
        c->pos++;
        return 0;
    }
    for (;;) {
        if (member(c, depth) < 0)
            return -1;
        skip_ws(c);
        int ch = peek(c);
        c->pos++;
        if (ch == '}')
            return 0;
        if (ch != ',') {
            c->pos--;
            return fail(c, ch < 0 ? "unterminated object" : "expected ',' or '}'");
        }
        skip_ws(c);
    }
}

static int value(checker *c, int depth)
{
    skip_ws(c);
    int ch = peek(c);
    switch (ch) {
    case '{':
        return object(c, depth);
    case '[':
        return array(c, depth);
    case '"':
        return string(c);
    case 't':
        return literal(c, "true");
    case 'f':
        return literal(c, "false");
    case 'n':
        return literal(c, "null");
    case -1:
        return fail(c, "value expected");
    default:
        if (ch == '-' || is_digit(ch))
            return number(c);
        return fail(c, "unexpected character");
    }
}

int ec_json_check(const char *text, size_t len, const char **reason, size_t *offset)
{
    checker c = {(const unsigned char *)text, len, 0, NULL};
    skip_ws(&c);
    if (c.pos == len) {
        c.reason = "empty document";
    } else if (value(&c, 0) == 0) {
        skip_ws(&c);
        if (c.pos == len)
            return 0;
        c.reason = "trailing data after JSON value";
    }
    if (reason)
        *reason = c.reason;
    if (offset)
        *offset = c.pos;
    return -1;
}
