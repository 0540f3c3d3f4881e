/* prov_thehog.c - The Hog contact enrichment (providers.md section 2).
 *
 * One batch = one paid POST /api/enrichments carrying one identifier per
 * lookup (LinkedIn URL, else email, else X handle, else GitHub user). A
 * single LinkedIn identifier is sent as "identifier" and may be answered at
 * once (200, data.contact); otherwise a 202 names an operation that is polled
 * (pollUrl, else /api/operations/{id}, else /api/enrichments/{id}) until a
 * terminal status, and its items are matched to lookups by their echoed
 * identifier. Pure: requests and answers are data. */
#include "config.h"
#include "prov_util.h"
#include "ident.h"

#include <stdlib.h>
#include <string.h>

enum { TH_SUBMIT = 1, TH_POLL };

#define TH_DEFAULT_POLL 3.0

/* The identifiers the API takes, in the order one is chosen per lookup. */
static const enum ec_field th_order[] = {
    EC_F_LINKEDIN_URL,
    EC_F_EMAIL,
    EC_F_X_HANDLE,
    EC_F_GITHUB_USERNAME,
};
#define TH_NORDER (sizeof th_order / sizeof *th_order)

typedef struct th_state {
    int *kind;    /* per lookup: the field sent, -1 when none */
    char **canon; /* per lookup: canonical value sent */
    size_t nsent; /* lookups in the submit */
    char *op_id;  /* operation id once known */
    char *poll;   /* request URL of the operation */
    char *alt;    /* fallback poll URL tried once on 404, or NULL */
    int finished; /* a terminal answer was read */
} th_state;

static int nonempty(const char *s)
{
    return s && *s;
}

/* The identifier chosen from a lookup's or row's values, or -1. */
static int pick(const char *const v[EC_F_COUNT])
{
    for (size_t i = 0; i < TH_NORDER; i++)
        if (nonempty(v[th_order[i]]))
            return (int)th_order[i];
    return -1;
}

static int th_choose(const char *const vals[EC_F_COUNT], const char *chosen[EC_F_COUNT])
{
    for (int f = 0; f < EC_F_COUNT; f++)
        chosen[f] = NULL;
    int f = pick(vals);
    if (f < 0)
        return 0;
    chosen[f] = vals[f];
    return 1;
}

/* The value sent for a lookup's identifier, malloc'd: a canonical LinkedIn
 * value becomes a full URL, an X handle loses its '@'. */
static char *sent_value(const ec_lookup *lk, int f)
{
    const char *v = lk->id[f];
    if (f == EC_F_LINKEDIN_URL)
        return ec_linkedin_url(v);
    while (f == EC_F_X_HANDLE && *v == '@')
        v++;
    return ec_xstrdup(v);
}

static void th_free_state(ec_batch *b)
{
    th_state *st = b->state;
    if (!st)
        return;
    for (size_t i = 0; i < b->n; i++)
        free(st->canon[i]);
    free(st->canon);
    free(st->kind);
    free(st->op_id);
    free(st->poll);
    free(st->alt);
    free(st);
    b->state = NULL;
}

static th_state *th_state_get(ec_batch *b)
{
    if (b->state)
        return b->state;
    th_state *st = ec_xcalloc(1, sizeof *st);
    st->kind = ec_xcalloc(b->n + 1, sizeof *st->kind);
    st->canon = ec_xcalloc(b->n + 1, sizeof *st->canon);
    for (size_t i = 0; i < b->n; i++) {
        int f = pick(b->items[i]->id);
        char *v = f >= 0 ? sent_value(b->items[i], f) : NULL;
        st->kind[i] = v && *v ? f : -1;
        if (st->kind[i] >= 0) {
            st->canon[i] = ec_pu_canon_dup((enum ec_field)f, v);
            st->nsent++;
        }
        free(v);
    }
    b->state = st;
    return st;
}

static void put_identifier(ec_buf *body, const ec_lookup *lk, int f)
{
    int first = 1;
    char *v = sent_value(lk, f);
    ec_buf_putc(body, '{');
    ec_pu_put_member(body, &first, ec_field_name((enum ec_field)f), v);
    ec_buf_putc(body, '}');
    free(v);
}

static int th_start(const ec_pctx *ctx, const ec_auth *auth, ec_batch *b, ec_reqs *out, ec_buf *msg)
{
    (void)auth;
    if (b->n > 100) {
        ec_buf_printf(msg, "batch of %zu identifiers is over the limit of 100", b->n);
        return -1;
    }
    th_state *st = th_state_get(b);
    unsigned fields = b->fields ? b->fields : ctx->fields;
    if (!(fields & (EC_WANT_EMAIL | EC_WANT_PHONE)))
        fields = EC_WANT_EMAIL | EC_WANT_PHONE;
    ec_buf body = {0};
    ec_buf_puts(&body, "{\"fields\":[");
    if (fields & EC_WANT_EMAIL)
        ec_buf_puts(&body, "\"contact.email\"");
    if (fields & EC_WANT_PHONE)
        ec_buf_puts(&body, (fields & EC_WANT_EMAIL) ? ",\"contact.phone\"" : "\"contact.phone\"");
    ec_buf_puts(&body, "],");
    /* a lone LinkedIn identifier goes as "identifier": it may be answered at once */
    int single = 0;
    for (size_t i = 0; i < b->n; i++)
        single |= st->nsent == 1 && st->kind[i] == EC_F_LINKEDIN_URL;
    ec_buf_puts(&body, single ? "\"identifier\":" : "\"identifiers\":[");
    size_t sent = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (st->kind[i] < 0) {
            ec_pu_finish(b->items[i], EC_ST_SKIPPED_NO_ID, NULL);
            continue;
        }
        if (sent++)
            ec_buf_putc(&body, ',');
        put_identifier(&body, b->items[i], st->kind[i]);
    }
    if (!sent) {
        ec_buf_free(&body);
        return 0;
    }
    ec_buf_puts(&body, single ? "}" : "]}");
    ec_reqs_add(out, "POST", ec_xstrdup("/api/enrichments"), ec_buf_take(&body), 1, TH_SUBMIT);
    return 0;
}

/* The items array of an operation, wherever it is nested, or -1. */
static int find_items(const ec_json *j)
{
    int r = ec_json_get(j, 0, "result");
    if (ec_json_type(j, r) == EC_JSON_ARRAY)
        return r;
    int t = ec_json_get(j, r, "items");
    if (ec_json_type(j, t) == EC_JSON_ARRAY)
        return t;
    t = ec_json_get(j, 0, "items");
    if (ec_json_type(j, t) == EC_JSON_ARRAY)
        return t;
    return -1;
}

/* Emails and phones of a contact object (data.contact), filtered by fields. */
static void contacts_of(const ec_json *j, int contact, unsigned fields, ec_values *emails,
                        ec_values *phones)
{
    static const char *const email_keys[] = {"value", "email", "address", NULL};
    static const char *const phone_keys[] = {"value", "number", "phone", "e164", NULL};
    if (fields & EC_WANT_EMAIL)
        ec_pu_harvest(j, ec_json_get(j, contact, "email"), email_keys, emails);
    if (fields & EC_WANT_PHONE)
        ec_pu_harvest(j, ec_json_get(j, contact, "phone"), phone_keys, phones);
}

/* Reason for a failed item: its error's message or code, else provider_failed.
 * Returns 1 when the error says the person was not found. */
static int item_error(const ec_json *j, int item, ec_buf *why)
{
    int e = ec_json_get(j, item, "error");
    if (ec_json_type(j, e) == EC_JSON_STRING) {
        ec_buf s = {0};
        ec_json_str_into(j, e, &s);
        ec_pu_put_reason(why, s.p ? s.p : "", s.len);
        ec_buf_free(&s);
    } else if (ec_json_type(j, e) == EC_JSON_OBJECT) {
        int code = ec_json_get(j, e, "code");
        if (ec_json_str_eq(j, code, "NOT_FOUND") || ec_json_str_eq(j, code, "not_found"))
            return 1;
        char *s = ec_pu_get_str(j, e, "message");
        if (!s)
            s = ec_json_scalar_dup(j, code);
        if (s)
            ec_pu_put_reason(why, s, strlen(s));
        free(s);
    }
    if (!why->len)
        ec_buf_puts(why, "provider_failed");
    return 0;
}

/* Outcome of one item (or of a sync answer's data object when item < 0). */
static void item_outcome(const ec_json *j, int item, int data, unsigned fields, ec_outcome *o)
{
    memset(o, 0, sizeof *o);
    int st = item >= 0 ? ec_json_get(j, item, "status") : -1;
    if (ec_json_str_eq(j, st, "failed") || ec_json_str_eq(j, st, "error")) {
        ec_buf why = {0};
        if (item_error(j, item, &why))
            o->status = EC_ST_NOT_FOUND;
        else
            ec_outcome_fail(o, why.p);
        ec_buf_free(&why);
        return;
    }
    contacts_of(j, ec_json_get(j, data, "contact"), fields, &o->emails, &o->phones);
    if (o->emails.n || o->phones.n) {
        o->status = EC_ST_ENRICHED;
    } else if (ec_json_type(j, st) != EC_JSON_STRING || ec_json_str_eq(j, st, "success")) {
        o->status = EC_ST_NOT_FOUND;
    } else {
        ec_buf s = {0}, why = {0};
        ec_json_str_into(j, st, &s);
        ec_buf_puts(&why, "status ");
        ec_pu_put_reason(&why, s.p ? s.p : "", s.len);
        ec_outcome_fail(o, why.p);
        ec_buf_free(&s);
        ec_buf_free(&why);
    }
}

static void give(ec_lookup *lk, const ec_outcome *o)
{
    if (lk->done && lk->out.status == EC_ST_ENRICHED && o->status != EC_ST_ENRICHED)
        return; /* never replace a found contact by a poorer answer */
    ec_outcome_clear(&lk->out);
    ec_outcome_copy(&lk->out, o);
    lk->done = 1;
}

/* Give o to every sent lookup of kind f (-1: any kind) whose canonical value
 * equals the echoed value token v. */
static void give_matching(ec_batch *b, const th_state *st, const ec_json *j, int f, int v,
                          const ec_outcome *o)
{
    if (ec_json_type(j, v) != EC_JSON_STRING)
        return;
    ec_buf raw = {0}, canon = {0};
    ec_json_str_into(j, v, &raw);
    for (size_t i = 0; i < b->n; i++) {
        if (st->kind[i] < 0 || (f >= 0 && st->kind[i] != f))
            continue;
        if (f < 0 || !canon.p) { /* canonical form depends on the field */
            ec_buf_clear(&canon);
            ec_pu_canon((enum ec_field)st->kind[i], raw.p ? raw.p : "", raw.len, &canon);
        }
        if (strcmp(canon.p ? canon.p : "", st->canon[i]) == 0)
            give(b->items[i], o);
    }
    ec_buf_free(&raw);
    ec_buf_free(&canon);
}

/* Match an item to lookups by its identifier echo: an object's members
 * ({"email":"..."}), or a bare string; an item without an echo can only
 * belong to a batch of one. */
static void apply_item(ec_batch *b, const th_state *st, const ec_json *j, int item, unsigned fields)
{
    int ident = ec_json_get(j, item, "identifier");
    ec_outcome o;
    item_outcome(j, item, ec_json_get(j, item, "data"), fields, &o);
    if (ec_json_type(j, ident) == EC_JSON_OBJECT) {
        int n = ec_json_size(j, ident);
        for (int m = 0; m < n; m++) {
            int key = ec_json_at(j, ident, m);
            ec_buf name = {0};
            ec_json_str_into(j, key, &name);
            int f = ec_field_from_name(name.p ? name.p : "");
            ec_buf_free(&name);
            if (f >= 0)
                give_matching(b, st, j, f, key + 1, &o);
        }
    } else if (ec_json_type(j, ident) == EC_JSON_STRING) {
        give_matching(b, st, j, -1, ident, &o);
    } else if (st->nsent == 1) {
        for (size_t i = 0; i < b->n; i++)
            if (st->kind[i] >= 0)
                give(b->items[i], &o);
    }
    ec_outcome_clear(&o);
}

/* The single sent lookup (for answers that carry no identifier), or NULL. */
static ec_lookup *only_lookup(ec_batch *b, const th_state *st)
{
    if (st->nsent != 1)
        return NULL;
    for (size_t i = 0; i < b->n; i++)
        if (st->kind[i] >= 0)
            return b->items[i];
    return NULL;
}

/* Add what the answer says was spent (meta.cost.actual). */
static void add_cost(ec_batch *b, const ec_json *j)
{
    double c;
    int t = ec_json_path(j, 0, "meta.cost.actual");
    if (t < 0)
        t = ec_json_path(j, 0, "result.meta.cost.actual");
    if (ec_json_double(j, t, &c) == 0 && c > 0)
        b->credits += c;
}

/* Contacts answered for a batch of one without items: data.contact
 * (sync 200), result.data.contact or result.contact. Returns 1 if used. */
static int apply_single(ec_batch *b, const th_state *st, const ec_json *j, unsigned fields)
{
    ec_lookup *lk = only_lookup(b, st);
    if (!lk)
        return 0;
    const char *paths[] = {"data", "result.data", "result"};
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        int data = ec_json_path(j, 0, paths[p]);
        /* top-level data is the sync answer even when it has no contact */
        if (ec_json_type(j, data) == EC_JSON_OBJECT &&
            (p == 0 || ec_json_type(j, ec_json_get(j, data, "contact")) != EC_JSON_NONE)) {
            ec_outcome o;
            item_outcome(j, -1, data, fields, &o);
            give(lk, &o);
            ec_outcome_clear(&o);
            return 1;
        }
    }
    return 0;
}

static void apply_items(ec_batch *b, const th_state *st, const ec_json *j, int items,
                        unsigned fields)
{
    int n = ec_json_size(j, items);
    int e = items + 1;
    for (int i = 0; i < n; i++) {
        if (ec_json_type(j, e) == EC_JSON_OBJECT)
            apply_item(b, st, j, e, fields);
        e = ec_json_skip(j, e);
    }
}

static int is_terminal(const char *s)
{
    return strcmp(s, "succeeded") == 0 || strcmp(s, "failed") == 0 ||
           strcmp(s, "partial_success") == 0 || strcmp(s, "cancelled") == 0;
}

/* Reason for lookups a terminal operation left unanswered. malloc'd. */
static char *missing_reason(const ec_json *j, const char *status)
{
    if (status && strcmp(status, "cancelled") == 0)
        return ec_xstrdup("cancelled");
    if (!status || strcmp(status, "failed") != 0)
        return ec_xstrdup("no_result");
    ec_buf why = {0};
    int e = ec_json_get(j, 0, "error");
    char *s = ec_json_type(j, e) == EC_JSON_OBJECT ? ec_pu_get_str(j, e, "message")
                                                   : ec_json_scalar_dup(j, e);
    if (!s && ec_json_type(j, e) == EC_JSON_OBJECT)
        s = ec_pu_get_str(j, e, "code");
    if (s)
        ec_pu_put_reason(&why, s, strlen(s));
    free(s);
    if (!why.len)
        ec_buf_puts(&why, "failed");
    return ec_buf_take(&why);
}

/* A terminal answer: harvest items (or a lone data.contact), count the
 * cost, and fail what is left. */
static void finish_operation(ec_batch *b, th_state *st, const ec_json *j, const char *status,
                             unsigned fields)
{
    int items = find_items(j);
    if (items >= 0)
        apply_items(b, st, j, items, fields);
    else
        apply_single(b, st, j, fields);
    add_cost(b, j);
    char *why = missing_reason(j, status);
    ec_pu_fail_rest(b, why);
    free(why);
    st->finished = 1;
}

/* An operation object (a 202 answer or a poll answer): finish it when its
 * status is terminal, else poll again. */
static enum ec_verdict on_operation(const ec_pctx *ctx, ec_batch *b, th_state *st, const ec_json *j,
                                    const ec_response *resp, int is_poll, ec_reqs *out, ec_buf *msg)
{
    unsigned fields = b->fields ? b->fields : ctx->fields;
    char *status = ec_pu_get_str(j, 0, "status");
    int terminal = status ? is_terminal(status) : find_items(j) >= 0;
    if (terminal) {
        finish_operation(b, st, j, status, fields);
        free(status);
        return EC_V_OK;
    }
    if (!status && is_poll) {
        ec_buf_puts(msg, "no operation status in the answer");
        return EC_V_BAD_RESPONSE;
    }
    free(status); /* queued, processing, or a state not known yet: poll on */
    ec_request *r = ec_reqs_add(out, "GET", ec_xstrdup(st->poll), NULL, 0, TH_POLL);
    r->delay = ec_pu_poll_delay(ctx, TH_DEFAULT_POLL, resp);
    return EC_V_OK;
}

/* Learn the operation's poll URL from a 202 answer. Returns 0, or -1 when
 * the answer names no operation. */
static int learn_operation(th_state *st, const ec_json *j)
{
    char *id = ec_json_scalar_dup(j, ec_json_get(j, 0, "id"));
    if (!id || !*id) {
        free(id);
        id = ec_json_scalar_dup(j, ec_json_get(j, 0, "operationId"));
    }
    if (id && !*id) {
        free(id);
        id = NULL;
    }
    char *url = ec_pu_get_str(j, 0, "pollUrl");
    char *poll = url ? ec_pu_request_url(url, strlen(url)) : NULL;
    free(url);
    char *alt = NULL;
    if (!poll && id) { /* documented route first, the seed's as fallback */
        ec_buf p = {0}, a = {0};
        ec_buf_puts(&p, "/api/operations/");
        ec_pu_put_segment(&p, id);
        ec_buf_puts(&a, "/api/enrichments/");
        ec_pu_put_segment(&a, id);
        poll = ec_buf_take(&p);
        alt = ec_buf_take(&a);
    }
    if (!poll) {
        free(id);
        return -1;
    }
    free(st->op_id);
    free(st->poll);
    free(st->alt);
    st->op_id = id;
    st->poll = poll;
    st->alt = alt;
    return 0;
}

static enum ec_verdict on_submit(const ec_pctx *ctx, ec_batch *b, th_state *st, const ec_json *j,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    unsigned fields = b->fields ? b->fields : ctx->fields;
    int items = find_items(j);
    if (items < 0 && ec_json_type(j, ec_json_get(j, 0, "data")) == EC_JSON_OBJECT) {
        if (!only_lookup(b, st)) { /* contacts without identifiers cannot be placed */
            ec_buf_puts(msg, "synchronous answer to a batch of more than one identifier");
            return EC_V_BAD_RESPONSE;
        }
        finish_operation(b, st, j, NULL, fields); /* answered at once (sync 200) */
        return EC_V_OK;
    }
    if (learn_operation(st, j) == 0)
        return on_operation(ctx, b, st, j, resp, 0, out, msg);
    if (items >= 0) { /* items, but no operation to poll: answered at once */
        char *status = ec_pu_get_str(j, 0, "status");
        finish_operation(b, st, j, status, fields);
        free(status);
        return EC_V_OK;
    }
    ec_buf_puts(msg, "answer has neither contacts nor an operation to poll");
    return EC_V_BAD_RESPONSE;
}

static enum ec_verdict th_handle(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    th_state *st = th_state_get(b);
    if (resp->status < 200 || resp->status > 299) {
        if (req->tag == TH_POLL && resp->status == 404 && st->alt) {
            free(st->poll); /* GET /api/operations/{id} unknown here: try the seed's route */
            st->poll = st->alt;
            st->alt = NULL;
            ec_reqs_add(out, "GET", ec_xstrdup(st->poll), NULL, 0, TH_POLL);
            return EC_V_OK;
        }
        return ec_pu_error_verdict(resp, msg);
    }
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
    if (req->tag == TH_SUBMIT) {
        v = on_submit(ctx, b, st, &j, resp, out, msg);
    } else if (req->tag == TH_POLL) {
        if (!st->poll)
            st->poll = ec_xstrdup(req->url);
        v = on_operation(ctx, b, st, &j, resp, 1, out, msg);
    } else {
        ec_buf_printf(msg, "unknown request step %d", req->tag);
        v = EC_V_FAIL;
    }
    ec_json_free(&j);
    return v;
}

static char *th_checkpoint(const ec_batch *b)
{
    const th_state *st = b->state;
    if (!st || !st->poll || st->finished)
        return NULL;
    ec_buf t = {0};
    int first = 1;
    ec_buf_putc(&t, '{');
    ec_pu_put_member(&t, &first, "op", st->op_id ? st->op_id : "");
    ec_pu_put_member(&t, &first, "poll", st->poll);
    if (st->alt)
        ec_pu_put_member(&t, &first, "alt", st->alt);
    ec_buf_putc(&t, '}');
    return ec_buf_take(&t);
}

/* A URL member of the checkpoint as a request URL, or NULL. */
static char *checkpoint_url(const ec_json *j, const char *key)
{
    char *s = ec_pu_get_str(j, 0, key);
    char *u = s ? ec_pu_request_url(s, strlen(s)) : NULL;
    free(s);
    return u;
}

static int th_resume(const ec_pctx *ctx, ec_batch *b, const char *checkpoint, ec_reqs *out,
                     ec_buf *msg)
{
    (void)ctx;
    ec_json j;
    char *poll = NULL, *alt = NULL, *op = NULL;
    if (checkpoint) {
        if (ec_json_parse(&j, checkpoint, strlen(checkpoint), NULL) == 0) {
            poll = checkpoint_url(&j, "poll");
            alt = checkpoint_url(&j, "alt");
            op = ec_pu_get_str(&j, 0, "op");
        }
        ec_json_free(&j);
    }
    if (!poll) {
        free(alt);
        free(op);
        ec_buf_puts(msg, "checkpoint has no operation to poll");
        return -1;
    }
    th_state *st = th_state_get(b);
    free(st->poll);
    free(st->alt);
    free(st->op_id);
    st->poll = poll;
    st->alt = alt;
    st->op_id = op;
    ec_reqs_add(out, "GET", ec_xstrdup(poll), NULL, 0, TH_POLL);
    return 0;
}

/* Bearer token, or access + secret key pair (never both forms at once). */
static void th_auth_headers(const ec_auth *auth, const ec_request *req, ec_values *headers)
{
    (void)req;
    if (!auth || !nonempty(auth->key))
        return;
    if (nonempty(auth->key2)) {
        ec_pu_add_header(headers, "X-Access-Key", auth->key);
        ec_pu_add_header(headers, "X-Secret-Key", auth->key2);
        return;
    }
    ec_buf v = {0};
    ec_buf_printf(&v, "Bearer %s", auth->key);
    ec_pu_add_header(headers, "Authorization", v.p);
    ec_buf_free(&v);
}

static const char *const th_key_vars[] = {"THEHOG_API_KEY", "THEHOG_ACCESS_KEY",
                                          "THEHOG_SECRET_KEY", NULL};

const ec_provider ec_prov_thehog = {
    .name = "thehog",
    .key_vars = th_key_vars,
    .default_base_url = "https://developer.thehog.ai",
    .accepts = 1u << EC_F_LINKEDIN_URL | 1u << EC_F_EMAIL | 1u << EC_F_X_HANDLE |
               1u << EC_F_GITHUB_USERNAME,
    .supports = EC_WANT_EMAIL | EC_WANT_PHONE,
    .max_batch = 100,
    .default_batch = 100,
    .rate_per_min = 600,
    .max_in_flight = 0,
    .default_poll = TH_DEFAULT_POLL,
    .default_job_timeout = 1800,
    .idempotent_submit = 1,
    .can_resubmit_free = 0,
    .wants_row_payload = 0,
    .fans_out = 0,
    .cost_email = 1,
    .cost_phone = 1,
    .cost_found = 0,
    .choose = th_choose,
    .start = th_start,
    .handle = th_handle,
    .checkpoint = th_checkpoint,
    .resume = th_resume,
    .auth_headers = th_auth_headers,
    .free_state = th_free_state,
};
