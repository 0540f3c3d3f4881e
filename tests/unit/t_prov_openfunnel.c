/* t_prov_openfunnel.c - the OpenFunnel provider driven with canned answers:
 * enum checks, discovery and enrichment request bodies, fan-out order,
 * people_ids vs result, zero people, chunks of 500, PERSON_NOT_FOUND
 * bisection, ACCOUNT_NOT_FOUND isolation, credit and HTTP verdicts,
 * checkpoint and resume. No network. */
#include "config.h"
#include "json.h"
#include "prov_openfunnel.h"
#include "provider.h"
#include "tap.h"
#include "prov_harness.h"
#include "writer.h"

#include <stdio.h>
#include <stdlib.h>

extern const ec_provider ec_prov_openfunnel;

/* ---------------------------------------------------------------- tests */

#define ALL_DEPTS                                                                                  \
    "[\"ENGINEERING\",\"PRODUCT\",\"DATA\",\"SALES\",\"MARKETING\",\"OPERATIONS\",\"FINANCE\","    \
    "\"HR\",\"LEGAL\",\"EXECUTIVE\",\"CUSTOMER_SUCCESS\",\"SECURITY\",\"IT\",\"OTHER\"]"
#define ALL_SENIOR                                                                                 \
    "[\"FOUNDER\",\"CXO\",\"PARTNER\",\"VP\",\"HEAD\",\"DIRECTOR\",\"MANAGER\",\"SENIOR\","        \
    "\"ENTRY\",\"INTERN\"]"
#define FAST "/api/v1/enrich/fast-people-enrichment"
#define PEOPLE "/api/v1/enrich/people"

static void test_enums(void)
{
    ec_buf err = {0};
    is_int(ec_openfunnel_check_enum("vp, Director,CXO", 0, &err), 0, "seniority list accepted");
    is_int(ec_openfunnel_check_enum("customer success,it", 1, &err), 0,
           "department: case and space folded");
    is_int(ec_openfunnel_check_enum(NULL, 1, &err), 0, "not given passes");
    is_int(ec_openfunnel_check_enum("VP,CEO", 0, &err), -1, "unknown seniority refused");
    ok(strstr(err.p, "'CEO'") && strstr(err.p, "FOUNDER"), "message names the item and values");
    ec_buf_clear(&err);
    is_int(ec_openfunnel_check_enum("SALES", 0, &err), -1, "a department is no seniority");
    ec_buf_clear(&err);
    is_int(ec_openfunnel_check_enum(" , ", 1, &err), -1, "an empty list is refused");
    ok(strstr(ec_openfunnel_enum_values(1), "CUSTOMER_SUCCESS") != NULL, "enum values listed");
    ec_buf_free(&err);
}

static void test_start_bodies(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 3, EC_WANT_EMAIL | EC_WANT_PHONE);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "123";
    h.b.items[1]->id[EC_F_ACCOUNT_ID] = "00456";
    h.b.items[2]->id[EC_F_ACCOUNT_ID] = "12ab";
    h.ctx.seniority = "vp,cxo,VP";
    is_int(h_start(&h), 0, "start");
    is_int(h.q.n, 2, "one discovery POST per valid account");
    is_str(h.q.v[0].method, "POST", "discovery is a POST");
    is_str(h.q.v[0].url, FAST, "discovery path");
    is_int(h.q.v[0].paid, 2, "discovery is paid, and free to send again (billed per new person)");
    is_str(h.q.v[0].body,
           "{\"account_id\":123,\"seniority_filters\":[\"VP\",\"CXO\"],\"department_"
           "filters\":" ALL_DEPTS ",\"audience_name\":null}",
           "body: integer id, filters deduped, every department by default, no credit limit");
    ok(strncmp(h.q.v[1].body, "{\"account_id\":456,", 18) == 0, "leading zeros dropped");
    is_str(st(&h, 2), "failed:bad_account_id", "a non-numeric account id fails alone");
    is_int(h.b.items[2]->done, 1, "and is done");

    ec_values hd = {0};
    h.p->auth_headers(&h.auth, &h.q.v[0], &hd);
    is_int(hd.n, 3, "three headers on a POST");
    is_str(hd.v[0], "X-API-Key: of_KEY", "API key header");
    is_str(hd.v[1], "X-User-ID: me@example.com", "user id header");
    is_str(hd.v[2], "Content-Type: application/json", "content type");
    ec_values_free(&hd);
    h_free(&h);

    h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "7";
    h.ctx.department = "sales";
    h.ctx.audience = "Q4 \"list\"";
    h.ctx.max_credit_limit = 50;
    h_start(&h);
    is_str(h.q.v[0].body,
           "{\"account_id\":7,\"seniority_filters\":" ALL_SENIOR
           ",\"department_filters\":[\"SALES\"],\"audience_name\":\"Q4 \\\"list\\\"\","
           "\"max_credit_limit\":50}",
           "every seniority by default, audience escaped, credit limit");
    h_free(&h);

    h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "7";
    h.ctx.seniority = "BOSS";
    is_int(h_start(&h), -1, "start refuses a bad enum");
    ok(strstr(h.msg.p, "BOSS") != NULL, "and says which");
    h_free(&h);
}

/* Drive account i's discovery to completed with body. */
static void discover(harness *h, const char *account, const char *job, const char *done_body)
{
    char want[128];
    snprintf(want, sizeof want, "{\"account_id\":%s,", account);
    long k = -1;
    for (size_t n = 0; n < h->q.n && k < 0; n++)
        if (h->q.v[n].body && strncmp(h->q.v[n].body, want, strlen(want)) == 0)
            k = (long)n;
    char ans[128];
    snprintf(ans, sizeof ans, "{\"job_id\":\"%s\",\"message\":\"ok\",\"status\":\"pending\"}", job);
    is_int(h_answer(h, k, 200, ans), EC_V_OK, "discovery accepted");
    char url[128];
    snprintf(url, sizeof url, FAST "/%s", job);
    long p = h_find(h, "GET", url);
    ok(p >= 0, "poll %s queued", url);
    is_int(h_answer(h, p, 200, done_body), EC_V_OK, "discovery poll answered");
}

static void test_fan_out(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 3, EC_WANT_EMAIL | EC_WANT_PHONE);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
    h.b.items[1]->id[EC_F_ACCOUNT_ID] = "2";
    h.b.items[2]->id[EC_F_ACCOUNT_ID] = "3";
    h_start(&h);
    /* account 1: running first, then completed with people_ids */
    h_answer(&h, 0, 200, "{\"job_id\":\"j1\",\"status\":\"pending\"}");
    long p = h_find(&h, "GET", FAST "/j1");
    ok(p >= 0 && h.q.v[p].delay == 3.0 && h.q.v[p].paid == 0, "poll after 3 s, free");
    h_answer(&h, p, 200, "{\"job_id\":\"j1\",\"status\":\"running\",\"people_ids\":null}");
    p = h_find(&h, "GET", FAST "/j1");
    ok(p >= 0, "running: polled again");
    h_answer(&h, p, 200,
             "{\"job_id\":\"j1\",\"status\":\"completed\",\"progress\":{\"total_found\":3,"
             "\"credits_used\":3},\"people_ids\":[103,101,102]}");
    is_int(h_count(&h, "POST", PEOPLE), 0, "no enrichment before every account is settled");
    discover(
        &h, "2", "j2",
        "{\"status\":\"completed\",\"result\":[\"102\",104],\"progress\":{\"credits_used\":1}}");
    discover(&h, "3", "j3", "{\"status\":\"completed\",\"people_ids\":[]}");
    long e = h_find(&h, "POST", PEOPLE);
    is_int(h_count(&h, "POST", PEOPLE), 1, "one enrichment job for the batch");
    is_str(h.q.v[e].body,
           "{\"people_ids\":[103,101,102,104],\"enrich_emails\":true,\"enrich_phones\":true}",
           "people of every account, each once, discovery order");
    is_int(h.q.v[e].paid, 1, "enrichment is paid");
    h_answer(&h, e, 200, "{\"job_id\":\"e1\",\"status\":\"pending\",\"total_people\":4}");
    p = h_find(&h, "GET", PEOPLE "/e1");
    ok(p >= 0, "enrichment polled");
    h_answer(&h, p, 200, "{\"job_id\":\"e1\",\"status\":\"running\",\"result\":null}");
    p = h_find(&h, "GET", PEOPLE "/e1");
    is_int(h_answer(&h, p, 200,
                    "{\"job_id\":\"e1\",\"status\":\"completed\",\"credits_used\":{\"emails\":2,"
                    "\"phones\":1,\"total\":3},\"result\":["
                    "{\"person_id\":104,\"status\":\"not_found\",\"person_name\":\"Dee\","
                    "\"linkedin_url\":null,\"email\":null,\"phone_number\":null},"
                    "{\"person_id\":101,\"status\":\"enriched\",\"person_name\":\"Ann\","
                    "\"linkedin_url\":\"https://linkedin.com/in/ann\",\"email\":\"ann@x.example\","
                    "\"phone_number\":\"+15550100\"},"
                    "{\"person_id\":102,\"status\":\"already_enriched\",\"person_name\":\"Bob\","
                    "\"email\":\"bob@x.example\"},"
                    "{\"person_id\":103,\"status\":\"enriched\",\"person_name\":\"Cy\","
                    "\"email\":\"cy@x.example\",\"phone_number\":null}]}"),
           EC_V_OK, "results taken");
    is_int(h.q.n, 0, "nothing left to send");
    ec_lookup *a = h.b.items[0], *b2 = h.b.items[1], *c = h.b.items[2];
    ok(a->done && b2->done && c->done, "every account done");
    is_str(st(&h, 0), "enriched", "account 1 enriched");
    is_int(a->out.has_people, 1, "fans out");
    is_int(a->out.npeople, 3, "three people");
    is_str(a->out.people[0].id, "103", "discovery order kept (1st)");
    is_str(a->out.people[1].id, "101", "discovery order kept (2nd)");
    is_str(a->out.people[2].name, "Bob", "name");
    is_str(a->out.people[1].emails.v[0], "ann@x.example", "email");
    is_str(a->out.people[1].phones.v[0], "+15550100", "phone");
    is_str(a->out.people[1].linkedin_url, "https://linkedin.com/in/ann", "linkedin");
    is_int(a->out.people[0].phones.n, 0, "null phone tolerated");
    is_int(a->out.people[2].phones.n, 0, "missing phone tolerated");
    is_str(a->out.people[2].status, "already_enriched", "per-person status kept opaque");
    is_int(b2->out.npeople, 2, "account 2: people from \"result\"");
    is_str(b2->out.people[0].id, "102", "shared person in account 2 too");
    is_str(b2->out.people[1].status, "not_found", "person without contacts");
    is_int(b2->out.people[1].emails.n, 0, "null email tolerated");
    is_str(st(&h, 2), "not_found", "zero people: not_found");
    is_int(c->out.has_people, 1, "zero people still a fan-out outcome");
    is_int(c->out.npeople, 0, "with no people");
    ok(h.b.credits == 3 + 1 + 3, "credits: discovery + enrichment");
    h_free(&h);
}

/* The discovery poll's "result" is [U]: ids, or person objects. */
static void test_result_objects(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "5";
    h_start(&h);
    discover(&h, "5", "j5",
             "{\"status\":\"completed\",\"result\":[{\"person_id\":51,\"name\":\"A\"},"
             "{\"id\":\"52\"},{\"people_id\":53},{\"nothing\":1},54]}");
    long e = h_find(&h, "POST", PEOPLE);
    ok(e >= 0 && strstr(h.q.v[e].body, "[51,52,53,54]") != NULL,
       "result as person objects: person_id, id, people_id (and plain ids) all read");
    h_free(&h);
}

static void test_chunks(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "9";
    h_start(&h);
    ec_buf body = {0};
    ec_buf_puts(&body, "{\"status\":\"completed\",\"people_ids\":[");
    for (int i = 1; i <= 1201; i++)
        ec_buf_printf(&body, "%s%d", i > 1 ? "," : "", i);
    ec_buf_puts(&body, "]}");
    discover(&h, "9", "j9", body.p);
    ec_buf_free(&body);
    is_int(h_count(&h, "POST", PEOPLE), 3, "1201 people: three enrichment jobs");
    int sizes[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        const char *s = h.q.v[k].body;
        sizes[k] = 1;
        for (const char *c = s; *c && *c != ']'; c++)
            sizes[k] += *c == ',';
    }
    ok(sizes[0] == 500 && sizes[1] == 500 && sizes[2] == 201, "chunks of 500, 500, 201");
    ok(strstr(h.q.v[2].body, "\"enrich_emails\":true,\"enrich_phones\":false") != NULL,
       "only the fields asked for");
    h_free(&h);
}

/* Answer every queued enrichment POST: 404 when it holds bad, else a job. */
static int answer_bisect(harness *h, const char *bad, int *jobs)
{
    int posts = 0;
    long k;
    while ((k = h_find(h, "POST", PEOPLE)) >= 0) {
        posts++;
        if (strstr(h->q.v[k].body, bad)) {
            is_int(
                h_answer(h, k, 404,
                         "{\"error_code\":\"PERSON_NOT_FOUND\",\"message\":\"Person not found\"}"),
                EC_V_OK, "PERSON_NOT_FOUND is handled, not a batch failure");
        } else {
            char ans[64];
            snprintf(ans, sizeof ans, "{\"job_id\":\"ok%d\"}", ++*jobs);
            h_answer(h, k, 200, ans);
        }
    }
    return posts;
}

/* The status the writer prints on the line of person k of account lk. */
static void written_status(const ec_lookup *lk, size_t k)
{
    char *names[] = {"Account ID"};
    ec_header hdr = {names, 1};
    ec_writer_opts o = {.format = EC_FMT_CSV, .people = 1};
    ec_writer *w = ec_writer_new(&o, &hdr, EC_FMT_CSV);
    char value[] = "5";
    ec_cell cell = {0, {value, 1}, {value, 1}};
    ec_row row = {.cells = &cell, .ncells = 1};
    ec_outcome_copy(&row.out, &lk->out);
    ec_buf out = {0};
    ec_writer_row(w, &row, &out);
    ec_writer_header(w, &out);
    const char *line = out.p;
    for (size_t n = 0; line && n < k + 1; n++) { /* the header, then persons 0..k-1 */
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
    }
    char *end = line ? strchr(line, '\n') : NULL;
    const char *comma = NULL;
    for (const char *c = line; c && c < end; c++)
        if (*c == ',')
            comma = c;
    char *got = comma ? ec_xstrndup(comma + 1, (size_t)(end - comma - 1)) : NULL;
    is_str(got, lk->out.people[k].status, "the writer prints the failed person's status");
    free(got);
    ec_buf_free(&out);
    ec_outcome_clear(&row.out);
    ec_writer_free(w);
}

static void test_bisect(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "5";
    h_start(&h);
    discover(&h, "5", "j5", "{\"status\":\"completed\",\"people_ids\":[1,2,3,4,5,6,7,8]}");
    long k = h_find(&h, "POST", PEOPLE);
    is_int(h_answer(&h, k, 404, "{\"error_code\":\"PERSON_NOT_FOUND\"}"), EC_V_OK,
           "whole chunk 404");
    is_int(h_count(&h, "POST", PEOPLE), 2, "split in two halves");
    is_str(h.q.v[h_find(&h, "POST", PEOPLE)].body,
           "{\"people_ids\":[1,2,3,4],\"enrich_emails\":true,\"enrich_phones\":false}",
           "first half");
    int jobs = 0;
    int posts = answer_bisect(&h, "7", &jobs);
    is_int(posts, 6, "halves down to the bad id: [1-4] [5-8] [5,6] [7,8] [7] [8]");
    is_int(jobs, 3, "three good chunks became jobs");
    is_int(h_count(&h, "GET", PEOPLE), 3, "each good chunk polled");
    long p;
    while ((p = h_find(&h, "GET", PEOPLE)) >= 0) {
        h_answer(&h, p, 200,
                 "{\"status\":\"completed\",\"result\":[{\"person_id\":1,\"status\":\"enriched\","
                 "\"email\":\"one@x.example\"},{\"person_id\":8,\"status\":\"enriched\","
                 "\"email\":\"eight@x.example\"}]}");
    }
    ec_lookup *a = h.b.items[0];
    ok(a->done, "account done");
    is_str(st(&h, 0), "enriched", "account enriched despite one bad id");
    is_int(a->out.npeople, 8, "all eight people kept, in order");
    is_str(a->out.people[6].id, "7", "the bad one in place");
    is_str(a->out.people[6].status, "failed:person_not_found", "only the bad id failed");
    is_str(a->out.people[7].emails.v[0], "eight@x.example", "its neighbour enriched");
    is_str(a->out.people[3].status, "not_returned", "a person the result left out");
    written_status(a, 6);
    h_free(&h);
}

static void test_errors(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 2, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
    h.b.items[1]->id[EC_F_ACCOUNT_ID] = "2";
    h_start(&h);
    is_int(h_answer(&h, 0, 404,
                    "{\"detail\":{\"error_code\":\"ACCOUNT_NOT_FOUND\",\"message\":\"no such\"}}"),
           EC_V_OK, "ACCOUNT_NOT_FOUND does not fail the batch");
    is_str(st(&h, 0), "failed:account_not_found", "that account failed alone");
    ok(!h.b.items[1]->done, "the other account goes on");
    discover(&h, "2", "j2", "{\"status\":\"completed\",\"people_ids\":[42]}");
    long k = h_find(&h, "POST", PEOPLE);
    is_str(h.q.v[k].body, "{\"people_ids\":[42],\"enrich_emails\":true,\"enrich_phones\":false}",
           "only the found account's people enriched");
    h_answer(&h, k, 200, "{\"job_id\":\"e\"}");
    h_answer(&h, h_find(&h, "GET", PEOPLE "/e"), 200,
             "{\"status\":\"failed\",\"error_message\":\"upstream down\"}");
    is_str(st(&h, 1), "failed:upstream down", "failed enrichment job: account failed, reason kept");
    is_int(h.b.items[1]->out.npeople, 1, "its people still listed");
    h_free(&h);

    h_init(&h, &ec_prov_openfunnel, 2, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
    h.b.items[1]->id[EC_F_ACCOUNT_ID] = "2";
    h_start(&h);
    is_int(h_answer(&h, 0, 400, "{\"error_code\":\"CREDITS_EXCEEDED\",\"message\":\"limit\"}"),
           EC_V_OK, "CREDITS_EXCEEDED on one account: the others go on");
    is_str(st(&h, 0), "skipped:credits", "that account skipped:credits");
    discover(&h, "2", "j2", "{\"status\":\"completed\",\"people_ids\":[4]}");
    h_answer(&h, h_find(&h, "POST", PEOPLE), 402, "{\"detail\":\"Payment required\"}");
    is_str(st(&h, 1), "skipped:credits", "enrichment refused for credits: skipped:credits");
    is_str(h.b.items[1]->out.people[0].status, "skipped:credits", "and so is its person");
    h_free(&h);

    h_init(&h, &ec_prov_openfunnel, 2, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
    h.b.items[1]->id[EC_F_ACCOUNT_ID] = "2";
    h_start(&h);
    h_answer(&h, 0, 400, "{\"error_code\":\"CREDITS_EXCEEDED\"}");
    h_answer(&h, 0, 200, "{\"job_id\":\"j2\"}");
    is_int(h_answer(&h, h_find(&h, "GET", FAST "/j2"), 200,
                    "{\"status\":\"completed\",\"people_ids\":[]}"),
           EC_V_CREDITS, "the answer that settles the batch tells the engine credits ran out");
    is_str(st(&h, 1), "not_found", "the other account settled normally");
    h_free(&h);

    static const struct {
        long status;
        const char *body;
        enum ec_verdict v;
        const char *what;
    } cases[] = {
        {400, "{\"error_code\":\"CREDITS_EXCEEDED\",\"message\":\"Monthly limit\"}", EC_V_CREDITS,
         "CREDITS_EXCEEDED"},
        {401, "{\"detail\":\"Invalid API key\"}", EC_V_AUTH, "401"},
        {403, "", EC_V_AUTH, "403"},
        {402, "{}", EC_V_CREDITS, "402"},
        {429, "{\"error_code\":\"RATE_LIMITED\",\"details\":{\"retry_after_seconds\":5}}",
         EC_V_RETRY, "429"},
        {500, "<html>oops</html>", EC_V_RETRY, "500"},
        {0, NULL, EC_V_RETRY, "transport"},
        {200, "{\"job_id\":", EC_V_BAD_RESPONSE, "malformed JSON"},
        {200, "[1,2]", EC_V_BAD_RESPONSE, "not an object"},
        {200, "{\"status\":\"pending\"}", EC_V_BAD_RESPONSE, "no job id"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
        h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
        h_start(&h);
        is_int(h_answer(&h, 0, cases[c].status, cases[c].body), cases[c].v, "verdict: %s",
               cases[c].what);
        if (cases[c].v != EC_V_OK)
            ok(h.msg.len > 0, "with a reason (%s)", h.msg.p);
        h_free(&h);
    }

    h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
    h.ctx.poll_interval = 300;
    h_start(&h);
    h_answer(&h, 0, 200, "{\"job_id\":\"slow\"}");
    int polls = 0;
    long p;
    while ((p = h_find(&h, "GET", FAST "/slow")) >= 0 && polls < 10) {
        polls++;
        h_answer(&h, p, 200, "{\"status\":\"queued\"}");
    }
    is_int(polls, 3, "unknown status polled until the job timeout (900 s at 300 s)");
    is_str(st(&h, 0), "failed:timeout", "then failed:timeout");
    h_free(&h);
}

/* The wait a 429 body asks for, used when the answer has no Retry-After. */
static double hint(const char *body)
{
    ec_response r = {429, body, strlen(body), NULL, -1};
    return ec_prov_openfunnel.retry_hint(&r);
}

static void test_retry_hint(void)
{
    ok(ec_prov_openfunnel.retry_hint != NULL, "OpenFunnel reads a wait from 429 bodies");
    ok(hint("{\"error_code\":\"RATE_LIMITED\",\"message\":\"slow down\","
            "\"details\":{\"retry_after_seconds\":7}}") == 7,
       "details.retry_after_seconds (the documented envelope)");
    ok(hint("{\"error_code\":\"RATE_LIMITED\",\"retry_after_seconds\":2.5}") == 2.5,
       "retry_after_seconds at the root");
    ok(hint("{\"detail\":{\"code\":\"RATE_LIMITED\",\"retry_after_seconds\":3}}") == 3,
       "under detail (FastAPI style)");
    ok(hint("{\"details\":{\"retry_after_seconds\":1e300}}") == 21600,
       "a huge wait is clamped as Retry-After is (6 h)");
    ok(hint("{\"details\":{\"retry_after_seconds\":-4}}") < 0, "a negative wait is no hint");
    ok(hint("{\"details\":{\"retry_after_seconds\":\"7\"}}") < 0, "a string is no hint");
    ok(hint("{\"error_code\":\"RATE_LIMITED\"}") < 0, "no wait in the body: no hint");
    ok(hint("<html>429</html>") < 0, "not JSON: no hint");
    ok(hint("") < 0, "empty body: no hint");
}

static void test_resume(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 3, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
    h.b.items[1]->id[EC_F_ACCOUNT_ID] = "2";
    h.b.items[2]->id[EC_F_ACCOUNT_ID] = "3";
    h_start(&h);
    h_answer(&h, 0, 200, "{\"job_id\":\"j1\"}");
    h_answer(&h, 1, 404, "{\"error_code\":\"ACCOUNT_NOT_FOUND\"}"); /* account 3 */
    char *cp = h.p->checkpoint(&h.b);
    ok(cp && strstr(cp, "\"j1\""), "checkpoint holds the job id");
    is_int(h_resume(&h, cp), 0, "resume");
    free(cp);
    is_int(h.q.n, 1, "one request to continue");
    is_str(h.q.v[0].method, "GET", "a poll");
    is_str(h.q.v[0].url, FAST "/j1", "of the saved job");
    is_str(st(&h, 1), "failed:uncertain", "an unanswered discovery POST is never re-sent");
    is_str(st(&h, 2), "failed:account_not_found", "a settled failure stays");
    h_answer(&h, 0, 200, "{\"status\":\"completed\",\"people_ids\":[7,8]}");
    h_answer(&h, h_find(&h, "POST", PEOPLE), 200, "{\"job_id\":\"e7\"}");
    cp = h.p->checkpoint(&h.b);
    ok(cp && strstr(cp, "\"e7\""), "checkpoint holds the enrichment job");
    is_int(h_resume(&h, cp), 0, "resume again");
    free(cp);
    is_int(h.q.n, 1, "only one request");
    is_str(h.q.v[0].url, PEOPLE "/e7", "polls the enrichment job");
    is_int(h.q.v[0].paid, 0, "nothing paid again");
    h_answer(&h, 0, 200,
             "{\"status\":\"completed\",\"result\":[{\"person_id\":8,\"status\":\"enriched\","
             "\"email\":\"e@x.example\"}]}");
    is_str(st(&h, 0), "enriched", "finished after resume");
    is_int(h.b.items[0]->out.npeople, 2, "with both people");
    is_str(h.b.items[0]->out.people[1].emails.v[0], "e@x.example", "and the email");
    is_int(h_resume(&h, "garbage"), -1, "an unreadable checkpoint is refused");
    h_free(&h);

    h_init(&h, &ec_prov_openfunnel, 2, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "1";
    h.b.items[1]->id[EC_F_ACCOUNT_ID] = "2";
    h_start(&h);
    h_answer(&h, 0, 400, "{\"error_code\":\"CREDITS_EXCEEDED\"}");
    h_answer(&h, 0, 200, "{\"job_id\":\"j2\"}");
    cp = h.p->checkpoint(&h.b);
    h_resume(&h, cp);
    free(cp);
    is_str(st(&h, 0), "skipped:credits", "skipped:credits survives a resume");
    is_int(h_answer(&h, h_find(&h, "GET", FAST "/j2"), 200,
                    "{\"status\":\"completed\",\"people_ids\":[]}"),
           EC_V_CREDITS, "and is still reported once the batch settles");
    h_free(&h);
}

/* People ids go out as JSON numbers only when they are ones: "051" and
 * ids too long to stay exact become strings, so the body stays valid JSON. */
static void test_people_id_forms(void)
{
    harness h;
    h_init(&h, &ec_prov_openfunnel, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_ACCOUNT_ID] = "3";
    h_start(&h);
    discover(&h, "3", "j3",
             "{\"status\":\"completed\",\"people_ids\":[\"051\",0,7,\"p-9\","
             "\"1234567890123456789\",\"00\"]}");
    long k = h_find(&h, "POST", PEOPLE);
    is_str(k >= 0 ? h.q.v[k].body : NULL,
           "{\"people_ids\":[\"051\",0,7,\"p-9\",\"1234567890123456789\",\"00\"],"
           "\"enrich_emails\":true,\"enrich_phones\":false}",
           "ids: numbers bare, a leading zero, letters or 19 digits quoted");
    ok(k >= 0 && ec_json_check(h.q.v[k].body, strlen(h.q.v[k].body), NULL, NULL) == 0,
       "ids: the enrichment body is valid JSON");
    h_free(&h);
}

int main(void)
{
    test_people_id_forms();
    test_enums();
    test_start_bodies();
    test_fan_out();
    test_result_objects();
    test_chunks();
    test_bisect();
    test_errors();
    test_resume();
    test_retry_hint();
    return tap_done();
}
