/* json.h - the one jsmn wrapper: parse a JSON text into tokens, walk it,
 * decode strings; plus escaping for building JSON. Shared by the client and
 * the sandbox. jsmn only tokenizes: use ec_json_check (json_check.c) where a
 * text must be proven valid RFC 8259 JSON. */
#ifndef EC_JSON_H
#define EC_JSON_H

#define JSMN_HEADER
#include <jsmn.h>
#include <stddef.h>
#include "buf.h"

enum ec_json_type {
    EC_JSON_NONE = 0, /* missing token (index < 0) */
    EC_JSON_OBJECT,
    EC_JSON_ARRAY,
    EC_JSON_STRING,
    EC_JSON_NUMBER,
    EC_JSON_TRUE,
    EC_JSON_FALSE,
    EC_JSON_NULL
};

/* A parsed document. text is borrowed: it must outlive the document. */
typedef struct ec_json {
    const char *text;
    size_t len;
    jsmntok_t *tok;
    int ntok;
} ec_json;

/* Tokenize text (strict jsmn mode, whole text must be one value with only
 * whitespace after it). Returns 0, or -1 with a reason in err (may be NULL).
 * Token 0 is the root. Free with ec_json_free even on failure. */
int ec_json_parse(ec_json *j, const char *text, size_t len, const char **err);
void ec_json_free(ec_json *j);

/* Type of token t (EC_JSON_NONE when t < 0 or out of range). */
enum ec_json_type ec_json_type(const ec_json *j, int t);
/* Index of the token after the whole subtree rooted at t. */
int ec_json_skip(const ec_json *j, int t);
/* Value token of member key in object t, or -1. */
int ec_json_get(const ec_json *j, int t, const char *key);
/* Follow a dotted path of member names ("result.items") from t, or -1. */
int ec_json_path(const ec_json *j, int t, const char *path);
/* Number of elements (array) or members (object); 0 otherwise. */
int ec_json_size(const ec_json *j, int t);
/* Element i of array t, or -1. For objects, the i-th member's key token
 * (its value is key+1). */
int ec_json_at(const ec_json *j, int t, int i);
/* Raw text of token t (strings without their quotes). */
ec_str ec_json_raw(const ec_json *j, int t);
/* Raw text including quotes for strings (the exact JSON text of the value). */
ec_str ec_json_text(const ec_json *j, int t);
/* Decoded string value of a string token, malloc'd (NULL if t is not a
 * string or its escapes are invalid). Embedded \u0000 is kept as a byte. */
char *ec_json_strdup(const ec_json *j, int t, size_t *len_out);
/* Decode a string token into b (appending). Returns 0 or -1. */
int ec_json_str_into(const ec_json *j, int t, ec_buf *b);
/* String token t equals lit after decoding? (escape-free fast path). */
int ec_json_str_eq(const ec_json *j, int t, const char *lit);
/* Integer value of a number token; returns 0 or -1. */
int ec_json_int(const ec_json *j, int t, long long *out);
/* Floating value of a number token; returns 0 or -1. */
int ec_json_double(const ec_json *j, int t, double *out);
/* Scalar as text: decoded string, or the raw number/true/false; NULL for
 * null, objects, arrays and missing tokens. malloc'd. */
char *ec_json_scalar_dup(const ec_json *j, int t);

/* Append s (len bytes) as a quoted, escaped JSON string. Invalid UTF-8
 * bytes are replaced by U+FFFD so the output is always valid JSON. */
void ec_json_put_str(ec_buf *b, const char *s, size_t len);
/* Same, NUL-terminated. */
void ec_json_put_cstr(ec_buf *b, const char *s);

/* Strict RFC 8259 validation of a complete JSON text (json_check.c).
 * Returns 0 when valid; otherwise -1, with a short reason and the byte
 * offset of the problem. */
int ec_json_check(const char *text, size_t len, const char **reason, size_t *offset);

#endif
