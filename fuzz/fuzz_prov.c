/* fuzz_prov.c - libFuzzer targets for the five providers' answer parsers.
 * One source, one target per provider: run.sh builds prov_NAME with
 * -DFUZZ_PROV_NAME; the replay driver links all five.
 *
 * Input: a flags byte, a status byte, then answer bodies separated by
 * "\n@@\n". The harness plays the engine: ops->start builds the first
 * requests, each request (in order) gets the next body as its answer (the
 * last body is reused when they run out) with a status the status byte picks
 * (0: all 200; else per step 200, 202 or an error/transport answer), and
 * verdicts are followed (OK adds the new requests, RETRY resends twice at
 * most, failures end the batch). Then ops->checkpoint's text goes through
 * ops->resume and the chain goes on with the remaining bodies.
 * Flags: bit 0, the first body is a checkpoint handed to ops->resume first;
 * bits 2-3, lookups - 1 (up to 4, from a table of plausible identifiers);
 * bits 4-5, fields wanted.
 * Properties:
 * - no crash, leak or undefined behaviour, no endless chain;
 * - every request has a known method, a URL that is a path or an http(s)
 *   URL without spaces or control characters, a body that is valid JSON,
 *   a finite delay >= 0, paid 0, 1 or 2, and auth header lines without CR or LF;
 * - a finished lookup has a final status, failures a reason. */
#include "config.h"
#include "backoff.h"
#include "fuzz.h"
#include "json.h"
#include "provider.h"

#include <math.h>

extern const ec_provider ec_prov_amplemarket, ec_prov_thehog, ec_prov_openfunnel,
    ec_prov_woodpecker, ec_prov_lance;

#define SEP "\n@@\n"
#define MAX_SEGS 32
#define MAX_STEPS 40

typedef struct idval {
    int field;
    const char *val;
} idval;

/* Up to 4 lookups per provider, up to 3 identifiers each; payload for Woodpecker. */
typedef struct prov_case {
    const ec_provider *p;
    idval ids[4][3];
    const char *payload[4];
} prov_case;

static const prov_case cases[] = {
    {&ec_prov_amplemarket,
     {{{EC_F_EMAIL, "ann@acme.com"}, {EC_F_NAME, "Ann Lee"}, {EC_F_COMPANY_NAME, "Acme"}},
      {{EC_F_LINKEDIN_URL, "linkedin.com/in/bob"}},
      {{EC_F_NAME, "Cy Dee"}, {EC_F_COMPANY_DOMAIN, "cy.io"}},
      {{EC_F_EMAIL, "dan@d.com"}}},
     {0}},
    {&ec_prov_thehog,
     {{{EC_F_LINKEDIN_URL, "linkedin.com/in/ann"}},
      {{EC_F_EMAIL, "bob@b.com"}},
      {{EC_F_X_HANDLE, "jordan_sales"}},
      {{EC_F_GITHUB_USERNAME, "dev"}}},
     {0}},
    {&ec_prov_openfunnel,
     {{{EC_F_ACCOUNT_ID, "1"}},
      {{EC_F_ACCOUNT_ID, "2"}},
      {{EC_F_ACCOUNT_ID, "3"}},
      {{EC_F_ACCOUNT_ID, "7"}}},
     {0}},
    {&ec_prov_woodpecker,
     {{{EC_F_UID, "U1"}}, {{EC_F_UID, "U2"}}, {{EC_F_UID, "U3"}}, {{EC_F_UID, "U9"}}},
     {"{\"uid\":\"U1\",\"Full Name\":\"Ann Lee\",\"first_name\":\"Ann\",\"last_name\":\"Lee\","
      "\"LinkedIn URL\":\"linkedin.com/in/ann\",\"company_name\":\"Acme\","
      "\"company_website\":\"acme.example\",\"job_title_levels\":\"Cxo; Vp\"}",
      "{\"uid\":\"U2\",\"full_name\":\"Bob Smith\",\"company_name\":\"Acme\"}", "{\"uid\":\"U3\"}",
      "{\"uid\":\"U9\",\"email\":\"\"}"}},
    {&ec_prov_lance,
     {{{EC_F_PERSON_ID, "00000000-0000-4000-8000-000000000001"}},
      {{EC_F_PERSON_ID, "00000000-0000-4000-8000-000000000002"}},
      {{EC_F_PERSON_ID, "00000000-0000-4000-8000-000000000003"}},
      {{EC_F_PERSON_ID, "00000000-0000-4000-8000-000000000004"}}},
     {0}},
};

typedef struct segs {
    ec_buf v[MAX_SEGS]; /* NUL-terminated copies (bodies must be) */
    size_t n, next;
} segs;

static void split(const char *in, size_t len, segs *s)
{
    memset(s, 0, sizeof *s);
    const char *p = in, *end = in + len;
    while (s->n < MAX_SEGS) {
        const char *q = memmem(p, (size_t)(end - p), SEP, strlen(SEP));
        size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
        ec_buf_put(&s->v[s->n], p, n);
        ec_buf_reserve(&s->v[s->n], 0);
        s->n++;
        if (!q)
            break;
        p = q + strlen(SEP);
    }
}

static void segs_free(segs *s)
{
    for (size_t i = 0; i < s->n; i++)
        ec_buf_free(&s->v[i]);
}

static const ec_buf *next_body(segs *s)
{
    const ec_buf *b = &s->v[s->next < s->n ? s->next : s->n - 1];
    s->next++;
    return b;
}

static int has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

static void check_request(const ec_provider *p, const ec_auth *auth, const ec_request *r)
{
    FUZZ_CHECK(r->method && (!strcmp(r->method, "GET") || !strcmp(r->method, "POST") ||
                             !strcmp(r->method, "PATCH") || !strcmp(r->method, "PUT") ||
                             !strcmp(r->method, "DELETE")),
               "%s: request with method %s", p->name, r->method ? r->method : "NULL");
    FUZZ_CHECK(r->url && (r->url[0] == '/' || !strncmp(r->url, "http://", 7) ||
                          !strncmp(r->url, "https://", 8)),
               "%s: request URL '%s' is neither a path nor http(s)", p->name,
               r->url ? r->url : "NULL");
    FUZZ_CHECK(!has_ctl(r->url), "%s: request URL with space or control bytes: '%s'", p->name,
               r->url);
    const char *why = NULL;
    size_t off = 0;
    int bad = r->body && ec_json_check(r->body, strlen(r->body), &why, &off) != 0;
    FUZZ_CHECK(!bad, "%s: request body is not valid JSON (%s at %zu): %s", p->name, why ? why : "",
               off, r->body);
    FUZZ_CHECK(isfinite(r->delay) && r->delay >= 0, "%s: delay %g", p->name, r->delay);
    FUZZ_CHECK(r->paid >= 0 && r->paid <= 2, "%s: paid = %d", p->name, r->paid);
    if (p->auth_headers) {
        ec_values h = {0};
        p->auth_headers(auth, r, &h);
        for (size_t i = 0; i < h.n; i++)
            FUZZ_CHECK(!strpbrk(h.v[i], "\r\n") && strchr(h.v[i], ':'), "%s: bad header line '%s'",
                       p->name, h.v[i]);
        ec_values_free(&h);
    }
}

/* A queue of requests in the order the provider asked for them. */
typedef struct queue {
    ec_request *v;
    size_t n, cap;
} queue;

static void q_take(queue *q, ec_reqs *out, const ec_provider *p, const ec_auth *auth)
{
    for (size_t i = 0; i < out->n; i++) {
        check_request(p, auth, &out->v[i]);
        if (q->n == q->cap) {
            q->cap = q->cap ? 2 * q->cap : 8;
            q->v = ec_xrealloc(q->v, q->cap * sizeof *q->v);
        }
        q->v[q->n++] = out->v[i];
    }
    free(out->v);
    out->v = NULL;
    out->n = 0;
}

static ec_request q_pop(queue *q)
{
    ec_request r = q->v[0];
    memmove(q->v, q->v + 1, (q->n - 1) * sizeof *q->v);
    q->n--;
    return r;
}

static void q_clear(queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        ec_request_free(&q->v[i]);
    q->n = 0;
}

static long status_for(uint8_t sb, unsigned step)
{
    static const long errors[8] = {400, 401, 402, 404, 422, 429, 500, 0};
    switch ((sb >> (step % 4 * 2)) & 3) {
    case 2:
        return 202;
    case 3:
        return errors[(step + sb) % 8];
    default:
        return 200;
    }
}

typedef struct run {
    const ec_provider *p;
    ec_pctx ctx;
    ec_auth auth;
    ec_batch b;
    queue q;
    segs s;
    char *cp; /* last checkpoint after a paid answer */
    unsigned steps;
} run;

/* Answer queued requests until none is left or a verdict ends the batch. */
static void chain(run *R, uint8_t sb)
{
    while (R->q.n && R->steps < MAX_STEPS) {
        ec_request req = q_pop(&R->q);
        const ec_buf *body = next_body(&R->s);
        long st = status_for(sb, R->steps++);
        ec_response resp = {st, body->p, body->len, st ? NULL : "connection reset",
                            st == 429 ? 1.0 : -1};
        ec_reqs out = {0};
        ec_buf msg = {0};
        enum ec_verdict v = R->p->handle(&R->ctx, &R->b, &req, &resp, &out, &msg);
        FUZZ_CHECK(v <= EC_V_CREDITS, "%s: verdict %d", R->p->name, (int)v);
        if (v == EC_V_RETRY && R->p->retry_hint) { /* the engine asks as it does */
            double w = R->p->retry_hint(&resp);
            FUZZ_CHECK(w == -1 || (w >= 0 && w <= EC_RETRY_AFTER_MAX), "%s: retry hint %g", R->p->name, w);
        }
        q_take(&R->q, &out, R->p, &R->auth);
        ec_buf_free(&msg);
        if (v == EC_V_OK && req.paid && R->p->checkpoint) {
            char *cp = R->p->checkpoint(&R->b);
            if (cp) {
                free(R->cp);
                R->cp = cp;
            }
        }
        if ((v == EC_V_RETRY || v == EC_V_BAD_RESPONSE) && req.attempt < 2) {
            req.attempt++;
            ec_reqs again = {0};
            ec_request *r = ec_reqs_add(&again, req.method, req.url, req.body, req.paid, req.tag);
            r->aux = req.aux;
            r->attempt = req.attempt;
            q_take(&R->q, &again, R->p, &R->auth);
            continue; /* url and body now belong to the queued copy */
        }
        ec_request_free(&req);
        if (v != EC_V_OK && v != EC_V_RETRY && v != EC_V_BAD_RESPONSE)
            q_clear(&R->q);
    }
    q_clear(&R->q);
}

static void check_outcomes(const ec_batch *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++) {
        const ec_lookup *L = b->items[i];
        if (!L->done)
            continue;
        const ec_outcome *o = &L->out;
        FUZZ_CHECK(o->status >= EC_ST_ENRICHED && o->status <= EC_ST_FAILED &&
                       o->status != EC_ST_SKIPPED_NO_ID,
                   "%s: lookup %zu done with status %d", name, i, (int)o->status);
        FUZZ_CHECK(o->status != EC_ST_FAILED || o->reason, "%s: failed without a reason", name);
        for (size_t k = 0; k < o->emails.n; k++)
            FUZZ_CHECK(o->emails.v[k], "%s: NULL email", name);
        for (size_t k = 0; k < o->phones.n; k++)
            FUZZ_CHECK(o->phones.v[k], "%s: NULL phone", name);
    }
}

static void batch_setup(run *R, const prov_case *c, size_t n, unsigned fields)
{
    memset(&R->b, 0, sizeof R->b);
    R->b.items = ec_xcalloc(n, sizeof *R->b.items);
    R->b.n = n;
    R->b.fields = (fields & c->p->supports) ? fields & c->p->supports : fields; /* as the engine */
    R->b.idem_key = "enrichcsv-0123456789abcdef-1";
    for (size_t i = 0; i < n; i++) {
        ec_lookup *L = ec_xcalloc(1, sizeof *L);
        static const char *const keys[4] = {"fuzz|k0", "fuzz|k1", "fuzz|k2", "fuzz|k3"};
        L->key = keys[i]; /* unique within a batch, as the engine makes them */
        const char *vals[EC_F_COUNT] = {0}, *chosen[EC_F_COUNT] = {0};
        for (int k = 0; k < 3 && c->ids[i][k].val; k++)
            vals[c->ids[i][k].field] = c->ids[i][k].val;
        if (!c->p->choose || !c->p->choose(vals, chosen))
            memcpy(chosen, vals, sizeof chosen);
        memcpy(L->id, chosen, sizeof L->id);
        L->payload = c->p->wants_row_payload ? c->payload[i] : NULL;
        R->b.items[i] = L;
    }
}

static void batch_teardown(run *R)
{
    check_outcomes(&R->b, R->p->name);
    if (R->p->free_state)
        R->p->free_state(&R->b);
    for (size_t i = 0; i < R->b.n; i++) {
        ec_outcome_clear(&R->b.items[i]->out);
        free(R->b.items[i]);
    }
    free(R->b.items);
    R->b.items = NULL;
}

/* Resume a fresh batch from checkpoint text and follow its requests. */
static void resume_chain(run *R, const prov_case *c, size_t n, unsigned fields, const char *cp,
                         uint8_t sb)
{
    if (!R->p->resume)
        return;
    batch_setup(R, c, n, fields);
    ec_reqs out = {0};
    ec_buf msg = {0};
    if (R->p->resume(&R->ctx, &R->b, cp, &out, &msg) == 0)
        q_take(&R->q, &out, R->p, &R->auth);
    ec_reqs_free(&out);
    ec_buf_free(&msg);
    chain(R, sb);
    batch_teardown(R);
}

static int fuzz_one(const prov_case *c, const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    run R;
    memset(&R, 0, sizeof R);
    R.p = c->p;
    R.ctx.base_url = "http://127.0.0.1:9";
    R.auth.key = "fuzz_KEY";
    R.auth.key2 = "fuzz@example.com";
    unsigned fields = ((data[0] >> 4) & 3) ? (data[0] >> 4) & 3 : EC_WANT_EMAIL | EC_WANT_PHONE;
    R.ctx.fields = fields & c->p->supports;
    size_t n = 1 + ((data[0] >> 2) & 3);
    split((const char *)data + 2, size - 2, &R.s);
    if (data[0] & 1) {
        resume_chain(&R, c, n, fields, next_body(&R.s)->p, data[1]);
    } else {
        batch_setup(&R, c, n, fields);
        ec_reqs out = {0};
        ec_buf msg = {0};
        if (c->p->start(&R.ctx, &R.auth, &R.b, &out, &msg) == 0)
            q_take(&R.q, &out, R.p, &R.auth);
        ec_reqs_free(&out);
        ec_buf_free(&msg);
        chain(&R, data[1]);
        batch_teardown(&R);
    }
    if (R.cp) {
        char *cp = R.cp;
        R.cp = NULL;
        resume_chain(&R, c, n, fields, cp, data[1]);
        free(cp);
    }
    free(R.cp);
    free(R.q.v);
    segs_free(&R.s);
    return 0;
}

#if !defined(FUZZ_LIBFUZZER) || defined(FUZZ_PROV_amplemarket)
FUZZ_ENTRY(prov_amplemarket)
{
    return fuzz_one(&cases[0], data, size);
}
#endif
#if !defined(FUZZ_LIBFUZZER) || defined(FUZZ_PROV_thehog)
FUZZ_ENTRY(prov_thehog)
{
    return fuzz_one(&cases[1], data, size);
}
#endif
#if !defined(FUZZ_LIBFUZZER) || defined(FUZZ_PROV_openfunnel)
FUZZ_ENTRY(prov_openfunnel)
{
    return fuzz_one(&cases[2], data, size);
}
#endif
#if !defined(FUZZ_LIBFUZZER) || defined(FUZZ_PROV_woodpecker)
FUZZ_ENTRY(prov_woodpecker)
{
    return fuzz_one(&cases[3], data, size);
}
#endif
#if !defined(FUZZ_LIBFUZZER) || defined(FUZZ_PROV_lance)
FUZZ_ENTRY(prov_lance)
{
    return fuzz_one(&cases[4], data, size);
}
#endif
