/* prov_lance.c - Lance (providers.md section 4). A lookup is a Lance person
 * (UUID). Each requested field (emails, phones) is its own pass: a batch
 * POST of at most 100 person ids per field. The per-(person, field) tasks
 * are then polled with the batch status query (at most 200 tasks a query;
 * a task missing from the answer has not started yet) until all are
 * terminal, and every person for whom some field found data is read back
 * from the person record, which holds the emails and phones.
 *
 * A person's outcome: enriched when the record holds a value of a requested
 * field (even when another field failed), else skipped:credits when a pass
 * was refused for credits, else failed:<status> when a task failed, timed
 * out or was cancelled (enrichment_failed, timeout, cancelled), else
 * not_found (dataFound false everywhere). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "prov_util.h"
#include "provider.h"

#define LN_BATCH_PATH "/api/v1/operations/enrichment/batch"
#define LN_QUERY_PATH "/api/v1/operations/enrichment/batch/query"
#define LN_PERSON_PATH "/api/v1/entities/prospects/person/"
#define LN_MAX 100           /* person ids per batch POST [V] */
#define LN_QUERY_MAX 200     /* tasks per status query [V] */
#define LN_POLL 10.0         /* the docs: poll every >= 10 s */
#define LN_JOB_TIMEOUT 900.0 /* an enrichment runs up to 800 s [V]; 15 min */

enum { T_SUBMIT = 1, T_QUERY, T_PERSON };
enum ln_st {
    S_NONE = 0,
    S_PENDING,
    S_FINISHED,
    S_FAILED,
    S_TIMEOUT,
    S_CANCELLED,
    S_CREDITS,
    S_REFUSED
};

static const char *const field_names[2] = {"emails", "phones"};
static const unsigned field_wants[2] = {EC_WANT_EMAIL, EC_WANT_PHONE};

typedef struct ln_task {
    enum ln_st st;
    int found; /* dataFound: 1 true, 0 false, -1 null or absent */
} ln_task;

typedef struct ln_group {
    size_t *task; /* task indexes (lookup * nf + field slot) still asked for */
    size_t n;
    double waited;
} ln_group;

typedef struct ln_state {
    int nf;        /* passes: 1 or 2 */
    int field[2];  /* index into field_names of each pass */
    size_t n;      /* lookups */
    ln_task *t;    /* n * nf */
    size_t *valid; /* lookups with a well-formed person id, in order */
    size_t nvalid;
    int submits; /* batch POSTs not answered yet */
    ln_group *g;
    size_t ng;
    char *refusal; /* the message of a refused pass */
    char *reading; /* per lookup: person record requested */
    int credits_short;
    int credits_reported;
} ln_state;

/* ------------------------------------------------------------------ state */

static void state_free(ln_state *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < s->ng; k++)
        free(s->g[k].task);
    free(s->g);
    free(s->t);
    free(s->valid);
    free(s->refusal);
    free(s->reading);
    free(s);
}

static void ln_free_state(ec_batch *b)
{
    state_free(b->state);
    b->state = NULL;
}

/* A version-4 UUID: 8-4-4-4-12 hex digits, version nibble 4, variant 8-b.
 * The batch POST takes only these [V], and one id it refuses fails the
 * whole batch (400), so anything else fails alone before it is sent. */
static int is_uuid_v4(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex)
            return 0;
    }
    return s[14] == '4' && strchr("89abAB", s[19]) != NULL;
}

static ln_state *state_new(ec_batch *b, unsigned fields)
{
    ln_free_state(b);
    ln_state *s = ec_xcalloc(1, sizeof *s);
    for (int f = 0; f < 2; f++)
        if (fields & field_wants[f])
            s->field[s->nf++] = f;
    s->n = b->n;
    s->t = ec_xcalloc(b->n * (size_t)s->nf + 1, sizeof *s->t);
    s->valid = ec_xcalloc(b->n + 1, sizeof *s->valid);
    s->reading = ec_xcalloc(b->n + 1, 1);
    for (size_t i = 0; i < b->n; i++) {
        if (is_uuid_v4(b->items[i]->id[EC_F_PERSON_ID]))
            s->valid[s->nvalid++] = i;
        else
            ec_pu_finish(b->items[i], EC_ST_FAILED, "bad_person_id");
    }
    b->state = s;
    return s;
}

static int is_2xx(const ec_response *resp)
{
    return resp->status >= 200 && resp->status < 300;
}

static int terminal(enum ln_st st)
{
    return st >= S_FINISHED;
}

/* --------------------------------------------------------------- requests */

/* One batch POST per pass and chunk of 100 ids; aux = chunk * 2 + pass. */
static void submit_all(ln_state *s, ec_batch *b, ec_reqs *out)
{
    for (int p = 0; p < s->nf; p++) {
        for (size_t c = 0; c * LN_MAX < s->nvalid; c++) {
            ec_buf body = {0};
            ec_buf_puts(&body, "{\"personIds\":[");
            for (size_t k = c * LN_MAX; k < s->nvalid && k < (c + 1) * LN_MAX; k++) {
                if (k > c * LN_MAX)
                    ec_buf_putc(&body, ',');
                ec_json_put_cstr(&body, b->items[s->valid[k]]->id[EC_F_PERSON_ID]);
            }
            ec_buf_printf(&body, "],\"field\":\"%s\"}", field_names[s->field[p]]);
            ec_request *r = ec_reqs_add(out, "POST", ec_xstrdup(LN_BATCH_PATH), ec_buf_take(&body),
                                        1, T_SUBMIT);
            r->aux = (long)(c * 2 + (size_t)p);
            s->submits++;
        }
    }
}

static void send_query(const ec_pctx *ctx, ec_batch *b, size_t g, ec_reqs *out,
                       const ec_response *resp)
{
    ln_state *s = b->state;
    ln_group *gr = &s->g[g];
    ec_buf body = {0};
    ec_buf_puts(&body, "{\"tasks\":[");
    for (size_t k = 0; k < gr->n; k++) {
        size_t i = gr->task[k] / (size_t)s->nf;
        int p = (int)(gr->task[k] % (size_t)s->nf);
        ec_buf_puts(&body, k ? ",{\"entityId\":" : "{\"entityId\":");
        ec_json_put_cstr(&body, b->items[i]->id[EC_F_PERSON_ID]);
        ec_buf_printf(&body, ",\"field\":\"%s\",\"entityType\":\"person\"}",
                      field_names[s->field[p]]);
    }
    ec_buf_puts(&body, "]}");
    /* a read: it costs nothing */
    ec_request *r =
        ec_reqs_add(out, "POST", ec_xstrdup(LN_QUERY_PATH), ec_buf_take(&body), 0, T_QUERY);
    r->aux = (long)g;
    r->delay = ec_pu_poll_delay(ctx, LN_POLL, resp);
    gr->waited += r->delay;
}

/* Every task not yet terminal, in groups of at most 200. */
static void start_queries(const ec_pctx *ctx, ec_batch *b, ec_reqs *out)
{
    ln_state *s = b->state;
    size_t ntask = s->n * (size_t)s->nf;
    ln_group *cur = NULL;
    for (size_t t = 0; t < ntask; t++) {
        if (terminal(s->t[t].st) || b->items[t / (size_t)s->nf]->done)
            continue;
        if (!cur || cur->n == LN_QUERY_MAX) {
            s->g = ec_xrealloc(s->g, (s->ng + 1) * sizeof *s->g);
            cur = &s->g[s->ng++];
            memset(cur, 0, sizeof *cur);
            cur->task = ec_xmalloc(LN_QUERY_MAX * sizeof *cur->task);
        }
        cur->task[cur->n++] = t;
    }
    for (size_t g = 0; g < s->ng; g++)
        send_query(ctx, b, g, out, NULL);
}

/* ------------------------------------------------------------ outcomes */

/* The outcome of lookup i once its record (emails, phones; taken over) is
 * known or not needed. */
static void finish(ec_batch *b, size_t i, ec_values *emails, ec_values *phones)
{
    ln_state *s = b->state;
    const ln_task *t = &s->t[i * (size_t)s->nf];
    int found = 0, credits = 0;
    const char *failure = NULL;
    static const char *const why[] = {"",        "",          "", "enrichment_failed",
                                      "timeout", "cancelled", "", ""};
    for (int p = 0; p < s->nf; p++) {
        found += t[p].st == S_FINISHED && t[p].found == 1;
        credits |= t[p].st == S_CREDITS;
        if (!failure && t[p].st >= S_FAILED && t[p].st <= S_CANCELLED)
            failure = why[t[p].st];
        if (!failure && t[p].st == S_REFUSED)
            failure = s->refusal ? s->refusal : "refused";
    }
    if (emails->n || phones->n) {
        ec_pu_finish_contacts(b->items[i], emails, phones);
        b->items[i]->out.credits = found; /* assumed: 1 credit per field found [U] */
        b->credits += found;
    } else if (credits) {
        s->credits_short = 1;
        ec_pu_finish(b->items[i], EC_ST_SKIPPED_CREDITS, NULL);
    } else if (failure) {
        ec_pu_finish(b->items[i], EC_ST_FAILED, failure);
    } else {
        ec_pu_finish(b->items[i], EC_ST_NOT_FOUND, NULL);
    }
    ec_values_free(emails);
    ec_values_free(phones);
}

/* Settle every lookup whose tasks are all terminal: read the person record
 * when some field finished with data (or did not say), else finish now. */
static void progress(ec_batch *b, ec_reqs *out)
{
    ln_state *s = b->state;
    for (size_t k = 0; k < s->nvalid; k++) {
        size_t i = s->valid[k];
        const ln_task *t = &s->t[i * (size_t)s->nf];
        int all = 1, read = 0;
        for (int p = 0; p < s->nf; p++) {
            all &= terminal(t[p].st);
            read |= t[p].st == S_FINISHED && t[p].found != 0;
        }
        if (!all || b->items[i]->done || s->reading[i])
            continue;
        if (read) {
            ec_buf u = {0};
            ec_buf_puts(&u, LN_PERSON_PATH);
            ec_pu_put_segment(&u, b->items[i]->id[EC_F_PERSON_ID]);
            ec_request *r = ec_reqs_add(out, "GET", ec_buf_take(&u), NULL, 0, T_PERSON);
            r->aux = (long)i;
            s->reading[i] = 1;
        } else {
            ec_values e = {0}, ph = {0};
            finish(b, i, &e, &ph);
        }
    }
}

/* OK; or, once every lookup is settled after some pass was refused for
 * credits, the out-of-credits verdict (the engine stops submitting). */
static enum ec_verdict settle_verdict(ec_batch *b, ec_buf *msg)
{
    ln_state *s = b->state;
    return ec_pu_credits_verdict(b, s->credits_short, &s->credits_reported,
                                 "Lance credits exhausted", msg);
}

/* ---------------------------------------------------------------- answers */

static enum ln_st status_of(const ec_json *j, int t)
{
    static const struct {
        const char *name;
        enum ln_st st;
    } map[] = {{"pending", S_PENDING},   {"finished", S_FINISHED},   {"failed", S_FAILED},
               {"timeout", S_TIMEOUT},   {"cancelled", S_CANCELLED}, {"canceled", S_CANCELLED},
               {"completed", S_FINISHED}};
    for (size_t k = 0; k < sizeof map / sizeof *map; k++)
        if (ec_json_str_eq(j, t, map[k].name))
            return map[k].st;
    return S_PENDING; /* unknown: not terminal, waits for the job timeout */
}

/* Apply one enrichment object; pass is the request's pass when the object
 * names no field. */
static void apply(ec_batch *b, const ec_json *j, int e, int pass)
{
    ln_state *s = b->state;
    char *id = ec_pu_get_str(j, e, "entityId");
    int fl = ec_json_get(j, e, "field");
    for (int p = 0; p < s->nf; p++)
        if (ec_json_str_eq(j, fl, field_names[s->field[p]]))
            pass = p;
    for (size_t k = 0; id && pass >= 0 && k < s->nvalid; k++) {
        size_t i = s->valid[k];
        if (strcasecmp(b->items[i]->id[EC_F_PERSON_ID], id) != 0 || b->items[i]->done)
            continue;
        ln_task *t = &s->t[i * (size_t)s->nf + (size_t)pass];
        if (terminal(t->st) && t->st != S_FINISHED)
            continue; /* our own verdicts (credits, refused, timeout) stand */
        enum ec_json_type df = ec_json_type(j, ec_json_get(j, e, "dataFound"));
        t->st = status_of(j, ec_json_get(j, e, "status"));
        t->found = df == EC_JSON_TRUE ? 1 : df == EC_JSON_FALSE ? 0 : -1;
    }
    free(id);
}

/* The enrichment objects of an answer: a bare array, or under "data",
 * "enrichments", "results", "items" or "tasks". -1 when there is none. */
static int object_array(const ec_json *j)
{
    static const char *const keys[] = {"data", "enrichments", "results", "items", "tasks", NULL};
    if (ec_json_type(j, 0) == EC_JSON_ARRAY)
        return 0;
    for (int k = 0; keys[k]; k++)
        if (ec_json_type(j, ec_json_get(j, 0, keys[k])) == EC_JSON_ARRAY)
            return ec_json_get(j, 0, keys[k]);
    if (ec_json_type(j, ec_json_get(j, 0, "entityId")) == EC_JSON_STRING)
        return -2; /* one object */
    return -1;
}

/* Apply every enrichment object of a 2xx body; -1 when it holds none. */
static int apply_all(ec_batch *b, const ec_response *resp, int pass)
{
    ec_json j = {0};
    int r = -1;
    if (resp->body && resp->len && ec_json_parse(&j, resp->body, resp->len, NULL) == 0) {
        int arr = object_array(&j);
        if (arr == -2)
            apply(b, &j, 0, pass);
        for (int k = 0, e = arr + 1; arr >= 0 && k < ec_json_size(&j, arr);
             k++, e = ec_json_skip(&j, e))
            if (ec_json_type(&j, e) == EC_JSON_OBJECT)
                apply(b, &j, e, pass);
        r = arr == -1 ? -1 : 0;
    }
    ec_json_free(&j);
    return r;
}

/* An error answer: msg, and the verdict (INSUFFICIENT_CREDITS in the body
 * counts as out of credits whatever the status; a token without an
 * organization, which Lance answers with 400 "Organization ID is missing",
 * is a key every request refuses: exit 5). */
static enum ec_verdict ln_error(const ec_response *resp, ec_buf *msg)
{
    ec_buf_clear(msg);
    enum ec_verdict v = ec_pu_error_verdict(resp, msg);
    if (resp->status >= 400 && resp->body && strstr(resp->body, "INSUFFICIENT_CREDITS"))
        v = EC_V_CREDITS;
    else if (resp->status == 400 && resp->body && strstr(resp->body, "Organization ID is missing"))
        v = EC_V_AUTH;
    return v;
}

static enum ec_verdict on_submit(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    ln_state *s = b->state;
    int pass = (int)(req->aux % 2);
    size_t c = (size_t)req->aux / 2;
    if (pass >= s->nf)
        return EC_V_OK;
    if (is_2xx(resp)) {
        if (apply_all(b, resp, pass) < 0) {
            ec_buf_puts(msg, "bad_response");
            return EC_V_BAD_RESPONSE;
        }
    } else {
        enum ec_verdict v = ln_error(resp, msg);
        if (v != EC_V_FAIL && v != EC_V_CREDITS)
            return v;
        if (v == EC_V_FAIL && !s->refusal)
            s->refusal = ec_xstrdup(msg->p);
        /* the pass is refused for this chunk; the other pass may still find data */
        for (size_t k = c * LN_MAX; k < s->nvalid && k < (c + 1) * LN_MAX; k++)
            s->t[s->valid[k] * (size_t)s->nf + (size_t)pass].st =
                v == EC_V_CREDITS ? S_CREDITS : S_REFUSED;
        ec_buf_clear(msg);
    }
    if (--s->submits == 0)
        start_queries(ctx, b, out);
    progress(b, out);
    return settle_verdict(b, msg);
}

static enum ec_verdict on_query(const ec_pctx *ctx, ec_batch *b, size_t g, const ec_response *resp,
                                ec_reqs *out, ec_buf *msg)
{
    ln_state *s = b->state;
    ln_group *gr = &s->g[g];
    if (is_2xx(resp) && apply_all(b, resp, -1) < 0) {
        ec_buf_puts(msg, "bad_response");
        return EC_V_BAD_RESPONSE;
    }
    if (!is_2xx(resp) && resp->status != 404) { /* 404: no task has a record yet */
        enum ec_verdict v = ln_error(resp, msg);
        if (v != EC_V_FAIL)
            return v;
        if (!s->refusal)
            s->refusal = ec_xstrdup(msg->p);
        for (size_t k = 0; k < gr->n; k++)
            if (!terminal(s->t[gr->task[k]].st))
                s->t[gr->task[k]].st = S_REFUSED;
        ec_buf_clear(msg);
    }
    size_t m = 0;
    int late = gr->waited >= LN_JOB_TIMEOUT;
    for (size_t k = 0; k < gr->n; k++) { /* keep the tasks still waiting */
        ln_task *t = &s->t[gr->task[k]];
        if (!terminal(t->st) && late)
            t->st = S_TIMEOUT; /* never started or never finished */
        if (!terminal(t->st) && !b->items[gr->task[k] / (size_t)s->nf]->done)
            gr->task[m++] = gr->task[k];
    }
    gr->n = m;
    if (m)
        send_query(ctx, b, g, out, resp);
    progress(b, out);
    return settle_verdict(b, msg);
}

/* The person record's contacts; the record may be wrapped in "data" or
 * "person". */
static enum ec_verdict on_person(ec_batch *b, size_t i, const ec_response *resp, ec_buf *msg)
{
    static const char *const email_keys[] = {"email", "value", "address", NULL};
    static const char *const phone_keys[] = {"number", "phone", "value", NULL};
    ln_state *s = b->state;
    ec_values emails = {0}, phones = {0};
    if (!is_2xx(resp)) {
        enum ec_verdict v = ln_error(resp, msg);
        if (v != EC_V_FAIL)
            return v;
        ec_pu_finish(b->items[i], EC_ST_FAILED, resp->status == 404 ? "person_not_found" : msg->p);
        ec_buf_clear(msg);
        return settle_verdict(b, msg);
    }
    ec_json j = {0};
    if (!resp->body || ec_json_parse(&j, resp->body, resp->len, NULL) < 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT) {
        ec_json_free(&j);
        ec_buf_puts(msg, "bad_response");
        return EC_V_BAD_RESPONSE;
    }
    int rec = 0;
    if (ec_json_get(&j, 0, "emails") < 0 && ec_json_get(&j, 0, "phones") < 0) {
        int d = ec_json_get(&j, 0, "data");
        rec = ec_json_type(&j, d) == EC_JSON_OBJECT ? d : ec_json_get(&j, 0, "person");
    }
    for (int p = 0; p < s->nf; p++) {
        if (s->field[p] == 0)
            ec_pu_harvest(&j, ec_json_get(&j, rec, "emails"), email_keys, &emails);
        else
            ec_pu_harvest(&j, ec_json_get(&j, rec, "phones"), phone_keys, &phones);
    }
    ec_json_free(&j);
    finish(b, i, &emails, &phones);
    return settle_verdict(b, msg);
}

/* -------------------------------------------------------------------- ops */

static int ln_start(const ec_pctx *ctx, const ec_auth *auth, ec_batch *b, ec_reqs *out, ec_buf *msg)
{
    (void)auth;
    (void)msg;
    unsigned f = b->fields ? b->fields : ctx->fields;
    ln_state *s = state_new(b, f ? f : EC_WANT_EMAIL | EC_WANT_PHONE);
    submit_all(s, b, out);
    return 0;
}

static enum ec_verdict ln_handle(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    ln_state *s = b->state;
    if (!s || req->aux < 0) {
        ec_buf_puts(msg, "internal: answer without state");
        return EC_V_FAIL;
    }
    switch (req->tag) {
    case T_SUBMIT:
        return on_submit(ctx, b, req, resp, out, msg);
    case T_QUERY:
        if ((size_t)req->aux >= s->ng)
            return EC_V_OK;
        return on_query(ctx, b, (size_t)req->aux, resp, out, msg);
    case T_PERSON:
        if ((size_t)req->aux >= s->n || b->items[req->aux]->done)
            return EC_V_OK;
        return on_person(b, (size_t)req->aux, resp, msg);
    default:
        ec_buf_puts(msg, "internal: unknown request");
        return EC_V_FAIL;
    }
}

/* {"v":1,"fields":["emails",...],"persons":[ids]}: what was asked. The
 * enrichments themselves need no saving: re-posting (person, field) returns
 * the pending or finished enrichment at no charge [V], which is how a
 * resumed batch finds them again. */
static char *ln_checkpoint(const ec_batch *b)
{
    const ln_state *s = b->state;
    if (!s)
        return NULL;
    ec_buf o = {0};
    ec_buf_puts(&o, "{\"v\":1,\"fields\":[");
    for (int p = 0; p < s->nf; p++)
        ec_buf_printf(&o, "%s\"%s\"", p ? "," : "", field_names[s->field[p]]);
    ec_buf_puts(&o, "],\"persons\":[");
    for (size_t k = 0; k < s->nvalid; k++) {
        if (k)
            ec_buf_putc(&o, ',');
        ec_json_put_cstr(&o, b->items[s->valid[k]]->id[EC_F_PERSON_ID]);
    }
    ec_buf_puts(&o, "]}");
    return ec_buf_take(&o);
}

/* Resume = post the batch again for the fields saved (free, see above). */
static int ln_resume(const ec_pctx *ctx, ec_batch *b, const char *cp, ec_reqs *out, ec_buf *msg)
{
    (void)msg;
    unsigned f = 0;
    ec_json j = {0};
    if (cp && ec_json_parse(&j, cp, strlen(cp), NULL) == 0) {
        int arr = ec_json_get(&j, 0, "fields");
        for (int k = 0, e = arr + 1;
             ec_json_type(&j, arr) == EC_JSON_ARRAY && k < ec_json_size(&j, arr);
             k++, e = ec_json_skip(&j, e))
            for (int p = 0; p < 2; p++)
                if (ec_json_str_eq(&j, e, field_names[p]))
                    f |= field_wants[p];
    }
    ec_json_free(&j);
    if (!f)
        f = b->fields ? b->fields : ctx->fields;
    ln_state *s = state_new(b, f ? f : EC_WANT_EMAIL | EC_WANT_PHONE);
    submit_all(s, b, out);
    return 0;
}

static void ln_auth_headers(const ec_auth *auth, const ec_request *req, ec_values *headers)
{
    if (auth->key && *auth->key) {
        ec_buf v = {0};
        ec_buf_printf(&v, "Bearer %s", auth->key);
        ec_pu_add_header(headers, "Authorization", v.p);
        ec_buf_free(&v);
    }
    if (req->body)
        ec_pu_add_header(headers, "Content-Type", "application/json");
}

static const char *const ln_key_vars[] = {"LANCE_API_TOKEN", NULL};

const ec_provider ec_prov_lance = {
    .name = "lance",
    .key_vars = ln_key_vars,
    .default_base_url = "https://app.lance.so", /* the docs also show https://api.lance.app */
    .accepts = 1u << EC_F_PERSON_ID,
    .supports = EC_WANT_EMAIL | EC_WANT_PHONE,
    .max_batch = LN_MAX,
    .default_batch = LN_MAX,
    .rate_per_min = 0, /* none documented */
    .max_in_flight = 0,
    .default_poll = LN_POLL,
    .default_job_timeout = LN_JOB_TIMEOUT,
    .idempotent_submit = 0,
    .can_resubmit_free = 1, /* (person, field) reuses a pending or finished enrichment */
    .wants_row_payload = 0,
    .fans_out = 0,
    .cost_email = 1, /* prices undocumented [U]: assumed 1 credit per field found */
    .cost_phone = 1,
    .cost_found = 0,
    .choose = NULL,
    .start = ln_start,
    .handle = ln_handle,
    .checkpoint = ln_checkpoint,
    .resume = ln_resume,
    .auth_headers = ln_auth_headers,
    .free_state = ln_free_state,
};
