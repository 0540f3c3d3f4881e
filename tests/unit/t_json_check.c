/* t_json_check.c - the strict RFC 8259 validator and the UTF-8 check. */
#include "config.h"
#include "json.h"
#include "reader.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct json_case {
    const char *text;
    size_t len; /* 0: strlen */
    const char *what;
};

static const struct json_case valid[] = {
    {"{}", 0, "empty object"},
    {"[]", 0, "empty array"},
    {"0", 0, "scalar at top level (RFC 8259 allows any value)"},
    {"\"x\"", 0, "top-level string"},
    {"true", 0, "true"},
    {"false", 0, "false"},
    {"null", 0, "null"},
    {"-0", 0, "minus zero"},
    {"-12", 0, "negative integer"},
    {"1.5", 0, "fraction"},
    {"0.0001", 0, "zero then fraction"},
    {"1e5", 0, "exponent"},
    {"1E+5", 0, "exponent with E and plus"},
    {"1e-05", 0, "exponent with minus and leading zero digits"},
    {"-1.25e10", 0, "full number"},
    {"123456789012345678901234567890", 0, "big integer (grammar has no limit)"},
    {" \t\r\n{ \"a\" : [ 1 , 2 ] } \t\r\n", 0, "whitespace set between tokens"},
    {"{\"a\":1,\"a\":2}", 0, "duplicate keys allowed"},
    {"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", 0, "all simple escapes"},
    {"\"\\u00e9\\u0041\\uFFFF\"", 0, "\\u escapes, both cases of hex"},
    {"\"\\ud83d\\ude00\"", 0, "surrogate pair escape"},
    {"\"\\u0000\"", 0, "escaped NUL"},
    {"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 0, "2, 3 and 4 byte UTF-8"},
    {"\"\xf4\x8f\xbf\xbf\"", 0, "U+10FFFF"},
    {"\"\xed\x9f\xbf\xee\x80\x80\"", 0, "U+D7FF and U+E000 around the surrogates"},
    {"\"\x7f\"", 0, "DEL is not a control character for JSON"},
    {"[[[[[[[[[[1]]]]]]]]]]", 0, "nested arrays"},
    {"{\"a\":{\"b\":{\"c\":[{},[],\"\",0,true,false,null]}}}", 0, "mixed nesting"},
};

static const struct json_case invalid[] = {
    {"", 0, "empty text"},
    {"   ", 0, "only whitespace"},
    {"01", 0, "leading zero"},
    {"-01", 0, "leading zero after minus"},
    {"-", 0, "lone minus"},
    {"+1", 0, "plus sign"},
    {"1.", 0, "dot without digits"},
    {".5", 0, "no integer part"},
    {"1e", 0, "empty exponent"},
    {"1e+", 0, "exponent sign without digits"},
    {"1.e5", 0, "dot then exponent"},
    {"0x10", 0, "hex number"},
    {"NaN", 0, "NaN"},
    {"Infinity", 0, "Infinity"},
    {"-Infinity", 0, "-Infinity"},
    {"tru", 0, "truncated literal"},
    {"True", 0, "capitalised literal"},
    {"nul", 0, "short null"},
    {"{\"a\":1,}", 0, "trailing comma in object"},
    {"[1,]", 0, "trailing comma in array"},
    {"[,1]", 0, "leading comma"},
    {"[1 2]", 0, "missing comma"},
    {"{\"a\" 1}", 0, "missing colon"},
    {"{a:1}", 0, "unquoted key"},
    {"{1:1}", 0, "number key"},
    {"{'a':1}", 0, "single-quoted key"},
    {"['a']", 0, "single-quoted string"},
    {"\"a", 0, "unterminated string"},
    {"{\"a\":1", 0, "unterminated object"},
    {"[1", 0, "unterminated array"},
    {"{\"a\":1}}", 0, "extra closing brace"},
    {"{\"a\":1} x", 0, "trailing garbage"},
    {"{} {}", 0, "two values"},
    {"\"\x01\"", 0, "raw control character in string"},
    {"\"a\tb\"", 0, "raw tab in string"},
    {"\"a\nb\"", 0, "raw newline in string"},
    {"\"\\x41\"", 0, "unknown escape \\x"},
    {"\"\\a\"", 0, "unknown escape \\a"},
    {"\"\\u12\"", 0, "short \\u escape"},
    {"\"\\u12g4\"", 0, "bad hex in \\u"},
    {"\"\\U0041\"", 0, "capital \\U"},
    {"\"\\ud83d\"", 0, "lone high surrogate"},
    {"\"\\ude00\"", 0, "lone low surrogate"},
    {"\"\\ud83d\\u0041\"", 0, "high surrogate followed by a non-surrogate"},
    {"\"\\ud83dx\"", 0, "high surrogate followed by text"},
    {"\"\\ude00\\ud83d\"", 0, "surrogates in the wrong order"},
    {"\"\xff\"", 0, "byte 0xFF"},
    {"\"\x80\"", 0, "lone continuation byte"},
    {"\"\xc3\"", 0, "truncated 2-byte sequence"},
    {"\"\xc0\xaf\"", 0, "overlong 2-byte (C0)"},
    {"\"\xc1\xbf\"", 0, "overlong 2-byte (C1)"},
    {"\"\xe0\x80\xaf\"", 0, "overlong 3-byte"},
    {"\"\xf0\x80\x80\xaf\"", 0, "overlong 4-byte"},
    {"\"\xed\xa0\x80\"", 0, "UTF-8 encoded surrogate"},
    {"\"\xf4\x90\x80\x80\"", 0, "above U+10FFFF"},
    {"\"\xf5\x80\x80\x80\"", 0, "lead byte F5"},
    {"\"\xe2\x82\"", 0, "truncated 3-byte sequence"},
    {"\xef\xbb\xbf{}", 0, "byte order mark"},
    {"\f{}", 0, "form feed is not JSON whitespace"},
    {"{}\v", 0, "vertical tab is not JSON whitespace"},
    {"\xc2\xa0{}", 0, "no-break space is not JSON whitespace"},
    {"{\"a\":1}\0", 8, "NUL after the value"},
    {"/* c */ {}", 0, "comments"},
    {"[1] // c", 0, "line comment"},
    {"{\"a\":undefined}", 0, "undefined"},
};

static void deep(size_t depth, int ok_expected)
{
    char *s = malloc(depth * 2 + 1);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    const char *reason = NULL;
    size_t off = 0;
    int rc = ec_json_check(s, depth * 2, &reason, &off);
    if (ok_expected)
        ok(rc == 0, "nesting depth %zu accepted", depth);
    else
        ok(rc != 0 && strstr(reason, "deep") && off == 512, "nesting depth %zu refused (%s at %zu)",
           depth, reason ? reason : "?", off);
    free(s);
}

static void utf8_cases(void)
{
    size_t bad = 99;
    ok(ec_utf8_valid("", 0, &bad), "empty is valid UTF-8");
    ok(ec_utf8_valid("plain ascii text, long enough for words", 39, &bad), "ASCII");
    ok(ec_utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10, &bad), "2 and 4 byte sequences");
    ok(!ec_utf8_valid("abcdefghij\xc3(", 12, &bad) && bad == 10, "bad continuation at 10");
    ok(!ec_utf8_valid("ab\xed\xa0\x80", 5, &bad) && bad == 2, "surrogate refused at 2");
    /* ASCII runs are taken 32 and 8 bytes a step: a length on or off those
     * steps, an invalid byte anywhere in them, and nothing read past len
     * (a bad byte just after it must not count) */
    char buf[80];
    size_t wrong = 0;
    for (size_t n = 0; n < 72; n++)
        for (size_t at = 0; at <= n; at++) {
            memset(buf, 'a', sizeof buf);
            buf[n] = '\xff'; /* past the end */
            if (at < n)
                buf[at] = '\xff';
            bad = SIZE_MAX;
            int v = ec_utf8_valid(buf, n, &bad);
            wrong += at < n ? (v || bad != at) : !v;
        }
    ok(wrong == 0, "ASCII of every length to 71 with one bad byte anywhere, or just past the end "
                   "(%zu wrong)", wrong);
    ok(!ec_utf8_valid("\xc0\x80", 2, &bad) && bad == 0, "overlong NUL refused");
    ok(!ec_utf8_valid("x\xf4\x90\x80\x80", 5, &bad) && bad == 1, "above U+10FFFF refused");
    ok(!ec_utf8_valid("12345678\xe2\x82", 10, &bad) && bad == 8, "truncated at the end");
    ok(ec_utf8_valid("a\0b", 3, NULL), "NUL bytes are valid UTF-8");
}

int main(void)
{
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
        const struct json_case *c = &valid[i];
        const char *reason = NULL;
        size_t off = 0;
        int rc = ec_json_check(c->text, c->len ? c->len : strlen(c->text), &reason, &off);
        ok(rc == 0, "valid: %s%s%s", c->what, rc ? " -- refused: " : "", rc ? reason : "");
    }
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        const struct json_case *c = &invalid[i];
        const char *reason = NULL;
        size_t off = 0;
        int rc = ec_json_check(c->text, c->len ? c->len : strlen(c->text), &reason, &off);
        ok(rc != 0 && reason != NULL, "invalid: %s (%s at %zu)", c->what, reason ? reason : "-",
           off);
    }
    const char *reason = NULL;
    size_t off = 0;
    ec_json_check("{\"a\":01}", 8, &reason, &off);
    is_int(off, 6, "offset points at the offending digit");
    is_str(reason, "leading zero in number", "reason names the rule");
    ec_json_check("[1,2,]", 6, &reason, &off);
    is_str(reason, "trailing comma in array", "trailing comma named");
    ec_json_check("\"ab\\ud800\"", 10, &reason, &off);
    is_int(off, 3, "lone surrogate offset at its backslash");
    ec_json_check("{\"k\":\"v\xff\"}", 10, &reason, &off);
    is_int(off, 7, "invalid UTF-8 offset at the byte");
    deep(512, 1);
    deep(513, 0);
    deep(100000, 0);
    utf8_cases();
    return tap_done();
}
