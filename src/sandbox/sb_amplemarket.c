/* sb_amplemarket.c - Amplemarket's batch person enrichment, written from
 * providers.md section 5 and seeds/amplemarket-enrichment-requests.txt:
 *   POST  /people/enrichment-requests        202 queued job (strict schema)
 *   GET   /people/enrichment-requests/{id}   queued -> processing -> completed,
 *                                            results cursor-paged, shuffled
 *   PATCH /people/enrichment-requests/{id}   {"status":"canceled"}
 * Errors use {"object":"error","_errors":[{code,title,detail,source}]}. */
#include "config.h"
#include "sb.h"
#include "../hmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AMP "amplemarket"
#define AMP_BASE "/people/enrichment-requests"
#define AMP_MAX_BATCH 1000
#define AMP_PAGE_DEFAULT 100
#define AMP_PAGE_MAX 1000
#define DAY_S 86400.0

enum { L_EMAIL, L_LINKEDIN, L_DOMAIN, L_COMPANY, L_NAME, L_TITLE, L_N };
static const char *const lead_keys[L_N] = {"email",        "linkedin_url", "company_domain",
                                           "company_name", "name",         "title"};

typedef struct amp_lead {
    char *in[L_N]; /* the input fields, echoed back (NULL = absent) */
    char key[600]; /* person key: the normalized identifier used */
    sb_person p;
    int gdpr;
} amp_lead;

typedef struct amp_job {
    int n;
    amp_lead *leads;
    int *order; /* order[k]: the lead shown at position k (id k+1) */
    int canceled;
    int reveal_email, reveal_phone;
} amp_job;

/* ------------------------------------------------------------ errors */

static void amp_error(sb_resp *resp, int status, const char *code, const char *title,
                      const char *detail, const char *pointer)
{
    sb_reply(resp, status, "{\"object\":\"error\",\"_errors\":[{\"code\":");
    ec_json_put_cstr(&resp->body, code);
    ec_buf_puts(&resp->body, ",\"title\":");
    ec_json_put_cstr(&resp->body, title);
    ec_buf_puts(&resp->body, ",\"detail\":");
    ec_json_put_cstr(&resp->body, detail);
    if (pointer) {
        ec_buf_puts(&resp->body, ",\"source\":{\"pointer\":");
        ec_json_put_cstr(&resp->body, pointer);
        ec_buf_putc(&resp->body, '}');
    }
    ec_buf_puts(&resp->body, "}]}");
}

static void unsupported(sb_resp *resp, const char *detail, const char *pointer)
{
    amp_error(resp, 400, "unsupported_value", "Unsupported Value", detail, pointer);
}

static void missing(sb_resp *resp, const char *detail, const char *pointer)
{
    amp_error(resp, 400, "missing_field", "Missing Field", detail, pointer);
}

static int amp_auth(const sb_req *req, sb_resp *resp)
{
    const char *h = sb_header(req, "Authorization");
    if (h && strncmp(h, "Bearer ", 7) == 0 && sb_key_ok(h + 7))
        return 0;
    amp_error(resp, 401, "unauthorized", "Unauthorized",
              h ? "The API key is not valid." : "Missing API key: send Authorization: Bearer KEY.",
              NULL);
    return -1;
}

/* ------------------------------------------------------------ request */

static int looks_like_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at > s && at[1] && !strchr(at + 1, '@') && !strchr(s, ' ');
}

static int present(const char *s)
{
    return s && s[strspn(s, " \t")];
}

/* Choose the identifier the lookup uses: LinkedIn URL, email, then name
 * with a company. Returns -1 when the lead has none. */
static int lead_identity(amp_lead *l)
{
    char a[256], b[256];
    if (present(l->in[L_LINKEDIN])) {
        sb_normalize(l->in[L_LINKEDIN], l->key, sizeof l->key);
    } else if (present(l->in[L_EMAIL])) {
        sb_normalize(l->in[L_EMAIL], l->key, sizeof l->key);
    } else if (present(l->in[L_NAME]) && (present(l->in[L_DOMAIN]) || present(l->in[L_COMPANY]))) {
        sb_normalize(l->in[L_NAME], a, sizeof a);
        sb_normalize(present(l->in[L_DOMAIN]) ? l->in[L_DOMAIN] : l->in[L_COMPANY], b, sizeof b);
        snprintf(l->key, sizeof l->key, "name:%s|%s", a, b);
    } else {
        return -1;
    }
    sb_person_for(l->key, &l->p);
    char salted[640];
    snprintf(salted, sizeof salted, "%s#gdpr", l->key);
    l->gdpr = !l->p.found && sb_hash(salted, strlen(salted)) % 8 == 0;
    return 0;
}

/* ec_json_strdup, also for "": a fresh ec_buf that only reserved is not
 * NUL-terminated, so the shared helper returns garbage for an empty string. */
static char *dup_str(const ec_json *j, int t)
{
    if (ec_json_type(j, t) == EC_JSON_STRING && ec_json_raw(j, t).len == 0)
        return ec_xstrdup("");
    return ec_json_strdup(j, t, NULL);
}

static int parse_lead(const ec_json *j, int t, int i, amp_lead *l, sb_resp *resp)
{
    char ptr[320];
    snprintf(ptr, sizeof ptr, "/leads/%d", i);
    if (ec_json_type(j, t) != EC_JSON_OBJECT) {
        unsupported(resp, "Each lead must be an object.", ptr);
        return -1;
    }
    int n = ec_json_size(j, t), k = t + 1;
    for (int m = 0; m < n; m++, k = ec_json_skip(j, k + 1)) {
        ec_str name = ec_json_raw(j, k);
        int f = 0;
        while (f < L_N && !ec_json_str_eq(j, k, lead_keys[f]))
            f++;
        snprintf(ptr, sizeof ptr, "/leads/%d/%.*s", i, name.len > 200 ? 200 : (int)name.len,
                 name.ptr);
        if (f == L_N) {
            unsupported(resp, "Unsupported field in lead (additionalProperties is false).", ptr);
            return -1;
        }
        if (ec_json_type(j, k + 1) != EC_JSON_STRING) {
            unsupported(resp, "Lead fields must be strings.", ptr);
            return -1;
        }
        free(l->in[f]);
        l->in[f] = dup_str(j, k + 1);
        if (!l->in[f] || (f == L_EMAIL && !looks_like_email(l->in[f]))) {
            unsupported(resp, "Invalid value: email must be an email address.", ptr);
            return -1;
        }
    }
    if (lead_identity(l) != 0) {
        snprintf(ptr, sizeof ptr, "/leads/%d", i);
        missing(resp,
                "Lead needs email, linkedin_url, or name with company_name or company_domain.",
                ptr);
        return -1;
    }
    return 0;
}

static int parse_flags(const ec_json *j, amp_job *job, sb_resp *resp)
{
    int n = ec_json_size(j, 0), k = 1;
    for (int m = 0; m < n; m++, k = ec_json_skip(j, k + 1)) {
        char ptr[256];
        ec_str key = ec_json_raw(j, k);
        snprintf(ptr, sizeof ptr, "/%.*s", key.len > 200 ? 200 : (int)key.len, key.ptr);
        int *flag = NULL;
        if (ec_json_str_eq(j, k, "reveal_email"))
            flag = &job->reveal_email;
        else if (ec_json_str_eq(j, k, "reveal_phone_numbers"))
            flag = &job->reveal_phone;
        else if (!ec_json_str_eq(j, k, "leads")) {
            unsupported(resp, "Unsupported field in request (additionalProperties is false).", ptr);
            return -1;
        }
        enum ec_json_type ty = ec_json_type(j, k + 1);
        if (flag && ty != EC_JSON_TRUE && ty != EC_JSON_FALSE) {
            unsupported(resp, "Expected a boolean.", ptr);
            return -1;
        }
        if (flag)
            *flag = ty == EC_JSON_TRUE;
    }
    return 0;
}

/* Validate the body into job. Returns 0, or -1 with resp holding the 400. */
static int parse_request(const sb_req *req, amp_job *job, sb_resp *resp)
{
    ec_json j;
    const char *why = NULL;
    int rc = -1;
    job->reveal_email = 1; /* defaults when the flags are absent */
    job->reveal_phone = 0;
    if (ec_json_parse(&j, req->body, req->body_len, &why) != 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT) {
        unsupported(resp, why ? why : "The request body must be a JSON object.", "/");
        goto out;
    }
    if (parse_flags(&j, job, resp) != 0)
        goto out;
    int leads = ec_json_get(&j, 0, "leads");
    int max = sb_cfg.max_batch_override > 0 && sb_cfg.max_batch_override < AMP_MAX_BATCH
                  ? sb_cfg.max_batch_override
                  : AMP_MAX_BATCH;
    char detail[128];
    if (leads < 0) {
        missing(resp, "Missing field from request: leads", "/leads");
    } else if (ec_json_type(&j, leads) != EC_JSON_ARRAY) {
        unsupported(resp, "leads must be an array.", "/leads");
    } else if (ec_json_size(&j, leads) == 0) {
        missing(resp, "leads must hold at least one lead.", "/leads");
    } else if (ec_json_size(&j, leads) > max) {
        snprintf(detail, sizeof detail, "Too many leads: %d (at most %d per request).",
                 ec_json_size(&j, leads), max);
        unsupported(resp, detail, "/leads");
    } else {
        job->n = ec_json_size(&j, leads);
        job->leads = ec_xcalloc((size_t)job->n, sizeof *job->leads);
        rc = 0;
        for (int i = 0, t = leads + 1; i < job->n && rc == 0; i++, t = ec_json_skip(&j, t))
            rc = parse_lead(&j, t, i, &job->leads[i], resp);
    }
out:
    ec_json_free(&j);
    return rc;
}

static void free_job(amp_job *job)
{
    for (int i = 0; i < job->n; i++)
        for (int f = 0; f < L_N; f++)
            free(job->leads[i].in[f]);
    free(job->leads);
    free(job->order);
    free(job);
}

/* ------------------------------------------------------------ credits */

/* Has (person, field) been paid already by the real API's rules? The
 * found credit recurs after 24 h; reveals are paid once. */
static int paid_before(const char *key, const char *field, double now)
{
    double last = sb_charge_last_paid(AMP, key, field);
    if (last < 0)
        return 0;
    return strcmp(field, "found") != 0 || now - last < DAY_S;
}

/* Walk the billable (person, field) pairs of the job: with charge == 0,
 * return what the batch costs (repeats inside the batch counted once);
 * with charge == 1, record every pair in the ledger, free repeats at 0 so
 * that they show in double_charged. */
static double settle(const amp_job *job, double now, int charge)
{
    /* a reveal is billed once per person and field, however many numbers it
     * shows ("1 phone credit when a phone number is revealed, only charged
     * once" read per person) */
    static const char *const fields[] = {"found", "email", "phone"};
    ec_hmap *seen = charge ? NULL : ec_hmap_new();
    double total = 0;
    for (int i = 0; i < job->n; i++) {
        const amp_lead *l = &job->leads[i];
        if (!l->p.found)
            continue;
        int due[3] = {1, job->reveal_email && l->p.email[0], job->reveal_phone && l->p.phone[0]};
        for (int f = 0; f < 3; f++) {
            if (!due[f])
                continue;
            char mark[700];
            snprintf(mark, sizeof mark, "%s\x1f%s", l->key, fields[f]);
            int paid = paid_before(l->key, fields[f], now) || (seen && ec_hmap_get(seen, mark));
            double amount = paid ? 0 : (f == 0 ? 0.5 : 1.0);
            if (charge) {
                sb_charge(AMP, l->key, fields[f], amount);
            } else {
                total += amount;
                ec_hmap_put(seen, mark, (void *)1);
            }
        }
    }
    ec_hmap_free(seen, NULL);
    return total;
}

/* ------------------------------------------------------------ answers */

static void put_uuid(ec_buf *b, const char *key, const char *salt)
{
    char s[700];
    snprintf(s, sizeof s, "%s#%s", key, salt);
    unsigned long long a = sb_hash(s, strlen(s)), c = sb_hash(s, strlen(s) / 2);
    ec_buf_printf(b, "\"%08llx-%04llx-4%03llx-a%03llx-%012llx\"", a >> 32, (a >> 16) & 0xffff,
                  a & 0xfff, c >> 52, c & 0xffffffffffffULL);
}

static void put_opt(ec_buf *b, const char *key, const char *v)
{
    ec_buf_printf(b, ",\"%s\":", key);
    if (v)
        ec_json_put_cstr(b, v);
    else
        ec_buf_puts(b, "null");
}

static void put_phones(ec_buf *b, const amp_lead *l, int reveal)
{
    const char *nums[2] = {l->p.phone, l->p.phone2};
    const char *types[2] = {"mobile", "direct"};
    ec_buf_puts(b, ",\"phone_numbers\":[");
    for (int i = 0, n = 0; reveal && i < 2; i++) {
        if (!nums[i][0])
            continue;
        ec_buf_puts(b, n++ ? ",{" : "{");
        ec_buf_puts(b, "\"object\":\"phone_number\",\"id\":");
        put_uuid(b, l->key, nums[i]);
        ec_buf_printf(b, ",\"number\":\"%s\",\"type\":\"%s\",\"source\":\"amplemarket\"}", nums[i],
                      types[i]);
    }
    ec_buf_putc(b, ']');
}

static void put_person(ec_buf *b, const amp_job *job, const amp_lead *l)
{
    const sb_person *p = &l->p;
    ec_buf_puts(b, "{\"id\":");
    put_uuid(b, l->key, "person");
    ec_buf_printf(b,
                  ",\"object\":\"person\",\"linkedin_url\":\"%s\",\"name\":\"%s\","
                  "\"first_name\":\"%s\",\"last_name\":\"%s\",\"title\":\"%s\"",
                  p->linkedin_url, p->name, p->first, p->last, p->title);
    put_opt(b, "email", job->reveal_email && p->email[0] ? p->email : NULL);
    put_phones(b, l, job->reveal_phone);
    ec_buf_puts(b, ",\"company\":{\"id\":");
    put_uuid(b, p->domain, "company");
    ec_buf_printf(b,
                  ",\"object\":\"company\",\"linkedin_url\":\"https://www.linkedin.com/company/"
                  "sandbox-%.*s\",\"name\":\"%s\",\"website\":\"https://%s\"}}",
                  (int)strcspn(p->domain, "."), p->domain, p->company, p->domain);
}

static void put_result(ec_buf *b, const amp_job *job, int pos)
{
    const amp_lead *l = &job->leads[job->order[pos]];
    const char *status = l->p.found ? "enriched" : l->gdpr ? "gdpr_removed" : "not_found";
    ec_buf_printf(b, "{\"id\":%d,\"status\":\"%s\"", pos + 1, status);
    for (int f = 0; f < L_N; f++)
        put_opt(b, lead_keys[f], l->in[f]);
    ec_buf_puts(b, ",\"result\":");
    if (l->p.found)
        put_person(b, job, l);
    else
        ec_buf_puts(b, "null");
    ec_buf_putc(b, '}');
}

typedef struct page {
    int start, end, size; /* positions [start, end) */
} page;

static void put_job(ec_buf *b, const sb_job *sj, const char *status, const page *pg)
{
    const amp_job *job = sj->data;
    ec_buf_printf(b, "{\"id\":%s,\"object\":\"person_enrichment\",\"status\":\"%s\",\"results\":[",
                  sj->id, status);
    for (int k = pg ? pg->start : 0; pg && k < pg->end; k++) {
        if (k > pg->start)
            ec_buf_putc(b, ',');
        put_result(b, job, k);
    }
    ec_buf_printf(b, "],\"_links\":{\"self\":{\"href\":\"" AMP_BASE "/%s\"}", sj->id);
    if (pg && pg->end < job->n)
        ec_buf_printf(b, ",\"next\":{\"href\":\"" AMP_BASE "/%s?page[size]=%d&page[after]=%d\"}",
                      sj->id, pg->size, pg->end);
    if (pg && pg->start > 0)
        ec_buf_printf(b, ",\"prev\":{\"href\":\"" AMP_BASE "/%s?page[size]=%d&page[before]=%d\"}",
                      sj->id, pg->size, pg->start + 1);
    ec_buf_puts(b, "}}");
}

/* A deterministic shuffle: results do not keep input order. */
static void shuffle(amp_job *job, const char *id)
{
    job->order = ec_xmalloc((size_t)job->n * sizeof *job->order);
    for (int i = 0; i < job->n; i++)
        job->order[i] = i;
    unsigned long long r = sb_hash(id, strlen(id));
    for (int i = job->n - 1; i > 0; i--) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        int k = (int)((r >> 33) % (unsigned long long)(i + 1));
        int t = job->order[i];
        job->order[i] = job->order[k];
        job->order[k] = t;
    }
}

/* ------------------------------------------------------------ endpoints */

static void submit(const sb_req *req, sb_resp *resp)
{
    amp_job *job = ec_xcalloc(1, sizeof *job);
    if (parse_request(req, job, resp) != 0) {
        free_job(job);
        return;
    }
    resp->batch = job->n;
    double cost = settle(job, req->now, 0), left = sb_credits_left();
    if (left >= 0 && cost > left) {
        amp_error(resp, 402, "insufficient_credits", "Insufficient Credits",
                  "You do not have enough credits to perform this operation.", NULL);
        free_job(job);
        return;
    }
    settle(job, req->now, 1);
    sb_job *sj = sb_job_new(AMP, "", req->now);
    sb_count_job(AMP);
    sj->data = job;
    shuffle(job, sj->id);
    resp->status = 202;
    ec_buf_clear(&resp->body);
    put_job(&resp->body, sj, "queued", NULL);
    snprintf(resp->location, sizeof resp->location, AMP_BASE "/%s", sj->id);
}

/* A query number: the default when absent, -1 when not an integer in [lo, hi]. */
static long query_int(const sb_req *req, const char *name, long dflt, long lo, long hi)
{
    const char *v = sb_query(req, name);
    if (!v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return (*v && !*end && n >= lo && n <= hi) ? n : -1;
}

static int read_page(const sb_req *req, int n, page *pg, sb_resp *resp)
{
    long size = query_int(req, "page[size]", AMP_PAGE_DEFAULT, 1, AMP_PAGE_MAX);
    long after = query_int(req, "page[after]", 0, 0, 1L << 30);
    long before = query_int(req, "page[before]", 0, 1, 1L << 30);
    if (size < 0 || after < 0 || before < 0) {
        unsupported(resp, "page[size] must be 1 to 1000; page[after] and page[before] result ids.",
                    NULL);
        return -1;
    }
    pg->size = (int)size;
    if (before > 0) {
        pg->end = before - 1 < n ? (int)before - 1 : n;
        pg->start = pg->end > size ? pg->end - (int)size : 0;
    } else {
        pg->start = after < n ? (int)after : n;
        pg->end = n - pg->start > size ? pg->start + (int)size : n;
    }
    return 0;
}

static void poll_job(const sb_req *req, sb_resp *resp, sb_job *sj)
{
    const amp_job *job = sj->data;
    static const char *const phases[] = {"queued", "processing", "completed"};
    const char *status = job->canceled ? "canceled" : phases[sb_job_phase(sj, req->now)];
    page pg;
    if (read_page(req, job->n, &pg, resp) != 0)
        return;
    resp->status = 200;
    ec_buf_clear(&resp->body);
    put_job(&resp->body, sj, status, strcmp(status, "completed") == 0 ? &pg : NULL);
}

static void cancel_job(const sb_req *req, sb_resp *resp, sb_job *sj)
{
    amp_job *job = sj->data;
    ec_json j;
    int ok = ec_json_parse(&j, req->body, req->body_len, NULL) == 0 &&
             ec_json_type(&j, 0) == EC_JSON_OBJECT;
    int st = ok ? ec_json_get(&j, 0, "status") : -1;
    if (!ok) {
        unsupported(resp, "The request body must be a JSON object.", "/");
    } else if (ec_json_size(&j, 0) != 1 || st < 0) {
        if (st < 0)
            missing(resp, "Missing field from request: status", "/status");
        else
            unsupported(resp, "Only status may be changed.", "/");
    } else if (!ec_json_str_eq(&j, st, "canceled")) {
        unsupported(resp, "status can only be set to canceled.", "/status");
    } else {
        /* a finished job stays completed: the cancel came too late */
        if (sb_job_phase(sj, req->now) < 2)
            job->canceled = 1;
        resp->status = 200;
        ec_buf_clear(&resp->body);
        put_job(&resp->body, sj, job->canceled ? "canceled" : "completed", NULL);
    }
    ec_json_free(&j);
}

static void not_allowed(sb_resp *resp)
{
    amp_error(resp, 405, "method_not_allowed", "Method Not Allowed",
              "This method is not allowed on this path.", NULL);
}

static void one_job(const sb_req *req, sb_resp *resp, const char *id)
{
    int get = strcmp(req->method, "GET") == 0, patch = strcmp(req->method, "PATCH") == 0;
    char name[64];
    snprintf(name, sizeof name, "%s " AMP_BASE "/{id}", req->method);
    sb_count(name);
    if (amp_auth(req, resp) != 0)
        return;
    if (!get && !patch) {
        not_allowed(resp);
        return;
    }
    sb_job *sj = id[strspn(id, "0123456789")] == '\0' ? sb_job_find(AMP, id) : NULL;
    if (!sj) {
        amp_error(resp, 404, "not_found", "Not Found", "No enrichment request with this id.", NULL);
        return;
    }
    if (get)
        poll_job(req, resp, sj);
    else
        cancel_job(req, resp, sj);
}

int sb_amplemarket(const sb_req *req, sb_resp *resp)
{
    const char *path = req->path;
    size_t n = strlen(AMP_BASE);
    if (strncmp(path, AMP_BASE, n) != 0)
        return 0;
    if (path[n] == '/' && path[n + 1] && !strchr(path + n + 1, '/')) {
        one_job(req, resp, path + n + 1);
        return 1;
    }
    if (path[n] != '\0')
        return 0;
    char name[64];
    snprintf(name, sizeof name, "%s " AMP_BASE, req->method);
    sb_count(name);
    if (amp_auth(req, resp) != 0)
        return 1;
    if (strcmp(req->method, "POST") != 0)
        not_allowed(resp);
    else
        submit(req, resp);
    return 1;
}
