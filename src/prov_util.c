/* prov_util.c - helpers shared by the provider files (see prov_util.h). */
#include "config.h"
#include "prov_util.h"
#include "ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

static int has_prefix_icase(const char *s, size_t len, const char *pre)
{
    size_t n = strlen(pre);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != pre[i])
            return 0;
    return 1;
}

/* Skip "http://" or "https://". */
static void skip_scheme(const char **s, size_t *len)
{
    const char *schemes[] = {"https://", "http://", "//"};
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        if (has_prefix_icase(*s, *len, schemes[i])) {
            size_t n = strlen(schemes[i]);
            *s += n;
            *len -= n;
            return;
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static void put_lower(ec_buf *out, const char *s, size_t len)
{
    ec_buf_reserve(out, len);
    for (size_t i = 0; i < len; i++)
        ec_buf_putc(out, lower(s[i]));
}

static size_t span_until(const char *s, size_t len, const char *stops)
{
    size_t i = 0;
    while (i < len && !strchr(stops, s[i]))
        i++;
    return i;
}

static void canon_linkedin(const char *s, size_t len, ec_buf *out)
{
    skip_scheme(&s, &len);
    len = span_until(s, len, "?#");
    size_t host = span_until(s, len, "/");
    /* any *.linkedin.com host (www., uk., de.) becomes linkedin.com */
    static const char li[] = "linkedin.com";
    if (host >= sizeof li - 1) {
        size_t at = host - (sizeof li - 1);
        if (has_prefix_icase(s + at, sizeof li - 1, li) && (at == 0 || s[at - 1] == '.')) {
            ec_buf_puts(out, li);
            s += host;
            len -= host;
        }
    }
    while (len && s[len - 1] == '/')
        len--;
    for (size_t i = 0; i < len; i++) { /* lowercase, %XX decoded */
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0) {
            ec_buf_putc(out, lower((char)(hi * 16 + lo)));
            i += 2;
        } else {
            ec_buf_putc(out, lower(s[i]));
        }
    }
}

static void canon_domain(const char *s, size_t len, ec_buf *out)
{
    skip_scheme(&s, &len);
    len = span_until(s, len, "/?#:");
    if (has_prefix_icase(s, len, "www.")) {
        s += 4;
        len -= 4;
    }
    while (len && s[len - 1] == '.')
        len--;
    put_lower(out, s, len);
}

/* Names, titles, companies: inner white space collapsed, then case-folded
 * the way journal keys are (ec_casefold, beyond ASCII), so an identifier
 * rebuilt from a key on resume ("øystein") matches the echo ("Øystein"). */
static void canon_words(const char *s, size_t len, ec_buf *out)
{
    ec_buf words = {0};
    int gap = 0;
    for (size_t i = 0; i < len; i++) {
        if (is_space(s[i])) {
            gap = 1;
            continue;
        }
        if (gap)
            ec_buf_putc(&words, ' ');
        gap = 0;
        ec_buf_putc(&words, s[i]);
    }
    ec_casefold(words.p ? words.p : "", words.len, out);
    ec_buf_free(&words);
}

void ec_pu_canon(enum ec_field f, const char *s, size_t len, ec_buf *out)
{
    ec_buf_reserve(out, len);
    trim(&s, &len);
    switch (f) {
    case EC_F_LINKEDIN_URL:
        canon_linkedin(s, len, out);
        break;
    case EC_F_COMPANY_DOMAIN:
        canon_domain(s, len, out);
        break;
    case EC_F_EMAIL:
        if (has_prefix_icase(s, len, "mailto:")) {
            s += 7;
            len -= 7;
        }
        put_lower(out, s, len);
        break;
    case EC_F_X_HANDLE:
        if (len && s[0] == '@') {
            s++;
            len--;
        }
        put_lower(out, s, len);
        break;
    default:
        canon_words(s, len, out);
        break;
    }
}

char *ec_pu_canon_dup(enum ec_field f, const char *s)
{
    ec_buf b = {0};
    ec_pu_canon(f, s, strlen(s), &b);
    return ec_buf_take(&b);
}

/* Add string token t to out when it is non-empty after trimming. */
static size_t add_string(const ec_json *j, int t, ec_values *out)
{
    ec_buf b = {0};
    size_t added = 0;
    if (ec_json_str_into(j, t, &b) == 0) {
        const char *s = b.p ? b.p : "";
        size_t len = b.len;
        trim(&s, &len);
        if (len) {
            size_t before = out->n;
            ec_values_add_unique(out, s, len);
            added = out->n - before;
        }
    }
    ec_buf_free(&b);
    return added;
}

static size_t harvest_one(const ec_json *j, int t, const char *const *keys, ec_values *out)
{
    if (ec_json_type(j, t) == EC_JSON_STRING)
        return add_string(j, t, out);
    if (ec_json_type(j, t) != EC_JSON_OBJECT)
        return 0;
    for (size_t k = 0; keys && keys[k]; k++) {
        int v = ec_json_get(j, t, keys[k]);
        if (ec_json_type(j, v) != EC_JSON_STRING)
            continue;
        size_t added = add_string(j, v, out);
        ec_str r = ec_json_raw(j, v);
        if (added || r.len) /* a non-empty value counts even if already known */
            return added;
    }
    return 0;
}

size_t ec_pu_harvest(const ec_json *j, int t, const char *const *keys, ec_values *out)
{
    if (ec_json_type(j, t) != EC_JSON_ARRAY)
        return harvest_one(j, t, keys, out);
    size_t added = 0;
    int n = ec_json_size(j, t);
    int e = t + 1;
    for (int i = 0; i < n; i++) {
        added += harvest_one(j, e, keys, out);
        e = ec_json_skip(j, e);
    }
    return added;
}

char *ec_pu_get_str(const ec_json *j, int t, const char *key)
{
    int v = ec_json_get(j, t, key);
    if (ec_json_type(j, v) != EC_JSON_STRING)
        return NULL;
    char *s = ec_json_strdup(j, v, NULL);
    if (!s)
        return NULL;
    const char *p = s;
    size_t len = strlen(s);
    trim(&p, &len);
    if (!len) {
        free(s);
        return NULL;
    }
    char *r = ec_xstrndup(p, len);
    free(s);
    return r;
}

char *ec_pu_request_url(const char *href, size_t len)
{
    trim(&href, &len);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)href[i] <= 0x20 || href[i] == 0x7f)
            return NULL;
    if (has_prefix_icase(href, len, "https://") || has_prefix_icase(href, len, "http://")) {
        skip_scheme(&href, &len);
        size_t host = span_until(href, len, "/?#");
        href += host;
        len -= host;
    }
    len = span_until(href, len, "#");
    if (!len)
        return NULL;
    ec_buf b = {0};
    if (href[0] != '/')
        ec_buf_putc(&b, '/');
    ec_buf_put(&b, href, len);
    return ec_buf_take(&b);
}

void ec_pu_put_segment(ec_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            ec_buf_putc(b, (char)c);
        } else {
            ec_buf_putc(b, '%');
            ec_buf_putc(b, hex[c >> 4]);
            ec_buf_putc(b, hex[c & 15]);
        }
    }
}

/* Append string member key of object t as a reason; 1 when non-empty. */
static int put_member(const ec_json *j, int t, const char *key, ec_buf *msg)
{
    char *s = ec_pu_get_str(j, t, key);
    if (!s)
        return 0;
    ec_pu_put_reason(msg, s, strlen(s));
    free(s);
    return 1;
}

static int put_first_of(const ec_json *j, int t, const char *const *keys, ec_buf *msg)
{
    for (size_t i = 0; keys[i]; i++)
        if (put_member(j, t, keys[i], msg))
            return 1;
    return 0;
}

/* 1 when text starts with word (len n) followed by the end, a space or a
 * colon: "fields should not be empty" starts with the word "fields". */
static int starts_with_word(const char *text, const char *word, size_t n)
{
    return n && strncmp(text, word, n) == 0 &&
           (text[n] == '\0' || text[n] == ' ' || text[n] == ':');
}

/* A validation error as "property message", the property named once:
 * validators often start the message with the property itself ("fields
 * should not be empty") or with its last path segment ("email must be an
 * email" for identifiers.0.email), which the full path then replaces. */
static void put_validation(const char *property, const char *message, ec_buf *out)
{
    const char *dot = property ? strrchr(property, '.') : NULL;
    const char *last = dot ? dot + 1 : property;
    if (!property || !*property || starts_with_word(message, property, strlen(property))) {
        ec_buf_puts(out, message);
    } else if (dot && starts_with_word(message, last, strlen(last))) {
        ec_buf_puts(out, property);
        ec_buf_puts(out, message + strlen(last));
    } else {
        ec_buf_printf(out, "%s %s", property, message);
    }
}

/* "message" plus the first validation error ("property message"). */
static int put_message(const ec_json *j, ec_buf *msg)
{
    size_t start = msg->len;
    if (!put_member(j, 0, "message", msg))
        return 0;
    int e = ec_json_at(j, ec_json_get(j, 0, "errors"), 0);
    char *text = ec_json_type(j, e) == EC_JSON_OBJECT ? ec_pu_get_str(j, e, "message") : NULL;
    if (text && *text) {
        char *property = ec_pu_get_str(j, e, "property");
        ec_buf detail = {0};
        put_validation(property, text, &detail);
        ec_buf_puts(msg, ": ");
        ec_pu_put_reason(msg, detail.p, detail.len);
        ec_buf_free(&detail);
        free(property);
    }
    free(text);
    if (msg->len - start > EC_PU_REASON_MAX) { /* keep the combined text short too */
        ec_buf whole = {0};
        ec_buf_put(&whole, msg->p + start, msg->len - start);
        msg->len = start;
        msg->p[start] = '\0';
        ec_pu_put_reason(msg, whole.p, whole.len);
        ec_buf_free(&whole);
    }
    return 1;
}

int ec_pu_error_message(const ec_json *j, ec_buf *msg)
{
    static const char *const am_keys[] = {"detail", "title", "code", NULL};
    static const char *const err_keys[] = {"message", "code", NULL};
    static const char *const top_keys[] = {"error_message", "detail", "error_code", NULL};
    if (ec_json_type(j, 0) != EC_JSON_OBJECT)
        return 0;
    int e = ec_json_at(j, ec_json_get(j, 0, "_errors"), 0);
    if (ec_json_type(j, e) == EC_JSON_OBJECT && put_first_of(j, e, am_keys, msg))
        return 1;
    if (put_message(j, msg))
        return 1;
    int err = ec_json_get(j, 0, "error");
    if (put_member(j, 0, "error", msg))
        return 1;
    if (ec_json_type(j, err) == EC_JSON_OBJECT && put_first_of(j, err, err_keys, msg))
        return 1;
    return put_first_of(j, 0, top_keys, msg);
}

void ec_pu_put_reason(ec_buf *msg, const char *s, size_t len)
{
    trim(&s, &len);
    if (len > EC_PU_REASON_MAX) {
        len = EC_PU_REASON_MAX;
        while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        while (len && is_space(s[len - 1]))
            len--;
    }
    ec_buf_reserve(msg, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        ec_buf_putc(msg, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
    }
}

enum ec_verdict ec_pu_error_verdict(const ec_response *resp, ec_buf *msg)
{
    int found = 0;
    if (resp->body && resp->len) {
        ec_json j;
        if (ec_json_parse(&j, resp->body, resp->len, NULL) == 0)
            found = ec_pu_error_message(&j, msg);
        ec_json_free(&j);
    }
    if (!found) {
        if (resp->status == 0)
            ec_pu_put_reason(msg, resp->transport ? resp->transport : "no answer",
                             strlen(resp->transport ? resp->transport : "no answer"));
        else
            ec_buf_printf(msg, "http_%ld", resp->status);
    }
    return ec_verdict_for_status(resp->status);
}

double ec_pu_poll_delay(const ec_pctx *ctx, double dflt, const ec_response *resp)
{
    double d = (ctx && ctx->poll_interval > 0) ? ctx->poll_interval : dflt;
    if (resp && resp->retry_after > d)
        d = resp->retry_after;
    if (d > EC_PU_POLL_MAX)
        d = EC_PU_POLL_MAX;
    return d < 0 ? 0 : d;
}

void ec_pu_finish(ec_lookup *lk, enum ec_status status, const char *reason)
{
    ec_outcome_clear(&lk->out);
    lk->out.status = status;
    if (status == EC_ST_FAILED)
        ec_outcome_fail(&lk->out, reason);
    lk->done = 1;
}

void ec_pu_finish_contacts(ec_lookup *lk, ec_values *emails, ec_values *phones)
{
    ec_outcome_clear(&lk->out);
    lk->out.status = (emails->n || phones->n) ? EC_ST_ENRICHED : EC_ST_NOT_FOUND;
    lk->out.emails = *emails;
    lk->out.phones = *phones;
    memset(emails, 0, sizeof *emails);
    memset(phones, 0, sizeof *phones);
    lk->done = 1;
}

void ec_pu_fail_rest(ec_batch *b, const char *reason)
{
    for (size_t i = 0; i < b->n; i++)
        if (!b->items[i]->done)
            ec_pu_finish(b->items[i], EC_ST_FAILED, reason);
}

enum ec_verdict ec_pu_credits_verdict(const ec_batch *b, int short_of_credits, int *reported,
                                      const char *what, ec_buf *msg)
{
    if (!short_of_credits || *reported)
        return EC_V_OK;
    for (size_t i = 0; i < b->n; i++)
        if (!b->items[i]->done)
            return EC_V_OK;
    *reported = 1;
    ec_buf_clear(msg);
    ec_buf_puts(msg, what);
    return EC_V_CREDITS;
}

int ec_pu_add_header(ec_values *headers, const char *name, const char *value)
{
    if (!value || !*value)
        return 0;
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    ec_buf b = {0};
    ec_buf_printf(&b, "%s: %s", name, value);
    headers->v = ec_xrealloc(headers->v, (headers->n + 1) * sizeof *headers->v);
    headers->v[headers->n++] = ec_buf_take(&b);
    return 1;
}

void ec_pu_put_member(ec_buf *b, int *first, const char *key, const char *value)
{
    if (!*first)
        ec_buf_putc(b, ',');
    *first = 0;
    ec_json_put_cstr(b, key);
    ec_buf_putc(b, ':');
    ec_json_put_cstr(b, value);
}
