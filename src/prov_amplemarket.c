/* prov_amplemarket.c - Amplemarket person enrichment (providers.md section 5).
 *
 * One batch = one paid POST /people/enrichment-requests with whitelisted lead
 * keys, then GET polls of the job's _links.self.href until a terminal status,
 * then every result page (_links.next.href). Results are matched to lookups
 * by the echoed input fields, never by position. Pure: requests and answers
 * are data. */
#include "config.h"
#include "prov_util.h"
#include "ident.h"

#include <stdlib.h>
#include <string.h>

enum { AM_SUBMIT = 1, AM_POLL, AM_PAGE };

#define AM_NKEYS 6
#define AM_DEFAULT_POLL 5.0

/* The only lead keys the API takes (additionalProperties: false), in the
 * order they are sent; the name slot may be built from first + last name. */
static const enum ec_field am_fields[AM_NKEYS] = {
    EC_F_EMAIL, EC_F_LINKEDIN_URL, EC_F_COMPANY_DOMAIN, EC_F_COMPANY_NAME, EC_F_NAME, EC_F_TITLE,
};

typedef struct am_state {
    char *job_id;        /* the job's id as text */
    char *poll;          /* request URL of the job (its self link) */
    char **canon;        /* n * AM_NKEYS canonical values sent (NULL = not sent) */
    unsigned char *sent; /* per lookup: 1 when it was part of the submit */
    char *job_status;    /* terminal status once seen */
    char *job_error;     /* the job's _errors message, if any */
    size_t pages;        /* result pages read */
    size_t nsent;        /* lookups in the submit */
} am_state;

static int nonempty(const char *s)
{
    return s && *s;
}

/* Value sent for key slot k of a lookup, malloc'd, or NULL. */
static char *lead_value(const ec_lookup *lk, int k)
{
    enum ec_field f = am_fields[k];
    if (f == EC_F_LINKEDIN_URL && nonempty(lk->id[f]))
        return ec_linkedin_url(lk->id[f]); /* canonical "linkedin.com/in/x" -> full URL */
    if (nonempty(lk->id[f]))
        return ec_xstrdup(lk->id[f]);
    if (f == EC_F_NAME && nonempty(lk->id[EC_F_FIRST_NAME]) && nonempty(lk->id[EC_F_LAST_NAME])) {
        ec_buf b = {0};
        ec_buf_printf(&b, "%s %s", lk->id[EC_F_FIRST_NAME], lk->id[EC_F_LAST_NAME]);
        return ec_buf_take(&b);
    }
    return NULL;
}

/* A lead Amplemarket can find: LinkedIn URL, email, or name with company. */
static int usable(const char *const v[EC_F_COUNT])
{
    int name =
        nonempty(v[EC_F_NAME]) || (nonempty(v[EC_F_FIRST_NAME]) && nonempty(v[EC_F_LAST_NAME]));
    return nonempty(v[EC_F_LINKEDIN_URL]) || nonempty(v[EC_F_EMAIL]) ||
           (name && (nonempty(v[EC_F_COMPANY_NAME]) || nonempty(v[EC_F_COMPANY_DOMAIN])));
}

static int am_choose(const char *const vals[EC_F_COUNT], const char *chosen[EC_F_COUNT])
{
    for (int f = 0; f < EC_F_COUNT; f++)
        chosen[f] = NULL;
    if (!usable(vals))
        return 0;
    for (int k = 0; k < AM_NKEYS; k++)
        if (nonempty(vals[am_fields[k]]))
            chosen[am_fields[k]] = vals[am_fields[k]];
    if (!nonempty(vals[EC_F_NAME]) && nonempty(vals[EC_F_FIRST_NAME]) &&
        nonempty(vals[EC_F_LAST_NAME])) {
        chosen[EC_F_FIRST_NAME] = vals[EC_F_FIRST_NAME];
        chosen[EC_F_LAST_NAME] = vals[EC_F_LAST_NAME];
    }
    return 1;
}

static void am_free_state(ec_batch *b)
{
    am_state *st = b->state;
    if (!st)
        return;
    for (size_t i = 0; i < b->n * AM_NKEYS; i++)
        free(st->canon[i]);
    free(st->canon);
    free(st->sent);
    free(st->job_id);
    free(st->poll);
    free(st->job_status);
    free(st->job_error);
    free(st);
    b->state = NULL;
}

/* The batch's state, made on first use with the canonical sent values. */
static am_state *am_state_get(ec_batch *b)
{
    if (b->state)
        return b->state;
    am_state *st = ec_xcalloc(1, sizeof *st);
    st->canon = ec_xcalloc(b->n * AM_NKEYS + 1, sizeof *st->canon);
    st->sent = ec_xcalloc(b->n + 1, 1);
    for (size_t i = 0; i < b->n; i++) {
        st->sent[i] = (unsigned char)usable(b->items[i]->id);
        st->nsent += st->sent[i];
        for (int k = 0; k < AM_NKEYS && st->sent[i]; k++) {
            char *v = lead_value(b->items[i], k);
            if (v && *v)
                st->canon[i * AM_NKEYS + k] = ec_pu_canon_dup(am_fields[k], v);
            free(v);
        }
    }
    b->state = st;
    return st;
}

static void put_lead(ec_buf *body, const ec_lookup *lk)
{
    static const char *const names[AM_NKEYS] = {
        "email", "linkedin_url", "company_domain", "company_name", "name", "title",
    };
    int first = 1;
    ec_buf_putc(body, '{');
    for (int k = 0; k < AM_NKEYS; k++) {
        char *v = lead_value(lk, k);
        if (v && *v)
            ec_pu_put_member(body, &first, names[k], v);
        free(v);
    }
    ec_buf_putc(body, '}');
}

static int am_start(const ec_pctx *ctx, const ec_auth *auth, ec_batch *b, ec_reqs *out, ec_buf *msg)
{
    (void)auth;
    if (b->n > 1000) {
        ec_buf_printf(msg, "batch of %zu leads is over the limit of 1000", b->n);
        return -1;
    }
    am_state *st = am_state_get(b);
    unsigned fields = b->fields ? b->fields : ctx->fields;
    ec_buf body = {0};
    size_t sent = 0;
    ec_buf_puts(&body, "{\"leads\":[");
    for (size_t i = 0; i < b->n; i++) {
        if (!st->sent[i]) {
            ec_pu_finish(b->items[i], EC_ST_SKIPPED_NO_ID, NULL);
            continue;
        }
        if (sent++)
            ec_buf_putc(&body, ',');
        put_lead(&body, b->items[i]);
    }
    ec_buf_printf(&body, "],\"reveal_email\":%s,\"reveal_phone_numbers\":%s}",
                  (fields & EC_WANT_EMAIL) ? "true" : "false",
                  (fields & EC_WANT_PHONE) ? "true" : "false");
    if (!sent) {
        ec_buf_free(&body);
        return 0;
    }
    ec_reqs_add(out, "POST", ec_xstrdup("/people/enrichment-requests"), ec_buf_take(&body), 1,
                AM_SUBMIT);
    return 0;
}

/* Canonical echo of one result (AM_NKEYS slots, NULL = absent). */
static void echo_of(const ec_json *j, int r, char *echo[AM_NKEYS])
{
    static const char *const names[AM_NKEYS] = {
        "email", "linkedin_url", "company_domain", "company_name", "name", "title",
    };
    for (int k = 0; k < AM_NKEYS; k++) {
        echo[k] = NULL;
        char *v = ec_pu_get_str(j, r, names[k]);
        if (v) {
            echo[k] = ec_pu_canon_dup(am_fields[k], v);
            free(v);
            if (!*echo[k]) {
                free(echo[k]);
                echo[k] = NULL;
            }
        }
    }
}

/* How well lookup i matches an echo: -1 when it cannot be this lead (a field
 * both hold differs, or none is equal); else equal fields, +1000 when every
 * field of the lookup was echoed back equal. A field echoed that the lookup
 * does not hold is no evidence either way: a lookup rebuilt from the journal
 * on resume holds only its strongest identifiers, while the echo repeats
 * every field the first run sent. A result echoing nothing at all can only
 * belong to a batch of one (rank 0). */
static int match_rank(const am_state *st, size_t i, char *const echo[AM_NKEYS])
{
    int eq = 0, missing = 0, echoed = 0;
    for (int k = 0; k < AM_NKEYS; k++)
        echoed += echo[k] != NULL;
    if (!echoed)
        return st->nsent == 1 ? 0 : -1;
    for (int k = 0; k < AM_NKEYS; k++) {
        const char *a = st->canon[i * AM_NKEYS + k];
        if (a && echo[k]) {
            if (strcmp(a, echo[k]) != 0)
                return -1;
            eq++;
        } else if (a) {
            missing++;
        }
    }
    if (!eq)
        return -1;
    return eq + (missing ? 0 : 1000);
}

/* Outcome of one result object r (contacts filtered by fields). */
static void result_outcome(const ec_json *j, int r, unsigned fields, ec_outcome *o)
{
    static const char *const email_keys[] = {"email", "value", "address", NULL};
    static const char *const phone_keys[] = {"number", "value", "phone", NULL};
    int st = ec_json_get(j, r, "status");
    memset(o, 0, sizeof *o);
    if (ec_json_str_eq(j, st, "not_found") || ec_json_str_eq(j, st, "gdpr_removed")) {
        o->status = EC_ST_NOT_FOUND;
        return;
    }
    int person = ec_json_get(j, r, "result");
    if (ec_json_type(j, person) == EC_JSON_OBJECT) {
        if (fields & EC_WANT_EMAIL)
            ec_pu_harvest(j, ec_json_get(j, person, "email"), email_keys, &o->emails);
        if (fields & EC_WANT_PHONE)
            ec_pu_harvest(j, ec_json_get(j, person, "phone_numbers"), phone_keys, &o->phones);
    }
    if (o->emails.n || o->phones.n) {
        o->status = EC_ST_ENRICHED;
    } else if (ec_json_type(j, st) != EC_JSON_STRING || ec_json_str_eq(j, st, "enriched")) {
        o->status = EC_ST_NOT_FOUND;
    } else { /* an unknown per-result status with nothing usable */
        ec_buf why = {0};
        ec_json_str_into(j, st, &why);
        ec_buf reason = {0};
        ec_buf_puts(&reason, "status ");
        ec_pu_put_reason(&reason, why.p ? why.p : "", why.len);
        ec_outcome_fail(o, reason.p);
        ec_buf_free(&why);
        ec_buf_free(&reason);
    }
}

/* Give result r to every sent lookup with the best match rank. An enriched
 * answer is never replaced by a poorer one. */
static void apply_result(ec_batch *b, am_state *st, const ec_json *j, int r, unsigned fields)
{
    char *echo[AM_NKEYS];
    echo_of(j, r, echo);
    int best = -1;
    for (size_t i = 0; i < b->n; i++) {
        int rank = st->sent[i] ? match_rank(st, i, echo) : -1;
        if (rank > best)
            best = rank;
    }
    if (best >= 0) {
        ec_outcome o;
        result_outcome(j, r, fields, &o);
        for (size_t i = 0; i < b->n; i++) {
            ec_lookup *lk = b->items[i];
            if (!st->sent[i] || match_rank(st, i, echo) != best)
                continue;
            if (lk->done && lk->out.status == EC_ST_ENRICHED && o.status != EC_ST_ENRICHED)
                continue;
            ec_outcome_clear(&lk->out);
            ec_outcome_copy(&lk->out, &o);
            lk->done = 1;
        }
        ec_outcome_clear(&o);
    }
    for (int k = 0; k < AM_NKEYS; k++)
        free(echo[k]);
}

static void apply_results(ec_batch *b, am_state *st, const ec_json *j, unsigned fields)
{
    int arr = ec_json_get(j, 0, "results");
    int n = ec_json_size(j, arr);
    if (ec_json_type(j, arr) != EC_JSON_ARRAY)
        return;
    int e = arr + 1;
    for (int i = 0; i < n; i++) {
        if (ec_json_type(j, e) == EC_JSON_OBJECT)
            apply_result(b, st, j, e, fields);
        e = ec_json_skip(j, e);
    }
}

/* Every lookup the terminal job left without a result. */
static void finish_missing(ec_batch *b, const am_state *st)
{
    const char *why = "no_result";
    if (st->job_status && strcmp(st->job_status, "canceled") == 0)
        why = "canceled";
    else if (st->job_status && strcmp(st->job_status, "error") == 0)
        why = st->job_error ? st->job_error : "job_error";
    ec_pu_fail_rest(b, why);
}

/* After a terminal answer or page: read its results, then ask for the next
 * page or finish. */
static enum ec_verdict results_and_next(const ec_pctx *ctx, ec_batch *b, am_state *st,
                                        const ec_json *j, const ec_request *req, ec_reqs *out,
                                        ec_buf *msg)
{
    unsigned fields = b->fields ? b->fields : ctx->fields;
    apply_results(b, st, j, fields);
    st->pages++;
    int href = ec_json_path(j, 0, "_links.next.href");
    char *next = NULL;
    if (ec_json_type(j, href) == EC_JSON_STRING) {
        ec_str raw = ec_json_raw(j, href);
        char *s = ec_json_strdup(j, href, NULL);
        next = s ? ec_pu_request_url(s, strlen(s)) : NULL;
        free(s);
        if (!next && raw.len) {
            ec_buf_puts(msg, "unusable next page link");
            return EC_V_BAD_RESPONSE;
        }
    }
    if (next && strcmp(next, req->url) == 0) { /* a page pointing at itself: stop */
        free(next);
        next = NULL;
    }
    if (next && st->pages > b->n + 100) {
        free(next);
        ec_buf_puts(msg, "too many result pages");
        return EC_V_FAIL;
    }
    if (next) {
        ec_reqs_add(out, "GET", next, NULL, 0, AM_PAGE);
        return EC_V_OK;
    }
    finish_missing(b, st);
    return EC_V_OK;
}

/* Learn the job's id and self link from the submit answer. */
static enum ec_verdict learn_job(am_state *st, const ec_json *j, ec_buf *msg)
{
    char *id = ec_json_scalar_dup(j, ec_json_get(j, 0, "id"));
    if (!id || !*id) {
        free(id);
        ec_buf_puts(msg, "no job id in the answer");
        return EC_V_BAD_RESPONSE;
    }
    char *poll = NULL;
    char *href = ec_json_strdup(j, ec_json_path(j, 0, "_links.self.href"), NULL);
    if (href)
        poll = ec_pu_request_url(href, strlen(href));
    free(href);
    if (!poll) {
        ec_buf b = {0};
        ec_buf_puts(&b, "/people/enrichment-requests/");
        ec_pu_put_segment(&b, id);
        poll = ec_buf_take(&b);
    }
    free(st->job_id);
    free(st->poll);
    st->job_id = id;
    st->poll = poll;
    return EC_V_OK;
}

/* The job's first _errors message (detail, else code, else title), or NULL. */
static char *job_error(const ec_json *j)
{
    static const char *const keys[] = {"detail", "code", "title", NULL};
    int e = ec_json_at(j, ec_json_get(j, 0, "_errors"), 0);
    ec_buf m = {0};
    for (size_t k = 0; keys[k] && ec_json_type(j, e) == EC_JSON_OBJECT && !m.len; k++) {
        char *s = ec_pu_get_str(j, e, keys[k]);
        if (s)
            ec_pu_put_reason(&m, s, strlen(s));
        free(s);
    }
    if (!m.len) {
        ec_buf_free(&m);
        return NULL;
    }
    return ec_buf_take(&m);
}

static int is_terminal(const char *s)
{
    return strcmp(s, "completed") == 0 || strcmp(s, "canceled") == 0 || strcmp(s, "error") == 0;
}

/* A job object: the submit answer or a poll answer. */
static enum ec_verdict on_job(const ec_pctx *ctx, ec_batch *b, am_state *st, const ec_json *j,
                              const ec_request *req, const ec_response *resp, ec_reqs *out,
                              ec_buf *msg)
{
    if (req->tag == AM_SUBMIT) {
        enum ec_verdict v = learn_job(st, j, msg);
        if (v != EC_V_OK)
            return v;
    }
    char *status = ec_pu_get_str(j, 0, "status");
    if (!status && req->tag == AM_POLL) {
        ec_buf_puts(msg, "no job status in the answer");
        return EC_V_BAD_RESPONSE;
    }
    if (!status || !is_terminal(status)) { /* queued, processing, or unknown: poll on */
        free(status);
        ec_request *r = ec_reqs_add(out, "GET", ec_xstrdup(st->poll), NULL, 0, AM_POLL);
        r->delay = ec_pu_poll_delay(ctx, AM_DEFAULT_POLL, resp);
        return EC_V_OK;
    }
    free(st->job_status);
    st->job_status = status;
    if (!st->job_error)
        st->job_error = job_error(j);
    return results_and_next(ctx, b, st, j, req, out, msg);
}

/* A non-2xx answer: the provider's message, and its code where it says more
 * than the HTTP status (insufficient_credits). */
static enum ec_verdict on_error(const ec_response *resp, ec_buf *msg)
{
    enum ec_verdict v = ec_pu_error_verdict(resp, msg);
    if (resp->status >= 400 && resp->status < 500 && resp->body && resp->len) {
        ec_json j;
        if (ec_json_parse(&j, resp->body, resp->len, NULL) == 0) {
            int code = ec_json_path(&j, ec_json_at(&j, ec_json_get(&j, 0, "_errors"), 0), "code");
            if (ec_json_str_eq(&j, code, "insufficient_credits"))
                v = EC_V_CREDITS;
            else if (ec_json_str_eq(&j, code, "unauthorized"))
                v = EC_V_AUTH;
        }
        ec_json_free(&j);
    }
    return v;
}

static enum ec_verdict am_handle(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    am_state *st = am_state_get(b);
    if (resp->status < 200 || resp->status > 299)
        return on_error(resp, msg);
    ec_json j;
    const char *err = NULL;
    if (!resp->body || ec_json_parse(&j, resp->body, resp->len, &err) != 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT) {
        if (resp->body)
            ec_json_free(&j);
        ec_buf_puts(msg, err ? err : "answer is not a JSON object");
        return EC_V_BAD_RESPONSE;
    }
    enum ec_verdict v;
    if (req->tag == AM_PAGE) {
        v = results_and_next(ctx, b, st, &j, req, out, msg);
    } else if (req->tag == AM_SUBMIT || req->tag == AM_POLL) {
        if (req->tag == AM_POLL && !st->poll)
            st->poll = ec_xstrdup(req->url);
        v = on_job(ctx, b, st, &j, req, resp, out, msg);
    } else {
        ec_buf_printf(msg, "unknown request step %d", req->tag);
        v = EC_V_FAIL;
    }
    ec_json_free(&j);
    return v;
}

static char *am_checkpoint(const ec_batch *b)
{
    const am_state *st = b->state;
    if (!st || !st->poll)
        return NULL;
    ec_buf t = {0};
    int first = 1;
    ec_buf_putc(&t, '{');
    ec_pu_put_member(&t, &first, "job", st->job_id ? st->job_id : "");
    ec_pu_put_member(&t, &first, "poll", st->poll);
    ec_buf_putc(&t, '}');
    return ec_buf_take(&t);
}

static int am_resume(const ec_pctx *ctx, ec_batch *b, const char *checkpoint, ec_reqs *out,
                     ec_buf *msg)
{
    (void)ctx;
    ec_json j;
    char *poll = NULL, *job = NULL;
    if (checkpoint && ec_json_parse(&j, checkpoint, strlen(checkpoint), NULL) == 0) {
        char *s = ec_pu_get_str(&j, 0, "poll");
        poll = s ? ec_pu_request_url(s, strlen(s)) : NULL;
        free(s);
        job = ec_pu_get_str(&j, 0, "job");
    }
    if (checkpoint)
        ec_json_free(&j);
    if (!poll) {
        free(job);
        ec_buf_puts(msg, "checkpoint has no job to poll");
        return -1;
    }
    am_state *st = am_state_get(b);
    free(st->poll);
    free(st->job_id);
    st->poll = poll;
    st->job_id = job;
    ec_reqs_add(out, "GET", ec_xstrdup(poll), NULL, 0, AM_POLL);
    return 0;
}

static void am_auth_headers(const ec_auth *auth, const ec_request *req, ec_values *headers)
{
    (void)req;
    if (!auth || !nonempty(auth->key))
        return;
    ec_buf v = {0};
    ec_buf_printf(&v, "Bearer %s", auth->key);
    ec_pu_add_header(headers, "Authorization", v.p);
    ec_buf_free(&v);
}

static const char *const am_key_vars[] = {"AMPLEMARKET_API_KEY", NULL};

const ec_provider ec_prov_amplemarket = {
    .name = "amplemarket",
    .key_vars = am_key_vars,
    .default_base_url = "https://api.amplemarket.com",
    .accepts = 1u << EC_F_EMAIL | 1u << EC_F_LINKEDIN_URL | 1u << EC_F_NAME |
               1u << EC_F_FIRST_NAME | 1u << EC_F_LAST_NAME | 1u << EC_F_TITLE |
               1u << EC_F_COMPANY_NAME | 1u << EC_F_COMPANY_DOMAIN,
    .supports = EC_WANT_EMAIL | EC_WANT_PHONE,
    .max_batch = 1000,
    .default_batch = 100,
    .rate_per_min = 500,
    .max_in_flight = 0,
    .default_poll = AM_DEFAULT_POLL,
    .default_job_timeout = 1800,
    .idempotent_submit = 0,
    .can_resubmit_free = 0,
    .wants_row_payload = 0,
    .fans_out = 0,
    .cost_email = 1,
    .cost_phone = 1,
    .cost_found = 0.5,
    .choose = am_choose,
    .start = am_start,
    .handle = am_handle,
    .checkpoint = am_checkpoint,
    .resume = am_resume,
    .auth_headers = am_auth_headers,
    .free_state = am_free_state,
};
