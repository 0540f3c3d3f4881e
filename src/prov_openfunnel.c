/* prov_openfunnel.c - OpenFunnel (providers.md section 1). One lookup is one
 * account: its account_id starts a fast people discovery job (which finds
 * people but no contacts); once every account of the batch has its people,
 * their ids go to people enrichment jobs of at most 500 ids, whose results
 * carry the emails and phones. An account fans out into one ec_person per
 * person, in the order the discovery job listed them.
 *
 * Stages of an account: SENT (POST out, no job id yet) -> POLLING (job id)
 * -> PEOPLE (ids known) or DONE (failed). A chunk of people ids: SENT ->
 * POLLING -> DONE or FAILED; a 404 PERSON_NOT_FOUND splits it in halves
 * (SPLIT) until the bad id stands alone and fails by itself. The filters,
 * the batch state and checkpoint/resume are in prov_openfunnel_state.c. */
#include "config.h"
#include "prov_openfunnel.h"

#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "json.h"
#include "prov_openfunnel_int.h"
#include "prov_util.h"
#include "provider.h"

/* ---------------------------------------------------------------- helpers */

static int is_2xx(const ec_response *resp)
{
    return resp->status >= 200 && resp->status < 300;
}

static int all_digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Account id as a JSON integer (1-18 digits, leading zeros dropped, not 0). */
static int account_number(const char *id, ec_buf *out)
{
    if (!all_digits(id))
        return -1;
    while (id[0] == '0' && id[1])
        id++;
    if (strlen(id) > 18 || strcmp(id, "0") == 0)
        return -1;
    ec_buf_puts(out, id);
    return 0;
}

/* A person id goes out as a JSON number when it is one (digits without a
 * leading zero, at most 18 so that it stays exact), else as a string: an
 * id "051" is no JSON number, and written bare it would spoil the body. */
static void put_id(ec_buf *b, const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (all_digits(id) && n <= 18 && (id[0] != '0' || n == 1))
        ec_buf_puts(b, id);
    else
        ec_json_put_cstr(b, id);
}

/* --------------------------------------------------------------- requests */

static char *job_url(const char *path, const char *job)
{
    ec_buf u = {0};
    ec_buf_puts(&u, path);
    ec_buf_putc(&u, '/');
    ec_pu_put_segment(&u, job);
    return ec_buf_take(&u);
}

void ec_of_add_poll(const ec_pctx *ctx, ec_reqs *out, int tag, size_t i, const char *job,
                    double *waited, const ec_response *resp)
{
    const char *path = tag == T_FAST_POLL ? OF_FAST_PATH : OF_PEOPLE_PATH;
    ec_request *r = ec_reqs_add(out, "GET", job_url(path, job), NULL, 0, tag);
    r->aux = (long)i;
    r->delay = ec_pu_poll_delay(ctx, OF_POLL, resp);
    *waited += r->delay;
}

static unsigned want(const ec_pctx *ctx, const ec_batch *b)
{
    unsigned f = b->fields ? b->fields : ctx->fields;
    return f ? f : EC_WANT_EMAIL | EC_WANT_PHONE;
}

static void send_chunk(const ec_pctx *ctx, ec_batch *b, size_t c, ec_reqs *out)
{
    of_state *s = b->state;
    of_chunk *ch = &s->chunk[c];
    unsigned f = want(ctx, b);
    ec_buf body = {0};
    ec_buf_puts(&body, "{\"people_ids\":[");
    for (size_t k = 0; k < ch->n; k++) {
        if (k)
            ec_buf_putc(&body, ',');
        put_id(&body, s->pers[ch->pix[k]].p.id);
    }
    ec_buf_printf(&body, "],\"enrich_emails\":%s,\"enrich_phones\":%s}",
                  (f & EC_WANT_EMAIL) ? "true" : "false", (f & EC_WANT_PHONE) ? "true" : "false");
    ec_request *r =
        ec_reqs_add(out, "POST", ec_xstrdup(OF_PEOPLE_PATH), ec_buf_take(&body), 1, T_ENRICH);
    r->aux = (long)c;
}

/* ------------------------------------------------------------ the people */

static void copy_person(ec_person *d, const ec_person *src)
{
    d->id = src->id ? ec_xstrdup(src->id) : NULL;
    d->name = src->name ? ec_xstrdup(src->name) : NULL;
    d->title = src->title ? ec_xstrdup(src->title) : NULL;
    d->linkedin_url = src->linkedin_url ? ec_xstrdup(src->linkedin_url) : NULL;
    d->status = src->status ? ec_xstrdup(src->status) : NULL;
    ec_values_copy(&d->emails, &src->emails);
    ec_values_copy(&d->phones, &src->phones);
}

/* An account with its people known and every chunk settled: its outcome is
 * its people in discovery order. Enriched when it has people (each person
 * row says whether contacts were found), not_found with none, failed when
 * every person's enrichment failed. */
static void finish_account(of_state *s, ec_lookup *lk, const of_acct *a)
{
    ec_outcome_clear(&lk->out);
    lk->out.has_people = 1;
    lk->out.credits = a->credits;
    size_t n = a->people.n, failed = 0;
    const char *reason = NULL;
    lk->out.people = n ? ec_xcalloc(n, sizeof *lk->out.people) : NULL;
    for (size_t k = 0; k < n; k++) {
        long i = ec_of_pers_find(s, a->people.v[k]);
        if (i < 0)
            continue;
        const of_pers *p = &s->pers[i];
        copy_person(&lk->out.people[lk->out.npeople++], &p->p);
        lk->out.credits += p->contacts;
        if (p->failed) {
            if (!failed++)
                reason = strchr(p->p.status, ':') + 1;
        }
    }
    if (!n)
        lk->out.status = EC_ST_NOT_FOUND;
    else if (failed == n && strcmp(reason, "credits") == 0)
        lk->out.status = EC_ST_SKIPPED_CREDITS;
    else if (failed == n)
        ec_outcome_fail(&lk->out, reason);
    else
        lk->out.status = EC_ST_ENRICHED;
    lk->done = 1;
}

void ec_of_advance(const ec_pctx *ctx, ec_batch *b, ec_reqs *out)
{
    of_state *s = b->state;
    for (size_t a = 0; a < s->nacct; a++)
        if (s->acct[a].stage < ST_PEOPLE)
            return;
    if (!s->enrich_started) {
        s->enrich_started = 1;
        ec_of_build_people(s);
        size_t *all = ec_xmalloc((s->npers ? s->npers : 1) * sizeof *all);
        for (size_t i = 0; i < s->npers; i++)
            all[i] = i;
        for (size_t k = 0; k < s->npers; k += OF_CHUNK_MAX) {
            size_t n = s->npers - k < OF_CHUNK_MAX ? s->npers - k : OF_CHUNK_MAX;
            send_chunk(ctx, b, ec_of_chunk_new(s, all + k, n), out);
        }
        free(all);
    }
    for (size_t c = 0; c < s->nchunk; c++)
        if (s->chunk[c].state < CH_DONE)
            return;
    for (size_t a = 0; a < s->nacct; a++)
        if (s->acct[a].stage == ST_PEOPLE && !b->items[a]->done)
            finish_account(s, b->items[a], &s->acct[a]);
}

/* ----------------------------------------------------------------- errors */

static void code_from(const ec_json *j, int t, char *code, size_t size)
{
    static const char *const keys[] = {"error_code", "code", NULL};
    for (int k = 0; keys[k] && !code[0]; k++) {
        char *c = ec_pu_get_str(j, t, keys[k]);
        if (c && strlen(c) < size)
            strcpy(code, c);
        free(c);
    }
}

static int message_from(const ec_json *j, int t, ec_buf *msg)
{
    static const char *const keys[] = {"message", "details", "error_message",
                                       "detail",  "msg",     NULL};
    for (int k = 0; keys[k]; k++) {
        char *m = ec_pu_get_str(j, t, keys[k]);
        if (m) {
            ec_pu_put_reason(msg, m, strlen(m));
            free(m);
            return 1;
        }
    }
    return 0;
}

/* Read an error answer: the vendor's error_code into code ("" when none)
 * and its message into msg; returns the verdict (CREDITS_EXCEEDED, a 400,
 * is out of credits; RATE_LIMITED is transient). The envelope is [U]: look
 * at the root, then under "detail" and "error" (FastAPI style), then for
 * the bare code anywhere in the body. */
static enum ec_verdict of_error(const ec_response *resp, char *code, size_t size, ec_buf *msg)
{
    static const char *const known[] = {"CREDITS_EXCEEDED", "PERSON_NOT_FOUND", "ACCOUNT_NOT_FOUND",
                                        "RATE_LIMITED", NULL};
    code[0] = '\0';
    ec_buf_clear(msg);
    ec_json j = {0};
    if (resp->body && resp->len && ec_json_parse(&j, resp->body, resp->len, NULL) == 0) {
        int where[4] = {0, ec_json_get(&j, 0, "detail"), ec_json_get(&j, 0, "error"), -1};
        if (ec_json_type(&j, where[1]) == EC_JSON_ARRAY) /* validation: detail[0].msg */
            where[3] = ec_json_at(&j, where[1], 0);
        for (int w = 0; w < 4; w++) {
            if (ec_json_type(&j, where[w]) != EC_JSON_OBJECT)
                continue;
            code_from(&j, where[w], code, size);
            if (!msg->len)
                message_from(&j, where[w], msg);
        }
    }
    ec_json_free(&j);
    for (int k = 0; known[k] && !code[0]; k++)
        if (resp->body && strstr(resp->body, known[k]) && strlen(known[k]) < size)
            strcpy(code, known[k]);
    if (!msg->len && code[0]) {
        for (const char *c = code; *c; c++)
            ec_buf_putc(msg, (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c);
    }
    if (!msg->len)
        ec_pu_error_verdict(resp, msg);
    if (strcmp(code, "CREDITS_EXCEEDED") == 0)
        return EC_V_CREDITS;
    if (strcmp(code, "RATE_LIMITED") == 0)
        return EC_V_RETRY;
    return ec_verdict_for_status(resp->status);
}

/* The wait a 429 RATE_LIMITED body asks for: details.retry_after_seconds
 * [V for the auth endpoints; the general envelope is U], also accepted at
 * the root and under "detail" or "error"; clamped as Retry-After is. */
static double of_retry_hint(const ec_response *resp)
{
    ec_json j = {0};
    double secs = -1;
    if (resp->body && resp->len && ec_json_parse(&j, resp->body, resp->len, NULL) == 0) {
        int where[4] = {ec_json_get(&j, 0, "details"), 0, ec_json_get(&j, 0, "detail"),
                        ec_json_get(&j, 0, "error")};
        for (int w = 0; w < 4 && secs < 0; w++) {
            double d;
            if (ec_json_type(&j, where[w]) == EC_JSON_OBJECT &&
                ec_json_double(&j, ec_json_get(&j, where[w], "retry_after_seconds"), &d) == 0 &&
                d >= 0)
                secs = ec_retry_after_clamp(d);
        }
    }
    ec_json_free(&j);
    return secs;
}

/* Parse a 2xx body that must be a JSON object. */
static int parse_object(ec_json *j, const ec_response *resp)
{
    if (!resp->body || ec_json_parse(j, resp->body, resp->len, NULL) < 0 ||
        ec_json_type(j, 0) != EC_JSON_OBJECT) {
        ec_json_free(j);
        return -1;
    }
    return 0;
}

/* The job id of a 2xx answer to a POST, or NULL with msg set. */
static char *answer_job(const ec_response *resp, ec_buf *msg)
{
    ec_json j = {0};
    char *id = NULL;
    int parsed = parse_object(&j, resp) == 0;
    if (parsed)
        id = ec_json_scalar_dup(&j, ec_json_get(&j, 0, "job_id"));
    ec_json_free(&j);
    if (id && !*id) {
        free(id);
        id = NULL;
    }
    if (!id) {
        ec_buf_clear(msg);
        ec_buf_puts(msg, parsed ? "no job_id in the answer" : "bad_response");
    }
    return id;
}

/* ------------------------------------------------------------- discovery */

/* One person id of a discovery answer: a number or string, or (the shape
 * of "result" is [U]) an object naming it person_id, id or people_id. */
static char *person_id_of(const ec_json *j, int e)
{
    static const char *const keys[] = {"person_id", "id", "people_id", NULL};
    if (ec_json_type(j, e) != EC_JSON_OBJECT)
        return ec_json_scalar_dup(j, e);
    char *id = NULL;
    for (int k = 0; keys[k] && !id; k++)
        id = ec_json_scalar_dup(j, ec_json_get(j, e, keys[k]));
    return id;
}

/* People ids of a completed discovery job: "people_ids", or "result" (an
 * array of ids or of person objects, or an object holding people_ids). -1
 * when neither is there although people were reported found. */
static int read_people(const ec_json *j, ec_values *ids)
{
    int t = ec_json_get(j, 0, "people_ids");
    if (ec_json_type(j, t) != EC_JSON_ARRAY)
        t = ec_json_get(j, 0, "result");
    if (ec_json_type(j, t) == EC_JSON_OBJECT)
        t = ec_json_get(j, t, "people_ids");
    if (ec_json_type(j, t) != EC_JSON_ARRAY) {
        long long found = 0;
        ec_json_int(j, ec_json_path(j, 0, "progress.total_found"), &found);
        return found > 0 ? -1 : 0;
    }
    OF_JSON_EACH(j, t, k, e)
    {
        char *id = person_id_of(j, e);
        if (id && *id)
            ec_values_add_unique(ids, id, strlen(id));
        free(id);
    }
    return 0;
}

static enum ec_verdict on_fast_poll(const ec_pctx *ctx, ec_batch *b, size_t i,
                                    const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    of_acct *a = &((of_state *)b->state)->acct[i];
    ec_json j = {0};
    if (parse_object(&j, resp) < 0) {
        ec_buf_puts(msg, "bad_response");
        return EC_V_BAD_RESPONSE;
    }
    int st = ec_json_get(&j, 0, "status");
    ec_values ids = {0};
    if (ec_json_str_eq(&j, st, "completed") && read_people(&j, &ids) < 0) {
        ec_json_free(&j);
        ec_buf_puts(msg, "completed job without people_ids");
        return EC_V_BAD_RESPONSE;
    }
    if (ec_json_str_eq(&j, st, "completed")) {
        ec_json_double(&j, ec_json_path(&j, 0, "progress.credits_used"), &a->credits);
        b->credits += a->credits;
        ec_values_free(&a->people);
        a->people = ids;
        a->stage = ST_PEOPLE;
    } else if (ec_json_str_eq(&j, st, "failed")) {
        char *why = ec_pu_get_str(&j, 0, "error_message");
        ec_of_acct_fail(b, i, why ? why : "discovery_failed");
        free(why);
    } else if (a->waited >= OF_FAST_TIMEOUT) {
        ec_of_acct_fail(b, i, "timeout");
    } else { /* pending, running, or a state we do not know: wait */
        ec_of_add_poll(ctx, out, T_FAST_POLL, i, a->job, &a->waited, resp);
    }
    ec_json_free(&j);
    return EC_V_OK;
}

/* ------------------------------------------------------------ enrichment */

static void bisect(const ec_pctx *ctx, ec_batch *b, size_t c, ec_reqs *out)
{
    of_state *s = b->state;
    if (s->chunk[c].n <= 1) {
        ec_of_chunk_fail(s, c, "person_not_found");
        return;
    }
    size_t n = s->chunk[c].n, half = n / 2;
    size_t *pix = s->chunk[c].pix; /* stays valid: chunk_new moves only the array of chunks */
    s->chunk[c].state = CH_SPLIT;
    size_t lo = ec_of_chunk_new(s, pix, half);
    size_t hi = ec_of_chunk_new(s, pix + half, n - half);
    send_chunk(ctx, b, lo, out);
    send_chunk(ctx, b, hi, out);
}

/* Fill one person of chunk c from a result[] item. */
static void take_item(const ec_json *j, int item, of_state *s, size_t c, unsigned f)
{
    static const char *const email_keys[] = {"email", "value", "address", NULL};
    static const char *const phone_keys[] = {"number", "phone_number", "value", NULL};
    char *id = ec_json_scalar_dup(j, ec_json_get(j, item, "person_id"));
    of_pers *p = NULL;
    for (size_t k = 0; id && k < s->chunk[c].n && !p; k++)
        if (strcmp(s->pers[s->chunk[c].pix[k]].p.id, id) == 0)
            p = &s->pers[s->chunk[c].pix[k]];
    free(id);
    if (!p)
        return;
    char *v = ec_pu_get_str(j, item, "status");
    ec_of_set_str(&p->p.status, v ? v : ec_xstrdup("unknown"));
    if ((v = ec_pu_get_str(j, item, "person_name")) || (v = ec_pu_get_str(j, item, "name")))
        ec_of_set_str(&p->p.name, v);
    if ((v = ec_pu_get_str(j, item, "linkedin_url")))
        ec_of_set_str(&p->p.linkedin_url, v);
    if ((v = ec_pu_get_str(j, item, "title")) || (v = ec_pu_get_str(j, item, "job_title")))
        ec_of_set_str(&p->p.title, v);
    ec_values_free(&p->p.emails);
    ec_values_free(&p->p.phones);
    if (f & EC_WANT_EMAIL)
        ec_pu_harvest(j, ec_json_get(j, item, "email"), email_keys, &p->p.emails);
    if (f & EC_WANT_PHONE)
        ec_pu_harvest(j, ec_json_get(j, item, "phone_number"), phone_keys, &p->p.phones);
    p->failed = 0;
    p->contacts = (int)(p->p.emails.n + p->p.phones.n);
}

static void take_results(const ec_json *j, ec_batch *b, size_t c, unsigned f)
{
    of_state *s = b->state;
    for (size_t k = 0; k < s->chunk[c].n; k++) /* anyone the answer leaves out */
        ec_of_set_str(&s->pers[s->chunk[c].pix[k]].p.status, ec_xstrdup("not_returned"));
    int r = ec_json_get(j, 0, "result");
    OF_JSON_EACH(j, r, k, e)
    {
        if (ec_json_type(j, e) == EC_JSON_OBJECT)
            take_item(j, e, s, c, f);
    }
    double credits = 0;
    if (ec_json_double(j, ec_json_path(j, 0, "credits_used.total"), &credits) == 0)
        b->credits += credits;
    s->chunk[c].state = CH_DONE;
}

static enum ec_verdict on_enrich_poll(const ec_pctx *ctx, ec_batch *b, size_t c,
                                      const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    of_state *s = b->state;
    of_chunk *ch = &s->chunk[c];
    ec_json j = {0};
    if (parse_object(&j, resp) < 0) {
        ec_buf_puts(msg, "bad_response");
        return EC_V_BAD_RESPONSE;
    }
    int st = ec_json_get(&j, 0, "status");
    if (ec_json_str_eq(&j, st, "completed")) {
        take_results(&j, b, c, want(ctx, b));
    } else if (ec_json_str_eq(&j, st, "failed")) {
        char *why = ec_pu_get_str(&j, 0, "error_message");
        ec_of_chunk_fail(s, c, why ? why : "enrich_failed");
        free(why);
    } else if (ch->waited >= OF_ENRICH_BASE + OF_ENRICH_PER * (double)ch->n) {
        ec_of_chunk_fail(s, c, "timeout");
    } else {
        ec_of_add_poll(ctx, out, T_ENRICH_POLL, c, ch->job, &ch->waited, resp);
    }
    ec_json_free(&j);
    return EC_V_OK;
}

/* A 2xx answer to a POST: its job gets polled. */
static enum ec_verdict on_submitted(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                    const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    of_state *s = b->state;
    size_t i = (size_t)req->aux;
    char *job = answer_job(resp, msg);
    if (!job)
        return EC_V_BAD_RESPONSE;
    if (req->tag == T_FAST) {
        ec_of_set_str(&s->acct[i].job, job);
        s->acct[i].stage = ST_POLLING;
        ec_of_add_poll(ctx, out, T_FAST_POLL, i, job, &s->acct[i].waited, NULL);
    } else {
        ec_of_set_str(&s->chunk[i].job, job);
        s->chunk[i].state = CH_POLLING;
        ec_of_add_poll(ctx, out, T_ENRICH_POLL, i, job, &s->chunk[i].waited, NULL);
    }
    return EC_V_OK;
}

/* A non-2xx answer. Transient and key verdicts go to the engine; anything
 * else ends only the account or chunk it was about (each account is its own
 * request, and the others may be paid for already): out of credits as
 * skipped:credits (the engine hears of it once the batch is settled), other
 * errors as failed; a 404 PERSON_NOT_FOUND splits the chunk. */
static enum ec_verdict on_error(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    size_t i = (size_t)req->aux;
    char code[48];
    enum ec_verdict v = of_error(resp, code, sizeof code, msg);
    int poll = req->tag == T_FAST_POLL || req->tag == T_ENRICH_POLL;
    if (req->tag == T_ENRICH && resp->status == 404 &&
        (!code[0] || strcmp(code, "PERSON_NOT_FOUND") == 0)) {
        bisect(ctx, b, i, out);
    } else if (v == EC_V_CREDITS) {
        ((of_state *)b->state)->credits_short = 1;
        if (req->tag == T_FAST || req->tag == T_FAST_POLL) {
            ((of_state *)b->state)->acct[i].stage = ST_DONE;
            ec_pu_finish(b->items[i], EC_ST_SKIPPED_CREDITS, NULL);
        } else {
            ec_of_chunk_fail(b->state, i, "credits");
        }
    } else if (v != EC_V_FAIL) {
        return v;
    } else {
        const char *why = (poll && resp->status == 404)            ? "job_not_found"
                          : strcmp(code, "ACCOUNT_NOT_FOUND") == 0 ? "account_not_found"
                                                                   : msg->p;
        if (req->tag == T_FAST || req->tag == T_FAST_POLL)
            ec_of_acct_fail(b, i, why);
        else
            ec_of_chunk_fail(b->state, i, why);
    }
    ec_buf_clear(msg);
    return EC_V_OK;
}

/* -------------------------------------------------------------- the ops */

static int of_start(const ec_pctx *ctx, const ec_auth *auth, ec_batch *b, ec_reqs *out, ec_buf *msg)
{
    (void)auth;
    ec_buf tail = {0};
    ec_buf_puts(&tail, ",\"seniority_filters\":");
    if (ec_of_put_enum_list(&tail, ctx->seniority, 0, msg) < 0) {
        ec_buf_free(&tail);
        return -1;
    }
    ec_buf_puts(&tail, ",\"department_filters\":");
    if (ec_of_put_enum_list(&tail, ctx->department, 1, msg) < 0) {
        ec_buf_free(&tail);
        return -1;
    }
    ec_buf_puts(&tail, ",\"audience_name\":");
    if (ctx->audience && *ctx->audience)
        ec_json_put_cstr(&tail, ctx->audience);
    else
        ec_buf_puts(&tail, "null");
    if (ctx->max_credit_limit > 0)
        ec_buf_printf(&tail, ",\"max_credit_limit\":%ld", ctx->max_credit_limit);
    ec_buf_putc(&tail, '}');

    ec_of_state_new(b);
    for (size_t i = 0; i < b->n; i++) {
        ec_buf body = {0};
        ec_buf_puts(&body, "{\"account_id\":");
        if (account_number(b->items[i]->id[EC_F_ACCOUNT_ID], &body) < 0) {
            ec_of_acct_fail(b, i, "bad_account_id");
            ec_buf_free(&body);
            continue;
        }
        ec_buf_put(&body, tail.p, tail.len);
        /* paid, but a repeat charges nothing new: discovery bills people not
         * stored yet (providers.md 1a), so a lost answer may be re-sent */
        ec_request *r =
            ec_reqs_add(out, "POST", ec_xstrdup(OF_FAST_PATH), ec_buf_take(&body), 2, T_FAST);
        r->aux = (long)i;
    }
    ec_buf_free(&tail);
    ec_of_advance(ctx, b, out);
    return 0;
}

static enum ec_verdict of_handle(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    of_state *s = b->state;
    size_t i = (size_t)req->aux;
    int acct = req->tag == T_FAST || req->tag == T_FAST_POLL;
    if (!s || req->aux < 0 || req->tag < T_FAST || req->tag > T_ENRICH_POLL) {
        ec_buf_puts(msg, "internal: unknown request");
        return EC_V_FAIL;
    }
    /* an answer for a settled account or chunk (a stray resend) is ignored */
    if (acct && (i >= s->nacct || s->acct[i].stage != (req->tag == T_FAST ? ST_SENT : ST_POLLING)))
        return EC_V_OK;
    if (!acct &&
        (i >= s->nchunk || s->chunk[i].state != (req->tag == T_ENRICH ? CH_SENT : CH_POLLING)))
        return EC_V_OK;
    enum ec_verdict v;
    if (!is_2xx(resp))
        v = on_error(ctx, b, req, resp, out, msg);
    else if (req->tag == T_FAST || req->tag == T_ENRICH)
        v = on_submitted(ctx, b, req, resp, out, msg);
    else if (req->tag == T_FAST_POLL)
        v = on_fast_poll(ctx, b, i, resp, out, msg);
    else
        v = on_enrich_poll(ctx, b, i, resp, out, msg);
    if (v != EC_V_OK)
        return v;
    ec_of_advance(ctx, b, out);
    return ec_pu_credits_verdict(b, s->credits_short, &s->credits_reported,
                                 "OpenFunnel credits exceeded", msg);
}

static void of_auth_headers(const ec_auth *auth, const ec_request *req, ec_values *headers)
{
    ec_pu_add_header(headers, "X-API-Key", auth->key);
    ec_pu_add_header(headers, "X-User-ID", auth->key2);
    if (req->body)
        ec_pu_add_header(headers, "Content-Type", "application/json");
}

static const char *const of_key_vars[] = {"OPENFUNNEL_API_KEY", "OPENFUNNEL_USER_ID", NULL};

const ec_provider ec_prov_openfunnel = {
    .name = "openfunnel",
    .key_vars = of_key_vars,
    .default_base_url = "https://api.openfunnel.dev",
    .accepts = 1u << EC_F_ACCOUNT_ID,
    .supports = EC_WANT_EMAIL | EC_WANT_PHONE,
    .max_batch = 0,      /* each account is its own discovery request */
    .default_batch = 10, /* accounts per batch; their people share enrich jobs of <= 500 */
    .rate_per_min = 0,   /* none documented */
    .max_in_flight = 0,
    .default_poll = OF_POLL,
    .default_job_timeout = 1800, /* discovery (<= 15 min) then enrichment (~2 s a person) */
    .idempotent_submit = 0,
    .can_resubmit_free = 0,
    .wants_row_payload = 0,
    .fans_out = 1,
    .cost_email = 1, /* per person: charged per email found; people per account unbounded */
    .cost_phone = 1,
    .cost_found = 1, /* per new person stored by discovery (capped by --max-credit-limit) */
    .choose = NULL,
    .start = of_start,
    .handle = of_handle,
    .checkpoint = ec_of_checkpoint,
    .resume = ec_of_resume,
    .retry_hint = of_retry_hint,
    .auth_headers = of_auth_headers,
    .free_state = ec_of_free_state,
};
