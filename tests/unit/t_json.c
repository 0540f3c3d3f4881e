/* t_json.c - the jsmn wrapper: navigation, decoding, escaping. */
#include "config.h"
#include "json.h"
#include "tap.h"

#include <stdlib.h>

int main(void)
{
    const char *doc = "{\"a\":{\"b\":[1,{\"c\":\"x\\u00e9\\ud83d\\ude00\"},null]},\"n\":-12,"
                      "\"t\":true,\"s\":\"q\\\"\\n\"}";
    ec_json j;
    const char *err;
    ok(ec_json_parse(&j, doc, strlen(doc), &err) == 0, "parses a nested document");
    int b = ec_json_path(&j, 0, "a.b");
    is_int(ec_json_type(&j, b), EC_JSON_ARRAY, "a.b is an array");
    is_int(ec_json_size(&j, b), 3, "a.b has three elements");
    int c = ec_json_get(&j, ec_json_at(&j, b, 1), "c");
    char *s = ec_json_strdup(&j, c, NULL);
    is_str(s, "x\xc3\xa9\xf0\x9f\x98\x80", "decodes \\u escapes and surrogate pairs");
    free(s);
    is_int(ec_json_type(&j, ec_json_at(&j, b, 2)), EC_JSON_NULL, "null element");
    long long n = 0;
    ok(ec_json_int(&j, ec_json_get(&j, 0, "n"), &n) == 0 && n == -12, "integer value");
    is_int(ec_json_type(&j, ec_json_get(&j, 0, "t")), EC_JSON_TRUE, "true literal");
    ok(ec_json_str_eq(&j, ec_json_get(&j, 0, "s"), "q\"\n"), "str_eq with escapes");
    is_int(ec_json_get(&j, 0, "missing"), -1, "missing key gives -1");
    is_int(ec_json_at(&j, b, 3), -1, "index past the end gives -1");
    ec_json_free(&j);

    ok(ec_json_parse(&j, "{\"a\":1} x", 9, &err) != 0, "trailing garbage is refused");
    ec_json_free(&j);
    ok(ec_json_parse(&j, "{\"a\":", 5, &err) != 0, "truncated document is refused");
    ec_json_free(&j);

    /* regression: a fresh buffer reserved but never written must be a valid
     * empty string (ec_json_strdup of "" used to return unterminated bytes) */
    ok(ec_json_parse(&j, "[\"\",\"x\"]", 8, &err) == 0, "parses an empty string element");
    size_t elen = 99;
    char *empty = ec_json_strdup(&j, ec_json_at(&j, 0, 0), &elen);
    ok(empty && elen == 0 && empty[0] == '\0', "an empty JSON string decodes to a terminated \"\"");
    free(empty);
    ec_json_free(&j);
    ec_buf fresh = {0};
    ec_buf_reserve(&fresh, 10);
    ok(fresh.p && fresh.p[0] == '\0', "a freshly reserved buffer is an empty string");
    ec_buf_free(&fresh);

    ec_buf out = {0};
    ec_json_put_str(&out, "a\"b\\c\n\x01\xff\xc3\xa9", 10);
    is_str(out.p, "\"a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\xc3\xa9\"",
           "escaping: quotes, controls, invalid UTF-8 replaced, valid kept");
    ec_buf_free(&out);
    return tap_done();
}
