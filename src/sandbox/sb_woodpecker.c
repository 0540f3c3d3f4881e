/* sb_woodpecker.c - Woodpecker Lead Finder simulator (providers.md section
 * 3): queue lead enrichments, poll and list batches, and read found emails
 * back from the v1 prospects list.
 *
 * Choices where providers.md marks a fact unknown [U] (for the man page):
 * - Every error uses the v1 envelope
 *     {"status":{"status":"ERROR","code":"E_...","msg":"text"}}
 *   401 E_SESSION (x-api-key missing or refused), 400 E_WRONG_PARAM (bad
 *   JSON, no leads, more than 50 leads or the --max-batch limit, a lead
 *   without a string uid, bad target_campaign_ids, bad created_after, bad
 *   search), 404 E_NOT_FOUND (unknown batch or path), 405
 *   E_METHOD_NOT_ALLOWED, 429 E_TOO_MANY_REQUESTS (below).
 * - One request at a time per API key: a request that arrives while an
 *   earlier one with the same key is still being served (see --latency-ms)
 *   is refused at once with 429 E_TOO_MANY_REQUESTS and no Retry-After
 *   (the real service queues it up to 15 s); every refusal is counted in
 *   /_sandbox/stats as endpoints."woodpecker_concurrent_violation". This
 *   covers every path under /rest/, GETs included.
 * - Queue answers 202 when a batch was made (ENQUEUED, PARTIALLY_ENQUEUED)
 *   and 200 when not (NOT_ENQUEUED, CREDITS_EXHAUSTED: uuid null).
 *   A uid is pending until its lead in a batch is processed; pending
 *   uids (and repeats within one request) are skipped; NOT_ENQUEUED when
 *   every lead is skipped so. Each taken lead reserves 1.5 credits while
 *   the request is decided; a lead whose email will be found is charged
 *   1.5 at once (the outcome is fixed by the identifier), one that finds
 *   nothing costs nothing. Leads the balance cannot cover are not taken:
 *   PARTIALLY_ENQUEUED (the poll lists only the taken uids), or
 *   CREDITS_EXHAUSTED when none was taken. Enqueuing a processed uid again
 *   is charged again (counted in double_charged).
 * - The person behind a lead comes from its linkedin_url, else from its
 *   uid; its email, when found, is the drawn address tagged with 4 hex
 *   digits of that identity (first.last.3f0a@example.org), so that no two
 *   leads share a prospect. Leads of a batch are processed one after
 *   another over --job-ms.
 *   Poll body {"uuid","created","leads":[{"uid","status":"PENDING"|
 *   "PROCESSED","processing_result":null|"CONVERTED_TO_PROSPECT"|
 *   "NOT_CONVERTED_TO_PROSPECT"}]}, under "lead_enrichment" with
 *   --woodpecker-wrapped. The list (?created_after=YYYY-MM-DD, default the
 *   last 24 h) is {"lead_enrichments":[...]}, oldest first, never wrapped.
 * - A processed lead with an email becomes a prospect of that key (one per
 *   email): GET /rest/v1/prospects?search=FIELD=VALUE[,FIELD=VALUE...]
 *   with fields email, linkedin_url, first_name, last_name, company,
 *   website, title, status (exact, case-insensitive; linkedin_url compared
 *   after normalizing scheme/www/trailing slash). Unknown search fields:
 *   400. Other query arguments (a bare ?email=) are ignored. page (from 1)
 *   and per_page (default 100, at most 500). 200 with a JSON array, 204 with
 *   no body when empty. The record has no phone (phone unsupported).
 * - State (pending uids, batches, prospects) is kept per API key. */
#include "config.h"
#include "sb.h"
#include "../hmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define WP_MAX_LEADS 50

typedef struct wp_lead {
    char uid[256];
    char first[64], last[64], company[128], website[128], title[64], linkedin[256];
    char person_key[320];
    char email[128]; /* "" when none will be found */
    double done;     /* sandbox time when processed */
} wp_lead;

typedef struct wp_batch {
    char uuid[40];
    unsigned long long owner; /* hash of the API key */
    double created;
    int n, materialized;
    struct wp_batch *next; /* creation order */
    wp_lead leads[];
} wp_batch;

typedef struct wp_prospect {
    long long id;
    unsigned long long owner;
    char email[128], first[64], last[64], company[128], website[128], title[64], linkedin[256];
    double created;
} wp_prospect;

static wp_batch *wp_first, *wp_last;
static ec_hmap *wp_batches;  /* uuid -> wp_batch */
static ec_hmap *wp_pending;  /* "owner|uid" -> latest wp_lead */
static ec_hmap *wp_by_email; /* "owner|email" -> wp_prospect */
static wp_prospect **wp_prospects;
static size_t wp_nprospects, wp_capprospects;
static unsigned long wp_counter;

static int wp_error(sb_resp *resp, int status, const char *code, const char *msg)
{
    ec_buf_clear(&resp->body);
    ec_buf_printf(&resp->body, "{\"status\":{\"status\":\"ERROR\",\"code\":\"%s\",\"msg\":", code);
    ec_json_put_cstr(&resp->body, msg);
    ec_buf_puts(&resp->body, "}}");
    resp->status = status;
    return 1;
}

static int wp_param(sb_resp *resp, const char *msg)
{
    return wp_error(resp, 400, "E_WRONG_PARAM", msg);
}

static void wp_key(char *out, size_t n, unsigned long long owner, const char *s)
{
    snprintf(out, n, "%016llx|%s", owner, s);
}

/* One request at a time per key. The core sleeps --latency-ms before a
 * handler runs, so a request arrived latency_ms before now; it overlaps the
 * previous accepted request of its key when it arrived before that one was
 * handled. Refused requests do not hold the key. */
static int wp_busy(const sb_req *req, unsigned long long owner)
{
    static ec_hmap *handled; /* owner -> double: when its last accepted request ran */
    char key[24];
    double arrived = req->now - (sb_cfg.latency_ms > 0 ? (double)sb_cfg.latency_ms / 1000.0 : 0);
    snprintf(key, sizeof key, "%016llx", owner);
    double *t = handled ? ec_hmap_get(handled, key) : NULL;
    if (t && arrived < *t)
        return 1;
    if (!t) {
        t = ec_xmalloc(sizeof *t);
        if (!handled)
            handled = ec_hmap_new();
        ec_hmap_put(handled, key, t);
    }
    *t = req->now;
    return 0;
}

/* A processed lead of b found an email: make it a prospect of b's key,
 * unless that email already is one. */
static void wp_add_prospect(const wp_batch *b, const wp_lead *l)
{
    char key[300];
    wp_key(key, sizeof key, b->owner, l->email);
    if (wp_by_email && ec_hmap_get(wp_by_email, key))
        return;
    wp_prospect *p = ec_xcalloc(1, sizeof *p);
    p->owner = b->owner;
    p->id = 100000000 + (long long)(sb_hash(key, strlen(key)) % 900000000ULL);
    p->created = l->done;
    memcpy(p->email, l->email, sizeof p->email);
    memcpy(p->first, l->first, sizeof p->first);
    memcpy(p->last, l->last, sizeof p->last);
    memcpy(p->company, l->company, sizeof p->company);
    memcpy(p->website, l->website, sizeof p->website);
    memcpy(p->title, l->title, sizeof p->title);
    memcpy(p->linkedin, l->linkedin, sizeof p->linkedin);
    if (!wp_by_email)
        wp_by_email = ec_hmap_new();
    ec_hmap_put(wp_by_email, key, p);
    if (wp_nprospects == wp_capprospects) {
        wp_capprospects = wp_capprospects ? wp_capprospects * 2 : 64;
        wp_prospects = ec_xrealloc(wp_prospects, wp_capprospects * sizeof *wp_prospects);
    }
    wp_prospects[wp_nprospects++] = p;
}

/* Turn leads processed by now into prospects, in processing order within a
 * batch. Batches all take --job-ms, so they finish in creation order:
 * wp_open skips the ones already done. */
static void wp_advance(double now)
{
    static wp_batch *wp_open;
    if (!wp_open)
        wp_open = wp_first;
    for (wp_batch *b = wp_open; b; b = b->next)
        for (; b->materialized < b->n && b->leads[b->materialized].done <= now; b->materialized++)
            if (b->leads[b->materialized].email[0])
                wp_add_prospect(b, &b->leads[b->materialized]);
    while (wp_open && wp_open->materialized == wp_open->n && wp_open->next)
        wp_open = wp_open->next;
}

/* Copy src into dst (n bytes), cut to fit. */
static void wp_copy(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memmove(dst, src, len);
    dst[len] = '\0';
}

/* Copy string member key of object t into out ("" when missing or not a string). */
static void wp_member(const ec_json *j, int t, const char *key, char *out, size_t n)
{
    ec_buf b = {0};
    out[0] = '\0';
    if (ec_json_str_into(j, ec_json_get(j, t, key), &b) == 0 && b.len)
        snprintf(out, n, "%s", b.p);
    ec_buf_free(&b);
}

/* The email enrichment finds for lead l ("" when none). Prospects are one
 * per email, so two leads must never share one: the drawn address gets a
 * tag from the lead's identity ("alex.example.3f0a@example.org"), since the
 * draw alone repeats among a few hundred people. */
static void wp_unique_email(wp_lead *l, const sb_person *p)
{
    const char *at = p->found ? strchr(p->email, '@') : NULL;
    l->email[0] = '\0';
    if (at)
        snprintf(l->email, sizeof l->email, "%.*s.%04llx%s", (int)(at - p->email), p->email,
                 sb_hash(l->person_key, strlen(l->person_key)) & 0xffffULL, at);
}

/* Fill lead l from lead object t: the identity, and what the prospect shows. */
static void wp_fill_lead(wp_lead *l, const ec_json *j, int t)
{
    char full[128];
    sb_person p;
    wp_member(j, t, "linkedin_url", l->linkedin, sizeof l->linkedin);
    if (l->linkedin[0]) {
        sb_normalize(l->linkedin, l->person_key, sizeof l->person_key);
    } else {
        static const char pre[] = "woodpecker-lead:";
        memcpy(l->person_key, pre, sizeof pre);
        wp_copy(l->person_key + sizeof pre - 1, sizeof l->person_key - sizeof pre + 1, l->uid);
    }
    sb_person_for(l->person_key, &p);
    wp_unique_email(l, &p);
    wp_member(j, t, "first_name", l->first, sizeof l->first);
    wp_member(j, t, "last_name", l->last, sizeof l->last);
    wp_member(j, t, "full_name", full, sizeof full);
    if (!l->first[0] && !l->last[0] && full[0]) {
        char *sp = strchr(full, ' ');
        if (sp)
            *sp = '\0';
        wp_copy(l->first, sizeof l->first, full);
        wp_copy(l->last, sizeof l->last, sp ? sp + 1 : "");
    }
    if (!l->first[0] && !l->last[0]) {
        wp_copy(l->first, sizeof l->first, p.first);
        wp_copy(l->last, sizeof l->last, p.last);
    }
    wp_member(j, t, "company_name", l->company, sizeof l->company);
    if (!l->company[0])
        wp_copy(l->company, sizeof l->company, p.company);
    wp_member(j, t, "company_website", l->website, sizeof l->website);
    if (!l->website[0])
        wp_copy(l->website, sizeof l->website, p.domain);
    wp_member(j, t, "job_title", l->title, sizeof l->title);
    if (!l->title[0])
        wp_copy(l->title, sizeof l->title, p.title);
    if (!l->linkedin[0])
        wp_copy(l->linkedin, sizeof l->linkedin, p.linkedin_url);
}

/* Check the queue request; returns the leads array token, or -1 after answering. */
static int wp_check_queue(const ec_json *j, sb_resp *resp)
{
    int leads = ec_json_get(j, 0, "leads");
    int limit = WP_MAX_LEADS, n = ec_json_size(j, leads);
    if (sb_cfg.max_batch_override > 0 && sb_cfg.max_batch_override < limit)
        limit = sb_cfg.max_batch_override;
    if (ec_json_type(j, leads) != EC_JSON_ARRAY || n < 1)
        return wp_param(resp, "leads must be a non-empty array"), -1;
    if (n > limit) {
        char msg[80];
        snprintf(msg, sizeof msg, "leads: at most %d leads per request", limit);
        return wp_param(resp, msg), -1;
    }
    for (int i = 0, e = leads + 1; i < n; i++, e = ec_json_skip(j, e)) {
        int uid = ec_json_get(j, e, "uid");
        ec_str raw = ec_json_raw(j, uid);
        if (ec_json_type(j, e) != EC_JSON_OBJECT || ec_json_type(j, uid) != EC_JSON_STRING ||
            raw.len == 0 || raw.len > 200)
            return wp_param(resp, "every lead needs a uid string"), -1;
    }
    int camp = ec_json_get(j, 0, "target_campaign_ids");
    enum ec_json_type ct = ec_json_type(j, camp);
    if (ct != EC_JSON_NONE && ct != EC_JSON_NULL && ct != EC_JSON_ARRAY)
        return wp_param(resp, "target_campaign_ids must be an array of integers"), -1;
    for (int i = 0, e = camp + 1; ct == EC_JSON_ARRAY && i < ec_json_size(j, camp);
         i++, e = ec_json_skip(j, e)) {
        long long v;
        if (ec_json_int(j, e, &v) < 0)
            return wp_param(resp, "target_campaign_ids must be an array of integers"), -1;
    }
    return leads;
}

static void wp_queue_answer(sb_resp *resp, const wp_batch *b, int taken, const char *status)
{
    ec_buf_clear(&resp->body);
    ec_buf_puts(&resp->body, "{\"uuid\":");
    if (b)
        ec_json_put_cstr(&resp->body, b->uuid);
    else
        ec_buf_puts(&resp->body, "null");
    ec_buf_printf(&resp->body, ",\"leads_count\":%d,\"status\":\"%s\"}", taken, status);
    resp->status = b ? 202 : 200;
}

/* Take eligible leads into b while credits allow; returns (taken, eligible). */
static int wp_take(wp_batch *b, const ec_json *j, int leads, int *eligible)
{
    double avail = sb_credits_left();
    int n = ec_json_size(j, leads);
    *eligible = 0;
    for (int i = 0, e = leads + 1; i < n; i++, e = ec_json_skip(j, e)) {
        wp_lead *l = &b->leads[b->n];
        char key[300];
        memset(l, 0, sizeof *l);
        wp_member(j, e, "uid", l->uid, sizeof l->uid);
        wp_key(key, sizeof key, b->owner, l->uid);
        wp_lead *old = wp_pending ? ec_hmap_get(wp_pending, key) : NULL;
        if (old && old->done > b->created)
            continue; /* pending, or repeated in this request */
        ++*eligible;
        if (avail >= 0 && avail < 1.5)
            continue;
        wp_fill_lead(l, j, e);
        if (l->email[0] && sb_charge("woodpecker", l->person_key, "email", 1.5) < 0)
            continue;
        if (avail >= 0)
            avail -= 1.5;
        l->done = 1e300;
        if (!wp_pending)
            wp_pending = ec_hmap_new();
        ec_hmap_put(wp_pending, key, l);
        b->n++;
    }
    return b->n;
}

static void wp_make_uuid(char *out, size_t n)
{
    char seed[48];
    int len = snprintf(seed, sizeof seed, "woodpecker-batch-%lu", ++wp_counter);
    unsigned long long a = sb_hash(seed, (size_t)len), c = sb_hash(seed, (size_t)len - 1);
    snprintf(out, n, "%08llx-%04llx-4%03llx-%04llx-%012llx", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
             0x8000 | (c >> 48 & 0x3fff), c & 0xffffffffffffULL);
}

static int wp_queue(const sb_req *req, sb_resp *resp, unsigned long long owner)
{
    ec_json j;
    if (ec_json_parse(&j, req->body, req->body_len, NULL) < 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT) {
        ec_json_free(&j);
        return wp_param(resp, "body must be a JSON object");
    }
    int leads = wp_check_queue(&j, resp), eligible;
    if (leads < 0) {
        ec_json_free(&j);
        return 1;
    }
    resp->batch = ec_json_size(&j, leads);
    wp_batch *b = ec_xcalloc(1, sizeof *b + (size_t)resp->batch * sizeof(wp_lead));
    b->owner = owner;
    b->created = req->now;
    int taken = wp_take(b, &j, leads, &eligible);
    ec_json_free(&j);
    if (taken == 0) {
        free(b);
        wp_queue_answer(resp, NULL, 0, eligible ? "CREDITS_EXHAUSTED" : "NOT_ENQUEUED");
        return 1;
    }
    sb_job *job = sb_job_new("woodpecker", "wp", req->now);
    sb_count_job("woodpecker");
    job->data = b;
    wp_make_uuid(b->uuid, sizeof b->uuid);
    for (int i = 0; i < taken; i++)
        b->leads[i].done = req->now + job->duration * (i + 1) / taken;
    if (!wp_batches)
        wp_batches = ec_hmap_new();
    ec_hmap_put(wp_batches, b->uuid, b);
    if (wp_last)
        wp_last->next = b;
    else
        wp_first = b;
    wp_last = b;
    wp_queue_answer(resp, b, taken, taken < eligible ? "PARTIALLY_ENQUEUED" : "ENQUEUED");
    return 1;
}

static void wp_put_batch(ec_buf *out, const wp_batch *b, double now)
{
    ec_buf_puts(out, "{\"uuid\":");
    ec_json_put_cstr(out, b->uuid);
    ec_buf_puts(out, ",\"created\":");
    sb_put_time(out, b->created);
    ec_buf_puts(out, ",\"leads\":[");
    for (int i = 0; i < b->n; i++) {
        const wp_lead *l = &b->leads[i];
        int done = l->done <= now;
        ec_buf_puts(out, i ? ",{\"uid\":" : "{\"uid\":");
        ec_json_put_cstr(out, l->uid);
        ec_buf_printf(out, ",\"status\":\"%s\",\"processing_result\":%s}",
                      done ? "PROCESSED" : "PENDING",
                      !done         ? "null"
                      : l->email[0] ? "\"CONVERTED_TO_PROSPECT\""
                                    : "\"NOT_CONVERTED_TO_PROSPECT\"");
    }
    ec_buf_puts(out, "]}");
}

static int wp_get_batch(const sb_req *req, sb_resp *resp, unsigned long long owner,
                        const char *uuid)
{
    wp_batch *b = wp_batches ? ec_hmap_get(wp_batches, uuid) : NULL;
    if (!b || b->owner != owner)
        return wp_error(resp, 404, "E_NOT_FOUND", "lead enrichment not found");
    ec_buf_clear(&resp->body);
    if (sb_cfg.woodpecker_wrapped)
        ec_buf_puts(&resp->body, "{\"lead_enrichment\":");
    wp_put_batch(&resp->body, b, req->now);
    if (sb_cfg.woodpecker_wrapped)
        ec_buf_putc(&resp->body, '}');
    resp->status = 200;
    return 1;
}

/* Sandbox time of midnight UTC at the start of YYYY-MM-DD, or -1e300 when malformed. */
static double wp_parse_day(const char *s)
{
    int y, m, d, used = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10 || s[10] || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return -1e300;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    return (double)t - sb_wall(0);
}

static int wp_list(const sb_req *req, sb_resp *resp, unsigned long long owner)
{
    const char *after = sb_query(req, "created_after");
    double from = req->now - 86400;
    if (after) {
        from = wp_parse_day(after);
        if (from <= -1e299)
            return wp_param(resp, "created_after must be a date YYYY-MM-DD");
    }
    ec_buf *out = &resp->body;
    int first = 1;
    ec_buf_clear(out);
    ec_buf_puts(out, "{\"lead_enrichments\":[");
    for (const wp_batch *b = wp_first; b; b = b->next) {
        if (b->owner != owner || b->created < from)
            continue;
        if (!first)
            ec_buf_putc(out, ',');
        first = 0;
        wp_put_batch(out, b, req->now);
    }
    ec_buf_puts(out, "]}");
    resp->status = 200;
    return 1;
}

enum {
    WP_F_EMAIL,
    WP_F_LINKEDIN,
    WP_F_FIRST,
    WP_F_LAST,
    WP_F_COMPANY,
    WP_F_WEBSITE,
    WP_F_TITLE,
    WP_F_STATUS,
    WP_NFIELDS
};
static const char *const wp_fields[WP_NFIELDS] = {
    "email", "linkedin_url", "first_name", "last_name", "company", "website", "title", "status"};

#define WP_MAX_CONDS 8

typedef struct wp_cond {
    int field;
    char value[256];
} wp_cond;

/* Parse "f=v,f=v"; returns the number of conditions or -1 when malformed. */
static int wp_parse_search(const char *s, wp_cond *c)
{
    int n = 0;
    while (*s) {
        size_t len = strcspn(s, ","), name = strcspn(s, "=");
        if (len > 0) {
            if (name >= len || n == WP_MAX_CONDS)
                return -1;
            c[n].field = -1;
            for (int f = 0; f < WP_NFIELDS; f++)
                if (strlen(wp_fields[f]) == name && strncasecmp(s, wp_fields[f], name) == 0)
                    c[n].field = f;
            if (c[n].field < 0)
                return -1;
            snprintf(c[n].value, sizeof c[n].value, "%.*s", (int)(len - name - 1), s + name + 1);
            n++;
        }
        s += len + (s[len] == ',');
    }
    return n;
}

static const char *wp_value(const wp_prospect *p, int field)
{
    switch (field) {
    case WP_F_EMAIL:
        return p->email;
    case WP_F_LINKEDIN:
        return p->linkedin;
    case WP_F_FIRST:
        return p->first;
    case WP_F_LAST:
        return p->last;
    case WP_F_COMPANY:
        return p->company;
    case WP_F_WEBSITE:
        return p->website;
    case WP_F_TITLE:
        return p->title;
    default:
        return "ACTIVE";
    }
}

static int wp_matches(const wp_prospect *p, const wp_cond *c, int n)
{
    for (int i = 0; i < n; i++) {
        const char *v = wp_value(p, c[i].field);
        if (c[i].field == WP_F_LINKEDIN) {
            char a[256], b[256];
            sb_normalize(v, a, sizeof a);
            sb_normalize(c[i].value, b, sizeof b);
            if (strcmp(a, b) != 0)
                return 0;
        } else if (strcasecmp(v, c[i].value) != 0) {
            return 0;
        }
    }
    return 1;
}

static void wp_put_prospect(ec_buf *out, const wp_prospect *p)
{
    ec_buf_printf(out, "{\"id\":%lld", p->id);
    for (int f = 0; f < WP_F_STATUS; f++) {
        ec_buf_printf(out, ",\"%s\":", f == WP_F_LINKEDIN ? "linkedin_url" : wp_fields[f]);
        ec_json_put_cstr(out, wp_value(p, f));
    }
    ec_buf_puts(out, ",\"status\":\"ACTIVE\",\"updated\":");
    sb_put_time(out, p->created);
    ec_buf_putc(out, '}');
}

static long wp_number_arg(const sb_req *req, const char *name, long dflt, long max)
{
    const char *s = sb_query(req, name);
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || v < 1)
        return dflt;
    return v > max ? max : v;
}

static int wp_search(const sb_req *req, sb_resp *resp, unsigned long long owner)
{
    wp_cond c[WP_MAX_CONDS];
    const char *search = sb_query(req, "search");
    int n = search ? wp_parse_search(search, c) : 0;
    if (n < 0)
        return wp_param(resp, "search: expected field=value[,field=value] with known fields");
    long per_page = wp_number_arg(req, "per_page", 100, 500);
    long skip = (wp_number_arg(req, "page", 1, 1000000) - 1) * per_page, shown = 0;
    ec_buf *out = &resp->body;
    ec_buf_clear(out);
    ec_buf_putc(out, '[');
    for (size_t i = 0; i < wp_nprospects && shown < per_page; i++) {
        const wp_prospect *p = wp_prospects[i];
        if (p->owner != owner || !wp_matches(p, c, n) || skip-- > 0)
            continue;
        if (shown++)
            ec_buf_putc(out, ',');
        wp_put_prospect(out, p);
    }
    ec_buf_putc(out, ']');
    resp->status = 200;
    if (shown == 0) {
        ec_buf_clear(out);
        resp->status = 204;
    }
    return 1;
}

static int wp_route(const sb_req *req, sb_resp *resp, unsigned long long owner)
{
    static const char enr[] = "/rest/v2/lead_finder/leads/enrichments";
    const char *path = req->path;
    int get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    if (strcmp(path, enr) == 0) {
        if (!get && !post)
            return wp_error(resp, 405, "E_METHOD_NOT_ALLOWED", "method not allowed");
        sb_count(post ? "POST /rest/v2/lead_finder/leads/enrichments"
                      : "GET /rest/v2/lead_finder/leads/enrichments");
        return post ? wp_queue(req, resp, owner) : wp_list(req, resp, owner);
    }
    if (strncmp(path, enr, sizeof enr - 1) == 0 && path[sizeof enr - 1] == '/' &&
        path[sizeof enr] && !strchr(path + sizeof enr, '/')) {
        if (!get)
            return wp_error(resp, 405, "E_METHOD_NOT_ALLOWED", "method not allowed");
        sb_count("GET /rest/v2/lead_finder/leads/enrichments/{uuid}");
        return wp_get_batch(req, resp, owner, path + sizeof enr);
    }
    if (strcmp(path, "/rest/v1/prospects") == 0) {
        if (!get)
            return wp_error(resp, 405, "E_METHOD_NOT_ALLOWED", "method not allowed");
        sb_count("GET /rest/v1/prospects");
        return wp_search(req, resp, owner);
    }
    return wp_error(resp, 404, "E_NOT_FOUND", "no such endpoint in the sandbox");
}

int sb_woodpecker(const sb_req *req, sb_resp *resp)
{
    if (strncmp(req->path, "/rest/", 6) != 0 && strcmp(req->path, "/rest") != 0)
        return 0;
    const char *key = sb_header(req, "x-api-key");
    if (!key || !sb_key_ok(key))
        return wp_error(resp, sb_cfg.woodpecker_key_400 ? 400 : 401, "E_SESSION",
                        "API key is missing or invalid");
    unsigned long long owner = sb_hash(key, strlen(key));
    if (wp_busy(req, owner)) {
        sb_count("woodpecker_concurrent_violation");
        return wp_error(resp, 429, "E_TOO_MANY_REQUESTS",
                        "another request with this API key is being processed");
    }
    wp_advance(req->now);
    return wp_route(req, resp, owner);
}
