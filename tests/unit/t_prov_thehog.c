/* t_prov_thehog.c - The Hog provider ops driven with canned answers: one
 * identifier per item, both auth forms, sync 200 and async 202 paths, poll
 * URLs, item nestings, contact element shapes, verdicts, checkpoint and
 * resume. No network. */
#include "config.h"
#include "provider.h"
#include "tap.h"

#include <stdlib.h>

extern const ec_provider ec_prov_thehog;
static const ec_provider *P = &ec_prov_thehog;

#define PROV_HARNESS_STEP
#include "prov_harness.h"

/* ---------------------------------------------------------------- harness */

static ec_lookup *lookup(const char *li, const char *email, const char *x, const char *gh)
{
    ec_lookup *lk = ec_xcalloc(1, sizeof *lk);
    lk->key = "k";
    lk->id[EC_F_LINKEDIN_URL] = li;
    lk->id[EC_F_EMAIL] = email;
    lk->id[EC_F_X_HANDLE] = x;
    lk->id[EC_F_GITHUB_USERNAME] = gh;
    return lk;
}

/* start() the batch and return its one request. */
static ec_request submit(const ec_pctx *ctx, ec_batch *b)
{
    ec_auth auth = {"hog_live_x", NULL};
    ec_reqs out = {0};
    ec_buf msg = {0};
    ec_request r = {0};
    if (P->start(ctx, &auth, b, &out, &msg) == 0 && out.n == 1) {
        r = out.v[0];
        out.v[0].url = out.v[0].body = NULL;
    }
    ec_reqs_free(&out);
    ec_buf_free(&msg);
    return r;
}

static const char *val(const ec_values *vs, size_t i)
{
    return i < vs->n ? vs->v[i] : NULL;
}

static const ec_pctx CTX = {.base_url = "http://127.0.0.1:9",
                            .fields = EC_WANT_EMAIL | EC_WANT_PHONE};

/* ---------------------------------------------------------------- tests */

static void test_choose(void)
{
    const char *v[EC_F_COUNT] = {0}, *c[EC_F_COUNT];
    ok(!P->choose(v, c), "no identifier: not usable");
    v[EC_F_NAME] = "Ann";
    v[EC_F_COMPANY_NAME] = "Acme";
    ok(!P->choose(v, c), "name + company are not The Hog identifiers");
    v[EC_F_GITHUB_USERNAME] = "ann";
    v[EC_F_X_HANDLE] = "annx";
    ok(P->choose(v, c) && c[EC_F_X_HANDLE] && !c[EC_F_GITHUB_USERNAME] && !c[EC_F_NAME],
       "x handle beats github username, only one chosen");
    v[EC_F_EMAIL] = "a@b.com";
    ok(P->choose(v, c) && c[EC_F_EMAIL] && !c[EC_F_X_HANDLE], "email beats x handle");
    v[EC_F_LINKEDIN_URL] = "linkedin.com/in/ann";
    ok(P->choose(v, c) && c[EC_F_LINKEDIN_URL] && !c[EC_F_EMAIL], "LinkedIn beats everything");
}

static void test_submit_body(void)
{
    ec_lookup *items[5] = {
        lookup("linkedin.com/in/ann", "ann@a.com", NULL, NULL),
        lookup(NULL, "bob@b.com", "bobx", NULL),
        lookup(NULL, NULL, "@jordan_sales", NULL),
        lookup(NULL, NULL, NULL, "dev"),
        lookup(NULL, NULL, NULL, NULL),
    };
    items[4]->id[EC_F_NAME] = "Nobody";
    ec_batch b;
    batch_init(&b, items, 5, EC_WANT_EMAIL | EC_WANT_PHONE);
    ec_request r = submit(&CTX, &b);
    is_str(r.method, "POST", "a POST");
    is_str(r.url, "/api/enrichments", "to /api/enrichments");
    is_int(r.paid, 1, "marked paid");
    const char *want = "{\"fields\":[\"contact.email\",\"contact.phone\"],\"identifiers\":["
                       "{\"linkedin_url\":\"https://www.linkedin.com/in/ann\"},"
                       "{\"email\":\"bob@b.com\"},{\"x_handle\":\"jordan_sales\"},"
                       "{\"github_username\":\"dev\"}]}";
    is_str(r.body, want, "one identifier per item, by priority, fields from --fields");
    ok(items[4]->done && items[4]->out.status == EC_ST_SKIPPED_NO_ID,
       "a lookup without a usable identifier is skipped");
    ec_request_free(&r);
    P->free_state(&b);
    items[4]->done = 0;
    r = submit(&CTX, &b);
    is_str(r.body, want, "the same batch gives the same body (Idempotency-Key stays valid)");

    /* auth forms */
    ec_values h = {0};
    ec_auth bearer = {"hog_live_secret", NULL};
    P->auth_headers(&bearer, &r, &h);
    ok(h.n == 1 && strcmp(h.v[0], "Authorization: Bearer hog_live_secret") == 0, "bearer form");
    ec_values_free(&h);
    ec_auth pair = {"ak_access", "sk_secret"};
    P->auth_headers(&pair, &r, &h);
    ok(h.n == 2 && strcmp(h.v[0], "X-Access-Key: ak_access") == 0 &&
           strcmp(h.v[1], "X-Secret-Key: sk_secret") == 0,
       "access/secret form: two headers, no Authorization");
    ec_values_free(&h);
    ok(!strstr(r.body, "hog_live") && !strstr(r.url, "hog_live") && !strstr(r.body, "sk_"),
       "keys are in neither URL nor body");
    ec_request_free(&r);
    batch_done(&b);

    ec_lookup *one[1] = {lookup("linkedin.com/in/ann", NULL, NULL, NULL)};
    batch_init(&b, one, 1, EC_WANT_EMAIL);
    r = submit(&CTX, &b);
    is_str(r.body,
           "{\"fields\":[\"contact.email\"],\"identifier\":"
           "{\"linkedin_url\":\"https://www.linkedin.com/in/ann\"}}",
           "a lone LinkedIn identifier goes as \"identifier\" (sync path)");
    ec_request_free(&r);
    batch_done(&b);
    ec_lookup *mail[1] = {lookup(NULL, "a@b.com", NULL, NULL)};
    batch_init(&b, mail, 1, EC_WANT_PHONE);
    r = submit(&CTX, &b);
    is_str(r.body, "{\"fields\":[\"contact.phone\"],\"identifiers\":[{\"email\":\"a@b.com\"}]}",
           "a lone email still goes as \"identifiers\"");
    ec_request_free(&r);
    batch_done(&b);
}

static void test_sync(void)
{
    ec_lookup *one[1] = {lookup("linkedin.com/in/ann", NULL, NULL, NULL)};
    ec_batch b;
    batch_init(&b, one, 1, EC_WANT_EMAIL | EC_WANT_PHONE);
    ec_request r = submit(&CTX, &b);
    ec_buf msg = {0}, tmp = {0};
    size_t nmore;
    enum ec_verdict v = step(
        &CTX, &b, &r,
        answer(
            200,
            "{\"data\":{\"contact\":{\"email\":[\"ann@acme.com\",{\"value\":\"ann.lee@acme.com\","
            "\"verified\":true}],\"phone\":[{\"number\":\"+1 555 0101\",\"type\":\"mobile\"}]}},"
            "\"meta\":{\"requestId\":\"req_1\",\"cost\":{\"estimated\":2,\"actual\":2}}}"),
        &nmore, &msg);
    ok(v == EC_V_OK && nmore == 0, "sync 200: done, nothing to poll");
    is_str(status_of(one[0], &tmp), "enriched", "enriched");
    is_str(val(&one[0]->out.emails, 0), "ann@acme.com", "string email element");
    is_str(val(&one[0]->out.emails, 1), "ann.lee@acme.com", "object email element (value)");
    is_str(val(&one[0]->out.phones, 0), "+1 555 0101", "object phone element (number)");
    ok(b.credits == 2, "meta.cost.actual counted (got %g)", b.credits);
    char *cp = P->checkpoint(&b);
    ok(cp == NULL, "nothing to checkpoint after a sync answer");
    free(cp);
    batch_done(&b);

    one[0] = lookup("linkedin.com/in/ann", NULL, NULL, NULL);
    batch_init(&b, one, 1, EC_WANT_EMAIL);
    r = submit(&CTX, &b);
    v = step(&CTX, &b, &r,
             answer(200, "{\"data\":{\"contact\":{\"email\":[],\"phone\":[\"+1\"]}}}"), &nmore,
             &msg);
    is_str(status_of(one[0], &tmp), "not_found", "no email (phone not asked for) -> not_found");
    batch_done(&b);

    one[0] = lookup("linkedin.com/in/ann", NULL, NULL, NULL);
    batch_init(&b, one, 1, EC_WANT_EMAIL);
    r = submit(&CTX, &b);
    v = step(&CTX, &b, &r,
             answer(200, "{\"id\":\"enr_1\",\"data\":{\"contact\":{\"email\":[\"a@x.com\"]}}}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 0 && one[0]->out.emails.n == 1,
       "a sync answer that also carries an id is not polled");
    batch_done(&b);
    ec_buf_free(&msg);
    ec_buf_free(&tmp);
}

/* 202 + pollUrl forms. Returns the poll URL asked for after the 202. */
static char *poll_url_after(const char *body202, double *delay)
{
    ec_lookup *items[2] = {lookup(NULL, "a@b.com", NULL, NULL),
                           lookup(NULL, "c@d.com", NULL, NULL)};
    ec_batch b;
    batch_init(&b, items, 2, EC_WANT_EMAIL);
    ec_request r = submit(&CTX, &b);
    ec_buf msg = {0};
    size_t nmore;
    enum ec_verdict v = step(&CTX, &b, &r, answer(202, body202), &nmore, &msg);
    char *url = (v == EC_V_OK && nmore == 1 && !r.paid && strcmp(r.method, "GET") == 0)
                    ? ec_xstrdup(r.url)
                    : NULL;
    if (delay)
        *delay = r.delay;
    ec_request_free(&r);
    ec_buf_free(&msg);
    batch_done(&b);
    return url;
}

static void test_poll_urls(void)
{
    double d = -1;
    char *u = poll_url_after("{\"id\":\"op_1\",\"operationId\":\"op_1\",\"status\":\"queued\","
                             "\"pollUrl\":\"/api/operations/op_1\",\"meta\":{\"requestId\":\"r\"}}",
                             &d);
    is_str(u, "/api/operations/op_1", "relative pollUrl polled");
    ok(d == 3.0, "default poll interval 3 s (got %g)", d);
    free(u);
    u = poll_url_after("{\"id\":\"op_2\",\"status\":\"queued\",\"pollUrl\":"
                       "\"https://developer.thehog.ai/api/operations/op_2\"}",
                       NULL);
    is_str(u, "/api/operations/op_2", "absolute pollUrl reduced to its path on the base URL");
    free(u);
    u = poll_url_after(
        "{\"id\":\"op_3\",\"status\":\"queued\",\"pollUrl\":\"api/operations/op_3\"}", NULL);
    is_str(u, "/api/operations/op_3", "pollUrl without a leading slash");
    free(u);
    u = poll_url_after("{\"operationId\":\"op 4\",\"status\":\"queued\"}", NULL);
    is_str(u, "/api/operations/op%204", "no pollUrl: /api/operations/{id}, id escaped");
    free(u);

    /* no pollUrl, the operations route is missing: fall back to /api/enrichments/{id} */
    ec_lookup *items[2] = {lookup(NULL, "a@b.com", NULL, NULL),
                           lookup(NULL, "c@d.com", NULL, NULL)};
    ec_batch b;
    batch_init(&b, items, 2, EC_WANT_EMAIL);
    ec_request r = submit(&CTX, &b);
    ec_buf msg = {0};
    size_t nmore;
    step(&CTX, &b, &r, answer(202, "{\"id\":\"op_5\",\"status\":\"queued\"}"), &nmore, &msg);
    enum ec_verdict v =
        step(&CTX, &b, &r, answer(404, "{\"statusCode\":404,\"message\":\"nope\"}"), &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1, "404 on /api/operations/{id}: try the fallback");
    is_str(r.url, "/api/enrichments/op_5", "fallback route");
    v = step(&CTX, &b, &r, answer(404, "{\"statusCode\":404,\"message\":\"Not Found\"}"), &nmore,
             &msg);
    ok(v == EC_V_FAIL && nmore == 0, "404 on the fallback too: FAIL");
    is_str(msg.p, "Not Found", "with the provider's message");
    ec_request_free(&r);
    ec_buf_free(&msg);
    batch_done(&b);
}

static void test_async_cycle(void)
{
    ec_lookup *items[5] = {
        lookup("linkedin.com/in/ann", NULL, NULL, NULL), lookup(NULL, "bob@b.com", NULL, NULL),
        lookup(NULL, NULL, "jordan_sales", NULL),        lookup(NULL, NULL, NULL, "dev"),
        lookup(NULL, "eve@e.com", NULL, NULL),
    };
    ec_batch b;
    batch_init(&b, items, 5, EC_WANT_EMAIL | EC_WANT_PHONE);
    ec_request r = submit(&CTX, &b);
    ec_buf msg = {0}, tmp = {0};
    size_t nmore;
    enum ec_verdict v =
        step(&CTX, &b, &r,
             answer(202, "{\"id\":\"op_9\",\"operationId\":\"op_9\",\"status\":\"queued\","
                         "\"pollUrl\":\"https://developer.thehog.ai/api/operations/op_9\"}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1, "202: poll scheduled");
    char *cp = P->checkpoint(&b);
    ok(cp && strstr(cp, "/api/operations/op_9"), "checkpoint holds the poll URL");

    ec_pctx ctx = CTX;
    ctx.poll_interval = 0.5;
    v = step(&ctx, &b, &r, answer(200, "{\"id\":\"op_9\",\"status\":\"queued\",\"progress\":null}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1 && r.delay == 0.5, "queued: poll again at --poll-interval");
    ec_response ra = answer(200, "{\"id\":\"op_9\",\"status\":\"processing\",\"progress\":40}");
    ra.retry_after = 12;
    v = step(&ctx, &b, &r, ra, &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1 && r.delay == 12, "processing: Retry-After honoured");
    is_str(r.url, "/api/operations/op_9", "same operation");

    v = step(
        &ctx, &b, &r,
        answer(200,
               "{\"id\":\"op_9\",\"status\":\"partial_success\",\"progress\":100,\"result\":{"
               "\"items\":["
               "{\"identifier\":{\"x_handle\":\"@Jordan_Sales\"},\"status\":\"success\","
               "\"data\":{\"contact\":{\"email\":[],\"phone\":[]}},\"error\":null},"
               "{\"identifier\":{\"email\":\"BOB@b.com\"},\"status\":\"failed\",\"data\":null,"
               "\"error\":{\"code\":\"UPSTREAM\",\"message\":\"Upstream timeout\"}},"
               "{\"identifier\":{\"linkedin_url\":\"http://linkedin.com/in/ANN/\"},"
               "\"status\":\"success\",\"data\":{\"contact\":{\"email\":[{\"email\":"
               "\"ann@acme.com\",\"type\":\"work\"},\"ann@home.net\"],\"phone\":[\"+1 555\"]}}},"
               "{\"identifier\":{\"email\":\"eve@e.com\"},\"status\":\"failed\",\"error\":"
               "{\"code\":\"NOT_FOUND\",\"message\":\"No match\"}},"
               "{\"identifier\":{\"email\":\"ann@acme.com\"},\"status\":\"success\",\"data\":"
               "{\"contact\":{\"email\":[\"decoy@x.com\"]}}}"
               "]},\"meta\":{\"cost\":{\"actual\":3}}}"),
        &nmore, &msg);
    ok(v == EC_V_OK && nmore == 0, "partial_success is terminal");
    is_str(status_of(items[0], &tmp), "enriched", "ann matched by her LinkedIn echo");
    is_str(val(&items[0]->out.emails, 0), "ann@acme.com", "object element via its email key");
    is_str(val(&items[0]->out.emails, 1), "ann@home.net", "string element");
    is_int(items[0]->out.emails.n, 2, "the decoy item for an identifier nobody sent is ignored");
    is_str(val(&items[0]->out.phones, 0), "+1 555", "phone");
    is_str(status_of(items[1], &tmp), "failed:Upstream timeout",
           "a failed item fails its lookup with the item's error message");
    is_str(status_of(items[2], &tmp), "not_found", "success without contacts -> not_found");
    is_str(status_of(items[3], &tmp), "failed:no_result", "an item never reported -> no_result");
    is_str(status_of(items[4], &tmp), "not_found", "failed item with code NOT_FOUND -> not_found");
    ok(b.credits == 3, "meta.cost.actual counted (got %g)", b.credits);

    /* resume */
    ec_lookup *again[1] = {lookup(NULL, "bob@b.com", NULL, NULL)};
    ec_batch b2;
    batch_init(&b2, again, 1, EC_WANT_EMAIL);
    ec_reqs out = {0};
    ok(P->resume(&CTX, &b2, cp, &out, &msg) == 0, "resume from the checkpoint");
    ok(out.n == 1 && !out.v[0].paid && strcmp(out.v[0].method, "GET") == 0 &&
           strcmp(out.v[0].url, "/api/operations/op_9") == 0,
       "resume polls the operation, never re-submits");
    ec_reqs_free(&out);
    ok(P->resume(&CTX, &b2, "{\"op\":\"x\"}", &out, &msg) == -1, "checkpoint without a poll URL");
    ec_reqs_free(&out);
    batch_done(&b2);
    free(cp);
    ec_request_free(&r);
    ec_buf_free(&msg);
    ec_buf_free(&tmp);
    batch_done(&b);
}

/* One 2-lookup batch answered with a terminal poll body; returns the verdict. */
static enum ec_verdict terminal(const char *body, ec_lookup **items)
{
    items[0] = lookup(NULL, "a@b.com", NULL, NULL);
    items[1] = lookup(NULL, NULL, NULL, "octo");
    ec_batch b;
    batch_init(&b, items, 2, EC_WANT_EMAIL | EC_WANT_PHONE);
    ec_request r = {"GET", ec_xstrdup("/api/operations/op_1"), NULL, 0, 2, 0, 0, 0};
    ec_buf msg = {0};
    size_t nmore;
    enum ec_verdict v = step(&CTX, &b, &r, answer(200, body), &nmore, &msg);
    ec_request_free(&r);
    ec_buf_free(&msg);
    P->free_state(&b);
    return v;
}

static void drop(ec_lookup **items)
{
    for (int i = 0; i < 2; i++) {
        ec_outcome_clear(&items[i]->out);
        free(items[i]);
    }
}

static void test_nestings(void)
{
    ec_lookup *it[2];
    ec_buf tmp = {0};
    const char *item_a = "{\"identifier\":{\"email\":\"a@b.com\"},\"status\":\"success\","
                         "\"data\":{\"contact\":{\"email\":[\"found@b.com\"]}}}";
    const char *item_o = "{\"identifier\":{\"github_username\":\"Octo\"},\"status\":\"success\","
                         "\"data\":{\"contact\":{\"phone\":[{\"value\":\"+44 20\"}]}}}";
    char body[1024];
    snprintf(body, sizeof body, "{\"status\":\"succeeded\",\"result\":{\"items\":[%s,%s]}}", item_o,
             item_a);
    is_int(terminal(body, it), EC_V_OK, "result.items read");
    ok(strcmp(status_of(it[0], &tmp), "enriched") == 0 &&
           strcmp(val(&it[0]->out.emails, 0), "found@b.com") == 0 &&
           strcmp(val(&it[1]->out.phones, 0), "+44 20") == 0,
       "result.items: both matched by echo");
    drop(it);
    snprintf(body, sizeof body, "{\"status\":\"succeeded\",\"items\":[%s,%s]}", item_a, item_o);
    is_int(terminal(body, it), EC_V_OK, "top-level items read");
    ok(it[0]->out.emails.n == 1 && it[1]->out.phones.n == 1, "top-level items: both matched");
    drop(it);
    snprintf(body, sizeof body, "{\"status\":\"succeeded\",\"result\":[%s,%s]}", item_o, item_a);
    is_int(terminal(body, it), EC_V_OK, "result as the array itself read");
    ok(it[0]->out.emails.n == 1 && it[1]->out.phones.n == 1, "result array: both matched");
    drop(it);

    is_int(terminal("{\"status\":\"failed\",\"result\":null,\"error\":{\"code\":\"E\","
                    "\"message\":\"Provider outage\"}}",
                    it),
           EC_V_OK, "failed operation is terminal");
    is_str(status_of(it[0], &tmp), "failed:Provider outage", "its lookups fail with its message");
    drop(it);
    /* the sandbox's failed item, word for word: a failure, not a not_found
     * (only a NOT_FOUND code says nobody was found), so --strict exits 3 */
    snprintf(body, sizeof body,
             "{\"status\":\"partial_success\",\"result\":{\"items\":[%s,{\"identifier\":{"
             "\"email\":\"a@b.com\"},\"status\":\"failed\",\"data\":null,\"error\":{\"code\":"
             "\"ENRICHMENT_FAILED\",\"message\":\"Could not enrich this contact\"}}]}}",
             item_o);
    is_int(terminal(body, it), EC_V_OK, "partial_success with an ENRICHMENT_FAILED item");
    is_int(it[0]->out.status, EC_ST_FAILED, "ENRICHMENT_FAILED: the lookup failed");
    is_str(status_of(it[0], &tmp), "failed:Could not enrich this contact",
           "ENRICHMENT_FAILED: failed:<the item's message>");
    is_str(status_of(it[1], &tmp), "enriched", "ENRICHMENT_FAILED: the other item is harvested");
    drop(it);
    snprintf(body, sizeof body, "{\"status\":\"cancelled\",\"result\":{\"items\":[%s]}}", item_a);
    is_int(terminal(body, it), EC_V_OK, "cancelled operation is terminal");
    ok(it[0]->out.emails.n == 1, "items a cancelled operation carries are harvested");
    is_str(status_of(it[1], &tmp), "failed:cancelled", "the rest fail cancelled");
    drop(it);
    is_int(terminal("{\"status\":\"succeeded\",\"items\":[{\"identifier\":\"A@B.com\","
                    "\"status\":\"success\",\"data\":{\"contact\":{\"email\":[\"s@b.com\"]}}}]}",
                    it),
           EC_V_OK, "identifier echoed as a bare string");
    is_str(val(&it[0]->out.emails, 0), "s@b.com", "a bare string echo still matches by value");
    drop(it);
    is_int(terminal("{\"id\":\"op_1\",\"result\":null}", it), EC_V_BAD_RESPONSE,
           "poll answer without status or items -> BAD_RESPONSE");
    drop(it);
    is_int(terminal("{\"status\":\"succeeded\",\"result\":{\"items\":[{\"status\":\"success\","
                    "\"data\":{\"contact\":{\"email\":[\"who@x.com\"]}}}]}}",
                    it),
           EC_V_OK, "item without identifier");
    ok(!it[0]->out.emails.n && !it[1]->out.emails.n,
       "an item without identifier is not guessed by position in a batch of two");
    drop(it);
    ec_buf_free(&tmp);
}

static enum ec_verdict submit_answer(long status, const char *body, ec_buf *msg)
{
    ec_lookup *items[2] = {lookup(NULL, "a@b.com", NULL, NULL),
                           lookup(NULL, "c@d.com", NULL, NULL)};
    ec_batch b;
    batch_init(&b, items, 2, EC_WANT_EMAIL);
    ec_request r = submit(&CTX, &b);
    size_t nmore;
    enum ec_verdict v = step(&CTX, &b, &r, answer(status, body), &nmore, msg);
    ec_request_free(&r);
    batch_done(&b);
    return v;
}

static void test_verdicts(void)
{
    ec_buf msg = {0};
    is_int(
        submit_answer(400,
                      "{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"Validation "
                      "failed\",\"path\":\"/api/enrichments\",\"requestId\":\"r\",\"errors\":"
                      "[{\"property\":\"identifiers.0.email\",\"message\":\"must be an email\"}]}",
                      &msg),
        EC_V_FAIL, "400 -> FAIL");
    is_str(msg.p, "Validation failed: identifiers.0.email must be an email",
           "message plus the first validation error");
    is_int(submit_answer(400,
                         "{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":"
                         "\"Validation failed\",\"errors\":[{\"property\":\"fields\","
                         "\"message\":\"fields should not be empty\"}]}",
                         &msg),
           EC_V_FAIL, "400 on fields -> FAIL");
    is_str(msg.p, "Validation failed: fields should not be empty",
           "the property the message starts with is not repeated");
    is_int(submit_answer(400,
                         "{\"statusCode\":400,\"message\":\"Validation failed\",\"errors\":"
                         "[{\"property\":\"identifiers.1.email\",\"message\":\"email must be "
                         "an email\"}]}",
                         &msg),
           EC_V_FAIL, "400 on a nested property -> FAIL");
    is_str(msg.p, "Validation failed: identifiers.1.email must be an email",
           "a message naming the last segment reads with the full path, once");
    is_int(submit_answer(401,
                         "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Invalid "
                         "credentials\"}",
                         &msg),
           EC_V_AUTH, "401 -> AUTH");
    is_str(msg.p, "Invalid credentials", "401 message");
    is_int(submit_answer(403, "{\"statusCode\":403,\"error\":\"Forbidden\"}", &msg), EC_V_AUTH,
           "403 -> AUTH");
    is_str(msg.p, "Forbidden", "error text when there is no message");
    is_int(submit_answer(402,
                         "{\"statusCode\":402,\"error\":\"Payment Required\",\"message\":"
                         "\"Insufficient credits\"}",
                         &msg),
           EC_V_CREDITS, "402 -> CREDITS");
    is_int(submit_answer(429, "{\"statusCode\":429,\"message\":\"Too Many Requests\"}", &msg),
           EC_V_RETRY, "429 -> RETRY");
    is_int(submit_answer(500, "oops", &msg), EC_V_RETRY, "500 -> RETRY");
    is_str(msg.p, "http_500", "unreadable error body: http_<status>");
    is_int(submit_answer(202, "{\"id\":\"op_1\",", &msg), EC_V_BAD_RESPONSE,
           "malformed JSON -> BAD_RESPONSE");
    is_int(submit_answer(202, "{\"status\":\"queued\"}", &msg), EC_V_BAD_RESPONSE,
           "202 naming no operation -> BAD_RESPONSE");
    is_int(submit_answer(200, "{\"data\":{\"contact\":{\"email\":[\"x@y.com\"]}}}", &msg),
           EC_V_BAD_RESPONSE, "a bare data answer to a batch of two cannot be placed");
    ec_buf_free(&msg);
}

int main(void)
{
    is_str(P->name, "thehog", "registered name");
    ok(P->key_vars[0] && strcmp(P->key_vars[0], "THEHOG_API_KEY") == 0 && P->key_vars[1] &&
           strcmp(P->key_vars[1], "THEHOG_ACCESS_KEY") == 0 && P->key_vars[2] &&
           strcmp(P->key_vars[2], "THEHOG_SECRET_KEY") == 0 && !P->key_vars[3],
       "key variables");
    ok(P->max_batch == 100 && P->idempotent_submit == 1, "100 per batch, idempotent submit");
    test_choose();
    test_submit_body();
    test_sync();
    test_poll_urls();
    test_async_cycle();
    test_nestings();
    test_verdicts();
    return tap_done();
}
