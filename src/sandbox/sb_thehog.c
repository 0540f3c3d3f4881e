/* sb_thehog.c - The Hog's contact enrichment, written from providers.md
 * section 2 and seeds/thehog-enrichments.txt:
 *   POST /api/enrichments        sync 200 for one LinkedIn identifier asking
 *                                only contact fields, else 202 + pollUrl
 *   GET  /api/operations/{id}    queued -> processing -> succeeded |
 *   GET  /api/enrichments/{id}   partial_success | failed (the seed's alias)
 * Auth is X-Access-Key + X-Secret-Key or Authorization: Bearer, never both.
 * Idempotency-Key replays the first answer for the same body at no charge.
 * Errors use {"statusCode","error","message","path","requestId","timestamp"}
 * plus "errors":[{"property","message"}] on 400. */
#include "config.h"
#include "sb.h"
#include "../hmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOG "thehog"
#define HOG_MAX_BATCH 100

enum { K_LINKEDIN, K_EMAIL, K_X, K_GITHUB, K_N };
static const char *const id_keys[K_N] = {"linkedin_url", "email", "x_handle", "github_username"};
static const char *const field_names[] = {"contact.email", "contact.phone", "signals", "profile"};
enum { F_EMAIL, F_PHONE, F_SIGNALS, F_PROFILE, F_N };

typedef struct hog_item {
    char *echo; /* the identifier object's JSON text, echoed back as sent */
    int kind;
    char key[600]; /* person key */
    sb_person p;
    int failed;
} hog_item;

typedef struct hog_op {
    int n, single;
    hog_item *items;
    int *order; /* order[k]: the item shown at position k */
    int want[F_N];
    double estimated, actual;
    char request_id[32];
} hog_op;

typedef struct hog_replay {
    char *body; /* the request body the key was first used with */
    int status;
    char *answer;
    char location[256];
} hog_replay;

static ec_hmap *replays; /* Idempotency-Key -> hog_replay */
static unsigned long request_seq;

/* ------------------------------------------------------------ errors */

static const char *reason(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 422:
        return "Unprocessable Entity";
    default:
        return "Error";
    }
}

static void new_request_id(char *out, size_t n)
{
    snprintf(out, n, "req_%06lu", ++request_seq);
}

/* The error envelope; property/detail add the 400's errors[] entry. */
static void hog_error(const sb_req *req, sb_resp *resp, int status, const char *message,
                      const char *property, const char *detail)
{
    char rid[32];
    new_request_id(rid, sizeof rid);
    sb_replyf(resp, status, "{\"statusCode\":%d,\"error\":\"%s\",\"message\":", status,
              reason(status));
    ec_json_put_cstr(&resp->body, message);
    ec_buf_puts(&resp->body, ",\"path\":");
    ec_json_put_cstr(&resp->body, req->path);
    ec_buf_printf(&resp->body, ",\"requestId\":\"%s\",\"timestamp\":", rid);
    sb_put_time(&resp->body, sb_now());
    if (property) {
        ec_buf_puts(&resp->body, ",\"errors\":[{\"property\":");
        ec_json_put_cstr(&resp->body, property);
        ec_buf_puts(&resp->body, ",\"message\":");
        ec_json_put_cstr(&resp->body, detail);
        ec_buf_puts(&resp->body, "}]");
    }
    ec_buf_putc(&resp->body, '}');
}

/* A validation failure: what and where, filled by the parsers. */
typedef struct hog_invalid {
    char property[320];
    char message[256];
} hog_invalid;

static int invalid(hog_invalid *v, const char *property, const char *message)
{
    snprintf(v->property, sizeof v->property, "%s", property);
    snprintf(v->message, sizeof v->message, "%s", message);
    return -1;
}

/* With --key K the pair passes when X-Secret-Key is K or "access:secret" is K. */
static int pair_ok(const char *ak, const char *sk)
{
    if (!*ak || !*sk)
        return 0;
    if (!sb_cfg.key || strcmp(sk, sb_cfg.key) == 0)
        return 1;
    size_t n = strlen(ak);
    return strncmp(sb_cfg.key, ak, n) == 0 && sb_cfg.key[n] == ':' &&
           strcmp(sb_cfg.key + n + 1, sk) == 0;
}

static int hog_auth(const sb_req *req, sb_resp *resp)
{
    const char *auth = sb_header(req, "Authorization");
    const char *ak = sb_header(req, "X-Access-Key"), *sk = sb_header(req, "X-Secret-Key");
    if (auth && (ak || sk)) {
        hog_error(req, resp, 400,
                  "Use either Authorization: Bearer or X-Access-Key and "
                  "X-Secret-Key, not both",
                  "headers", "mixed authentication methods");
        return -1;
    }
    int ok = auth ? strncmp(auth, "Bearer ", 7) == 0 && sb_key_ok(auth + 7)
                  : ak && sk && pair_ok(ak, sk);
    if (ok)
        return 0;
    hog_error(req, resp, 401, "Invalid or missing API credentials", NULL, NULL);
    return -1;
}

/* ------------------------------------------------------------ request */

/* ec_json_strdup, also for "": a fresh ec_buf that only reserved is not
 * NUL-terminated, so the shared helper returns garbage for an empty string. */
static char *dup_str(const ec_json *j, int t)
{
    if (ec_json_type(j, t) == EC_JSON_STRING && ec_json_raw(j, t).len == 0)
        return ec_xstrdup("");
    return ec_json_strdup(j, t, NULL);
}

static int parse_identifier(const ec_json *j, int t, const char *prop, hog_item *it, hog_invalid *v)
{
    char where[300];
    if (ec_json_type(j, t) != EC_JSON_OBJECT)
        return invalid(v, prop, "identifier must be an object");
    int n = ec_json_size(j, t), k = t + 1, found = 0;
    for (int m = 0; m < n; m++, k = ec_json_skip(j, k + 1)) {
        ec_str name = ec_json_raw(j, k);
        snprintf(where, sizeof where, "%s.%.*s", prop, name.len > 100 ? 100 : (int)name.len,
                 name.ptr);
        int kind = 0;
        while (kind < K_N && !ec_json_str_eq(j, k, id_keys[kind]))
            kind++;
        if (kind == K_N)
            return invalid(v, where, "property should not exist");
        char *val = dup_str(j, k + 1);
        int good = val && val[strspn(val, " \t")] &&
                   (kind != K_EMAIL || (strchr(val, '@') && val[0] != '@'));
        if (good && found++ == 0) {
            char norm[512];
            sb_normalize(kind == K_X && val[0] == '@' ? val + 1 : val, norm, sizeof norm);
            static const char *const tag[K_N] = {"", "", "x:", "github:"};
            snprintf(it->key, sizeof it->key, "%s%s", tag[kind], norm);
            it->kind = kind;
        }
        free(val);
        if (!good)
            return invalid(v, where,
                           kind == K_EMAIL ? "email must be an email"
                                           : "must be a non-empty string");
    }
    if (found != 1)
        return invalid(v, prop,
                       "identifier must have exactly one of linkedin_url, email, "
                       "x_handle, github_username");
    ec_str text = ec_json_text(j, t);
    it->echo = ec_xstrndup(text.ptr, text.len);
    sb_person_for(it->key, &it->p);
    char salted[640];
    snprintf(salted, sizeof salted, "%s#fail", it->key);
    it->failed = !it->p.found && sb_hash(salted, strlen(salted)) % 2 == 0;
    return 0;
}

static int parse_fields(const ec_json *j, int t, hog_op *op, hog_invalid *v)
{
    if (t < 0)
        return invalid(v, "fields", "fields should not be empty");
    if (ec_json_type(j, t) != EC_JSON_ARRAY)
        return invalid(v, "fields", "fields must be an array");
    if (ec_json_size(j, t) == 0)
        return invalid(v, "fields", "fields should not be empty");
    for (int i = 0, k = t + 1; i < ec_json_size(j, t); i++, k = ec_json_skip(j, k)) {
        int f = 0;
        while (f < F_N && !ec_json_str_eq(j, k, field_names[f]))
            f++;
        if (f == F_N)
            return invalid(v, "fields",
                           "each value in fields must be one of the following "
                           "values: contact.email, contact.phone, signals, profile");
        op->want[f] = 1;
    }
    return 0;
}

static int max_batch(void)
{
    int o = sb_cfg.max_batch_override;
    return o > 0 && o < HOG_MAX_BATCH ? o : HOG_MAX_BATCH;
}

static int parse_identifiers(const ec_json *j, int one, int many, hog_op *op, hog_invalid *v)
{
    char prop[64], msg[96];
    if (one >= 0 && many >= 0)
        return invalid(v, "identifier", "use identifier or identifiers, not both");
    if (one < 0 && many < 0)
        return invalid(v, "identifier", "identifier or identifiers is required");
    if (one >= 0) {
        op->n = op->single = 1;
        op->items = ec_xcalloc(1, sizeof *op->items);
        return parse_identifier(j, one, "identifier", &op->items[0], v);
    }
    if (ec_json_type(j, many) != EC_JSON_ARRAY)
        return invalid(v, "identifiers", "identifiers must be an array");
    if (ec_json_size(j, many) == 0)
        return invalid(v, "identifiers", "identifiers must contain at least 1 elements");
    if (ec_json_size(j, many) > max_batch()) {
        snprintf(msg, sizeof msg, "identifiers must contain no more than %d elements", max_batch());
        return invalid(v, "identifiers", msg);
    }
    op->n = ec_json_size(j, many);
    op->items = ec_xcalloc((size_t)op->n, sizeof *op->items);
    for (int i = 0, k = many + 1; i < op->n; i++, k = ec_json_skip(j, k)) {
        snprintf(prop, sizeof prop, "identifiers.%d", i);
        if (parse_identifier(j, k, prop, &op->items[i], v) != 0)
            return -1;
    }
    return 0;
}

static int parse_request(const sb_req *req, hog_op *op, hog_invalid *v)
{
    ec_json j;
    int rc = -1;
    if (ec_json_parse(&j, req->body, req->body_len, NULL) != 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT) {
        invalid(v, "body", "the request body must be a JSON object");
        goto out;
    }
    static const char *const known[] = {"identifier", "identifiers", "fields", "signals_config"};
    for (int m = 0, k = 1; m < ec_json_size(&j, 0); m++, k = ec_json_skip(&j, k + 1)) {
        size_t i = 0;
        while (i < 4 && !ec_json_str_eq(&j, k, known[i]))
            i++;
        ec_str name = ec_json_raw(&j, k);
        char prop[128];
        snprintf(prop, sizeof prop, "%.*s", name.len > 100 ? 100 : (int)name.len, name.ptr);
        if (i == 4) {
            invalid(v, prop, "property should not exist");
            goto out;
        }
        if (i == 3 && ec_json_type(&j, k + 1) != EC_JSON_OBJECT) {
            invalid(v, prop, "signals_config must be an object");
            goto out;
        }
    }
    if (parse_identifiers(&j, ec_json_get(&j, 0, "identifier"), ec_json_get(&j, 0, "identifiers"),
                          op, v) == 0 &&
        parse_fields(&j, ec_json_get(&j, 0, "fields"), op, v) == 0)
        rc = 0;
out:
    ec_json_free(&j);
    return rc;
}

static void free_op(hog_op *op)
{
    for (int i = 0; i < op->n; i++)
        free(op->items[i].echo);
    free(op->items);
    free(op->order);
    free(op);
}

/* ------------------------------------------------------------ credits */

/* One credit per requested field found for a person (prices are not
 * documented; a field is billed once however many values it holds). With
 * charge, record each in the ledger (repeats count as double_charged). */
static double settle(hog_op *op, int charge)
{
    double total = 0;
    for (int i = 0; i < op->n; i++) {
        const hog_item *it = &op->items[i];
        if (!it->p.found || it->failed)
            continue;
        const int due[2] = {op->want[F_EMAIL] && it->p.email[0],
                            op->want[F_PHONE] && it->p.phone[0]};
        static const char *const fields[2] = {"email", "phone"};
        for (int f = 0; f < 2; f++) {
            if (!due[f])
                continue;
            total += 1;
            if (charge)
                sb_charge(HOG, it->key, fields[f], 1);
        }
    }
    return total;
}

/* ------------------------------------------------------------ answers */

static void put_values(ec_buf *b, const char *name, const char *a, const char *c, const char *type)
{
    const char *v[2] = {a, c};
    ec_buf_printf(b, "\"%s\":[", name);
    for (int i = 0, n = 0; i < 2; i++) {
        if (!v[i][0])
            continue;
        if (n++)
            ec_buf_putc(b, ',');
        if (sb_cfg.thehog_objects)
            ec_buf_printf(b, "{\"value\":\"%s\",\"type\":\"%s\",\"verified\":%s}", v[i],
                          i ? "other" : type, i ? "false" : "true");
        else
            ec_buf_printf(b, "\"%s\"", v[i]);
    }
    ec_buf_putc(b, ']');
}

static void put_data(ec_buf *b, const hog_op *op, const sb_person *p)
{
    int sep = 0;
    ec_buf_putc(b, '{');
    if (op->want[F_EMAIL] || op->want[F_PHONE]) {
        ec_buf_puts(b, "\"contact\":{");
        if (op->want[F_EMAIL])
            put_values(b, "email", p->email, p->email2, "work");
        if (op->want[F_EMAIL] && op->want[F_PHONE])
            ec_buf_putc(b, ',');
        if (op->want[F_PHONE])
            put_values(b, "phone", p->phone, p->phone2, "mobile");
        ec_buf_putc(b, '}');
        sep = 1;
    }
    if (op->want[F_SIGNALS]) {
        ec_buf_printf(b, "%s\"signals\":{\"job_change\":%s,\"hiring\":%s}", sep ? "," : "",
                      p->found && p->first[0] < 'H' ? "true" : "false",
                      p->found && p->last[0] < 'M' ? "true" : "false");
        sep = 1;
    }
    if (op->want[F_PROFILE]) {
        ec_buf_printf(b, "%s\"profile\":", sep ? "," : "");
        if (p->found)
            ec_buf_printf(b, "{\"name\":\"%s\",\"title\":\"%s\",\"company\":\"%s\"}", p->name,
                          p->title, p->company);
        else
            ec_buf_puts(b, "null");
    }
    ec_buf_putc(b, '}');
}

static void put_items(ec_buf *b, const hog_op *op)
{
    ec_buf_putc(b, '[');
    for (int k = 0; k < op->n; k++) {
        const hog_item *it = &op->items[op->order[k]];
        ec_buf_printf(b, "%s{\"identifier\":%s,", k ? "," : "", it->echo);
        if (it->failed) {
            ec_buf_puts(b, "\"status\":\"failed\",\"data\":null,\"error\":{\"code\":"
                           "\"ENRICHMENT_FAILED\",\"message\":\"Could not enrich this contact\"}}");
            continue;
        }
        ec_buf_puts(b, "\"status\":\"success\",\"data\":");
        put_data(b, op, &it->p);
        ec_buf_puts(b, ",\"error\":null}");
    }
    ec_buf_putc(b, ']');
}

static void put_meta(ec_buf *b, const hog_op *op, int cost)
{
    ec_buf_printf(b, "\"meta\":{\"requestId\":\"%s\"", op->request_id);
    if (cost)
        ec_buf_printf(b, ",\"cost\":{\"estimated\":%.0f,\"actual\":%.0f}", op->estimated,
                      op->actual);
    ec_buf_putc(b, '}');
}

/* GET body: status from elapsed time; items once terminal. */
static void put_operation(ec_buf *b, const sb_job *job, double now)
{
    const hog_op *op = job->data;
    int phase = sb_job_phase(job, now), failed = 0;
    for (int i = 0; i < op->n; i++)
        failed += op->items[i].failed;
    const char *status = phase == 0        ? "queued"
                         : phase == 1      ? "processing"
                         : failed == op->n ? "failed"
                         : failed          ? "partial_success"
                                           : "succeeded";
    int progress = phase == 0   ? 0
                   : phase == 2 ? 100
                                : (int)((now - job->started) / job->duration * 100);
    progress = phase == 1 && progress < 1 ? 1 : phase == 1 && progress > 99 ? 99 : progress;
    ec_buf_printf(b,
                  "{\"id\":\"%s\",\"operationId\":\"%s\",\"type\":\"enrichment\",\"status\":\"%s\","
                  "\"progress\":%d,\"result\":",
                  job->id, job->id, status, progress);
    if (phase < 2 || sb_cfg.thehog_items_toplevel) {
        ec_buf_puts(b, "null");
    } else if (sb_cfg.thehog_items_array) {
        put_items(b, op);
    } else {
        ec_buf_puts(b, "{\"items\":");
        put_items(b, op);
        ec_buf_putc(b, '}');
    }
    if (phase == 2 && sb_cfg.thehog_items_toplevel) {
        ec_buf_puts(b, ",\"items\":");
        put_items(b, op);
    }
    ec_buf_puts(b, phase == 2 && failed == op->n
                       ? ",\"error\":{\"code\":\"ALL_ITEMS_FAILED\",\"message\":\"No identifier "
                         "could be enriched\"},"
                       : ",\"error\":null,");
    put_meta(b, op, 1);
    ec_buf_putc(b, '}');
}

static void shuffle(hog_op *op, const char *id)
{
    op->order = ec_xmalloc((size_t)op->n * sizeof *op->order);
    for (int i = 0; i < op->n; i++)
        op->order[i] = i;
    unsigned long long r = sb_hash(id, strlen(id));
    for (int i = op->n - 1; i > 0; i--) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        int k = (int)((r >> 33) % (unsigned long long)(i + 1));
        int t = op->order[i];
        op->order[i] = op->order[k];
        op->order[k] = t;
    }
}

/* ------------------------------------------------------------ endpoints */

static void answer_sync(sb_resp *resp, hog_op *op)
{
    resp->status = 200;
    ec_buf_clear(&resp->body);
    ec_buf_puts(&resp->body, "{\"data\":");
    put_data(&resp->body, op, &op->items[0].p);
    ec_buf_putc(&resp->body, ',');
    put_meta(&resp->body, op, 1);
    ec_buf_putc(&resp->body, '}');
    free_op(op);
}

static void answer_async(const sb_req *req, sb_resp *resp, hog_op *op)
{
    sb_job *job = sb_job_new(HOG, "op_", req->now);
    sb_count_job(HOG);
    job->data = op;
    shuffle(op, job->id);
    char url[256];
    snprintf(url, sizeof url, "%s/api/operations/%s",
             sb_cfg.thehog_relative_poll ? "" : sb_origin(), job->id);
    resp->status = 202;
    ec_buf_clear(&resp->body);
    ec_buf_printf(&resp->body,
                  "{\"id\":\"%s\",\"operationId\":\"%s\",\"status\":\"queued\","
                  "\"pollUrl\":\"%s\",",
                  job->id, job->id, url);
    put_meta(&resp->body, op, 0);
    ec_buf_putc(&resp->body, '}');
    snprintf(resp->location, sizeof resp->location, "%s", url);
}

/* Same key, same body: the first answer again. Same key, other body: 422. */
static int replayed(const sb_req *req, sb_resp *resp, const char *key)
{
    hog_replay *r = key && replays ? ec_hmap_get(replays, key) : NULL;
    if (!r)
        return 0;
    if (strcmp(r->body, req->body) != 0) {
        hog_error(req, resp, 422, "Idempotency-Key was already used with a different request body",
                  NULL, NULL);
        return 1;
    }
    sb_reply(resp, r->status, r->answer);
    snprintf(resp->location, sizeof resp->location, "%s", r->location);
    return 1;
}

static void remember(const sb_req *req, const sb_resp *resp, const char *key)
{
    if (!key || resp->status < 200 || resp->status > 299)
        return;
    if (!replays)
        replays = ec_hmap_new();
    hog_replay *r = ec_xcalloc(1, sizeof *r);
    r->body = ec_xstrdup(req->body);
    r->status = resp->status;
    r->answer = ec_xstrdup(resp->body.p ? resp->body.p : "");
    snprintf(r->location, sizeof r->location, "%s", resp->location);
    ec_hmap_put(replays, key, r);
}

static void submit(const sb_req *req, sb_resp *resp)
{
    const char *key = sb_header(req, "Idempotency-Key");
    if (key && !*key)
        key = NULL;
    if (replayed(req, resp, key))
        return;
    hog_op *op = ec_xcalloc(1, sizeof *op);
    hog_invalid v;
    if (parse_request(req, op, &v) != 0) {
        hog_error(req, resp, 400, "Validation failed", v.property, v.message);
        free_op(op);
        return;
    }
    resp->batch = op->n;
    op->actual = settle(op, 0);
    op->estimated = 1.0 * op->n * (op->want[F_EMAIL] + op->want[F_PHONE]); /* an upper bound */
    double left = sb_credits_left();
    if (left >= 0 && op->actual > left) {
        hog_error(req, resp, 402, "Insufficient credits", NULL, NULL);
        free_op(op);
        return;
    }
    settle(op, 1);
    new_request_id(op->request_id, sizeof op->request_id);
    if (op->single && op->items[0].kind == K_LINKEDIN && !op->want[F_SIGNALS] &&
        !op->want[F_PROFILE])
        answer_sync(resp, op);
    else
        answer_async(req, resp, op);
    remember(req, resp, key);
}

static void poll(const sb_req *req, sb_resp *resp, const char *id)
{
    sb_job *job = sb_job_find(HOG, id);
    if (!job) {
        hog_error(req, resp, 404, "Operation not found", NULL, NULL);
        return;
    }
    resp->status = 200;
    ec_buf_clear(&resp->body);
    put_operation(&resp->body, job, req->now);
}

static void route(const sb_req *req, sb_resp *resp, const char *endpoint, const char *want,
                  const char *id)
{
    char name[64];
    snprintf(name, sizeof name, "%s %s", req->method, endpoint);
    sb_count(name);
    if (hog_auth(req, resp) != 0)
        return;
    if (strcmp(req->method, want) != 0)
        hog_error(req, resp, 405, "Method not allowed", NULL, NULL);
    else if (id)
        poll(req, resp, id);
    else
        submit(req, resp);
}

int sb_thehog(const sb_req *req, sb_resp *resp)
{
    static const char *const bases[2] = {"/api/enrichments", "/api/operations"};
    static const char *const templates[2] = {"/api/enrichments/{id}", "/api/operations/{id}"};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(bases[i]);
        const char *p = req->path;
        if (strncmp(p, bases[i], n) != 0)
            continue;
        if (i == 0 && p[n] == '\0') {
            route(req, resp, bases[0], "POST", NULL);
            return 1;
        }
        if (p[n] == '/' && p[n + 1] && !strchr(p + n + 1, '/')) {
            route(req, resp, templates[i], "GET", p + n + 1);
            return 1;
        }
    }
    return 0;
}
