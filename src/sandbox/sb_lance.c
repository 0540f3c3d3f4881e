/* sb_lance.c - Lance simulator (providers.md section 4): per-person, per-field
 * enrichments (single, batch, batch status query) and the person record that
 * holds the found emails[] and phones[].
 *
 * Choices where providers.md marks a fact unknown [U] (for the man page):
 * - Every error uses {"error":{"code":"CODE","message":"text"}}. Codes:
 *   401 UNAUTHORIZED (no "Authorization: Bearer <token>", or a token the
 *   sandbox refuses), 400 VALIDATION_ERROR (bad JSON, a personId or entityId
 *   that is not a version-4 UUID, field not emails|phones, more than 100
 *   personIds or the --max-batch limit, more than 200 tasks, a token
 *   starting "noorg": "Organization ID is missing"), 402
 *   INSUFFICIENT_CREDITS, 404 NOT_FOUND (GET before any POST, unknown
 *   person record, unknown path), 405 METHOD_NOT_ALLOWED.
 * - Single POST answers 201 when it creates an enrichment and 200 when it
 *   returns an existing pending/finished one (free). Batch and query: 200.
 * - Price: 1 credit per enrichment that finishes with dataFound true, for
 *   either field. Before creating anything a request needs 1 credit per new
 *   enrichment it would create (all or nothing, else 402); the charge is
 *   booked when the enrichment is created, as its outcome is fixed then.
 * - Enrichments stay pending for --job-ms, then end "finished" (dataFound
 *   true when the person has an address/number for the field), or "failed"
 *   for about 1 in 10 first attempts of a person+field (error "Upstream
 *   provider error"; a new POST makes a new attempt, which may succeed).
 *   An enrichment still pending 800 s after creation reads "timeout".
 * - A person exists when the sandbox's deterministic draw for the UUID finds
 *   one (about two thirds). Enrichments of a person that does not exist are
 *   accepted and finish with dataFound false; GET of its record is 404.
 * - Person record: {"id","firstName","lastName","fullName","title",
 *   "linkedinUrl","companyName","companyDomain","emails":[],"phones":[]};
 *   emails/phones are filled only once an enrichment of that field finished
 *   with dataFound true.
 * - Batch: repeated personIds are answered once, in first-seen order.
 *   batch/query answers, in task order, the newest enrichment of each task
 *   that has one; entityType may be left out, else it must be "person".
 * - createdBy/orgId derive from the token; state is global, not per org.
 * - Not simulated: POST .../enrichment/bulk (404 NOT_FOUND), person search. */
#include "config.h"
#include "sb.h"
#include "../hmap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LN_MAX_BATCH 100
#define LN_MAX_TASKS 200
#define LN_MAX_AGE 800.0
#define LN_OPS "/api/v1/operations/enrichment"
#define LN_PERSON "/api/v1/entities/prospects/person/"

enum { LN_EMAILS, LN_PHONES };
static const char *const ln_fields[] = {"emails", "phones"};

enum { LN_FOUND, LN_EMPTY, LN_FAILED };

/* One enrichment; the newest of a person+field is in ln_current, older
 * ones hang off prev (kept for the life of the process). */
typedef struct ln_enr {
    char id[40], person[40];
    char created_by[40], org[40];
    int field, attempt, outcome;
    sb_job *job;
    struct ln_enr *prev;
} ln_enr;

static ec_hmap *ln_current; /* "person|field" -> ln_enr */

static int ln_error(sb_resp *resp, int status, const char *code, const char *msg)
{
    ec_buf_clear(&resp->body);
    ec_buf_printf(&resp->body, "{\"error\":{\"code\":\"%s\",\"message\":", code);
    ec_json_put_cstr(&resp->body, msg);
    ec_buf_puts(&resp->body, "}}");
    resp->status = status;
    return 1;
}

static int ln_invalid(sb_resp *resp, const char *msg)
{
    return ln_error(resp, 400, "VALIDATION_ERROR", msg);
}

/* Is s (len bytes) a version-4 UUID (any hex case)? */
static int ln_uuid_ok(const char *s, size_t len)
{
    if (len != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return 0;
    }
    return s[14] == '4' && strchr("89abAB", s[19]) != NULL;
}

static void ln_lower(char *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[len] = '\0';
}

/* A version-4 UUID drawn from a name and a number. */
static void ln_make_uuid(char *out, size_t n, const char *name, unsigned long num)
{
    char text[96];
    int len = snprintf(text, sizeof text, "%s#%lu", name, num);
    unsigned long long a = sb_hash(text, (size_t)len), c = sb_hash(text, (size_t)len - 1) ^ a;
    snprintf(out, n, "%08llx-%04llx-4%03llx-%04llx-%012llx", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
             0x8000 | ((c >> 48) & 0x3fff), c & 0xffffffffffffULL);
}

/* Field name to index, or -1. */
static int ln_field(const char *s)
{
    for (int f = 0; f < 2; f++)
        if (s && strcmp(s, ln_fields[f]) == 0)
            return f;
    return -1;
}

static ln_enr *ln_find(const char *person, int field)
{
    char key[64];
    snprintf(key, sizeof key, "%s|%d", person, field);
    return ln_current ? ec_hmap_get(ln_current, key) : NULL;
}

/* Status name of e at time now; *ended gets when it reached it (or -1). */
static const char *ln_status(const ln_enr *e, double now, double *ended)
{
    double age = now - e->job->started, d = e->job->duration;
    *ended = -1;
    if (d > LN_MAX_AGE) {
        if (age < LN_MAX_AGE)
            return "pending";
        *ended = e->job->started + LN_MAX_AGE;
        return "timeout";
    }
    if (age < d)
        return "pending";
    *ended = e->job->started + d;
    return e->outcome == LN_FAILED ? "failed" : "finished";
}

/* Can a POST reuse e (pending or finished)? */
static int ln_reusable(const ln_enr *e, double now)
{
    double ended;
    const char *st = e ? ln_status(e, now, &ended) : "none";
    return strcmp(st, "pending") == 0 || strcmp(st, "finished") == 0;
}

static void ln_put_enr(ec_buf *b, const ln_enr *e, double now)
{
    double ended;
    const char *st = ln_status(e, now, &ended);
    int finished = strcmp(st, "finished") == 0, found = finished && e->outcome == LN_FOUND;
    ec_buf_printf(b, "{\"id\":\"%s\",\"createdAt\":", e->id);
    sb_put_time(b, e->job->started);
    ec_buf_puts(b, ",\"updatedAt\":");
    sb_put_time(b, ended >= 0 ? ended : e->job->started);
    ec_buf_printf(b,
                  ",\"entityId\":\"%s\",\"entityType\":\"person\",\"field\":\"%s\","
                  "\"status\":\"%s\",\"error\":%s,\"dataFound\":%s,\"createdBy\":\"%s\","
                  "\"orgId\":\"%s\",\"globalEnrichmentId\":",
                  e->person, ln_fields[e->field], st,
                  strcmp(st, "failed") == 0    ? "\"Upstream provider error\""
                  : strcmp(st, "timeout") == 0 ? "\"Enrichment timed out\""
                                               : "null",
                  finished ? (found ? "true" : "false") : "null", e->created_by, e->org);
    char id[40];
    if (found) {
        ln_make_uuid(id, sizeof id, e->person, 1000000UL + (unsigned long)e->field);
        ec_buf_printf(b, "\"%s\",\"creditTransactionId\":", id);
        ln_make_uuid(id, sizeof id, e->id, 7);
        ec_buf_printf(b, "\"%s\"}", id);
    } else {
        ec_buf_puts(b, "null,\"creditTransactionId\":null}");
    }
}

/* Who the token is: createdBy and orgId. */
typedef struct ln_who {
    char user[40], org[40];
} ln_who;

/* Outcome of a new attempt for person+field. */
static int ln_outcome(const char *person, int field, int attempt)
{
    char key[80];
    int n = snprintf(key, sizeof key, "lance-fail:%s:%d:%d", person, field, attempt);
    if (attempt == 0 && sb_hash(key, (size_t)n) % 10 == 0)
        return LN_FAILED;
    sb_person p;
    sb_person_for(person, &p);
    const char *v = field == LN_EMAILS ? p.email : p.phone;
    return p.found && v[0] ? LN_FOUND : LN_EMPTY;
}

/* Create a new enrichment for person+field (credits already checked). */
static ln_enr *ln_create(const char *person, int field, const ln_who *who, double now)
{
    static unsigned long counter;
    char key[64];
    ln_enr *old = ln_find(person, field), *e = ec_xcalloc(1, sizeof *e);
    snprintf(e->person, sizeof e->person, "%s", person);
    memcpy(e->created_by, who->user, sizeof e->created_by);
    memcpy(e->org, who->org, sizeof e->org);
    e->field = field;
    e->attempt = old ? old->attempt + 1 : 0;
    e->prev = old;
    e->job = sb_job_new("lance", "enr", now);
    e->job->data = e;
    sb_count_job("lance");
    ln_make_uuid(e->id, sizeof e->id, "lance-enrichment", ++counter);
    e->outcome = e->job->duration > LN_MAX_AGE ? LN_EMPTY : ln_outcome(person, field, e->attempt);
    if (e->outcome == LN_FOUND && sb_charge("lance", person, ln_fields[field], 1.0) < 0)
        e->outcome = LN_EMPTY; /* not reached: the caller checked the balance */
    snprintf(key, sizeof key, "%s|%d", person, field);
    if (!ln_current)
        ln_current = ec_hmap_new();
    ec_hmap_put(ln_current, key, e);
    return e;
}

/* Is the balance enough for n new enrichments? */
static int ln_can_pay(int n)
{
    double left = sb_credits_left();
    return n == 0 || left < 0 || left + 1e-9 >= (double)n;
}

static void ln_answer(sb_resp *resp, int status, const ln_enr *e, double now)
{
    ec_buf_clear(&resp->body);
    ln_put_enr(&resp->body, e, now);
    resp->status = status;
}

/* POST or GET /api/v1/operations/enrichment/{personId}?field=... */
static int ln_single(const sb_req *req, sb_resp *resp, const char *pid, const ln_who *who)
{
    size_t len = strlen(pid);
    char person[40];
    if (!ln_uuid_ok(pid, len))
        return ln_invalid(resp, "personId must be a UUID (version 4)");
    int field = ln_field(sb_query(req, "field"));
    if (field < 0)
        return ln_invalid(resp, "field must be one of: phones, emails");
    ln_lower(person, pid, len);
    resp->batch = 1;
    ln_enr *e = ln_find(person, field);
    if (strcmp(req->method, "GET") == 0) {
        if (!e)
            return ln_error(resp, 404, "NOT_FOUND", "Enrichment not found");
        ln_answer(resp, 200, e, req->now);
    } else if (ln_reusable(e, req->now)) {
        ln_answer(resp, 200, e, req->now);
    } else {
        if (!ln_can_pay(1))
            return ln_error(resp, 402, "INSUFFICIENT_CREDITS",
                            "Organization does not have enough credits for the enrichment");
        ln_answer(resp, 201, ln_create(person, field, who, req->now), req->now);
    }
    return 1;
}

/* Lowercased UUID string element t into out, or -1 when it is not one. */
static int ln_uuid_elem(const ec_json *j, int t, char *out)
{
    ec_str raw = ec_json_raw(j, t);
    if (ec_json_type(j, t) != EC_JSON_STRING || !ln_uuid_ok(raw.ptr, raw.len))
        return -1;
    ln_lower(out, raw.ptr, raw.len);
    return 0;
}

/* Field member of object t: index, or -1. */
static int ln_field_member(const ec_json *j, int t)
{
    int f = ec_json_get(j, t, "field");
    for (int i = 0; i < 2; i++)
        if (ec_json_str_eq(j, f, ln_fields[i]))
            return i;
    return -1;
}

/* Read personIds into people (unique, lowercased); returns the count or -1
 * after answering. */
static int ln_read_ids(const ec_json *j, sb_resp *resp, char (*people)[40], int limit)
{
    int ids = ec_json_get(j, 0, "personIds"), n = ec_json_size(j, ids), m = 0;
    char msg[96];
    if (ec_json_type(j, ids) != EC_JSON_ARRAY || n < 1)
        return ln_invalid(resp, "personIds must be a non-empty array of UUIDs"), -1;
    if (n > limit) {
        snprintf(msg, sizeof msg, "personIds must contain at most %d items", limit);
        return ln_invalid(resp, msg), -1;
    }
    for (int i = 0, e = ids + 1; i < n; i++, e = ec_json_skip(j, e)) {
        if (ln_uuid_elem(j, e, people[m]) < 0) {
            snprintf(msg, sizeof msg, "personIds[%d] must be a UUID (version 4)", i);
            return ln_invalid(resp, msg), -1;
        }
        int dup = 0;
        for (int k = 0; k < m && !dup; k++)
            dup = strcmp(people[k], people[m]) == 0;
        m += !dup;
    }
    return m;
}

/* POST /api/v1/operations/enrichment/batch */
static int ln_batch(const sb_req *req, sb_resp *resp, const ec_json *j, const ln_who *who)
{
    int limit = LN_MAX_BATCH;
    if (sb_cfg.max_batch_override > 0 && sb_cfg.max_batch_override < limit)
        limit = sb_cfg.max_batch_override;
    char(*people)[40] = ec_xmalloc((size_t)limit * sizeof *people);
    int n = ln_read_ids(j, resp, people, limit), field = ln_field_member(j, 0), fresh = 0;
    if (n >= 0 && field < 0)
        ln_invalid(resp, "field must be one of: phones, emails");
    if (n < 0 || field < 0)
        goto out;
    resp->batch = ec_json_size(j, ec_json_get(j, 0, "personIds"));
    for (int i = 0; i < n; i++)
        fresh += !ln_reusable(ln_find(people[i], field), req->now);
    if (!ln_can_pay(fresh)) {
        ln_error(resp, 402, "INSUFFICIENT_CREDITS",
                 "Organization does not have enough credits for the enrichment");
        goto out;
    }
    ec_buf_clear(&resp->body);
    ec_buf_putc(&resp->body, '[');
    for (int i = 0; i < n; i++) {
        ln_enr *e = ln_find(people[i], field);
        if (!ln_reusable(e, req->now))
            e = ln_create(people[i], field, who, req->now);
        if (i)
            ec_buf_putc(&resp->body, ',');
        ln_put_enr(&resp->body, e, req->now);
    }
    ec_buf_putc(&resp->body, ']');
    resp->status = 200;
out:
    free(people);
    return 1;
}

/* Check one batch/query task; returns its field or -1 after answering. */
static int ln_task(const ec_json *j, int t, int i, sb_resp *resp, char *person)
{
    char msg[96];
    int type = ec_json_get(j, t, "entityType"), field = ln_field_member(j, t);
    if (ec_json_type(j, t) != EC_JSON_OBJECT ||
        ln_uuid_elem(j, ec_json_get(j, t, "entityId"), person) < 0)
        snprintf(msg, sizeof msg, "tasks[%d].entityId must be a UUID (version 4)", i);
    else if (field < 0)
        snprintf(msg, sizeof msg, "tasks[%d].field must be one of: phones, emails", i);
    else if (type >= 0 && !ec_json_str_eq(j, type, "person"))
        snprintf(msg, sizeof msg, "tasks[%d].entityType must be person", i);
    else
        return field;
    return ln_invalid(resp, msg), -1;
}

/* POST /api/v1/operations/enrichment/batch/query */
static int ln_query(const sb_req *req, sb_resp *resp, const ec_json *j)
{
    int tasks = ec_json_get(j, 0, "tasks"), n = ec_json_size(j, tasks), first = 1;
    char person[40];
    if (ec_json_type(j, tasks) != EC_JSON_ARRAY)
        return ln_invalid(resp, "tasks must be an array");
    if (n > LN_MAX_TASKS)
        return ln_invalid(resp, "tasks must contain at most 200 items");
    resp->batch = n;
    for (int i = 0, t = tasks + 1; i < n; i++, t = ec_json_skip(j, t))
        if (ln_task(j, t, i, resp, person) < 0)
            return 1;
    ec_buf_clear(&resp->body);
    ec_buf_putc(&resp->body, '[');
    for (int i = 0, t = tasks + 1; i < n; i++, t = ec_json_skip(j, t)) {
        int field = ln_task(j, t, i, resp, person);
        ln_enr *e = ln_find(person, field);
        if (!e)
            continue;
        if (!first)
            ec_buf_putc(&resp->body, ',');
        first = 0;
        ln_put_enr(&resp->body, e, req->now);
    }
    ec_buf_putc(&resp->body, ']');
    resp->status = 200;
    return 1;
}

/* Has an enrichment of person+field finished with data by now? */
static int ln_has_data(const char *person, int field, double now)
{
    for (const ln_enr *e = ln_find(person, field); e; e = e->prev) {
        double ended;
        if (e->outcome == LN_FOUND && strcmp(ln_status(e, now, &ended), "finished") == 0)
            return 1;
    }
    return 0;
}

static void ln_put_values(ec_buf *b, const char *key, int show, const char *v1, const char *v2)
{
    ec_buf_printf(b, ",\"%s\":[", key);
    if (show && v1[0])
        ec_json_put_cstr(b, v1);
    if (show && v2[0]) {
        ec_buf_putc(b, ',');
        ec_json_put_cstr(b, v2);
    }
    ec_buf_putc(b, ']');
}

/* GET /api/v1/entities/prospects/person/{id} */
static int ln_person(const sb_req *req, sb_resp *resp, const char *pid)
{
    size_t len = strlen(pid);
    char person[40];
    sb_person p;
    if (!ln_uuid_ok(pid, len))
        return ln_invalid(resp, "id must be a UUID (version 4)");
    ln_lower(person, pid, len);
    sb_person_for(person, &p);
    if (!p.found)
        return ln_error(resp, 404, "NOT_FOUND", "Person not found");
    ec_buf *b = &resp->body;
    ec_buf_clear(b);
    ec_buf_printf(b, "{\"id\":\"%s\",\"firstName\":", person);
    ec_json_put_cstr(b, p.first);
    ec_buf_puts(b, ",\"lastName\":");
    ec_json_put_cstr(b, p.last);
    ec_buf_puts(b, ",\"fullName\":");
    ec_json_put_cstr(b, p.name);
    ec_buf_puts(b, ",\"title\":");
    ec_json_put_cstr(b, p.title);
    ec_buf_puts(b, ",\"linkedinUrl\":");
    ec_json_put_cstr(b, p.linkedin_url);
    ec_buf_puts(b, ",\"companyName\":");
    ec_json_put_cstr(b, p.company);
    ec_buf_puts(b, ",\"companyDomain\":");
    ec_json_put_cstr(b, p.domain);
    ln_put_values(b, "emails", ln_has_data(person, LN_EMAILS, req->now), p.email, p.email2);
    ln_put_values(b, "phones", ln_has_data(person, LN_PHONES, req->now), p.phone, p.phone2);
    ec_buf_putc(b, '}');
    resp->status = 200;
    return 1;
}

/* Bearer token check; fills who. Returns 1 after answering an error. */
static int ln_auth(const sb_req *req, sb_resp *resp, ln_who *who)
{
    const char *h = sb_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !sb_key_ok(h + 7))
        return ln_error(resp, 401, "UNAUTHORIZED", "Missing or invalid authentication token");
    const char *token = h + 7;
    if (strncmp(token, "noorg", 5) == 0)
        return ln_invalid(resp, "Organization ID is missing");
    size_t n = strlen(token);
    unsigned long long u = sb_hash(token, n), o = sb_hash(token, n) ^ 0x5bd1e9955bd1e995ULL;
    snprintf(who->user, sizeof who->user, "user_%016llx%08llx", u, u >> 17 & 0xffffffffULL);
    snprintf(who->org, sizeof who->org, "org_%016llx%08llx", o, o >> 23 & 0xffffffffULL);
    return 0;
}

/* Parse a JSON object body, then run fn; 400 when the body is not one. */
static int ln_with_body(const sb_req *req, sb_resp *resp, const ln_who *who, int query)
{
    ec_json j;
    int rc;
    if (ec_json_parse(&j, req->body, req->body_len, NULL) < 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT)
        rc = ln_invalid(resp, "body must be a JSON object");
    else
        rc = query ? ln_query(req, resp, &j) : ln_batch(req, resp, &j, who);
    ec_json_free(&j);
    return rc;
}

static int ln_method(sb_resp *resp)
{
    return ln_error(resp, 405, "METHOD_NOT_ALLOWED", "Method not allowed");
}

static int ln_route(const sb_req *req, sb_resp *resp, const ln_who *who)
{
    const char *path = req->path, *rest;
    int post = strcmp(req->method, "POST") == 0, get = strcmp(req->method, "GET") == 0;
    if (strcmp(path, LN_OPS "/batch") == 0 || strcmp(path, LN_OPS "/batch/query") == 0) {
        int query = path[sizeof LN_OPS + 5] == '/';
        if (!post)
            return ln_method(resp);
        sb_count(query ? "POST /api/v1/operations/enrichment/batch/query"
                       : "POST /api/v1/operations/enrichment/batch");
        return ln_with_body(req, resp, who, query);
    }
    if (strcmp(path, LN_OPS "/bulk") == 0)
        return ln_error(resp, 404, "NOT_FOUND", "bulk enrichment is not simulated");
    if (strncmp(path, LN_OPS "/", sizeof LN_OPS) == 0 &&
        !strchr(rest = path + sizeof LN_OPS, '/')) {
        if (!post && !get)
            return ln_method(resp);
        sb_count(post ? "POST /api/v1/operations/enrichment/{personId}"
                      : "GET /api/v1/operations/enrichment/{personId}");
        return ln_single(req, resp, rest, who);
    }
    if (strncmp(path, LN_PERSON, sizeof LN_PERSON - 1) == 0 &&
        !strchr(rest = path + sizeof LN_PERSON - 1, '/')) {
        if (!get)
            return ln_method(resp);
        sb_count("GET /api/v1/entities/prospects/person/{id}");
        return ln_person(req, resp, rest);
    }
    return ln_error(resp, 404, "NOT_FOUND", "Not found");
}

int sb_lance(const sb_req *req, sb_resp *resp)
{
    if (strncmp(req->path, "/api/v1/operations/", 19) != 0 &&
        strncmp(req->path, "/api/v1/entities/", 17) != 0)
        return 0;
    ln_who who;
    if (ln_auth(req, resp, &who))
        return 1;
    return ln_route(req, resp, &who);
}
