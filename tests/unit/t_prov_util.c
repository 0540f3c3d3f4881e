/* t_prov_util.c - helpers shared by provider files: canonical forms for echo
 * matching, contact harvesting, URLs from answers, error messages, reasons,
 * poll delays, headers. */
#include "config.h"
#include "prov_util.h"
#include "tap.h"

#include <stdlib.h>

static void canon_is(enum ec_field f, const char *in, const char *want, const char *what)
{
    char *got = ec_pu_canon_dup(f, in);
    is_str(got, want, "canon %s: %s", ec_field_name(f), what);
    free(got);
}

static void test_canon(void)
{
    canon_is(EC_F_LINKEDIN_URL, " https://www.LinkedIn.com/in/Ann-Lee/?trk=x#y ",
             "linkedin.com/in/ann-lee", "scheme, www, case, query, fragment, slash");
    canon_is(EC_F_LINKEDIN_URL, "uk.linkedin.com/in/ann", "linkedin.com/in/ann", "country host");
    canon_is(EC_F_LINKEDIN_URL, "linkedin.com/in/j%C3%B6rg", "linkedin.com/in/j\xc3\xb6rg",
             "percent escapes decoded");
    canon_is(EC_F_LINKEDIN_URL, "https://notlinkedin.com/in/x", "notlinkedin.com/in/x",
             "a look-alike host is not folded");
    canon_is(EC_F_EMAIL, " mailto:Ann@Acme.COM ", "ann@acme.com", "email");
    canon_is(EC_F_COMPANY_DOMAIN, "HTTPS://www.Acme.com:443/about", "acme.com", "domain");
    canon_is(EC_F_X_HANDLE, "@Jordan_Sales", "jordan_sales", "x handle");
    canon_is(EC_F_NAME, "  Ann \t  LEE ", "ann lee", "name spaces collapse");
}

static void test_harvest(void)
{
    const char *doc = "{\"a\":[\"x@y.com\",{\"value\":\"v@y.com\"},{\"email\":\"e@y.com\"},"
                      "{\"value\":\"\",\"email\":\"f@y.com\"},\"  \",null,3,\"x@y.com\"],"
                      "\"s\":\"only@y.com\",\"o\":{\"number\":\"+1\"}}";
    ec_json j;
    ok(ec_json_parse(&j, doc, strlen(doc), NULL) == 0, "document parses");
    static const char *const keys[] = {"value", "email", "number", NULL};
    ec_values v = {0};
    is_int(ec_pu_harvest(&j, ec_json_get(&j, 0, "a"), keys, &v), 4, "four distinct contacts");
    ok(v.n == 4 && !strcmp(v.v[0], "x@y.com") && !strcmp(v.v[1], "v@y.com") &&
           !strcmp(v.v[2], "e@y.com") && !strcmp(v.v[3], "f@y.com"),
       "strings and objects, empty and duplicate skipped, in order");
    ec_values_free(&v);
    ec_pu_harvest(&j, ec_json_get(&j, 0, "s"), keys, &v);
    ec_pu_harvest(&j, ec_json_get(&j, 0, "o"), keys, &v);
    ok(v.n == 2 && !strcmp(v.v[0], "only@y.com") && !strcmp(v.v[1], "+1"),
       "a bare string or object is harvested too");
    ec_values_free(&v);
    is_int(ec_pu_harvest(&j, ec_json_get(&j, 0, "missing"), keys, &v), 0, "missing token: none");
    char *s = ec_pu_get_str(&j, ec_json_at(&j, ec_json_get(&j, 0, "a"), 1), "value");
    is_str(s, "v@y.com", "get_str");
    free(s);
    ec_json_free(&j);
}

static char *req_url(const char *s)
{
    return ec_pu_request_url(s, strlen(s));
}

static void test_urls(void)
{
    char *u = req_url("https://api.example.com/a/b?x=1#frag");
    is_str(u, "/a/b?x=1", "absolute URL -> path and query");
    free(u);
    u = req_url("http://h:8080");
    is_str(u, NULL, "an absolute URL without a path gives nothing");
    free(u);
    u = req_url("ops/1");
    is_str(u, "/ops/1", "relative gets a leading slash");
    free(u);
    u = req_url("/a b");
    is_str(u, NULL, "spaces refused");
    free(u);
    ec_buf b = {0};
    ec_pu_put_segment(&b, "op_1/../x y");
    is_str(b.p, "op_1%2F..%2Fx%20y", "segment escaping keeps it one segment");
    ec_buf_free(&b);
}

static void msg_is(const char *body, const char *want, const char *what)
{
    ec_json j;
    ec_buf m = {0};
    int found = ec_json_parse(&j, body, strlen(body), NULL) == 0 && ec_pu_error_message(&j, &m);
    is_str(found ? m.p : NULL, want, "error message: %s", what);
    ec_json_free(&j);
    ec_buf_free(&m);
}

static void test_errors(void)
{
    msg_is("{\"_errors\":[{\"code\":\"c\",\"title\":\"T\",\"detail\":\"D\"}]}", "D", "_errors");
    msg_is("{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"Validation failed\","
           "\"errors\":[{\"property\":\"p\",\"message\":\"m\"}]}",
           "Validation failed: p m", "message + errors");
    msg_is("{\"message\":\"Validation failed\",\"errors\":[{\"property\":\"fields\","
           "\"message\":\"fields should not be empty\"}]}",
           "Validation failed: fields should not be empty",
           "a message starting with its property names it once");
    msg_is("{\"message\":\"Validation failed\",\"errors\":[{\"property\":\"identifiers.0.email\","
           "\"message\":\"email must be an email\"}]}",
           "Validation failed: identifiers.0.email must be an email",
           "a message starting with the property's last segment gets the full path instead");
    msg_is("{\"message\":\"Validation failed\",\"errors\":[{\"property\":\"identifier\","
           "\"message\":\"identifiers must be an array\"}]}",
           "Validation failed: identifier identifiers must be an array",
           "a longer word is not the property");
    msg_is("{\"message\":\"Validation failed\",\"errors\":[{\"message\":\"bad\"}]}",
           "Validation failed: bad", "an error without property");
    msg_is("{\"message\":\"Validation failed\",\"errors\":[{\"property\":\"x\"}]}",
           "Validation failed", "an error without message adds nothing");
    msg_is("{\"error\":{\"code\":\"X\",\"message\":\"inner\"}}", "inner", "error object");
    msg_is("{\"error_code\":\"RATE_LIMITED\",\"details\":{}}", "RATE_LIMITED", "error_code");
    msg_is("{\"detail\":\"nope\"}", "nope", "detail");
    msg_is("{\"ok\":true}", NULL, "none");

    ec_buf m = {0};
    char longs[400];
    memset(longs, 'a', sizeof longs);
    memcpy(longs + EC_PU_REASON_MAX - 1, "\xc3\xa9", 2);
    ec_pu_put_reason(&m, longs, sizeof longs);
    ok(m.len <= EC_PU_REASON_MAX && m.len == EC_PU_REASON_MAX - 1,
       "reason cut before a split "
       "UTF-8 character (len %zu)",
       m.len);
    ec_buf_clear(&m);
    ec_pu_put_reason(&m, " a\nb\tc ", 7);
    is_str(m.p, "a b c", "controls become spaces, ends trimmed");
    ec_buf_clear(&m);

    ec_response r = {503, "", 0, NULL, -1};
    is_int(ec_pu_error_verdict(&r, &m), EC_V_RETRY, "503 retry");
    is_str(m.p, "http_503", "503 reason");
    ec_buf_clear(&m);
    ec_response t = {0, NULL, 0, "connection reset", -1};
    is_int(ec_pu_error_verdict(&t, &m), EC_V_RETRY, "transport retry");
    is_str(m.p, "connection reset", "transport reason");
    ec_buf_free(&m);
}

static void test_misc(void)
{
    ec_pctx ctx = {0};
    ec_response r = {200, "", 0, NULL, -1};
    ok(ec_pu_poll_delay(&ctx, 3, NULL) == 3, "default delay");
    ctx.poll_interval = 1;
    ok(ec_pu_poll_delay(&ctx, 3, &r) == 1, "--poll-interval wins over the default");
    r.retry_after = 9;
    ok(ec_pu_poll_delay(&ctx, 3, &r) == 9, "Retry-After raises it");
    r.retry_after = 1e9;
    ok(ec_pu_poll_delay(&ctx, 3, &r) == EC_PU_POLL_MAX, "capped");

    ec_values h = {0};
    ok(ec_pu_add_header(&h, "X-K", "v") == 1 && !strcmp(h.v[0], "X-K: v"), "header added");
    ok(ec_pu_add_header(&h, "X-K", "v\r\nX-Evil: 1") == 0 && h.n == 1, "CR/LF refused");
    ok(ec_pu_add_header(&h, "X-K", "") == 0 && ec_pu_add_header(&h, "X-K", NULL) == 0,
       "empty and NULL refused");
    ec_values_free(&h);

    ec_buf b = {0};
    int first = 1;
    ec_buf_putc(&b, '{');
    ec_pu_put_member(&b, &first, "a", "x\"y");
    ec_pu_put_member(&b, &first, "b", "z");
    ec_buf_putc(&b, '}');
    is_str(b.p, "{\"a\":\"x\\\"y\",\"b\":\"z\"}", "members escaped and separated");
    ec_buf_free(&b);

    ec_lookup a = {0}, c = {0};
    ec_lookup *items[2] = {&a, &c};
    ec_batch bt = {.items = items, .n = 2};
    ec_values e = {0}, p = {0};
    ec_values_add(&e, "x@y.com", 7);
    ec_pu_finish_contacts(&a, &e, &p);
    ok(a.done && a.out.status == EC_ST_ENRICHED && a.out.emails.n == 1 && e.n == 0,
       "finish_contacts takes the values over");
    ec_pu_fail_rest(&bt, "why");
    ok(c.done && c.out.status == EC_ST_FAILED && !strcmp(c.out.reason, "why") &&
           a.out.status == EC_ST_ENRICHED,
       "fail_rest touches only unfinished lookups");
    ec_outcome_clear(&a.out);
    ec_outcome_clear(&c.out);
}

/* The engine normalizes only the fields ec_provider_reads() names: for
 * every provider and every set of present fields, the choice made from
 * those alone is the choice made from all of them. */
static void test_choose_reads(void)
{
    static const char *const text[EC_F_COUNT] = {"linkedin.com/in/ann-lee",
                                                 "ann@acme.com",
                                                 "Ann Lee",
                                                 "Ann",
                                                 "Lee",
                                                 "CTO",
                                                 "Acme",
                                                 "acme.com",
                                                 "annlee",
                                                 "annlee-gh",
                                                 "uid-1",
                                                 "person-1",
                                                 "account-1"};
    for (size_t i = 0; ec_providers[i]; i++) {
        const ec_provider *p = ec_providers[i];
        unsigned reads = ec_provider_reads(p);
        int differ = 0;
        for (unsigned set = 0; set < 1u << EC_F_COUNT; set++) {
            const char *all[EC_F_COUNT], *some[EC_F_COUNT], *c1[EC_F_COUNT], *c2[EC_F_COUNT];
            for (int f = 0; f < EC_F_COUNT; f++) {
                all[f] = set & 1u << f ? text[f] : NULL;
                some[f] = reads & 1u << f ? all[f] : NULL;
            }
            int r1 = ec_provider_choose(p, all, c1), r2 = ec_provider_choose(p, some, c2);
            differ += r1 != r2;
            for (int f = 0; r1 && f < EC_F_COUNT; f++)
                differ += c1[f] != c2[f];
        }
        ok(differ == 0 && (reads & p->accepts) == p->accepts,
           "%s chooses from the fields it reads alone, for all %u sets of fields", p->name,
           1u << EC_F_COUNT);
    }
}

int main(void)
{
    test_canon();
    test_harvest();
    test_urls();
    test_errors();
    test_misc();
    test_choose_reads();
    {
        /* regression: a name rebuilt from a journal key is case-folded; the
         * provider echoes it as written: both must canonicalize alike */
        char *a = ec_pu_canon_dup(EC_F_NAME, "\xc3\x98ystein  M\xc3\xbcller");
        char *b = ec_pu_canon_dup(EC_F_NAME, "\xc3\xb8ystein m\xc3\xbcller");
        is_str(a, b, "names canonicalize alike across non-ASCII case");
        free(a);
        free(b);
    }
    return tap_done();
}
