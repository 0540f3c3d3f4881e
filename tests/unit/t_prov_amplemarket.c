/* t_prov_amplemarket.c - Amplemarket provider ops driven with canned answers:
 * submit body, auth, poll cycle, pagination, echo matching, verdicts,
 * checkpoint and resume. No network. */
#include "config.h"
#include "provider.h"
#include "tap.h"

#include <stdlib.h>

extern const ec_provider ec_prov_amplemarket;
static const ec_provider *P = &ec_prov_amplemarket;

#define PROV_HARNESS_STEP
#include "prov_harness.h"

/* ---------------------------------------------------------------- harness */

static ec_lookup *lookup(const char *email, const char *li, const char *name, const char *cname,
                         const char *cdomain, const char *title)
{
    ec_lookup *lk = ec_xcalloc(1, sizeof *lk);
    lk->key = "k";
    lk->id[EC_F_EMAIL] = email;
    lk->id[EC_F_LINKEDIN_URL] = li;
    lk->id[EC_F_NAME] = name;
    lk->id[EC_F_COMPANY_NAME] = cname;
    lk->id[EC_F_COMPANY_DOMAIN] = cdomain;
    lk->id[EC_F_TITLE] = title;
    return lk;
}

/* ---------------------------------------------------------------- tests */

static void test_choose(void)
{
    const char *v[EC_F_COUNT] = {0}, *c[EC_F_COUNT];
    v[EC_F_TITLE] = "CTO";
    ok(!P->choose(v, c), "title alone is not an identifier");
    v[EC_F_NAME] = "Ann Lee";
    ok(!P->choose(v, c), "name and title without a company are not enough");
    v[EC_F_COMPANY_DOMAIN] = "acme.com";
    ok(P->choose(v, c), "name with company domain is usable");
    is_str(c[EC_F_TITLE], "CTO", "title rides along with another identifier");
    memset(v, 0, sizeof v);
    v[EC_F_EMAIL] = "a@b.com";
    v[EC_F_UID] = "u1";
    v[EC_F_X_HANDLE] = "ann";
    ok(P->choose(v, c), "email alone is usable");
    ok(c[EC_F_UID] == NULL && c[EC_F_X_HANDLE] == NULL,
       "keys Amplemarket does not take are dropped");
    memset(v, 0, sizeof v);
    v[EC_F_FIRST_NAME] = "Ann";
    v[EC_F_LAST_NAME] = "Lee";
    v[EC_F_COMPANY_NAME] = "Acme";
    ok(P->choose(v, c) && c[EC_F_FIRST_NAME] && c[EC_F_LAST_NAME],
       "first + last name with a company is usable");
}

static void test_submit_body(void)
{
    ec_lookup *items[5] = {
        lookup("ann@acme.com", NULL, "Ann Lee", "Acme", NULL, "CTO"),
        lookup(NULL, "linkedin.com/in/bob", NULL, NULL, NULL, NULL),
        lookup(NULL, NULL, "Cy Dee", NULL, "cy.io", NULL),
        lookup(NULL, NULL, NULL, NULL, NULL, "CEO"),
        lookup(NULL, NULL, NULL, "Dee Co", NULL, NULL),
    };
    items[1]->id[EC_F_UID] = "u-should-not-go";
    items[4]->id[EC_F_FIRST_NAME] = "Di";
    items[4]->id[EC_F_LAST_NAME] = "Ng";
    ec_batch b;
    batch_init(&b, items, 5, EC_WANT_EMAIL);
    ec_pctx ctx = {.base_url = "http://127.0.0.1:9", .fields = EC_WANT_EMAIL};
    ec_auth auth = {"sekret-key-123", NULL};
    ec_reqs out = {0};
    ec_buf msg = {0};
    ok(P->start(&ctx, &auth, &b, &out, &msg) == 0, "start succeeds");
    is_int(out.n, 1, "one request");
    is_str(out.v[0].method, "POST", "a POST");
    is_str(out.v[0].url, "/people/enrichment-requests", "to the enrichment-requests path");
    is_int(out.v[0].paid, 1, "marked paid");
    is_str(out.v[0].body,
           "{\"leads\":[{\"email\":\"ann@acme.com\",\"company_name\":\"Acme\",\"name\":\"Ann Lee\","
           "\"title\":\"CTO\"},{\"linkedin_url\":\"https://www.linkedin.com/in/bob\"},"
           "{\"company_domain\":\"cy.io\",\"name\":\"Cy Dee\"},"
           "{\"company_name\":\"Dee Co\",\"name\":\"Di Ng\"}],"
           "\"reveal_email\":true,\"reveal_phone_numbers\":false}",
           "body: whitelisted keys only, full LinkedIn URL, name from first+last, reveal flags");
    ok(strstr(out.v[0].body, "sekret") == NULL && strstr(out.v[0].url, "sekret") == NULL,
       "the key is in neither URL nor body");
    ok(items[3]->done && items[3]->out.status == EC_ST_SKIPPED_NO_ID,
       "a title-only lookup is skipped, not sent");

    ec_values h = {0};
    P->auth_headers(&auth, &out.v[0], &h);
    is_int(h.n, 1, "one auth header");
    is_str(h.n ? h.v[0] : NULL, "Authorization: Bearer sekret-key-123", "bearer header");
    ec_values_free(&h);
    ec_auth bad = {"abc\r\nX-Evil: 1", NULL};
    P->auth_headers(&bad, &out.v[0], &h);
    is_int(h.n, 0, "a key holding CR/LF makes no header");
    ec_values_free(&h);
    ec_reqs_free(&out);

    b.fields = EC_WANT_PHONE;
    P->free_state(&b);
    P->start(&ctx, &auth, &b, &out, &msg);
    ok(out.n && strstr(out.v[0].body, "\"reveal_email\":false,\"reveal_phone_numbers\":true"),
       "phone only: reveal flags follow the fields");
    ec_reqs_free(&out);
    ec_buf_free(&msg);
    batch_done(&b);
}

/* Submit, poll queued -> processing -> completed, then pages 2 and 3. */
static void test_poll_and_pages(void)
{
    ec_lookup *items[4] = {
        lookup("ann@acme.com", NULL, "Ann Lee", "Acme", NULL, NULL),
        lookup(NULL, "linkedin.com/in/bob", NULL, NULL, NULL, NULL),
        lookup(NULL, NULL, "Cy Dee", NULL, "cy.io", NULL),
        lookup("dan@d.com", NULL, NULL, NULL, NULL, NULL),
    };
    ec_batch b;
    batch_init(&b, items, 4, EC_WANT_EMAIL | EC_WANT_PHONE);
    ec_pctx ctx = {.base_url = "http://127.0.0.1:9", .fields = EC_WANT_EMAIL | EC_WANT_PHONE};
    ec_auth auth = {"k", NULL};
    ec_reqs out = {0};
    ec_buf msg = {0}, tmp = {0};
    size_t nmore;
    P->start(&ctx, &auth, &b, &out, &msg);
    ec_request req = out.v[0];
    out.v[0].url = out.v[0].body = NULL;
    ec_reqs_free(&out);

    enum ec_verdict v =
        step(&ctx, &b, &req,
             answer(202, "{\"id\":18,\"object\":\"person_enrichment\","
                         "\"status\":\"queued\",\"results\":[],\"_links\":"
                         "{\"self\":{\"href\":\"/people/enrichment-requests/18\"}}}"),
             &nmore, &msg);
    is_int(v, EC_V_OK, "202 accepted");
    is_int(nmore, 1, "one poll follows");
    is_str(req.method, "GET", "poll is a GET");
    is_str(req.url, "/people/enrichment-requests/18", "poll follows _links.self.href");
    is_int(req.paid, 0, "poll is not paid");
    ok(req.delay == 5.0, "default poll interval is 5 s (got %g)", req.delay);

    char *cp = P->checkpoint(&b);
    ok(cp && strstr(cp, "\"/people/enrichment-requests/18\"") && strstr(cp, "\"18\""),
       "checkpoint names the job and its poll URL");

    ctx.poll_interval = 0.25;
    v = step(&ctx, &b, &req, answer(200, "{\"id\":18,\"status\":\"queued\",\"results\":[]}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1 && req.delay == 0.25, "queued: poll again at --poll-interval");
    ec_response ra = answer(200, "{\"id\":18,\"status\":\"processing\",\"results\":[]}");
    ra.retry_after = 7;
    v = step(&ctx, &b, &req, ra, &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1 && req.delay == 7, "processing: Retry-After stretches the delay");
    v = step(&ctx, &b, &req, answer(200, "{\"id\":18,\"status\":\"reticulating\",\"results\":[]}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1, "an unknown job status is not terminal: poll again");
    is_str(req.url, "/people/enrichment-requests/18", "still polling the job");

    /* page 1: bob (not_found, null result) plus a decoy nobody asked for */
    v = step(&ctx, &b, &req,
             answer(200, "{\"id\":18,\"status\":\"completed\",\"results\":["
                         "{\"id\":9,\"status\":\"enriched\",\"email\":\"zed@zz.com\","
                         "\"result\":{\"email\":\"zed@found.com\"}},"
                         "{\"id\":2,\"status\":\"not_found\",\"linkedin_url\":"
                         "\"https://www.linkedin.com/in/Bob/\",\"email\":null,\"result\":null}],"
                         "\"_links\":{\"self\":{\"href\":\"/people/enrichment-requests/18\"},"
                         "\"next\":{\"href\":\"/people/enrichment-requests/18?page[after]=2\"}}}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1, "completed: the next page is fetched");
    is_str(req.url, "/people/enrichment-requests/18?page[after]=2",
           "next page URL from _links.next");
    ok(req.paid == 0 && req.delay == 0, "a page read is free and immediate");
    ok(items[1]->done, "bob answered on page 1");
    is_str(status_of(items[1], &tmp), "not_found", "null result -> not_found");
    ok(!items[0]->done && !items[2]->done && !items[3]->done, "the decoy matched nobody");

    /* page 2: Ann, echo differs in case only; her echoed input email is not a find */
    v = step(&ctx, &b, &req,
             answer(200, "{\"id\":18,\"status\":\"completed\",\"results\":["
                         "{\"id\":1,\"status\":\"enriched\",\"email\":\"ANN@acme.com\","
                         "\"name\":\"ann  lee\",\"company_name\":\"ACME\",\"linkedin_url\":null,"
                         "\"result\":{\"id\":\"u\",\"object\":\"person\",\"linkedin_url\":\"x\","
                         "\"email\":null,\"phone_numbers\":[{\"object\":\"phone_number\","
                         "\"number\":\"+1 555 0100\",\"type\":\"mobile\"}]}}],"
                         "\"_links\":{\"self\":{\"href\":\"/x\"},"
                         "\"next\":{\"href\":\"https://api.amplemarket.com/people/"
                         "enrichment-requests/18?page[after]=1\"}}}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 1, "page 2 read, page 3 asked for");
    is_str(req.url, "/people/enrichment-requests/18?page[after]=1",
           "an absolute next link is reduced to its path (requests stay on the base URL)");
    is_str(status_of(items[0], &tmp), "enriched", "ann enriched (phone found)");
    is_int(items[0]->out.emails.n, 0, "the echoed input email is NOT reported as found");
    is_str(items[0]->out.phones.n ? items[0]->out.phones.v[0] : NULL, "+1 555 0100",
           "phone from result.phone_numbers[].number");

    /* page 3: Cy, matched by name + domain in another spelling; dan never answered */
    v = step(&ctx, &b, &req,
             answer(200, "{\"id\":18,\"status\":\"completed\",\"results\":["
                         "{\"id\":3,\"status\":\"enriched\",\"name\":\"Cy Dee\","
                         "\"company_domain\":\"https://www.CY.io/\",\"email\":null,"
                         "\"result\":{\"email\":\"cy@cy.io\",\"phone_numbers\":null}}],"
                         "\"_links\":{\"self\":{\"href\":\"/x\"}}}"),
             &nmore, &msg);
    ok(v == EC_V_OK && nmore == 0, "last page: nothing more to send");
    is_str(status_of(items[2], &tmp), "enriched", "cy enriched");
    is_str(items[2]->out.emails.n ? items[2]->out.emails.v[0] : NULL, "cy@cy.io",
           "email from result.email");
    is_str(status_of(items[3], &tmp), "failed:no_result",
           "a lookup the completed job never answered fails no_result");

    /* resume from the checkpoint in a fresh batch: polls, never submits */
    ec_batch b2;
    ec_lookup *items2[1] = {lookup("ann@acme.com", NULL, NULL, NULL, NULL, NULL)};
    batch_init(&b2, items2, 1, EC_WANT_EMAIL);
    ok(P->resume(&ctx, &b2, cp, &out, &msg) == 0, "resume accepts the checkpoint");
    ok(out.n == 1 && strcmp(out.v[0].method, "GET") == 0 && out.v[0].paid == 0 &&
           strcmp(out.v[0].url, "/people/enrichment-requests/18") == 0,
       "resume polls the same job");
    ec_reqs_free(&out);
    ok(P->resume(&ctx, &b2, "garbage", &out, &msg) == -1 && out.n == 0,
       "an unreadable checkpoint is refused");
    batch_done(&b2);
    free(cp);
    ec_request_free(&req);
    ec_buf_free(&msg);
    ec_buf_free(&tmp);
    batch_done(&b);
}

/* Echo matching prefers the lookup whose every sent field came back. */
static void test_exact_match(void)
{
    ec_lookup *items[2] = {
        lookup("x@y.com", NULL, "Ann Lee", "Acme", NULL, NULL),
        lookup("x@y.com", NULL, NULL, NULL, NULL, NULL),
    };
    ec_batch b;
    batch_init(&b, items, 2, EC_WANT_EMAIL);
    ec_pctx ctx = {.fields = EC_WANT_EMAIL};
    ec_buf msg = {0}, tmp = {0};
    size_t nmore;
    ec_request req = {"GET", ec_xstrdup("/people/enrichment-requests/5"), NULL, 0, 2, 0, 0, 0};
    enum ec_verdict v = step(
        &ctx, &b, &req,
        answer(200,
               "{\"id\":5,\"status\":\"completed\",\"results\":["
               "{\"status\":\"enriched\",\"email\":\"x@y.com\",\"result\":{\"email\":\"short@y."
               "com\"}},"
               "{\"status\":\"enriched\",\"email\":\"x@y.com\",\"name\":\"Ann Lee\","
               "\"company_name\":\"Acme\",\"title\":null,\"result\":{\"email\":\"full@y.com\"}}]}"),
        &nmore, &msg);
    is_int(v, EC_V_OK, "answer read");
    is_str(items[0]->out.emails.n ? items[0]->out.emails.v[0] : NULL, "full@y.com",
           "email+name+company lookup gets the result echoing all three");
    is_str(items[1]->out.emails.n ? items[1]->out.emails.v[0] : NULL, "short@y.com",
           "email-only lookup gets the result echoing only the email");
    ec_buf_free(&msg);
    ec_buf_free(&tmp);
    batch_done(&b);
}

static enum ec_verdict one_answer(long status, const char *body, ec_buf *msg, ec_lookup **lk)
{
    ec_lookup *items[1] = {lookup("a@b.com", NULL, NULL, NULL, NULL, NULL)};
    ec_batch b;
    batch_init(&b, items, 1, EC_WANT_EMAIL);
    ec_pctx ctx = {.fields = EC_WANT_EMAIL};
    ec_auth auth = {"k", NULL};
    ec_reqs out = {0};
    P->start(&ctx, &auth, &b, &out, msg);
    ec_request req = out.v[0];
    out.v[0].url = out.v[0].body = NULL;
    ec_reqs_free(&out);
    size_t nmore;
    enum ec_verdict v = step(&ctx, &b, &req, answer(status, body), &nmore, msg);
    ec_request_free(&req);
    if (lk) {
        *lk = ec_xcalloc(1, sizeof **lk);
        ec_outcome_copy(&(*lk)->out, &items[0]->out);
        (*lk)->done = items[0]->done;
    }
    batch_done(&b);
    return v;
}

static void test_verdicts(void)
{
    ec_buf msg = {0}, tmp = {0};
    is_int(one_answer(400,
                      "{\"_errors\":[{\"code\":\"missing_field\",\"title\":\"Missing Field\","
                      "\"detail\":\"Missing field from request: leads\",\"source\":{\"pointer\":"
                      "\"/leads\"}}],\"object\":\"error\"}",
                      &msg, NULL),
           EC_V_FAIL, "400 -> FAIL");
    is_str(msg.p, "Missing field from request: leads", "400 message is the error detail");
    is_int(one_answer(400, "{\"_errors\":[{\"code\":\"unsupported_value\"}],\"object\":\"error\"}",
                      &msg, NULL),
           EC_V_FAIL, "400 without detail -> FAIL");
    is_str(msg.p, "unsupported_value", "message falls back to the code");
    is_int(one_answer(401,
                      "{\"_errors\":[{\"code\":\"unauthorized\",\"title\":\"Unauthorized\","
                      "\"detail\":\"Invalid API key\"}],\"object\":\"error\"}",
                      &msg, NULL),
           EC_V_AUTH, "401 -> AUTH");
    is_int(one_answer(403, "", &msg, NULL), EC_V_AUTH, "403 without body -> AUTH");
    is_str(msg.p, "http_403", "no body: http_<status>");
    is_int(one_answer(402,
                      "{\"_errors\":[{\"code\":\"insufficient_credits\",\"title\":\"Insufficient "
                      "Credits\",\"detail\":\"You do not have enough credits to perform this "
                      "operation.\"}],\"object\":\"error\"}",
                      &msg, NULL),
           EC_V_CREDITS, "402 -> CREDITS");
    is_str(msg.p, "You do not have enough credits to perform this operation.", "402 message");
    is_int(one_answer(422, "{\"_errors\":[{\"code\":\"insufficient_credits\",\"detail\":\"no\"}]}",
                      &msg, NULL),
           EC_V_CREDITS, "code insufficient_credits on another 4xx -> CREDITS");
    is_int(one_answer(429, "", &msg, NULL), EC_V_RETRY, "429 -> RETRY");
    is_int(one_answer(500,
                      "{\"_errors\":[{\"code\":\"internal_server_error\",\"title\":\"Internal "
                      "Server Error\",\"detail\":\"Something went wrong.\"}],\"object\":\"error\"}",
                      &msg, NULL),
           EC_V_RETRY, "500 -> RETRY");
    is_str(msg.p, "Something went wrong.", "500 message");
    is_int(one_answer(202, "{\"id\":18,\"status\":", &msg, NULL), EC_V_BAD_RESPONSE,
           "truncated JSON -> BAD_RESPONSE");
    is_int(one_answer(202, "[1,2]", &msg, NULL), EC_V_BAD_RESPONSE, "non-object -> BAD_RESPONSE");
    is_int(one_answer(202, "{\"status\":\"queued\",\"results\":[]}", &msg, NULL), EC_V_BAD_RESPONSE,
           "202 without a job id -> BAD_RESPONSE");
    is_str(msg.p, "no job id in the answer", "says why");

    ec_lookup *lk = NULL;
    is_int(one_answer(202,
                      "{\"id\":4,\"status\":\"error\",\"_errors\":[{\"code\":\"boom\",\"title\":"
                      "\"Boom\",\"detail\":\"Upstream exploded\"}],\"results\":[]}",
                      &msg, &lk),
           EC_V_OK, "a job in status error is terminal");
    is_str(status_of(lk, &tmp), "failed:Upstream exploded", "its lookups fail with the job error");
    ec_outcome_clear(&lk->out);
    free(lk);
    is_int(one_answer(202,
                      "{\"id\":4,\"status\":\"canceled\",\"results\":[{\"status\":\"enriched\","
                      "\"email\":\"a@b.com\",\"result\":{\"email\":\"found@b.com\"}}]}",
                      &msg, &lk),
           EC_V_OK, "a canceled job is terminal");
    is_str(status_of(lk, &tmp), "enriched", "results a canceled job carries are still read");
    ec_outcome_clear(&lk->out);
    free(lk);
    is_int(
        one_answer(202,
                   "{\"id\":4,\"status\":\"completed\",\"results\":[{\"status\":\"gdpr_removed\","
                   "\"email\":\"a@b.com\",\"result\":{\"email\":\"x@b.com\"}}]}",
                   &msg, &lk),
        EC_V_OK, "gdpr_removed read");
    is_str(status_of(lk, &tmp), "not_found", "gdpr_removed -> not_found");
    ec_outcome_clear(&lk->out);
    free(lk);
    is_int(one_answer(202,
                      "{\"id\":4,\"status\":\"completed\",\"results\":[{\"status\":\"enriched\","
                      "\"result\":{\"email\":\"solo@b.com\"}}]}",
                      &msg, &lk),
           EC_V_OK, "a result echoing nothing");
    is_str(lk->out.emails.n ? lk->out.emails.v[0] : NULL, "solo@b.com",
           "is placed only because the batch has a single lead");
    ec_outcome_clear(&lk->out);
    free(lk);
    is_int(one_answer(202, "{\"id\":4,\"status\":\"canceled\",\"results\":[]}", &msg, &lk), EC_V_OK,
           "canceled without results");
    is_str(status_of(lk, &tmp), "failed:canceled", "unanswered lookups of a canceled job fail");
    ec_outcome_clear(&lk->out);
    free(lk);

    /* transport failure */
    ec_lookup *items[1] = {lookup("a@b.com", NULL, NULL, NULL, NULL, NULL)};
    ec_batch b;
    batch_init(&b, items, 1, EC_WANT_EMAIL);
    ec_pctx ctx = {.fields = EC_WANT_EMAIL};
    ec_request req = {"GET", ec_xstrdup("/people/enrichment-requests/5"), NULL, 0, 2, 0, 0, 0};
    ec_response r = {0, NULL, 0, "timeout", -1};
    ec_reqs out = {0};
    ec_buf_clear(&msg);
    is_int(P->handle(&ctx, &b, &req, &r, &out, &msg), EC_V_RETRY, "no answer -> RETRY");
    is_str(msg.p, "timeout", "transport reason passed on");
    ec_buf_clear(&msg);
    ec_response r2 = answer(200, "{\"id\":5,\"results\":[]}");
    is_int(P->handle(&ctx, &b, &req, &r2, &out, &msg), EC_V_BAD_RESPONSE,
           "a poll answer without status -> BAD_RESPONSE");
    ec_reqs_free(&out);
    ec_request_free(&req);
    batch_done(&b);
    ec_buf_free(&msg);
    ec_buf_free(&tmp);
}

int main(void)
{
    is_str(P->name, "amplemarket", "registered name");
    is_str(P->key_vars[0], "AMPLEMARKET_API_KEY", "key variable");
    ok(P->max_batch == 1000 && P->idempotent_submit == 0 && P->can_resubmit_free == 0,
       "limits: 1000 per batch, re-submitting is never free");
    test_choose();
    test_submit_body();
    test_poll_and_pages();
    test_exact_match();
    test_verdicts();
    return tap_done();
}
