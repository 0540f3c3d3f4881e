/* t_json_rfc.c - RFC 8259, rule by rule, both sides, for what
 * t_json_check.c does not already cover: structural characters and
 * whitespace around them (section 2), literal names (3), object members
 * (4), arrays (5), the number grammar (6), strings and escapes (7), the
 * text's encoding (8.1). Each valid text must also tokenize with
 * ec_json_parse (the NDJSON reader relies on the two agreeing), and its
 * strings must decode. */
#include "config.h"
#include "json.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

struct json_case {
    const char *text;
    size_t len; /* 0: strlen */
    const char *what;
};

static const struct json_case valid[] = {
    /* 2. grammar: ws = space, HT, LF, CR around the six structural characters */
    {"{ }", 0, "2: whitespace inside an empty object"},
    {"[\r\n]", 0, "2: CR LF inside an empty array"},
    {"{\"a\"\t:\t1\t,\t\"b\"\n:\n2}", 0, "2: whitespace around name separator and comma"},
    {" [ 1 , [ ] , { } ] ", 0, "2: whitespace around every structural character"},
    {"\"\"", 0, "2: empty string as the whole text"},
    {"\r\n\t 1 \t\n\r", 0, "2: number surrounded by every kind of whitespace"},
    /* 3. literal names */
    {"[true,false,null]", 0, "3: the three literals in an array"},
    {"{\"t\":true,\"f\":false,\"n\":null}", 0, "3: literals as member values"},
    /* 4. objects */
    {"{\"\":1}", 0, "4: empty name"},
    {"{\"\\u0041\\n\":1}", 0, "4: name with escapes"},
    {"{\"a\":{}}", 0, "4: object value"},
    {"{\"a\":[],\"b\":{},\"c\":\"\",\"d\":0}", 0, "4: members of each type"},
    /* 5. arrays */
    {"[[],[[]],[[],[]]]", 0, "5: arrays of empty arrays"},
    {"[1,\"a\",{},[],true,null,-0.5e1]", 0, "5: mixed element types"},
    /* 6. numbers */
    {"0", 0, "6: zero"},
    {"-0.0e-0", 0, "6: every optional part, all zero"},
    {"0e0", 0, "6: zero with exponent"},
    {"0E-0", 0, "6: capital E with minus"},
    {"1.0E+2", 0, "6: fraction and capital E with plus"},
    {"10", 0, "6: zero after a non-zero digit"},
    {"[0,-0,0.0,-0.0]", 0, "6: zeros in an array"},
    {"9007199254740993", 0, "6: beyond double precision (allowed; 'interoperable' only)"},
    {"1e400", 0, "6: exponent beyond double range (allowed by the grammar)"},
    /* 7. strings */
    {"\"\\\"\"", 0, "7: only an escaped quote"},
    {"\"\\\\\"", 0, "7: only an escaped backslash"},
    {"\"\\uD800\\uDC00\"", 0, "7: surrogate pair in upper-case hex"},
    {"\"\\uDBFF\\uDFFF\"", 0, "7: highest surrogate pair (U+10FFFF)"},
    {"\"\\u0020 \x20\"", 0, "7: space escaped and raw"},
    {"\"\xe2\x80\xa8\xe2\x80\xa9\"", 0, "7: raw U+2028 and U+2029 are allowed"},
    {"\"\xef\xbb\xbf\"", 0, "7: a BOM inside a string is a character"},
    {"\"/\"", 0, "7: unescaped solidus"},
    {"\"\\u005C\\u0022\"", 0, "7: backslash and quote as \\u escapes"},
    /* 8.1 encoding */
    {"\"\xf0\x90\x80\x80\"", 0, "8.1: lowest 4-byte sequence (U+10000)"},
    {"\"\xe0\xa0\x80\"", 0, "8.1: lowest 3-byte sequence (U+0800)"},
    {"\"\xc2\x80\"", 0, "8.1: lowest 2-byte sequence (U+0080)"},
};

static const struct json_case invalid[] = {
    /* 2. grammar */
    {"{", 0, "2: lone begin-object"},
    {"}", 0, "2: lone end-object"},
    {"]", 0, "2: lone end-array"},
    {"[1]]", 0, "2: extra end-array"},
    {"[[]", 0, "2: unclosed inner array"},
    {"[}", 0, "2: mismatched brackets"},
    {"{]", 0, "2: mismatched braces"},
    {"{\"a\":1]", 0, "2: object closed by a bracket"},
    {":", 0, "2: lone name separator"},
    {",", 0, "2: lone value separator"},
    {"1 2", 0, "2: two numbers"},
    {"\"a\" \"b\"", 0, "2: two strings"},
    {"\0{}", 3, "2: NUL before the value"},
    {"[1\0]", 4, "2: NUL between tokens"},
    {"{}\x1a", 0, "2: SUB (^Z) after the value"},
    /* 3. literal names: lowercase, exact */
    {"tRue", 0, "3: mixed-case true"},
    {"FALSE", 0, "3: upper-case false"},
    {"Null", 0, "3: capitalised null"},
    {"nulll", 0, "3: null with an extra letter"},
    {"truefalse", 0, "3: two literals run together"},
    {"[nul]", 0, "3: truncated literal in an array"},
    {"[t]", 0, "3: a single letter"},
    {"[none]", 0, "3: not a literal"},
    /* 4. objects */
    {"{,}", 0, "4: lone comma"},
    {"{\"a\"}", 0, "4: name without value"},
    {"{\"a\":}", 0, "4: separator without value"},
    {"{:1}", 0, "4: value without name"},
    {"{\"a\":1 \"b\":2}", 0, "4: members without comma"},
    {"{\"a\"::1}", 0, "4: doubled name separator"},
    {"{\"a\":1,,\"b\":2}", 0, "4: doubled comma"},
    {"{true:1}", 0, "4: literal as a name"},
    {"{null:1}", 0, "4: null as a name"},
    {"{[]:1}", 0, "4: array as a name"},
    {"{{}:1}", 0, "4: object as a name"},
    {"{\"a\",1}", 0, "4: comma instead of colon"},
    {"{\"a\"=1}", 0, "4: equals instead of colon"},
    /* 5. arrays */
    {"[1,,2]", 0, "5: doubled comma"},
    {"[,]", 0, "5: only a comma"},
    {"[1:2]", 0, "5: colon in an array"},
    {"[\"a\":1]", 0, "5: member syntax in an array"},
    {"[1;2]", 0, "5: semicolon separator"},
    /* 6. numbers */
    {"00", 0, "6: two zeros"},
    {"-00", 0, "6: minus and two zeros"},
    {"0.5e", 0, "6: fraction then empty exponent"},
    {"1.5.3", 0, "6: two decimal points"},
    {"1e5.5", 0, "6: fraction in the exponent"},
    {"1ee5", 0, "6: doubled e"},
    {"1e5e5", 0, "6: two exponents"},
    {"--1", 0, "6: two minus signs"},
    {"-+1", 0, "6: minus then plus"},
    {"-.5", 0, "6: minus then point"},
    {"-a", 0, "6: minus then a letter"},
    {"e5", 0, "6: exponent without mantissa"},
    {"1_000", 0, "6: digit separator"},
    {"1,000", 0, "6: thousands comma at top level"},
    {"\xef\xbc\x91", 0, "6: fullwidth digit"},
    {"[2.]", 0, "6: point without fraction digits in an array"},
    {"[.2]", 0, "6: fraction without integer in an array"},
    {"[1e]", 0, "6: empty exponent in an array"},
    {"[0x1F]", 0, "6: hex in an array"},
    {"[012]", 0, "6: leading zero in an array"},
    {"[1.0e+]", 0, "6: exponent sign only in an array"},
    {"[- 1]", 0, "6: space after minus"},
    {"[1 .5]", 0, "6: space before point"},
    {"[NaN]", 0, "6: NaN in an array"},
    {"[-Infinity]", 0, "6: -Infinity in an array"},
    /* 7. strings */
    {"\"\\", 0, "7: text ends in an escape"},
    {"\"\\\"", 0, "7: escaped quote, string never closed"},
    {"\"\\u\"", 0, "7: \\u without digits"},
    {"\"\\u00\"", 0, "7: \\u with two digits"},
    {"\"\\u00e\"", 0, "7: \\u with three digits"},
    {"\"\\u 0041\"", 0, "7: space inside \\u"},
    {"\"\\'\"", 0, "7: escaped apostrophe"},
    {"\"\\0\"", 0, "7: escaped zero digit"},
    {"\"\\v\"", 0, "7: \\v is not a JSON escape"},
    {"\"\\e\"", 0, "7: \\e is not a JSON escape"},
    {"\"\\\n\"", 0, "7: backslash before a raw newline"},
    {"\"a\rb\"", 0, "7: raw CR in a string"},
    {"\"a\x1f"
     "b\"",
     0, "7: raw U+001F in a string"},
    {"\"a\0b\"", 5, "7: raw NUL in a string"},
    {"\"\\uDC00\\uD800\"", 0, "7: upper-case pair in the wrong order"},
    {"\"\\uD800\\uD800\"", 0, "7: two high surrogates"},
    {"\"\\uD800\\\"", 0, "7: high surrogate then another escape"},
    {"\"\\uDFFF\"", 0, "7: lone low surrogate (upper bound)"},
    {"'single'", 0, "7: single-quoted text"},
    {"\"a\"\"b\"", 0, "7: CSV-style doubled quote"},
    /* 8.1 encoding: UTF-8 only, and no BOM */
    {"{\0}\0", 4, "8.1: UTF-16-looking text"},
    {"\xfe\xff\0{\0}", 6, "8.1: UTF-16 BOM"},
    {"\"\xed\xbf\xbf\"", 0, "8.1: UTF-8 encoded low surrogate"},
    {"\"\xc2\"", 0, "8.1: 2-byte lead at the end"},
    {"\"\xe0\xa0\"", 0, "8.1: 3-byte sequence cut"},
    {"\"\xf0\x90\x80\"", 0, "8.1: 4-byte sequence cut"},
    {"\"\xf8\x88\x80\x80\x80\"", 0, "8.1: 5-byte form"},
    {"\"\xfe\"", 0, "8.1: byte FE"},
    {"\"\xe0\x9f\xbf\"", 0, "8.1: overlong 3-byte (U+07FF)"},
    {"\"\xf0\x8f\xbf\xbf\"", 0, "8.1: overlong 4-byte (U+FFFF)"},
    {"\"\xc3\xa9\x80\"", 0, "8.1: stray continuation after a good sequence"},
    {"{\"\xff\":1}", 0, "8.1: invalid byte in a name"},
    {"[1]\xff", 0, "8.1: invalid byte after the value"},
};

/* A text ec_json_check accepts must tokenize, span every token from the
 * root, and its strings must decode. Returns 1 when all holds. */
static int agrees(const char *text, size_t len, const char **why)
{
    ec_json j;
    *why = NULL;
    if (ec_json_parse(&j, text, len, why) != 0) {
        ec_json_free(&j);
        return 0;
    }
    int good = j.ntok > 0 && ec_json_skip(&j, 0) == j.ntok;
    for (int t = 0; good && t < j.ntok; t++) {
        if (ec_json_type(&j, t) == EC_JSON_STRING) {
            char *s = ec_json_strdup(&j, t, NULL);
            good = s != NULL;
            free(s);
        } else if (ec_json_type(&j, t) == EC_JSON_NUMBER) {
            double d;
            good = ec_json_double(&j, t, &d) == 0;
        }
    }
    if (!good)
        *why = "tokens unusable";
    ec_json_free(&j);
    return good;
}

/* jsmn's strict mode wants a delimiter after a top-level number or literal:
 * "0" was refused as truncated while "0 " parsed. ec_json_parse now parses
 * such a text from a copy with a space appended. A truncated literal or
 * number inside a container stays refused. */
static void top_level_scalars(void)
{
    static const char *const scalars[] = {"0", "-1.5e3", "true", "false", "null", " 7"};
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++) {
        const char *why;
        ok(agrees(scalars[i], strlen(scalars[i]), &why), "bare top-level '%s' parses", scalars[i]);
        char padded[16];
        snprintf(padded, sizeof padded, "%s ", scalars[i]);
        ok(agrees(padded, strlen(padded), &why), "'%s' with a space after it parses", scalars[i]);
    }
    /* a number of any length converts (strtod sees a copy of it all) */
    char big[160];
    memset(big, '7', 150);
    big[150] = '\0';
    ec_json jb;
    double d = 0;
    int rcb = ec_json_parse(&jb, big, strlen(big), NULL);
    rcb = rcb == 0 ? ec_json_double(&jb, 0, &d) : rcb;
    ok(rcb == 0 && d > 7e149 && d < 8e149,
       "a 150-digit top-level number parses and converts (%g)", d);
    ec_json_free(&jb);
    static const char *const bad[] = {"[1", "tru", "-", "0 0", "nul"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ec_json j;
        const char *err = NULL;
        int rc = ec_json_parse(&j, bad[i], strlen(bad[i]), &err);
        ok(rc != 0, "'%s' is still refused (%s)", bad[i], err ? err : "");
        ec_json_free(&j);
    }
}

int main(void)
{
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
        const struct json_case *c = &valid[i];
        size_t len = c->len ? c->len : strlen(c->text);
        const char *reason = NULL, *why = NULL;
        size_t off = 0;
        int rc = ec_json_check(c->text, len, &reason, &off);
        ok(rc == 0, "valid: %s%s%s", c->what, rc ? " -- refused: " : "", rc ? reason : "");
        int scalar = strchr("[{", c->text[strspn(c->text, " \t\r\n")]) == NULL;
        if (!scalar || len != strlen(c->text) || strchr(" \t\r\n", c->text[len - 1]))
            ok(agrees(c->text, len, &why), "  and ec_json_parse agrees%s%s", why ? ": " : "",
               why ? why : "");
    }
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        const struct json_case *c = &invalid[i];
        const char *reason = NULL;
        size_t off = 99999;
        size_t len = c->len ? c->len : strlen(c->text);
        int rc = ec_json_check(c->text, len, &reason, &off);
        ok(rc != 0 && reason != NULL && off <= len, "invalid: %s (%s at %zu)", c->what,
           reason ? reason : "-", off);
    }
    top_level_scalars();
    return tap_done();
}
