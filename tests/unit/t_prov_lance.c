/* t_prov_lance.c - the Lance provider driven with canned answers: separate
 * passes per field, batches of 100, status queries of 200, tasks missing
 * from the answer, dataFound, failed states, the person record, credits,
 * HTTP verdicts, checkpoint and resume. No network. */
#include "config.h"
#include "provider.h"
#include "tap.h"
#include "prov_harness.h"

#include <stdio.h>
#include <stdlib.h>

extern const ec_provider ec_prov_lance;

/* ---------------------------------------------------------------- tests */

#define BATCH "/api/v1/operations/enrichment/batch"
#define QUERY "/api/v1/operations/enrichment/batch/query"
#define PERSON "/api/v1/entities/prospects/person/"

static char ids[200][48];

static void people(harness *h, size_t n, unsigned fields)
{
    h_init(h, &ec_prov_lance, n, fields);
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "00000000-0000-4000-8000-%012zu", i + 1);
        h->b.items[i]->id[EC_F_PERSON_ID] = ids[i];
    }
}

/* An enrichment object. */
static void enr(ec_buf *b, size_t i, const char *field, const char *status, const char *found)
{
    ec_buf_printf(
        b,
        "%s{\"id\":\"e%zu\",\"entityId\":\"%s\",\"entityType\":\"person\",\"field\":\"%s\","
        "\"status\":\"%s\",\"dataFound\":%s,\"error\":null}",
        b->len > 1 ? "," : "", i, ids[i], field, status, found);
}

/* The first queued request to exactly this URL (the query path extends the batch path). */
static long find_exact(const harness *h, const char *method, const char *url)
{
    for (size_t k = 0; k < h->q.n; k++)
        if (strcmp(h->q.v[k].method, method) == 0 && strcmp(h->q.v[k].url, url) == 0)
            return (long)k;
    return -1;
}

static int count_of(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; p && (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_passes(void)
{
    harness h;
    people(&h, 150, EC_WANT_EMAIL | EC_WANT_PHONE);
    h.b.items[149]->id[EC_F_PERSON_ID] = "not-a-uuid";
    /* a version-1 UUID: the batch POST takes version 4 only [V] */
    h.b.items[148]->id[EC_F_PERSON_ID] = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    is_int(h_start(&h), 0, "start");
    is_str(st(&h, 149), "failed:bad_person_id", "a malformed person id fails alone");
    is_str(st(&h, 148), "failed:bad_person_id", "so does a UUID that is not version 4");
    is_int(h.q.n, 4, "two passes of two batches (100 + 48)");
    int emails = 0, phones = 0;
    for (size_t k = 0; k < h.q.n; k++) {
        emails += strstr(h.q.v[k].body, "\"field\":\"emails\"") != NULL;
        phones += strstr(h.q.v[k].body, "\"field\":\"phones\"") != NULL;
        ok(h.q.v[k].paid == 1 && strcmp(h.q.v[k].url, BATCH) == 0, "batch POST %zu, paid", k);
    }
    ok(emails == 2 && phones == 2, "one field per call");
    is_int(count_of(h.q.v[0].body, "-4000-"), 100, "first batch: 100 ids");
    is_int(count_of(h.q.v[1].body, "-4000-"), 48, "second batch: the rest");
    ok(!strstr(h.q.v[1].body, "not-a-uuid") && !strstr(h.q.v[1].body, "-11d1-"),
       "the malformed ids are not sent");
    ec_values hd = {0};
    h.p->auth_headers(&h.auth, &h.q.v[0], &hd);
    ok(hd.n == 2 && strcmp(hd.v[0], "Authorization: Bearer of_KEY") == 0, "Bearer token");
    ec_values_free(&hd);
    /* every task pending: then one status round over 298 tasks */
    while (find_exact(&h, "POST", BATCH) >= 0) {
        long k = find_exact(&h, "POST", BATCH);
        const char *field = strstr(h.q.v[k].body, "emails") ? "emails" : "phones";
        int first = strstr(h.q.v[k].body, ids[0]) != NULL;
        ec_buf b = {0};
        ec_buf_putc(&b, '[');
        for (size_t i = first ? 0 : 100; i < (first ? 100u : 148u); i++)
            enr(&b, i, field, "pending", "null");
        ec_buf_putc(&b, ']');
        is_int(h_count(&h, "POST", QUERY), 0, "no query before every batch is answered");
        is_int(h_answer(&h, k, 200, b.p), EC_V_OK, "batch answered");
        ec_buf_free(&b);
    }
    is_int(h_count(&h, "POST", QUERY), 2, "296 tasks: two status queries, once all are answered");
    long q = h_find(&h, "POST", QUERY);
    is_int(count_of(h.q.v[q].body, "\"entityType\":\"person\""), 200, "first query: 200 tasks");
    is_int(count_of(h.q.v[q + 1].body, "\"entityType\":\"person\""), 96, "second: 96");
    ok(h.q.v[q].paid == 0 && h.q.v[q].delay >= 10.0, "a free read, after >= 10 s");
    h_free(&h);
}

static void test_outcomes(void)
{
    harness h;
    people(&h, 6, EC_WANT_EMAIL | EC_WANT_PHONE);
    h_start(&h);
    /* emails pass: reused finished enrichments for 0 and 1, pending others */
    ec_buf b = {0};
    ec_buf_putc(&b, '[');
    enr(&b, 0, "emails", "finished", "true");
    enr(&b, 1, "emails", "finished", "false");
    enr(&b, 2, "emails", "pending", "null");
    enr(&b, 3, "emails", "pending", "null");
    enr(&b, 4, "emails", "failed", "null");
    ec_buf_putc(&b, ']');
    h_answer(&h, find_exact(&h, "POST", BATCH), 200, b.p); /* 5 missing: not started */
    ec_buf_clear(&b);
    ec_buf_putc(&b, '[');
    for (size_t i = 0; i < 6; i++)
        enr(&b, i, "phones", "pending", "null");
    ec_buf_putc(&b, ']');
    h_answer(&h, find_exact(&h, "POST", BATCH), 200, b.p);
    long q = h_find(&h, "POST", QUERY);
    is_int(count_of(h.q.v[q].body, "entityId"), 9, "query only what is not terminal");
    ec_buf_clear(&b);
    ec_buf_putc(&b, '[');
    enr(&b, 0, "phones", "finished", "false");
    enr(&b, 1, "phones", "finished", "false");
    enr(&b, 2, "emails", "finished", "true");
    enr(&b, 2, "phones", "timeout", "null");
    enr(&b, 3, "emails", "cancelled", "null");
    enr(&b, 3, "phones", "finished", "false");
    enr(&b, 4, "phones", "finished", "false");
    ec_buf_putc(&b, ']');
    is_int(h_answer(&h, q, 200, b.p), EC_V_OK, "query answered");
    is_str(st(&h, 1), "not_found", "dataFound false on every field: not_found, no read");
    is_str(st(&h, 3), "failed:cancelled", "cancelled: failed:cancelled");
    is_str(st(&h, 4), "failed:enrichment_failed", "failed: failed:enrichment_failed");
    is_int(h_count(&h, "GET", PERSON), 2, "records read for persons with data");
    long p = h_find(&h, "GET", PERSON "00000000-0000-4000-8000-000000000001");
    ok(p >= 0 && h.q.v[p].paid == 0, "person record of #1, free");
    h_answer(&h, p, 200,
             "{\"id\":\"x\",\"emails\":[\"a@x.example\",{\"value\":\"b@x.example\"},null,\"\"],"
             "\"phones\":[\"+15550102\"]}");
    is_str(st(&h, 0), "enriched", "#1 enriched");
    ok(h.b.items[0]->out.emails.n == 2 && strcmp(h.b.items[0]->out.emails.v[1], "b@x.example") == 0,
       "strings and objects taken, nulls skipped");
    is_str(h.b.items[0]->out.phones.v[0], "+15550102", "phones from the record");
    p = h_find(&h, "GET", PERSON "00000000-0000-4000-8000-000000000003");
    h_answer(&h, p, 200, "{\"data\":{\"emails\":[\"c@x.example\"],\"phones\":null}}");
    is_str(st(&h, 2), "enriched", "email found, phone timed out: enriched with what was found");
    is_int(h.b.items[2]->out.phones.n, 0, "no phone");
    ok(!h.b.items[5]->done, "#6 not started yet: still waiting");
    q = h_find(&h, "POST", QUERY);
    is_int(count_of(h.q.v[q].body, "entityId"), 2, "the query shrinks to what is left");
    h_answer(&h, q, 200, "[]");
    q = h_find(&h, "POST", QUERY);
    ok(q >= 0, "missing from the answer: asked again");
    h_answer(&h, q, 404, "{\"error\":\"NOT_FOUND\"}");
    ok(h_find(&h, "POST", QUERY) >= 0, "a 404 query means none started: asked again");
    h_free(&h);
    ec_buf_free(&b);
}

static void test_timeout_and_credits(void)
{
    harness h;
    people(&h, 1, EC_WANT_EMAIL);
    h.ctx.poll_interval = 300;
    h_start(&h);
    h_answer(&h, 0, 200, "[]");
    int polls = 0;
    long q;
    while ((q = h_find(&h, "POST", QUERY)) >= 0 && polls < 10) {
        polls++;
        h_answer(&h, q, 200, "[]");
    }
    is_int(polls, 3, "never started: asked until the job timeout (900 s at 300 s)");
    is_str(st(&h, 0), "failed:timeout", "then failed:timeout");
    h_free(&h);

    people(&h, 2, EC_WANT_EMAIL | EC_WANT_PHONE);
    h_start(&h);
    long e = -1, ph = -1;
    for (size_t k = 0; k < h.q.n; k++)
        *(strstr(h.q.v[k].body, "emails") ? &e : &ph) = (long)k;
    is_int(h_answer(&h, ph, 402, "{\"error\":{\"code\":\"INSUFFICIENT_CREDITS\"}}"), EC_V_OK,
           "phones refused for credits: emails go on");
    ec_buf b = {0};
    ec_buf_putc(&b, '[');
    enr(&b, 0, "emails", "finished", "true");
    enr(&b, 1, "emails", "finished", "false");
    ec_buf_putc(&b, ']');
    is_int(h_answer(&h, find_exact(&h, "POST", BATCH), 200, b.p), EC_V_OK, "emails answered");
    ec_buf_free(&b);
    is_str(st(&h, 1), "skipped:credits", "nothing found, a pass refused: skipped:credits");
    is_int(h_answer(&h, h_find(&h, "GET", PERSON), 200, "{\"emails\":[\"z@x.example\"]}"),
           EC_V_CREDITS, "once all is settled: out of credits");
    is_str(st(&h, 0), "enriched", "the email found is kept");
    h_free(&h);

    static const struct {
        long status;
        const char *body;
        enum ec_verdict v;
        const char *what;
    } cases[] = {
        {401, "{\"code\":\"UNAUTHORIZED\",\"message\":\"Missing token\"}", EC_V_AUTH, "401"},
        {400,
         "{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"Organization ID is missing\"}}",
         EC_V_AUTH, "400 without an organization: the token is refused"},
        {402, "{\"code\":\"INSUFFICIENT_CREDITS\"}", EC_V_CREDITS, "402 on the only pass"},
        {429, NULL, EC_V_RETRY, "429"},
        {500, "{\"code\":\"INTERNAL_ERROR\"}", EC_V_RETRY, "500"},
        {0, NULL, EC_V_RETRY, "transport"},
        {200, "[{\"id\":", EC_V_BAD_RESPONSE, "malformed JSON"},
        {200, "{\"ok\":true}", EC_V_BAD_RESPONSE, "no enrichment objects"},
        {400, "{\"code\":\"VALIDATION_ERROR\",\"message\":\"bad personIds\"}", EC_V_OK,
         "400: the pass fails its persons"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        people(&h, 1, EC_WANT_EMAIL);
        h_start(&h);
        is_int(h_answer(&h, 0, cases[c].status, cases[c].body), cases[c].v, "verdict: %s",
               cases[c].what);
        if (cases[c].v == EC_V_OK)
            is_str(st(&h, 0), "failed:bad personIds", "with the provider's message");
        else if (cases[c].v != EC_V_CREDITS)
            ok(h.msg.len > 0, "with a reason (%s)", h.msg.p);
        else
            is_str(st(&h, 0), "skipped:credits", "skipped:credits");
        h_free(&h);
    }
}

static void test_resume(void)
{
    harness h;
    people(&h, 2, EC_WANT_EMAIL);
    h_start(&h);
    char *cp = h.p->checkpoint(&h.b);
    ok(cp && strstr(cp, "\"emails\"") && strstr(cp, ids[1]), "checkpoint: fields and persons");
    h.b.fields = EC_WANT_EMAIL | EC_WANT_PHONE; /* resume follows the checkpoint, not this */
    is_int(h_resume(&h, cp), 0, "resume");
    free(cp);
    is_int(h.q.n, 1, "one request");
    ok(strcmp(h.q.v[0].url, BATCH) == 0 && strstr(h.q.v[0].body, "\"field\":\"emails\"") &&
           strstr(h.q.v[0].body, ids[0]) && strstr(h.q.v[0].body, ids[1]),
       "the batch is posted again (reuse makes it free)");
    ec_buf b = {0};
    ec_buf_putc(&b, '[');
    enr(&b, 0, "emails", "finished", "false");
    enr(&b, 1, "emails", "finished", "false");
    ec_buf_putc(&b, ']');
    h_answer(&h, 0, 200, b.p);
    ec_buf_free(&b);
    ok(h.b.items[0]->done && h.b.items[1]->done, "reused finished enrichments settle at once");
    is_int(h.q.n, 0, "no query needed");
    h_free(&h);
}

int main(void)
{
    test_passes();
    test_outcomes();
    test_timeout_and_credits();
    test_resume();
    return tap_done();
}
