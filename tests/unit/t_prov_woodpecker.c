/* t_prov_woodpecker.c - the Woodpecker provider driven with canned answers:
 * the lead payload pass-through, batches of 50, poll bodies wrapped or not,
 * uuid null (NOT_ENQUEUED) and the list step, PARTIALLY_ENQUEUED,
 * CREDITS_EXHAUSTED, prospect read-back and matching, email only, timeouts,
 * HTTP verdicts, lost queue answers (list before re-sending), checkpoint
 * and resume (also without the rows). No network. */
#include "config.h"
#include "provider.h"
#include "tap.h"
#include "prov_harness.h"

#include <stdio.h>
#include <stdlib.h>

extern const ec_provider ec_prov_woodpecker;

/* ---------------------------------------------------------------- tests */

#define SUBMIT "/rest/v2/lead_finder/leads/enrichments"
#define PROSPECTS "/rest/v1/prospects?search="

static const char *const ANN =
    "{\"uid\":\"raw-u1\",\"Full Name\":\"Ann Lee\",\"first_name\":\"Ann\",\"last_name\":\"Lee\","
    "\"LinkedIn URL\":\"linkedin.com/in/ann\",\"company_name\":\"Acme\","
    "\"company_website\":\"acme.example\",\"job_title_levels\":\"Cxo; Vp\",\"notes\":\"call her\","
    "\"email\":\"\",\"city\":\" \"}";
static const char *const BOB =
    "{\"uid\":\"U2\",\"full_name\":\"Bob Smith\",\"company_name\":\"Acme\","
    "\"job_title_levels\":\"[\\\"Manager\\\"]\"}";

static void two_leads(harness *h, unsigned fields)
{
    h_init(h, &ec_prov_woodpecker, 2, fields);
    h->b.items[0]->id[EC_F_UID] = "U1";
    h->b.items[0]->payload = ANN;
    h->b.items[1]->id[EC_F_UID] = "U2";
    h->b.items[1]->payload = BOB;
}

static void test_submit_body(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL | EC_WANT_PHONE);
    is_int(h_start(&h), 0, "start");
    is_int(h.q.n, 1, "one queue call");
    is_str(h.q.v[0].url, SUBMIT, "queue path carries /rest");
    is_int(h.q.v[0].paid, 1, "the queue call is paid");
    is_str(
        h.q.v[0].body,
        "{\"leads\":[{\"uid\":\"U1\",\"full_name\":\"Ann Lee\",\"first_name\":\"Ann\","
        "\"last_name\":\"Lee\",\"linkedin_url\":\"linkedin.com/in/ann\",\"company_name\":\"Acme\","
        "\"company_website\":\"acme.example\",\"job_title_levels\":[\"Cxo\",\"Vp\"]},"
        "{\"uid\":\"U2\",\"full_name\":\"Bob Smith\",\"company_name\":\"Acme\","
        "\"job_title_levels\":[\"Manager\"]}],\"target_campaign_ids\":[]}",
        "Lead Finder columns pass through, uid normalized, others and blanks dropped");
    ec_values hd = {0};
    h.p->auth_headers(&h.auth, &h.q.v[0], &hd);
    ok(hd.n == 2 && strcmp(hd.v[0], "x-api-key: of_KEY") == 0, "x-api-key header");
    ec_values_free(&hd);
    h_free(&h);

    h_init(&h, &ec_prov_woodpecker, 51, EC_WANT_EMAIL);
    for (size_t i = 0; i < 51; i++)
        h.b.items[i]->id[EC_F_UID] = h.b.items[i]->key;
    h_start(&h);
    is_int(h.q.n, 2, "51 leads: two queue calls");
    int n0 = 0, n1 = 0;
    for (const char *p = h.q.v[0].body; (p = strstr(p, "\"uid\"")); p++)
        n0++;
    for (const char *p = h.q.v[1].body; (p = strstr(p, "\"uid\"")); p++)
        n1++;
    ok(n0 == 50 && n1 == 1, "at most 50 leads a call (%d + %d)", n0, n1);
    h_free(&h);

    two_leads(&h, EC_WANT_PHONE);
    h_start(&h);
    is_int(h.q.n, 0, "phone only: nothing sent");
    is_str(st(&h, 0), "failed:phone_unsupported", "phone is unsupported");
    h_free(&h);
}

static void test_flow(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL | EC_WANT_PHONE);
    h_start(&h);
    is_int(h_answer(&h, 0, 200, "{\"uuid\":\"b-1\",\"leads_count\":2,\"status\":\"ENQUEUED\"}"),
           EC_V_OK, "ENQUEUED");
    is_int(h.q.n, 1, "one poll");
    is_str(h.q.v[0].url, SUBMIT "/b-1", "poll the batch");
    ok(h.q.v[0].delay >= 10.0 && h.q.v[0].paid == 0, "at >= 10 s, free");
    h_answer(
        &h, 0, 200,
        "{\"uuid\":\"b-1\",\"created\":\"2026-11-23T10:00:00Z\",\"leads\":["
        "{\"uid\":\"U1\",\"status\":\"IN_PROGRESS\",\"processing_result\":null},"
        "{\"uid\":\"U2\",\"status\":\"PROCESSED\",\"processing_result\":\"CONVERTED_TO_PROSPECT\"},"
        "{\"uid\":\"ZZ\",\"status\":\"PROCESSED\",\"processing_result\":\"NOT_CONVERTED_TO_"
        "PROSPECT\"}]}");
    is_int(h_count(&h, "GET", SUBMIT "/b-1"), 1, "U1 pending: polled again");
    long p = h_find(&h, "GET", PROSPECTS);
    ok(p >= 0, "converted: prospect read-back");
    is_str(h.q.v[p].url, PROSPECTS "first_name%3DBob%2Clast_name%3DSmith",
           "no LinkedIn URL: search by the names split from full_name");
    h_answer(
        &h, p, 200,
        "[{\"id\":1,\"email\":\"bob@other.example\",\"first_name\":\"Bob\",\"last_name\":\"Smith\","
        "\"company\":\"Other Co\"},{\"id\":2,\"email\":\"bob@acme.example\",\"first_name\":\"bob\","
        "\"last_name\":\"SMITH\",\"company\":\"ACME\",\"phone\":\"+15550101\"}]");
    is_str(st(&h, 1), "enriched", "U2 enriched");
    is_str(h.b.items[1]->out.emails.v[0], "bob@acme.example", "the prospect at the same company");
    is_int(h.b.items[1]->out.phones.n, 0, "phone never filled");
    h_answer(
        &h, h_find(&h, "GET", SUBMIT "/b-1"), 200,
        "{\"lead_enrichment\":{\"uuid\":\"b-1\",\"leads\":["
        "{\"uid\":\"U1\",\"status\":\"PROCESSED\",\"processing_result\":\"CONVERTED_TO_PROSPECT\"},"
        "{\"uid\":\"U2\",\"status\":\"PROCESSED\",\"processing_result\":\"CONVERTED_TO_PROSPECT\"}]"
        "}}");
    is_int(h_count(&h, "GET", PROSPECTS), 1, "wrapped body read; U2 not read twice");
    p = h_find(&h, "GET", PROSPECTS);
    is_str(h.q.v[p].url, PROSPECTS "linkedin_url%3Dlinkedin.com%2Fin%2Fann",
           "search by the LinkedIn URL as exported");
    is_int(h_answer(&h, p, 200,
                    "{\"prospects\":[{\"email\":\"wrong@x.example\",\"first_name\":\"Ann\","
                    "\"last_name\":\"Lee\",\"linkedin_url\":\"https://www.linkedin.com/in/other\"},"
                    "{\"email\":\"ann@acme.example\",\"linkedin_url\":\"https://www.linkedin.com/"
                    "in/ann/\"}]}"),
           EC_V_OK, "read-back answered");
    is_str(h.b.items[0]->out.emails.v[0], "ann@acme.example", "matched on the LinkedIn URL");
    is_int(h.q.n, 0, "nothing left");
    ok(h.b.credits == 3.0, "1.5 credits per converted lead");
    h_free(&h);
}

/* One lead converted; answer its read-backs with the given bodies. */
static void readback(const char *payload, long st1, const char *a1, long st2, const char *a2,
                     const char *want_status, const char *what)
{
    harness h;
    h_init(&h, &ec_prov_woodpecker, 1, EC_WANT_EMAIL);
    h.b.items[0]->id[EC_F_UID] = "U9";
    h.b.items[0]->payload = payload;
    h_start(&h);
    h_answer(&h, 0, 200, "{\"uuid\":\"b9\",\"status\":\"ENQUEUED\",\"leads_count\":1}");
    h_answer(&h, 0, 200,
             "{\"leads\":[{\"uid\":\"U9\",\"status\":\"PROCESSED\","
             "\"processing_result\":\"CONVERTED_TO_PROSPECT\"}]}");
    if (st1)
        h_answer(&h, h_find(&h, "GET", PROSPECTS), st1, a1);
    else
        is_int(h_count(&h, "GET", PROSPECTS), 0, "%s: no read-back", what);
    long p = h_find(&h, "GET", PROSPECTS "first_name");
    if (st2) {
        ok(p >= 0, "%s: falls back to the name search", what);
        h_answer(&h, p, st2, a2);
    }
    is_str(st(&h, 0), want_status, "%s", what);
    h_free(&h);
}

static void test_readback_fallbacks(void)
{
    const char *lee = "{\"uid\":\"U9\",\"first_name\":\"Ann\",\"last_name\":\"Lee\","
                      "\"linkedin_url\":\"https://linkedin.com/in/ann\",\"company_name\":\"Acme\"}";
    readback(lee, 200, "[]", 204, NULL, "failed:prospect_not_found", "nobody, then 204");
    readback(lee, 400,
             "{\"status\":{\"status\":\"ERROR\",\"code\":\"E_WRONG_PARAM\","
             "\"msg\":\"Wrong param [search]=linkedin_url\"}}",
             200, "[{\"email\":\"ann@acme.example\",\"first_name\":\"Ann\",\"last_name\":\"Lee\"}]",
             "enriched", "LinkedIn search refused");
    readback(lee, 200, "[]", 200,
             "[{\"email\":\"x@y.example\",\"first_name\":\"Ann\",\"last_name\":\"Lee\","
             "\"linkedin_url\":\"linkedin.com/in/ann-other\"}]",
             "failed:prospect_not_found", "same name, other LinkedIn URL: no match");
    readback(lee, 200, "[]", 200,
             "[{\"email\":\"x@y.example\",\"first_name\":\"Ann\",\"last_name\":\"Lee\","
             "\"company\":\"Globex\"}]",
             "failed:prospect_not_found", "same name, other company: no match");
    readback("{\"uid\":\"U9\",\"company_name\":\"Acme\"}", 0, NULL, 0, NULL,
             "failed:prospect_not_found", "nothing to search by");
}

static void test_not_enqueued(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL);
    h_start(&h);
    is_int(h_answer(&h, 0, 200, "{\"uuid\":null,\"leads_count\":0,\"status\":\"NOT_ENQUEUED\"}"),
           EC_V_OK, "NOT_ENQUEUED");
    is_int(h_count(&h, "GET", SUBMIT "/"), 0, "uuid null: nothing to poll");
    long l = h_find(&h, "GET", SUBMIT "?created_after=");
    ok(l >= 0, "the recent batches are listed instead");
    const char *d = l >= 0 ? h.q.v[l].url + strlen(SUBMIT "?created_after=") : "";
    ok(strlen(d) == 10 && d[4] == '-' && d[7] == '-', "with a YYYY-MM-DD date (%s)", d);
    h_answer(&h, l, 200,
             "{\"lead_enrichments\":["
             "{\"uuid\":\"old\",\"created\":\"2026-11-20T10:00:00Z\",\"leads\":[{\"uid\":\"U1\","
             "\"status\":\"PROCESSED\",\"processing_result\":\"NOT_CONVERTED_TO_PROSPECT\"}]},"
             "{\"uuid\":\"new\",\"created\":\"2026-11-23T10:00:00Z\",\"leads\":[{\"uid\":\"U1\","
             "\"status\":\"QUEUED\",\"processing_result\":null}]},"
             "{\"uuid\":\"mid\",\"created\":\"2026-11-21T10:00:00Z\",\"leads\":[]}]}");
    is_str(st(&h, 1), "failed:not_enqueued", "a lead in no batch fails");
    long p = h_find(&h, "GET", SUBMIT "/new");
    ok(p >= 0, "the newest batch holding U1 is polled");
    h_answer(&h, p, 200,
             "{\"lead_enrichments\":[{\"uuid\":\"new\",\"leads\":[{\"uid\":\"U1\","
             "\"status\":\"PROCESSED\",\"processing_result\":\"NOT_CONVERTED_TO_PROSPECT\"}]}]}");
    is_str(st(&h, 0), "not_found", "NOT_CONVERTED_TO_PROSPECT (list-shaped poll body): not_found");
    is_int(h.q.n, 0, "nothing left");
    h_free(&h);
}

static void test_partial_and_credits(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL);
    h_start(&h);
    h_answer(&h, 0, 200, "{\"uuid\":\"p\",\"leads_count\":1,\"status\":\"PARTIALLY_ENQUEUED\"}");
    h_answer(&h, h_find(&h, "GET", SUBMIT "/p"), 200, "{\"uuid\":\"p\",\"leads\":[]}");
    ok(h_find(&h, "GET", SUBMIT "/p") >= 0 && h_find(&h, "GET", SUBMIT "?") < 0,
       "a batch with no leads listed yet is polled again, nobody declared missing");
    is_int(h_answer(&h, h_find(&h, "GET", SUBMIT "/p"), 200,
                    "{\"leads\":[{\"uid\":\"U1\",\"status\":\"PROCESSED\","
                    "\"processing_result\":\"NOT_CONVERTED_TO_PROSPECT\"}]}"),
           EC_V_OK, "the polled batch holds U1 only");
    is_str(st(&h, 0), "not_found", "U1 settled");
    long l = h_find(&h, "GET", SUBMIT "?created_after=");
    ok(l >= 0, "U2 is looked for among recent batches");
    is_int(h_answer(&h, l, 200, "{\"lead_enrichments\":[]}"), EC_V_CREDITS,
           "not there: out of credits, once everything is settled");
    is_str(st(&h, 1), "skipped:credits", "U2 skipped:credits");
    h_free(&h);

    two_leads(&h, EC_WANT_EMAIL);
    h_start(&h);
    is_int(
        h_answer(&h, 0, 200, "{\"uuid\":null,\"leads_count\":0,\"status\":\"CREDITS_EXHAUSTED\"}"),
        EC_V_CREDITS, "CREDITS_EXHAUSTED");
    ok(h.b.items[0]->done && h.b.items[1]->done, "every lead settled");
    is_str(st(&h, 0), "skipped:credits", "as skipped:credits");
    is_int(h.q.n, 0, "nothing polled");
    h_free(&h);

    static const struct {
        long status;
        const char *body;
        enum ec_verdict v;
        const char *what;
    } cases[] = {
        {402, "{\"status\":\"CREDITS_EXHAUSTED\"}", EC_V_CREDITS, "402"},
        {401, "{\"status\":{\"status\":\"ERROR\",\"code\":\"E_SESSION\",\"msg\":\"bad key\"}}",
         EC_V_AUTH, "401"},
        {400, "{\"status\":{\"status\":\"ERROR\",\"code\":\"E_SESSION\",\"msg\":\"bad key\"}}",
         EC_V_AUTH, "400 E_SESSION (the v1 way to refuse a key)"},
        {400, "{\"code\":\"E_SESSION\",\"message\":\"bad key\"}", EC_V_AUTH,
         "E_SESSION at the top level"},
        {400,
         "{\"status\":{\"status\":\"ERROR\",\"code\":\"E_TOO_MANY_REQUESTS\",\"msg\":\"busy\"}}",
         EC_V_RETRY, "E_TOO_MANY_REQUESTS whatever the status"},
        {429, "", EC_V_RETRY, "429"},
        {503, "busy", EC_V_RETRY, "503"},
        {400,
         "{\"status\":{\"status\":\"ERROR\",\"code\":\"E_WRONG_PARAM\",\"msg\":\"Bad leads\"}}",
         EC_V_OK, "400 fails the leads of that call"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        two_leads(&h, EC_WANT_EMAIL);
        h_start(&h);
        is_int(h_answer(&h, 0, cases[c].status, cases[c].body), cases[c].v, "verdict: %s",
               cases[c].what);
        if (cases[c].v == EC_V_OK)
            is_str(st(&h, 0), "failed:Bad leads", "with the provider's message");
        else if (cases[c].v != EC_V_CREDITS)
            ok(h.msg.len > 0, "with a reason (%s)", h.msg.p);
        h_free(&h);
    }
}

/* A queue call whose answer is lost may have queued its leads: they are
 * looked for in the list before being queued again, never re-sent blind. */
static void test_lost_answer(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL);
    h_start(&h);
    ec_response r = {0, "", 0, "connection reset", -1};
    ec_reqs out = {0};
    is_int(h.p->handle(&h.ctx, &h.b, &h.q.v[0], &r, &out, &h.msg), EC_V_OK,
           "connection reset after the queue call: handled, not retried blind");
    ec_request_free(&h.q.v[0]);
    h.q.n = 0;
    h_take(&h, &out);
    ok(h.q.n == 1 && strncmp(h.q.v[0].url, SUBMIT "?created_after=", strlen(SUBMIT) + 15) == 0 &&
           h.q.v[0].delay >= 10.0,
       "the list of recent batches is asked after a poll interval");
    h_answer(&h, 0, 200,
             "{\"lead_enrichments\":[{\"uuid\":\"lost\",\"created\":\"2026-11-23T10:00:00Z\","
             "\"leads\":[{\"uid\":\"U1\",\"status\":\"PENDING\",\"processing_result\":null}]}]}");
    ok(h_find(&h, "GET", SUBMIT "/lost") >= 0, "U1 was queued after all: its batch is polled");
    long k = h_find(&h, "POST", SUBMIT);
    ok(k >= 0 && strstr(h.q.v[k].body, "\"U2\"") && !strstr(h.q.v[k].body, "\"U1\""),
       "U2 is in no batch: queued again, alone");
    static const struct {
        long status;
        const char *body;
    } lost[] = {{500, "{\"status\":{\"code\":\"E_INTERNAL\"}}"},
                {200, "{\"uuid\":"},
                {502, "<html>"},
                {0, NULL}};
    for (size_t n = 0; n < sizeof lost / sizeof *lost; n++) {
        k = h_find(&h, "POST", SUBMIT);
        if (lost[n].status == 0) {
            ec_response t = {0, "", 0, "timeout", -1};
            ec_reqs o2 = {0};
            h.p->handle(&h.ctx, &h.b, &h.q.v[k], &t, &o2, &h.msg);
            ec_request_free(&h.q.v[k]);
            h.q.v[k] = h.q.v[--h.q.n];
            h_take(&h, &o2);
        } else {
            is_int(h_answer(&h, k, lost[n].status, lost[n].body), EC_V_OK,
                   "lost answer %zu (HTTP %ld): handled", n + 2, lost[n].status);
        }
        if (n + 2 < 5) {
            long l = h_find(&h, "GET", SUBMIT "?created_after=");
            h_answer(&h, l, 200, "{\"lead_enrichments\":[]}");
        }
    }
    is_str(st(&h, 1), "failed:timeout", "five lost answers: the lead fails with the last reason");
    ok(!h.b.items[0]->done && h_find(&h, "POST", SUBMIT) < 0, "U1 still polled, nothing re-sent");
    h_free(&h);
}

static void test_timeout(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL);
    h.ctx.poll_interval = 300;
    h_start(&h);
    h_answer(&h, 0, 200, "{\"uuid\":\"s\",\"status\":\"ENQUEUED\",\"leads_count\":2}");
    int polls = 0;
    long p;
    while ((p = h_find(&h, "GET", SUBMIT "/s")) >= 0 && polls < 10) {
        polls++;
        h_answer(&h, p, 200,
                 "{\"leads\":[{\"uid\":\"U1\",\"status\":\"ENRICHING\"},"
                 "{\"uid\":\"U2\",\"status\":\"PROCESSED\",\"processing_result\":\"NOT_CONVERTED_"
                 "TO_PROSPECT\"}]}");
    }
    is_int(polls, 2, "an unknown status waits until the job timeout (600 s at 300 s)");
    is_str(st(&h, 0), "failed:timeout", "then failed:timeout");
    is_str(st(&h, 1), "not_found", "the settled lead keeps its outcome");
    h_free(&h);
}

static void test_resume(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL);
    h_start(&h);
    h_answer(&h, 0, 200, "{\"uuid\":\"b-7\",\"status\":\"ENQUEUED\",\"leads_count\":2}");
    char *cp = h.p->checkpoint(&h.b);
    ok(cp && strstr(cp, "\"b-7\""), "checkpoint holds the batch uuid");
    is_int(h_resume(&h, cp), 0, "resume");
    free(cp);
    is_int(h.q.n, 1, "one request");
    is_str(h.q.v[0].url, SUBMIT "/b-7", "polls the saved batch, no new queue call");
    h_answer(&h, 0, 200,
             "{\"leads\":[{\"uid\":\"U1\",\"status\":\"PROCESSED\",\"processing_result\":null},"
             "{\"uid\":\"U2\",\"status\":\"PROCESSED\",\"processing_result\":\"NOT_CONVERTED_TO_"
             "PROSPECT\"}]}");
    ok(h.b.items[0]->done && h.b.items[1]->done, "finished after resume");

    is_int(h_resume(&h, NULL), 0, "resume with no checkpoint (answer never seen)");
    is_int(h.q.n, 1, "one request");
    ok(h_find(&h, "GET", SUBMIT "?created_after=") == 0, "looks in the list before re-sending");
    h_answer(&h, 0, 200,
             "[{\"uuid\":\"x\",\"created\":\"2026-11-23\",\"leads\":[{\"uid\":\"U1\","
             "\"status\":\"PROCESSED\",\"processing_result\":\"NOT_CONVERTED_TO_PROSPECT\"}]}]");
    is_str(st(&h, 0), "not_found", "U1 found processed: nothing paid again");
    long s = h_find(&h, "POST", SUBMIT);
    ok(s >= 0 && strstr(h.q.v[s].body, "\"U2\"") && !strstr(h.q.v[s].body, "\"U1\""),
       "only the lead no batch holds is queued again");
    h_answer(&h, s, 200, "{\"uuid\":\"b-8\",\"status\":\"ENQUEUED\",\"leads_count\":1}");
    ok(h_find(&h, "GET", SUBMIT "/b-8") >= 0, "and its batch polled");
    h_free(&h);
}

/* A rerun rebuilds batches from the journal's keys, without the rows: the
 * Lead Finder values come back from the checkpoint. */
static void test_resume_without_rows(void)
{
    harness h;
    two_leads(&h, EC_WANT_EMAIL);
    h_start(&h);
    char *cp = h.p->checkpoint(&h.b); /* the one journaled before the queue call */
    ok(cp && strstr(cp, "\"linkedin_url\":\"linkedin.com/in/ann\""),
       "the checkpoint keeps the lead's Lead Finder values");
    h.b.items[0]->payload = NULL;
    h.b.items[1]->payload = NULL;
    h_resume(&h, cp);
    free(cp);
    h_answer(&h, h_find(&h, "GET", SUBMIT "?created_after="), 200, "{\"lead_enrichments\":[]}");
    long s = h_find(&h, "POST", SUBMIT);
    ok(s >= 0 && strstr(h.q.v[s].body, "\"full_name\":\"Ann Lee\"") &&
           strstr(h.q.v[s].body, "\"job_title_levels\":[\"Cxo\",\"Vp\"]"),
       "a lead in no batch is queued again with its values, not the uid alone");
    h_answer(&h, s, 200, "{\"uuid\":\"b-9\",\"status\":\"ENQUEUED\",\"leads_count\":2}");
    h_answer(&h, h_find(&h, "GET", SUBMIT "/b-9"), 200,
             "{\"leads\":[{\"uid\":\"U1\",\"status\":\"PROCESSED\","
             "\"processing_result\":\"CONVERTED_TO_PROSPECT\"},{\"uid\":\"U2\",\"status\":"
             "\"PROCESSED\",\"processing_result\":\"NOT_CONVERTED_TO_PROSPECT\"}]}");
    ok(h_find(&h, "GET", PROSPECTS "linkedin_url%3Dlinkedin.com%2Fin%2Fann") >= 0,
       "the read-back searches by the LinkedIn URL from the checkpoint");
    h_free(&h);
}

int main(void)
{
    test_submit_body();
    test_flow();
    test_readback_fallbacks();
    test_not_enqueued();
    test_partial_and_credits();
    test_lost_answer();
    test_timeout();
    test_resume();
    test_resume_without_rows();
    return tap_done();
}
